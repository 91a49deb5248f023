"""An unexpected failure, logged under a reference: the client is told only the reference, the log keeps the error
and its traceback under it. No web framework here, so the request-body workers (`sparql_api.body_jobs`) log their
failures the same way as the server (`sparql_api.problems`, `sparql_api.failures`)."""

import logging
import uuid

_LOG = logging.getLogger("algokg.errors")


def incident(error: BaseException, where: str = "") -> str:
    """Log an unexpected `error` with its traceback under a new id, and return the id (a UUID) for the answer."""
    identifier = str(uuid.uuid4())
    _LOG.error("request %s failed%s", identifier, f" ({where})" if where else "", exc_info=error)
    return identifier


__all__ = ["incident"]
