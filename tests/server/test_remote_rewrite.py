"""The rewrites that make embedded-store queries run on remote stores give the same answers, checked on the
embedded store itself: original query (substitutions, LATERAL, akg:textScore as a function) against its
rewritten text, on the example dataset."""

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from loader.store import current_path
from queries import rest_query
from sparql_api import remote_rewrite
from sparql_api.search import custom_functions, ensure_index, entity_scores

AKG = "https://w3id.org/algokg/def#"


@pytest.fixture(scope="module")
def store(example_store: Path) -> Store:
    return Store.read_only(str(current_path(example_store).resolve()))


def _rows(results: object) -> list[tuple[str, ...]]:
    assert isinstance(results, QuerySolutions)
    names = [v.value for v in results.variables]
    return sorted(tuple(str(row[n]) for n in names) for row in results)


def _both(store: Store, query: str, substitutions: dict[str, NamedNode | Literal], rewritten: str) -> None:
    expected = _rows(
        store.query(
            query,
            use_default_graph_as_union=True,
            substitutions={Variable(k): v for k, v in substitutions.items()},
        )
    )
    assert _rows(store.query(rewritten, use_default_graph_as_union=True)) == expected
    assert expected, "a comparison of two empty answers proves nothing"


@pytest.mark.parametrize(
    "query",
    [
        # the variable in the projection, in a subquery's projection, in GROUP BY and ORDER BY, and under SELECT *
        "SELECT ?a ?type WHERE { ?a a ?type } ORDER BY ?type ?a",
        "SELECT ?type (COUNT(?a) AS ?n) WHERE { ?a a ?type } GROUP BY ?type ORDER BY DESC(?type)",
        "SELECT ?a ?type WHERE { { SELECT ?a ?type WHERE { ?a a ?type } LIMIT 5 } ?a ?p ?o }",
        "SELECT * WHERE { ?a a ?type }",
    ],
)
def test_bound_parameters_answer_as_substitutions(store: Store, query: str) -> None:
    given = {"type": NamedNode(f"{AKG}Algorithm")}
    _both(store, query, given, remote_rewrite.bind_parameters(query, given))


def test_lateral_unwrapped_answers_as_lateral(store: Store) -> None:
    """relying-algorithms.rq uses LATERAL after a subquery and around OPTIONALs (Virtuoso has no LATERAL)."""
    laws = store.query(f"SELECT DISTINCT ?law WHERE {{ ?b <{AKG}legalResource> ?law }} LIMIT 3")
    query = rest_query("relying-algorithms")
    assert "LATERAL" in query
    for row in laws:
        given = {"resource": row["law"]}
        rewritten = remote_rewrite.unwrap_lateral(remote_rewrite.bind_parameters(query, given))
        assert "LATERAL" not in remote_rewrite.strip_comments(rewritten)
        _both(store, query, given, rewritten)


@pytest.mark.parametrize("block", [500, 1])  # 1: every match its own VALUES block, joined by UNION
@pytest.mark.parametrize(
    "pattern",
    [
        "FILTER (akg:textScore(?a, $q) > 0) BIND (akg:textScore(?a, $q) AS ?score)",  # matches only: a join
        "BIND (akg:textScore(?a, $q) AS ?score)",  # every algorithm, 0.0 without a match
    ],
)
def test_text_scores_inlined_answer_as_the_function(
    store: Store, example_store: Path, pattern: str, block: int
) -> None:
    index = ensure_index(example_store, store)
    functions = custom_functions(example_store)
    query = f"PREFIX akg: <{AKG}> SELECT ?a ?score $q WHERE {{ ?a a akg:Algorithm {pattern} }}"
    words = Literal("algoritme")
    scores = entity_scores(index, words.value)
    assert scores, "the example dataset should match the words"
    rewritten = remote_rewrite.inline_text_scores(
        query, {"q": words}, lambda text: entity_scores(index, text), block=block
    )
    assert (" UNION " in rewritten) == (block == 1 and len(scores) > 1)
    rewritten = remote_rewrite.bind_parameters(rewritten, {"q": words})
    assert "akg:textScore(" not in rewritten
    expected = _rows(
        store.query(
            query, use_default_graph_as_union=True, substitutions={Variable("q"): words}, custom_functions=functions
        )
    )
    assert _rows(store.query(rewritten, use_default_graph_as_union=True)) == expected and expected


def test_other_uses_of_text_score_are_refused_with_the_supported_forms() -> None:
    query = f"SELECT ?a WHERE {{ ?a ?p ?o FILTER (<{AKG}textScore>(?a, 'x') > 1) }}"
    with pytest.raises(remote_rewrite.UnsupportedRemotely, match=r"FILTER .* BIND"):
        remote_rewrite.inline_text_scores(query, {}, lambda text: {})


def test_query_form_ignores_prefixes_strings_and_comments() -> None:
    text = 'PREFIX s: <http://x/select#> # SELECT in a comment\nCONSTRUCT { ?s ?p "SELECT" } WHERE { ?s ?p ?o }'
    assert remote_rewrite.query_form(text) == "CONSTRUCT"
