"""Bare SPARQL servers on the user's stack, each one layer of `algokg serve`, for `benchmarks.http_floor`.

    python -m benchmarks.floor_server MODE STORE_DIR PORT

Every mode is a plain ASGI callable under uvicorn, configured as `sparql_api.serving` configures it (httptools
on uvloop, the access log on), answering GET /sparql?query=… and GET /health:

- ``cached``: the answer of each query text is computed once, then sent from a dict — the floor of the HTTP
  stack alone (what no SPARQL server on uvicorn can go below);
- ``in-process``: the query runs in the server process, on the event loop (pyoxigraph cannot be stopped there:
  no deadline could be kept);
- ``worker``: the query runs on `sparql_api.worker_pool`'s workers, as `algokg serve` runs it (killable at its
  deadline), without algokg's middleware, query gate and content negotiation.

Not a server to use: no limits, no errors worth the name. It exists to show where a request's time goes.
"""

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store

from loader.store import current_path
from sparql_api.worker_pool import WorkerPool

MODES = ("cached", "in-process", "worker")
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# What `benchmarks.http` asks for: JSON results for SELECT, Turtle for CONSTRUCT.
_SOLUTIONS, _GRAPH = "srj", "ttl"
_TYPES = {_SOLUTIONS: b"application/sparql-results+json", _GRAPH: b"text/turtle"}


def _query_of(scope: Scope) -> str:
    for key, value in parse_qsl(scope["query_string"].decode("latin-1")):
        if key == "query":
            return value
    raise ValueError("no query parameter")


def _in_process(store: Store, query: str) -> tuple[bytes, str]:
    results = store.query(query, use_default_graph_as_union=True)
    if isinstance(results, QuerySolutions | QueryBoolean):
        return results.serialize(format=QueryResultsFormat.JSON), _SOLUTIONS
    return results.serialize(format=RdfFormat.TURTLE), _GRAPH


class FloorApp:
    def __init__(self, mode: str, store_dir: Path) -> None:
        self.mode = mode
        self.generation = str(current_path(store_dir).resolve())
        self.store = Store.read_only(self.generation)
        self.cache: dict[str, tuple[bytes, str]] = {}
        self.pool = WorkerPool(store_dir, 2) if mode == "worker" else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await receive()
        if scope["path"] == "/health":
            await _send(send, b"ok", b"text/plain")
            return
        query = _query_of(scope)
        if self.mode == "cached":
            if (answer := self.cache.get(query)) is None:
                answer = self.cache[query] = _in_process(self.store, query)
        elif self.mode == "in-process":
            answer = _in_process(self.store, query)
        else:
            assert self.pool is not None
            request = (self.generation, query, _SOLUTIONS, _GRAPH, {"use_default_graph_as_union": True})
            reply = await self.pool.submit(request, time.monotonic() + 60)  # type: ignore[misc]
            if not reply.startswith(b"R"):  # the worker's own words: a syntax error, a failure
                raise RuntimeError(f"the query worker answered {reply[:300].decode(errors='replace')!r}")
            extension, _, body = reply[1:].partition(b"\n")
            answer = body, extension.decode()
        await _send(send, answer[0], _TYPES[answer[1]])


async def _send(send: Send, body: bytes, media_type: bytes) -> None:
    headers = [(b"content-type", media_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main(argv: list[str]) -> None:
    mode, store_dir, port = argv[0], Path(argv[1]), int(argv[2])
    if mode not in MODES:
        raise SystemExit(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    app = FloorApp(mode, store_dir)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off")
    server = uvicorn.Server(config)
    if app.pool is not None:
        # As `sparql_api.serving` does: uvicorn runs on the pool's loop, a query is a task of that loop.
        loop = app.pool.hand_over_loop()
        with asyncio.Runner(loop_factory=lambda: loop) as runner:
            runner.run(server.serve())
        app.pool.close()
        return
    server.run()


if __name__ == "__main__":
    main(sys.argv[1:])
