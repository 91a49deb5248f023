"""The SPARQL behind the REST views: the `.rq` files of `queries/rest`, composed from fixed blocks.

A view's query is a template with marker lines (`#@filters`, `#@sort`, …) replaced by blocks of other
`.rq` files (`#@ name` sections). Only text from those files (and integers the code computed, for
LIMIT/OFFSET) is ever put together: the request's values are bound as RDF terms through substitutions.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from pyoxigraph import BlankNode, Literal, NamedNode

from queries import rest_query

Term = NamedNode | BlankNode | Literal
_SECTION = re.compile(r"^#@ (\w+)\s*$", re.MULTILINE)
_MARKER = re.compile(r"^#@(\w+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Sparql:
    """A query and the terms bound to its variables: what runs, and what `?explain=sparql` shows.

    :param name: the `.rq` file (in `queries/rest`) the query was built from.
    :param text: the query text as it runs.
    :param bindings: variable name (without `$`/`?`) -> the RDF term bound to it.
    """

    name: str
    text: str
    bindings: Mapping[str, Term] = field(default_factory=dict)

    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Identifies the query and its bindings (for caches)."""
        return self.text, tuple(sorted((name, str(term)) for name, term in self.bindings.items()))

    def shown(self) -> dict[str, object]:
        """The query and its bindings in N-Triples notation, for a response body."""
        return {"query": self.name, "text": self.text, "bindings": {k: str(v) for k, v in self.bindings.items()}}


@cache
def blocks(name: str) -> dict[str, str]:
    """The `#@ name` sections of a blocks file (`algorithm-filters`, …), comments kept."""
    text = rest_query(name)
    marks = list(_SECTION.finditer(text))
    return {
        m[1]: text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip("\n")
        for i, m in enumerate(marks)
    }


def compose(template: str, **parts: str) -> str:
    """The template `queries/rest/{template}.rq` with each `#@part` line replaced by its text.

    :raises KeyError: a marker the caller did not fill (a programming error, not a request error).
    """
    text = rest_query(template)
    missing = {m[1] for m in _MARKER.finditer(text)} - parts.keys()
    if missing:
        raise KeyError(f"{template}.rq: no text for {sorted(missing)}")
    return _MARKER.sub(lambda m: parts[m[1]], text)
