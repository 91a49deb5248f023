"""The compiled SHACL validator gives pyshacl's results: same conformance, same set of results.

A result is compared on (focus node, path, constraint component, value, severity, source shape). Cases:
(a) every case of ``tests/shapes/cases`` against its profile, (b) the 120-record CSV sample as the loader maps
it, against the default and all profiles, on an on-disk pyoxigraph store.
"""

from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import Quad
from rdflib import Graph, Namespace

from loader.shacl_sparql import (
    ShaclResult,
    compile_shapes,
    pyshacl_results,
    store_from_graph,
    supported,
    validate_quads,
    validate_store,
)
from loader.validation import DEFAULT_PROFILES, model_graph, shapes_graph
from shapes import PROFILES

CASES = Path(__file__).parent / "shapes" / "cases"
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "register_export_v1.0_ENG_sample.csv"
T = Namespace("https://w3id.org/algokg/test#")


def _keys(results: list[ShaclResult]) -> set[tuple[str, str | None, str, str | None, str, str]]:
    return {result.key() for result in results}


def _assert_equal(data: Graph, shapes: Graph, store_path: str | None = None) -> tuple[int, dict[str, str]]:
    expected = pyshacl_results(data, shapes)
    report = validate_store(store_from_graph(data, store_path), shapes, data=data)
    got, want = _keys(report.results), _keys(expected)
    assert got == want, f"only compiled: {sorted(got - want)}\nonly pyshacl: {sorted(want - got)}"
    violation = "http://www.w3.org/ns/shacl#Violation"
    assert report.conforms == (not any(r.severity == violation for r in expected))
    return len(want), report.routed


def _case(path: Path) -> Graph:
    graph = Graph().parse(path, format="turtle")
    graph.remove((T.case, None, None))
    data = Graph()
    data += model_graph()
    data += graph
    return data


@pytest.mark.parametrize("path", sorted(CASES.glob("*/*.ttl")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shape_case_equals_pyshacl(path: Path) -> None:
    _assert_equal(_case(path), shapes_graph((path.parent.name,)))


def test_compiled_finds_violations_without_pyshacl() -> None:
    """The compiled path alone (no fallback) finds the failing case's result: not an empty comparison."""
    path = CASES / "integrity" / "AlgorithmIdPattern.fail.ttl"
    data = _case(path)
    report = validate_store(store_from_graph(data), shapes_graph(("integrity",)))
    assert any(str(r.shape).endswith("#AlgorithmIdPattern") for r in report.results)
    assert not report.conforms


def test_routing_lists_reasons() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:Int a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; sh:datatype xsd:int ] .
        ex:Fine a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        """,
        format="turtle",
    )
    checks, routed = compile_shapes(shapes)
    assert [str(s) for s in routed] == ["https://example.org/Int"]
    assert "xsd:integer family" in next(iter(routed.values()))
    assert supported(shapes, next(iter(routed))) != True  # noqa: E712 - a reason string, not False
    assert len(checks) == 1


def test_every_profile_is_mostly_compiled() -> None:
    """What goes to pyshacl, per profile; fails when a shape that compiled today stops compiling."""
    routed = {profile: compile_shapes(shapes_graph((profile,)))[1] for profile in PROFILES}
    assert sum(len(r) for r in routed.values()) <= 2, routed


@pytest.fixture(scope="module")
def sample_quads() -> list[Quad]:
    if not SAMPLE.exists():
        pytest.skip(f"the shared CSV sample is absent ({SAMPLE})")
    from loader.pipeline import prepare
    from loader.reference import reference_data

    source, _ = prepare(SAMPLE, reference=reference_data(), run_validation=False)
    return source.quads


@pytest.fixture(scope="module")
def sample_data(sample_quads: list[Quad]) -> Graph:
    from loader.pipeline import _as_rdflib

    data = Graph()
    data += model_graph()
    data += _as_rdflib(sample_quads)
    return data


def _without_blank_nodes(results: list[ShaclResult]) -> Counter[tuple[object, ...]]:
    """Keys with blank nodes masked: the two graphs name them differently."""
    return Counter(tuple("_:" if str(part).startswith("_:") else part for part in r.key()) for r in results)


def test_validate_quads_equals_pyshacl(sample_quads: list[Quad], sample_data: Graph) -> None:
    report = validate_quads(sample_quads)
    expected = pyshacl_results(sample_data, shapes_graph(DEFAULT_PROFILES))
    assert _without_blank_nodes(report.results) == _without_blank_nodes(expected)


@pytest.mark.parametrize("profiles", [DEFAULT_PROFILES, PROFILES], ids=["default", "all"])
def test_sample_equals_pyshacl(sample_data: Graph, profiles: tuple[str, ...], tmp_path: Path) -> None:
    count, _ = _assert_equal(sample_data, shapes_graph(profiles), str(tmp_path / "store"))
    assert count > 0, "the sample should give some results (warnings at least)"


def test_focus_nodes_restrict_the_check(sample_data: Graph) -> None:
    shapes = shapes_graph(DEFAULT_PROFILES)
    store = store_from_graph(sample_data)
    everything = validate_store(store, shapes).results
    focus = Counter(str(r.focus) for r in everything).most_common(1)[0][0]
    one = validate_store(store, shapes, focus_nodes=[everything[0].focus]).results
    assert one and {str(r.focus) for r in one} == {str(everything[0].focus)}
    assert focus
