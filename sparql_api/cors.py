"""CORS for a public read API: any origin may GET and POST, without credentials.

Every response carries `Access-Control-Allow-Origin: *` whether or not the request had an `Origin`, so a
cached response is right for every client and no `Vary: Origin` is needed (Starlette's middleware adds
that header to every response). A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_METHODS = "GET, POST, HEAD"
MAX_AGE = "3600"
_ALLOW_ORIGIN = (b"access-control-allow-origin", b"*")


class PublicCORSMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if scope["method"] == "OPTIONS" and b"origin" in headers and b"access-control-request-method" in headers:
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
    if requested := headers.get(b"access-control-request-headers"):
        response.append((b"access-control-allow-headers", requested))
    await send({"type": "http.response.start", "status": 204, "headers": response})
    await send({"type": "http.response.body", "body": b""})
