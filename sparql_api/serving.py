"""Running the app under uvicorn, with the bounds that lie below the app (`algokg serve`).

- **Header deadline.** uvicorn times nothing before a request's headers are complete (its keep-alive timer
  runs only between requests, and the first byte of the next one cancels it), so a client trickling headers
  holds its connection for ever. `HeaderDeadline` gives the headers `Settings.header_timeout` seconds from the
  connection's start, or from the first byte of the next request on a kept-alive connection; then it answers
  408 and closes. (The body's deadline is `sparql_api.limits`'s: it needs the route.)
- **One event loop, one thread.** uvicorn runs on the query worker pool's loop (`WorkerPool.hand_over_loop`,
  uvloop): a query is a task of the loop that serves its request, with no hop to a pool thread.
- **Shutdown.** On SIGTERM or Ctrl-C the running queries are stopped at once (`QueryService.stop_all`: their
  clients get 503) instead of being waited for until their deadlines; then uvicorn finishes what is left,
  at most `SHUTDOWN_GRACE` seconds, and the query workers are ended.
"""

import asyncio
import socket
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sparql_api.settings import Settings

SHUTDOWN_GRACE = 10.0  # seconds uvicorn waits for requests still running after the queries were stopped
_HEADERS_LATE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: 43\r\n\r\nthe request headers did not arrive in time\n"
)


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request's headers (`header_timeout` of the subclass).

    httptools (llhttp, in C) rather than h11 (in Python): it costs a fraction per request (docs/performance.md).
    The timer runs from the connection's start and from the first byte of each later request (the parser's
    `on_message_begin`) until the headers are complete."""

    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._arm()  # the first byte of a request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self.header_timeout > 0:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None  # only armed while a request's headers are awaited
        if not self.transport.is_closing():
            self.transport.write(_HEADERS_LATE)
            self.transport.close()


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self._app = app

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn runs on the query workers' own event loop: a query is a task there, not a hop to another
        # thread (`WorkerPool.hand_over_loop`). A remote store has no workers: uvicorn's loop then.
        hand_over = getattr(self._app.state.queries, "hand_over_loop", None)
        loop = hand_over() if hand_over is not None else None
        if loop is None:
            return super().run(sockets)
        with asyncio.Runner(loop_factory=lambda: loop) as runner:
            runner.run(self.serve(sockets=sockets))

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            self._app.state.queries.stop_all()  # their clients get 503 now, not at the deadline
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        # The workers end with the server, before uvicorn re-raises the signal (which skips `atexit`).
        self._app.state.queries.close()


def serve(app: FastAPI, settings: Settings, *, host: str, port: int) -> None:
    """Serve `app` until SIGTERM/SIGINT (what `uvicorn.run(app, host=…, port=…)` does, with the bounds above)."""
    protocol = type("HeaderDeadline", (HeaderDeadline,), {"header_timeout": settings.header_timeout})
    config = uvicorn.Config(app, host=host, port=port, http=protocol, timeout_graceful_shutdown=SHUTDOWN_GRACE)
    _Server(config, app).run()
