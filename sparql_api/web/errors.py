"""Error pages for people: what went wrong in the reader's language and a way back, never a program's internals.

The JSON API answers problem+json instead (`sparql_api.problems`); `sparql_api.errors` picks one of the two
for errors no route handled (an unknown path, a bad parameter, an unexpected exception), and
`ProblemPagesMiddleware` does the same for the problems routes answer themselves (an unknown IRI under `/id/`,
an unknown algorithm under `/api/`, a bad SPARQL query): a browser gets the page, every other client the problem.
"""

import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sparql_api.negotiation import choose_media_type
from sparql_api.problems import PROBLEM_JSON, incident
from sparql_api.queries import QueryError, QueryTimeout
from sparql_api.rest.selection import IndexBuilding
from sparql_api.web.i18n import choose_language, translate
from sparql_api.web.render import render

HTML = "text/html"
_OFFERED = [PROBLEM_JSON, "application/json", HTML]  # problem+json unless HTML is preferred
# Headers of a problem that still hold for its page (the page sets its own type, length, language).
_KEPT = frozenset({b"retry-after", b"allow", b"www-authenticate", b"location", b"cache-control"})


def wants_html(request: Request) -> bool:
    """Whether the client prefers an HTML page to problem+json (a browser's Accept; absent Accept: no)."""
    return choose_media_type(request.headers.get("accept"), _OFFERED) == HTML


def error_page(request: Request, status: int, detail: str, *, title_key: str | None = None) -> HTMLResponse:
    """An error as a page in the reader's language, with `status`.

    :param detail: what went wrong, for the reader (never an exception's text from a library).
    :param title_key: the message of the page's heading; by default one for 404, one for other 4xx, one for 5xx.
    """
    language = choose_language(request)
    key = title_key or ("error.title" if status == 404 else "error.bad" if status < 500 else "error.server")
    return render(request, "error.html", status=status, title=translate(language, key), detail=detail)


def unexpected_error_page(request: Request, identifier: str) -> HTMLResponse:
    """The page of an error that was logged (`sparql_api.problems.incident`) under `identifier`."""
    return error_page(request, 500, translate(choose_language(request), "error.logged", id=identifier))


def query_error_page(request: Request, error: QueryError) -> HTMLResponse:
    """A query behind a page failed: a timeout says so (503, Retry-After); anything else is logged, not shown."""
    language = choose_language(request)
    if isinstance(error, IndexBuilding):  # the list of a new data version: say so, not "the query took too long"
        response = error_page(request, 503, translate(language, "list.preparing.detail"), title_key="list.preparing")
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, QueryTimeout):
        response = error_page(request, 503, str(error), title_key="query.timeout")
        response.headers["Retry-After"] = str(getattr(error, "retry_after", 5))
        return response
    identifier = incident(error, f"{request.method} {request.url.path}")
    detail = translate(language, "error.logged", id=identifier)
    return error_page(request, 500, detail, title_key="query.failed")


class PastTheLastPage(LookupError):
    """A list asked for a page after its last: nothing is there (404), rather than an empty "page 999 of 75"."""

    def __init__(self, page: int, pages: int) -> None:
        super().__init__(f"page {page} of a list of {pages} pages")
        self.page, self.pages = page, pages


def past_the_last_page(request: Request, error: PastTheLastPage) -> HTMLResponse:
    """The 404 page saying which page was asked for and how many there are."""
    detail = translate(choose_language(request), "error.page", page=error.page, pages=error.pages)
    return error_page(request, 404, detail)


def problem_page(request: Request, status: int, body: dict[str, Any]) -> HTMLResponse:
    """The page for a problem a route answered: a 404 says, in the reader's language, that nothing is at the
    path; another status shows the problem's own detail (it names the parameter or the place in the query)."""
    if status == 404:
        detail = translate(choose_language(request), "error.path", path=request.url.path)
    else:
        detail = str(body.get("detail") or body.get("title") or "")
    return error_page(request, status, detail)


def _asks_for_html(request: Request) -> bool:
    """A browser: prefers HTML and names `text/html` itself (a `text/*` or `*/*` client keeps what the route
    negotiated, e.g. its 406 problem)."""
    return "text/html" in request.headers.get("accept", "").lower() and wants_html(request)


class ProblemPagesMiddleware:
    """Turns a route's problem+json answer into its error page when the client is a browser (prefers HTML).

    Only answers with the problem media type are touched, and only for such clients: a program (absent Accept,
    `application/json`, `application/sparql-results+json`, …) keeps the problem exactly as the route wrote it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Most requests name no text/html at all: no Request object for them (this runs on every request).
        accept = next((value for name, value in scope.get("headers", ()) if name == b"accept"), b"")
        if scope["type"] != "http" or b"text/html" not in accept.lower() or not _asks_for_html(Request(scope)):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def sending(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if message["status"] >= 400 and content_type.startswith(PROBLEM_JSON.encode()):
                    start = message  # hold it: the page replaces the problem
                    return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._send_page(scope, receive, send, start, b"".join(chunks))

        await self.app(scope, receive, sending)

    @staticmethod
    async def _send_page(scope: Scope, receive: Receive, send: Send, start: Message, body: bytes) -> None:
        try:
            problem = json.loads(body) if body else {}
        except ValueError:
            problem = {}
        response = problem_page(Request(scope), start["status"], problem if isinstance(problem, dict) else {})
        for name, value in start.get("headers", []):
            if name.lower() in _KEPT:
                response.headers[name.decode("latin-1")] = value.decode("latin-1")
        response.headers["Vary"] = "Accept, Accept-Language"
        await response(scope, receive, send)
