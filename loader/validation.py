"""SHACL validation of a load: pyshacl over one source's mapped data plus the model, results located.

Each result is traced back to the record it concerns (file, line or JSON pointer, algorithm id) and
the register field as users know it, with what the shape expects and, where the shape lists the
allowed values, the nearest one. Messages come from the shapes graph in both languages (pyshacl
drops the language tags of SPARQL-based constraints' messages).
"""

import difflib
import hashlib
from dataclasses import dataclass, field
from functools import cache

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, Quad
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from loader.mapping.records import CONCEPT_FIELDS, LINK_FIELDS, PLAIN_FIELDS, TEXT_FIELDS
from ontology import model_files
from shapes import profile_file

# The profiles that judge a record as published. The AI Act and Annex VIII profiles judge an
# algorithm's compliance as a whole (current state, roles, assessments): run them with
# `algokg validate --profile aiact` on the store; per load they would cost ~0.3 s per algorithm.
DEFAULT_PROFILES = ["integrity", "register-1.0", "register-legacy"]
ALL_PROFILES = ["integrity", "register-1.0", "register-legacy", "aiact", "annex-viii-c"]
AKG = "https://w3id.org/algokg/def#"
_OWNERS = (AKG + "hasStatutoryBasis", AKG + "hasAssessment", AKG + "usesDataSource")
# akg property -> the register's own field name, for fields the mapping handles specially.
_SPECIAL_FIELDS = {
    AKG + "organisation": "organization",
    AKG + "organisationName": "organization",
    AKG + "theme": "category",
    AKG + "publicationCategory": "publication_category",
    AKG + "beginDate": "begin_date",
    AKG + "endDate": "end_date",
    AKG + "hasStatutoryBasis": "lawful_basis_grouping",
    AKG + "hasAssessment": "impacttoetsen_grouping",
    AKG + "assessmentExplanation": "impacttoetsen",
    AKG + "usesDataSource": "source_data_grouping",
    AKG + "searchTerm": "tags",
    AKG + "algorithmId": "algorithm_id",
    AKG + "standardVersion": "standard_version",
}
FIELD_NAMES = {
    **{str(p.value): name for table in (TEXT_FIELDS, PLAIN_FIELDS, LINK_FIELDS) for name, p in table.items()},
    **{str(p.value): name for name, (_, p) in CONCEPT_FIELDS.items()},
    **_SPECIAL_FIELDS,
}


@dataclass(frozen=True)
class ValidationResultItem:
    focus: str
    severity: str  # Violation, Warning, Info
    shape: str
    component: str
    path: str | None
    field: str | None
    value: str | None
    message_nl: str
    message_en: str
    expected: str | None = None
    nearest: str | None = None
    file: str | None = None
    line: int | None = None
    pointer: str | None = None
    index: int | None = None
    algorithm_id: str | None = None
    value_is_iri: bool = False

    @property
    def location(self) -> str:
        where = f"line {self.line}" if self.line else self.pointer or (f"record {self.index}" if self.index else "")
        return ", ".join(part for part in (self.file, where) if part) or self.focus


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    results: list[ValidationResultItem] = field(default_factory=list)
    profiles: tuple[str, ...] = ()

    def count(self, severity: str) -> int:
        return sum(1 for result in self.results if result.severity == severity)


@cache
def model_graph() -> Graph:
    graph = Graph()
    for path in model_files():
        graph.parse(path, format="turtle")
    return graph


@cache
def shapes_graph(profiles: tuple[str, ...]) -> Graph:
    graph = Graph()
    for profile in profiles:
        graph.parse(profile_file(profile), format="turtle")
    return graph


def validate(data: Graph, *, profiles: list[str] | tuple[str, ...] = DEFAULT_PROFILES) -> ValidationReport:
    """Validate ``data`` (one source's mapped records) with the model as background knowledge."""
    from pyshacl import validate as pyshacl_validate  # slow to import: only when validating

    chosen = tuple(profiles)
    shapes = shapes_graph(chosen)
    combined = Graph()
    combined += model_graph()
    combined += data
    _, report, _ = pyshacl_validate(combined, shacl_graph=shapes, inference="none", allow_warnings=True)
    results = sorted(
        (_item(report, result, shapes, data) for result in report.subjects(RDF.type, SH.ValidationResult)),
        key=lambda item: (item.file or "", item.index or 0, item.field or "", item.shape, item.value or ""),
    )
    return ValidationReport(
        conforms=not any(item.severity == "Violation" for item in results), results=results, profiles=chosen
    )


def _short(node: object) -> str:
    text = str(node)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def _item(report: Graph, result: object, shapes: Graph, data: Graph) -> ValidationResultItem:
    focus = report.value(result, SH.focusNode)
    shape = report.value(result, SH.sourceShape)
    path = _first_predicate(shapes, report.value(result, SH.resultPath) or _shape_path(shapes, shape))
    value = report.value(result, SH.value)
    if value == focus:  # node-level constraints (sh:or …) report the record itself as the value
        value = None
    messages = {m.language: str(m) for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)}
    fallback = str(report.value(result, SH.resultMessage) or "")
    expected, allowed = _expected(shapes, shape)
    nearest = None
    if value is not None and allowed:
        close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.4)
        nearest = close[0] if close else None
    registration = _registration(data, focus)
    location = _location(data, registration)
    path_iri = str(path) if isinstance(path, URIRef) else None
    return ValidationResultItem(
        focus=str(focus),
        severity=_short(report.value(result, SH.resultSeverity)),
        shape=str(shape) if isinstance(shape, URIRef) else _short(report.value(result, SH.sourceConstraintComponent)),
        component=_short(report.value(result, SH.sourceConstraintComponent)),
        path=path_iri,
        field=FIELD_NAMES.get(path_iri or "", _short(path_iri) if path_iri else None)
        if focus == registration
        else _owner_field(data, registration, focus),
        value=str(value) if value is not None else None,
        message_nl=messages.get("nl", fallback),
        message_en=messages.get("en", fallback),
        expected=expected,
        nearest=nearest,
        value_is_iri=isinstance(value, URIRef),
        **location,
    )


def _shape_path(shapes: Graph, shape: object) -> object:
    """The shape's path, or for a node shape such as "one of these fields" the first member's path."""
    path = shapes.value(shape, SH.path)
    if path is None and (members := shapes.value(shape, SH["or"])) is not None:
        for member in Collection(shapes, members):
            if (path := shapes.value(member, SH.path)) is not None:
                break
    return path


def _first_predicate(graph: Graph, path: object) -> object:
    """``( akg:hasStatutoryBasis akg:citationTitle )`` -> ``akg:hasStatutoryBasis``: the record's field."""
    if isinstance(path, BNode) and (path, RDF.first, None) in graph:
        return graph.value(path, RDF.first)
    return path


def _expected(shapes: Graph, shape: object) -> tuple[str | None, list[str]]:
    """What the constraint asks for, in words, and the allowed values when it lists them."""
    if isinstance(shape, URIRef | BNode):
        allowed = shapes.value(shape, SH["in"])
        if allowed is not None:
            values = [str(item) for item in Collection(shapes, allowed)]
            return "one of " + ", ".join(values), values
        for predicate, words in (
            (SH.datatype, "a value of type {}"),
            (SH.pattern, "text matching {}"),
            (SH.maxLength, "at most {} characters"),
            (SH.minCount, "at least {} value(s)"),
            (SH.maxCount, "at most {} value(s)"),
            (SH["class"], "an instance of {}"),
            (SH.hasValue, "the value {}"),
        ):
            found = shapes.value(shape, predicate)
            if found is not None:
                return words.format(_short(found) if isinstance(found, URIRef) else found), []
    return None, []


def _registration(data: Graph, focus: object) -> object:
    if (focus, URIRef(AKG + "registers"), None) in data:
        return focus
    for owner in _OWNERS:
        for registration in data.subjects(URIRef(owner), focus):
            return registration
    return focus


def _owner_field(data: Graph, registration: object, focus: object) -> str | None:
    for owner in _OWNERS:
        if (registration, URIRef(owner), focus) in data:
            return _SPECIAL_FIELDS[owner]
    return None


def _location(data: Graph, registration: object) -> dict[str, object]:
    def value(name: str) -> object:
        found = data.value(registration, URIRef(AKG + name))
        return found.toPython() if isinstance(found, Literal) else None

    algorithm = data.value(registration, URIRef(AKG + "registers"))
    algorithm_id = data.value(algorithm, URIRef(AKG + "algorithmId")) if algorithm is not None else None
    return {
        "file": value("sourceFile"),
        "line": value("sourceLine"),
        "pointer": value("sourcePointer"),
        "index": value("sourceIndex"),
        "algorithm_id": str(algorithm_id) if algorithm_id is not None else None,
    }


SH_NS = "http://www.w3.org/ns/shacl#"


def results_as_quads(report: ValidationReport, graph: NamedNode) -> list[Quad]:
    """The results as SHACL triples in ``graph``, with IRIs stable across reloads of the same data."""
    quads: list[Quad] = []
    for item in report.results:
        digest = hashlib.sha256("\n".join((item.focus, item.shape, item.path or "", item.value or "")).encode())
        node = NamedNode(f"{graph.value}/result/{digest.hexdigest()[:16]}")

        def add(predicate: str, obj: NamedNode | OxLiteral, node: NamedNode = node) -> None:
            quads.append(Quad(node, NamedNode(SH_NS + predicate), obj, graph))

        quads.append(Quad(node, NamedNode(str(RDF.type)), NamedNode(SH_NS + "ValidationResult"), graph))
        add("focusNode", NamedNode(item.focus) if "://" in item.focus else OxLiteral(item.focus))
        add("resultSeverity", NamedNode(SH_NS + item.severity))
        add("sourceConstraintComponent", NamedNode(SH_NS + item.component))
        if item.shape.startswith(("http://", "https://")):
            add("sourceShape", NamedNode(item.shape))
        if item.path:
            add("resultPath", NamedNode(item.path))
        if item.value is not None:
            add("value", NamedNode(item.value) if item.value_is_iri else OxLiteral(item.value))
        add("resultMessage", OxLiteral(item.message_nl, language="nl"))
        add("resultMessage", OxLiteral(item.message_en, language="en"))
    return quads
