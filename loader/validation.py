"""SHACL validation of a load: one source's mapped data plus the model, results located.

Two engines give the same located results: ``sparql`` (the default) runs the shapes compiled to SPARQL on a
pyoxigraph store (:mod:`loader.shacl_sparql`; shapes it does not compile go to pyshacl); ``pyshacl`` is the
reference. Both feed the same explainer, which walks the data (an rdflib graph, or the store itself) back
to the record a result concerns.

Each result is traced back to the record it concerns (file, line or JSON pointer, algorithm id) and
the register field as users know it, with what the constraint expects and, where the shape lists the
allowed values (``sh:in``, or a concept scheme), the nearest one. Messages come from the shapes graph
in both languages: pyshacl drops the language tags of SPARQL-based constraints' messages.

``conforms`` means "no ``sh:Violation``": required fields give violations, recommended ones warnings,
and ``--strict`` rejects only violations.
"""

import difflib
import gc
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, Protocol

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse
from pyoxigraph import Literal as OxLiteral
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from loader.errors import AlgokgError
from loader.graphs import GRAPH_BASE
from loader.graphs import model_graph as model_graph_name
from loader.mapping.concepts import fold
from loader.mapping.records import CONCEPT_FIELDS, LINK_FIELDS, PLAIN_FIELDS, TEXT_FIELDS
from loader.pyshacl_graph import PreparedQueries
from loader.shacl_local import copy_for, plan, scratch_store
from loader.shacl_sparql import (
    CompiledCheck,
    OxTerm,
    ShaclResult,
    compile_shapes,
    to_oxigraph,
    to_rdflib,
    usable_cores,
    validate_compiled,
)
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
ENGINES: tuple[str, ...] = ("sparql", "pyshacl")
MODEL_GRAPHS = f"{GRAPH_BASE}model/"  # the prefix of the model's graphs: background, not data to explain

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
    ``value_type`` (and ``focus_type``) says which: ``iri``, ``bnode``, ``@lang`` or the literal's datatype IRI.
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
    focus_type: str | None = None  # like ``value_type``: a shape may target literals (sh:targetObjectsOf)

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

    def record_key(self) -> tuple[bool, str, tuple[int, Any], str]:
        """Records in file order; results no record links to last, by focus node."""
        # An RDF source may give akg:sourceIndex or akg:sourceFile as any literal: numbers sort as numbers,
        # other values after them as text (comparing a text with a number would fail the whole report).
        index = self.index
        number = index is None or (isinstance(index, int | float | Decimal) and not isinstance(index, bool))
        where = (0, index or 0) if number else (1, str(index))
        return (self.record is None, str(self.file or ""), where, self.record or self.focus)

    def sort_key(self) -> tuple[Any, ...]:
        """Record by record, then field in the register's order, violations first."""
        field = (_FIELD_ORDER.get(self.field or "", len(_FIELD_ORDER)), self.field or "")
        rest = (_SEVERITY_ORDER.get(self.severity, 3), self.shape, self.value or "", self.focus)
        # The rest only breaks ties, so the order does not depend on the order the engine found the results in.
        ties = (self.component, self.path, self.value_type or "", self.message_en, self.message_nl)
        return (*self.record_key(), *field, *rest, *ties)


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


def validate(data: Graph, *, profiles: Sequence[str] = DEFAULT_PROFILES, engine: str = "sparql") -> ValidationReport:
    """Validate ``data`` (one source's mapped records) against ``profiles``, with the model as background.

    The report conforms when no result is a ``sh:Violation`` (warnings and infos do not count).

    :param data: the mapped data; it is not changed.
    :param profiles: names from :data:`shapes.PROFILES`; default :data:`DEFAULT_PROFILES`.
    :param engine: ``sparql`` (compiled, on a pyoxigraph store) or ``pyshacl`` (the reference); same results.
    :raises AlgokgError: a profile or the engine is unknown.
    """
    chosen = _chosen(profiles, engine)
    if not chosen:
        return ValidationReport(conforms=True, profiles=chosen)
    if engine == "pyshacl":
        return _with_pyshacl(data, chosen)
    store = _store_with_model()
    # Blank nodes keep their ids: the results name them as the graph does.
    store.extend(Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in data)  # type: ignore[arg-type]
    return _with_sparql(store, chosen, _StoreData(store, (MODEL_GRAPHS,)), lambda: data)


def validate_quads(
    quads: Iterable[Quad], *, profiles: Sequence[str] = DEFAULT_PROFILES, engine: str = "sparql"
) -> ValidationReport:
    """:func:`validate` for one source's quads as the pipeline maps them, without making an rdflib graph.

    With the ``sparql`` engine the quads go into an in-memory store next to the model (in its own graphs);
    results are explained by walking that store.
    """
    chosen = _chosen(profiles, engine)
    if not chosen:
        return ValidationReport(conforms=True, profiles=chosen)
    if engine == "pyshacl":
        return _with_pyshacl(quads_as_graph(quads), chosen)
    store = _store_with_model()
    _extend_in_parts(store, quads if isinstance(quads, Sequence) else list(quads))
    view = _StoreData(store, (MODEL_GRAPHS,))
    return _with_sparql(store, chosen, view, view.as_graph)


_EXTEND_PART = 50_000  # quads below which one `extend` is as quick


def _extend_in_parts(store: Store, quads: Sequence[Quad]) -> None:
    """`store.extend(quads)` as a few concurrent extends of equal parts (the same quads stored).

    pyoxigraph's in-memory store takes concurrent writes, and `extend` releases the GIL while it writes: at 10k
    algorithms (599,580 quads) two to four parts took 1.13-1.24 s against 1.73 s on two cores, and even on one
    core two parts took 1.35 s against 1.53 s (`docs/performance.md`)."""
    parts = min(4, max(2, usable_cores()), -(-len(quads) // _EXTEND_PART))
    if parts <= 1:
        store.extend(quads)
        return
    size = -(-len(quads) // parts)
    with ThreadPoolExecutor(parts) as pool:
        for done in [pool.submit(store.extend, quads[i : i + size]) for i in range(0, len(quads), size)]:
            done.result()  # an error of any part is raised here


def validate_store(
    store: Store,
    *,
    profiles: Sequence[str] = DEFAULT_PROFILES,
    focus_nodes: Iterable[NamedNode | BlankNode | OxLiteral] | None = None,
    background: Sequence[str] = (MODEL_GRAPHS,),
    within: Iterable[NamedNode | BlankNode] | None = None,
    engine: str = "sparql",
    local: bool = True,
    known: Mapping[NamedNode | BlankNode, Sequence[Quad]] | None = None,
) -> ValidationReport:
    """Validate a store's data in place: its union graph, the model's graphs in it as background.

    :param focus_nodes: check only these focus nodes (the records a write touched); None: every one.
    :param background: prefixes of graph names that are no record data (the model, results, provenance):
        validation sees them, results are not traced back to a record through them.
    :param within: trace results back to their record through these nodes only (a write's neighbourhood).
    :param local: a few focus nodes are checked on a copy of what the checks read (``loader.shacl_local``);
        False checks them in the store (the same results: ``tests/test_shacl_local.py``).
    :param known: every triple (every graph) of some nodes of this store, as finding the focus nodes read them
        (``loader.writes.neighbourhood``): the copy does not read them again.
    :param engine: ``pyshacl`` validates the store's record data as an rdflib graph with the model files,
        then keeps the results on ``focus_nodes``: the reference, for small stores.
    """
    chosen = _chosen(profiles, engine)
    if not chosen:
        return ValidationReport(conforms=True, profiles=chosen)
    view = _StoreData(store, tuple(background), within)
    touched = None if focus_nodes is None else list(focus_nodes)
    if engine == "pyshacl":
        report = _with_pyshacl(view.as_graph(), chosen)
        if touched is None:
            return report
        wanted = {_text(to_rdflib(node)) for node in touched}
        kept = [item for item in report.results if item.focus in wanted]
        return ValidationReport(not any(i.severity == "Violation" for i in kept), kept, chosen)
    return _with_sparql(store, chosen, view, view.as_graph, touched, local=local, known=known)


@dataclass(frozen=True)
class _Targets:
    """What one shape with targets selects: a node it does not select is no focus node of its checks."""

    classes: frozenset[NamedNode]  # sh:targetClass and the implicit class target (subclasses: from the data)
    nodes: frozenset[str]  # sh:targetNode, as IRIs or lexical forms
    subjects_of: frozenset[NamedNode]
    objects_of: frozenset[NamedNode]


@dataclass(frozen=True)
class _Routing:
    """The shapes with targets (roots) of some profiles, and which roots each check's shape belongs to."""

    roots: dict[Node, _Targets]
    owners: dict[Node, frozenset[Node]]  # a root, or a property shape of roots -> those roots

    # A target (class, node, predicate) -> the roots it selects for: a node's roots found by lookups, not by
    # testing each of the ~100 roots (that took 2.9 of a record's ~20 ms at 100k).
    by_class: dict[NamedNode, frozenset[Node]]
    by_node: dict[str, frozenset[Node]]
    by_subject_of: dict[NamedNode, frozenset[Node]]
    by_object_of: dict[NamedNode, frozenset[Node]]


def _inverted(roots: dict[Node, _Targets], kind: str) -> dict[Any, frozenset[Node]]:
    found: dict[Any, set[Node]] = {}
    for root, targets in roots.items():
        for target in getattr(targets, kind):
            found.setdefault(target, set()).add(root)
    return {target: frozenset(of) for target, of in found.items()}


@cache
def _routing(profiles: tuple[str, ...]) -> _Routing | None:
    """None when the profiles have property shapes below property shapes (their values are focus nodes too)."""
    shapes = shapes_graph(profiles)
    if any(shapes.value(s, SH.path) is not None for s in shapes.subjects(SH.property, None)):
        return None

    def named(nodes: Iterable[Node]) -> frozenset[NamedNode]:
        return frozenset(NamedNode(str(n)) for n in nodes if isinstance(n, URIRef))

    found = {
        s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf) for s in shapes.subjects(p)
    }
    found |= {s for s in shapes.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in shapes}
    roots: dict[Node, _Targets] = {}
    owners: dict[Node, set[Node]] = {}
    for root in found:
        implicit = [root] if (root, RDF.type, RDFS.Class) in shapes else []
        roots[root] = _Targets(
            classes=named([*shapes.objects(root, SH.targetClass), *implicit]),
            nodes=frozenset(str(n) for n in shapes.objects(root, SH.targetNode)),
            subjects_of=named(shapes.objects(root, SH.targetSubjectsOf)),
            objects_of=named(shapes.objects(root, SH.targetObjectsOf)),
        )
        for shape in (root, *shapes.objects(root, SH.property)):
            owners.setdefault(shape, set()).add(root)
    return _Routing(
        roots,
        {shape: frozenset(of) for shape, of in owners.items()},
        *(_inverted(roots, kind) for kind in ("classes", "nodes", "subjects_of", "objects_of")),
    )


_RDF_TYPE = NamedNode(str(RDF.type))
FocusNode = NamedNode | BlankNode | OxLiteral


def _focus_by_check(
    store: Store, nodes: list[FocusNode], profiles: tuple[str, ...]
) -> Callable[[Any], list[FocusNode]] | None:
    """For each compiled check, the nodes its shape targets in the store's union graph: the others cannot have a
    result there, and every check pays for every focus node it is given (~20 µs each). A record's neighbourhood
    holds classes, concepts and links no shape targets, and most shapes target one kind of node: this cuts a
    single-record check to the checks that apply, each on its own few nodes. None: give every check every node.
    """
    routing = _routing(profiles)
    if routing is None:
        return None
    by_class, by_node = routing.by_class, routing.by_node
    by_subject_of, by_object_of = routing.by_subject_of, routing.by_object_of
    subclasses: dict[Any, set[Any]] = {}
    if by_class:
        members = " ".join(str(c) for c in sorted(by_class, key=lambda c: c.value))
        query = f"SELECT ?c ?t WHERE {{ VALUES ?t {{ {members} }} ?c <{RDFS.subClassOf}>* ?t }}"
        for row in store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
            subclasses.setdefault(row["c"], set()).add(row["t"])

    def uses(subject: Any, predicate: NamedNode, obj: Any) -> bool:
        # One index lookup each, nothing decoded but a match: a record's own triples hold long texts.
        return next(store.quads_for_pattern(subject, predicate, obj, None), None) is not None

    selected: dict[Node, list[FocusNode]] = {root: [] for root in routing.roots}
    for node in nodes:
        roots = set(by_node.get(node.value, ()))
        roots.update(*(of for p, of in by_object_of.items() if uses(None, p, node)))
        if not isinstance(node, OxLiteral):
            # One scan of the node's own triples (a record's node has a few dozen) instead of a lookup per
            # targeted predicate: random reads are what a check costs in a large store.
            for quad in store.quads_for_pattern(node, None, None, None):
                if quad.predicate in by_subject_of:
                    roots |= by_subject_of[quad.predicate]
                if quad.predicate == _RDF_TYPE:
                    roots.update(*(by_class[kind] for kind in subclasses.get(quad.object, ())))
        for root in roots:
            selected[root].append(node)

    def focus(check: Any) -> list[FocusNode]:
        owners = routing.owners.get(check.shape)
        if owners is None:
            return nodes
        return list(dict.fromkeys(node for root in owners for node in selected[root]))

    return focus


def _chosen(profiles: Sequence[str], engine: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(profiles))
    unknown = [profile for profile in chosen if profile not in PROFILES]
    if unknown:
        raise AlgokgError(f"unknown SHACL profile(s) {', '.join(unknown)}; choose from {', '.join(PROFILES)}")
    if engine not in ENGINES:
        raise AlgokgError(f"unknown validator {engine!r}; choose from {', '.join(ENGINES)}")
    return chosen


def _with_pyshacl(data: Graph, chosen: tuple[str, ...]) -> ValidationReport:
    from pyshacl import validate as pyshacl_validate  # slow to import: only when validating

    shapes = shapes_graph(chosen)
    combined = PreparedQueries()
    combined += model_graph()
    combined += data
    _, report, _ = pyshacl_validate(combined, shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True)
    explain = _Explainer(shapes, _GraphData(data))
    # The report's own results; nested ones (sh:detail of an sh:node result) would repeat them on the value.
    return _report((explain.item(_Result.of_report(report, node)) for node in report.objects(None, SH.result)), chosen)


def _with_sparql(
    store: Store,
    chosen: tuple[str, ...],
    view: "_StoreData",
    data: Callable[[], Graph],
    focus_nodes: list[NamedNode | BlankNode | OxLiteral] | None = None,
    *,
    local: bool = False,
    known: Mapping[NamedNode | BlankNode, Sequence[Quad]] | None = None,
) -> ValidationReport:
    """The compiled checks on ``store``; shapes they do not cover go to pyshacl on ``data()`` (plus the model)."""
    shapes = shapes_graph(chosen)
    compiled = _compiled(chosen)
    fallback = None
    if compiled[1]:  # only then pyshacl needs the data as rdflib
        fallback = Graph()
        fallback += model_graph()
        fallback += data()
    if local and focus_nodes is not None and len(focus_nodes) <= _LOCAL_FOCUS and _holds_model(store):
        # A record's few nodes: the checks that read only forward from them run on a small copy (their cost
        # then does not grow with the store); the others, and pyshacl's shapes, on the store itself.
        local, remote, needs = _local_plan(chosen)
        with scratch_store(_model_quads(), copy_for(store, focus_nodes, needs, MODEL_GRAPHS, known)) as copy:
            results = _checked_in_copy(copy, shapes, local, focus_nodes, chosen)
        results += _checked(store, shapes, (remote, compiled[1]), focus_nodes, chosen, fallback)
    else:
        results = _checked(store, shapes, compiled, focus_nodes, chosen, fallback)
    # A whole-store run explains thousands of results: read every registration's location once, up front.
    distinct = len({result.focus for result in results}) if focus_nodes is None else 0
    registrations = view.registrations(distinct) if distinct >= _PREFETCH_MIN else None
    explain, terms = _Explainer(shapes, view, registrations), _RdflibTerms()
    return _report((explain.item(_Result.of_compiled(result, terms)) for result in results), chosen)


def _checked(
    store: Store,
    shapes: Graph,
    compiled: Any,
    focus_nodes: list[FocusNode] | None,
    chosen: tuple[str, ...],
    fallback: Graph | None,
) -> list[ShaclResult]:
    if not compiled[0] and not compiled[1]:
        return []
    wanted = None
    if focus_nodes is not None and any(isinstance(node, BlankNode) for node in focus_nodes):
        # A query cannot name a blank node (VALUES takes none): check every focus node, keep the wanted ones.
        wanted, focus_nodes = set(focus_nodes), None
    focus_of = None if focus_nodes is None else _focus_by_check(store, focus_nodes, chosen)
    found = validate_compiled(store, shapes, compiled, focus_nodes=focus_nodes, data=fallback, focus_of=focus_of)
    return [result for result in found.results if wanted is None or result.focus in wanted]


def _checked_in_copy(
    copy: Store, shapes: Graph, checks: list[CompiledCheck], focus_nodes: list[FocusNode], chosen: tuple[str, ...]
) -> list[ShaclResult]:
    """The checks that apply to some focus node, each over every node it targets in the copy, without naming
    the focus nodes: a query's cost on so small a store is mostly parsing it (~90 µs of ~100 for the whole
    forms), which a VALUES list of a record's ~30 IRIs makes dearer. The copy holds every triple a check reads
    of a focus node, so its results on them are the store's; those on the copy's other nodes are dropped."""
    focus_of = _focus_by_check(copy, focus_nodes, chosen)
    applicable = checks if focus_of is None else [check for check in checks if focus_of(check)]
    wanted = set(focus_nodes)
    found = validate_compiled(copy, shapes, (applicable, {}), workers=1)
    return [result for result in found.results if result.focus in wanted]


_LOCAL_FOCUS = 200  # up to this many focus nodes, checks run on a copy of what they read (loader.shacl_local)


def _holds_model(store: Store) -> bool:
    """Whether the store holds the model's graphs: the copy takes the model from the files, not the store."""
    return all(store.contains_named_graph(graph) for graph in _model_graph_names())


@cache
def _model_graph_names() -> tuple[NamedNode, ...]:
    return tuple(model_graph_name(path) for path in model_files())


@cache
def _local_plan(profiles: tuple[str, ...]) -> Any:
    """Which compiled checks may run on a copy, and what it must hold (parsing every query once per process).

    Parsed in a thread of its own, then collected: rdflib's parser leaves reference cycles through its frames,
    and a frame keeps its callers' frames alive; from the caller's thread those would reach a write gate's new
    store, which then cannot be closed until the next garbage collection (the write fails)."""

    def parse() -> Any:
        found = plan(_compiled(profiles)[0])
        gc.collect()
        return found

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(parse).result()


def _report(items: Iterable[ValidationResultItem], chosen: tuple[str, ...]) -> ValidationReport:
    results = sorted(items, key=ValidationResultItem.sort_key)
    conforms = not any(item.severity == "Violation" for item in results)
    return ValidationReport(conforms=conforms, results=results, profiles=chosen)


def uses_pyshacl(profiles: Iterable[str]) -> bool:
    """Whether the ``sparql`` engine leaves some of these profiles' shapes to pyshacl (it does not compile them)."""
    return bool(_compiled(tuple(dict.fromkeys(profiles)))[1])


@cache
def _compiled(profiles: tuple[str, ...]) -> Any:
    """The profiles' shapes compiled to SPARQL once per process (~12 ms: most of a single-record check)."""
    return compile_shapes(shapes_graph(profiles))


@cache
def _model_quads() -> tuple[Quad, ...]:
    """The model files as quads, each file in its own graph as the store holds it; parsed once per process."""
    return tuple(
        Quad(quad.subject, quad.predicate, quad.object, model_graph_name(path))
        for path in model_files()
        for quad in parse(path=str(path), format=RdfFormat.TURTLE)
    )


def _store_with_model() -> Store:
    store = Store()
    store.extend(_model_quads())
    return store


def quads_as_graph(quads: Iterable[Quad]) -> Graph:
    """Quads as an rdflib graph (their graph names dropped); blank nodes keep their ids, as both engines name them."""
    graph = Graph()
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def _graph(quad: Quad) -> str:
    return "" if isinstance(quad.graph_name, DefaultGraph) else quad.graph_name.value


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
        if shapes.value(prop, SH.path) != SKOS.inScheme:
            continue
        if scheme := shapes.value(prop, SH.hasValue):
            return _scheme(model, scheme)
        # "some scheme of a class" (any register's theme list): the concepts of every such scheme.
        qualified = shapes.value(prop, SH.qualifiedValueShape)
        if qualified is not None and (kind := shapes.value(qualified, SH["class"])) is not None:
            schemes = sorted(model.subjects(RDF.type, kind))
            if schemes:
                allowed = tuple(pair for scheme in schemes for pair in _scheme(model, scheme).allowed)
                slugs = ", ".join(_local(scheme) for scheme in schemes)
                return _Expectation(
                    f"een begrip uit een lijst {_curie(kind)} ({slugs})",
                    f"a concept of a list {_curie(kind)} ({slugs})",
                    allowed,
                )
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
    return _last_segment(str(node))


@lru_cache(maxsize=4096)  # the same severities, properties and concepts come back for every result
def _last_segment(text: str) -> str:
    return re.split(r"[/#]", text.rstrip("/#"))[-1]


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
    pattern = _template_pattern(template)
    if pattern is None:
        return template
    for message in messages:
        if pattern.fullmatch(message):
            return message
    return re.sub(r"\{\$this\}", focus, template)


@lru_cache(maxsize=1024)  # the shapes' messages, one for each of their results
def _template_pattern(template: str) -> re.Pattern[str] | None:
    """What a message made from ``template`` looks like; None: the template has no placeholder."""
    parts = re.split(r"\{[?$]\w+\}", template)
    if len(parts) == 1:
        return None
    return re.compile("(.+?)".join(re.escape(part) for part in parts), re.DOTALL)


@lru_cache(maxsize=1024)  # the shapes' paths, one for each of their results
def _path_steps(text: str | None) -> tuple[str, ...]:
    """A compiled result's SPARQL path as :func:`_sequence` gives the SHACL path it came from.

    The compiler writes ``<p>``, ``(a/b)`` for a list, ``(^x)``, ``(x*)``, ``(x+)``, ``(x?)`` and ``(a|b)``;
    a sequence is its steps' predicates, a modified or inverse predicate that predicate, the rest nothing.
    """
    if not text:
        return ()
    tokens = re.findall(r"<[^>]*>|[()^*+?/|]", text)
    position = 0

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def primary() -> tuple[str, Any]:
        token = take()
        if token.startswith("<"):
            return "iri", token[1:-1]
        assert token == "(", text
        if peek() == "^":
            take()
            inner: tuple[str, Any] = ("inverse", primary())
        else:
            inner = alternative()
        assert take() == ")", text
        return inner

    def unary() -> tuple[str, Any]:
        found = primary()
        if peek() in ("*", "+", "?"):
            take()
            return "modified", found
        return found

    def sequence() -> tuple[str, Any]:
        steps = [unary()]
        while peek() == "/":
            take()
            steps.append(unary())
        return steps[0] if len(steps) == 1 else ("sequence", steps)

    def alternative() -> tuple[str, Any]:
        members = [sequence()]
        while peek() == "|":
            take()
            members.append(sequence())
        return members[0] if len(members) == 1 else ("alternative", members)

    def predicates(path: tuple[str, Any]) -> tuple[str, ...]:
        kind, inner = path
        if kind == "iri":
            return (inner,)
        if kind == "sequence":
            return tuple(p for step in inner for p in predicates(step))
        if kind in ("inverse", "modified") and inner[0] == "iri":
            return (inner[1],)
        return ()

    return predicates(primary())


@dataclass(slots=True)  # not frozen: made once per result, and a frozen dataclass is slow to make
class _Result:
    """One SHACL result, from either engine, in rdflib terms: what the explainer needs of it."""

    focus: Node
    shape: Node
    component: str
    severity: str  # the severity's IRI
    path: tuple[str, ...]
    value: Node | None
    messages: tuple[str, ...]

    @classmethod
    def of_report(cls, report: Graph, result: Node) -> "_Result":
        """A result of pyshacl's report graph."""
        return cls(
            focus=report.value(result, SH.focusNode),  # type: ignore[arg-type]
            shape=report.value(result, SH.sourceShape),  # type: ignore[arg-type]
            component=str(report.value(result, SH.sourceConstraintComponent)),
            severity=str(report.value(result, SH.resultSeverity)),
            path=_sequence(report, report.value(result, SH.resultPath)),
            value=report.value(result, SH.value),
            messages=tuple(str(m) for m in report.objects(result, SH.resultMessage)),
        )

    @classmethod
    def of_compiled(cls, result: ShaclResult, terms: "_RdflibTerms") -> "_Result":
        """A result of the compiled validator (pyoxigraph terms, the path in SPARQL syntax)."""
        return cls(
            focus=terms[result.focus],
            shape=result.shape,
            component=result.component,
            severity=result.severity,
            path=_path_steps(result.path),
            value=None if result.value is None else terms[result.value],
            messages=tuple([message.value for message in result.messages]),
        )


class _RdflibTerms(dict[OxTerm, Node]):
    """pyoxigraph terms as rdflib terms, each converted once: results repeat their focus nodes and values."""

    def __missing__(self, term: OxTerm) -> Node:
        self[term] = found = to_rdflib(term)
        return found


class _Data(Protocol):
    """The record data a result is traced back in (rdflib terms in and out)."""

    def subject_predicates(self, node: Node) -> list[tuple[Node, Node]]: ...

    def value(self, subject: Node, predicate: URIRef) -> Node | None: ...

    def objects(self, subject: Node, predicate: URIRef) -> list[Node]: ...

    def has(self, subject: Node, predicate: URIRef) -> bool: ...


class _GraphData:
    """An rdflib graph of the data (pyshacl's input)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def subject_predicates(self, node: Node) -> list[tuple[Node, Node]]:
        return sorted(self.graph.subject_predicates(node))  # type: ignore[arg-type]

    def value(self, subject: Node, predicate: URIRef) -> Node | None:
        return self.graph.value(subject, predicate)

    def objects(self, subject: Node, predicate: URIRef) -> list[Node]:
        return list(self.graph.objects(subject, predicate))

    def has(self, subject: Node, predicate: URIRef) -> bool:
        return (subject, predicate, None) in self.graph


class _StoreData:
    """The record data of a pyoxigraph store: every graph but the background ones, read where it lies.

    :param background: prefixes of graph names that are no record data (the model, results, provenance).
    :param within: if given, only these nodes are subjects (a write's neighbourhood): bounds the walk back.
    """

    def __init__(
        self, store: Store, background: tuple[str, ...], within: Iterable[NamedNode | BlankNode] | None = None
    ) -> None:
        self.store, self.background = store, background
        self.within = None if within is None else set(within)

    def _quads(self, subject: Node | None, predicate: URIRef | None, obj: Node | None) -> Iterator[Quad]:
        if isinstance(subject, Literal):
            return  # a literal is never a subject (but a focus node may be one: sh:targetObjectsOf)
        pattern = [None if term is None else to_oxigraph(term) for term in (subject, predicate, obj)]
        for quad in self.store.quads_for_pattern(*pattern, None):  # type: ignore[arg-type]
            if not _graph(quad).startswith(self.background):
                yield quad

    def subject_predicates(self, node: Node) -> list[tuple[Node, Node]]:
        found = {
            (to_rdflib(quad.subject), to_rdflib(quad.predicate))
            for quad in self._quads(None, None, node)
            if self.within is None or quad.subject in self.within
        }
        return sorted(found)  # type: ignore[arg-type]

    def value(self, subject: Node, predicate: URIRef) -> Node | None:
        return next((to_rdflib(quad.object) for quad in self._quads(subject, predicate, None)), None)

    def objects(self, subject: Node, predicate: URIRef) -> list[Node]:
        return list(dict.fromkeys(to_rdflib(quad.object) for quad in self._quads(subject, predicate, None)))

    def has(self, subject: Node, predicate: URIRef) -> bool:
        return next(self._quads(subject, predicate, None), None) is not None

    def as_graph(self) -> Graph:
        """The record data as an rdflib graph (for pyshacl: the fallback, or the reference engine)."""
        return quads_as_graph(quad for quad in self.store if not _graph(quad).startswith(self.background))

    def registrations(self, focus_count: int) -> "_Registrations | None":
        """Every registration's location, read up front: worth it when results concern many of them.

        None when the store holds more than :data:`_PREFETCH_RATIO` registrations per focus node to explain
        (reading them all would cost more than looking up each focus node's own); found while reading the
        first property, so a large store with a few results costs a few lookups' worth."""
        graphs = [g for g in self.store.named_graphs() if not g.value.startswith(self.background)]
        graphs += [] if "".startswith(self.background) else [DefaultGraph()]  # as `_quads` reads it: name ""
        registers = self._scan(_REGISTERS_OX, graphs, _node_key, _PREFETCH_RATIO * focus_count)
        if registers is None:
            return None
        tables = {name: self._scan(NamedNode(AKG + name), graphs, _python) for name in _LOCATION_NAMES}
        algorithm_ids = self._scan(_ALGORITHM_ID_OX, graphs, lambda term: term.value)
        return _Registrations(registers, algorithm_ids, tables)  # type: ignore[arg-type]

    def _scan(
        self, predicate: NamedNode, graphs: list[Any], convert: Callable[[Any], Any], limit: int | None = None
    ) -> dict[str, Any] | None:
        """Subject (as :func:`_text` names it) -> ``convert`` of its one object of ``predicate`` in ``graphs``, or
        :data:`_ASK` for more than one (a lookup takes the first the store gives); None past ``limit`` quads.

        Graph by graph (a quad's graph name is not decoded); kept as strings and numbers, which the garbage
        collector does not track: 60,000 kept terms at 10k made a full collection (~0.4 s) twice as frequent."""
        found: dict[str, Any] = {}
        read = 0
        for graph in graphs:
            for quad in self.store.quads_for_pattern(None, predicate, None, graph):
                key = _node_key(quad.subject)
                found[key] = _ASK if key in found else convert(quad.object)
                read += 1
                if limit is not None and read > limit:
                    return None
        return found


_PREFETCH_MIN = 64  # explain fewer distinct focus nodes than this with a lookup per value (a write's record)
_PREFETCH_RATIO = 8  # ... or when the store has more than this many registrations per focus node to explain
_LOCATION_NAMES = ("sourceFile", "sourceLine", "sourcePointer", "sourceIndex")
_REGISTERS_OX = NamedNode(AKG + "registers")
_ALGORITHM_ID_OX = NamedNode(AKG + "algorithmId")
_XSD_INTEGER = NamedNode(str(XSD.integer))
_XSD_STRING = NamedNode(str(XSD.string))
_ASK = object()  # "not known up front: look it up" (a value that is not single, or a literal to convert)
_ABSENT = object()  # no such key (None in a table is a value: an IRI or blank node where a literal was read)


class _Registrations:
    """The registrations' location values and their algorithms' ids, read in one scan per property instead of
    ~7 lookups per registration (a whole-store run explains thousands); nodes by their :func:`_text`.

    Each answer equals :class:`_Explainer`'s per-lookup one or is :data:`_ASK`: a property with more than one
    value (the lookup takes the first the store gives) or a literal this does not convert as rdflib does.
    ``tests/loader/test_validation_prefetch.py`` compares both paths on damaged records.
    """

    def __init__(
        self, registers: dict[str, Any], algorithm_ids: dict[str, Any], tables: dict[str, dict[str, Any]]
    ) -> None:
        self.registers, self.algorithm_ids, self.tables = registers, algorithm_ids, tables

    def registers_something(self, node: Node) -> bool:
        return _text(node) in self.registers

    def order(self, registration: Node) -> Any:
        """``_Explainer._order``: the registration's source index (records without one last), or :data:`_ASK`."""
        found = self.tables["sourceIndex"].get(_text(registration), _ABSENT)
        if found is _ABSENT:
            return (1 << 62, str(registration))
        return (found, str(registration)) if type(found) is int else _ASK  # not an IRI's None, a string, ...

    def location(self, registration: Node) -> Any:
        """``_Explainer._locate`` for a registration, or :data:`_ASK`."""
        node = _text(registration)
        found = {
            "file": self.tables["sourceFile"].get(node),
            "line": self.tables["sourceLine"].get(node),
            "pointer": self.tables["sourcePointer"].get(node),
            "index": self.tables["sourceIndex"].get(node),
        }
        algorithm = self.registers.get(node)  # a node's key, or _LITERAL (a literal registers no id)
        algorithm_id = None if algorithm is None else self.algorithm_ids.get(algorithm)
        if _ASK in (*found.values(), algorithm, algorithm_id):
            return _ASK
        found["algorithm_id"] = algorithm_id
        return found


_LITERAL = "\n"  # a literal as an object of akg:registers: no node's key (a node's text has no line break)


def _node_key(term: Any) -> str:
    """A pyoxigraph term's key in :class:`_Registrations`: :func:`_text` of its rdflib term."""
    if isinstance(term, NamedNode):
        return term.value
    return "_:" + term.value if isinstance(term, BlankNode) else _LITERAL


def _python(value: Any) -> Any:
    """A value as ``to_rdflib(value).toPython()`` gives it for the literals the mapping writes (a string, an
    integer of ASCII digits), None for an IRI or blank node (``_locate`` reads literals only); else _ASK."""
    if not isinstance(value, OxLiteral):
        return None
    datatype = value.datatype
    if datatype == _XSD_STRING:
        return value.value
    if datatype == _XSD_INTEGER and value.value.isascii() and value.value.isdigit():
        return int(value.value)
    return _ASK


@dataclass(frozen=True)
class _Walk:
    record: Node | None = None
    via: Node | None = None  # the record's (or its algorithm's) property that leads to the focus node
    links: tuple[tuple[Node, Node, Node], ...] = ()


class _Explainer:
    """Turns results of either engine into :class:`ValidationResultItem`; caches per shape and per focus node."""

    def __init__(self, shapes: Graph, data: _Data, registrations: "_Registrations | None" = None) -> None:
        self.shapes, self.data, self.registrations = shapes, data, registrations
        self._expectations: dict[tuple[Node, str], _Expectation] = {}
        self._walks: dict[Node, _Walk] = {}
        self._locations: dict[Node, dict[str, Any]] = {}
        self._shapes: dict[Node, tuple[dict[str | None, str], tuple[str, ...]]] = {}
        self._fields: dict[str, tuple[str | None, str | None, str | None]] = {}

    @property
    def model(self) -> Graph:
        return model_graph()  # parsed on the first result that needs it, not for a clean load

    def item(self, result: _Result) -> ValidationResultItem:
        focus, shape, value = result.focus, result.shape, result.value
        if value == focus:  # node-level constraints (sh:or, SPARQL) report the node itself as the value
            value = None
        key = (shape, result.component)
        if key not in self._expectations:
            self._expectations[key] = _expect(self.shapes, self.model, shape, URIRef(result.component))
        expected = self._expectations[key]
        messages = list(result.messages)
        templates, shape_path = self._shape(shape)
        walk = self._walk(focus)
        field_path = (walk.via,) if walk.via is not None else shape_path
        field_key, field_nl, field_en = self._field(field_path[0] if field_path else None)
        return ValidationResultItem(
            focus=_text(focus),
            focus_type=_value_type(focus),
            severity=_local(result.severity),
            shape=_text(shape),
            component=result.component,
            message_nl=_template_match(templates.get("nl", messages[0] if messages else ""), messages, str(focus)),
            message_en=_template_match(templates.get("en", messages[-1] if messages else ""), messages, str(focus)),
            path=result.path,
            field=field_key,
            field_nl=field_nl,
            field_en=field_en,
            value=None if value is None else _text(value),
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

    def _shape(self, shape: Node) -> tuple[dict[str | None, str], tuple[str, ...]]:
        """The shape's message templates by language, and its path: once per shape."""
        if shape not in self._shapes:
            messages = self.shapes.objects(shape, SH.message)
            templates = {m.language: str(m) for m in messages if isinstance(m, Literal)}
            self._shapes[shape] = (templates, _shape_path(self.shapes, shape))
        return self._shapes[shape]

    def _field(self, predicate: Node | str | None) -> tuple[str | None, str | None, str | None]:
        """The register's key and titles of a property; the ontology's labels for other properties."""
        if predicate is None:
            return None, None, None
        if (text := str(predicate)) not in self._fields:
            self._fields[text] = self._field_of(predicate)
        return self._fields[text]

    def _field_of(self, predicate: Node | str) -> tuple[str | None, str | None, str | None]:
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
        if self._is_registration(focus):  # most results
            return _Walk(focus)
        frontier, seen = [_Walk(focus)], {focus}
        for _ in range(_MAX_HOPS):
            frontier = list(self._steps_back(frontier, seen))
            found = [step for step in frontier if self._is_registration(step.record)]
            if len(found) == 1:
                return found[0]
            if found:
                return min(found, key=lambda step: self._order(step.record))
        return _Walk()

    def _steps_back(self, frontier: list[_Walk], seen: set[Node]) -> Iterator[_Walk]:
        for step in frontier:
            for subject, predicate in self.data.subject_predicates(step.record):  # type: ignore[arg-type]
                if subject in seen:
                    continue
                seen.add(subject)
                # An algorithm stands for its record: keep the property that left the algorithm.
                via = step.via if predicate == _REGISTERS else predicate
                yield _Walk(subject, via, ((subject, predicate, step.record), *step.links))  # type: ignore[arg-type]

    def _is_registration(self, node: Node | None) -> bool:
        if node is None or isinstance(node, Literal):
            return False
        if self.registrations is None:
            registers = self.data.has(node, _REGISTERS)
        else:  # read up front: every subject of akg:registers
            registers = self.registrations.registers_something(node)
        if registers:
            return True
        return any(str(kind).startswith(AKG + "Registration") for kind in self.data.objects(node, RDF.type))

    def _order(self, registration: Node | None) -> tuple[int, str]:
        if self.registrations is not None and registration is not None:
            known = self.registrations.order(registration)
            if known is not _ASK:
                return known  # type: ignore[no-any-return]
        index = self.data.value(registration, URIRef(AKG + "sourceIndex"))  # type: ignore[arg-type]
        return (int(index) if isinstance(index, Literal) else 1 << 62, str(registration))

    def _location(self, registration: Node | None, focus: Node) -> dict[str, Any]:
        """Where a registration is (or, without one, the focus node's algorithm id); once per registration."""
        key = registration if registration is not None else focus
        if key not in self._locations:
            self._locations[key] = self._locate(registration, focus)
        return self._locations[key]

    def _locate(self, registration: Node | None, focus: Node) -> dict[str, Any]:
        if self.registrations is not None and registration is not None:
            known = self.registrations.location(registration)
            if known is not _ASK:
                return known  # type: ignore[no-any-return]

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
        add(SH_NS + "focusNode", _term(item.focus, item.focus_type or "iri"))
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
