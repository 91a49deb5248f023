"""Real SPARQL clients against a real `algokg serve`: rdflib's `SPARQLStore` and SPARQLWrapper, as people use them.

Each client call is run for SELECT, ASK, CONSTRUCT and DESCRIBE, with GET and POST, and each return format the
client knows. Clients add parameters of their own (SPARQLWrapper sends `format`, `output` and `results` with
values such as `json-ld`, `n3`, `rdf+xml`, sometimes twice) and ask for result media types for graph queries
(rdflib's `SPARQLStore(returnFormat="json")` sends `Accept: application/sparql-results+json` for a CONSTRUCT).
Where a client's request makes sense the answer must be what it asked for, parsed by the client itself; where it
cannot (CSV for a CONSTRUCT, Turtle for a SELECT) a 406 problem, never a wrong body.
"""

import json
import urllib.error
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pyoxigraph import RdfFormat, parse
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import SPARQLWrapper

from sparql_api.negotiation import choose_media_type, format_media_type, format_parameter

# rdflib's own JSON-LD parser (its SPARQLStore reading a JSON-LD answer) builds a ConjunctiveGraph, which rdflib
# itself deprecates; SPARQLWrapper's convert() does too. Not this server's doing.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

ANNEX_III = "https://w3id.org/algokg/id/scheme/annex-iii"
ALGORITHM = "https://w3id.org/algokg/id/algorithm/00000001"
SKOS = "http://www.w3.org/2004/02/skos/core#"
QUERIES = {
    "SELECT": f"PREFIX skos: <{SKOS}> SELECT ?c WHERE {{ ?c skos:inScheme <{ANNEX_III}> }} ORDER BY ?c LIMIT 3",
    "ASK": f"PREFIX skos: <{SKOS}> ASK {{ ?c skos:inScheme <{ANNEX_III}> }}",
    "CONSTRUCT": (
        f"PREFIX skos: <{SKOS}> CONSTRUCT {{ ?c skos:inScheme <{ANNEX_III}> }} "
        f"WHERE {{ ?c skos:inScheme <{ANNEX_III}> }} ORDER BY ?c LIMIT 3"
    ),
    "DESCRIBE": f"DESCRIBE <{ALGORITHM}>",
}
FORMS = list(QUERIES)
GRAPH_FORMS = {"CONSTRUCT", "DESCRIBE"}

# SPARQLWrapper's return formats -> the media type the server answers, per kind of query (absent: 406).
WRAPPER_RESULTS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
WRAPPER_GRAPHS = {
    "json": "application/ld+json",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "turtle": "text/turtle",
    "n3": "text/turtle",
}
WRAPPER_FORMATS = ["json", "xml", "csv", "tsv", "turtle", "n3", "rdf", "rdf+xml", "json-ld"]
PARSE_AS = {
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "text/turtle": RdfFormat.TURTLE,
}
# The client calls people make most, and which of them failed (406) before the endpoint took clients' words.
COMMON: list[tuple[str, str, str]] = [
    ("rdflib", "json", "SELECT"),
    ("rdflib", "json", "ASK"),
    ("rdflib", "json", "CONSTRUCT"),  # was 406
    ("rdflib", "xml", "SELECT"),
    ("rdflib", "xml", "CONSTRUCT"),
    ("rdflib", "xml", "DESCRIBE"),
    ("wrapper", "json", "SELECT"),
    ("wrapper", "json", "ASK"),
    ("wrapper", "xml", "SELECT"),
    ("wrapper", "csv", "SELECT"),
    ("wrapper", "turtle", "CONSTRUCT"),
    ("wrapper", "xml", "CONSTRUCT"),
    ("wrapper", "json-ld", "CONSTRUCT"),  # was 406
    ("wrapper", "n3", "CONSTRUCT"),  # was 406
]


@pytest.fixture(scope="module")
def endpoint(server: str) -> str:
    return f"{server}/sparql"


@pytest.fixture(scope="module")
def expected(endpoint: str) -> dict[str, Any]:
    """What each query answers, asked plainly (Accept: the canonical media type) over httpx."""
    answers: dict[str, Any] = {}
    for form, query in QUERIES.items():
        accept = "text/turtle" if form in GRAPH_FORMS else "application/sparql-results+json"
        response = httpx.get(endpoint, params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        if form in GRAPH_FORMS:
            answers[form] = _graph(response.content, RdfFormat.TURTLE)
        elif form == "SELECT":
            answers[form] = [b["c"]["value"] for b in response.json()["results"]["bindings"]]
        else:
            answers[form] = response.json()["boolean"]
    assert len(answers["SELECT"]) == 3 and answers["ASK"] is True
    assert len(answers["CONSTRUCT"]) == 3 and len(answers["DESCRIBE"]) > 5
    return answers


def _graph(body: bytes, rdf_format: RdfFormat) -> set[tuple[str, str, str]]:
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in parse(body, rdf_format)}


def _rdflib_set(graph: Graph) -> set[tuple[str, str, str]]:
    return {(s.n3(), p.n3(), o.n3()) for s, p, o in graph}


# -- rdflib SPARQLStore ------------------------------------------------------------------------------------------


def _rdflib_cases() -> Iterator[object]:
    for return_format in ("json", "xml"):
        for method in ("GET", "POST", "POST_FORM"):
            for form in FORMS:
                yield pytest.param(return_format, method, form, id=f"{return_format}-{method}-{form}")


@pytest.mark.parametrize(("return_format", "method", "form"), list(_rdflib_cases()))
def test_rdflib_sparqlstore(
    endpoint: str, expected: dict[str, Any], return_format: str, method: str, form: str
) -> None:
    store = SPARQLStore(endpoint, returnFormat=return_format, method=method)
    result = Graph(store=store).query(QUERIES[form])
    if form == "SELECT":
        assert [str(row[0]) for row in result] == expected[form]
    elif form == "ASK":
        assert bool(result) is expected[form]
    else:
        assert result.graph is not None
        assert _rdflib_set(result.graph) == expected[form]  # both as N-Triples terms


# -- SPARQLWrapper ---------------------------------------------------------------------------------------------


def _wrapper_cases() -> Iterator[object]:
    for return_format in WRAPPER_FORMATS:
        for method in ("GET", "POST"):
            for form in FORMS:
                yield pytest.param(return_format, method, form, id=f"{return_format}-{method}-{form}")


def _wrapper(endpoint: str, return_format: str, method: str, form: str) -> Any:
    client = SPARQLWrapper(endpoint, returnFormat=return_format)
    client.setMethod(method)
    client.setQuery(QUERIES[form])
    with warnings.catch_warnings():
        # SPARQLWrapper warns that it sends `Accept: */*` for a format that does not fit the query form (CSV for a
        # CONSTRUCT): the server must still answer by the `format` parameter it sends along.
        warnings.filterwarnings("ignore", message="Sending Accept header", category=RuntimeWarning)
        return client.query()


@pytest.mark.parametrize(("return_format", "method", "form"), list(_wrapper_cases()))
def test_sparqlwrapper(endpoint: str, expected: dict[str, Any], return_format: str, method: str, form: str) -> None:
    media_type = (WRAPPER_GRAPHS if form in GRAPH_FORMS else WRAPPER_RESULTS).get(return_format)
    if media_type is None:
        with pytest.raises(urllib.error.HTTPError) as raised:
            _wrapper(endpoint, return_format, method, form)
        raised.value.close()  # urllib keeps the connection open on the error
        assert raised.value.code == 406
        assert raised.value.headers["Content-Type"].startswith("application/problem+json")
        return
    result = _wrapper(endpoint, return_format, method, form)
    assert result.info()["content-type"].split(";")[0] == media_type
    converted = result.convert()  # the client's own reading of the answer
    result.response.close()
    if form in GRAPH_FORMS:
        assert _triples(converted, media_type) == expected[form]
    elif return_format == "json":
        if form == "SELECT":
            assert [b["c"]["value"] for b in converted["results"]["bindings"]] == expected[form]
        else:
            assert converted["boolean"] is expected[form]
    else:
        text = converted.toxml() if return_format == "xml" else converted.decode()
        assert all(iri in text for iri in expected[form]) if form == "SELECT" else "true" in text


def _triples(converted: object, media_type: str) -> set[tuple[str, str, str]]:
    """SPARQLWrapper gives an rdflib Graph (RDF/XML, JSON-LD), the body (Turtle, N3) or parsed JSON (json)."""
    if isinstance(converted, Graph):
        return _rdflib_set(converted)
    if isinstance(converted, bytes):
        return _graph(converted, PARSE_AS[media_type])
    return _graph(json.dumps(converted).encode(), RdfFormat.JSON_LD)


# -- the calls people make most ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("client", "return_format", "form"), COMMON, ids=["-".join(c) for c in COMMON])
def test_common_client_calls_succeed(endpoint: str, client: str, return_format: str, form: str) -> None:
    if client == "rdflib":
        result = Graph(store=SPARQLStore(endpoint, returnFormat=return_format)).query(QUERIES[form])
        assert len(result.graph) if form in GRAPH_FORMS else len(list(result)) if form == "SELECT" else bool(result)
    else:
        response = _wrapper(endpoint, return_format, "GET", form)
        response.response.close()
        assert response.response.status == 200


def test_unknown_format_value_falls_back_to_accept(endpoint: str) -> None:
    response = httpx.get(
        endpoint,
        params={"query": QUERIES["SELECT"], "format": "sparql-json-please", "output": "x"},
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")


def test_graph_query_in_json_types_is_json_ld(endpoint: str, expected: dict[str, Any]) -> None:
    for accept in ("application/sparql-results+json", "application/json"):
        response = httpx.get(endpoint, params={"query": QUERIES["CONSTRUCT"]}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/ld+json")
        assert _graph(response.content, RdfFormat.JSON_LD) == expected["CONSTRUCT"]
    for accept in ("application/sparql-results+xml", "application/xml"):
        response = httpx.get(endpoint, params={"query": QUERIES["DESCRIBE"]}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/rdf+xml")
        assert _graph(response.content, RdfFormat.RDF_XML) == expected["DESCRIBE"]


def test_format_parameter_takes_the_first_known_value() -> None:
    # SPARQLWrapper: format, output and results, each possibly twice (the short name, then a media type or "").
    assert format_parameter({"format": ["json-ld", "application/ld+json"], "output": ["json-ld"]}) == "json-ld"
    assert format_parameter({"format": ["", "nonsense"], "output": ["n3"], "results": ["xml"]}) == "n3"
    assert format_parameter({"format": ["pdf"], "results": ["x"]}) is None
    assert format_media_type("N3") == "text/turtle"
    assert format_media_type("rdf+xml") == "application/rdf+xml"
    assert format_media_type("application/sparql-results+json; charset=utf-8") == "application/sparql-results+json"
    assert choose_media_type("text/csv", ["text/csv"], format="pdf") == "text/csv"  # unknown: Accept decides
    assert choose_media_type("text/csv", ["text/csv"], format="turtle") is None  # known: it decides
