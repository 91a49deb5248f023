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
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Literal as TypingLiteral

from pyoxigraph import BlankNode, NamedNode, Quad, Store
from pyoxigraph import Literal as OxLiteral
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

__all__ = [
    "CompiledCheck",
    "ShaclResult",
    "SparqlReport",
    "Unsupported",
    "compile_shapes",
    "report_graph",
    "supported",
    "to_oxigraph",
    "to_rdflib",
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
_FOCUS = re.compile(r"SELECT DISTINCT \?this(?: \?v\d+)* WHERE \{ ")  # the focus subquery of a check
# What a check reports per component beyond (?this ?value): sh:closed the predicate, pairs their partner.
_SELECTS = {
    SH.closed: "?this ?value ?path", SH.lessThan: "?this ?value ?pair", SH.lessThanOrEquals: "?this ?value ?pair",
    SH.uniqueLang: "?this ?pair",
}  # fmt: skip
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = f"{_XSD}string"
# A valid literal of each datatype pyoxigraph parses: the probe of well-formedness in sh:datatype.
_WELL_FORMED = {
    f"{_XSD}{name}": f'"{lexical}"^^<{_XSD}{name}>'
    for name, lexical in {
        "integer": "0", "decimal": "0", "double": "0", "float": "0", "boolean": "true", "date": "2000-01-01",
        "dateTime": "2000-01-01T00:00:00", "time": "00:00:00", "duration": "P1D", "yearMonthDuration": "P1Y",
        "dayTimeDuration": "P1D", "gYear": "2000", "gYearMonth": "2000-01", "gMonth": "--01", "gDay": "---01",
        "gMonthDay": "--01-01", "dateTimeStamp": "2000-01-01T00:00:00Z",
    }.items()
}  # fmt: skip
# Subtypes of xsd:integer that pyoxigraph turns into xsd:integer when it stores a valid literal.
_LOST_DATATYPES = {
    f"{_XSD}{name}"
    for name in (
        "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
        "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
}  # fmt: skip
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
    # The same check for a run over every focus node, where it has a cheaper form (see _Compiler.checks).
    whole: str | None = None


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
        self.nullable: set[str] = set()  # routes that may have length zero (reach the node itself)

    def var(self) -> str:
        self._fresh += 1
        return f"?v{self._fresh}"

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.shapes, node))  # type: ignore[arg-type]

    # -- paths ------------------------------------------------------------------------------------

    def route(self, node: Node | None) -> str | None:
        """The shape's sh:path as a SPARQL path (None for a node shape), remembering whether it is nullable."""
        if node is None:
            return None
        route = self.path(node)
        if self.zero_length(node):
            self.nullable.add(route)
        return route

    def zero_length(self, node: Node) -> bool:
        if isinstance(node, URIRef):
            return False
        if (node, RDF.first, None) in self.shapes:
            return all(self.zero_length(step) for step in self.items(node))
        if (self.shapes.value(node, SH.zeroOrMorePath) or self.shapes.value(node, SH.zeroOrOnePath)) is not None:
            return True
        if (inner := self.shapes.value(node, SH.inversePath) or self.shapes.value(node, SH.oneOrMorePath)) is not None:
            return self.zero_length(inner)
        members = self.shapes.value(node, SH.alternativePath)
        return members is not None and any(self.zero_length(step) for step in self.items(members))

    def reach(self, x: str, route: str, v: str) -> str:
        """``v`` bound to each value of ``x`` along ``route``. pyoxigraph matches a zero-length path only from
        nodes in the graph (SPARQL: any term), so a focus node absent from the data gets itself explicitly;
        at the top level that needs ``x`` bound first (LATERAL), see :meth:`checks`."""
        if route in self.nullable:
            return f"{{ {x} {route} {v} }} UNION {{ BIND ({x} AS {v}) }}"
        return f"{x} {route} {v} ."

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
            if str(argument) in _LOST_DATATYPES:
                raise Unsupported(
                    f"sh:datatype {argument.n3()}: pyoxigraph stores valid literals of the xsd:integer family "
                    "as xsd:integer (oxigraph issue 526), the store cannot tell them apart"
                )
            datatype = _sparql_term(argument)
            # An ill-formed literal violates sh:datatype. pyoxigraph keeps those unparsed: comparing one with a
            # valid literal of its datatype is an error, where a well-formed one compares (true or false).
            valid = _WELL_FORMED.get(str(argument))
            well_formed = f" && COALESCE(IF({v} = {valid}, true, true), false)" if valid else ""
            return f"!(isLiteral({v}) && COALESCE(datatype({v}) = {datatype}{well_formed}, false))"
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
        if parameter == SH.minLength and int(argument) == 0:  # type: ignore[call-overload]
            raise Unsupported("sh:minLength 0: SHACL reports blank nodes, pyshacl lets them pass")
        if parameter in (SH.minLength, SH.maxLength):
            operator = "<" if parameter == SH.minLength else ">"
            return f"(isBlank({v}) || STRLEN(STR({v})) {operator} {int(argument)})"  # type: ignore[call-overload]
        if parameter in _COMPARISONS:
            if isinstance(argument, Literal) and (argument.language or argument.datatype in (None, XSD.string)):
                raise Unsupported(f"{parameter.n3()} with a string: pyshacl compares it with language-tagged strings")
            return f"!COALESCE({v} {_COMPARISONS[parameter]} {_sparql_term(argument)}, false)"
        if parameter == SH.languageIn:
            tags = [f"langMatches(lang({v}), {_sparql_term(Literal(str(t)))})" for t in self.items(argument)]
            return f"!(isLiteral({v}) && (" + (" || ".join(tags) or "false") + "))"
        if parameter == SH["not"]:
            return self.conforms(argument, v)
        if parameter == SH.node:
            return f"!({self.conforms(argument, v, strict=True)})"
        if parameter in (SH["or"], SH["and"], SH.xone):
            members = [f"({self.conforms(member, v)})" for member in self.items(argument)]
            if parameter == SH["or"]:
                return "!(" + (" || ".join(members) or "false") + ")"
            if parameter == SH["and"]:
                return "!(" + (" && ".join(members) or "true") + ")"
            return "((" + " + ".join([f"IF({m}, 1, 0)" for m in members] or ["0"]) + ") != 1)"
        raise Unsupported(f"{parameter.n3()} in a nested shape")

    def conforms(self, shape: Node, x: str, *, strict: bool = False) -> str:
        """A boolean SPARQL expression: does ``x`` conform to ``shape`` (its targets ignored, as sh:node does)?

        ``strict``: no result of any severity, as SHACL says and as pyshacl checks sh:node. Otherwise as
        pyshacl with ``allow_warnings`` (how algokg validates) checks sh:not/and/or/xone/property and
        qualified value shapes: a shape of severity sh:Warning or sh:Info conforms whatever its results. No
        W3C core test nests a shape of another severity in those."""
        if self.shapes.value(shape, SH.deactivated) == Literal(True):
            return "true"
        if not strict and self.shapes.value(shape, SH.severity) in (SH.Warning, SH.Info):
            return "true"
        path = self.shapes.value(shape, SH.path)
        route = self.route(path)
        parts: list[str] = []
        for parameter, argument in self.constraints(shape):
            if parameter == SH.property and route:  # each value node must conform to the property shape
                v = self.var()
                holds = self.conforms(argument, v, strict=strict)
                parts.append(f"NOT EXISTS {{ {self.reach(x, route, v)} FILTER (!({holds})) }}")
            elif parameter == SH.property:
                parts.append(f"({self.conforms(argument, x, strict=strict)})")
            elif parameter == SH.hasValue:
                found = _sparql_term(argument)
                if route in self.nullable:
                    v = self.var()
                    parts.append(f"EXISTS {{ {self.reach(x, route, v)} FILTER (sameTerm({v}, {found})) }}")
                else:
                    parts.append(f"EXISTS {{ {x} {route} {found} }}" if route else f"sameTerm({x}, {found})")
            elif parameter in _VALUE_COMPONENTS:
                if route is None:
                    parts.append(f"!({self.violates(parameter, argument, shape, x)})")
                else:
                    v = self.var()
                    violation = self.violates(parameter, argument, shape, v)
                    parts.append(f"NOT EXISTS {{ {self.reach(x, route, v)} FILTER ({violation}) }}")
            elif parameter in (SH.qualifiedValueShape, SH.qualifiedValueShapesDisjoint) or self.unqualified(
                parameter, shape
            ):
                continue  # read with the qualified counts, which need a qualified value shape
            elif parameter in (SH.minCount, SH.maxCount, SH.qualifiedMinCount, SH.qualifiedMaxCount) and route:
                parts.append(self.count_holds(parameter, argument, shape, x, route))
            elif (
                patterns := self.violations(parameter, argument, shape, x, route, self.var(), self.var())
            ) is not None:
                parts += [f"NOT EXISTS {{ {pattern} }}" for pattern in patterns]
            else:
                raise Unsupported(f"{parameter.n3()} {argument.n3()} in a nested shape")
        return " && ".join(parts) or "true"

    def violations(
        self, parameter: URIRef, argument: Node, shape: Node, x: str, route: str | None, value: str, path: str
    ) -> list[str] | None:
        """Graph patterns with one solution per violation of ``x``, binding ``value`` (and ``path`` for
        sh:closed) where the component reports one, and ``?pair`` where SHACL reports each pair of values
        (sh:lessThan, sh:uniqueLang); None for components handled elsewhere. Each pattern stands alone
        after the focus nodes (no UNION: its branches would not see ``x`` bound at the top level)."""
        pair = "?pair" if path == "?path" else self.var()
        nodes = self.reach(x, route, value) if route else f"BIND ({x} AS {value})"  # value nodes of x
        if parameter == SH.closed:
            allowed = [_sparql_term(p) for p in self.closed_predicates(shape)]
            node = self.var()
            step = self.reach(x, route, node) if route else f"BIND ({x} AS {node})"
            outside = f" FILTER ({path} NOT IN ({', '.join(allowed)}))" if allowed else ""
            return [f"{step} {node} {path} {value} .{outside}"]
        if parameter == SH.uniqueLang:
            if route is None:
                raise Unsupported("sh:uniqueLang on a node shape")
            other = self.var()
            same = f"!sameTerm({value}, {other}) && lang({value}) != '' && LCASE(lang({value})) = LCASE(lang({other}))"
            both = f"{self.reach(x, route, value)} {self.reach(x, route, other)}"
            return [f"{both} FILTER ({same}) BIND (LCASE(lang({value})) AS {pair})"]
        if parameter in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            if not isinstance(argument, URIRef):
                raise Unsupported(f"{parameter.n3()} with a non-IRI argument")
            p = _sparql_term(argument)
            if parameter == SH.disjoint:
                return [f"{nodes} {x} {p} {value} ."]
            if parameter == SH.equals:
                among = self.reach(x, route, value) if route else f"FILTER (sameTerm({value}, {x}))"
                missing = f"{nodes} FILTER NOT EXISTS {{ {x} {p} {value} }}"
                return [missing, f"{x} {p} {value} . FILTER NOT EXISTS {{ {among} }}"]
            if route is None:
                raise Unsupported(f"{parameter.n3()} on a node shape")
            operator = "<" if parameter == SH.lessThan else "<="
            return [f"{nodes} {x} {p} {pair} . FILTER (!COALESCE({value} {operator} {pair}, false))"]
        return None

    def unqualified(self, parameter: URIRef, shape: Node) -> bool:
        """A qualified count without a qualified value shape: not a constraint (W3C core/node/qualified-001)."""
        qualified = parameter in (SH.qualifiedMinCount, SH.qualifiedMaxCount)
        return qualified and self.shapes.value(shape, SH.qualifiedValueShape) is None

    def closed_predicates(self, shape: Node) -> list[Node]:
        """What sh:closed allows: the IRI paths of the shape's property shapes and sh:ignoredProperties."""
        allowed = [self.shapes.value(p, SH.path) for p in self.shapes.objects(shape, SH.property)]
        for ignored in self.shapes.objects(shape, SH.ignoredProperties):
            allowed += self.items(ignored)
        return sorted({p for p in allowed if isinstance(p, URIRef)}, key=str)

    def qualified(self, shape: Node, v: str) -> str:
        """Does value ``v`` count for the shape's qualified counts: conforms to its qualifiedValueShape (and,
        when the shapes are disjoint, to none of the sibling qualified value shapes)?"""
        counted = self.shapes.value(shape, SH.qualifiedValueShape)
        if counted is None:
            raise Unsupported("sh:qualifiedMinCount/MaxCount without sh:qualifiedValueShape")
        condition = f"({self.conforms(counted, v)})"
        if self.shapes.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
            siblings = {
                q
                for parent in self.shapes.subjects(SH.property, shape)
                for sibling in self.shapes.objects(parent, SH.property)
                for q in self.shapes.objects(sibling, SH.qualifiedValueShape)
            } - {counted}
            for sibling in sorted(siblings, key=str):
                condition += f" && !({self.conforms(sibling, v)})"
        return condition

    def count_holds(self, parameter: URIRef, argument: Node, shape: Node, x: str, route: str) -> str:
        """A count constraint as an expression: n distinct values exist (min) or n+1 do not (max); n <= 3."""
        n = int(argument)  # type: ignore[call-overload]
        least = parameter in (SH.minCount, SH.qualifiedMinCount)
        needed = n if least else n + 1
        if needed == 0:
            return "true"
        if needed > 4:
            raise Unsupported(f"{parameter.n3()} {n} in a nested shape (more than 4 distinct values)")
        values = [self.var() for _ in range(needed)]
        pattern = " ".join(self.reach(x, route, v) for v in values)
        tests = [f"!sameTerm({a}, {b})" for i, a in enumerate(values) for b in values[i + 1 :]]
        if parameter in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            tests += [self.qualified(shape, v) for v in values]
        filtered = f"{pattern} FILTER ({' && '.join(tests)})" if tests else pattern
        return f"EXISTS {{ {filtered} }}" if least else f"NOT EXISTS {{ {filtered} }}"

    def constraints(self, shape: Node) -> Iterator[tuple[URIRef, Node]]:
        for parameter, argument in sorted(self.shapes.predicate_objects(shape)):
            if parameter in _NOT_CONSTRAINTS:
                continue
            if parameter in (SH.uniqueLang, SH.closed) and argument != Literal(True):
                continue  # only true switches them on ("1"^^xsd:boolean does not: W3C uniqueLang-002)
            if parameter == SH.ignoredProperties:
                continue  # read with sh:closed
            if not str(parameter).startswith(str(SH)):
                continue  # annotations of the shape (skos:, dct:, ...)
            yield parameter, argument  # type: ignore[misc]

    # -- top-level checks ---------------------------------------------------------------------------

    def checks(self, shape: Node, targets: list[str], keep: str = "") -> list[CompiledCheck]:
        """Every constraint of ``shape`` (and its sh:property shapes) as a check over ``targets``.

        ``keep`` names the variables of the focus nodes of enclosing property shapes: a value node reached
        from two of them is validated (and reported) twice, as SHACL and pyshacl do.
        """
        if self.shapes.value(shape, SH.deactivated) == Literal(True):
            return []
        severity = str(self.shapes.value(shape, SH.severity) or SH.Violation)
        messages = tuple(to_oxigraph(m) for m in self.shapes.objects(shape, SH.message))  # type: ignore[misc]
        path = self.shapes.value(shape, SH.path)
        route = self.route(path)
        union = " UNION ".join(f"{{ {t} }}" for t in targets)
        focus = f"{{ SELECT DISTINCT ?this{keep} WHERE {{ {union} }} }}"
        values = self.reach("?this", route, "?value") if route else "BIND (?this AS ?value)"

        def after_focus(pattern: str, start: str = focus) -> str:
            """A nullable route reaches ?this itself, which must be bound before the pattern runs (see reach)."""
            return f"{start} LATERAL {{ {pattern} }}" if route in self.nullable else f"{start} {pattern}"

        found: list[CompiledCheck] = []

        def check(
            parameter: URIRef, where: str, select: str = "?this ?value", *, value: bool = True, whole: str = ""
        ) -> None:
            query = f"SELECT DISTINCT {select}{keep} WHERE {{ {after_focus(where)} }}"
            every = f"SELECT DISTINCT {select}{keep} WHERE {{ {focus} {whole} }}" if whole else None
            component = _component(parameter)
            found.append(CompiledCheck(shape, component, severity, route, query, value and not route, messages, every))

        def absent(pattern: str) -> dict[str, str]:
            """``?this`` has no match of ``pattern``. Over every focus node MINUS is the same (the pattern shares
            only ?this with the focus rows, always bound there, and ``route`` is not nullable) and ~3x cheaper
            in pyoxigraph: one anti-join instead of an EXISTS evaluated per focus node. For a few focus nodes
            the per-node test stays: MINUS would read the pattern's matches in the whole store."""
            return {} if route in self.nullable else {"whole": f"MINUS {{ {pattern} }}"}

        def apart(violating: str) -> dict[str, str]:
            """Over every focus node, the violating values found on their own and joined to the focus nodes:
            pyoxigraph then runs a nested shape's EXISTS tests in one scan of the values instead of per focus
            node (~30% less at 10k; for plain filters no gain). The filter reads only ?value, bound by the
            route's pattern, which also binds ?this."""
            if not route or route in self.nullable or "EXISTS" not in violating:
                return {}
            return {"whole": f"{{ SELECT ?this ?value WHERE {{ {violating} }} }}"}

        def count(parameter: URIRef, n: int, counted: str) -> None:
            operator = "<" if parameter in (SH.minCount, SH.qualifiedMinCount) else ">"
            inner = after_focus(f"OPTIONAL {{ {self.reach('?this', route, '?any')} {counted} }}")
            grouped = f"SELECT ?this{keep} (COUNT(DISTINCT ?any) AS ?n) WHERE {{ {inner} }} GROUP BY ?this{keep}"
            query = f"SELECT ?this{keep} WHERE {{ {{ {grouped} }} FILTER (?n {operator} {n}) }}"
            found.append(CompiledCheck(shape, _component(parameter), severity, route, query, False, messages))

        for parameter, argument in self.constraints(shape):
            if parameter == SH.property and route:  # a property shape's property shapes: its values are focus
                parent = self.var()
                parents = f"{{ SELECT{keep} (?this AS {parent}) WHERE {{ {union} }} }}"
                nested = after_focus(self.reach(parent, route, "?this"), parents)
                found += self.checks(argument, [nested], f"{keep} {parent}")
            elif parameter == SH.property:
                found += self.checks(argument, targets, keep)
            elif parameter == SH.sparql:
                if keep:
                    raise Unsupported("sh:sparql in a property shape of a property shape")
                found.append(self.sparql(shape, argument, focus, severity, route))
            elif parameter in _VALUE_COMPONENTS:
                violating = f"{values} FILTER ({self.violates(parameter, argument, shape, '?value')})"
                check(parameter, violating, **apart(violating))
            elif parameter == SH.hasValue:
                term = _sparql_term(argument)
                if route:
                    has = f"?this {route} {term}"
                    if route in self.nullable:
                        has = f"{self.reach('?this', route, '?any')} FILTER (sameTerm(?any, {term}))"
                    check(parameter, f"FILTER NOT EXISTS {{ {has} }}", "?this", value=False, **absent(has))
                else:  # a node shape reports no value (the focus node is not "a value that is not it")
                    check(parameter, f"{values} FILTER (!sameTerm(?value, {term}))", "?this", value=False)
            elif parameter in (SH.qualifiedValueShape, SH.qualifiedValueShapesDisjoint) or self.unqualified(
                parameter, shape
            ):
                continue  # read with the qualified counts, which need a qualified value shape
            elif parameter in (SH.minCount, SH.maxCount, SH.qualifiedMinCount, SH.qualifiedMaxCount) and route:
                n = int(argument)  # type: ignore[call-overload]
                qualified = parameter in (SH.qualifiedMinCount, SH.qualifiedMaxCount)
                if parameter == SH.minCount and n == 1:
                    has = self.reach("?this", route, "?any")
                    check(parameter, f"FILTER NOT EXISTS {{ {has} }}", "?this", value=False, **absent(has))
                elif parameter == SH.maxCount and n == 1:  # two different values: cheaper than counting
                    both = f"{self.reach('?this', route, '?any')} {self.reach('?this', route, '?other')}"
                    pair = f"{both} FILTER (!sameTerm(?any, ?other))"
                    check(parameter, pair, "?this", value=False)
                else:
                    count(parameter, n, f"FILTER ({self.qualified(shape, '?any')})" if qualified else "")
            elif (
                patterns := self.violations(parameter, argument, shape, "?this", route, "?value", "?path")
            ) is not None:
                for pattern in patterns:  # ?pair: one result per pair of values (sh:lessThan) or per language
                    select = _SELECTS.get(parameter, "?this ?value")
                    check(parameter, pattern, select, value=parameter != SH.uniqueLang)
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
    query = check.query if focus_nodes is not None or check.whole is None else check.whole
    if focus_nodes is not None:
        values = " ".join(str(node) for node in focus_nodes)
        # Only the touched nodes: restrict the focus subquery (the first "?this WHERE {" of the query).
        query = _FOCUS.sub(lambda found: f"{found.group(0)}VALUES ?this {{ {values} }} ", query)
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

    from loader.pyshacl_graph import PreparedQueries

    prepared = PreparedQueries()  # a copy: pyshacl validates it in place, `data` stays as it was
    prepared += data
    for prefix, namespace in data.namespaces():
        prepared.bind(prefix, namespace, replace=True)
    _, report, _ = validate(prepared, shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True)
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


def report_graph(report: SparqlReport, shapes: Graph) -> Graph:
    """The report as a SHACL validation report graph; each sh:resultPath is a copy of the shape's sh:path."""
    graph = Graph()
    graph.bind("sh", SH)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    # SHACL's sh:conforms: no results at all (SparqlReport.conforms lets warnings pass, as pyshacl's allow_warnings)
    graph.add((root, SH.conforms, Literal(not report.results)))
    for result in report.results:
        node = BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, to_rdflib(result.focus)))
        graph.add((node, SH.resultSeverity, URIRef(result.severity)))
        graph.add((node, SH.sourceConstraintComponent, URIRef(result.component)))
        graph.add((node, SH.sourceShape, result.shape))
        if result.value is not None:
            graph.add((node, SH.value, to_rdflib(result.value)))
        for message in result.messages:
            graph.add((node, SH.resultMessage, to_rdflib(message)))
        if result.path is None:
            continue
        declared = shapes.value(result.shape, SH.path)
        if declared is not None and _Compiler(shapes).path(declared) == result.path:
            graph.add((node, SH.resultPath, _copy_path(shapes, declared, graph)))
        elif result.path.startswith("<"):  # bound by an sh:sparql query (a predicate)
            graph.add((node, SH.resultPath, URIRef(result.path[1:-1])))
    return graph


def _copy_path(shapes: Graph, path: Node, target: Graph) -> Node:
    """A copy of the path as the compiler reads it, with fresh blank nodes: each result has its own path, as
    SHACL reports (and the W3C suite's expected reports) write it; triples the compiler ignores are left out."""
    if isinstance(path, URIRef):
        return path
    copy = BNode()
    if (path, RDF.first, None) in shapes:
        steps = [_copy_path(shapes, step, target) for step in Collection(shapes, path)]  # type: ignore[arg-type]
        Collection(target, copy, steps)  # type: ignore[arg-type]
        return copy
    for predicate in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        if (inner := shapes.value(path, predicate)) is not None:
            target.add((copy, predicate, _copy_path(shapes, inner, target)))
            return copy
    members = shapes.value(path, SH.alternativePath)
    steps = [_copy_path(shapes, step, target) for step in Collection(shapes, members)]  # type: ignore[arg-type]
    listed = BNode()
    Collection(target, listed, steps)  # type: ignore[arg-type]
    target.add((copy, SH.alternativePath, listed))
    return copy


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
    :param workers: threads running checks at once; default the CPUs this process may use, at most 4.
    """
    return validate_compiled(store, shapes, compile_shapes(shapes), focus_nodes=focus_nodes, data=data, workers=workers)


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
    """One source's mapped quads plus the model, checked by the compiled queries: the bare results, which
    ``loader.validation.validate_quads`` (what loads use) turns into a located report.

    Shapes the compiler does not cover are validated by pyshacl over the same triples.
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
            triple = tuple(to_rdflib(term) for term in (quad.subject, quad.predicate, quad.object))
            data.add(triple)  # type: ignore[arg-type]
    return validate_store(store, shapes, data=data)


def to_rdflib(term: OxTerm) -> Node:
    """A pyoxigraph term as an rdflib term, literals exactly as stored."""
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)  # rdflib tells a simple literal from xsd:string; RDF 1.1 does not
    # As stored: rdflib would otherwise rewrite ill-formed literals ("none"^^xsd:boolean becomes "false").
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


# -- checks compiled once, run many times (loader.validation) ----------------------------------------------------


_SMALL_FOCUS = 200  # up to this many focus nodes the checks run one after another, in this thread


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity: `taskset`, a container's cpuset), not the machine's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no sched_getaffinity (not Linux)
        return os.cpu_count() or 1


def validate_compiled(
    store: Store,
    shapes: Graph,
    compiled: tuple[list[CompiledCheck], dict[Node, str]],
    *,
    focus_nodes: Iterable[Node | OxTerm] | None = None,
    data: Graph | None = None,
    workers: int | None = None,
    focus_of: Callable[[CompiledCheck], list[OxTerm]] | None = None,
) -> SparqlReport:
    """:func:`validate_store` with ``compiled = compile_shapes(shapes)`` done once by the caller.

    Compiling the default profiles takes ~12 ms, more than checking one record in a 100k store, so
    ``loader.validation`` compiles each set of profiles once per process and validates with this.

    :param focus_of: with ``focus_nodes``, the ones each check gets (those its shape targets); a check that
        gets none is not run.
    """
    checks, routed = compiled
    touched = None
    if focus_nodes is not None:
        touched = [node if isinstance(node, OxTerm) else to_oxigraph(node) for node in focus_nodes]
    runs = [(check, touched if touched is None or focus_of is None else focus_of(check)) for check in checks]
    runs = [(check, nodes) for check, nodes in runs if nodes is None or nodes]
    report = SparqlReport(routed={str(shape): reason for shape, reason in routed.items()})
    workers = workers or min(4, usable_cores())
    if workers == 1 or (touched is not None and len(touched) <= _SMALL_FOCUS):
        # One core, or a few focus nodes (a write's record: each check takes well under a millisecond): a
        # thread hand-off costs more than it saves, and on a busy core a second thread only waits its turn.
        for run in runs:
            report.results += _run(store, *run)
    else:
        # pyoxigraph releases the GIL while it evaluates: the checks run side by side on the cores there are.
        with ThreadPoolExecutor(workers) as pool:
            for results in pool.map(lambda run: list(_run(store, *run)), runs):
                report.results += results
    if routed and data is not None:
        fallback = pyshacl_results(data, _routed_subgraph(shapes, routed))
        wanted = None if touched is None else {str(node) for node in touched}
        report.results += [r for r in fallback if wanted is None or str(r.focus) in wanted]
    return report
