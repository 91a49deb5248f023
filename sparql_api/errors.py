"""Errors no route answered itself, in one shape: problem+json for programs, an HTML page for browsers.

`install(app)` registers handlers for an unknown path or method (Starlette's `HTTPException`, e.g. 404, 405),
for parameters that fail validation (400 naming each parameter; 422 when a request body does not fit), and a
middleware around the routes that turns any unexpected exception into a 500 that names only an incident id
(`sparql_api.problems.incident` logs the traceback under it). No answer carries a stack trace or an
exception's text. A client that prefers `text/html` (a browser) gets the page in its language
(`sparql_api.web.errors`), also for the problems routes answer themselves (`ProblemPagesMiddleware`); every
other client RFC 9457 problem+json.
"""

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sparql_api.problems import incident, problem
from sparql_api.web.errors import ProblemPagesMiddleware, error_page, unexpected_error_page
from sparql_api.web.errors import wants_html as wants_html  # one rule for "a browser", imported from here too
from sparql_api.web.i18n import choose_language, translate

PARAMETER_PLACES = frozenset({"query", "path", "header", "cookie"})


def error_response(
    request: Request, status: int, title: str | None, detail: str, page_detail: str, **extra: Any
) -> Response:
    """`status` as problem+json (`title`, default the status phrase; `detail`; `extra` members) or, for a
    browser, a page in its language saying `page_detail`."""
    if wants_html(request):
        response: Response = error_page(request, status, page_detail)
    else:
        response = problem(status, title, detail, **extra)
    response.headers["Vary"] = "Accept, Accept-Language"  # the choice of page or problem, and its language
    return response


async def http_error(request: Request, error: Exception) -> Response:
    """An unknown path (404), a method the route does not take (405), or another HTTP error raised as such."""
    assert isinstance(error, HTTPException)
    status = error.status_code
    language = choose_language(request)
    path, method = request.url.path, request.method
    if status == 404:
        detail, page = f"nothing at {path}", translate(language, "error.path", path=path)
    elif status == 405:
        detail, page = (
            f"{method} is not allowed on {path}",
            translate(language, "error.method", method=method, path=path),
        )
    else:
        detail = page = str(error.detail)
    response = error_response(request, status, None, detail, page, instance=path)
    response.headers.update(dict(error.headers or {}))
    return response


async def validation_error(request: Request, error: Exception) -> Response:
    """Parameters that do not fit their declaration: 400 naming them; a body that does not fit: 422."""
    assert isinstance(error, RequestValidationError)
    found = [_parameter_error(item) for item in error.errors()]
    in_body = any(item["in"] not in PARAMETER_PLACES for item in found)
    status = 422 if in_body else 400
    names = ", ".join(dict.fromkeys(item["name"] for item in found))
    detail = "; ".join(f"{item['name']}: {item['message']}" for item in found)
    page = translate(choose_language(request), "error.parameter", names=names)
    title = "Unprocessable request body" if in_body else "Bad parameter"
    return error_response(request, status, title, detail, page, parameter=found[0]["name"], errors=found)


def _parameter_error(item: Mapping[str, Any]) -> dict[str, str]:
    """One validation error as `{in, name, message}`: where, which parameter, what was expected (not the input)."""
    location = [str(part) for part in item.get("loc", ())]
    place = location[0] if location else "query"
    name = ".".join(location[1:]) or place
    return {"in": place, "name": name, "message": str(item.get("msg", "invalid value"))}


class UnexpectedErrorMiddleware:
    """Any exception a route lets through becomes a 500 naming an incident id (the traceback goes to the log).

    Installed innermost among the middleware, so the answer still passes metrics, CORS and security headers.
    An exception after the response started cannot be answered any more: it is logged and re-raised, and the
    server closes the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            request = Request(scope)
            identifier = incident(error, f"{request.method} {request.url.path}")
            if started:
                raise
            if wants_html(request):
                response: Response = unexpected_error_page(request, identifier)
            else:
                detail = f"an unexpected error; it was logged as {identifier}"
                response = problem(500, "Internal Server Error", detail, instance=f"urn:uuid:{identifier}")
            response.headers["Vary"] = "Accept, Accept-Language"  # the choice of page or problem, and its language
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    """Give `app` the handlers above (call before any other middleware is added: this one must be innermost)."""
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(ProblemPagesMiddleware)  # a route's own problem+json: a page for a browser
