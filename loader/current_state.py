"""The derived graphs of current state: each algorithm carries the facts of its newest registration.

Source graphs only say which registrations an algorithm has. After every load, for each algorithm
and language the registration seen in the most recently loaded source is current (ties broken by
IRI, so the result is deterministic); its facts are copied onto the algorithm in that language's
current-state graph (``…/derived/current/nl``, ``…/en``), and each registration is linked to the one
it replaced. Only the algorithms a load touches are recomputed. What the new sources say is taken
from memory (the mapping's index of registrations); the store is asked only about older sources, and
not at all on a first load (at 100k algorithms the queries cost more than writing the result), and
the result is written in the same bulk write as the sources.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import chain, pairwise

from pyoxigraph import Literal, NamedNode, Quad, Store

from loader.mapping import terms as t
from loader.sourceload import CURRENT_STATE_GRAPH, PROVENANCE_GRAPH, Registration, SourceLoad, current_state_graph

SEEN = f"""
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?reg ?alg ?lang (MAX(?time) AS ?seen) WHERE {{
  GRAPH ?source {{ ?reg akg:registers ?alg . OPTIONAL {{ ?reg akg:copyLanguage ?language }} }}
  GRAPH <{PROVENANCE_GRAPH.value}> {{ ?source prov:generatedAtTime ?time }}
  BIND(COALESCE(?language, "") AS ?lang)
}} GROUP BY ?reg ?alg ?lang
"""
CURRENT = t.akg("currentRegistration")
PREVIOUS = t.akg("previousRegistration")
REGISTERS = t.akg("registers")
COPY_LANGUAGE = t.akg("copyLanguage")
GENERATED_AT = t.prov("generatedAtTime")
# Bookkeeping of a registration, not a fact about the algorithm.
NOT_COPIED = frozenset(
    NamedNode(iri)
    for iri in (
        t.RDF_TYPE.value,
        t.AKG + "registers", t.PROV + "wasDerivedFrom", t.AKG + "sourceFile", t.AKG + "sourceLine",
        t.AKG + "sourcePointer", t.AKG + "sourceIndex", t.AKG + "standardVersion", t.AKG + "copyLanguage",
        t.AKG + "hasReconciliation", t.AKG + "hasUnmappedValue", t.DCT + "issued", t.DCT + "created",
    )
)  # fmt: skip
Key = tuple[str, str]  # (algorithm, language)
Seen = dict[tuple[str, str, str], str]  # (registration, algorithm, language) -> when last seen (xsd:dateTime)
Versions = dict[Key, list[tuple[str, str]]]


def refresh_current_state(store: Store, *, batch: int = 5_000) -> None:
    """Rebuild every algorithm's current state from the store alone (a load uses :func:`current_state_quads`)."""
    for graph in list(store.named_graphs()):
        if isinstance(graph, NamedNode) and graph.value.startswith(CURRENT_STATE_GRAPH.value):
            store.remove_graph(graph)
    versions = _versions(store)
    keys = list(versions)
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        quads = [quad for key in chunk for quad in _state(key, versions[key], _stored_facts(store, versions[key]))]
        store.bulk_extend(quads)


def refresh_current_state_of(store: Store, algorithms: set[str], dropped: set[str] = frozenset()) -> None:
    """Recompute the current state of ``algorithms`` from the store alone, after a write changed them.

    :param dropped: registrations the write removed: their version links in the state graphs go too.
    """
    graphs = [
        graph
        for graph in store.named_graphs()
        if isinstance(graph, NamedNode) and graph.value.startswith(CURRENT_STATE_GRAPH.value)
    ]
    registrations = set(dropped)
    for algorithm in algorithms:
        registrations.update(q.subject.value for q in store.quads_for_pattern(None, REGISTERS, NamedNode(algorithm)))
    stale: list[Quad] = []
    for graph in graphs:
        for algorithm in algorithms:
            stale.extend(store.quads_for_pattern(NamedNode(algorithm), None, None, graph))
        for registration in registrations:
            stale.extend(store.quads_for_pattern(NamedNode(registration), PREVIOUS, None, graph))
            stale.extend(store.quads_for_pattern(None, PREVIOUS, NamedNode(registration), graph))
    for quad in stale:
        store.remove(quad)
    versions = _ordered(_seen_in(store, _sources(store), algorithms))
    store.extend(
        [quad for key, ordered in versions.items() for quad in _state(key, ordered, _stored_facts(store, ordered))]
    )


def current_state_quads(store: Store, new: Sequence[SourceLoad]) -> Iterable[Quad]:
    """The current state of the algorithms the ``new`` sources register, to write together with them.

    Call it before the sources are written (``loader.store.commit``'s ``derive``): ``store`` holds the
    older sources. It removes the stale state of those algorithms from ``store`` now; the quads it
    returns come mostly from memory (a lazy iterator that does not read the store).
    """
    seen, statements = _from_memory(new)
    touched = {algorithm for _, algorithm, _ in seen}
    # Current state exists only for (algorithm, language) pairs with a version in a stored source, and
    # stored sources stay: so only pairs with a version in an older source can have stale state.
    stale_keys: set[Key] = set()
    for (registration, algorithm, language), time in _seen_in(store, _sources(store), touched).items():
        stale_keys.add((algorithm, language))
        key = (registration, algorithm, language)
        seen[key] = _later(seen[key], time) if key in seen else time
    versions = _ordered(seen)
    # Read all the store must tell, then change it; what is left to make comes from memory.
    stale = [quad for key in stale_keys for quad in _stale(store, key, versions[key])]
    for quad in stale:
        store.remove(quad)
    in_memory = [key for key, ordered in versions.items() if ordered[-1][1] in statements]
    from_store = [key for key, ordered in versions.items() if ordered[-1][1] not in statements]
    stored = [quad for key in from_store for quad in _state(key, versions[key], _stored_facts(store, versions[key]))]
    made = (quad for key in in_memory for quad in _state(key, versions[key], statements[versions[key][-1][1]]))
    return chain(stored, made)


# -- versions -------------------------------------------------------------------------------------


def _versions(store: Store) -> Versions:
    """(algorithm, language) -> [(last seen, registration)] over every source in the store."""
    return _ordered(
        {(row["reg"].value, row["alg"].value, row["lang"].value): row["seen"].value for row in store.query(SEEN)}
    )


def _ordered(seen: Seen) -> Versions:
    """(algorithm, language) -> [(last seen, registration)], oldest first (ties by IRI, deterministic)."""
    versions: Versions = defaultdict(list)
    for (registration, algorithm, language), time in seen.items():
        versions[(algorithm, language)].append((time, registration))
    # xsd:dateTime in UTC ISO form sorts as text.
    return {key: sorted(found) for key, found in versions.items()}


def _later(first: str, second: str) -> str:
    """The later of two xsd:dateTime values (as SPARQL's MAX compares them)."""
    try:
        return max(first, second, key=datetime.fromisoformat)
    except ValueError:
        return max(first, second)


def _time_of(load: SourceLoad) -> Literal | None:
    for quad in load.provenance:
        if quad.subject == load.graph and quad.predicate == GENERATED_AT and quad.graph_name == PROVENANCE_GRAPH:
            return quad.object  # type: ignore[return-value]
    return None


def _from_memory(loads: Sequence[SourceLoad]) -> tuple[Seen, dict[str, list[Quad]]]:
    """When each registration of the sources was seen, and its statements (the facts current state copies)."""
    seen: Seen = {}
    statements: dict[str, list[Quad]] = defaultdict(list)
    for load in loads:
        time = _time_of(load)
        if time is None:  # SEEN joins on it: a source without it is no version of anything
            continue
        registrations = load.registrations if load.registrations is not None else _index(load.quads)
        for registration in registrations:
            key = (registration.iri.value, registration.algorithm.value, registration.language)
            seen[key] = _later(seen[key], time.value) if key in seen else time.value
            statements[key[0]].extend(registration.statements)
    return seen, statements


def _index(quads: Iterable[Quad]) -> list[Registration]:
    """The registrations in quads the mapping did not index (RDF files): two passes, no per-subject lists."""
    quads = list(quads)
    registers: dict[str, list[NamedNode]] = defaultdict(list)
    languages: dict[str, list[str]] = defaultdict(list)
    nodes: dict[str, NamedNode] = {}
    for quad in quads:
        if quad.predicate == REGISTERS and isinstance(quad.object, NamedNode):
            registers[quad.subject.value].append(quad.object)
            nodes[quad.subject.value] = quad.subject  # type: ignore[assignment]
        elif quad.predicate == COPY_LANGUAGE:
            languages[quad.subject.value].append(quad.object.value)
    statements: dict[str, list[Quad]] = {iri: [] for iri in registers}
    for quad in quads:
        if (found := statements.get(quad.subject.value)) is not None:
            found.append(quad)
    return [
        Registration(nodes[iri], algorithm, language, statements[iri])
        for iri, algorithms in registers.items()
        for algorithm in algorithms
        for language in languages.get(iri) or [""]
    ]


def _sources(store: Store) -> dict[NamedNode, str]:
    """The sources in the store, with when they were loaded."""
    return {
        quad.subject: quad.object.value  # type: ignore[misc]
        for quad in store.quads_for_pattern(None, GENERATED_AT, None, PROVENANCE_GRAPH)
    }


def _seen_in(store: Store, sources: dict[NamedNode, str], algorithms: set[str]) -> Seen:
    """When each registration of ``algorithms`` in the older ``sources`` was last seen (as ``SEEN`` says)."""
    seen: Seen = {}
    for source, time in sources.items():
        registered = [
            (quad.subject.value, quad.object.value)
            for quad in store.quads_for_pattern(None, REGISTERS, None, source)
            if quad.object.value in algorithms
        ]
        languages: dict[str, list[str]] = defaultdict(list)
        for registration in {registration for registration, _ in registered}:
            for quad in store.quads_for_pattern(NamedNode(registration), COPY_LANGUAGE, None, source):
                languages[registration].append(quad.object.value)
        for registration, algorithm in registered:
            for language in languages.get(registration) or [""]:
                key = (registration, algorithm, language)
                seen[key] = _later(seen[key], time) if key in seen else time
    return seen


# -- the derived quads ----------------------------------------------------------------------------


def _stale(store: Store, key: Key, ordered: list[tuple[str, str]]) -> Iterable[Quad]:
    graph = current_state_graph(key[1])
    yield from list(store.quads_for_pattern(NamedNode(key[0]), None, None, graph))
    for _, registration in ordered:
        yield from list(store.quads_for_pattern(NamedNode(registration), PREVIOUS, None, graph))


def _stored_facts(store: Store, ordered: list[tuple[str, str]]) -> list[Quad]:
    return list(store.quads_for_pattern(NamedNode(ordered[-1][1]), None, None, None))


def _state(key: Key, ordered: list[tuple[str, str]], facts: Iterable[Quad]) -> Iterator[Quad]:
    algorithm, graph = NamedNode(key[0]), current_state_graph(key[1])
    for (_, older), (_, newer) in pairwise(ordered):
        yield Quad(NamedNode(newer), PREVIOUS, NamedNode(older), graph)
    yield Quad(algorithm, CURRENT, NamedNode(ordered[-1][1]), graph)
    # The same fact twice is one quad in the store: no need to deduplicate here.
    for quad in facts:
        if quad.predicate not in NOT_COPIED:
            yield Quad(algorithm, quad.predicate, quad.object, graph)
