"""The compliance layer's SPARQL: the query files of ``queries/compliance/`` and how they are run.

:func:`compliance_query` reads a file once and puts in the shared blocks: a line ``#@position`` becomes the rule that
gives an algorithm one AI Act position (``position-rule.rq``), ``#@position-roles`` the roles that count under it
(``position-roles.rq``); so every query that needs the rule runs the same one, and the text shown with a finding is
the text that ran. A :data:`Select` runs a SELECT with variables bound to RDF terms (never pasted into the text):
:func:`store_select` over a pyoxigraph store (the command line), the server's ``QueryService`` for the API and pages.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Variable

from queries import QUERY_DIR

__all__ = ["Row", "Select", "Term", "compliance_query", "store_select"]

Term = NamedNode | BlankNode | Literal
Row = Mapping[str, Term]
# Runs a SELECT query over the union of all graphs with variables bound to terms; unbound variables are left out.
Select = Callable[[str, Mapping[str, Term]], Sequence[Row]]

_BLOCKS = {"position": "position-rule", "position-roles": "position-roles"}
_MARKER = re.compile(r"^#@(position|position-roles)\s*$", re.MULTILINE)


@cache
def _block(name: str) -> str:
    """A shared block without its comment lines, headed by where it comes from."""
    text = (QUERY_DIR / "compliance" / f"{name}.rq").read_text(encoding="utf-8")
    body = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return "\n".join([f"  # {name}.rq", *body])


@cache
def compliance_query(name: str) -> str:
    """The text of ``queries/compliance/{name}.rq`` with its ``#@position`` and ``#@position-roles`` lines put in."""
    text = (QUERY_DIR / "compliance" / f"{name}.rq").read_text(encoding="utf-8")
    return _MARKER.sub(lambda match: _block(_BLOCKS[match.group(1)]), text)


def store_select(store: Store) -> Select:
    """A :data:`Select` over a pyoxigraph store (the command line's read-only store)."""

    def select(query: str, bindings: Mapping[str, Term]) -> list[Row]:
        substitutions = {Variable(name): term for name, term in bindings.items()}
        solutions = store.query(query, substitutions=substitutions, use_default_graph_as_union=True)
        names = [variable.value for variable in solutions.variables]  # type: ignore[union-attr]
        return [{name: row[name] for name in names if row[name] is not None} for row in solutions]  # type: ignore[union-attr]

    return select
