"""What a SPARQL update will touch, read before it runs: its graphs (the write's scope), its dataset clauses, LOAD.

The update is parsed with rdflib's SPARQL parser (pyoxigraph runs it, but exposes no parse tree). The graphs it
may change bound what the write compares before and after (`loader.writes`); a template with `GRAPH ?g`,
`CLEAR ALL` and the like may change any graph. LOAD is refused: it would make the server fetch any URL.
The protocol's `using-graph-uri` / `using-named-graph-uri` become USING clauses before each `WHERE`
(pyoxigraph's update takes no dataset); DELETE WHERE has no USING form and keeps the store's default graph.
"""

import re
from dataclasses import dataclass
from typing import Any

from pyoxigraph import DefaultGraph, NamedNode, Store
from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate

from loader.writes import GraphName, Scope
from sparql_api.queries import syntax_error


class UpdateRejected(Exception):
    """The update cannot run here (syntax, LOAD, a dataset given twice); a 400 with this message."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass(frozen=True)
class UpdatePlan:
    """:param scope: the graphs the update may change (None: any). :param names_dataset: it has USING or WITH."""

    scope: Scope
    names_dataset: bool


class _AnyGraph(Exception):
    pass


def plan_update(update: str, base_iri: str) -> UpdatePlan:
    """Read `update` without running it.

    :raises UpdateRejected: on a syntax error (with line and column where known) or a LOAD operation.
    """
    try:
        operations = translateUpdate(parseUpdate(update), base=base_iri).algebra
    except Exception as error:  # pyparsing's ParseException, rdflib's errors for unknown prefixes and the like
        raise _syntax_error(update, base_iri, error) from None
    if any(op.name == "Load" for op in operations) or "LOAD" in _top_level_words(update):
        raise UpdateRejected("LOAD is not allowed here: it would make the server fetch a URL; PUT the data to /store")
    names_dataset = any(op.name == "Modify" and (_part(op, "withClause") or _part(op, "using")) for op in operations)
    try:
        graphs: set[GraphName] = set()
        for op in operations:
            graphs |= _graphs_of(op)
        return UpdatePlan(frozenset(graphs), names_dataset)
    except _AnyGraph:
        return UpdatePlan(None, names_dataset)


def _syntax_error(update: str, base_iri: str, error: Exception) -> UpdateRejected:
    """The error pyoxigraph gives (it names the position; pyparsing's says "expected end of text" at 1:1)."""
    if "LOAD" not in _top_level_words(update):  # never run a LOAD, not even on an empty store
        try:
            Store().update(update, base_iri=base_iri)  # in memory, empty: only to parse
        except SyntaxError as oxigraph_error:
            found = syntax_error(str(oxigraph_error))
            return UpdateRejected(f"SPARQL update syntax error: {found.message}", found.line, found.column)
        except Exception:  # parsed, failed on the empty store: rdflib's message is the one to give
            pass
    line, column = getattr(error, "lineno", None), getattr(error, "col", None)
    return UpdateRejected(f"SPARQL update syntax error: {getattr(error, 'msg', None) or error}", line, column)


def _graphs_of(op: object) -> set[GraphName]:
    name = op.name  # type: ignore[attr-defined]
    if name in ("InsertData", "DeleteData", "DeleteWhere"):
        return _template(op, DefaultGraph())
    if name == "Modify":
        target = _graph(_part(op, "withClause")) if _part(op, "withClause") else DefaultGraph()
        clauses = [clause for clause in (_part(op, "delete"), _part(op, "insert")) if clause]
        return {graph for clause in clauses for graph in _template(clause, target)}
    if name in ("Clear", "Drop", "Create"):
        return {_graph(op.graphiri)}  # type: ignore[attr-defined]
    if name in ("Add", "Move", "Copy"):
        return {_graph(g) for g in op.graph}  # type: ignore[attr-defined]
    raise _AnyGraph  # an operation this reading does not know: compare every graph


def _template(clause: object, default: GraphName) -> set[GraphName]:
    graphs = {_graph(g) for g in (_part(clause, "quads") or {})}
    if _part(clause, "triples"):
        graphs.add(default)
    return graphs


def _part(node: object, key: str) -> Any:
    # rdflib's CompValue.get() answers the key itself for a missing part: look it up as a mapping.
    return dict.get(node, key) if isinstance(node, dict) else None  # type: ignore[arg-type]


def _graph(name: object) -> GraphName:
    if name == "DEFAULT":
        return DefaultGraph()
    if isinstance(name, URIRef):
        return NamedNode(str(name))
    raise _AnyGraph  # a variable, ALL, NAMED


# -- the protocol's dataset as USING clauses -------------------------------------------------------------------

_TOKENS = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*|[?$]\w+|[A-Za-z_][\w.-]*:[^\s{}()<>;,]*|:[^\s{}()<>;,]*)"
    r"|(?P<open>\{)|(?P<close>\})|(?P<word>[A-Za-z_]\w*)|(?P<other>\S)",
    re.DOTALL,
)
_IRI = re.compile(r"[^<>\"{}|^`\\\x00-\x20]+")


def _top_level(update: str) -> list[tuple[str, int]]:
    """The keywords outside braces, strings, IRIs and comments, upper-cased, with their offsets."""
    words, depth = [], 0
    for match in _TOKENS.finditer(update):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0:
                words.append(("}", match.start()))
        elif depth == 0:
            words.append((match.group().upper() if kind == "word" else match.group(), match.start()))
    return words


def _top_level_words(update: str) -> set[str]:
    return {word for word, _ in _top_level(update)}


def with_protocol_dataset(update: str, using: list[str], using_named: list[str]) -> str:
    """`update` with `USING <g>` / `USING NAMED <g>` before the WHERE of each DELETE/INSERT operation.

    :raises UpdateRejected: an IRI is not a valid absolute IRI.
    """
    for iri in (*using, *using_named):
        if not _IRI.fullmatch(iri) or ":" not in iri:
            raise UpdateRejected(f"not an absolute IRI: {iri!r} (using-graph-uri / using-named-graph-uri)")
    clauses = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)]) + " "
    tokens = _top_level(update)
    offsets = [
        offset
        for (word, offset), (before, _) in zip(tokens[1:], tokens, strict=False)
        if word == "WHERE" and before != "DELETE"  # DELETE WHERE has no USING form
    ]
    for offset in reversed(offsets):
        update = update[:offset] + clauses + update[offset:]
    return update
