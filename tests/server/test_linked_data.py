"""Dereferenceable IRIs against a real `algokg serve`: the example store, and one with a real register export loaded."""

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from loader.store import EXAMPLE_DATASET
from tests.conftest import shared_path
from tests.server.conftest import Server, store_copy

ALGORITHM = "https://w3id.org/algokg/id/algorithm/00000001"
EXAMPLE_GRAPH = "https://w3id.org/algokg/graph/dataset/example"
FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/trig": RdfFormat.TRIG,
    "application/n-quads": RdfFormat.N_QUADS,
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def _path(iri: str) -> str:
    return iri.removeprefix("https://w3id.org/algokg")


def _example_iris() -> list[str]:
    """Every IRI algokg mints that the example dataset's records use (subjects and objects)."""
    iris = set()
    for triple in parse(path=str(EXAMPLE_DATASET), format=RdfFormat.TURTLE):
        for term in (triple.subject, triple.object):
            if isinstance(term, NamedNode) and term.value.startswith("https://w3id.org/algokg/id/"):
                iris.add(term.value)
    return sorted(iris)


def _rdf(response: httpx.Response, media_type: str) -> list[Quad]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert _varies_on_accept(response)
    fmt = FORMATS[media_type]
    quads = list(parse(response.content, fmt, base_iri="http://example.invalid/"))
    return [q if isinstance(q, Quad) else Quad(q.subject, q.predicate, q.object) for q in quads]


@pytest.fixture(scope="module")
def server(running_server: Callable[..., Server], example_store: Path) -> Server:
    return running_server(example_store)


def test_example_has_iris_to_check() -> None:
    iris = _example_iris()
    assert ALGORITHM in iris and len(iris) > 20


def test_every_example_iri_dereferences_in_every_format(server: Server) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as client:
        for iri in _example_iris():
            for media_type in FORMATS:
                quads = _rdf(client.get(_path(iri), headers={"Accept": media_type}), media_type)
                mentioned = {q.subject.value for q in quads} | {getattr(q.object, "value", "") for q in quads}
                assert iri in mentioned, f"{iri} as {media_type}"
            page = client.get(_path(iri), headers={"Accept": BROWSER})
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), iri
            assert _varies_on_accept(page)
            assert iri in page.text


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        (BROWSER, "text/html"),
        ("text/html;q=0.5, application/n-triples", "application/n-triples"),
        ("text/turtle;q=0.1, application/ld+json;q=0.9", "application/ld+json"),
        ("application/*;q=0.3, text/turtle;q=0.2", "application/ld+json"),  # server order among application/*
        ("text/*", "text/turtle"),
        ("application/trig;q=1, application/n-quads;q=0.99", "application/trig"),
        ("application/n-quads, text/turtle;q=0", "application/n-quads"),
        ("application/rdf+xml;q=0.8, text/html;q=0.7", "application/rdf+xml"),
    ],
)
def test_conneg_q_values(server: Server, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = httpx.get(server.url(_path(ALGORITHM)), headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert _varies_on_accept(response)


def test_format_parameter_overrides_accept(server: Server) -> None:
    response = httpx.get(server.url(_path(ALGORITHM)), params={"format": "nt"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("application/n-triples")
    assert f"<{ALGORITHM}>" in response.text


def test_unacceptable_media_type_is_406_problem(server: Server) -> None:
    response = httpx.get(server.url(_path(ALGORITHM)), headers={"Accept": "image/png, text/turtle;q=0"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "text/turtle" in response.json()["detail"]


def test_unknown_iri_is_404_problem(server: Server) -> None:
    for path in ("/id/algorithm/99999999", "/graph/source/0000000000000000", "/id/nothing/here"):
        for accept in ("text/turtle", "application/ld+json"):
            response = httpx.get(server.url(path), headers={"Accept": accept})
            assert response.status_code == 404, path
            assert response.headers["content-type"] == "application/problem+json"
            body = response.json()
            assert body["status"] == 404 and body["iri"] == f"https://w3id.org/algokg{path}"
        page = httpx.get(server.url(path), headers={"Accept": "text/html"})  # a browser: the error page
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), path


def test_incoming_links_appear(server: Server) -> None:
    concept = "https://w3id.org/algokg/id/annex-iii/5-a"
    quads = _rdf(
        httpx.get(server.url(_path(concept)), headers={"Accept": "application/n-quads"}), "application/n-quads"
    )
    incoming = {(q.subject.value, q.predicate.value) for q in quads if getattr(q.object, "value", None) == concept}
    assert (ALGORITHM, "https://w3id.org/algokg/def#annexIIIPoint") in incoming
    page = httpx.get(server.url(_path(concept)), headers={"Accept": "text/html"}).text
    assert 'href="' + server.url("/id/algorithm/00000001") + '"' in page or "/id/algorithm/00000001" in page


def test_statements_keep_their_graph_and_provenance(server: Server) -> None:
    quads = _rdf(httpx.get(server.url(_path(ALGORITHM)), headers={"Accept": "application/trig"}), "application/trig")
    graphs = {q.graph_name.value for q in quads if q.subject.value == ALGORITHM}
    assert EXAMPLE_GRAPH in graphs
    derived = [q.object.value for q in quads if q.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom"]
    assert derived == ["https://w3id.org/algokg/id/example/dataset"]
    page = httpx.get(server.url(_path(ALGORITHM)), headers={"Accept": "text/html"}).text
    assert "dataset/example" in page or "example/dataset" in page


def test_etag_and_304(server: Server) -> None:
    url = server.url(_path(ALGORITHM))
    turtle = httpx.get(url, headers={"Accept": "text/turtle"})
    html = httpx.get(url, headers={"Accept": "text/html"})
    assert turtle.headers["etag"] != html.headers["etag"]
    assert "last-modified" in turtle.headers
    again = httpx.get(url, headers={"Accept": "text/turtle", "If-None-Match": turtle.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == turtle.headers["etag"]
    other = httpx.get(url, headers={"Accept": "text/html", "If-None-Match": turtle.headers["etag"]})
    assert other.status_code == 200
    since = httpx.get(url, headers={"Accept": "text/turtle", "If-Modified-Since": turtle.headers["last-modified"]})
    assert since.status_code == 304


def test_head_answers_like_get(server: Server) -> None:
    response = httpx.head(server.url(_path(ALGORITHM)), headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("text/turtle")


def test_percent_encoded_path_dereferences(server: Server) -> None:
    article = "https://w3id.org/algokg/id/law/bwb/BWBR0005537/artikel/3:40"
    encoded = "/id/law/bwb/BWBR0005537/artikel/" + quote("3:40", safe="")
    response = httpx.get(server.url(encoded), headers={"Accept": "application/n-triples"})
    assert f"<{article}>" in response.text


def test_scheme_iri_serves_the_whole_scheme(server: Server) -> None:
    scheme = "https://w3id.org/algokg/id/scheme/annex-iii"
    quads = _rdf(httpx.get(server.url(_path(scheme)), headers={"Accept": "text/turtle"}), "text/turtle")
    labelled = {q.subject.value for q in quads if q.predicate.value.endswith("#prefLabel")}
    assert "https://w3id.org/algokg/id/annex-iii/5-a" in labelled
    assert scheme in labelled


def test_graph_iri_describes_the_graph_and_serves_its_content(server: Server) -> None:
    description = _rdf(httpx.get(server.url(_path(EXAMPLE_GRAPH)), headers={"Accept": "text/turtle"}), "text/turtle")
    size = next(int(q.object.value) for q in description if q.predicate.value == "http://rdfs.org/ns/void#triples")
    counted = httpx.get(
        server.url("/sparql"),
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EXAMPLE_GRAPH}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "text/csv"},
    )
    assert size == int(counted.text.splitlines()[1]) > 100
    content = httpx.get(
        server.url(_path(EXAMPLE_GRAPH)), params={"content": ""}, headers={"Accept": "application/n-quads"}
    )
    quads = _rdf(content, "application/n-quads")
    assert len(quads) == size and {q.graph_name.value for q in quads} == {EXAMPLE_GRAPH}


def test_ontology_at_its_namespace(server: Server) -> None:
    turtle = _rdf(httpx.get(server.url("/def"), headers={"Accept": "text/turtle"}), "text/turtle")
    assert any(q.subject.value == "https://w3id.org/algokg/def#Algorithm" for q in turtle)
    trig = _rdf(httpx.get(server.url("/def"), headers={"Accept": "application/trig"}), "application/trig")
    assert {q.graph_name.value for q in trig} == {"https://w3id.org/algokg/graph/model/ontology/algokg"}
    page = httpx.get(server.url("/def"), headers={"Accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert "Algorithm" in page.text


def test_shapes_at_their_namespace(server: Server) -> None:
    quads = _rdf(httpx.get(server.url("/shapes/integrity"), headers={"Accept": "text/turtle"}), "text/turtle")
    assert any(q.subject.value.startswith("https://w3id.org/algokg/shapes/integrity#") for q in quads)
    page = httpx.get(server.url("/shapes/aiact"), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "&lt;https://w3id.org/algokg/shapes/aiact&gt;" in page.text
    missing = httpx.get(server.url("/shapes/nope"))
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


# -- a real register export: provenance of a loaded source and validation status -----------------------


@pytest.fixture(scope="module")
def loaded_server(
    running_server: Callable[..., Server], example_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Server:
    from loader.pipeline import load_paths

    export = shared_path("samples", "register_export_v1.0_ENG_sample.csv")
    store_dir = store_copy(example_store, tmp_path_factory.mktemp("loaded"))
    load_paths(store_dir, [export], source_url="https://algoritmes.overheid.nl/export.csv")
    return running_server(store_dir)


def _findings_of_some_algorithm(server: Server) -> str:
    query = """
    PREFIX akg: <https://w3id.org/algokg/def#>
    PREFIX sh: <http://www.w3.org/ns/shacl#>
    SELECT ?a WHERE { ?a akg:currentRegistration ?r . ?x sh:focusNode ?r ; sh:resultSeverity sh:Warning } ORDER BY ?a LIMIT 1"""
    response = httpx.get(server.url("/sparql"), params={"query": query}, headers={"Accept": "text/csv"})
    return response.text.splitlines()[1].strip()


def test_provenance_of_a_loaded_source(loaded_server: Server) -> None:
    algorithm = _findings_of_some_algorithm(loaded_server)
    quads = _rdf(
        httpx.get(loaded_server.url(_path(algorithm)), headers={"Accept": "application/n-quads"}), "application/n-quads"
    )
    provenance = [q for q in quads if q.graph_name.value == "https://w3id.org/algokg/graph/provenance"]
    predicates = {q.predicate.value: q.object.value for q in provenance}
    assert predicates["http://purl.org/dc/terms/title"].endswith("register_export_v1.0_ENG_sample.csv")
    assert predicates["http://purl.org/dc/terms/source"] == "https://algoritmes.overheid.nl/export.csv"
    assert re.match(r"\d{4}-\d\d-\d\dT", predicates["http://www.w3.org/ns/prov#generatedAtTime"])
    assert len(predicates["https://w3id.org/algokg/def#sha256"]) == 64
    page = httpx.get(loaded_server.url(_path(algorithm)), headers={"Accept": "text/html"}).text
    assert "register_export_v1.0_ENG_sample.csv" in page and "https://algoritmes.overheid.nl/export.csv" in page


def test_validation_status_of_a_loaded_record(loaded_server: Server) -> None:
    algorithm = _findings_of_some_algorithm(loaded_server)
    quads = _rdf(
        httpx.get(loaded_server.url(_path(algorithm)), headers={"Accept": "application/trig"}), "application/trig"
    )
    results = [q for q in quads if q.predicate.value == "http://www.w3.org/ns/shacl#resultSeverity"]
    assert results and all(q.graph_name.value.startswith("https://w3id.org/algokg/graph/validation/") for q in results)
    messages = [q.object for q in quads if q.predicate.value == "http://www.w3.org/ns/shacl#resultMessage"]
    assert {m.language for m in messages} == {"nl", "en"}
    page = httpx.get(loaded_server.url(_path(algorithm)), headers={"Accept": "text/html"}).text
    assert "warning" in page.lower() or "waarschuwing" in page.lower()


def _varies_on_accept(response: httpx.Response) -> bool:
    """`Vary` names Accept (other middleware, e.g. gzip or CORS, may add more)."""
    return "accept" in {token.strip().lower() for token in response.headers.get("vary", "").split(",")}
