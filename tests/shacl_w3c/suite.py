"""Read the W3C SHACL core manifests and run one test against the compiled validator.

A test is *claimed* when every shape with targets compiles (:func:`loader.shacl_sparql.compile_shapes` routes
none to pyshacl) and a pyoxigraph store holds the test's literals as written (it normalises some, oxigraph
issue 526: ``"4.0"^^xsd:decimal`` is stored as ``"4"``); a claimed test runs on the compiled SPARQL alone. The comparison is the suite's "full
compliance": the expected report (the ``mf:result`` node, its ``sh:result`` nodes and their path structures)
and the actual report must be isomorphic graphs once ``sh:resultMessage``/``sh:message`` triples are dropped.
Blank nodes (results, paths, blank source shapes, blank focus nodes) are matched by structure, as isomorphism
does; two equal results must appear as often on both sides.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import rdflib
from pyoxigraph import NamedNode, Quad, Store
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import SH
from rdflib.term import Node

from loader.shacl_sparql import compile_shapes, report_graph, store_from_graph, to_oxigraph, to_rdflib, validate_store

SUITE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "shacl"
CORE = SUITE / "core" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
_IGNORED = {SH.resultMessage, SH.message}


@dataclass(frozen=True)
class W3cTest:
    """One ``sht:Validate`` entry: where its graphs are and what report it expects."""

    name: str  # path below the suite root without ".ttl", e.g. "core/node/and-001"
    label: str
    manifest: Path
    entry: URIRef
    data: Path
    shapes: Path


@dataclass(frozen=True)
class Outcome:
    test: W3cTest
    claimed: bool
    reason: str  # why it is not claimed (the compiler's reasons), or why it failed
    passed: bool


def _local(uri: Node) -> Path:
    return Path(unquote(urlparse(str(uri)).path))


def core_tests() -> list[W3cTest]:
    """Every sht:Validate test reachable from core/manifest.ttl, in manifest order."""
    found: list[W3cTest] = []
    _collect(CORE, found, set())
    return found


def _collect(manifest: Path, found: list[W3cTest], seen: set[Path]) -> None:
    if manifest in seen:
        return
    seen.add(manifest)
    graph = _parse(manifest)
    for this in graph.subjects(RDF.type, MF.Manifest):
        for included in sorted(graph.objects(this, MF.include), key=str):
            _collect(_local(included), found, seen)
        for entries in graph.objects(this, MF.entries):
            for entry in Collection(graph, entries):
                if (entry, RDF.type, SHT.Validate) not in graph:
                    continue
                action = graph.value(entry, MF.action)
                name = _local(entry).relative_to(SUITE).as_posix()
                found.append(
                    W3cTest(
                        name=name,
                        label=str(graph.value(entry, RDFS.label) or ""),
                        manifest=manifest,
                        entry=entry,  # type: ignore[arg-type]
                        data=_local(graph.value(action, SHT.dataGraph)),  # type: ignore[arg-type]
                        shapes=_local(graph.value(action, SHT.shapesGraph)),  # type: ignore[arg-type]
                    )
                )


@cache
def _parse(path: Path) -> Graph:
    """One parse per file (when data, shapes and manifest are one file they share its blank nodes), literals
    as written: rdflib would otherwise turn the ill-formed ``"none"^^xsd:boolean`` into ``"false"``."""
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return Graph().parse(path, format="turtle", publicID=path.as_uri())
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def graphs(test: W3cTest) -> tuple[Graph, Graph, Graph]:
    """The manifest graph, the data graph and the shapes graph (the same object when the same file)."""
    return _parse(test.manifest), _parse(test.data), _parse(test.shapes)


def claim(test: W3cTest) -> str | None:
    """None when the compiler covers every shape with targets and pyoxigraph stores the data as written,
    else the reasons (shape: reason; ...)."""
    _, data, shapes = graphs(test)
    _, routed = compile_shapes(shapes)
    reasons = [f"{_short(shape, shapes)}: {reason}" for shape, reason in sorted(routed.items(), key=str)]
    changed = sorted(_stored_differently(data) | _stored_differently(shapes, _PARAMETERS), key=str)
    if changed:
        shown = ", ".join(f"{term.n3()} as {stored.n3()}" for term, stored in changed[:3])
        reasons.append(f"pyoxigraph normalises literals when it stores them (oxigraph issue 526): {shown}")
    return "; ".join(reasons) or None


# Shape parameters the compiler reads in Python: never stored or put in a query, so never normalised.
_PARAMETERS = {
    SH.uniqueLang, SH.closed, SH.deactivated, SH.qualifiedValueShapesDisjoint, SH.minCount, SH.maxCount,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.minLength, SH.maxLength,
}  # fmt: skip


def _stored_differently(graph: Graph, skip: set[URIRef] = set()) -> set[tuple[Literal, Literal]]:  # noqa: B006
    """Literals of the graph that a pyoxigraph store gives back changed (canonical form, xsd:integer)."""
    literals = {o for p, o in graph.predicate_objects() if isinstance(o, Literal) and p not in skip}
    store = Store()
    subject, predicate = NamedNode("urn:s"), NamedNode("urn:p")
    changed = set()
    for literal in literals:
        store.clear()
        store.add(Quad(subject, predicate, to_oxigraph(literal)))  # type: ignore[arg-type]
        stored = to_rdflib(next(iter(store)).object)
        if stored != _plain(literal):
            changed.add((literal, stored))
    return changed  # type: ignore[return-value]


def _plain(literal: Literal) -> Literal:
    return Literal(str(literal)) if literal.datatype == XSD.string else literal


def _short(node: Node, graph: Graph) -> str:
    if isinstance(node, BNode):
        return "a blank node shape"
    return node.n3(graph.namespace_manager)


def expected_report(test: W3cTest) -> Graph:
    """The mf:result node, its sh:result nodes and their sh:resultPath structures, without messages."""
    manifest, _, _ = graphs(test)
    report = manifest.value(test.entry, MF.result)
    expected = Graph()
    for predicate, obj in manifest.predicate_objects(report):
        expected.add((report, predicate, obj))  # type: ignore[arg-type]
    for result in manifest.objects(report, SH.result):
        for predicate, obj in manifest.predicate_objects(result):
            expected.add((result, predicate, obj))  # type: ignore[arg-type]
            if predicate == SH.resultPath:
                _copy_tree(manifest, obj, expected)
    return _without_messages(expected)


def _copy_tree(source: Graph, node: Node, target: Graph) -> None:
    if isinstance(node, BNode):
        for predicate, obj in source.predicate_objects(node):
            target.add((node, predicate, obj))
            _copy_tree(source, obj, target)


def _without_messages(graph: Graph) -> Graph:
    for predicate in _IGNORED:
        graph.remove((None, predicate, None))
    return graph


def actual_report(test: W3cTest) -> Graph:
    """The compiled validator's report on a fresh pyoxigraph store holding the data graph."""
    _, data, shapes = graphs(test)
    report = validate_store(store_from_graph(data), shapes)
    assert not report.routed, report.routed  # a claimed test runs on compiled SPARQL alone
    return _without_messages(report_graph(report, shapes))


def conforms(report: Graph) -> bool | None:
    value = next(report.objects(None, SH.conforms), None)
    return value.toPython() if isinstance(value, Literal) else None  # type: ignore[no-any-return]


def difference(expected: Graph, actual: Graph) -> str:
    """A readable account of what differs (empty when the reports are isomorphic)."""
    if isomorphic(expected, actual):
        return ""
    lines = [f"conforms: expected {conforms(expected)}, got {conforms(actual)}"]
    want, got = _results(expected), _results(actual)
    lines += [f"  missing: {r}" for r in sorted(want - got)] + [f"  extra:   {r}" for r in sorted(got - want)]
    if want == got:
        lines.append("  same results by value, but blank nodes or counts differ")
    return "\n".join(lines)


def _results(report: Graph) -> set[str]:
    """Each result as text with blank nodes blurred: only for the failure message."""
    found = set()
    for result in report.objects(None, SH.result):
        parts = []
        for predicate, obj in sorted(report.predicate_objects(result)):
            if predicate == RDF.type:
                continue
            shown = "[]" if isinstance(obj, BNode) else obj.n3(report.namespace_manager)
            parts.append(f"{predicate.n3(report.namespace_manager)} {shown}")
        found.add("; ".join(parts))
    return found


@cache
def run(test: W3cTest) -> Outcome:
    """Claim and, when claimed, validate and compare (once per process: the test and the doc share it)."""
    reason = claim(test)
    if reason is not None:
        return Outcome(test, claimed=False, reason=reason, passed=False)
    different = difference(expected_report(test), actual_report(test))
    return Outcome(test, claimed=True, reason=different, passed=not different)


def all_outcomes() -> Iterator[Outcome]:
    for test in core_tests():
        yield run(test)
