"""Failures the fuzz found in areas other engineers are fixing: not sent by the random fuzz, each a strict
xfail case in `tests/fuzz/test_server_fuzz.py` with its minimal reproduction.

When a fix is merged, its xfail case passes (XPASS, which fails under ``xfail_strict``): remove the mark and
the entry here, and the random fuzz sends such inputs again.
"""

import re
from collections.abc import Callable
from itertools import accumulate

from pyoxigraph import NamedNode

DEEP = 2_000  # group/bracket nesting from which the query and update parsers fail (5,000 crashes them)


def nesting(data: bytes) -> int:
    """The deepest nesting of ``{`` and ``(`` in ``data`` (strings not told apart: an upper bound)."""
    brackets = bytes(byte for byte in data if byte in b"{}()")
    steps = (1 if byte in b"{(" else -1 for byte in brackets)
    return max(accumulate(steps), default=0)


def refused_iri(data: bytes) -> bool:
    """Whether ``data`` is not UTF-8 or holds an ``<IRI>`` that pyoxigraph refuses (rdflib may accept it)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    for match in re.finditer(r"<([^<>]{0,4096})>", text):  # \s would stop at U+2028, which pyoxigraph refuses
        try:
            NamedNode(match.group(1))
        except ValueError:
            return True
    return False


# target -> [(does this body hit it, who is fixing it and what)]
PENDING: dict[str, list[tuple[Callable[[bytes], bool], str]]] = {
    "sparql-query": [
        (
            lambda data: nesting(data) >= DEEP,
            "pending 12a: a query nesting 5,000 groups or brackets kills its query worker (exit -11): 500, not 400",
        ),
        (
            lambda data: b"service" in data.lower(),
            "pending 12a: SERVICE to a port the HTTP client refuses is a 500 echoing the OSError"
            " (SERVICE is to be refused unless allow-listed)",
        ),
    ],
    "sparql-update": [
        (
            lambda data: nesting(data) >= DEEP,
            "pending 12c: an update nesting 5,000 groups segfaults the server process (rdflib RecursionError,"
            " then the pyoxigraph fallback in the server)",
        ),
        (
            refused_iri,
            "pending 12c: a graph IRI rdflib accepts and pyoxigraph refuses (GRAPH <h,tp://x>) raises ValueError in"
            " update_plan._graph: a plain-text 500 or a dropped connection, a traceback in the log",
        ),
    ],
}


def pending_reason(target: str, data: bytes) -> str | None:
    """Why ``data`` is held back for ``target``, or ``None`` when it is sent."""
    for hits, reason in PENDING.get(target, []):
        if hits(data):
            return reason
    return None
