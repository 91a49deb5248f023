"""Each SHACL constraint against its hand-written passing and failing cases (pyshacl)."""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from shapes import PROFILES, profile_file

T = Namespace("https://w3id.org/algokg/test#")
CASES = Path(__file__).parent / "shapes" / "cases"
MIN_CASES = 260  # raised as the suite grows, so a stray filter cannot shrink it unnoticed


@dataclass(frozen=True)
class ShapeCase:
    path: Path
    profile: str
    shape: URIRef
    expect: str
    focus: URIRef | None
    message: str | None
    data: Graph


def _read_case(path: Path) -> ShapeCase:
    graph = Graph().parse(path, format="turtle")
    meta = T.case
    shape = graph.value(meta, T.shape)
    expect = str(graph.value(meta, T.expect))
    assert isinstance(shape, URIRef), f"{path}: t:case needs t:shape <IRI>"
    assert expect in {"pass", "fail"}, f"{path}: t:expect must be 'pass' or 'fail'"
    focus = graph.value(meta, T.focusNode)
    message = graph.value(meta, T.message)
    for triple in list(graph.triples((meta, None, None))):
        graph.remove(triple)
    return ShapeCase(
        path=path,
        profile=path.parent.name,
        shape=shape,
        expect=expect,
        focus=focus if isinstance(focus, URIRef) else None,
        message=str(message) if message is not None else None,
        data=graph,
    )


def _all_cases() -> list[ShapeCase]:
    return [_read_case(p) for p in sorted(CASES.glob("*/*.ttl"))]


ALL_CASES = _all_cases()


def _shapes_graph(profile: str) -> Graph:
    return Graph().parse(profile_file(profile), format="turtle")


def _constraint_shapes(shapes: Graph) -> set[URIRef]:
    return {s for s in shapes.subjects(SH.message, None) if isinstance(s, URIRef)}


def test_case_suite_is_not_empty() -> None:
    assert len(ALL_CASES) >= MIN_CASES


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: f"{c.profile}/{c.path.stem}")
def test_shape_case(case: ShapeCase, model_graph: Graph) -> None:
    data = Graph()
    data += model_graph
    data += case.data
    _, report, _ = validate(data, shacl_graph=_shapes_graph(case.profile), inference="none", allow_warnings=True)
    results = [
        r for r in report.subjects(RDF.type, SH.ValidationResult) if report.value(r, SH.sourceShape) == case.shape
    ]
    if case.expect == "pass":
        found = [(report.value(r, SH.focusNode), report.value(r, SH.resultMessage)) for r in results]
        assert not results, f"{case.path.name}: expected no result of {case.shape}, got {found}"
        return
    on_focus = [r for r in results if case.focus is None or report.value(r, SH.focusNode) == case.focus]
    assert on_focus, (
        f"{case.path.name}: expected a result of {case.shape} on {case.focus}; report:\n{report.serialize(format='turtle')}"
    )
    messages = {str(m) for r in on_focus for m in report.objects(r, SH.resultMessage)}
    assert case.message is not None, f"{case.path.name}: a fail case must assert t:message"
    assert any(case.message in m for m in messages), (
        f"{case.path.name}: no message contains {case.message!r}: {messages}"
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_every_constraint_has_pass_and_fail_cases(profile: str) -> None:
    shapes = _shapes_graph(profile)
    covered: dict[URIRef, set[str]] = defaultdict(set)
    for case in ALL_CASES:
        if case.profile == profile:
            covered[case.shape].add(case.expect)
    missing = sorted(
        f"{s} lacks {', '.join(sorted({'pass', 'fail'} - covered[s]))}"
        for s in _constraint_shapes(shapes)
        if covered[s] != {"pass", "fail"}
    )
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_constraint_speaks_dutch_and_english(profile: str) -> None:
    shapes = _shapes_graph(profile)
    lacking = []
    for shape in _constraint_shapes(shapes):
        languages = {m.language for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)}
        if not {"nl", "en"} <= languages:
            lacking.append(f"{shape}: messages in {sorted(filter(None, languages))}")
    assert not lacking, "\n".join(sorted(lacking))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_case_names_a_shape_of_its_profile(profile: str) -> None:
    shapes = _constraint_shapes(_shapes_graph(profile))
    strays = [f"{c.path.name}: {c.shape}" for c in ALL_CASES if c.profile == profile and c.shape not in shapes]
    assert not strays, "\n".join(strays)
