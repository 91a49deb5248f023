"""Full-text index (sparql_api.search) on a real on-disk store: typos, accents, ranking, atomic per-generation files,
and the akg:textScore SPARQL function."""

import re
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store

from loader.store import build_store, current_path
from queries import rest_query
from sparql_api.rest.catalogue import REGISTER_FIELDS
from sparql_api.search import TEXT_SCORE, custom_functions, ensure_index, fold, index_path, search

ALG = "https://w3id.org/algokg/id/algorithm/"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("search") / "store"
    build_store(store_dir)
    return store_dir


@pytest.fixture(scope="module")
def index(store_dir: Path) -> Path:
    return ensure_index(store_dir)


def test_index_is_per_generation_and_complete(store_dir: Path, index: Path) -> None:
    assert index == index_path(store_dir, current_path(store_dir).resolve().name) and index.exists()
    assert not list(index.parent.glob(".building-*"))  # the temporary file was renamed into place
    assert ensure_index(store_dir) == index  # built once


def test_exact_words_rank_the_title_first(index: Path) -> None:
    hits = search(index, "parkeerdruk")
    assert hits[0].entity == ALG + "00000003" and hits[0].kind == "algorithm"
    assert "[parkeerdruk]" in (hits[0].snippet or "").lower()


@pytest.mark.parametrize("typo", ["parkeerdruck", "parkerdruk", "bijstandsaanvrgen", "afvalinzamling"])
def test_typos_are_tolerated(index: Path, typo: str) -> None:
    assert search(index, typo), typo


def test_accents_and_case_are_folded(index: Path) -> None:
    assert fold("Privé ÉÉN") == "prive een"
    assert search(index, "PARKEERDRÜK")[0].entity == ALG + "00000003"


def test_every_word_must_match_and_kind_filters(index: Path) -> None:
    assert search(index, "parkeerdruk afvalinzameling") == []
    organisations = search(index, "noorderhaaks", kind="organisation")
    assert organisations and {hit.kind for hit in organisations} == {"organisation"}
    assert search(index, "avg", kind="law")


def test_no_words_no_hits(index: Path) -> None:
    assert search(index, "  ,;  ") == []


def test_text_score_function_in_sparql(store_dir: Path) -> None:
    functions = custom_functions(store_dir)
    store = Store.read_only(str(current_path(store_dir).resolve()))
    query = """PREFIX akg: <https://w3id.org/algokg/def#>
    SELECT ?a ?score WHERE { ?a a akg:Algorithm . BIND (akg:textScore(?a, $q) AS ?score) FILTER (?score > 0) }"""
    rows = list(
        store.query(query.replace("$q", '"parkeerdruck"'), use_default_graph_as_union=True, custom_functions=functions)
    )
    assert [row["a"] for row in rows] == [NamedNode(ALG + "00000003")]
    assert float(rows[0]["score"].value) > 0
    assert functions[TEXT_SCORE](NamedNode(ALG + "00000001"), Literal("parkeerdruk")).value == "0.0"


def test_completeness_fields_match_the_query() -> None:
    listed = re.search(r"VALUES \?field \{([^}]*)\}", rest_query("organisation-algorithms"))
    assert listed is not None
    short = {"dct": "http://purl.org/dc/terms/", "akg": "https://w3id.org/algokg/def#"}
    names = [short[prefix] + local for prefix, local in re.findall(r"(\w+):(\w+)", listed[1])]
    assert names == list(REGISTER_FIELDS)
