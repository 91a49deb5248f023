"""Bounded work per request on a real server (issue 12, points 3, 7 and 15; `sparql_api.limits`, `lanes`, `serving`).

Expensive queries are sent over raw sockets from their own loopback addresses (127.0.0.x: a client each, as
the per-client limit sees them) and kept open; closing a socket is the client going away. Bounds are generous:
what is checked is that nothing waits for a query's deadline (30 s and more), not how fast the machine is.
"""

import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from click.testing import CliRunner

from loader.cli import cli
from tests.server.conftest import Server, start_server

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # never ends on any store
ASK = "ASK {}"
TOKEN = "bounded-work-token"
QUICK = 10.0  # seconds: far below any query deadline here (30 s), far above a cheap answer on a busy machine


def _address(x: int) -> str:
    return f"127.0.{x // 250}.{x % 250 + 2}"


def _connect(server: Server, source: str) -> socket.socket:
    port = int(server.base.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0))


def _post_query(server: Server, source: str, query: str = CARTESIAN, **headers: str) -> socket.socket:
    """A /sparql POST sent and left waiting for its answer; close the socket to go away."""
    body = urlencode({"query": query, "timeout": "60"}).encode()
    head = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    connection = _connect(server, source)
    connection.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n{head}\r\n".encode()
        + body
    )
    return connection


def _status(connection: socket.socket, timeout: float = QUICK) -> int:
    """The status of the answer on `connection` (0 when it was closed without one)."""
    connection.settimeout(timeout)
    head = connection.recv(4096)
    return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0


@contextmanager
def _long_queries(server: Server, sources: list[str], **headers: str) -> Iterator[list[socket.socket]]:
    with ExitStack() as stack:
        connections = [stack.enter_context(_post_query(server, source, **headers)) for source in sources]
        yield connections


def _timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _living() -> dict[int, list[str]]:
    """Every process that has not ended (zombies are ended): pid -> the fields of /proc/pid/stat after the name."""
    found: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                found[int(entry.name)] = fields
    return found


def _children(pid: int) -> dict[int, int]:
    """Child processes of `pid` (the query workers) and their CPU ticks so far."""
    return {child: int(f[11]) + int(f[12]) for child, f in _living().items() if int(f[1]) == pid}


@pytest.fixture(scope="module")
def server(running_server: Callable[..., Server], example_store: Path) -> Server:
    env = {"ALGOKG_WRITE_TOKEN": TOKEN, "ALGOKG_QUERY_WORKERS": "2", "ALGOKG_CLIENT_CONCURRENCY": "2"}
    env |= {"ALGOKG_HEADER_TIMEOUT": "2", "ALGOKG_BODY_TIMEOUT": "2", "ALGOKG_BODY_MIN_RATE": "1000"}
    return running_server(example_store, env=env)


# -- point 3: expensive queries, thread pool, disconnects, shutdown -----------------------------------------------


def test_two_long_queries_leave_room_for_cheap_ones(server: Server) -> None:
    with _long_queries(server, [_address(0), _address(1)]):
        time.sleep(1.5)  # both run, each on one of the two workers
        transport = httpx.HTTPTransport(local_address=_address(2))
        with httpx.Client(transport=transport, timeout=60) as client:
            response, seconds = _timed(lambda: client.post(server.url("/sparql"), data={"query": ASK}))
            assert response.status_code == 200 and seconds < QUICK, (response.text, seconds)
            page, seconds = _timed(lambda: client.get(server.url("/")))
            assert page.status_code == 200 and seconds < QUICK, seconds


def test_fifty_long_queries_hold_no_thread_and_health_answers(server: Server) -> None:
    with _long_queries(server, [_address(10 + x) for x in range(50)]):
        time.sleep(1.0)
        for _ in range(3):
            response, seconds = _timed(lambda: httpx.get(server.url("/health"), timeout=60))
            assert response.status_code == 200 and seconds < 2.0, seconds
        transport = httpx.HTTPTransport(local_address=_address(100))
        with httpx.Client(transport=transport, timeout=60) as client:
            response, seconds = _timed(lambda: client.get(server.url("/sparql"), params={"query": ASK}))
            assert response.status_code == 200 and seconds < QUICK, (response.text, seconds)
            # A REST route, served in a thread, is not starved either.
            response, seconds = _timed(lambda: client.get(server.url("/api/algorithms")))
            assert response.status_code == 200 and seconds < QUICK, seconds


def _get(server: Server, source: str, target: str) -> socket.socket:
    connection = _connect(server, source)
    connection.sendall(f"GET {target} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    return connection


@pytest.mark.parametrize("route", ["/sparql", "/query"])
def test_a_client_that_goes_away_has_its_query_stopped(server: Server, route: str) -> None:
    """On /sparql the query is awaited on the event loop; the /query page runs it from a thread (a sync route)."""
    if route == "/sparql":
        sent = _post_query(server, _address(120))
    else:
        sent = _get(server, _address(121), "/query?" + urlencode({"query": CARTESIAN, "editor": "plain"}))
    with sent as connection:
        time.sleep(1.0)
        before = _children(server.process.pid)
        time.sleep(1.0)
        after = _children(server.process.pid)
        busy = max(after, key=lambda pid: after[pid] - before.get(pid, after[pid]))
        assert after[busy] > before.get(busy, 0), (before, after)  # one worker is burning CPU on the query
        connection.close()
    deadline = time.monotonic() + QUICK
    while busy in _children(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert busy not in _children(server.process.pid), "the worker of the abandoned query still runs"
    assert httpx.get(server.url("/sparql"), params={"query": ASK}).status_code == 200


def test_shutdown_stops_running_queries_at_once(example_store: Path, tmp_path: Path) -> None:
    env = {"ALGOKG_WRITE_TOKEN": TOKEN}
    with ExitStack() as stack:
        one = stack.enter_context(start_server(example_store, env=env, log_dir=tmp_path))
        # The token holder may ask for 300 s: the server must not wait for that deadline.
        connection = stack.enter_context(_post_query(one, _address(130), Authorization=f"Bearer {TOKEN}"))
        time.sleep(1.0)
        workers = _children(one.process.pid)
        started = time.monotonic()
        one.process.send_signal(signal.SIGTERM)  # to the server alone, as a process manager does
        try:
            one.process.wait(timeout=QUICK)
        except subprocess.TimeoutExpired:
            pytest.fail("the server waited for its running query's deadline instead of stopping it")
        assert time.monotonic() - started < QUICK
        assert _status(connection) == 503
        time.sleep(0.5)
        assert not set(workers) & set(_living()), "query workers outlived the server"


def test_anonymous_clients_get_a_lower_deadline_ceiling(
    running_server: Callable[..., Server], example_store: Path
) -> None:
    env = {"ALGOKG_WRITE_TOKEN": TOKEN, "ALGOKG_ANONYMOUS_MAX_QUERY_TIMEOUT": "1", "ALGOKG_MAX_QUERY_TIMEOUT": "2"}
    one = running_server(example_store, env=env)
    params = {"query": CARTESIAN, "timeout": "60"}
    anonymous = httpx.get(one.url("/sparql"), params=params, timeout=60)
    assert anonymous.status_code == 503 and anonymous.json()["timeout"] == 1
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    holder = httpx.get(one.url("/sparql"), params=params, headers=bearer, timeout=60)
    assert holder.status_code == 503 and holder.json()["timeout"] == 2


# -- points 3 and 15: requests in flight per client ---------------------------------------------------------------


def test_a_client_over_its_limit_gets_429_and_the_token_holder_does_not(server: Server) -> None:
    source = _address(140)
    with _long_queries(server, [source, source]):
        time.sleep(0.5)
        transport = httpx.HTTPTransport(local_address=source)
        with httpx.Client(transport=transport, timeout=60) as client:
            refused = client.get(server.url("/sparql"), params={"query": ASK})
            assert refused.status_code == 429, refused.text
            assert int(refused.headers["retry-after"]) > 0
            assert refused.headers["content-type"] == "application/problem+json"
            assert client.get(server.url("/health")).status_code == 200  # liveness is never refused
            bearer = {"Authorization": f"Bearer {TOKEN}"}
            assert client.get(server.url("/sparql"), params={"query": ASK}, headers=bearer).status_code == 200


def test_the_limit_counts_sparql_and_every_other_route_together(server: Server) -> None:
    """/sparql has its own way through the middleware (`sparql_api.app.AlgokgApp`): still one count per client."""
    source = _address(141)
    with _long_queries(server, [source, source]):  # two POST /sparql in flight: the limit
        time.sleep(0.5)
        transport = httpx.HTTPTransport(local_address=source)
        with httpx.Client(transport=transport, timeout=60) as client:
            refused = client.get(server.url("/api/algorithms"))
            assert refused.status_code == 429, refused.text
    source = _address(142)  # another client: the first one's queries may not have ended yet
    page = _get(server, source, "/query?" + urlencode({"query": CARTESIAN, "editor": "plain"}))
    with _long_queries(server, [source]), page:  # one on /sparql, one on the query page
        time.sleep(0.5)
        with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=60) as client:
            assert client.get(server.url("/sparql"), params={"query": ASK}).status_code == 429


# -- point 7: body sizes ------------------------------------------------------------------------------------------


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.parametrize(
    ("request_line", "media_type", "size"),
    [
        ("POST /sparql", "application/x-www-form-urlencoded", 400_000_000),
        ("POST /api/validate", "application/json", 6_000_000),
        ("POST /update", "application/sparql-update", 400_000_000),
        ("GET /api/algorithms", "application/json", 100_000),
    ],
)
def test_an_oversized_body_is_refused_before_it_is_read(
    server: Server, request_line: str, media_type: str, size: int
) -> None:
    with _connect(server, _address(150)) as connection:
        connection.sendall(
            f"{request_line} HTTP/1.1\r\nHost: test\r\nContent-Type: {media_type}\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Length: {size}\r\n\r\n".encode()
        )
        assert _status(connection) == 413  # not one byte of the body was sent


def test_a_chunked_body_is_counted_as_it_arrives(server: Server) -> None:
    before = _peak_rss_kib(server.process.pid)
    chunk = b"q" * 65536
    with _connect(server, _address(151)) as connection:
        connection.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        sent = 0
        try:
            while sent < 400_000_000:
                connection.sendall(b"10000\r\n" + chunk + b"\r\n")
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed: the rest is never read
        assert sent < 100_000_000
        assert _status(connection) == 413
    assert _peak_rss_kib(server.process.pid) - before < 100_000  # KiB: nothing like 400 MB was kept


# -- point 15: slow headers and slow bodies -----------------------------------------------------------------------


def test_trickling_connections_are_cut_and_do_not_pile_up(server: Server) -> None:
    """200 connections send a byte every 0.5 s: headers never end, or a body never ends; all are cut."""
    connections: list[socket.socket] = []
    for x in range(100):
        headers = _connect(server, _address(160 + x))
        headers.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\nX-Slow: ")
        body = _connect(server, _address(160 + x))
        body.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 1000\r\n\r\nA"
        )
        connections += [headers, body]
    for connection in connections:
        connection.setblocking(False)
    started, open_, statuses = time.monotonic(), set(connections), []
    try:
        while open_ and time.monotonic() - started < 20:
            response, seconds = _timed(lambda: httpx.get(server.url("/health"), timeout=60))
            assert response.status_code == 200 and seconds < 2.0, seconds
            for connection in list(open_):
                try:
                    answer = connection.recv(4096)
                except BlockingIOError:
                    with suppress(OSError):  # (closed by the server just now: seen on the next round)
                        connection.send(b"a")  # one more byte
                    continue
                except ConnectionResetError:
                    answer = b""
                statuses.append(int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0)
                open_.discard(connection)
            time.sleep(0.5)
        assert not open_, f"{len(open_)} of 200 trickling connections still held after 20 s"
        # Cut with 408 (those over the per-client limit of 2 were refused at once with 429).
        assert set(statuses) <= {408, 429, 0} and statuses.count(408) >= 100, sorted(set(statuses))
    finally:
        for connection in connections:
            connection.close()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ALGOKG_CLIENT_CONCURRENCY", "four"),
        ("ALGOKG_TRUSTED_PROXIES", "10.0.0.1, proxy"),
        # Read by the request-body workers: before, the server started and /store or /api/validate failed.
        ("ALGOKG_MAX_FIELD_CHARS", "lots"),
        ("ALGOKG_MAX_NUMBER_CHARS", "-1"),
        ("ALGOKG_MAX_ENTITY_EXPANSION", "1e6"),
        ("ALGOKG_MAX_NESTING", "0"),
        # Read before without naming the variable (a bare ValueError) or not checked at all.
        ("ALGOKG_QUERY_TIMEOUT", "soon"),
        ("ALGOKG_QUERY_WORKERS", "0"),
        ("ALGOKG_WRITE_TIMEOUT", "-1"),
        ("ALGOKG_BODY_MIN_RATE", "nan"),
    ],
)
def test_a_bound_that_does_not_parse_is_named(example_store: Path, variable: str, value: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "--store", str(example_store)], env={variable: value})
    assert result.exit_code == 2 and variable in result.output, result.output
    assert "serving" not in result.output  # refused at startup, before the server listens
