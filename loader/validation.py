"""SHACL validation of a load: pyshacl over one source's mapped data plus the model, results located.

Each result is traced back to the record it concerns (file, line or JSON pointer, algorithm id) and
the register field as users know it, with what the constraint expects and, where the shape lists the
allowed values (``sh:in``, or a concept scheme), the nearest one. Messages come from the shapes graph
in both languages: pyshacl drops the language tags of SPARQL-based constraints' messages.

``conforms`` means "no ``sh:Violation``": required fields give violations, recommended ones warnings,
and ``--strict`` rejects only violations.
"""

import difflib
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad
from pyoxigraph import Literal as OxLiteral
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result
from rdflib.term import Node

from loader.errors import AlgokgError
from loader.mapping.concepts import fold
from loader.mapping.records import CONCEPT_FIELDS, LINK_FIELDS, PLAIN_FIELDS, TEXT_FIELDS
from ontology import model_files
from shapes import PROFILES, profile_file

# The profiles that judge a record as published. `aiact` and `annex-viii-c` judge an algorithm's AI Act
# compliance (roles, assessments, dates), which register exports do not carry: on the 120-record sample
# they find nothing and take validation from 0.6 s to 4.6 s. Run them with `algokg validate --profile aiact`.
DEFAULT_PROFILES: tuple[str, ...] = ("integrity", "register-1.0", "register-legacy")
ALL_PROFILES: tuple[str, ...] = PROFILES
AKG = "https://w3id.org/algokg/def#"
_REGISTERS = URIRef(AKG + "registers")
_ALGORITHM_ID = URIRef(AKG + "algorithmId")
_MAX_HOPS = 3  # focus -> statutory basis -> algorithm -> registration is the longest walk in mapped data
_LISTED = 20  # list a scheme's codes in "expected" up to this many
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}

# The register's fields, by their key in exports, with their titles in publication standard 1.0.
FIELD_TITLES: dict[str, tuple[str, str]] = {
    "name": ("Naam", "Name"), "description_short": ("Korte omschrijving", "Short description"),
    "organization": ("Organisatienaam", "Organisation name"), "category": ("Thema", "Theme"),
    "status": ("Status", "Status"), "begin_date": ("Begindatum", "Begin date"), "end_date": ("Einddatum", "End date"),
    "contact_email": ("Contactgegevens", "Contact details"), "website": ("Link naar publiekspagina", "Link to public page"),
    "publication_category": ("Publicatiecategorie", "Publication category"),
    "url": ("Link naar bronregistratie", "Link to source registration"), "goal": ("Doel en impact", "Purpose and impact"),
    "proportionality": ("Afwegingen", "Considerations"), "human_intervention": ("Menselijke tussenkomst", "Human intervention"),
    "risks": ("Risicobeheer", "Risk management"), "lawful_basis": ("Wettelijke basis", "Legal basis"),
    "lawful_basis_grouping": ("Verwijzingen wettelijke basis", "Legal basis references"),
    "process_index_url": ("Link naar verwerkingsregister", "Link to processing register"),
    "impacttoetsen_grouping": ("Impacttoetsen", "Impact assessments"),
    "impacttoetsen": ("Toelichting op impacttoetsen", "Explanation of impact assessments"),
    "source_data": ("Gegevens", "Data"), "source_data_grouping": ("Verwijzingen gegevensbronnen", "Data source references"),
    "methods_and_models": ("Technische werking", "Technical operation"), "provider": ("Leverancier", "Supplier"),
    "publiccode": ("Link naar broncode", "Link to source code"), "lang": ("Taal", "Language"),
    "standard_version": ("Versie publicatiestandaard", "Publication standard version"),
    "source_id": ("Bron-ID", "Source id"), "tags": ("Zoektermen", "Search terms"), "algorithm_id": ("Algoritme-ID", "Algorithm id"),
}  # fmt: skip
_FIELD_ORDER = {key: position for position, key in enumerate(FIELD_TITLES)}  # the register's order
# Properties the mapping fills by hand; the rest come from its tables (first wins, so akg:publicPage is
# `website`, the 1.0 field, not the older `application_url`).
_MAPPED_BY_HAND = {
    "organisation": "organization", "organisationName": "organization", "theme": "category",
    "publicationCategory": "publication_category", "beginDate": "begin_date", "endDate": "end_date",
    "hasStatutoryBasis": "lawful_basis_grouping", "hasAssessment": "impacttoetsen_grouping",
    "assessmentExplanation": "impacttoetsen", "usesDataSource": "source_data_grouping", "supplier": "provider",
    "searchTerm": "tags", "algorithmId": "algorithm_id", "standardVersion": "standard_version",
}  # fmt: skip


def _field_keys() -> dict[str, str]:
    """akg property IRI -> the register's field key."""
    keys = {AKG + name: key for name, key in _MAPPED_BY_HAND.items()}
    concepts = {key: predicate for key, (_, predicate) in CONCEPT_FIELDS.items()}
    for table in (TEXT_FIELDS, PLAIN_FIELDS, LINK_FIELDS, concepts):
        for key, predicate in table.items():
            keys.setdefault(str(predicate.value), key)
    return keys


FIELD_KEYS = _field_keys()


@dataclass(frozen=True)
class ValidationResultItem:
    """One SHACL result, located in its source and explained in the register's terms.

    ``focus``, ``record`` and ``value`` are IRIs or lexical forms (blank nodes as ``_:id``);
    ``value_type`` says which: ``iri``, ``bnode``, ``@lang`` or the literal's datatype IRI.
    ``field`` is the register's key (``category``), ``field_nl``/``field_en`` its title (Thema/Theme).
    ``path`` is the result's ``sh:resultPath`` as its sequence of predicates (empty for node-level results).
    ``record_path`` holds the data's triples from the record to the focus node when they differ.
    """

    focus: str
    severity: str  # Violation, Warning, Info
    shape: str
    component: str  # the constraint component's IRI
    message_nl: str
    message_en: str
    path: tuple[str, ...] = ()
    field: str | None = None
    field_nl: str | None = None
    field_en: str | None = None
    value: str | None = None
    value_type: str | None = None
    expected_nl: str | None = None
    expected_en: str | None = None
    nearest: str | None = None
    record: str | None = None
    file: str | None = None
    line: int | None = None
    pointer: str | None = None
    index: int | None = None
    algorithm_id: str | None = None
    record_path: tuple[tuple[str, str, str], ...] = ()

    @property
    def location(self) -> str:
        """Where the record is, in English: ``export.csv, line 7``, a JSON pointer, or the focus node."""
        where = f"line {self.line}" if self.line else self.pointer or (f"record {self.index}" if self.index else "")
        return ", ".join(part for part in (self.file, where) if part) or self.focus

    @property
    def key(self) -> str:
        """A digest of what the result says, stable across runs: the last segment of its stored IRI."""
        parts = (self.focus, self.shape, self.component, *self.path, self.value or "", self.value_type or "")
        text = "\n".join((*parts, self.message_nl, self.message_en))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def record_key(self) -> tuple[bool, str, int, str]:
        """Records in file order; results no record links to last, by focus node."""
        return (self.record is None, self.file or "", self.index or 0, self.record or self.focus)

    def sort_key(self) -> tuple[Any, ...]:
        """Record by record, then field in the register's order, violations first."""
        field = (_FIELD_ORDER.get(self.field or "", len(_FIELD_ORDER)), self.field or "")
        rest = (_SEVERITY_ORDER.get(self.severity, 3), self.shape, self.value or "", self.focus)
        return (*self.record_key(), *field, *rest)


@dataclass(frozen=True)
class ValidationReport:
    """The located results of one validation; ``conforms`` is False only when there is a violation."""

    conforms: bool
    results: list[ValidationResultItem] = field(default_factory=list)
    profiles: tuple[str, ...] = ()

    def count(self, severity: str) -> int:
        return sum(1 for result in self.results if result.severity == severity)


@cache
def model_graph() -> Graph:
    """Ontology, schemes and law, parsed once per process (the model does not change while it runs)."""
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


class _PreparedQueries(Graph):
    """A graph that parses each SPARQL text once: pyshacl sends a SPARQL constraint's text again for every
    focus node, and parsing it (~25 ms) took 93% of validating the 120-record sample (4.6 s -> 0.35 s)."""

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, Any] = {}

    def query(  # type: ignore[override]
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,  # rdflib's names and order: pyshacl passes them by position
        initBindings: Any = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and processor == "sparql" and result == "sparql" and not kwargs:
            key = (query_object, tuple(sorted((initNs or {}).items())))
            if key not in self._prepared:
                self._prepared[key] = prepareQuery(query_object, initNs={**dict(self.namespaces()), **(initNs or {})})
            query_object, initNs = self._prepared[key], None
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def validate(data: Graph, *, profiles: Sequence[str] = DEFAULT_PROFILES) -> ValidationReport:
    """Validate ``data`` (one source's mapped records) against ``profiles``, with the model as background.

    The report conforms when no result is a ``sh:Violation`` (warnings and infos do not count).

    :param data: the mapped data; it is not changed.
    :param profiles: names from :data:`shapes.PROFILES`; default :data:`DEFAULT_PROFILES`.
    :raises AlgokgError: a profile is unknown.
    """
    chosen = tuple(dict.fromkeys(profiles))
    unknown = [profile for profile in chosen if profile not in PROFILES]
    if unknown:
        raise AlgokgError(f"unknown SHACL profile(s) {', '.join(unknown)}; choose from {', '.join(PROFILES)}")
    if not chosen:
        return ValidationReport(conforms=True, profiles=chosen)
    from pyshacl import validate as pyshacl_validate  # slow to import: only when validating

    shapes = shapes_graph(chosen)
    combined = _PreparedQueries()
    combined += model_graph()
    combined += data
    _, report, _ = pyshacl_validate(combined, shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True)
    explain = _Explainer(shapes, model_graph(), data)
    # The report's own results; nested ones (sh:detail of an sh:node result) would repeat them on the value.
    results = sorted(
        (explain.item(report, result) for result in report.objects(None, SH.result)),
        key=ValidationResultItem.sort_key,
    )
    conforms = not any(item.severity == "Violation" for item in results)
    return ValidationReport(conforms=conforms, results=results, profiles=chosen)


# -- what a constraint expects --------------------------------------------------------------------


@dataclass(frozen=True)
class _Expectation:
    nl: str | None = None
    en: str | None = None
    allowed: tuple[tuple[str, str], ...] = ()  # (folded label, value to suggest)


_PREFIXES = {
    "akg": AKG,
    "xsd": str(XSD),
    "rdf": str(RDF),
    "skos": str(SKOS),
    "eli": "http://data.europa.eu/eli/ontology#",
    "dct": "http://purl.org/dc/terms/",
}
_DATATYPE_FORMS = {XSD.gYearMonth: ("JJJJ-MM", "YYYY-MM"), XSD.date: ("JJJJ-MM-DD", "YYYY-MM-DD")}


def _curie(iri: Node) -> str:
    for prefix, namespace in _PREFIXES.items():
        if str(iri).startswith(namespace):
            return f"{prefix}:{str(iri)[len(namespace) :]}"
    return str(iri)


def _count(number: Node, least: bool) -> _Expectation:
    n = int(number)  # type: ignore[call-overload]
    if n == 1:
        return _Expectation("een waarde", "a value") if least else _Expectation("één waarde", "one value")
    if least:
        return _Expectation(f"ten minste {n} waarden", f"at least {n} values")
    return _Expectation(f"hoogstens {n} waarden", f"at most {n} values")


def _datatype(datatype: Node) -> _Expectation:
    if datatype == RDF.langString:
        return _Expectation("tekst met taalcode", "text with a language tag")
    nl, en = _DATATYPE_FORMS.get(datatype, ("", ""))  # type: ignore[call-overload]
    name = _curie(datatype)
    return _Expectation(f"een {name} ({nl})" if nl else f"een {name}", f"an {name} ({en})" if en else f"an {name}")


def _listing(nl: str, en: str, values: list[str], labels: list[tuple[str, str]]) -> _Expectation:
    shown = ", ".join(values)
    return _Expectation(f"{nl}: {shown}", f"{en}: {shown}", tuple(labels))


def _scheme(model: Graph, scheme: Node) -> _Expectation:
    """Concepts of the scheme (not deprecated ones) by their code, with every label to match against."""
    labels: list[tuple[str, str]] = []
    for concept in model.subjects(SKOS.inScheme, scheme):
        if (concept, OWL.deprecated, Literal(True)) in model:
            continue
        code = str(model.value(concept, SKOS.notation) or _local(concept))
        names = [_local(concept), *(str(o) for p in _LABELS for o in model.objects(concept, p))]
        labels += [(fold(name), code) for name in names]
    labels.sort()
    codes = sorted({code for _, code in labels})
    slug = _local(scheme)
    if len(codes) > _LISTED:
        return _Expectation(f"een begrip uit de lijst {slug}", f"a concept of the list {slug}", tuple(labels))
    return _listing(f"een begrip uit {slug}", f"a concept of {slug}", codes, labels)


_LABELS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.notation)


def _node_shape(shapes: Graph, model: Graph, node: Node) -> _Expectation:
    for prop in shapes.objects(node, SH.property):
        if shapes.value(prop, SH.path) == SKOS.inScheme and (scheme := shapes.value(prop, SH.hasValue)):
            return _scheme(model, scheme)
    return _Expectation(f"voldoen aan {_curie(node)}", f"conforming to {_curie(node)}")


def _either(parts: list[_Expectation]) -> _Expectation:
    nl = list(dict.fromkeys(part.nl for part in parts if part.nl))
    en = list(dict.fromkeys(part.en for part in parts if part.en))
    allowed = tuple(pair for part in parts for pair in part.allowed)
    return _Expectation(" of ".join(nl) or None, " or ".join(en) or None, allowed)


def _expect(shapes: Graph, model: Graph, node: Node, component: Node | None = None) -> _Expectation:
    """What the constraint of ``node`` asks for (the one of ``component``, if given), in words."""

    def parameter(name: str) -> Node | None:
        if component is not None and component != SH[f"{name[0].upper()}{name[1:]}ConstraintComponent"]:
            return None
        return shapes.value(node, SH[name])

    if (values := parameter("in")) is not None:
        members = [str(item) for item in Collection(shapes, values)]  # type: ignore[arg-type]
        return _listing("één van", "one of", members, [(fold(member), member) for member in members])
    if (members := parameter("or")) is not None:
        return _either([_expect(shapes, model, m) for m in Collection(shapes, members)])  # type: ignore[arg-type]
    if (value := parameter("node")) is not None:
        return _node_shape(shapes, model, value)
    if (value := parameter("datatype")) is not None:
        return _datatype(value)
    if (value := parameter("minCount")) is not None:
        return _count(value, least=True)
    if (value := parameter("maxCount")) is not None:
        return _count(value, least=False)
    if (value := parameter("maxLength")) is not None:
        return _Expectation(f"hoogstens {value} tekens", f"at most {value} characters")
    if (value := parameter("minLength")) is not None:
        return _Expectation(f"ten minste {value} tekens", f"at least {value} characters")
    if (value := parameter("pattern")) is not None:
        return _Expectation(f"tekst volgens het patroon {value}", f"text matching the pattern {value}")
    if (value := parameter("class")) is not None:
        return _Expectation(f"een {_curie(value)}", f"an {_curie(value)}")
    if (value := parameter("hasValue")) is not None:
        return _Expectation(f"de waarde {_curie(value)}", f"the value {_curie(value)}")
    return _Expectation()


def _nearest(value: str, allowed: tuple[tuple[str, str], ...]) -> str | None:
    """The allowed value closest to ``value``; the only one when there is one; None when none is close."""
    suggestions = dict(allowed)
    if len(set(suggestions.values())) == 1:
        return next(iter(suggestions.values()))
    folded = fold(value)
    if folded in suggestions:
        return suggestions[folded]
    # Words of one inside the other first ("Zorg" -> "zorg en gezondheid", "Verkeer & vervoer" -> "verkeer"),
    # then spelling: difflib alone would take "Zorg" for "werk".
    words = set(folded.split())
    related = [
        label for label in sorted(suggestions) if words and (words <= set(label.split()) or set(label.split()) <= words)
    ]
    close = related or difflib.get_close_matches(folded, sorted(suggestions), n=1, cutoff=0.6)
    if not close:
        return None
    best = max(close, key=lambda label: difflib.SequenceMatcher(None, folded, label).ratio())
    return suggestions[best]


# -- explaining and locating a result ---------------------------------------------------------------


def _local(node: Node) -> str:
    return re.split(r"[/#]", str(node).rstrip("/#"))[-1]


def _text(node: Node) -> str:
    return node.n3() if isinstance(node, BNode) else str(node)


def _value_type(node: Node) -> str:
    if isinstance(node, Literal):
        return f"@{node.language}" if node.language else str(node.datatype or XSD.string)
    return "bnode" if isinstance(node, BNode) else "iri"


def _sequence(graph: Graph, path: Node | None) -> tuple[str, ...]:
    """``akg:x`` -> (akg:x,); ``( akg:a akg:b )`` -> (akg:a, akg:b); other path kinds -> their predicates."""
    if path is None:
        return ()
    if isinstance(path, URIRef):
        return (str(path),)
    if (path, RDF.first, None) in graph:
        return tuple(p for step in Collection(graph, path) for p in _sequence(graph, step))  # type: ignore[arg-type]
    return tuple(str(o) for o in graph.objects(path, None) if isinstance(o, URIRef))


def _shape_path(shapes: Graph, shape: Node) -> tuple[str, ...]:
    """The shape's path, or for "one of these fields" (sh:or) the first member's: the field to show."""
    if (path := shapes.value(shape, SH.path)) is not None:
        return _sequence(shapes, path)
    if (members := shapes.value(shape, SH["or"])) is not None:
        for member in Collection(shapes, members):  # type: ignore[arg-type]
            if (path := shapes.value(member, SH.path)) is not None:
                return _sequence(shapes, path)
    return ()


def _template_match(template: str, messages: list[str], focus: str) -> str:
    """The report's message that ``template`` became (placeholders such as {?end} filled in by pyshacl)."""
    parts = re.split(r"\{[?$]\w+\}", template)
    if len(parts) == 1:
        return template
    pattern = re.compile("(.+?)".join(re.escape(part) for part in parts), re.DOTALL)
    for message in messages:
        if pattern.fullmatch(message):
            return message
    return re.sub(r"\{\$this\}", focus, template)


@dataclass(frozen=True)
class _Walk:
    record: Node | None = None
    via: Node | None = None  # the record's (or its algorithm's) property that leads to the focus node
    links: tuple[tuple[Node, Node, Node], ...] = ()


class _Explainer:
    """Turns pyshacl results into :class:`ValidationResultItem`; caches per shape and per focus node."""

    def __init__(self, shapes: Graph, model: Graph, data: Graph) -> None:
        self.shapes, self.model, self.data = shapes, model, data
        self._expectations: dict[tuple[Node, Node], _Expectation] = {}
        self._walks: dict[Node, _Walk] = {}

    def item(self, report: Graph, result: Node) -> ValidationResultItem:
        focus, shape = report.value(result, SH.focusNode), report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        value = report.value(result, SH.value)
        if value == focus:  # node-level constraints (sh:or, SPARQL) report the node itself as the value
            value = None
        key = (shape, component)
        if key not in self._expectations:
            self._expectations[key] = _expect(self.shapes, self.model, shape, component)
        expected = self._expectations[key]
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        templates = {m.language: str(m) for m in self.shapes.objects(shape, SH.message) if isinstance(m, Literal)}
        walk = self._walk(focus)
        field_path = (walk.via,) if walk.via is not None else _shape_path(self.shapes, shape)
        field_key, field_nl, field_en = self._field(field_path[0] if field_path else None)
        return ValidationResultItem(
            focus=_text(focus),
            severity=_local(report.value(result, SH.resultSeverity)),
            shape=_text(shape),
            component=str(component),
            message_nl=_template_match(templates.get("nl", messages[0] if messages else ""), messages, str(focus)),
            message_en=_template_match(templates.get("en", messages[-1] if messages else ""), messages, str(focus)),
            path=_sequence(report, report.value(result, SH.resultPath)),
            field=field_key,
            field_nl=field_nl,
            field_en=field_en,
            value=None if value is None else str(value),
            value_type=None if value is None else _value_type(value),
            expected_nl=expected.nl,
            expected_en=expected.en,
            nearest=_nearest(_local(value) if isinstance(value, URIRef) else str(value), expected.allowed)
            if value is not None and expected.allowed
            else None,
            record=None if walk.record is None else _text(walk.record),
            record_path=tuple((_text(s), str(p), _text(o)) for s, p, o in walk.links),
            **self._location(walk.record, focus),
        )

    def _field(self, predicate: Node | str | None) -> tuple[str | None, str | None, str | None]:
        """The register's key and titles of a property; the ontology's labels for other properties."""
        if predicate is None:
            return None, None, None
        key = FIELD_KEYS.get(str(predicate), _local(predicate))  # type: ignore[arg-type]
        if key in FIELD_TITLES:
            return key, *FIELD_TITLES[key]
        labels = {label.language: str(label) for label in self.model.objects(URIRef(str(predicate)), RDFS.label)}
        return key, _capital(labels.get("nl", key)), _capital(labels.get("en", key))

    def _walk(self, focus: Node) -> _Walk:
        if focus not in self._walks:
            self._walks[focus] = self._walk_back(focus)
        return self._walks[focus]

    def _walk_back(self, focus: Node) -> _Walk:
        """The registration a focus node belongs to: itself, or the nearest one linking to it (first in the file)."""
        frontier = [_Walk(focus)]
        seen = {focus}
        for _ in range(_MAX_HOPS + 1):
            found = [step for step in frontier if self._is_registration(step.record)]
            if found:
                return min(found, key=lambda step: self._order(step.record))
            frontier = list(self._steps_back(frontier, seen))
        return _Walk()

    def _steps_back(self, frontier: list[_Walk], seen: set[Node]) -> Iterator[_Walk]:
        for step in frontier:
            for subject, predicate in sorted(self.data.subject_predicates(step.record)):
                if subject in seen:
                    continue
                seen.add(subject)
                # An algorithm stands for its record: keep the property that left the algorithm.
                via = step.via if predicate == _REGISTERS else predicate
                yield _Walk(subject, via, ((subject, predicate, step.record), *step.links))

    def _is_registration(self, node: Node | None) -> bool:
        if (node, _REGISTERS, None) in self.data:
            return True
        return any(str(kind).startswith(AKG + "Registration") for kind in self.data.objects(node, RDF.type))

    def _order(self, registration: Node | None) -> tuple[int, str]:
        index = self.data.value(registration, URIRef(AKG + "sourceIndex"))
        return (int(index) if isinstance(index, Literal) else 1 << 62, str(registration))

    def _location(self, registration: Node | None, focus: Node) -> dict[str, Any]:
        def value(name: str) -> Any:
            found = self.data.value(registration, URIRef(AKG + name)) if registration is not None else None
            return found.toPython() if isinstance(found, Literal) else None

        algorithm = self.data.value(registration, _REGISTERS) if registration is not None else focus
        algorithm_id = self.data.value(algorithm, _ALGORITHM_ID) if algorithm is not None else None
        return {
            "file": value("sourceFile"),
            "line": value("sourceLine"),
            "pointer": value("sourcePointer"),
            "index": value("sourceIndex"),
            "algorithm_id": None if algorithm_id is None else str(algorithm_id),
        }


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- stored form -----------------------------------------------------------------------------------

SH_NS = str(SH)


def _node(text: str) -> NamedNode | BlankNode:
    return BlankNode(text[2:]) if text.startswith("_:") else NamedNode(text)


def _term(text: str, kind: str | None) -> NamedNode | BlankNode | OxLiteral:
    if kind in ("iri", "bnode"):
        return _node(text)
    if kind and kind.startswith("@"):
        return OxLiteral(text, language=kind[1:])
    return OxLiteral(text, datatype=NamedNode(kind or str(XSD.string)))


def result_iri(item: ValidationResultItem, graph: NamedNode) -> NamedNode:
    """``{validation graph}/result/{digest}``: the graph names the source (its sha256), the digest the result."""
    return NamedNode(f"{graph.value}/result/{item.key}")


def results_as_quads(report: ValidationReport, graph: NamedNode) -> list[Quad]:
    """The results as standard SHACL (``sh:ValidationResult``) in ``graph``, with IRIs stable across reloads.

    Messages are stored in both languages; a sequence ``sh:resultPath`` is an RDF list of blank nodes
    named after the result, so the same report always gives the same quads.
    """
    quads: list[Quad] = []
    for item in report.results:
        node = result_iri(item, graph)

        def add(predicate: str, obj: Any, subject: Any = node) -> None:
            quads.append(Quad(subject, NamedNode(predicate), obj, graph))

        add(str(RDF.type), NamedNode(SH_NS + "ValidationResult"))
        add(SH_NS + "focusNode", _node(item.focus))
        add(SH_NS + "resultSeverity", NamedNode(SH_NS + item.severity))
        add(SH_NS + "sourceConstraintComponent", NamedNode(item.component))
        add(SH_NS + "sourceShape", _node(item.shape))
        if len(item.path) == 1:
            add(SH_NS + "resultPath", NamedNode(item.path[0]))
        elif item.path:
            cells = [BlankNode(f"{item.key}p{i}") for i in range(len(item.path))]
            add(SH_NS + "resultPath", cells[0])
            for i, (cell, predicate) in enumerate(zip(cells, item.path, strict=True)):
                add(str(RDF.first), NamedNode(predicate), cell)
                add(str(RDF.rest), cells[i + 1] if i + 1 < len(cells) else NamedNode(str(RDF.nil)), cell)
        if item.value is not None:
            add(SH_NS + "value", _term(item.value, item.value_type))
        add(SH_NS + "resultMessage", OxLiteral(item.message_nl, language="nl"))
        add(SH_NS + "resultMessage", OxLiteral(item.message_en, language="en"))
    return quads
