"""The UK ATRS record summaries imported into a real on-disk store beside the example Dutch register, and one
query spanning both registers. Reads ../shared/reference/other-registers/uk-atrs (skips when absent)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Store
from rdflib import Graph

from compliance.annex_viii import rdflib_term
from compliance.atrs import AtrsError, read_records, record_triples
from compliance.obligations import compliance_query
from loader.cli import cli
from loader.store import build_store, open_store
from loader.validation import validate
from tests.conftest import shared_path

AKG = "https://w3id.org/algokg/def#"
ATRS = "https://w3id.org/algokg/id/catalog/uk-atrs"
NL = "https://w3id.org/algokg/id/catalog/algoritmeregister"


@pytest.fixture(scope="module")
def records_file() -> Path:
    return shared_path("reference", "other-registers", "uk-atrs", "atrs_records.json")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, records_file: Path) -> Path:
    directory = tmp_path_factory.mktemp("atrs-store")
    build_store(directory)  # the model and the example Dutch register
    done = CliRunner().invoke(cli, ["import-atrs", "--store", str(directory), str(records_file)])
    assert done.exit_code == 0, done.output
    assert "loaded: 136 ATRS records, 73 organisations (6 records name no publishing body)" in done.output
    return directory


@pytest.fixture(scope="module")
def store(store_dir: Path) -> Store:
    return open_store(store_dir)


def _count(store: Store, pattern: str) -> int:
    query = f"PREFIX akg: <{AKG}> SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)


def test_all_136_records_load(store: Store) -> None:
    assert _count(store, f"?x a akg:Algorithm ; akg:inRegister <{ATRS}>") == 136
    assert _count(store, f"?x a akg:Registration ; akg:inRegister <{ATRS}> ; akg:registers ?a") == 136
    assert _count(store, f"?a akg:inRegister <{ATRS}> ; akg:currentRegistration ?x") == 136
    assert _count(store, f"?a akg:inRegister <{ATRS}> ; akg:organisation ?x") == 73
    assert _count(store, "?r akg:hasUnmappedValue ?x . ?x akg:fieldName 'publishing_body'") == 6
    hmrc = "https://w3id.org/algokg/id/algorithm/uk-atrs/hmrc-ask-hmrc-online"
    rows = list(
        store.query(
            f"PREFIX akg: <{AKG}> SELECT ?name WHERE {{ <{hmrc}> akg:organisation/<http://www.w3.org/2004/02/skos/core#prefLabel> ?name }}",
            use_default_graph_as_union=True,
        )
    )
    assert [row["name"].value for row in rows] == ["HMRC"]


def test_provenance_of_the_import(store: Store) -> None:
    query = f"""PREFIX akg: <{AKG}> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?graph ?count ?source WHERE {{ ?graph akg:recordCount ?count ; dct:source ?source ; dct:title ?title
        FILTER (STRSTARTS(?title, "UK ATRS")) }}"""
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert [(row["count"].value, row["source"].value.split("/")[3]) for row in rows] == [("136", "fabio-rovai")]
    graph = rows[0]["graph"].value
    in_graph = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?a a <{AKG}Algorithm> }} }}"
    assert next(iter(store.query(in_graph)))["n"].value == "136"


def test_reimport_changes_nothing(store_dir: Path, records_file: Path) -> None:
    before = (store_dir / "current").resolve()
    done = CliRunner().invoke(cli, ["import-atrs", "--store", str(store_dir), str(records_file)])
    assert done.exit_code == 0 and done.output.startswith("already loaded")
    assert (store_dir / "current").resolve() == before


def test_one_query_spans_both_registers(store: Store) -> None:
    rows = store.query(compliance_query("algorithms-per-register"), use_default_graph_as_union=True)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["register"].value] = counts.get(row["register"].value, 0) + int(row["algorithms"].value)
    dutch = _count(store, "?x a akg:Algorithm FILTER NOT EXISTS { ?x akg:inRegister ?r }")
    assert dutch > 0
    assert counts == {ATRS: 136, NL: dutch}


def test_records_satisfy_the_integrity_profile_except_the_dutch_id(records_file: Path) -> None:
    graph = Graph()
    for triple in (t for record in read_records(records_file) for t in record_triples(record)):
        graph.add(tuple(rdflib_term(term) for term in triple))
    report = validate(graph, profiles=["integrity"])
    # ATRS records have no Algoritmeregister id, and need none (akg:inRegister the ATRS): all checks pass.
    assert not report.results, [item.shape for item in report.results]


def test_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "atrs.json"
    bad.write_text(json.dumps({"records": [{"url": "https://example.org/x", "title": "X"}]}))
    with pytest.raises(AtrsError, match=r"not a GOV\.UK ATRS record page"):
        read_records(bad)
    bad.write_text("[")
    with pytest.raises(AtrsError, match="cannot read"):
        read_records(bad)
