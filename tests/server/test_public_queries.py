"""Public queries on a live `algokg serve` (embedded store): only queries pass, bounded, no outbound request
except to allowed public endpoints, and no internal message reaches a client (issue 12: points 2, 5, 12).

Remote stores (point 1, SERVICE run by the remote store) are in `test_remote_stores.py`."""

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks.namespaces import NamespaceHost, NamespaceUnavailable, public_test_host
from benchmarks.processes import free_port, running
from benchmarks.remote_stores import OXIGRAPH
from sparql_api.query_gate import CELLAR
from tests.http_stub import Stub, counting
from tests.server.conftest import Server

SECRET = "SECRET-UPSTREAM-BODY"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def loopback() -> Iterator[Stub]:
    """An HTTP server on loopback that answers 500 with a secret body and counts the requests it got."""
    with counting(500, SECRET.encode()) as stub:
        yield stub


def _problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()  # type: ignore[no-any-return]


# -- point 2: SSRF through SERVICE ----------------------------------------------------------------------------


def test_service_to_loopback_is_refused_and_nothing_is_sent(server: str, loopback: Stub) -> None:
    closed = f"http://127.0.0.1:{free_port()}/sparql"
    answers = []
    for endpoint in (f"{loopback.base}/sparql", closed):
        query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
        body = _problem(httpx.get(f"{server}/sparql", params={"query": query}, timeout=60), 400)
        assert "ALGOKG_SERVICE_ALLOW" in str(body["detail"]) and SECRET not in str(body)
        answers.append(str(body["detail"]).replace(endpoint, "ENDPOINT"))
    assert loopback.hits == []
    assert answers[0] == answers[1]  # an open port and a closed one answer alike: no port scanner


def test_the_query_page_is_gated_too(server: str, loopback: Stub) -> None:
    """The plain editor of /query runs the query on the server: the same gate as /sparql."""
    query = f"SELECT * WHERE {{ SERVICE <{loopback.base}/sparql> {{ ?s ?p ?o }} }}"
    page = httpx.get(f"{server}/query", params={"editor": "plain", "query": query}, timeout=60)
    assert page.status_code == 400 and "ALGOKG_SERVICE_ALLOW" in page.text and SECRET not in page.text
    update = httpx.get(f"{server}/query", params={"editor": "plain", "query": "DROP ALL"}, timeout=60)
    assert update.status_code == 400 and "/update" in update.text
    assert loopback.hits == []


def test_a_local_allow_list_entry_stops_the_server(example_store: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "loader.cli", "serve", "--offline", "--store", str(example_store)]
    command += ["--port", str(free_port())]
    environment = {"ALGOKG_SERVICE_ALLOW": f"{CELLAR},http://127.0.0.1:7878/query", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "ALGOKG_SERVICE_ALLOW" in result.stderr and "http://127.0.0.1:7878/query" in result.stderr
    assert "Traceback" not in result.stderr


# -- points 5 and 12: what would crash a parser, and what a client is told ----------------------------------


def test_deep_nesting_is_400_and_the_server_stays_up(server: str) -> None:
    nested = "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000
    body = _problem(httpx.post(f"{server}/sparql", data={"query": nested}, timeout=60), 400)
    assert body["title"] == "Query nested too deeply" and "ALGOKG_MAX_QUERY_DEPTH" in str(body["detail"])
    # Flat but chained: within the limits, yet pyoxigraph's planner overflows its stack. It costs a worker.
    chained = "SELECT * WHERE { ?s " + "/".join(["<urn:p>"] * 10_000) + " ?o }"
    body = _problem(httpx.post(f"{server}/sparql", data={"query": chained}, timeout=60), 400)
    assert body["title"] == "Query too complex" and "Traceback" not in str(body)
    ask = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, timeout=60)
    assert ask.status_code == 200 and ask.json()["boolean"] is True


def test_an_update_on_sparql_is_refused_naming_update(server: str) -> None:
    for update in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }"):
        body = _problem(httpx.post(f"{server}/sparql", data={"query": update}, timeout=60), 400)
        assert body["title"] == "Not a query" and "POST /update" in str(body["detail"])


def test_rest_and_pages_never_show_the_parser(server: str) -> None:
    """A page number too large for the query's OFFSET once answered `Query failed` with pyoxigraph's words."""
    response = httpx.get(f"{server}/api/algorithms", params={"page": "9" * 23}, timeout=60)
    assert response.headers["content-type"].startswith(PROBLEM) and response.status_code in (400, 500)
    assert "expected" not in response.text and "error at" not in response.text
    page = httpx.get(f"{server}/algorithms", params={"page": "9" * 23}, timeout=60)
    assert page.status_code in (400, 500) and "expected one of" not in page.text


# -- SERVICE to an allowed endpoint: a test host on a public-looking address --------------------------------

_UPSTREAM = textwrap.dedent(
    """
    import sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", sys.argv[3])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = sys.argv[4].encode()
            self.send_response(200 if self.path.startswith("/ready") else 500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

    HTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
    """
)


@pytest.fixture(scope="module")
def test_host() -> Iterator[NamespaceHost]:
    try:
        with public_test_host() as host:
            yield host
    except NamespaceUnavailable as error:
        pytest.skip(f"no test host on a public address: {error}")


@pytest.fixture(scope="module")
def federating(
    test_host: NamespaceHost,
    running_server: Callable[..., Server],
    example_store: Path,
    loopback: Stub,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, dict[str, str]]]:
    """An Oxigraph server and a failing HTTP server on the test host, and an API that may call both."""
    work = tmp_path_factory.mktemp("federation")
    data = work / "data.nt"
    data.write_text('<urn:x:thing> <urn:x:says> "hello from the test host" .\n', encoding="utf-8")
    subprocess.run([OXIGRAPH, "load", "--location", str(work / "db"), "--file", str(data)], check=True, timeout=120)
    script = work / "upstream.py"
    script.write_text(_UPSTREAM, encoding="utf-8")
    address = test_host.address
    endpoints = {
        "store": f"http://{address}:7878/query",
        "failing": f"http://{address}:8080/fail",
        "closed": f"http://{address}:8081/closed",
        "redirect": f"http://{address}:8080/redirect",
    }
    oxigraph = test_host.command([OXIGRAPH, "serve", "--location", str(work / "db"), "--bind", f"{address}:7878"])
    upstream = test_host.command([sys.executable, str(script), address, "8080", f"{loopback.base}/sparql", SECRET])
    with (
        running(oxigraph, endpoints["store"] + "?query=ASK%7B%7D", "oxigraph in the test host", work / "ox.log"),
        running(upstream, f"http://{address}:8080/ready", "upstream in the test host", work / "up.log"),
    ):
        env = {"ALGOKG_SERVICE_ALLOW": ",".join(endpoints.values())}
        yield running_server(example_store, env=env), endpoints


def _service(server: Server, endpoint: str) -> httpx.Response:
    query = f"SELECT ?said WHERE {{ SERVICE <{endpoint}> {{ <urn:x:thing> <urn:x:says> ?said }} }}"
    return httpx.get(server.url("/sparql"), params={"query": query}, timeout=60)


def test_service_to_an_allowed_public_endpoint_runs(federating: tuple[Server, dict[str, str]]) -> None:
    server, endpoints = federating
    response = _service(server, endpoints["store"])
    assert response.status_code == 200, response.text
    assert [b["said"]["value"] for b in response.json()["results"]["bindings"]] == ["hello from the test host"]
    # Listed, yet a loopback endpoint is still refused.
    assert _service(server, "http://127.0.0.1:7878/query").status_code == 400


def test_upstream_failures_answer_alike_and_echo_nothing(federating: tuple[Server, dict[str, str]]) -> None:
    """An upstream error body and a closed port give the same generic answer; the details go to the log."""
    server, endpoints = federating
    answers = []
    for name in ("failing", "closed"):
        body = _problem(_service(server, endpoints[name]), 500)
        assert SECRET not in str(body) and "refused" not in str(body).lower() and endpoints[name] not in str(body)
        answers.append((body["title"], str(body["detail"]).replace(str(body["reference"]), "REF")))
        assert str(body["reference"]) in server.log()
    assert answers[0] == answers[1]
    assert SECRET in server.log()  # the operator can still see what the upstream said


def test_a_redirect_from_an_allowed_endpoint_is_not_followed_inward(
    federating: tuple[Server, dict[str, str]], loopback: Stub
) -> None:
    server, endpoints = federating
    before = len(loopback.hits)
    response = _service(server, endpoints["redirect"])
    assert response.status_code in (400, 500) and SECRET not in response.text
    assert len(loopback.hits) == before, "pyoxigraph followed an allowed endpoint's redirect to loopback"
