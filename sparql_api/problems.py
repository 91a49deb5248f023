"""RFC 9457 problem details: every error the server answers is `application/problem+json`.

Other modules build their error responses with `problem(status, title, detail, **extra)`;
extension members (e.g. `line`, `column`, `accepted`) go in `extra` and must be JSON-serialisable.
An unexpected error is never described to the client: `incident(error)` logs it with its traceback under a
new id, and the answer names only that id (`instance`: `urn:uuid:…`), so an operator can find it in the log.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse

from sparql_api.incidents import incident as incident  # where unexpected errors are logged; imported from here too

PROBLEM_JSON = "application/problem+json"


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    type: str = "about:blank",  # the RFC 9457 member name
    instance: str | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response.

    :param status: the HTTP status (also in the body, as RFC 9457 asks).
    :param title: short, the same for every occurrence of this kind of problem; default the status phrase.
    :param detail: what went wrong this time, for a human (where, which value).
    :param headers: extra response headers (e.g. `Retry-After`, `Allow`).
    :param extra: extension members, e.g. `line=3, column=7`; None values are left out.
    """
    body: dict[str, Any] = {"type": type, "title": title or _phrase(status), "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update({key: value for key, value in extra.items() if value is not None})
    return ProblemResponse(body, status_code=status, headers=dict(headers or {}))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
