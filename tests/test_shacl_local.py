"""One record checked on a copy of what the checks read (loader.shacl_local) gives the store's results.

A generated register is loaded into a store on disk; some records are then damaged, several of them in ways
that reach other records (a shared organisation, a statutory basis pointing at another record's node, a
registration of two algorithms). Every registration's neighbourhood is validated both ways, with the default
profiles and with all profiles (some of whose checks stay on the store), and the reports must be equal.
"""

import itertools
import random
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from benchmarks.generate import generate
from loader.shacl_local import reach
from loader.validation import DEFAULT_PROFILES, _local_plan, validate_store
from loader.writes import NOT_RECORDS, record_focus_nodes
from shapes import PROFILES

AKG = "https://w3id.org/algokg/def#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
REGISTERS = NamedNode(f"{AKG}registers")


@pytest.fixture(scope="module")
def damaged_store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from loader.pipeline import load_paths
    from loader.reference import reference_data
    from loader.store import current_path

    work: Path = tmp_path_factory.mktemp("local")
    export = work / "register.csv"
    generate(80, export)
    load_paths(work / "store", [export], reference=reference_data(), run_validation=False)
    store = Store(str(current_path(work / "store")))  # read-write: the damage below goes in
    quads = list(store.quads_for_pattern(None, REGISTERS, None, None))
    rng = random.Random(7)
    damaged = []
    for quad in rng.sample(quads, 12):
        registration, algorithm, graph = quad.subject, quad.object, quad.graph_name
        other = rng.choice(quads)
        tag = registration.value.rsplit("/", 1)[-1]
        bad_tooi = NamedNode(f"https://identifier.overheid.nl/tooi/id/{tag}")
        third = rng.choice([q for q in quads if q.object != other.object])
        chain = [algorithm, *(NamedNode(f"https://example.org/link/{tag}/{i}") for i in range(4))]
        status, scheme = NamedNode(f"https://example.org/status/{tag}"), NamedNode(f"https://example.org/scheme/{tag}")
        damaged += [
            Quad(algorithm, NamedNode(f"{AKG}algorithmId"), Literal("12x"), graph),
            Quad(algorithm, NamedNode(f"{AKG}status"), NamedNode("https://example.org/no-status"), graph),
            Quad(registration, REGISTERS, other.object, graph),  # a second algorithm: another record's
            Quad(algorithm, NamedNode(f"{AKG}legalResource"), other.object, graph),  # not a law: a record
            Quad(algorithm, NamedNode(f"{AKG}organisation"), NamedNode("http://identifier.overheid.nl/tooi/x"), graph),
            # Targeted only through another record: this record reaches the node by a predicate no shape targets.
            Quad(algorithm, NamedNode("http://example.org/seeAlso"), bad_tooi, graph),
            Quad(third.object, NamedNode(f"{AKG}organisation"), bad_tooi, third.graph_name),
            # A chain to the neighbourhood's edge, its last node with a status of a scheme the record declares:
            # the check reads two steps past that focus node.
            *[Quad(a, NamedNode("http://example.org/next"), b, graph) for a, b in itertools.pairwise(chain)],
            Quad(chain[-1], NamedNode(f"{AKG}status"), status, graph),
            Quad(status, NamedNode(f"{SKOS}inScheme"), scheme, graph),
            Quad(scheme, NamedNode(f"{RDF}type"), NamedNode(f"{AKG}StatusScheme"), graph),
            # Past the edge, a node shapes target (another record's algorithm): the copy holds only what the
            # edge node's checks read of it (its type), so the checks find it incomplete there; not a focus node.
            Quad(chain[-1], NamedNode(f"{AKG}legalResource"), third.object, graph),
        ]
    store.extend(damaged)
    return store, sorted({q.subject for q in damaged if q.predicate == REGISTERS}, key=lambda n: n.value)


def _registrations(store):  # type: ignore[no-untyped-def]
    return sorted({q.subject for q in store.quads_for_pattern(None, REGISTERS, None, None)}, key=lambda n: n.value)


@pytest.mark.parametrize("profiles", [DEFAULT_PROFILES, tuple(PROFILES)], ids=["default", "all"])
def test_copy_equals_store(damaged_store, profiles: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    store, damaged = damaged_store
    violations = 0
    # The damaged records and as many others (each validated twice: all of them would take half a minute).
    others = [r for r in _registrations(store) if r not in damaged]
    for registration in [*damaged, *random.Random(3).sample(others, 12)]:
        read: dict = {}  # type: ignore[type-arg]
        nodes = record_focus_nodes(store, {registration}, read)
        args = {"profiles": profiles, "focus_nodes": nodes, "background": NOT_RECORDS, "within": nodes}
        copied = validate_store(store, **args, known=read)  # as the write gate: the nodes' triples handed on
        in_place = validate_store(store, **args, local=False)
        assert copied == in_place, registration
        violations += len(copied.results)
    assert violations > 20  # the damage is seen: equal reports of nothing would prove nothing


def test_checks_that_read_beyond_the_record_stay_on_the_store() -> None:
    this = "SELECT ?this WHERE { ?this <http://x/p> ?o "
    assert reach(this + "}").depth == 0  # type: ignore[union-attr]
    assert reach(this + ". ?o <http://x/q> ?z . ?z a ?c }").depth == 2  # type: ignore[union-attr]
    assert reach("SELECT ?this WHERE { ?this ^<http://x/p> ?o }") is None  # inverse: other records
    assert reach(this + ". ?other <http://x/p> ?o . FILTER (?other != ?this) }") is None  # uniqueness
    assert reach("SELECT ?this WHERE { GRAPH ?g { ?this <http://x/p> ?o } }") is None
    assert reach("SELECT ?this WHERE { ?this <http://x/p>+ ?o }") is None  # unbounded
    assert reach("SELECT ?this WHERE { [] <http://x/p> ?this }").witnesses  # type: ignore[union-attr]
    local, on_store, _ = _local_plan(tuple(PROFILES))
    assert local and {str(check.shape).rsplit("#")[-1] for check in on_store} <= {
        "B1ProviderName", "B5IntendedPurpose", "C1DeployerName"
    }  # fmt: skip


def test_checks_split_between_copy_and_store(damaged_store, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Checks kept on the store (a uniqueness constraint would be one) add their results to the copy's."""
    import loader.validation

    store, damaged = damaged_store
    local, _, needs = loader.validation._local_plan(DEFAULT_PROFILES)
    split = (local[::2], local[1::2], needs)  # every other check on the store
    monkeypatch.setattr(loader.validation, "_local_plan", lambda profiles: split)
    for registration in damaged[:6]:
        nodes = record_focus_nodes(store, {registration})
        args = {"focus_nodes": nodes, "background": NOT_RECORDS, "within": nodes}
        assert validate_store(store, **args) == validate_store(store, **args, local=False)
