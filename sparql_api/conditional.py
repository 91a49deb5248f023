"""Conditional GET (RFC 9110 §13): one answer to "has the client's copy changed?" for every endpoint."""

import email.utils

from fastapi import Request, Response


def not_modified(request: Request, headers: dict[str, str]) -> Response | None:
    """A 304 when the client's copy is current (If-None-Match first, else If-Modified-Since), else None.

    :param headers: the validators of the current representation (`ETag`, optionally `Last-Modified`),
        sent with the 304 as well.
    """
    if match := request.headers.get("if-none-match"):
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        current = headers["ETag"].removeprefix("W/")  # weak comparison, as GET allows
        return _not_modified(headers) if "*" in tags or current in tags else None
    since, modified = request.headers.get("if-modified-since"), headers.get("Last-Modified")
    if since and modified:
        try:
            client = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return None
        if client.tzinfo is not None and client >= email.utils.parsedate_to_datetime(modified):
            return _not_modified(headers)
    return None


def _not_modified(headers: dict[str, str]) -> Response:
    return Response(status_code=304, headers={"Vary": "Accept", **headers})
