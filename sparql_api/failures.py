"""What a client is told when a query fails inside the server, and what the log is told.

A failed query's own message can carry what a client must not read: the SPARQL parser's view of the server's
own REST queries, a remote store's answer, or — through SERVICE — an upstream endpoint's body or a connection
error that tells open ports from closed ones. Clients get a fixed text with a short reference; the log gets the
message under that reference. Deadlines and busy workers are the server's own words and are shown as they are.
"""

from sparql_api.incidents import incident
from sparql_api.queries import QueryError, QueryTimeout

# A failure of the server's own query is the server's fault, whatever its kind: a syntax error there is a bug.
_CLIENT_STATUSES = (400, 406)


def logged(error: BaseException, where: str) -> str:
    """Log `error` in full under a new incident id (`sparql_api.incidents.incident`); the reference to give the
    client."""
    return incident(error, where)


def failure_detail(error: QueryError, where: str) -> str:
    """The detail a client may read about `error` (and the full message logged, where it is not shown)."""
    if isinstance(error, QueryTimeout):
        return str(error)
    return f"the query could not be answered (reference {logged(error, where)} in the server log)"


def failure_status(error: QueryError) -> int:
    """The HTTP status of a failure of one of the server's own queries (REST, pages): 500 for what would be
    the client's mistake in a query the client wrote."""
    return 500 if error.status in _CLIENT_STATUSES else error.status


__all__ = ["failure_detail", "failure_status", "logged"]
