"""SHACL Core compiled to SPARQL and run on a pyoxigraph store: one query per constraint over all focus nodes.

pyshacl walks focus node by focus node in Python; here every constraint of a shape with targets becomes one
SPARQL SELECT that finds all its violations at once, so the cost is the store's join work, not an interpreter
loop. Nested shapes (``sh:node``, ``sh:or``, ``sh:and``, ``sh:xone``, ``sh:not``, ``sh:property`` of those) are
compiled to a boolean "conforms" expression with ``EXISTS``. ``sh:sparql`` constraints run as written, with the
targets joined in. What the compiler does not cover (see :func:`supported`) is routed to pyshacl, shape by shape,
and listed in the report with the reason. ``rdfs:subClassOf`` is read from the data (the model ships it), as
pyshacl does without inference. pyshacl stays the oracle: ``tests/test_shacl_sparql.py`` checks equal results.
"""

import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Literal as TypingLiteral

from pyoxigraph import BlankNode, NamedNode, Quad, Store
from pyoxigraph import Literal as OxLiteral
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

__all__ = [
    "CompiledCheck",
    "ShaclResult",
    "SparqlReport",
    "Unsupported",
    "compile_shapes",
    "supported",
    "to_oxigraph",
    "validate_quads",
    "validate_store",
]

OxTerm = NamedNode | BlankNode | OxLiteral
_TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_FOCUS = "SELECT DISTINCT ?this WHERE { "
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
# Parameters a shape may carry that are no constraint of their own.
_NOT_CONSTRAINTS = {
    RDF.type, SH.path, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.defaultValue, RDFS.label,
    RDFS.comment, SH.flags, SH.prefixes, SH.declare, RDFS.subClassOf, RDFS.isDefinedBy,
}  # fmt: skip
_VALUE_COMPONENTS = {
    SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.pattern, SH.minLength, SH.maxLength, SH.languageIn,
    SH["not"], SH.node, SH["or"], SH["and"], SH.xone, *_COMPARISONS,
}  # fmt: skip


class Unsupported(Exception):
    """A shape feature the compiler does not cover; the shape goes to pyshacl."""


def to_oxigraph(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph term (blank nodes keep their id, so both sides name them alike)."""
    if isinstance(term, URIRef):
        return NamedNode(str(term))
    if isinstance(term, BNode):
        return BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return OxLiteral(str(term), language=term.language)
        return OxLiteral(str(term), datatype=NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


def _sparql_term(term: Node) -> str:
    if isinstance(term, BNode):
        raise Unsupported(f"blank node {term.n3()} as a constraint parameter")
    return str(to_oxigraph(term))


def _component(parameter: URIRef) -> str:
    local = str(parameter)[len(str(SH)) :]
    return f"{SH}{local[0].upper()}{local[1:]}ConstraintComponent"


@dataclass(frozen=True)
class CompiledCheck:
    """One constraint of one shape as a SELECT over all focus nodes (``?this``, ``?value``, maybe ``?path``)."""

    shape: Node
    component: str
    severity: str
    path: str | None  # the shape's sh:path as a SPARQL path
    query: str
    value_is_focus: bool  # node shapes report the focus node as the value
    messages: tuple[OxLiteral, ...] = ()


@dataclass(frozen=True)
class ShaclResult:
    focus: OxTerm
    shape: Node  # the source shape, a term of the shapes graph
    component: str
    severity: str
    path: str | None
    value: OxTerm | None
    messages: tuple[OxLiteral, ...] = ()

    def key(self) -> tuple[str, str | None, str, str | None, str, str]:
        """What equality with pyshacl is judged on: focus, path, component, value, severity, source shape."""
        value = None if self.value is None else str(self.value)
        return (str(self.focus), self.path, self.component, value, self.severity, str(self.shape))


@dataclass
class SparqlReport:
    """Results of the compiled checks (plus pyshacl's for routed shapes); conforms when no sh:Violation."""

    results: list[ShaclResult] = field(default_factory=list)
    routed: dict[str, str] = field(default_factory=dict)  # shape -> why it went to pyshacl

    @property
    def conforms(self) -> bool:
        return not any(result.severity == str(SH.Violation) for result in self.results)


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self._fresh = 0

    def var(self) -> str:
        self._fresh += 1
        return f"?v{self._fresh}"

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.shapes, node))  # type: ignore[arg-type]

    # -- paths ------------------------------------------------------------------------------------

    def path(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in self.shapes:
            return "(" + "/".join(self.path(step) for step in self.items(node)) + ")"
        for predicate, template in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            if (inner := self.shapes.value(node, predicate)) is not None:
                return "(" + template.format(self.path(inner)) + ")"
        if (members := self.shapes.value(node, SH.alternativePath)) is not None:
            return "(" + "|".join(self.path(step) for step in self.items(members)) + ")"
        raise Unsupported(f"path {node.n3()} is not a SHACL path")

    # -- targets ------------------------------------------------------------------------------------

    def targets(self, shape: Node) -> list[str]:
        patterns = [f"?this {_TYPE_PATH} {_sparql_term(c)} ." for c in self.shapes.objects(shape, SH.targetClass)]
        if (shape, RDF.type, RDFS.Class) in self.shapes and isinstance(shape, URIRef):
            patterns.append(f"?this {_TYPE_PATH} <{shape}> .")  # implicit class target
        patterns += [f"VALUES ?this {{ {_sparql_term(n)} }}" for n in self.shapes.objects(shape, SH.targetNode)]
        patterns += [f"?this {_sparql_term(p)} [] ." for p in self.shapes.objects(shape, SH.targetSubjectsOf)]
        patterns += [f"[] {_sparql_term(p)} ?this ." for p in self.shapes.objects(shape, SH.targetObjectsOf)]
        return patterns

    # -- what a value violates --------------------------------------------------------------------

    def violates(self, parameter: URIRef, argument: Node, shape: Node, v: str) -> str:
        """A boolean SPARQL expression, never an error: does value ``v`` violate this constraint?"""
        if parameter == SH.datatype:
            if argument == RDF.langString:
                return f'!(isLiteral({v}) && lang({v}) != "")'
            return f"!(isLiteral({v}) && COALESCE(datatype({v}) = {_sparql_term(argument)}, false))"
        if parameter == SH["class"]:
            return f"NOT EXISTS {{ {v} {_TYPE_PATH} {_sparql_term(argument)} }}"
        if parameter == SH.nodeKind:
            if argument not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {argument.n3()}")
            return "!" + _NODE_KINDS[argument].format(v=v)  # type: ignore[index]
        if parameter == SH["in"]:
            members = [f"sameTerm({v}, {_sparql_term(m)})" for m in self.items(argument)]
            return "!(" + (" || ".join(members) or "false") + ")"
        if parameter == SH.pattern:
            flags = self.shapes.value(shape, SH.flags)
            regex = f"REGEX(STR({v}), {_sparql_term(Literal(str(argument)))}"
            regex += f", {_sparql_term(Literal(str(flags)))})" if flags is not None else ")"
            return f"(isBlank({v}) || !COALESCE({regex}, false))"
        if parameter in (SH.minLength, SH.maxLength):
            operator = "<" if parameter == SH.minLength else ">"
            return f"(isBlank({v}) || STRLEN(STR({v})) {operator} {int(argument)})"  # type: ignore[call-overload]
        if parameter in _COMPARISONS:
            return f"!COALESCE({v} {_COMPARISONS[parameter]} {_sparql_term(argument)}, false)"
        if parameter == SH.languageIn:
            tags = [f"langMatches(lang({v}), {_sparql_term(Literal(str(t)))})" for t in self.items(argument)]
            return f"!(isLiteral({v}) && (" + (" || ".join(tags) or "false") + "))"
        if parameter == SH["not"]:
            return self.conforms(argument, v)
        if parameter == SH.node:
            return f"!({self.conforms(argument, v)})"
        if parameter in (SH["or"], SH["and"], SH.xone):
            members = [f"({self.conforms(member, v)})" for member in self.items(argument)]
            if parameter == SH["or"]:
                return "!(" + (" || ".join(members) or "false") + ")"
            if parameter == SH["and"]:
                return "!(" + (" && ".join(members) or "true") + ")"
            return "((" + " + ".join([f"IF({m}, 1, 0)" for m in members] or ["0"]) + ") != 1)"
        raise Unsupported(f"{parameter.n3()} in a nested shape")

    def conforms(self, shape: Node, x: str) -> str:
        """A boolean SPARQL expression: does ``x`` conform to ``shape`` (its targets ignored, as sh:node does)?"""
        if self.shapes.value(shape, SH.deactivated) == Literal(True):
            return "true"
        path = self.shapes.value(shape, SH.path)
        route = self.path(path) if path is not None else None
        parts: list[str] = []
        for parameter, argument in self.constraints(shape):
            if parameter == SH.property:
                parts.append(f"({self.conforms(argument, x)})")
            elif parameter == SH.hasValue:
                found = _sparql_term(argument)
                parts.append(f"EXISTS {{ {x} {route} {found} }}" if route else f"sameTerm({x}, {found})")
            elif parameter in _VALUE_COMPONENTS:
                if route is None:
                    parts.append(f"!({self.violates(parameter, argument, shape, x)})")
                else:
                    v = self.var()
                    violation = self.violates(parameter, argument, shape, v)
                    parts.append(f"NOT EXISTS {{ {x} {route} {v} . FILTER ({violation}) }}")
            elif parameter == SH.minCount and route and int(argument) <= 1:  # type: ignore[call-overload]
                least = int(argument)  # type: ignore[call-overload]
                parts.append(f"EXISTS {{ {x} {route} {self.var()} }}" if least else "true")
            elif parameter == SH.maxCount and route and int(argument) <= 1:  # type: ignore[call-overload]
                a, b = self.var(), self.var()
                same = f" FILTER (!sameTerm({a}, {b}))" if int(argument) else ""  # type: ignore[call-overload]
                parts.append(f"NOT EXISTS {{ {x} {route} {a} , {b} .{same} }}")
            else:
                raise Unsupported(f"{parameter.n3()} {argument.n3()} in a nested shape")
        return " && ".join(parts) or "true"

    def constraints(self, shape: Node) -> Iterator[tuple[URIRef, Node]]:
        for parameter, argument in sorted(self.shapes.predicate_objects(shape)):
            if parameter in _NOT_CONSTRAINTS:
                continue
            if parameter in (SH.uniqueLang, SH.closed, SH.ignoredProperties) and argument == Literal(False):
                continue
            if parameter == SH.ignoredProperties:
                continue  # read with sh:closed
            if not str(parameter).startswith(str(SH)):
                continue  # annotations of the shape (skos:, dct:, ...)
            yield parameter, argument  # type: ignore[misc]

    # -- top-level checks ---------------------------------------------------------------------------

    def checks(self, shape: Node, targets: list[str]) -> list[CompiledCheck]:
        """Every constraint of ``shape`` (and its sh:property shapes) as a check over ``targets``."""
        if self.shapes.value(shape, SH.deactivated) == Literal(True):
            return []
        severity = str(self.shapes.value(shape, SH.severity) or SH.Violation)
        messages = tuple(to_oxigraph(m) for m in self.shapes.objects(shape, SH.message))  # type: ignore[misc]
        path = self.shapes.value(shape, SH.path)
        route = self.path(path) if path is not None else None
        focus = "{ " + _FOCUS + " UNION ".join(f"{{ {t} }}" for t in targets) + " } }"
        values = f"?this {route} ?value ." if route else "BIND (?this AS ?value)"
        found: list[CompiledCheck] = []

        def check(parameter: URIRef, where: str, select: str = "?this ?value", *, value: bool = True) -> None:
            query = f"SELECT DISTINCT {select} WHERE {{ {focus} {where} }}"
            component = _component(parameter)
            found.append(CompiledCheck(shape, component, severity, route, query, value and not route, messages))

        for parameter, argument in self.constraints(shape):
            if parameter == SH.property:
                found += self.checks(argument, targets)
            elif parameter == SH.sparql:
                found.append(self.sparql(shape, argument, focus, severity, route))
            elif parameter in _VALUE_COMPONENTS:
                check(parameter, f"{values} FILTER ({self.violates(parameter, argument, shape, '?value')})")
            elif parameter == SH.hasValue:
                term = _sparql_term(argument)
                if route:
                    check(parameter, f"FILTER NOT EXISTS {{ ?this {route} {term} }}", "?this", value=False)
                else:
                    check(parameter, f"{values} FILTER (!sameTerm(?value, {term}))")
            elif parameter in (SH.minCount, SH.maxCount) and route:
                n = int(argument)  # type: ignore[call-overload]
                if parameter == SH.minCount and n == 1:
                    check(parameter, f"FILTER NOT EXISTS {{ ?this {route} ?any }}", "?this", value=False)
                elif parameter == SH.maxCount and n == 1:  # two different values: cheaper than counting
                    pair = f"?this {route} ?any , ?other . FILTER (!sameTerm(?any, ?other))"
                    check(parameter, pair, "?this", value=False)
                else:
                    operator = "<" if parameter == SH.minCount else ">"
                    counted = f"{focus} OPTIONAL {{ ?this {route} ?any }}"
                    count = f"{{ SELECT ?this (COUNT(DISTINCT ?any) AS ?n) WHERE {{ {counted} }} GROUP BY ?this }}"
                    query = f"SELECT ?this WHERE {{ {count} FILTER (?n {operator} {n}) }}"
                    found.append(CompiledCheck(shape, _component(parameter), severity, route, query, False, messages))
            else:
                raise Unsupported(f"{parameter.n3()} {argument.n3()}")
        return found

    def sparql(self, shape: Node, constraint: Node, focus: str, severity: str, route: str | None) -> CompiledCheck:
        """An sh:sparql constraint as written, its focus nodes joined in where pyshacl pre-binds $this."""
        if self.shapes.value(constraint, SH.deactivated) == Literal(True):
            raise Unsupported("deactivated sh:sparql constraint")
        text = str(self.shapes.value(constraint, SH.select) or "")
        if not text:
            raise Unsupported("sh:sparql without sh:select")
        if len(re.findall(r"\bSELECT\b", text, re.IGNORECASE)) != 1:
            raise Unsupported("sh:sparql with a subquery (pre-binding $this inside it differs from a join)")
        if re.search(r"\$(shapesGraph|value)\b", text):
            raise Unsupported("sh:sparql using $shapesGraph or a pre-bound $value")
        if "$PATH" in text and route is None:
            raise Unsupported("sh:sparql uses $PATH on a node shape")
        text = re.sub(r"\$this\b", "?this", text).replace("$PATH", route or "")
        if isinstance(shape, URIRef):
            text = re.sub(r"\$currentShape\b", f"<{shape}>", text)
        elif "$currentShape" in text:
            raise Unsupported("sh:sparql uses $currentShape of a blank node shape")
        start = text.index("{") + 1
        query = self.prefixes(constraint) + text[:start] + f" {focus} " + text[start:]
        messages = tuple(to_oxigraph(m) for m in self.shapes.objects(constraint, SH.message)) or tuple(
            to_oxigraph(m)
            for m in self.shapes.objects(shape, SH.message)  # type: ignore[misc]
        )
        component = str(SH.SPARQLConstraintComponent)
        node_shape = route is None  # node shapes report the focus node as the value when ?value is unbound
        return CompiledCheck(shape, component, severity, route, query, node_shape, messages)  # type: ignore[arg-type]

    def prefixes(self, constraint: Node) -> str:
        lines = []
        for source in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(source, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
        return "".join(lines)


def _roots(shapes: Graph) -> list[Node]:
    """Shapes with targets, in a stable order: the ones a validator starts from."""
    found = {s for predicate in _TARGETS for s in shapes.subjects(predicate, None)}
    found |= {s for s in shapes.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in shapes}
    return sorted(found, key=str)


def supported(shapes: Graph, shape: Node) -> TypingLiteral[True] | str:
    """True when every constraint of ``shape`` compiles; else the reason it goes to pyshacl."""
    compiler = _Compiler(shapes)
    try:
        compiler.checks(shape, compiler.targets(shape))
    except Unsupported as reason:
        return str(reason)
    return True


def compile_shapes(shapes: Graph) -> tuple[list[CompiledCheck], dict[Node, str]]:
    """All checks of the shapes with targets, and the shapes routed to pyshacl with the reason."""
    checks: list[CompiledCheck] = []
    routed: dict[Node, str] = {}
    for shape in _roots(shapes):
        compiler = _Compiler(shapes)
        try:
            checks += compiler.checks(shape, compiler.targets(shape))
        except Unsupported as reason:
            routed[shape] = str(reason)
    return checks, routed


def _message(template: OxLiteral, solution: dict[str, OxTerm]) -> OxLiteral:
    def fill(match: re.Match[str]) -> str:
        term = solution.get(match.group(1))
        return match.group(0) if term is None else term.value  # type: ignore[union-attr]

    text = re.sub(r"\{[?$](\w+)\}", fill, template.value)
    return OxLiteral(text, language=template.language) if template.language else OxLiteral(text)


def _run(store: Store, check: CompiledCheck, focus_nodes: list[OxTerm] | None) -> Iterator[ShaclResult]:
    query = check.query
    if focus_nodes is not None:
        values = " ".join(str(node) for node in focus_nodes)
        # Only the touched nodes: restrict the focus subquery (the first "?this WHERE {" of the query).
        query = query.replace(_FOCUS, f"{_FOCUS}VALUES ?this {{ {values} }} ")
    solutions = store.query(query, use_default_graph_as_union=True)
    names = [variable.value for variable in solutions.variables]  # type: ignore[union-attr]
    for solution in solutions:  # type: ignore[union-attr]
        bound = {name: solution[name] for name in names if solution[name] is not None}
        focus = bound["this"]
        value = bound.get("value", focus if check.value_is_focus else None)
        path = bound.get("path")
        yield ShaclResult(
            focus=focus,
            shape=check.shape,
            component=check.component,
            severity=check.severity,
            path=str(path) if path is not None else check.path,
            value=value,
            messages=tuple(_message(m, {**bound, "value": value} if value else bound) for m in check.messages),
        )


def _routed_subgraph(shapes: Graph, roots: Iterable[Node]) -> Graph:
    """The routed shapes and everything they reach, with the targets of other shapes dropped."""
    chosen = set(roots)
    subset, seen, todo = Graph(), set(), list(chosen)
    for prefix, namespace in shapes.namespaces():
        subset.bind(prefix, namespace)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, obj in shapes.predicate_objects(node):
            if node not in chosen and (predicate in _TARGETS or (predicate, obj) == (RDF.type, RDFS.Class)):
                continue
            subset.add((node, predicate, obj))
            if isinstance(obj, URIRef | BNode):
                todo.append(obj)
    return subset


def pyshacl_results(data: Graph, shapes: Graph) -> list[ShaclResult]:
    """pyshacl's results as :class:`ShaclResult` (the oracle, and the fallback for routed shapes)."""
    from pyshacl import validate  # slow to import

    _, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    compiler = _Compiler(report)
    results = []
    for result in report.objects(None, SH.result):
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        results.append(
            ShaclResult(
                focus=to_oxigraph(report.value(result, SH.focusNode)),  # type: ignore[arg-type]
                shape=report.value(result, SH.sourceShape),  # type: ignore[arg-type]
                component=str(report.value(result, SH.sourceConstraintComponent)),
                severity=str(report.value(result, SH.resultSeverity)),
                path=None if path is None else compiler.path(path),
                value=None if value is None else to_oxigraph(value),
                messages=tuple(to_oxigraph(m) for m in report.objects(result, SH.resultMessage)),  # type: ignore[misc]
            )
        )
    return results


def validate_store(
    store: Store,
    shapes: Graph,
    *,
    focus_nodes: Iterable[Node | OxTerm] | None = None,
    data: Graph | None = None,
    workers: int | None = None,
) -> SparqlReport:
    """Validate the store's union graph (data plus model) against ``shapes``.

    :param focus_nodes: check only these focus nodes (those a write touched); None checks all.
    :param data: the same data as an rdflib graph, for the shapes routed to pyshacl; without it they are
        only listed in ``routed`` (not validated), and the caller decides.
    :param workers: threads running checks at once; default the number of cores, at most 4.
    """
    checks, routed = compile_shapes(shapes)
    touched = None
    if focus_nodes is not None:
        touched = [node if isinstance(node, OxTerm) else to_oxigraph(node) for node in focus_nodes]
    report = SparqlReport(routed={str(shape): reason for shape, reason in routed.items()})
    # pyoxigraph releases the GIL while it evaluates: the checks run side by side on the cores there are.
    with ThreadPoolExecutor(workers or min(4, os.cpu_count() or 1)) as pool:
        for results in pool.map(lambda check: list(_run(store, check, touched)), checks):
            report.results += results
    if routed and data is not None:
        fallback = pyshacl_results(data, _routed_subgraph(shapes, routed))
        wanted = None if touched is None else {str(node) for node in touched}
        report.results += [r for r in fallback if wanted is None or str(r.focus) in wanted]
    return report


def store_from_graph(graph: Graph, path: str | None = None) -> Store:
    """A pyoxigraph store (on disk when ``path`` is given) holding ``graph`` in its default graph."""
    store = Store(path) if path else Store()
    store.extend(Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)  # type: ignore[arg-type]
    return store


@cache
def _model_quads() -> tuple[Quad, ...]:
    """The model (ontology, schemes, law) as quads, parsed once per process."""
    from pyoxigraph import RdfFormat, parse

    from ontology import model_files

    return tuple(quad for path in model_files() for quad in parse(path=str(path), format=RdfFormat.TURTLE))


def validate_quads(quads: Iterable[Quad], *, profiles: Iterable[str] | None = None) -> SparqlReport:
    """Opt-in fast path for a load: one source's mapped quads plus the model, checked by the compiled queries.

    Shapes the compiler does not cover are validated by pyshacl over the same triples. Not wired into the
    loader: ``loader.validation.validate`` stays the default until the lead switches (it also explains results).
    """
    from loader.validation import DEFAULT_PROFILES, shapes_graph

    chosen = tuple(dict.fromkeys(profiles if profiles is not None else DEFAULT_PROFILES))
    shapes = shapes_graph(chosen)
    store = Store()
    store.extend(Quad(q.subject, q.predicate, q.object) for q in (*_model_quads(), *quads))
    data = None
    if compile_shapes(shapes)[1]:  # something goes to pyshacl: it needs the triples as rdflib
        data = Graph()
        for quad in store:
            triple = tuple(_to_rdflib(term) for term in (quad.subject, quad.predicate, quad.object))
            data.add(triple)  # type: ignore[arg-type]
    return validate_store(store, shapes, data=data)


def _to_rdflib(term: OxTerm) -> Node:
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
