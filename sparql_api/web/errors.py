"""Error pages for people: what went wrong in the reader's language and a way back, never a program's internals.

The JSON API answers problem+json instead (`sparql_api.problems`); `sparql_api.errors` picks one of the two
for errors no route handled (an unknown path, a bad parameter, an unexpected exception).
"""

from fastapi import Request
from fastapi.responses import HTMLResponse

from sparql_api.problems import incident
from sparql_api.queries import QueryError, QueryTimeout
from sparql_api.web.i18n import choose_language, translate
from sparql_api.web.render import render


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
    if isinstance(error, QueryTimeout):
        response = error_page(request, 503, str(error), title_key="query.timeout")
        response.headers["Retry-After"] = str(getattr(error, "retry_after", 5))
        return response
    identifier = incident(error, f"{request.method} {request.url.path}")
    detail = translate(language, "error.logged", id=identifier)
    return error_page(request, 500, detail, title_key="query.failed")
