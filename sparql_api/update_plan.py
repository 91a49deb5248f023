"""What a SPARQL update will touch, read before it runs: its graphs (the write's scope), its dataset clauses.

Read in one linear pass over the tokens (`sparql_api.query_scan`), after pyoxigraph has parsed the update (so
the text is valid SPARQL): a template (`INSERT DATA`, `DELETE WHERE`, the DELETE/INSERT of a modify) is flat
(`GRAPH g { triples }` blocks and triples), so the graphs it names are found without a parse tree, and a WHERE
clause changes nothing and is skipped whatever it holds. The graphs an update may change bound what the write
compares before and after and which protected graphs it would touch (`loader.writes`); a template with
`GRAPH ?g` may change any graph (scope None: the write compares every graph and checks what changed), and
`CLEAR ALL` / `DROP NAMED` and the like name every named graph (`whole`). Anything this reading does not
know gives scope None, never a smaller scope. rdflib's parser, used here before, took 19.6 s for 2,000
triples and 650 s for 10,000 (tests/test_update_plan.py measures this one).

Refused before anything runs (`screen`): LOAD and SERVICE (the server would fetch a URL), and brackets nested
deeper than the limit (pyoxigraph's parser would overflow its stack). The protocol's `using-graph-uri` /
`using-named-graph-uri` become USING clauses before each `WHERE` (pyoxigraph's update takes no dataset);
DELETE WHERE has no USING form and keeps the store's default graph.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, parse

from loader.writes import GraphName, Scope
from sparql_api.query_scan import (
    CLOSING,
    OPENING,
    Token,
    TooDeep,
    check_nesting,
    find_keyword,
    group_end,
    position,
    tokens,
)


class UpdateRejected(Exception):
    """The update cannot run here (syntax, LOAD, nesting, a dataset given twice); a 400 with this message."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass(frozen=True)
class UpdatePlan:
    """What an update may change.

    :param scope: the graphs it may change (None: any, known only after it ran).
    :param names_dataset: it has USING or WITH.
    :param whole: the operation that changes every named graph ("CLEAR ALL", "DROP NAMED"), if any.
    """

    scope: Scope
    names_dataset: bool
    whole: str | None = None


_FETCHES = {
    "LOAD": "LOAD is not allowed here: it would make the server fetch a URL; PUT the data to /store",
    "SERVICE": "SERVICE is not allowed in an update: it would make the server fetch a URL; query with /sparql",
}


def screen(update: str, max_nesting: int) -> None:
    """Refuse, before any parser sees it, an update nested too deeply or one that would fetch a URL.

    :raises UpdateRejected: located at the offending token.
    """
    try:
        check_nesting(update, max_nesting)
    except TooDeep as error:
        raise UpdateRejected(f"the update is nested too deeply: {error}", error.line, error.column) from None
    if token := find_keyword(update, _FETCHES):
        raise UpdateRejected(_FETCHES[token.keyword], *position(update, token.start))


class _Unreadable(Exception):
    """Not the structure this reading knows: the update's scope is then "any graph"."""


class _Reader:
    """The update's tokens with one token of look-ahead, and the prologue (BASE, PREFIX) read so far."""

    def __init__(self, update: str, base_iri: str) -> None:
        self._text = update
        self._at(0)
        self.base = base_iri
        self.prefixes: dict[str, str] = {}

    def _at(self, offset: int) -> None:
        self._tokens = _significant(self._text, offset)
        self._next: Token | None = next(self._tokens, None)

    def peek(self) -> str | None:
        return _word(self._next) if self._next is not None else None

    def take(self) -> Token:
        token = self._next
        if token is None:
            raise _Unreadable
        self._next = next(self._tokens, None)
        return token

    def expect(self, keyword: str) -> None:
        if _word(self.take()) != keyword:
            raise _Unreadable

    def skip_if(self, keyword: str) -> bool:
        if self.peek() == keyword:
            self.take()
            return True
        return False

    def iri(self, token: Token | None = None) -> str:
        token = token or self.take()
        if token.kind == "iri":
            return _resolve(token.text, self.base)
        if token.kind == "pname" and not token.text.startswith("_:"):
            prefix, _, local = token.text.partition(":")
            if prefix not in self.prefixes:
                raise _Unreadable
            return self.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        raise _Unreadable

    def skip_group(self) -> None:
        """Past one bracketed group (a WHERE clause, a GRAPH block, a blank node), whatever it holds."""
        if self._next is None or self._next.text not in OPENING:
            raise _Unreadable
        self._at(group_end(self._text, self._next.start))


def _significant(text: str, offset: int) -> Iterator[Token]:
    """The tokens from `offset` without white space and comments."""
    return (token for token in tokens(text, offset) if token.significant)


def _word(token: Token) -> str:
    """A keyword upper-cased, any other token as written (`{`, `;`, a name)."""
    return token.keyword or token.text


def plan_update(update: str, base_iri: str) -> UpdatePlan:
    """What `update` (valid SPARQL, already screened) may change, read without running it."""
    reader = _Reader(update, base_iri)
    graphs: set[GraphName] = set()
    names_dataset = False
    whole = None
    try:
        while (word := reader.peek()) is not None:
            reader.take()
            if word == ";":
                continue
            if word == "BASE":
                reader.base = reader.iri()
            elif word == "PREFIX":
                name = reader.take()
                reader.prefixes[name.text.rstrip(":")] = reader.iri()
            elif word in ("CLEAR", "DROP", "CREATE"):
                reader.skip_if("SILENT")
                which = reader.take().keyword
                if which in ("ALL", "NAMED"):
                    whole = whole or f"{word} {which}"
                elif which == "DEFAULT":
                    graphs.add(DefaultGraph())
                elif which == "GRAPH":
                    graphs.add(NamedNode(reader.iri()))
                else:
                    raise _Unreadable
            elif word in ("ADD", "MOVE", "COPY"):
                reader.skip_if("SILENT")
                source = _graph_or_default(reader)
                reader.expect("TO")
                graphs.add(_graph_or_default(reader))
                if word == "MOVE":  # ADD and COPY only read their source
                    graphs.add(source)
            elif word in ("WITH", "INSERT", "DELETE"):
                # INSERT DATA, DELETE DATA, DELETE WHERE: one template, no WHERE clause.
                if reader.skip_if("DATA") or (word == "DELETE" and reader.skip_if("WHERE")):
                    graphs |= _template(reader, DefaultGraph())
                else:
                    target: GraphName = DefaultGraph()
                    if word == "WITH":
                        target, word = NamedNode(reader.iri()), reader.take().keyword
                    changed, using = _modify(reader, word, target)
                    graphs |= changed
                    names_dataset |= using or isinstance(target, NamedNode)
            else:
                raise _Unreadable
    except _Unreadable:
        return UpdatePlan(None, names_dataset or _names_dataset(update), whole)
    return UpdatePlan(None if whole else frozenset(graphs), names_dataset, whole)


class _AnyGraph(_Unreadable):
    """A template writes to `GRAPH ?var`."""


def _modify(reader: _Reader, first: str, default: GraphName) -> tuple[set[GraphName], bool]:
    """DELETE {…} INSERT {…} USING … WHERE {…} (after WITH): the graphs of its templates, and whether it has USING."""
    if first not in ("INSERT", "DELETE"):
        raise _Unreadable
    graphs = _template(reader, default)
    if first == "DELETE" and reader.skip_if("INSERT"):
        graphs |= _template(reader, default)
    using = False
    while reader.skip_if("USING"):
        using = True
        reader.skip_if("NAMED")
        reader.iri()
    reader.expect("WHERE")
    reader.skip_group()
    return graphs, using


def _template(reader: _Reader, default: GraphName) -> set[GraphName]:
    """The graphs a template writes: each `GRAPH <g> { … }`, and `default` for triples outside them."""
    reader.expect("{")
    graphs: set[GraphName] = set()
    while (word := reader.peek()) != "}":
        if word == "GRAPH":
            reader.take()
            name = reader.take()
            if name.kind == "var":
                raise _AnyGraph
            graphs.add(NamedNode(reader.iri(name)))
            reader.skip_group()
        elif word == ".":
            reader.take()
        elif word in ("[", "("):
            graphs.add(default)
            reader.skip_group()
        else:
            reader.take()
            graphs.add(default)
    reader.take()
    return graphs


def _graph_or_default(reader: _Reader) -> GraphName:
    if reader.skip_if("DEFAULT"):
        return DefaultGraph()
    reader.skip_if("GRAPH")
    return NamedNode(reader.iri())


def _names_dataset(update: str) -> bool:
    """Whether WITH or USING occurs as a keyword (for an update whose structure was not read)."""
    return any(token.keyword in ("WITH", "USING") for token in tokens(update))


@lru_cache(maxsize=4096)  # a worker lives long: bounded
def _resolve(iri_token: str, base: str) -> str:
    """An IRI token (`<…>`, escapes and all) resolved against `base`, as pyoxigraph's parsers do."""
    try:
        [quad] = parse(f"{iri_token} <urn:p> <urn:o> .", format=RdfFormat.TURTLE, base_iri=base)
    except SyntaxError:
        raise _Unreadable from None
    return quad.subject.value  # type: ignore[union-attr]


# -- the protocol's dataset as USING clauses -------------------------------------------------------------------

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*")


def with_protocol_dataset(update: str, using: list[str], using_named: list[str]) -> str:
    """`update` with `USING <g>` / `USING NAMED <g>` before the WHERE of each DELETE/INSERT operation.

    :raises UpdateRejected: an IRI is not a valid absolute IRI.
    """
    for iri in (*using, *using_named):
        if not _ABSOLUTE_IRI.fullmatch(iri):
            raise UpdateRejected(f"not an absolute IRI: {iri!r} (using-graph-uri / using-named-graph-uri)")
    clauses = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)]) + " "
    offsets, depth, before = [], 0, ""
    for token in _significant(update, 0):
        if token.text in OPENING or token.text in CLOSING:
            depth += 1 if token.text in OPENING else -1
            if depth == 0:
                before = "}"
        elif depth == 0:
            if token.keyword == "WHERE" and before != "DELETE":  # DELETE WHERE has no USING form
                offsets.append(token.start)
            before = _word(token)
    for offset in reversed(offsets):
        update = update[:offset] + clauses + update[offset:]
    return update
