"""Errors, headers and metrics of a real server: every route walked with bad parameters answers problem+json (or an
HTML page for a browser), never a stack trace; nosniff everywhere, a CSP on pages, no CORS on writes; metric
labels stay bounded whatever methods and paths clients invent."""

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import Server, store_copy

# Parameters any route might read (pages read theirs from the request), besides the ones a route declares.
COMMON_PARAMETERS = ("id", "iri", "page", "size", "sort", "lang", "format", "q", "query", "months", "on", "graph")
BAD_VALUES = ("", "99999999999999999999999", "<x>'\"\u202e%00")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# What must never reach a client: a traceback, a Python exception's name, a file of the server's code.
LEAKS = re.compile(
    r"Traceback \(most recent call last\)|File \"/|site-packages|\.py\", line \d+"
    r"|\b(KeyError|ValueError|TypeError|AttributeError|IndexError|RecursionError|AssertionError|NameError)\b"
)


@pytest.fixture(scope="module")
def server(
    running_server: Callable[..., Server], example_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Server:
    # A private copy: /catalog and the dumps write beside the store.
    return running_server(store_copy(example_store, tmp_path_factory.mktemp("errors")))


@pytest.fixture(scope="module")
def routes(server: Server) -> list[dict[str, object]]:
    """The app's route table (path, methods, declared query parameters), read from `create_app` in a child
    process (its query workers end with it)."""
    program = textwrap.dedent(
        f"""
        import json
        from pathlib import Path
        from fastapi.routing import iter_route_contexts
        from sparql_api.app import create_app
        from sparql_api.settings import Settings

        def parameters(dependant):
            if dependant is None:
                return []
            names = [field.alias for field in dependant.query_params]
            for inner in dependant.dependencies:
                names += parameters(inner)
            return names

        app = create_app(Settings(store_dir=Path({str(server.store_dir)!r}), query_workers=1))
        print(json.dumps([
            {{"path": route.path, "methods": sorted(route.methods), "query": parameters(getattr(route, "dependant", None))}}
            for route in iter_route_contexts(app.routes) if route.methods
        ]))
        """
    )
    found = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120)
    table = json.loads(found.stdout.splitlines()[-1])
    assert len(table) >= 40, table  # the walk covers the whole app, not a stray subset
    return table


def _filled(path: str) -> str:
    """A route template with every path parameter set to something that names nothing."""
    return re.sub(r"\{[^}]+\}", "no-such-thing%00", path)


def _requests(routes: list[dict[str, object]]) -> Iterator[tuple[str, str, dict[str, str], str]]:
    for route in routes:
        names = [*dict.fromkeys([*route["query"], *COMMON_PARAMETERS])]  # type: ignore[misc]
        for method in route["methods"]:  # type: ignore[attr-defined]
            for number, value in enumerate(BAD_VALUES):
                accept = BROWSER if number == 1 else "*/*"
                yield method, _filled(str(route["path"])), dict.fromkeys(names, value), accept


def assert_error_shape(response: httpx.Response, where: str) -> None:
    """A 4xx/5xx is problem+json (its status in the body) or an HTML page; neither shows the server's internals."""
    status, media_type = response.status_code, response.headers.get("content-type", "")
    assert response.headers.get("x-content-type-options") == "nosniff", where
    if media_type.startswith("text/html"):
        assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), where
    if status < 400:
        return
    assert media_type.startswith(("application/problem+json", "text/html")) or response.request.method == "HEAD", (
        f"{where}: {status} as {media_type!r}: {response.text[:200]}"
    )
    if media_type.startswith("application/problem+json") and response.request.method != "HEAD":
        body = response.json()
        assert body["status"] == status and body["title"], where
    assert not LEAKS.search(response.text), f"{where}: {status} shows internals: {response.text[:500]}"


def test_every_route_with_bad_parameters(server: Server, routes: list[dict[str, object]]) -> None:
    failures = []
    with httpx.Client(base_url=server.base, timeout=60) as client:
        for method, path, params, accept in _requests(routes):
            where = f"{method} {path} {params.get('page')!r} ({accept.split(',')[0]})"
            response = client.request(method, path, params=params, headers={"Accept": accept})
            if response.status_code >= 500 and response.status_code != 503:
                failures.append(f"{where}: {response.status_code} {response.text[:200]}")
                continue
            try:
                assert_error_shape(response, where)
            except AssertionError as error:
                failures.append(str(error))
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("path", ["/api/law", "/api/organisation"])
def test_an_empty_id_is_a_bad_parameter(server: Server, path: str) -> None:
    response = httpx.get(server.url(path), params={"id": ""})
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["parameter"] == "id"


@pytest.mark.parametrize("path", ["/algorithms", "/api/algorithms", "/api/laws"])
def test_an_absurd_page_is_a_bad_parameter(server: Server, path: str) -> None:
    response = httpx.get(server.url(path), params={"page": "99999999999999999999999"})
    assert response.status_code == 400, response.text
    if path.startswith("/api/"):
        assert response.json()["parameter"] == "page"


@pytest.mark.parametrize("path", ["/api/reports/assessment-gaps", "/reports/assessment-gaps"])
def test_an_organisation_that_is_not_an_iri_is_a_bad_parameter(server: Server, path: str) -> None:
    """Before: a 500 (pyoxigraph's ValueError on `http://a"b`), on the API and on the page."""
    response = httpx.get(server.url(path), params={"organisation": 'http://a"b'}, headers={"Accept": BROWSER})
    assert response.status_code == 400, response.text[:300]
    assert "is not a valid IRI" in response.text and not LEAKS.search(response.text)
    assert response.headers["content-type"].startswith("text/html")  # a browser gets the page, also on /api/
    if path.startswith("/api/"):
        program = httpx.get(server.url(path), params={"organisation": 'http://a"b'})
        assert program.status_code == 400 and program.headers["content-type"] == "application/problem+json"
        assert program.json()["parameter"] == "organisation"


def test_a_store_that_cannot_be_read_or_written_shows_a_reference_not_the_error(
    running_server: Callable[..., Server], example_store: Path, tmp_path: Path
) -> None:
    """Before, a Graph Store GET, /ready and a write (token) answered the store's own words: paths of the server's
    disk, exception names."""
    token = "test-token-error-shapes"
    broken = running_server(store_copy(example_store, tmp_path), env={"ALGOKG_WRITE_TOKEN": token})
    graph = "https://w3id.org/algokg/graph/model/schemes/aiact"
    assert httpx.get(broken.url("/store"), params={"graph": graph}, timeout=60).status_code == 200
    (broken.store_dir / "gen-999999").mkdir()  # a generation that is no store: nothing can open it
    (broken.store_dir / "current.new").symlink_to("gen-999999")
    (broken.store_dir / "current.new").replace(broken.store_dir / "current")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
    answers = {
        "GET /store": httpx.get(broken.url("/store"), params={"graph": graph}, timeout=60),
        "GET /ready": httpx.get(broken.url("/ready"), timeout=60),
        "PUT /store": httpx.put(
            broken.url("/store"), params={"graph": "http://example.org/g"}, content=b"<a:s> <a:p> 1 .", headers=auth
        ),
    }
    for where, response in answers.items():
        assert response.status_code in (500, 503), f"{where}: {response.text}"
        assert response.headers["content-type"] == "application/problem+json", where
        detail = response.json()["detail"]
        assert "reference" in detail and str(broken.store_dir) not in detail and "Error" not in detail, (where, detail)
    assert f"request {answers['PUT /store'].json()['detail'].split('reference ')[1][:36]} failed" in broken.log()


def test_a_browser_gets_an_error_page_in_its_language(server: Server) -> None:
    for language, title in (("nl", "Niet gevonden"), ("en", "Not found")):
        page = httpx.get(server.url("/no/such/page"), headers={"Accept": BROWSER, "Accept-Language": language})
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert f"<title>{title}" in page.text and f'<html lang="{language}">' in page.text
    program = httpx.get(server.url("/no/such/page"))
    assert program.status_code == 404 and program.headers["content-type"] == "application/problem+json"
    bad = httpx.get(server.url("/api/algorithms"), params={"size": "0"}, headers={"Accept": BROWSER})
    assert bad.status_code == 400 and "Ongeldige waarde voor size" in bad.text


def test_an_unknown_method_is_a_problem(server: Server) -> None:
    """A method HTTP knows but no route takes: 405 with Allow; an invented one is refused by the HTTP parser
    (llhttp, through httptools) before any route or counter sees it."""
    response = httpx.request("PROPFIND", server.url("/sparql"))
    assert response.status_code == 405 and response.headers["content-type"] == "application/problem+json"
    assert "GET" in response.headers["allow"]
    assert httpx.request("BREW", server.url("/sparql")).status_code == 400


# -- headers ------------------------------------------------------------------------------------------------------

ORIGIN = {"Origin": "https://elsewhere.example"}


@pytest.mark.parametrize(
    ("path", "method"), [("/update", "POST"), ("/store", "PUT"), ("/store", "POST"), ("/store", "DELETE")]
)
def test_writes_get_no_cors(server: Server, path: str, method: str) -> None:
    preflight = httpx.options(
        server.url(path),
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert "authorization" not in preflight.headers.get("access-control-allow-headers", "").lower()
    write = httpx.request(method, server.url(path), headers=ORIGIN, content=b"")
    assert write.status_code in (401, 403, 405) and "access-control-allow-origin" not in write.headers


def test_reads_keep_public_cors_without_credentials(server: Server) -> None:
    preflight = httpx.options(
        server.url("/sparql"),
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type, Cookie",
        },
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-headers"] == "Content-Type"
    graph = httpx.get(server.url("/store"), params={"default": ""}, headers=ORIGIN)
    assert graph.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", ["/", "/algorithms", "/query", "/id/algorithm/00000001", "/def", "/docs"])
def test_pages_have_a_content_security_policy(server: Server, path: str) -> None:
    response = httpx.get(server.url(path), headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src" in policy
    assert "'unsafe-eval'" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/api/algorithms", "/dumps/SHA256SUMS", "/health"])
def test_every_answer_is_nosniff(server: Server, path: str) -> None:
    assert httpx.get(server.url(path)).headers["x-content-type-options"] == "nosniff"


# -- metrics ------------------------------------------------------------------------------------------------------


def _label_sets(server: Server) -> set[str]:
    """The label sets of the request counter (each is also a histogram series of the latency)."""
    text = httpx.get(server.url("/metrics")).text
    return set(re.findall(r"^algokg_http_requests_total(\{.*\})", text, re.MULTILINE))


# Methods the HTTP parser knows (WebDAV and others) that no route takes: they reach the app and its counters.
UNROUTED_METHODS = ("PROPFIND", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "PURGE", "REPORT", "SEARCH", "LINK")


def test_invented_methods_and_paths_do_not_grow_the_metrics(server: Server) -> None:
    def invent(client: httpx.Client, number: int) -> None:
        client.request(f"X{number}", "/sparql")  # refused by the parser, never counted
        client.request(UNROUTED_METHODS[number % len(UNROUTED_METHODS)], "/sparql")
        client.request(UNROUTED_METHODS[-1 - number % len(UNROUTED_METHODS)], f"/no-such-path-{number}")
        client.get(f"/no-such-path-{number}")

    with httpx.Client(base_url=server.base, timeout=30) as client:
        invent(client, 0)
        _label_sets(server)  # the /metrics request counts itself from the second look on
        before = _label_sets(server)
        for number in range(1, 300):
            invent(client, number)
    after = _label_sets(server)
    assert after == before, f"{len(after - before)} new label sets for 900 requests of invented methods and paths"
    assert '{method="other",route="/sparql",status="405"}' in after
    assert '{method="other",route="other",status="404"}' in after
