"""VoID, DCAT, dumps, health, readiness and metrics against a real `algokg serve` on a copy of the example store."""

import gzip
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

from tests.server.conftest import Server, store_copy

VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def server(
    running_server: Callable[..., Server], example_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Server:
    # A private copy: the server writes its dumps into the store directory.
    return running_server(store_copy(example_store, tmp_path_factory.mktemp("metadata")))


def _count(server: Server, query: str) -> int:
    response = httpx.get(server.url("/sparql"), params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    return int(response.text.splitlines()[1])


def _graph(server: Server, path: str) -> list[Quad]:
    response = httpx.get(server.url(path), headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    assert _varies_on_accept(response)
    return [Quad(t.subject, t.predicate, t.object) for t in parse(response.content, RdfFormat.N_TRIPLES)]


def _value(quads: list[Quad], subject: str, predicate: str) -> str:
    values = [q.object.value for q in quads if q.subject.value == subject and q.predicate.value == predicate]
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_void_counts_equal_sparql_counts(server: Server) -> None:
    void = _graph(server, "/.well-known/void")
    dataset = f"{server.base}/.well-known/void#algokg"
    expected = {
        "triples": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        "entities": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER isIRI(?s) }",
        "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
        "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
        "distinctSubjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
        "distinctObjects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
    }
    for name, query in expected.items():
        assert int(_value(void, dataset, VOID + name)) == _count(server, query) > 0, name
    assert _value(void, dataset, VOID + "sparqlEndpoint") == f"{server.base}/sparql"
    assert _value(void, dataset, VOID + "dataDump") == f"{server.base}/dumps/algokg.nq.gz"
    assert _value(void, dataset, DCT + "license").startswith(
        "http://publications.europa.eu/resource/authority/licence/"
    )
    vocabularies = {q.object.value for q in void if q.predicate.value == VOID + "vocabulary"}
    assert {"https://w3id.org/algokg/def#", "http://www.w3.org/2004/02/skos/core#"} <= vocabularies


def test_void_has_one_subset_per_named_graph_with_its_count(server: Server) -> None:
    void = _graph(server, "/.well-known/void")
    subsets = [q.object.value for q in void if q.predicate.value == VOID + "subset"]
    graphs = httpx.get(
        server.url("/sparql"),
        params={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "text/csv"},
    ).text.splitlines()[1:]
    counts = dict(line.split(",") for line in graphs)
    assert sorted(subsets) == sorted(counts)
    assert "https://w3id.org/algokg/graph/dataset/example" in counts
    for graph, count in counts.items():
        assert int(_value(void, graph, VOID + "triples")) == int(count)


def test_dumps_checksums_match_the_served_bytes(server: Server) -> None:
    sums = httpx.get(server.url("/dumps/SHA256SUMS"))
    assert sums.status_code == 200
    listed = dict(reversed(line.split("  ")) for line in sums.text.splitlines())
    assert set(listed) == {"algokg.nq.gz", "algorithms.csv"}
    catalog = _graph(server, "/catalog")
    for name, digest in listed.items():
        body = httpx.get(server.url(f"/dumps/{name}"))
        assert body.status_code == 200
        assert hashlib.sha256(body.content).hexdigest() == digest
        assert body.headers["etag"] == f'"{digest}"'
        assert httpx.get(server.url(f"/dumps/{name}"), headers={"If-None-Match": f'"{digest}"'}).status_code == 304
        distribution = f"{server.base}/catalog#dump-{name}"
        assert _value(catalog, distribution, DCAT + "downloadURL") == server.url(f"/dumps/{name}")
        assert int(_value(catalog, distribution, DCAT + "byteSize")) == len(body.content)
        checksum = _value(catalog, distribution, SPDX + "checksum")
        assert _value(catalog, checksum, SPDX + "checksumValue") == digest
        assert _value(catalog, checksum, SPDX + "algorithm") == SPDX + "checksumAlgorithm_sha256"


def test_nquads_dump_reloads_with_the_same_quad_count(server: Server) -> None:
    body = httpx.get(server.url("/dumps/algokg.nq.gz"))
    assert body.headers["content-type"] == "application/gzip"
    store = Store()
    store.load(gzip.decompress(body.content), RdfFormat.N_QUADS)
    assert len(store) == _count(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") > 1000
    assert Quad(
        NamedNode("https://w3id.org/algokg/id/algorithm/00000001"),
        NamedNode("https://w3id.org/algokg/def#algorithmId"),
        Literal("00000001"),
        NamedNode("https://w3id.org/algokg/graph/dataset/example"),
    ) in set(store)


def test_csv_dump_lists_the_algorithms(server: Server) -> None:
    lines = httpx.get(server.url("/dumps/algorithms.csv")).text.splitlines()
    assert lines[0].startswith("algorithm_id,name,")
    assert any(line.startswith("00000001,") for line in lines[1:])


def test_dumps_are_cached_per_generation(server: Server) -> None:
    httpx.get(server.url("/dumps/SHA256SUMS"))
    generation = (server.store_dir / "current").resolve().name
    directory = server.store_dir / "dumps" / generation
    assert sorted(p.name for p in directory.iterdir()) == ["SHA256SUMS", "algokg.nq.gz", "algorithms.csv"]
    before = (directory / "algokg.nq.gz").stat().st_mtime_ns
    httpx.get(server.url("/catalog"))
    assert (directory / "algokg.nq.gz").stat().st_mtime_ns == before  # not made again


def test_unknown_dump_is_404(server: Server) -> None:
    response = httpx.get(server.url("/dumps/everything.zip"))
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


def test_dcat_catalogue(server: Server) -> None:
    catalog = _graph(server, "/catalog")
    types = {(q.subject.value, q.object.value) for q in catalog if q.predicate.value.endswith("#type")}
    dataset = f"{server.base}/.well-known/void#algokg"
    assert (f"{server.base}/catalog", DCAT + "Catalog") in types and (dataset, DCAT + "Dataset") in types
    services = {q.subject.value for q in catalog if q.predicate.value == DCAT + "endpointURL"}
    assert f"{server.base}/catalog#sparql-service" in services
    distributions = {q.object.value for q in catalog if q.predicate.value == DCAT + "distribution"}
    assert {f"{server.base}/catalog#dump-algokg.nq.gz", f"{server.base}/catalog#distribution-sparql"} <= distributions
    assert _value(catalog, f"{server.base}/catalog", DCT + "publisher")
    turtle = httpx.get(server.url("/catalog"))
    assert turtle.headers["content-type"].startswith("text/turtle")
    again = httpx.get(server.url("/catalog"), headers={"If-None-Match": turtle.headers["etag"]})
    assert again.status_code == 304


def test_health_and_ready(server: Server) -> None:
    assert httpx.get(server.url("/health")).json() == {"status": "ok"}
    ready = httpx.get(server.url("/ready"))
    assert ready.status_code == 200 and ready.json()["data_version"].startswith("gen-")


def _metric(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match[3])
    return 0.0


def test_metrics_counters_increase(server: Server) -> None:
    before = httpx.get(server.url("/metrics"))
    assert before.status_code == 200 and before.headers["content-type"].startswith("text/plain")
    for _ in range(3):
        assert httpx.get(server.url("/id/algorithm/00000001")).status_code == 200
    httpx.get(server.url("/id/algorithm/99999999"))
    after = httpx.get(server.url("/metrics")).text
    route = "/id/{rest:path}"
    ok = {"route": route, "method": "GET", "status": "200"}
    assert (
        _metric(after, "algokg_http_requests_total", **ok)
        >= _metric(before.text, "algokg_http_requests_total", **ok) + 3
    )
    assert _metric(after, "algokg_http_requests_total", route=route, status="404") >= 1
    assert _metric(after, "algokg_http_request_duration_seconds_count", route=route) >= 4
    queries = "algokg_query_duration_seconds_count"
    assert _metric(after, queries, operation="select", outcome="ok") > _metric(
        before.text, queries, operation="select", outcome="ok"
    )
    assert "algokg_query_timeouts_total" in after
    void = _graph(server, "/.well-known/void")
    triples = int(_value(void, f"{server.base}/.well-known/void#algokg", VOID + "triples"))
    assert _metric(after, "algokg_store_triples") == triples
    generation = (server.store_dir / "current").resolve().name
    assert _metric(after, "algokg_data_version_info", version=generation) == 1


def test_ready_is_503_when_the_store_is_gone(
    running_server: Callable[..., Server], example_store: Path, tmp_path: Path
) -> None:
    broken = running_server(store_copy(example_store, tmp_path))
    assert httpx.get(broken.url("/ready")).status_code == 200
    (broken.store_dir / "current").rename(broken.store_dir / "moved")
    response = httpx.get(broken.url("/ready"))
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    assert httpx.get(broken.url("/health")).status_code == 200


def test_metrics_count_query_timeouts(
    running_server: Callable[..., Server], example_store: Path, tmp_path: Path
) -> None:
    impatient = running_server(store_copy(example_store, tmp_path), env={"ALGOKG_QUERY_TIMEOUT": "0.5"})
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = httpx.get(impatient.url("/sparql"), params={"query": endless}, timeout=30)
    assert response.status_code == 503
    text = httpx.get(impatient.url("/metrics")).text
    assert _metric(text, "algokg_query_timeouts_total") == 1
    assert _metric(text, "algokg_query_duration_seconds_count", outcome="timeout") == 1
    assert _metric(text, "algokg_http_requests_total", route="/sparql", status="503") == 1


def _varies_on_accept(response: httpx.Response) -> bool:
    """`Vary` names Accept (other middleware, e.g. gzip or CORS, may add more)."""
    return "accept" in {token.strip().lower() for token in response.headers.get("vary", "").split(",")}
