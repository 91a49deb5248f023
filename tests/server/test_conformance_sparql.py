"""The W3C SPARQL 1.1 Protocol and Service Description tests, run against a live `algokg serve`.

The protocol manifest (`../shared/conformance/sparql11/protocol/manifest.ttl`) describes each test as HTTP
requests (method, path, headers, body with its encoding) and expected responses (status class, result format,
boolean); each request is replayed here, with the test's IRI as its id. The endpoint is read-only: the update
tests belong to the update endpoint and are skipped here. The three service description tests are prose;
each is written out below.
"""

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
    serialize,
)
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection

from tests.conftest import SHARED, shared_path
from tests.server.conftest import Server

SUITE = SHARED / "conformance" / "sparql11"
PROTOCOL = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
SERVICE_DESCRIPTION = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/service-description/manifest#"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
SD = "http://www.w3.org/ns/sparql-service-description#"
UPDATE_SKIP = "SPARQL Update is not part of the read-only /sparql endpoint: see test_graph_store / update tests"

RESULT_TYPES = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
RDF_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
}


def _manifest(name: str) -> Graph | None:
    path = SUITE / name / "manifest.ttl"
    if not path.exists():
        return None  # the tests skip with shared_path's reason
    return Graph().parse(path, format="turtle", publicID=str(path.as_uri()))


def _entries(graph: Graph | None) -> list[URIRef]:
    if graph is None:
        return []
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    return list(Collection(graph, graph.value(manifest, MF.entries)))


PROTOCOL_MANIFEST = _manifest("protocol")
PROTOCOL_TESTS = _entries(PROTOCOL_MANIFEST) or [URIRef(PROTOCOL + "missing")]


# -- the data the protocol tests query ------------------------------------------------------------


@pytest.fixture(scope="module")
def protocol_server(running_server: Callable[..., Server], tmp_path_factory: pytest.TempPathFactory) -> Server:
    """A server on a store holding the suite's data files, each in the named graph its test names."""
    shared_path("conformance", "sparql11", "protocol", "manifest.ttl")
    assert PROTOCOL_MANIFEST is not None
    graphs = {
        str(PROTOCOL_MANIFEST.value(node, RDFS_LABEL)): Path(
            urlsplit(str(PROTOCOL_MANIFEST.value(node, UT.graph))).path
        )
        for node in PROTOCOL_MANIFEST.objects(None, UT.graphData)
    }
    assert len(graphs) == 3, graphs
    store_dir = tmp_path_factory.mktemp("protocol-store") / "store"
    generation = store_dir / "gen-000001"
    store_dir.mkdir()
    store = Store(str(generation))
    for name, path in graphs.items():
        store.bulk_load(path=str(path), format=RdfFormat.N_TRIPLES, to_graph=NamedNode(name))
    store.flush()
    del store
    os.symlink(generation.name, store_dir / "current")
    return running_server(store_dir)


# -- replaying a manifest request ---------------------------------------------------------------


def _requests(graph: Graph, test: URIRef) -> list[URIRef]:
    action = graph.value(test, MF.action)
    return list(Collection(graph, graph.value(action, HT.requests)))


def _send(graph: Graph, request: URIRef, base: str) -> httpx.Response:
    path = str(graph.value(request, HT.absolutePath))
    assert path.startswith("/sparql/"), path
    url = base + "/sparql" + path[len("/sparql/") :]
    headers = {}
    if (header_list := graph.value(request, HT.headers)) is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    content = None
    if (body := graph.value(request, HT.body)) is not None:
        encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
        content = str(graph.value(body, CNT.chars)).encode(encoding)
    method = str(graph.value(request, HT.methodName))
    return httpx.request(method, url, headers=headers, content=content, timeout=30)


def _check(graph: Graph, request: URIRef, response: httpx.Response) -> None:
    expected = graph.value(request, HT.resp)
    classes = {str(status).removeprefix(HTS) for status in graph.objects(expected, MF.expectedStatus)}
    assert f"{response.status_code // 100}xx" in classes, (response.status_code, classes, response.text[:500])
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    expected_format = graph.value(expected, MF.expectedFormat)
    if expected_format is not None:
        allowed = {
            "boolean": ["application/sparql-results+json", "application/sparql-results+xml"],
            "tabular": list(RESULT_TYPES),
            "RDF": list(RDF_TYPES),
        }[str(expected_format)]
        assert media_type in allowed, (media_type, str(expected_format))
        if str(expected_format) == "RDF":
            list(parse(response.content, format=RDF_TYPES[media_type]))  # it parses
        else:
            parse_query_results(response.content, format=RESULT_TYPES[media_type])
    expected_boolean = graph.value(expected, MF.expectedBoolean)
    if expected_boolean is not None:
        results = parse_query_results(response.content, format=RESULT_TYPES[media_type])
        assert isinstance(results, QueryBoolean)
        assert bool(results) is expected_boolean.toPython()


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=str)
def test_protocol(test: URIRef, protocol_server: Server) -> None:
    assert PROTOCOL_MANIFEST is not None
    name = test.removeprefix(PROTOCOL)
    if "update" in name:
        pytest.skip(UPDATE_SKIP)
    for request in _requests(PROTOCOL_MANIFEST, test):
        response = _send(PROTOCOL_MANIFEST, request, protocol_server.base)
        _check(PROTOCOL_MANIFEST, request, response)


def test_protocol_manifest_is_complete() -> None:
    """Every entry is run above, and the update ones are exactly those skipped (none slipped through)."""
    shared_path("conformance", "sparql11", "protocol", "manifest.ttl")
    names = [test.removeprefix(PROTOCOL) for test in PROTOCOL_TESTS]
    assert len(names) == 34
    assert sum("update" in name for name in names) == 14


# -- the service description tests (prose in their manifest) -----------------------------------


def _description(server: Server, accept: str = "text/turtle") -> tuple[httpx.Response, Graph]:
    response = httpx.get(server.url("/sparql"), headers={"Accept": accept})
    media_type = response.headers["content-type"].split(";")[0]
    # pyoxigraph reads every syntax; rdflib gets N-Triples (its JSON-LD parser warns about deprecated API).
    triples = serialize(parse(response.content, format=RDF_TYPES[media_type]), format=RdfFormat.N_TRIPLES)
    return response, Graph().parse(data=triples, format="nt")


@pytest.fixture(scope="module")
def described(protocol_server: Server) -> Server:
    shared_path("conformance", "sparql11", "service-description", "manifest.ttl")
    return protocol_server


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json"])
def test_returns_rdf(described: Server, accept: str) -> None:
    """sd:returns-rdf — a GET on the endpoint without a query returns RDF (here in three syntaxes)."""
    response, graph = _description(described, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert len(graph) > 10


def test_has_endpoint_triple(described: Server) -> None:
    """sd:has-endpoint-triple — the description has `?service sd:endpoint <the URL asked>`."""
    _, graph = _description(described)
    endpoint = URIRef(described.url("/sparql"))
    services = list(graph.subjects(URIRef(SD + "endpoint"), endpoint))
    assert services, sorted(graph.objects(None, URIRef(SD + "endpoint")))
    assert (services[0], RDF.type, URIRef(SD + "Service")) in graph


def test_conforms_to_schema(described: Server) -> None:
    """sd:conforms-to-schema — every sd: term used exists in the vocabulary and fits its domain and range."""
    _, graph = _description(described)
    sd = Namespace(SD)
    service = next(graph.subjects(RDF.type, sd.Service))
    languages = {sd.SPARQL10Query, sd.SPARQL11Query, sd.SPARQL11Update}
    features = {sd.DereferencesURIs, sd.UnionDefaultGraph, sd.RequiresDataset, sd.EmptyGraphs, sd.BasicFederatedQuery}
    assert set(graph.objects(service, sd.supportedLanguage)) <= languages
    assert sd.SPARQL11Query in set(graph.objects(service, sd.supportedLanguage))
    assert set(graph.objects(service, sd.feature)) <= features
    assert sd.UnionDefaultGraph in set(graph.objects(service, sd.feature))
    formats = set(graph.objects(service, sd.resultFormat))
    assert formats and all(str(f).startswith("http://www.w3.org/ns/formats/") for f in formats)
    for function in graph.objects(service, sd.extensionFunction):
        assert (function, RDF.type, sd.Function) in graph
    datasets = list(graph.objects(service, sd.defaultDataset))
    assert len(datasets) == 1
    dataset = datasets[0]
    assert (dataset, RDF.type, sd.Dataset) in graph
    default_graph = graph.value(dataset, sd.defaultGraph)
    assert (default_graph, RDF.type, sd.Graph) in graph
    names = set()
    for named in graph.objects(dataset, sd.namedGraph):
        assert (named, RDF.type, sd.NamedGraph) in graph
        names.add(str(graph.value(named, sd.name)))
    assert "http://kasei.us/2009/09/sparql/data/data1.rdf" in names
    used = {term for triple in graph for term in triple if isinstance(term, URIRef) and term.startswith(SD)}
    vocabulary = {
        *(sd[name] for name in ("Service", "Dataset", "Graph", "NamedGraph", "Function", "Language", "Feature")),
        *(sd[name] for name in ("endpoint", "supportedLanguage", "feature", "resultFormat", "defaultDataset")),
        *(sd[name] for name in ("defaultGraph", "namedGraph", "name", "extensionFunction", "defaultEntailmentRegime")),
        *languages,
        *features,
    }
    assert used <= vocabulary, used - vocabulary
