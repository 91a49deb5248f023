"""Who may write: the holder of the operator's bearer token (`Settings.write_token`); nobody when none is set."""

import hmac

from fastapi import Request, Response

from sparql_api.problems import problem

_CHALLENGE = 'Bearer realm="algokg"'


def write_denied(request: Request) -> Response | None:
    """None when the request may write; otherwise the problem response that says why not (403 or 401)."""
    token: str | None = request.app.state.settings.write_token
    if not request.app.state.queries.writable:
        return problem(
            403,
            "Writes go to the remote store",
            "this server answers from a remote store; load and publish with `algokg load` and `algokg publish`",
        )
    if not token:
        return problem(
            403,
            "Writes are disabled",
            "this server is read-only: the operator has not set a write token (ALGOKG_WRITE_TOKEN)",
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return problem(
            401,
            "Authentication required",
            "writes need the operator's token: send it as `Authorization: Bearer <token>`",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    # Constant time: how much of a guess matches must not show in the response time.
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return problem(
            401,
            "Wrong token",
            "the bearer token does not match the server's write token",
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
        )
    return None
