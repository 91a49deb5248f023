"""Content negotiation, every GET endpoint family x every media type it serves x q-value orderings, against a
real `algokg serve` on the example store. Each answer must carry `Vary: Accept`, have the negotiated
Content-Type and parse with a real parser (pyoxigraph for RDF and SPARQL results, json, csv, html.parser);
an Accept the endpoint cannot serve is a 406 problem+json that also says `Vary: Accept`."""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from pyoxigraph import QueryResultsFormat, QuerySolutions, RdfFormat, parse, parse_query_results

from tests.server.conftest import Server, store_copy

SELECT = (
    "SELECT ?s ?title WHERE { ?s a <https://w3id.org/algokg/def#Algorithm> ; <http://purl.org/dc/terms/title> ?title }"
)
CONSTRUCT = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 20"
EXAMPLE_GRAPH = "https://w3id.org/algokg/graph/dataset/example"
JSON_LD, TURTLE, HTML = "application/ld+json", "text/turtle", "text/html"
RDF_SYNTAXES = {
    TURTLE: RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
    JSON_LD: RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
RESULT_SYNTAXES = {  # in the server's order of preference (sparql_api.protocol), like every `offered` below
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
}
LINKED_DATA = [
    TURTLE,
    HTML,
    JSON_LD,
    "application/n-triples",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
]
RDF_ONLY = [TURTLE, JSON_LD, "application/n-triples", "application/rdf+xml", "application/trig", "application/n-quads"]


@dataclass(frozen=True)
class Endpoint:
    """A GET endpoint family: its path (with query), the media types it serves (its preference first) and
    how each body is checked. `pages` endpoints are HTML for people and ignore Accept (see the last test)."""

    name: str
    path: str
    offered: list[str]
    kind: str  # rdf | results | rest | html
    format_alias: tuple[str, str] | None = None  # a `format=` value and the media type it stands for
    pages: bool = False
    extra: dict[str, str] = field(default_factory=dict)


ENDPOINTS = [
    Endpoint(
        "sparql SELECT",
        f"/sparql?query={quote(SELECT)}",
        list(RESULT_SYNTAXES),
        "results",
        ("tsv", "text/tab-separated-values"),
    ),
    Endpoint(
        "sparql CONSTRUCT",
        f"/sparql?query={quote(CONSTRUCT)}",
        [
            TURTLE,
            "application/n-triples",
            "application/n-quads",
            "application/trig",
            JSON_LD,
            "application/rdf+xml",
            "application/x-turtle",
        ],
        "rdf",
        ("nt", "application/n-triples"),
    ),
    Endpoint(
        "api algorithms",
        "/api/algorithms?size=2",
        [JSON_LD, "application/json", "text/csv"],
        "rest",
        ("csv", "text/csv"),
    ),
    Endpoint(
        "api algorithm", "/api/algorithms/00000001", [JSON_LD, "application/json"], "rest", ("json", "application/json")
    ),
    Endpoint(
        "api law", "/api/law?id=BWBR0005537", [JSON_LD, "application/json", "text/csv"], "rest", ("csv", "text/csv")
    ),
    Endpoint(
        "api organisations",
        "/api/organisations",
        [JSON_LD, "application/json", "text/csv"],
        "rest",
        ("csv", "text/csv"),
    ),
    Endpoint("id algorithm", "/id/algorithm/00000001", LINKED_DATA, "rdf", ("nt", "application/n-triples")),
    Endpoint("graph resource", "/graph/dataset/example", LINKED_DATA, "rdf", ("trig", "application/trig")),
    Endpoint("graph content", "/graph/dataset/example?content", RDF_ONLY, "rdf", ("nq", "application/n-quads")),
    Endpoint("def", "/def", LINKED_DATA, "rdf", ("rdf", "application/rdf+xml")),
    Endpoint("void", "/.well-known/void", RDF_ONLY, "rdf", ("jsonld", JSON_LD)),
    Endpoint("catalog", "/catalog", RDF_ONLY, "rdf", ("nt", "application/n-triples")),
    Endpoint(
        "store read",
        f"/store?graph={quote(EXAMPLE_GRAPH)}",
        [TURTLE, "application/n-triples", "application/rdf+xml", JSON_LD],
        "rdf",
        ("nt", "application/n-triples"),
    ),
    Endpoint("home page", "/", [HTML], "html", pages=True),
    Endpoint("algorithm list page", "/algorithms", [HTML], "html", pages=True),
]


@pytest.fixture(scope="module")
def base(running_server: Callable[..., Server], example_store: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    # A private copy: dumps and the search index are written beside the store.
    return running_server(store_copy(example_store, tmp_path_factory.mktemp("conneg"))).base


@pytest.fixture(scope="module")
def context(base: str) -> dict[str, object]:
    """The REST API's published JSON-LD context (the REST bodies refer to it by URL)."""
    return httpx.get(f"{base}/api/context/v1.jsonld", timeout=30).json()["@context"]  # type: ignore[no-any-return]


def get(base: str, endpoint: Endpoint, accept: str | None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept is not None else {}
    url = f"{base}{endpoint.path}"
    if params:
        url += ("&" if "?" in url else "?") + "&".join(f"{k}={quote(v)}" for k, v in params.items())
    return httpx.get(url, headers=headers, timeout=60)


# -- checking a body -------------------------------------------------------------------------------------------------


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def check_body(response: httpx.Response, media_type: str, kind: str, context: dict[str, object]) -> None:
    """The body is a well-formed, non-empty document of `media_type`."""
    body = response.content
    if media_type == HTML:
        parser = _Html()
        parser.feed(response.text)
        parser.close()
        assert {"html", "title", "body"} <= set(parser.tags), parser.tags[:20]
    elif kind == "results" and media_type == "text/csv":  # pyoxigraph does not read CSV results (lossy)
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["s", "title"] and len(rows) >= 4
    elif kind == "results":
        results = parse_query_results(body, format=RESULT_SYNTAXES[media_type])
        assert isinstance(results, QuerySolutions)
        assert [v.value for v in results.variables] == ["s", "title"]
        assert len(list(results)) >= 3
    elif kind == "rest" and media_type == "text/csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows and all(rows[0].keys())
    elif kind == "rest":
        document = json.loads(body)
        assert document["@context"].endswith("/api/context/v1.jsonld")
        # As RDF: the published context inlined (pyoxigraph does not fetch remote contexts).
        triples = list(parse(json.dumps({**document, "@context": context}).encode(), format=RdfFormat.JSON_LD))
        assert triples, "the JSON-LD body gives no triple"
    else:
        assert len(list(parse(body, format=RDF_SYNTAXES[media_type]))) > 0


def check(response: httpx.Response, endpoint: Endpoint, expected: str, context: dict[str, object]) -> None:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].split(";")[0].strip() == expected
    assert "accept" in response.headers.get("vary", "").lower()
    check_body(response, expected, endpoint.kind, context)


def check_not_acceptable(response: httpx.Response) -> None:
    assert response.status_code == 406, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 406
    assert "accept" in response.headers.get("vary", "").lower()


# -- the matrix --------------------------------------------------------------------------------------------------


def _each_type() -> Iterator[object]:
    for endpoint in ENDPOINTS:
        for media_type in endpoint.offered:
            yield pytest.param(endpoint, media_type, id=f"{endpoint.name}|{media_type}")


@pytest.mark.parametrize(("endpoint", "media_type"), list(_each_type()))
def test_each_media_type(base: str, context: dict[str, object], endpoint: Endpoint, media_type: str) -> None:
    check(get(base, endpoint, media_type), endpoint, media_type, context)


def _orderings(endpoint: Endpoint) -> list[tuple[str, str | None, str | None]]:
    """(label, Accept, the media type expected, None = 406) for the endpoint's own offer."""
    offered, default = endpoint.offered, endpoint.offered[0]
    last = offered[-1]
    text = next((m for m in offered if m.startswith("text/")), None)
    cases: list[tuple[str, str | None, str | None]] = [
        ("no Accept", None, default),
        ("*/*", "*/*", default),
        ("browser-like", "image/png, */*;q=0.1", default),
        ("unserved", "image/png", None),
        ("unserved only", "image/png;q=1.0, application/x-unknown;q=0.5", None),
        ("text/*", "text/*", text),
    ]
    if len(offered) > 1:
        cases += [
            ("q prefers last", f"{default};q=0.5, {last};q=0.9", last),
            ("q prefers first", f"{last};q=0.9, {default}", default),
            ("q=0 excludes default", f"{default};q=0, */*", offered[1]),
            ("only excluded", f"{default};q=0", None),
            ("specific beats wildcard", f"*/*;q=0.2, {last};q=0.3", last),
        ]
    return cases


def _each_ordering() -> Iterator[object]:
    for endpoint in ENDPOINTS:
        if endpoint.pages:
            continue
        for label, accept, expected in _orderings(endpoint):
            yield pytest.param(endpoint, accept, expected, id=f"{endpoint.name}|{label}")


@pytest.mark.parametrize(("endpoint", "accept", "expected"), list(_each_ordering()))
def test_q_value_orderings(
    base: str, context: dict[str, object], endpoint: Endpoint, accept: str | None, expected: str | None
) -> None:
    response = get(base, endpoint, accept)
    if expected is None:
        check_not_acceptable(response)
    else:
        check(response, endpoint, expected, context)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.format_alias], ids=lambda e: e.name)
def test_format_parameter_overrides_accept(base: str, context: dict[str, object], endpoint: Endpoint) -> None:
    assert endpoint.format_alias is not None
    alias, media_type = endpoint.format_alias
    check(get(base, endpoint, endpoint.offered[0], format=alias), endpoint, media_type, context)
    check(get(base, endpoint, "image/png", format=media_type), endpoint, media_type, context)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.pages], ids=lambda e: e.name)
@pytest.mark.parametrize(
    "accept",
    [None, "*/*", HTML, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/ld+json"],
)
def test_pages_are_html_whatever_accept_says(
    base: str, context: dict[str, object], endpoint: Endpoint, accept: str | None
) -> None:
    """Pages for people answer HTML even to an Accept without it (RFC 9110 §12.5.1 allows ignoring Accept);
    their data is at /api/… and /id/…. A design choice, pinned here so that a change is deliberate."""
    check(get(base, endpoint, accept), endpoint, HTML, context)
