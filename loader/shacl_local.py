"""A few focus nodes checked in a small in-memory copy of what the checks read, not in the large store.

Checking one record in place costs a store round trip per compiled check (and the disk store's random reads
grow with its size). Most checks read only triples *forward* from the focus node: its own triples, its values'
triples, maybe theirs (``sh:node``, ``sh:class``). :func:`reach` finds, from each compiled query's parse tree, how
many steps forward that is; the focus nodes' triples up to that depth are copied once from the store into an
in-memory store that already holds the model (parsed once per process), and the checks run there. A check
that reads anything else (an inverse path, a pattern not anchored at the focus node, ``GRAPH``, an unbounded
path other than ``rdfs:subClassOf*``) keeps running on the store: :func:`reach` says None for it.

Why the copy gives the store's results: every triple pattern such a check evaluates has a subject at a known
depth from the focus node (or a constant subject, copied as a root), and every triple of those subjects is
copied, from every graph; ``rdfs:subClassOf`` triples are copied all; the one pattern not anchored forward,
a target's ``[] p ?this`` (sh:targetObjectsOf), only asks whether some triple exists, and one such triple is
copied from the store for each focus node (a witness). ``tests/test_shacl_local.py`` compares both ways.
"""

import functools
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence

from pyoxigraph import BlankNode, NamedNode, Quad, Store
from pyoxigraph import Literal as OxLiteral
from pyparsing import ParseResults
from rdflib import RDFS, BNode, URIRef, Variable
from rdflib.paths import AlternativePath, MulPath, SequencePath
from rdflib.plugins.sparql.algebra import translatePath, translatePName, translatePrologue, traverse
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from loader.shacl_sparql import CompiledCheck

__all__ = ["Reach", "copy_for", "reach", "scratch_store"]

_SUBCLASS = NamedNode(str(RDFS.subClassOf))
_MAX_DEPTH = 6  # beyond this many steps from the focus node the copy would be no record any more
_SCRATCH = NamedNode("urn:algokg:scratch")  # the copied triples' one graph (checks read the union graph)


class _Outside(Exception):
    """The query reads something not reachable forward from the focus node: it runs on the store."""


class Reach:
    """What a check reads: subjects up to ``depth`` steps from the focus node (and the ``roots``), all
    ``rdfs:subClassOf`` triples (``classes``), and whether some triple ``[] p ?this`` exists (``witnesses``)."""

    def __init__(
        self,
        depth: int,
        roots: frozenset[NamedNode],
        witnesses: frozenset[NamedNode],
        levels: dict[int, frozenset[NamedNode] | None],
        expand: dict[int, frozenset[NamedNode] | None],
    ) -> None:
        self.depth, self.roots, self.witnesses = depth, roots, witnesses
        self.levels = levels  # the predicates read from subjects at each depth (None: any)
        self.expand = expand  # the predicates whose objects are subjects one step deeper (None: any)

    def predicates_from(self, level: int) -> frozenset[NamedNode] | None:
        """What a node first met at ``level`` may be read for (it may lie deeper along another route too)."""
        return _union_from(self.levels, level, self.depth)

    def follow_from(self, level: int) -> frozenset[NamedNode] | None:
        """The predicates whose objects a node first met at ``level`` leads on to."""
        return _union_from(self.expand, level, self.depth)


def _union_from(table: dict[int, frozenset[NamedNode] | None], level: int, deepest: int) -> frozenset[NamedNode] | None:
    found: set[NamedNode] = set()
    for depth in range(level, deepest + 1):
        predicates = table.get(depth, frozenset())
        if predicates is None:
            return None
        found |= predicates
    return frozenset(found)


def _add(table: dict[int, set[str] | None], level: int, predicates: set[str] | None) -> None:
    current = table.get(level, set())
    table[level] = None if predicates is None or current is None else current | predicates


def _named(table: dict[int, set[str] | None]) -> dict[int, frozenset[NamedNode] | None]:
    return {d: None if ps is None else frozenset(NamedNode(x) for x in ps) for d, ps in table.items()}


def _walk(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in dict.values(node):  # the raw values (CompValue's own accessors resolve variables)
            yield from _walk(value)
    elif isinstance(node, list | tuple | ParseResults):
        for item in node:
            yield from _walk(item)


def _plain(expr: object) -> object:
    """A parsed expression without its wrappers: ``BIND (?this AS ?value)`` names the variable itself."""
    while isinstance(expr, CompValue) and expr.name.endswith("Expression"):
        raw = dict(expr)
        if set(raw) - {"expr", "_vars"}:
            return expr  # an operator with more operands
        expr = raw.get("expr")
    return expr


def _steps(path: object) -> list[set[str] | None]:
    """The predicates of each step of a bounded forward path (None for a step that is not one IRI set)."""
    if isinstance(path, Variable):
        return [None]
    if isinstance(path, URIRef):
        return [{str(path)}]
    if isinstance(path, SequencePath):
        return [step for part in path.args for step in _steps(part)]
    if isinstance(path, AlternativePath):
        found: list[set[str] | None] = []
        for part in path.args:
            for index, step in enumerate(_steps(part)):
                if index == len(found):
                    found.append(set())
                found[index] = None if step is None or found[index] is None else found[index] | step  # type: ignore[operator]
        return found
    if isinstance(path, MulPath):
        return _steps(path.path)
    return [None]


def _length(path: object) -> int | None:
    """Steps forward of a path; None for one that is not a forward path of bounded length."""
    if isinstance(path, URIRef | Variable):  # a variable predicate (sh:closed): any of the subject's triples
        return 1
    if isinstance(path, SequencePath):
        lengths = [_length(step) for step in path.args]
        return None if None in lengths else sum(lengths)  # type: ignore[arg-type]
    if isinstance(path, AlternativePath):
        lengths = [_length(step) for step in path.args]
        return None if None in lengths else max(lengths)  # type: ignore[type-var]
    if isinstance(path, MulPath) and path.mod == "?":
        return _length(path.path)
    return None


def _class_path(path: object) -> bool:
    """``rdf:type/rdfs:subClassOf*``: the type is one step; the class hierarchy is copied whole."""
    return (
        isinstance(path, SequencePath)
        and len(path.args) == 2
        and isinstance(path.args[0], URIRef)
        and isinstance(path.args[1], MulPath)
        and path.args[1].path == RDFS.subClassOf
        and path.args[1].mod in ("*", "+")
    )


@functools.cache  # ~10 ms a query (rdflib's parser); profiles share most of theirs
def reach(query: str) -> Reach | None:
    """How far forward from ``?this`` the query reads; None when it reads elsewhere too (run it on the store)."""
    # The parse tree, names resolved and paths as rdflib paths (the first steps of rdflib's translateQuery):
    # its algebra moves the filters of a group inside EXISTS out of reach.
    try:
        parsed = parseQuery(query)
        prologue = translatePrologue(parsed[0], None)
        tree = traverse(parsed[1], visitPost=functools.partial(translatePName, prologue=prologue))
        tree = traverse(tree, visitPost=translatePath)
        return _reach(tree)
    except Exception:  # _Outside, or a query rdflib cannot read: the store runs it as ever
        return None


def _reach(algebra: CompValue) -> Reach:
    patterns: list[tuple[object, object, object]] = []
    aliases: list[tuple[Variable, Variable]] = []
    for node in _walk(algebra):
        if node.name in ("GraphGraphPattern", "ServiceGraphPattern", "DatasetClause"):
            raise _Outside(node.name)
        raw = dict(node)
        if node.name == "Bind" and isinstance(alias := _plain(raw.get("expr")), Variable):
            aliases.append((raw["var"], alias))
        for triples in [raw.get("triples")] if isinstance(raw.get("triples"), list) else []:
            for triple in triples:
                if len(triple) % 3:
                    raise _Outside(f"triple block {triple}")
                # a parse tree's block (inside EXISTS) lists several triples in one row
                patterns += [tuple(triple[i : i + 3]) for i in range(0, len(triple), 3)]  # type: ignore[misc]
    this = Variable("this")
    # ``[] p ?this`` with ``[]`` used nowhere else: an existence test, answered by a copied witness.
    blanks = [term for triple in patterns for term in (triple[0], triple[2]) if isinstance(term, BNode)]
    witnesses = {
        triple
        for triple in patterns
        if isinstance(triple[0], BNode)
        and blanks.count(triple[0]) == 1
        and triple[2] == this
        and isinstance(triple[1], URIRef)
    }
    rest = [triple for triple in patterns if triple not in witnesses]
    depth: dict[object, int] = {this: 0}
    roots = {s for s, _, _ in rest if isinstance(s, URIRef)}
    for root in roots:
        depth[root] = 0
    fixed = set(depth)  # bound to the focus node or a constant, whatever else names them

    def deepen(term: object, candidate: int) -> bool:
        if term in fixed or depth.get(term, -1) >= candidate:
            return False
        if candidate > _MAX_DEPTH:
            raise _Outside("a cycle or a long chain of patterns")
        depth[term] = candidate
        return True

    changed = True
    while changed:  # the *longest* forward distance of each variable: a UNION or OPTIONAL may bind it either way
        changed = False
        for target, source in aliases:
            if source in depth:
                changed |= deepen(target, depth[source])
        for s, p, o in rest:
            step = _length(p)
            if s in depth and step is not None and isinstance(o, Variable | BNode):
                changed |= deepen(o, depth[s] + step)
    subjects = {s for s, _, _ in rest}
    grown = True
    while grown:  # a variable whose value another one takes (BIND) is a subject when that one is
        grown = False
        for target, source in aliases:
            if target in subjects and source not in subjects:
                subjects.add(source)
                grown = True
    needed = 0
    levels: dict[int, set[str] | None] = {}
    expand: dict[int, set[str] | None] = {}
    for s, p, o in rest:
        if s not in depth:
            raise _Outside(f"subject {s} not reached forward from ?this")
        if _class_path(p):
            if o in subjects:
                raise _Outside("a class used as a subject")
            needed = max(needed, depth[s])
            _add(levels, depth[s], {str(p.args[0])})  # type: ignore[attr-defined]
            continue
        step = _length(p)
        if step is None:
            raise _Outside(f"path {p}")
        needed = max(needed, depth[s] + step - 1)
        steps = _steps(p)
        for index, predicates in enumerate(steps):
            _add(levels, depth[s] + index, predicates)
            if index < len(steps) - 1 or o in subjects:  # the step leads to a node read in turn
                _add(expand, depth[s] + index, predicates)
    return Reach(
        needed,
        frozenset(NamedNode(str(r)) for r in roots),
        frozenset(NamedNode(str(p)) for _, p, _ in witnesses),
        _named(levels),
        _named(expand),
    )


def plan(checks: list[CompiledCheck]) -> tuple[list[CompiledCheck], list[CompiledCheck], Reach]:
    """The checks that can run on a copy, those that cannot, and what the copy must hold for the former.

    Parses every query (~0.5 s for the default profiles): callers cache it with the compiled checks."""
    reaches = [reach(check.query) for check in checks]
    local = [check for check, found in zip(checks, reaches, strict=True) if found is not None]
    store = [check for check, found in zip(checks, reaches, strict=True) if found is None]
    found = [r for r in reaches if r is not None]
    tables: tuple[dict[int, set[str] | None], dict[int, set[str] | None]] = ({}, {})
    for each in found:
        for table, own in zip(tables, (each.levels, each.expand), strict=True):
            for level, predicates in own.items():
                _add(table, level, None if predicates is None else {p.value for p in predicates})
    combined = Reach(
        max((r.depth for r in found), default=0),
        frozenset().union(*(r.roots for r in found)),
        frozenset().union(*(r.witnesses for r in found)),
        _named(tables[0]),
        _named(tables[1]),
    )
    return local, store, combined


_lock = threading.Lock()


_bases: dict[int, tuple[tuple[Quad, ...], Store]] = {}


def _base(model: tuple[Quad, ...]) -> Store:
    """An in-memory store holding the model, built once per model (by identity: it is parsed once)."""
    if id(model) not in _bases:
        store = Store()
        store.extend(model)
        _bases[id(model)] = (model, store)  # the model kept alive, so its id is not reused
    return _bases[id(model)][1]


def copy_for(
    store: Store,
    nodes: Iterable[NamedNode | BlankNode | OxLiteral],
    needs: Reach,
    model_prefix: str,
    known: Mapping[NamedNode | BlankNode, Sequence[Quad]] | None = None,
) -> list[Quad]:
    """The store's triples the checks read for these focus nodes (model graphs left out: the copy has them).

    :param known: every triple of some nodes (every graph), as finding the focus nodes read them: not read again.
    """
    focus = list(nodes)
    copied: list[Quad] = []
    seen: set[object] = set()
    frontier = [node for node in focus if not isinstance(node, OxLiteral)] + list(needs.roots)
    for level in range(needs.depth + 1):
        found = []
        follow = needs.follow_from(level)
        for node in frontier:
            if node in seen:
                continue
            seen.add(node)
            predicates = None if level == 0 else needs.predicates_from(level)
            if known is not None and node in known:
                quads: Iterable[Quad] = [q for q in known[node] if predicates is None or q.predicate in predicates]
            else:
                quads = _read(store, node, predicates)
            for quad in quads:
                graph = quad.graph_name
                if not (isinstance(graph, NamedNode) and graph.value.startswith(model_prefix)):
                    copied.append(Quad(quad.subject, quad.predicate, quad.object, _SCRATCH))
                onward = level < needs.depth and (follow is None or quad.predicate in follow)
                if onward and isinstance(quad.object, NamedNode | BlankNode):
                    found.append(quad.object)
        frontier = found
    for quad in store.quads_for_pattern(None, _SUBCLASS, None, None):
        graph = quad.graph_name
        if not (isinstance(graph, NamedNode) and graph.value.startswith(model_prefix)):
            copied.append(Quad(quad.subject, quad.predicate, quad.object, _SCRATCH))
    present = {(quad.predicate, quad.object) for quad in copied}
    for predicate in needs.witnesses:
        for node in focus:
            if (predicate, node) in present:
                continue
            witness = next(store.quads_for_pattern(None, predicate, node, None), None)
            if witness is not None:
                copied.append(Quad(witness.subject, predicate, node, _SCRATCH))
    return copied


def _read(store: Store, node: NamedNode | BlankNode, predicates: frozenset[NamedNode] | None) -> Iterator[Quad]:
    """A node's triples: all of them (a record's node), or those of the predicates the checks read there (a
    concept or a law article, whose many model triples would otherwise be decoded for nothing)."""
    if predicates is None:
        yield from store.quads_for_pattern(node, None, None, None)
        return
    for predicate in predicates:
        yield from store.quads_for_pattern(node, predicate, None, None)


class scratch_store:  # a context manager, named like open()
    """The model (parsed once per process) plus ``quads``, for the duration of a ``with``; one at a time."""

    def __init__(self, model: tuple[Quad, ...], quads: list[Quad]) -> None:
        self.model, self.quads = model, quads

    def __enter__(self) -> Store:
        _lock.acquire()
        try:
            store = _base(self.model)
            store.extend(self.quads)
        except BaseException:
            self.__exit__()
            raise
        return store

    def __exit__(self, *_: object) -> None:
        try:
            _base(self.model).remove_graph(_SCRATCH)
        finally:
            _lock.release()
