"""Both SHACL engines give the same located report: every field of every result, in the same order.

``sparql`` (the shapes compiled to SPARQL on pyoxigraph, the default) against ``pyshacl`` (the reference), on
the bad records of ``test_validation``, the example register, the 120-record CSV sample (as the pipeline maps it,
from quads) and an on-disk store validated in place, whole and restricted to one record's focus nodes.
"""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store, parse
from rdflib import Graph

from loader.pipeline import load_paths, prepare
from loader.reference import reference_data
from loader.store import open_store
from loader.validation import (
    ALL_PROFILES,
    DEFAULT_PROFILES,
    ValidationReport,
    _model_quads,
    _path_steps,
    validate,
    validate_quads,
    validate_store,
)
from loader.writes import record_focus_nodes
from tests.conftest import SHARED
from tests.loader.test_validation import EXAMPLE, RECORD, REG, TWO_PROBLEMS

SAMPLES = sorted((SHARED / "samples").glob("register_export_v1.0_*_sample.csv"))

# Each bad input of test_validation, plus a statutory basis as a blank node (the walk back goes through it).
BAD_RECORDS = {
    "theme": [("akg:theme theme:verkeer", 'akg:theme "Verkeer & vervoer"')],
    "theme-iri": [("akg:theme theme:verkeer", "akg:theme theme:verkeer-en-vervoer")],
    "contact": [('akg:contact "algoritmes@noorderhaaks.example" ;', "")],
    "goal": [('akg:goal "Aanvragers krijgen sneller een vergunning."@nl ;', "")],
    "date": [('"2024-01-01"^^xsd:date', '"1 januari 2024"')],
    "law": [('akg:citationTitle "Wegenverkeerswet 1994" ;', "akg:legalResource <https://w3id.org/algokg/id/law/bwb/BWBR000553> ;")],
    "end-before-begin": [("akg:beginDate", 'akg:endDate "2023-01"^^xsd:gYearMonth ;\n    akg:beginDate')],
    "language": [('dct:language "nld"', 'dct:language "Nederlands"')],
    "long-title": [('"Wegenverkeerswet 1994"', '"' + "Wegenverkeerswet 1994, " + "artikel 1, " * 10 + '"')],
    "basis-of-algorithm": [
        ("akg:hasStatutoryBasis reg:5d41402abc4b2a76-basis .", ".\nalg:11243612 akg:hasStatutoryBasis reg:5d41402abc4b2a76-basis ."),
        ('"2024-01-01"^^xsd:date', '"2024"'),
    ],
    "blank-basis": [
        ("akg:hasStatutoryBasis reg:5d41402abc4b2a76-basis .", "akg:hasStatutoryBasis _:basis ."),
        ("reg:5d41402abc4b2a76-basis a akg:StatutoryBasis", "_:basis a akg:StatutoryBasis"),
        ('"2024-01-01"^^xsd:date', '"gisteren"'),
    ],
}  # fmt: skip


def _broken(changes: list[tuple[str, str]]) -> str:
    data = RECORD
    for old, new in changes:
        assert old in data, old
        data = data.replace(old, new)
    return data


def _assert_same(sparql: ValidationReport, pyshacl: ValidationReport) -> None:
    assert sparql.profiles == pyshacl.profiles
    assert sparql.conforms == pyshacl.conforms
    for ours, theirs in zip(sparql.results, pyshacl.results, strict=False):
        assert ours == theirs  # every field; the first difference is shown
    assert len(sparql.results) == len(pyshacl.results)


def _both(check: Callable[[str], ValidationReport]) -> ValidationReport:
    report = check("sparql")
    _assert_same(report, check("pyshacl"))
    return report


@pytest.mark.parametrize("case", sorted(BAD_RECORDS))
def test_bad_record(case: str) -> None:
    data = Graph().parse(data=_broken(BAD_RECORDS[case]), format="turtle")
    report = _both(lambda engine: validate(data, engine=engine))
    assert report.results, "a bad record must give results, or the comparison proves nothing"
    assert all(item.record is not None and item.line == 12 for item in report.results)


def test_blank_node_focus_is_named_as_the_data_names_it() -> None:
    data = Graph().parse(data=_broken(BAD_RECORDS["blank-basis"]), format="turtle")
    [item] = validate(data).results
    [basis] = {str(s) for s in data.subjects() if not str(s).startswith("http")}
    assert item.focus == f"_:{basis}" and item.record == REG
    assert item.record_path[0][2] == item.focus


@pytest.mark.parametrize("profiles", [DEFAULT_PROFILES, ALL_PROFILES], ids=["default", "all"])
def test_two_problems_and_the_example_register(profiles: tuple[str, ...]) -> None:
    for text, kind in ((TWO_PROBLEMS, "turtle"), (EXAMPLE.read_text(encoding="utf-8"), "turtle")):
        data = Graph().parse(data=text, format=kind)
        assert _both(lambda engine, data=data: validate(data, profiles=profiles, engine=engine)).results


@pytest.fixture(scope="module", params=SAMPLES or [None], ids=lambda p: p.name if p else "absent")
def sample(request: pytest.FixtureRequest) -> tuple[Path, list[Quad]]:
    if request.param is None:
        pytest.skip(f"the shared CSV sample is absent ({SHARED / 'samples'}/register_export_v1.0_*_sample.csv)")
    source, _ = prepare(request.param, reference=reference_data(), run_validation=False)
    return request.param, source.quads


def test_sample_from_quads(sample: tuple[Path, list[Quad]]) -> None:
    _, quads = sample
    report = _both(lambda engine: validate_quads(quads, engine=engine))
    assert report.count("Violation") and report.count("Warning")
    assert all(item.line for item in report.results), "every result is traced back to its CSV line"


def test_sample_with_all_profiles(sample: tuple[Path, list[Quad]]) -> None:
    _, quads = sample
    _both(lambda engine: validate_quads(quads, profiles=ALL_PROFILES, engine=engine))


def test_sample_in_a_store_whole_and_one_record(
    sample: tuple[Path, list[Quad]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """In place on an on-disk store (as `algokg validate` and the write gate do): equal, whole or per record."""
    path, _ = sample
    store_dir = tmp_path_factory.mktemp("engines") / "store"
    load_paths(store_dir, [path], reference=reference_data(), run_validation=False)
    store = open_store(store_dir)
    whole = _both(lambda engine: validate_store(store, engine=engine))
    assert whole.count("Violation")
    # One record with a violation: its neighbourhood as the write gate checks it.
    violating = next(item for item in whole.results if item.severity == "Violation" and item.record)
    nodes = record_focus_nodes(store, {NamedNode(violating.record)})  # type: ignore[arg-type]
    one = _both(lambda engine: validate_store(store, focus_nodes=nodes, within=nodes, engine=engine))
    assert violating.key in {item.key for item in one.results}
    assert {item.focus for item in one.results} <= {node.value for node in nodes}
    assert len(one.results) < len(whole.results)


def test_a_blank_focus_node_in_a_store(tmp_path: Path) -> None:
    """SPARQL cannot name a blank node: the store is checked whole and the blank focus node's results kept."""
    store = Store(str(tmp_path / "store"))
    store.extend(_model_quads())
    graph = NamedNode("https://w3id.org/algokg/graph/source/0123456789abcdef")
    data = parse(_broken(BAD_RECORDS["blank-basis"]).encode(), format=RdfFormat.TURTLE)
    store.extend(Quad(q.subject, q.predicate, q.object, graph) for q in data)
    [basis] = {q.subject for q in store.quads_for_pattern(None, None, None, graph) if isinstance(q.subject, BlankNode)}
    report = _both(lambda engine: validate_store(store, focus_nodes=[basis], engine=engine))
    [item] = report.results
    assert (item.focus, item.record, item.line) == (f"_:{basis.value}", REG, 12)


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        (None, ()),
        ("<https://x/a>", ("https://x/a",)),
        ("(<https://x/a>/<https://x/b>)", ("https://x/a", "https://x/b")),
        ("((^<https://x/a>)/<https://x/b>)", ("https://x/a", "https://x/b")),
        ("(<https://x/a>*)", ("https://x/a",)),
        ("(<https://x/a>|<https://x/b>)", ()),
        ("(^(<https://x/a>/<https://x/b>))", ()),
    ],
)
def test_compiled_paths_read_as_pyshacl_paths(text: str | None, steps: tuple[str, ...]) -> None:
    assert _path_steps(text) == steps


def test_an_unknown_engine_is_refused() -> None:
    from loader.errors import AlgokgError

    with pytest.raises(AlgokgError, match=re.escape("unknown validator 'jena'")):
        validate(Graph(), engine="jena")
