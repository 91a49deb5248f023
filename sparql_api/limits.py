"""Bounded requests: body size (413), slow bodies (408), requests in flight per anonymous client (429), and the
watch that cancels a request's queries when its client goes away.

`RequestLimits` is a pure ASGI middleware, the innermost of the app's (inside metrics and CORS, so its answers
are counted and readable from other origins). For each HTTP request it

1. identifies the client (`sparql_api.clients.identify`: peer address, trusted proxies, write token) and puts a
   `RequestContext` in `sparql_api.clients.current` for the queries the request runs;
2. refuses a `Content-Length` over the route's limit with 413 before reading a byte (`body_limit`), and counts
   a chunked body as it arrives (413 when it passes the limit);
3. gives the body a deadline: `body_timeout` seconds plus one second per `body_min_rate` bytes received; a body
   that trickles slower is cut with 408;
4. refuses a request of an anonymous client that already has `client_concurrency` requests in flight with 429
   and `Retry-After` (`/health` and the pages' `/assets/` do not count; the write-token holder is exempt);
5. once the body is read, listens for the client going away and then cancels the request's queries
   (`RequestContext.cancel`: their workers are killed).

A refusal (2, 3) is answered here, with `Connection: close`; the route then sees its client as gone
(`http.disconnect`), and whatever it raises or sends about that is dropped.
Headers have their own deadline, before any app runs: `sparql_api.serving`.
"""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sparql_api import clients
from sparql_api.settings import Settings

RETRY_AFTER_SECONDS = 2  # of a 429: requests of the same client end within a query's time
WATCH_AFTER_SECONDS = 0.02  # a request still running after this is watched for its client going away
UNCOUNTED_PATHS = frozenset({"/health"})
UNCOUNTED_PREFIXES = ("/assets/",)
_DISCONNECT: Message = {"type": "http.disconnect"}


def body_limit(path: str, settings: Settings) -> int:
    """The largest body, in bytes, a request to `path` may send."""
    if path == "/sparql":
        return settings.max_query_body
    if path == "/update" or path == "/store" or path.startswith("/store/"):
        return settings.max_upload_body
    if path == "/api/validate":
        return settings.max_validate_body
    return settings.max_other_body


class RequestLimits:
    def __init__(self, app: ASGIApp, settings: Settings, in_flight: dict[str, int] | None = None) -> None:
        """:param in_flight: anonymous client key -> requests being served; one table for all instances of one
        app (`sparql_api.app.AlgokgApp` wraps `/sparql` in a second stack of the same middleware)."""
        self.app, self.settings = app, settings
        self._in_flight = in_flight if in_flight is not None else {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings, path = self.settings, scope["path"]
        peer = scope["client"][0] if scope.get("client") else None
        client = clients.identify(
            peer, scope["headers"], write_token=settings.write_token, trusted_proxies=settings.trusted_proxies
        )
        limit, length, chunked = body_limit(path, settings), None, False
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit():
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = True
        if length is not None and length > limit:
            detail = f"the body of a request to {path} may have at most {limit} bytes, not {length}"
            await _refuse(send, 413, "Content Too Large", detail)
            return
        counted = (
            settings.client_concurrency > 0
            and not client.privileged
            and path not in UNCOUNTED_PATHS
            and not path.startswith(UNCOUNTED_PREFIXES)
        )
        if counted and self._in_flight.get(client.key, 0) >= settings.client_concurrency:
            detail = (
                f"at most {settings.client_concurrency} requests of one client are served at a time; "
                "this one was not started: wait for an answer before sending more"
            )
            retry = {"retry-after": str(RETRY_AFTER_SECONDS)}
            await _refuse(send, 429, "Too Many Requests", detail, retry, close=bool(length) or chunked)
            return
        if counted:
            self._in_flight[client.key] = self._in_flight.get(client.key, 0) + 1
        context = clients.RequestContext(client)
        token = clients.current.set(context)
        guarded = _Guarded(receive, send, context, limit, settings, body=bool(length) or chunked)
        try:
            await self.app(scope, guarded.receive, guarded.send)
        except Exception:
            if not guarded.refused:
                raise  # the route's own failure; a refused request's route only noticed its client was gone
        finally:
            guarded.close()
            clients.current.reset(token)
            if counted:
                if (left := self._in_flight[client.key] - 1) > 0:
                    self._in_flight[client.key] = left
                else:
                    del self._in_flight[client.key]


class _Guarded:
    """One request's receive and send, with the body's size and deadline checked and the disconnect watched."""

    def __init__(
        self, receive: Receive, send: Send, context: clients.RequestContext, limit: int, settings: Settings, body: bool
    ) -> None:
        self._receive, self._send, self._context = receive, send, context
        self._limit, self._timeout, self._rate = limit, settings.body_timeout, settings.body_min_rate
        self._began = time.monotonic()
        self._received = 0
        self._started = self._finished = False  # the response
        self.refused = False
        self._gone = asyncio.Event()
        self._watch: asyncio.Task[None] | asyncio.TimerHandle | None = None
        # A request without a body has all of it already: its one (empty) message, then the watch.
        self._body_read = not body
        self._first: Message | None = None if body else {"type": "http.request", "body": b"", "more_body": False}
        if not body:
            self._start_watch()

    async def receive(self) -> Message:
        if self._first is not None:
            message, self._first = self._first, None
            return message
        if self._body_read or self.refused:
            await self._gone.wait()  # nothing more comes from the client but its going away
            return _DISCONNECT
        try:
            message = await asyncio.wait_for(self._receive(), timeout=self._remaining())
        except TimeoutError:
            rate = f"{self._rate:g} bytes/s" if self._rate > 0 else "no minimum rate"
            detail = f"the request body did not arrive in time ({self._received} bytes; {self._timeout:g} s + {rate})"
            await self._refuse(408, "Request Timeout", detail)
            return _DISCONNECT
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                detail = f"the request body passed {self._limit} bytes, the most this route takes"
                await self._refuse(413, "Content Too Large", detail)
                return _DISCONNECT
            if not message.get("more_body", False):
                self._body_read = True
                self._start_watch()
        elif message["type"] == "http.disconnect":
            self._went_away()
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # answered already (408/413); the route's own answer comes too late
        if message["type"] == "http.response.start":
            self._started = True
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            self._finished = True
        await self._send(message)

    def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()

    def _remaining(self) -> float | None:
        if self._timeout <= 0:
            return None
        allowed = self._timeout + (self._received / self._rate if self._rate > 0 else 0.0)
        return max(0.0, self._began + allowed - time.monotonic())

    async def _refuse(self, status: int, title: str, detail: str) -> None:
        if not self._started:
            await _refuse(self._send, status, title, detail)
        self.refused = True
        self._gone.set()

    def _start_watch(self) -> None:
        # Most answers are sent within milliseconds; a task watching each of them from the start cost ~20 µs of
        # CPU a request. A timer (~2 µs) starts the watch only for the requests still running after a while.
        self._watch = asyncio.get_running_loop().call_later(WATCH_AFTER_SECONDS, self._begin_watch)

    def _begin_watch(self) -> None:
        self._watch = asyncio.ensure_future(self._watch_disconnect())

    async def _watch_disconnect(self) -> None:
        while (await self._receive())["type"] != "http.disconnect":
            pass  # the empty body message of a request without one
        self._went_away()

    def _went_away(self) -> None:
        self._gone.set()
        if not self._finished:  # the server also reports a finished response as a disconnect
            self._context.cancel()


async def _refuse(
    send: Callable[[Message], Awaitable[None]],
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    *,
    close: bool = True,
) -> None:
    """A problem+json answer sent here, before or instead of the route's; `close`: the connection ends with it."""
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    raw = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    raw += [(name.encode(), value.encode()) for name, value in (headers or {}).items()]
    if close:  # an unread body stays behind on the connection: end it rather than read the rest
        raw.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})
