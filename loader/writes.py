"""Writes from outside a load (SPARQL Update, Graph Store Protocol): a new generation, behind the SHACL gate.

A write runs on a copy of the current generation (`loader.store.commit_change`: a checkpoint, under the
store's lock). What it changed is the difference of the graphs it may touch (its `scope`) before and after.
The records around every changed subject (the registrations that reach it within a few links, and what they
reach) are validated with the loader's profiles after the write and, only when that finds violations, before
it. Validation runs in place on the store (the shapes compiled to SPARQL, restricted to those records as focus
nodes), so its cost follows the size of a record, not of the store. A write that adds a `sh:Violation` is
refused with those results and its generation is removed, so
`current` and its data stay as they were. An accepted write gets a PROV-O activity in the provenance graph
(who: the token holder; when; what operation; which graphs) and becomes the current generation.

Protected graphs are written only by `algokg load`: the model (ontology, concept schemes, reference law), the
provenance graph, the validation results and the derived current state. A write whose scope names one is
refused before anything is copied; a write of unknown scope (None) is refused when what it changed includes one.
Nothing a write removes is lost: the generation before a write that removed quads is kept
(`loader.store.keep_generation`), so later writes and loads do not prune it; `loader.history` reads the
registrations of the current generation, and the kept generations hold every state a write replaced.
"""

import gc
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store

from loader.current_state import GENERATED_AT, REGISTERS, refresh_current_state_of
from loader.errors import AlgokgError, StoreError
from loader.graphs import GRAPH_BASE
from loader.mapping import terms as t
from loader.provenance import tool_agent
from loader.sourceload import PROVENANCE_GRAPH
from loader.store import commit_change, keep_generation
from loader.validation import DEFAULT_PROFILES, ValidationReport, uses_pyshacl, validate_store

GraphName = NamedNode | DefaultGraph
# The graphs a write may change; None: any graph (CLEAR ALL, a template with GRAPH ?g).
Scope = Collection[GraphName] | None

TOKEN_HOLDER = NamedNode("https://w3id.org/algokg/id/agent/write-token-holder")
_WRITE_BASE = "https://w3id.org/algokg/id/write/"
# Not record data: the model is validation's background (from the model files), results and provenance are ours.
NOT_RECORDS = (f"{GRAPH_BASE}model/", f"{GRAPH_BASE}validation/", PROVENANCE_GRAPH.value)
# Graphs only `algokg load` writes, by name prefix (a name ending in "/") or full name, and what they hold.
PROTECTED = (
    (f"{GRAPH_BASE}model/", "the model (ontology, concept schemes, reference law)"),
    (PROVENANCE_GRAPH.value, "the provenance of loads and writes"),
    (f"{GRAPH_BASE}validation/", "the validation results of loaded sources"),
    (f"{GRAPH_BASE}derived/", "derived data (the current state, recomputed from the registrations)"),
)
_HOPS = 3  # focus -> statutory basis -> algorithm -> registration, as loader.validation walks back
_FAN_IN = 50  # a node more records point at (a concept, an organisation) is shared, not part of one record


class WriteFailed(AlgokgError):
    """The operation itself could not be applied (e.g. DROP of a graph that does not exist)."""


class WriteRefused(AlgokgError):
    """The write would add SHACL violations; `report` holds them (located, grouped like a load's report)."""

    def __init__(self, report: ValidationReport) -> None:
        count = report.count("Violation")
        super().__init__(f"the write would add {count} SHACL violation{'s' * (count != 1)}; nothing was written")
        self.report = report


class WriteForbidden(AlgokgError):
    """The write would change protected graphs (`PROTECTED`); `graphs` names them."""

    def __init__(self, graphs: Iterable[str], operation: str | None = None) -> None:
        self.graphs = tuple(sorted(graphs))
        kinds: dict[str, list[str]] = {}
        for graph in self.graphs:
            kinds.setdefault(protection(graph) or "?", []).append(f"<{graph}>")
        named = "; ".join(
            f"{kind}: {', '.join(names[:3])}{f' and {len(names) - 3} more' if len(names) > 3 else ''}"
            for kind, names in kinds.items()
        )
        count = f"{len(self.graphs)} protected graphs" if len(self.graphs) != 1 else "a protected graph"
        super().__init__(
            f"{operation or 'the write'} would change {count} ({named}); only `algokg load` writes them; "
            "nothing was written"
        )


class WriteTimedOut(AlgokgError):
    """The write did not finish before its deadline; its generation was dropped."""


@dataclass(frozen=True)
class WriteResult:
    """What a write did.

    :param generation: the new current generation; None when the write changed nothing (no generation made).
    :param added: quads added.
    :param removed: quads removed.
    :param graphs: the graphs changed (IRIs; "" for the default graph), sorted.
    :param created: the graphs that did not exist before the write.
    :param activity: IRI of the write's PROV-O activity.
    """

    generation: Path | None
    added: int = 0
    removed: int = 0
    graphs: tuple[str, ...] = ()
    created: tuple[str, ...] = ()
    activity: str | None = None


@dataclass
class _Outcome:
    result: WriteResult = field(default_factory=lambda: WriteResult(None))
    refused: ValidationReport | None = None


def write(
    store_dir: Path,
    apply: Callable[[Store], None],
    *,
    operation: str,
    scope: Scope = None,
    profiles: Iterable[str] = DEFAULT_PROFILES,
    lock_timeout: float = 0.0,
    deadline: float | None = None,
) -> WriteResult:
    """Apply `apply(store)` to a copy of the current generation and make it current if it passes the SHACL gate.

    :param apply: changes the store (a SPARQL update, a graph replaced); it must only touch graphs in `scope`.
    :param operation: what the write is, for its provenance ("SPARQL Update", "Graph Store PUT <g>").
    :param scope: the graphs `apply` may change (None: any); only they are compared before and after.
    :param lock_timeout: seconds to wait for another writer.
    :param deadline: `time.monotonic()` after which the write is dropped instead of swapped in.
    :raises WriteForbidden: the write would change a protected graph (nothing written).
    :raises WriteTimedOut: the deadline passed before the swap (nothing written).
    :raises WriteFailed: `apply` failed (nothing written).
    :raises WriteRefused: the write would add violations (nothing written).
    :raises StoreBusy: another writer held the lock for `lock_timeout` seconds.
    :raises StoreError: the store could not be written.
    """
    outcome = _Outcome()
    chosen = tuple(profiles)
    if scope is not None and (forbidden := [_name(g) for g in scope if protection(g)]):
        raise WriteForbidden(forbidden, operation)

    def change(store: Store, current: Path) -> bool:
        started = datetime.now(UTC)
        graphs_before = _graph_names(store, scope)
        before = _quads(store, scope)
        try:
            apply(store)
        except (SyntaxError, RuntimeError, ValueError) as error:
            raise WriteFailed(f"{operation} could not be applied: {error}") from error
        after = _quads(store, scope)
        added, removed = after - before, before - after
        graphs_after = _graph_names(store, scope)
        created = graphs_after - graphs_before
        changed = {_name(q.graph_name) for q in added | removed} | {_name(g) for g in graphs_before ^ graphs_after}
        if scope is None and (forbidden := [name for name in changed if protection(name)]):
            raise WriteForbidden(forbidden, operation)
        if not changed:
            return False
        report = _gate(store, current, added | removed, chosen)
        if report.results:
            outcome.refused = report
            return False
        activity = NamedNode(f"{_WRITE_BASE}{started:%Y%m%dT%H%M%S%f}-{uuid4().hex[:8]}")
        touched = sorted(name for name in changed if name)
        # A graph the write created is a source of its own (loaded now): its registrations are versions.
        created_at = t.typed(datetime.now(UTC).isoformat(), "dateTime")
        store.extend(
            Quad(graph, GENERATED_AT, created_at, PROVENANCE_GRAPH) for graph in created if isinstance(graph, NamedNode)
        )
        _refresh_current_state(store, added, removed)
        store.extend(provenance_quads(activity, operation, touched, started, len(added), len(removed)))
        outcome.result = WriteResult(
            None, len(added), len(removed), tuple(sorted(changed)), tuple(sorted(_name(g) for g in created)),
            activity.value,
        )  # fmt: skip
        if deadline is not None and time.monotonic() > deadline:
            raise WriteTimedOut(f"{operation} did not finish before its deadline; nothing was written")
        if removed:  # the generation before holds the only copy of what this write removes
            keep_generation(store_dir, current, f"{operation}\nremoved {len(removed)} quads; {activity.value}")
        return True

    try:
        generation = commit_change(store_dir, change, what=operation, lock_timeout=lock_timeout)
    except StoreError as error:
        if isinstance(error.__cause__, WriteFailed | WriteForbidden | WriteTimedOut):
            raise error.__cause__ from None
        raise
    if outcome.refused is not None:
        raise WriteRefused(outcome.refused)
    if generation is None:
        return outcome.result
    result = outcome.result
    return WriteResult(generation, result.added, result.removed, result.graphs, result.created, result.activity)


# -- what changed ----------------------------------------------------------------------------------------------


def protection(graph: GraphName | str) -> str | None:
    """What a protected graph holds (`PROTECTED`); None for a graph writes may change."""
    name = graph if isinstance(graph, str) else _name(graph)
    for prefix, what in PROTECTED:
        if name == prefix or (prefix.endswith("/") and name.startswith(prefix)):
            return what
    return None


def _name(graph: GraphName | NamedNode | BlankNode) -> str:
    return "" if isinstance(graph, DefaultGraph) else graph.value


def _graph_names(store: Store, scope: Scope) -> set[GraphName]:
    if scope is None:
        return set(store.named_graphs())
    return {g for g in scope if isinstance(g, NamedNode) and store.contains_named_graph(g)}


def _quads(store: Store, scope: Scope) -> set[Quad]:
    if scope is None:
        return set(store)
    return {quad for graph in scope for quad in store.quads_for_pattern(None, None, None, graph)}


# -- the SHACL gate --------------------------------------------------------------------------------------------


def _refresh_current_state(store: Store, added: set[Quad], removed: set[Quad]) -> None:
    """Recompute the current state of every algorithm whose registrations the write changed."""
    changed = added | removed
    algorithms = {q.object.value for q in changed if q.predicate == REGISTERS and isinstance(q.object, NamedNode)}
    for subject in {q.subject for q in changed if isinstance(q.subject, NamedNode)}:
        algorithms.update(q.object.value for q in store.quads_for_pattern(subject, REGISTERS, None))
    if algorithms:
        dropped = {q.subject.value for q in removed if q.predicate == REGISTERS}
        refresh_current_state_of(store, algorithms, dropped)


def _gate(after: Store, before_dir: Path, changed: set[Quad], profiles: tuple[str, ...]) -> ValidationReport:
    """The violations the change adds to the records around the subjects it changed.

    The shapes (and, with pyshacl, the model) come from this algokg's files, not from the store, so a change to
    the model graphs would go unnoticed here: writes cannot make one (`PROTECTED`), and a load writes the model
    graphs afresh from the same files.
    """
    seeds = {q.subject for q in changed if not _name(q.graph_name).startswith(NOT_RECORDS)}
    if not seeds or not profiles:
        return ValidationReport(conforms=True, profiles=profiles)
    before = Store.read_only(str(before_dir))
    try:
        # Roots from both states: a record the change detached is judged before and after alike.
        roots = _records_around(after, seeds) | _records_around(before, seeds)
        read: dict[NamedNode | BlankNode, list[Quad]] = {}  # the nodes' triples in `after`: not read twice
        nodes = neighbourhood(after, roots, read)
        # A literal is a focus node only as the object of a triple (sh:targetObjectsOf): only an added one is new.
        literals = {q.object for q in changed if isinstance(q.object, Literal) and q.subject in seeds}
        focus = [*nodes, *literals]
        # The same focus nodes before and after: a violation on them that was there before is not the write's.
        found = validate_store(
            after, profiles=profiles, focus_nodes=focus, background=NOT_RECORDS, within=nodes, known=read
        )
        violations = [item for item in found.results if item.severity == "Violation"]
        if not violations:
            return ValidationReport(conforms=True, profiles=profiles)
        earlier = validate_store(before, profiles=profiles, focus_nodes=focus, background=NOT_RECORDS, within=nodes)
        known = {item.key for item in earlier.results}
    finally:
        del before
        if uses_pyshacl(profiles):
            # pyshacl (for shapes the compiler leaves to it) leaves a reference cycle through its frames that
            # reaches ours and the new store: collect it, or the store is still open when the generation is
            # closed (and the commit fails).
            gc.collect()
    added = [item for item in violations if item.key not in known]
    return ValidationReport(conforms=not added, results=added, profiles=profiles)


def _record_quads(store: Store, subject: object = None, obj: object = None) -> Iterator[Quad]:
    for quad in store.quads_for_pattern(subject, None, obj, None):  # type: ignore[arg-type]
        if not _name(quad.graph_name).startswith(NOT_RECORDS):
            yield quad


def _records_around(store: Store, seeds: Set[NamedNode | BlankNode]) -> set[NamedNode | BlankNode]:
    """The seeds and the nodes that reach them within a few links (their registrations and algorithms)."""
    roots, frontier = set(seeds), set(seeds)
    for _ in range(_HOPS):
        found: set[NamedNode | BlankNode] = set()
        for node in frontier:
            subjects = set()
            for quad in _record_quads(store, obj=node):
                subjects.add(quad.subject)
                if len(subjects) > _FAN_IN:
                    break
            if len(subjects) <= _FAN_IN:
                found |= subjects - roots
        roots |= found
        frontier = found
    return roots


def neighbourhood(
    store: Store, roots: Set[NamedNode | BlankNode], read: dict[NamedNode | BlankNode, list[Quad]] | None = None
) -> set[NamedNode | BlankNode]:
    """The roots and the nodes they reach within a few links through record data: the focus nodes to check.

    :param read: filled with every triple (every graph) of each node scanned, for validation not to read them
        again (``loader.validation.validate_store(known=...)``).
    """
    seen, frontier = set(roots), set(roots)
    for _ in range(_HOPS + 1):
        found: set[NamedNode | BlankNode] = set()
        for node in frontier:
            quads = list(store.quads_for_pattern(node, None, None, None))
            if read is not None:
                read[node] = quads
            for quad in quads:
                if _name(quad.graph_name).startswith(NOT_RECORDS):
                    continue
                if isinstance(quad.object, NamedNode | BlankNode) and quad.object not in seen:
                    seen.add(quad.object)
                    found.add(quad.object)
        frontier = found
    return seen


def record_focus_nodes(
    store: Store, subjects: Set[NamedNode | BlankNode], read: dict[NamedNode | BlankNode, list[Quad]] | None = None
) -> set[NamedNode | BlankNode]:
    """What the gate checks after a write that changed ``subjects`` (one state): for benchmarks and tests."""
    return neighbourhood(store, _records_around(store, subjects), read)


# -- provenance ------------------------------------------------------------------------------------------------


def provenance_quads(
    activity: NamedNode, operation: str, graphs: list[str], started: datetime, added: int, removed: int
) -> list[Quad]:
    """The write as a prov:Activity of the token holder with this algokg, and the graphs it influenced."""
    ended = datetime.now(UTC)
    agent = tool_agent()
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (activity, t.RDF_TYPE, t.prov("Activity")),
        (activity, t.RDFS_LABEL, Literal(operation)),
        (activity, t.dct("description"), Literal(f"{added} triples added, {removed} removed", language="en")),
        (activity, t.prov("startedAtTime"), t.typed(started.isoformat(), "dateTime")),
        (activity, t.prov("endedAtTime"), t.typed(ended.isoformat(), "dateTime")),
        (activity, t.prov("wasAssociatedWith"), TOKEN_HOLDER),
        (activity, t.prov("wasAssociatedWith"), agent),
        (TOKEN_HOLDER, t.RDF_TYPE, t.prov("Agent")),
        (TOKEN_HOLDER, t.RDFS_LABEL, Literal("token holder", language="en")),
        (TOKEN_HOLDER, t.RDFS_LABEL, Literal("houder van het schrijftoken", language="nl")),
        (agent, t.RDF_TYPE, t.prov("SoftwareAgent")),
    ]
    triples += [(NamedNode(graph), t.prov("wasInfluencedBy"), activity) for graph in graphs]
    return [Quad(s, p, o, PROVENANCE_GRAPH) for s, p, o in triples]
