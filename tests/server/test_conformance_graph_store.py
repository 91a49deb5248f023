"""The W3C SPARQL 1.1 graph-store-protocol tests and the protocol's update tests, against a live server with a token.

Read from `../shared/conformance/sparql11/` (skipped, saying so, when absent). The graph store tests run in the
manifest's order, on one store, as the suite means them to; where the (deprecated) suite contradicts itself,
the test says so and why:

- `delete__existing_graph` deletes `person/2.ttl`, which no earlier test creates: it is PUT first.
- `post__existing_graph` and `post__multipart_formdata` end their Turtle without the final "." Turtle requires
  (pyoxigraph, rightly, refuses it): the test adds it.
- `get_of_post__existing_graph` expects the graph from before that POST (John Doe, without the foaf:name the
  POST added, and after `put__graph_already_in_store` made it Jane Doe): only its status is checked; the
  graph after the POSTs is checked in full by `get_of_post__multipart_formdata`.

The protocol manifest addresses every request to `/sparql/`; updates go to `/update` here (the manifest
allows separate endpoints). Its update tests start with CLEAR ALL / DROP ALL, which this server refuses with 403
(they would remove the protected graphs: the model, provenance, validation results): each such request is sent
as written and must be refused, then again with `CLEAR DEFAULT` / `DROP DEFAULT` in their place (the graphs
the tests write are their own, so what earlier tests left there does not change the answers).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from tests.server.conftest import Server, start_server, store_copy

SUITE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "sparql11"
GSP_MANIFEST = SUITE / "http-rdf-update" / "manifest.ttl"
PROTOCOL_MANIFEST = SUITE / "protocol" / "manifest.ttl"
TOKEN = "conformance-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

pytestmark = pytest.mark.skipif(
    not GSP_MANIFEST.exists() or not PROTOCOL_MANIFEST.exists(),
    reason=f"the W3C SPARQL 1.1 test suites are not in {SUITE} (../shared is absent)",
)


@pytest.fixture(scope="module")
def live(example_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a write token and a public base equal to its address (graph IRIs are request URLs)."""
    store_dir = store_copy(example_store, tmp_path_factory.mktemp("conformance"))
    # Without ALGOKG_PUBLIC_BASE the public base is the address served: http://127.0.0.1:{port}.
    with start_server(store_dir, env={"ALGOKG_WRITE_TOKEN": TOKEN}) as server:
        yield server


# -- the graph store protocol suite ------------------------------------------------------------------------------


@dataclass
class Exchange:
    name: str
    method: str
    target: str
    headers: dict[str, str]
    body: str
    status: int
    response_headers: dict[str, str]
    response_body: str


def _exchanges() -> list[Exchange]:
    """The manifest's tests in order, each an HTTP request and response written out in its rdfs:comment."""
    if not GSP_MANIFEST.exists():
        return []
    manifest = Graph().parse(GSP_MANIFEST, format="turtle")
    entries = Collection(manifest, next(manifest.objects(None, MF.entries)))
    return [_exchange(str(manifest.value(entry, MF.name)), _comment(manifest, entry)) for entry in entries]


def _comment(manifest: Graph, entry: object) -> str:
    return next(str(c) for c in manifest.objects(entry, RDFS.comment) if "#### Request" in str(c))  # type: ignore[arg-type]


def _exchange(name: str, text: str) -> Exchange:
    request, _, response = text.partition("#### Response")
    method, target, head, body = _message(request.split("#### Request", 1)[1])
    status_line, _, response_head, response_body = _message(response)
    return Exchange(name, method, target, head, body, int(status_line), response_head, response_body)


def _message(block: str) -> tuple[str, str, dict[str, str], str]:
    lines = [line[4:] if line.startswith("    ") else line.strip() for line in block.strip("\n").splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    first = lines[0].split()
    headers: dict[str, str] = {}
    index = 1
    while index < len(lines) and lines[index].strip():
        key, _, value = lines[index].partition(":")
        headers[key.strip().lower()] = value.strip()
        index += 1
    body = "\n".join(lines[index + 1 :]).strip()
    return first[0], first[1] if len(first) > 1 else "", headers, body


EXCHANGES = _exchanges()
UNTERMINATED = re.compile(r'^(<[^>]+> \S+ "[^"]*")$', re.MULTILINE)


def _fill(text: str, server: Server, new_path: str | None) -> str:
    host = urlsplit(server.base).netloc
    text = text.replace("$HOST$", host).replace("$GRAPHSTORE$", "store")
    return text.replace("$NEWPATH$", new_path or "$NEWPATH$")


def _send(server: Server, exchange: Exchange, new_path: str | None) -> httpx.Response:
    target = _fill(exchange.target, server, new_path)
    url = target if target.startswith("http") else f"{server.base}/{target.lstrip('/')}"
    headers = {key: _fill(value, server, new_path) for key, value in exchange.headers.items() if key != "host"}
    if exchange.method in ("PUT", "POST", "DELETE"):
        headers.update(AUTH)
    text = _fill(exchange.body, server, new_path)
    if exchange.name.startswith("POST - "):
        text = UNTERMINATED.sub(r"\1 .", text)  # the suite's erratum: a triple without its final "."
    body = text.encode()
    if headers.get("content-type", "").startswith("multipart/form-data"):
        body = body.replace(b"\n", b"\r\n")  # the manifest writes the parts with bare newlines
    return httpx.request(exchange.method, url, headers=headers, content=body or None, timeout=60)


@pytest.fixture(scope="module")
def graph_store_state() -> dict[str, str]:
    return {}


@pytest.mark.parametrize("exchange", EXCHANGES, ids=[e.name for e in EXCHANGES])
def test_graph_store_protocol(live: Server, exchange: Exchange, graph_store_state: dict[str, str]) -> None:
    new_path = graph_store_state.get("new_path")
    if exchange.name == "DELETE - existing graph":
        precondition = Exchange(
            "", "PUT", "$GRAPHSTORE$/person/2.ttl", {"content-type": "text/turtle"}, "", 201, {}, ""
        )
        assert _send(live, precondition, None).status_code in (201, 204)
    response = _send(live, exchange, new_path)
    assert response.status_code == exchange.status, f"{exchange.name}: {response.status_code} {response.text}"
    if "location" in exchange.response_headers:
        graph_store_state["new_path"] = response.headers["location"]
    expected_type = exchange.response_headers.get("content-type")
    if expected_type:
        assert response.headers["content-type"].split(";")[0] == expected_type.split(";")[0]
    if exchange.response_body and exchange.name != "GET of POST - existing graph":
        base = response.request.url
        expected = Graph().parse(
            data=_fill(exchange.response_body, live, new_path), format="turtle", publicID=str(base)
        )
        found = Graph().parse(data=response.text, format="turtle", publicID=str(base))
        assert isomorphic(found, expected), f"{exchange.name}:\n{response.text}"


# -- the protocol suite's update tests ---------------------------------------------------------------------------


@dataclass
class ProtocolRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: set[str]  # "2xx", "4xx", …
    boolean: bool | None


def _protocol_tests() -> list[tuple[str, list[ProtocolRequest]]]:
    if not PROTOCOL_MANIFEST.exists():
        return []
    manifest = Graph().parse(PROTOCOL_MANIFEST, format="turtle")
    tests = []
    for entry in Collection(manifest, next(manifest.objects(None, MF.entries))):
        name = str(entry).rsplit("#", 1)[1]
        if "update" not in name:
            continue
        action = manifest.value(entry, MF.action)
        requests = [_request(manifest, node) for node in Collection(manifest, manifest.value(action, HT.requests))]
        tests.append((name, requests))
    return tests


def _request(manifest: Graph, node: object) -> ProtocolRequest:
    headers = {}
    if (listing := manifest.value(node, HT.headers)) is not None:  # type: ignore[arg-type]
        for header in Collection(manifest, listing):
            headers[str(manifest.value(header, HT.fieldName))] = str(manifest.value(header, HT.fieldValue))
    body_node = manifest.value(node, HT.body)  # type: ignore[arg-type]
    body = str(manifest.value(body_node, CNT.chars)) if body_node is not None else None
    response = manifest.value(node, HT.resp)  # type: ignore[arg-type]
    statuses = {re.sub(r".*StatusCode", "", str(s)) for s in manifest.objects(response, MF.expectedStatus)}
    boolean = manifest.value(response, MF.expectedBoolean)
    return ProtocolRequest(
        str(manifest.value(node, HT.methodName)),  # type: ignore[arg-type]
        str(manifest.value(node, HT.absolutePath)),  # type: ignore[arg-type]
        headers,
        body,
        statuses,
        None if boolean is None else bool(boolean.toPython()),
    )


PROTOCOL_TESTS = _protocol_tests()


def _is_update(request: ProtocolRequest) -> bool:
    content_type = request.headers.get("content-type", "")
    body = request.body or ""
    return (
        "update=" in request.path
        or "sparql-update" in content_type
        or body.startswith("update=")
        or (request.method == "POST" and "sparql-query" not in content_type and "query=" not in body)
    )


def _protocol_send(server: Server, request: ProtocolRequest) -> httpx.Response:
    endpoint = "/update" if _is_update(request) else "/sparql"
    path = endpoint + request.path.removeprefix("/sparql/").removeprefix("/sparql").lstrip("/")
    headers = dict(request.headers)
    if endpoint == "/update":
        headers.update(AUTH)
    if request.boolean is not None:
        headers["Accept"] = "application/sparql-results+json"
    content = None
    if request.body is not None:
        charset = re.search(r"charset=([\w-]+)", headers.get("content-type", ""))
        content = request.body.encode(charset[1] if charset else "utf-8")
    return httpx.request(request.method, server.url(path), headers=headers, content=content, timeout=60)


_EVERY_GRAPH = re.compile(r"\b(CLEAR|DROP)(\+|%20|\s)+ALL\b")


def _without_every_graph(request: ProtocolRequest) -> ProtocolRequest | None:
    """The request with CLEAR/DROP ALL made CLEAR/DROP DEFAULT, or None when it has none."""
    if request.body is None or not _EVERY_GRAPH.search(request.body):
        return None
    body = _EVERY_GRAPH.sub(lambda match: match[0].replace("ALL", "DEFAULT"), request.body)
    return ProtocolRequest(request.method, request.path, request.headers, body, request.statuses, request.boolean)


@pytest.mark.parametrize("name, requests", PROTOCOL_TESTS, ids=[name for name, _ in PROTOCOL_TESTS])
def test_protocol_update(live: Server, name: str, requests: list[ProtocolRequest]) -> None:
    for request in requests:
        if (allowed := _without_every_graph(request)) is not None:
            refused = _protocol_send(live, request)
            assert refused.status_code == 403, f"{name}: {refused.status_code} {refused.text}"
            assert "https://w3id.org/algokg/graph/model/ontology/algokg" in refused.json()["graphs"]
            request = allowed
        response = _protocol_send(live, request)
        if request.statuses:
            assert f"{response.status_code // 100}xx" in request.statuses, (
                f"{name}: {response.status_code} {response.text}"
            )
        if request.boolean is not None or (
            name == "update_base_uri" and request.method == "POST" and "ASK" in (request.body or "")
        ):
            assert response.status_code == 200, response.text
            # update_base_uri gives no expectation; the base IRI is the endpoint, so the answer is true.
            assert response.json()["boolean"] is (True if request.boolean is None else request.boolean), name


def test_every_update_test_of_the_protocol_suite_ran() -> None:
    names = {name for name, _ in PROTOCOL_TESTS}
    assert {"update_dataset_full", "update_post_form", "bad_update_dataset_conflict", "bad_update_get"} <= names
    assert len(EXCHANGES) == 18
