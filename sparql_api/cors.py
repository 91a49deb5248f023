"""CORS for a public read API: any origin may GET and POST the read endpoints, without credentials.

Every read response carries `Access-Control-Allow-Origin: *` whether or not the request had an `Origin`, so a
cached response is right for every client and no `Vary: Origin` is needed (Starlette's middleware adds
that header to every response). A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here,
allowing only request headers a read needs (never `Authorization` or `Cookie`).

Writes get no CORS at all: `/update`, and `/store` with a method that writes. Their responses carry no
`Access-Control-Allow-Origin` and their preflights are not answered here (the app answers `OPTIONS` with 405),
so a page on another origin can neither send a write with the token nor read the answer to one.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_METHODS = "GET, POST, HEAD"
# Request headers a cross-origin read may send (a preflight asking for others is answered without them).
ALLOWED_HEADERS = frozenset(
    {"accept", "accept-language", "content-language", "content-type", "cache-control", "if-none-match",
     "if-modified-since"}
)  # fmt: skip
WRITE_METHODS = frozenset({"PUT", "POST", "DELETE", "PATCH"})
MAX_AGE = "3600"
_ALLOW_ORIGIN = (b"access-control-allow-origin", b"*")


def is_write(path: str, method: str) -> bool:
    """Whether a request to `path` with `method` is a write (SPARQL Update or a Graph Store write)."""
    if path == "/update" or path.startswith("/update/"):
        return True
    return (path == "/store" or path.startswith("/store/")) and method.upper() in WRITE_METHODS


class PublicCORSMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        headers = dict(scope["headers"]) if method == "OPTIONS" else {}  # only a preflight reads them
        preflight = method == "OPTIONS" and b"origin" in headers and b"access-control-request-method" in headers
        if preflight:
            method = headers[b"access-control-request-method"].decode("latin-1").strip()
        if is_write(path, method):
            await self.app(scope, receive, send)  # no CORS: cross-origin writes are not allowed
            return
        if preflight:
            await _preflight(headers, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), _ALLOW_ORIGIN]
            await send(message)

        await self.app(scope, receive, sending)


async def _preflight(headers: dict[bytes, bytes], send: Send) -> None:
    response = [
        _ALLOW_ORIGIN,
        (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
        (b"access-control-max-age", MAX_AGE.encode()),
        (b"content-length", b"0"),
    ]
    requested = headers.get(b"access-control-request-headers", b"").decode("latin-1")
    if allowed := [name.strip() for name in requested.split(",") if name.strip().lower() in ALLOWED_HEADERS]:
        response.append((b"access-control-allow-headers", ", ".join(allowed).encode("latin-1")))
    await send({"type": "http.response.start", "status": 204, "headers": response})
    await send({"type": "http.response.body", "body": b""})
