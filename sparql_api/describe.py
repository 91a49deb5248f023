"""Everything the graph says about one IRI, gathered for its linked-data page and its RDF representations.

Use::

    description = describe(request.app.state.queries, NamedNode("https://w3id.org/algokg/id/algorithm/00000001"))
    if not description.exists: ...                      # 404
    description.label("nl")                             # best label for a heading
    description.types                                   # [Value] (rdf:type, labelled)
    description.outgoing / description.incoming         # [Statement]: predicate, value, graph (labelled)
    description.incoming_total                          # exact count; `incoming` holds at most INCOMING_LIMIT
    description.provenance                              # [GraphInfo]: which graph/source, title, loaded when, URL
    description.derived_from                            # prov:wasDerivedFrom values (e.g. the example dataset)
    description.findings, description.validation_status # SHACL results on it or its current registration
    description.graph_size                              # triples, when the IRI names a graph of the store
    description.quads()                                 # the RDF to serve (statements, provenance, findings)

A `Value` is a term with its labels per language (`""` for untagged), so a page can show
"Gemeente Noorderhaaks" for an organisation and fall back to the IRI. Every query binds the IRI as
an RDF term (`substitutions`) through the app's `QueryService`; nothing is pasted into query text.

Which graphs count as provenance: the named graphs holding the IRI's outgoing statements (or, when
it has none, its incoming ones). A loaded source graph (`…/graph/source/{sha}`) comes with its PROV-O
record from the provenance graph: file name, sha256, records, when it was loaded, where it was
downloaded from. Model, dataset (the bundled example) and derived (current-state) graphs are named
by kind. Validation findings are the `sh:ValidationResult`s whose focus node is the IRI itself or
its `akg:currentRegistration` (register facts are validated on the registration). A source loaded
with `--no-validate` has no results either, so "no results" does not prove it was checked.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from loader.graphs import GRAPH_BASE
from loader.sourceload import PROVENANCE_GRAPH

Term = NamedNode | BlankNode | Literal

INCOMING_LIMIT = 1000  # incoming statements listed; `incoming_total` always gives the exact number
LANGUAGES = ("nl", "en")

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
SKOS_CONCEPT_SCHEME = "http://www.w3.org/2004/02/skos/core#ConceptScheme"
_DCT = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"
_AKG = "https://w3id.org/algokg/def#"
_VALIDATION_GRAPHS = f"{GRAPH_BASE}validation/"

_PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX akg: <https://w3id.org/algokg/def#>
"""
# pyoxigraph substitutes a variable only where it is projected (every query and subquery selects ?iri)
# and where a pattern uses it: a lone `{ BIND(?iri AS ?x) }` would see it unbound.
_LABEL = "skos:prefLabel|rdfs:label|dct:title"

_OUTGOING = (
    _PREFIXES
    + f"""
SELECT ?iri ?p ?o ?g ?plabel ?olabel WHERE {{
  GRAPH ?g {{ ?iri ?p ?o }}
  OPTIONAL {{ ?p rdfs:label ?plabel }}
  OPTIONAL {{ ?o {_LABEL} ?olabel }}
}}"""
)
# Blank nodes the IRI points at, two levels deep (a concise bounded description).
_BLANK = """
SELECT ?iri ?b ?p ?o ?g WHERE {
  GRAPH ?g {
    ?iri ?p0 ?b0 . FILTER isBlank(?b0)
    { BIND(?b0 AS ?b) } UNION { ?b0 ?p1 ?b . FILTER isBlank(?b) }
    ?b ?p ?o
  }
}"""
_INCOMING = (
    _PREFIXES
    + f"""
SELECT ?iri ?s ?p ?g ?plabel ?slabel WHERE {{
  {{ SELECT ?iri ?s ?p ?g WHERE {{
      GRAPH ?g {{ ?s ?p ?iri }} FILTER(!STRSTARTS(STR(?g), "{_VALIDATION_GRAPHS}"))
    }} ORDER BY ?p ?s ?g LIMIT {INCOMING_LIMIT} }}
  OPTIONAL {{ ?p rdfs:label ?plabel }}
  OPTIONAL {{ ?s {_LABEL} ?slabel }}
}}"""
)
_INCOMING_COUNT = f"""
SELECT ?iri (COUNT(*) AS ?n) WHERE {{
  GRAPH ?g {{ ?s ?p ?iri }} FILTER(!STRSTARTS(STR(?g), "{_VALIDATION_GRAPHS}"))
}} GROUP BY ?iri"""
_TYPE_LABELS = (
    _PREFIXES
    + """
SELECT ?iri ?type ?label WHERE { ?iri a ?type . OPTIONAL { ?type rdfs:label|skos:prefLabel ?label } }"""
)
# The PROV-O record of a graph (and of the activity that generated it), from the provenance graph.
_GRAPH_PROVENANCE = (
    _PREFIXES
    + f"""
SELECT ?iri ?a ?p ?o WHERE {{
  GRAPH <{PROVENANCE_GRAPH.value}> {{
    {{ ?iri ?p ?o }} UNION {{ ?iri prov:wasGeneratedBy ?a . ?a ?p ?o }}
    UNION {{ ?iri prov:wasGeneratedBy/prov:wasAssociatedWith ?a . ?a ?p ?o }}
  }}
}}"""
)
_GRAPH_SIZE = "SELECT ?iri (COUNT(*) AS ?n) WHERE { GRAPH ?iri { ?s ?p ?o } } GROUP BY ?iri"
_FINDINGS = (
    _PREFIXES
    + """
SELECT ?iri ?r ?g ?p ?o WHERE {
  { GRAPH ?g { ?r sh:focusNode ?iri } } UNION { ?iri akg:currentRegistration ?focus . GRAPH ?g { ?r sh:focusNode ?focus } }
  GRAPH ?g { ?r a sh:ValidationResult ; ?p ?o }
}"""
)
_SCHEME_MEMBERS = (
    _PREFIXES
    + """
SELECT ?iri ?c ?p ?o ?g WHERE { GRAPH ?g { ?c skos:inScheme ?iri ; ?p ?o } }"""
)


class Queries(Protocol):
    """What `describe` needs of `sparql_api.queries.QueryService`."""

    @property
    def data_version(self) -> str: ...

    def select(self, query: str, *, substitutions: Mapping[str, Term] | None = None) -> list[dict[str, Term]]: ...


@dataclass(frozen=True)
class Value:
    """An RDF term and its labels by language tag (`""` for an untagged label)."""

    term: Term
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, language: str = "nl") -> str | None:
        """The label in `language`, else in another of nl/en, else an untagged one, else None."""
        for tag in (language, *LANGUAGES, ""):
            if tag in self.labels:
                return self.labels[tag]
        return next(iter(self.labels.values()), None)

    def text(self, language: str = "nl") -> str:
        """What to show: the label, a literal's value, or the IRI."""
        return self.label(language) or self.term.value


@dataclass(frozen=True)
class Statement:
    """One triple about the described IRI: `value` is the object (outgoing) or the subject (incoming)."""

    predicate: Value
    value: Value
    graph: NamedNode


@dataclass(frozen=True)
class GraphInfo:
    """A named graph the description comes from, with its PROV-O record when it is a loaded source.

    :param kind: `source` (a loaded file), `dataset` (shipped with algokg, e.g. the example),
        `model` (ontology, schemes, law), `derived` (current state), `provenance`, `validation` or `other`.
    :param loaded: when the source was loaded (`prov:generatedAtTime`, xsd:dateTime lexical form).
    :param source_url: where the file was downloaded from (`dct:source`), e.g. the register's export.
    :param statements: how many of the described outgoing/incoming statements are in this graph.
    """

    graph: NamedNode
    kind: str
    title: str | None = None
    loaded: str | None = None
    source_url: str | None = None
    sha256: str | None = None
    records: int | None = None
    tool: str | None = None
    statements: int = 0


@dataclass(frozen=True)
class Finding:
    """One SHACL result about the IRI (or its current registration), as stored by the loader."""

    result: NamedNode
    graph: NamedNode
    focus: Term
    severity: str  # Violation | Warning | Info
    path: NamedNode | None
    value: Term | None
    shape: Term | None
    messages: Mapping[str, str]  # language -> message

    def message(self, language: str = "nl") -> str:
        return self.messages.get(language) or next(iter(self.messages.values()), "")


@dataclass(frozen=True)
class Description:
    """What the graph says about `iri` in data version `data_version`; see the module docstring."""

    iri: NamedNode
    data_version: str
    types: list[Value]
    outgoing: list[Statement]
    incoming: list[Statement]
    incoming_total: int
    provenance: list[GraphInfo]
    findings: list[Finding]
    graph_size: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    _quads: tuple[Quad, ...] = ()

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming_total or self.graph_size)

    @property
    def incoming_truncated(self) -> bool:
        return self.incoming_total > len(self.incoming)

    @property
    def derived_from(self) -> list[Value]:
        return [s.value for s in self.outgoing if s.predicate.term.value == PROV_DERIVED_FROM]

    @property
    def validation_status(self) -> str:
        """`violation`, `warning` or `info` (the worst finding), or `no results`."""
        severities = {finding.severity for finding in self.findings}
        for severity in ("Violation", "Warning", "Info"):
            if severity in severities:
                return severity.lower()
        return "no results"

    def label(self, language: str = "nl") -> str:
        """Its best label in `language` (falling back as `Value.label`), else the IRI."""
        return Value(self.iri, self.labels).text(language)

    def quads(self) -> list[Quad]:
        """The RDF representation: statements (with blank nodes), graph provenance, findings; deduplicated."""
        return list(dict.fromkeys(self._quads))

    def triples(self) -> list[Triple]:
        """`quads()` without graph names, for the triple formats."""
        return list(dict.fromkeys(Triple(q.subject, q.predicate, q.object) for q in self._quads))


def graph_kind(graph: NamedNode) -> str:
    """What a named graph of the store holds, from its name (`loader.graphs`, `loader.sourceload`)."""
    if graph == PROVENANCE_GRAPH:
        return "provenance"
    rest = graph.value.removeprefix(GRAPH_BASE)
    if rest == graph.value:
        return "other"
    kind = rest.split("/", 1)[0]
    return kind if kind in {"source", "dataset", "model", "derived", "validation"} else "other"


def describe(queries: Queries, iri: NamedNode) -> Description:
    """Gather what the store says about `iri` (see the module docstring); `exists` is False when nothing."""
    bind = {"iri": iri}
    quads: list[Quad] = []

    outgoing, labels = _statements(queries.select(_OUTGOING, substitutions=bind), "o", "olabel", iri, quads, True)
    for row in queries.select(_BLANK, substitutions=bind):
        quads.append(Quad(row["b"], row["p"], row["o"], row["g"]))  # type: ignore[arg-type]
    incoming, _ = _statements(queries.select(_INCOMING, substitutions=bind), "s", "slabel", iri, quads, False)
    counted = queries.select(_INCOMING_COUNT, substitutions=bind)
    incoming_total = int(counted[0]["n"].value) if counted else 0
    sizes = queries.select(_GRAPH_SIZE, substitutions=bind)
    graph_size = int(sizes[0]["n"].value) if sizes else None

    types = _types(queries, iri, outgoing)
    provenance = _provenance(queries, outgoing or incoming, quads)
    findings = _findings(queries.select(_FINDINGS, substitutions=bind), quads)
    if any(t.term.value == SKOS_CONCEPT_SCHEME for t in types):
        # A scheme's IRI serves the whole scheme: every concept in it, with all it says.
        for row in queries.select(_SCHEME_MEMBERS, substitutions=bind):
            quads.append(Quad(row["c"], row["p"], row["o"], row["g"]))  # type: ignore[arg-type]
    return Description(
        iri=iri,
        data_version=queries.data_version,
        types=types,
        outgoing=outgoing,
        incoming=incoming,
        incoming_total=incoming_total,
        provenance=provenance,
        findings=findings,
        graph_size=graph_size,
        labels=labels,
        _quads=tuple(quads),
    )


def _statements(
    rows: list[dict[str, Term]], other: str, other_label: str, iri: NamedNode, quads: list[Quad], outgoing: bool
) -> tuple[list[Statement], dict[str, str]]:
    """Rows (one per statement and label) grouped into labelled statements, in a stable order."""
    predicate_labels: dict[Term, dict[str, str]] = defaultdict(dict)
    value_labels: dict[Term, dict[str, str]] = defaultdict(dict)
    keys: dict[tuple[Term, Term, Term], None] = {}
    for row in rows:
        key = (row["p"], row[other], row["g"])
        keys.setdefault(key)
        _add_label(predicate_labels[row["p"]], row.get("plabel"))
        _add_label(value_labels[row[other]], row.get(other_label))
    statements = []
    for predicate, value, graph in keys:
        statements.append(
            Statement(Value(predicate, predicate_labels[predicate]), Value(value, value_labels[value]), graph)  # type: ignore[arg-type]
        )
        triple = (iri, predicate, value) if outgoing else (value, predicate, iri)
        quads.append(Quad(*triple, graph))  # type: ignore[arg-type]
    statements.sort(key=lambda s: (s.predicate.term.value, str(s.value.term), s.graph.value))
    own_labels: dict[str, str] = {}
    if outgoing:
        for statement in statements:
            if statement.predicate.term.value in _LABEL_PREDICATES and isinstance(statement.value.term, Literal):
                own_labels.setdefault(statement.value.term.language or "", statement.value.term.value)
    return statements, own_labels


_LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    f"{_DCT}title",
)


def _add_label(labels: dict[str, str], term: Term | None) -> None:
    if isinstance(term, Literal):
        labels.setdefault(term.language or "", term.value)


def _types(queries: Queries, iri: NamedNode, outgoing: Iterable[Statement]) -> list[Value]:
    if not any(s.predicate.term.value == RDF_TYPE for s in outgoing):
        return []
    labels: dict[Term, dict[str, str]] = defaultdict(dict)
    for row in queries.select(_TYPE_LABELS, substitutions={"iri": iri}):
        _add_label(labels[row["type"]], row.get("label"))
    return sorted((Value(term, found) for term, found in labels.items()), key=lambda v: v.term.value)


def _provenance(queries: Queries, statements: list[Statement], quads: list[Quad]) -> list[GraphInfo]:
    counts: dict[NamedNode, int] = defaultdict(int)
    for statement in statements:
        counts[statement.graph] += 1
    infos = []
    for graph, count in sorted(counts.items(), key=lambda item: item[0].value):
        record: dict[str, Term] = {}
        for row in queries.select(_GRAPH_PROVENANCE, substitutions={"iri": graph}):
            subject = row.get("a", graph)
            quads.append(Quad(subject, row["p"], row["o"], PROVENANCE_GRAPH))  # type: ignore[arg-type]
            record.setdefault(row["p"].value if subject == graph else f"{subject.value}|{row['p'].value}", row["o"])
        tool = next((o.value for key, o in record.items() if key.endswith(f"|{_RDFS_LABEL}")), None)
        records = record.get(f"{_AKG}recordCount")
        infos.append(
            GraphInfo(
                graph=graph,
                kind=graph_kind(graph),
                title=_value(record.get(f"{_DCT}title")),
                loaded=_value(record.get(f"{_PROV}generatedAtTime")),
                source_url=_value(record.get(f"{_DCT}source")),
                sha256=_value(record.get(f"{_AKG}sha256")),
                records=int(records.value) if records is not None else None,
                tool=tool,
                statements=count,
            )
        )
    return infos


_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _value(term: Term | None) -> str | None:
    return term.value if term is not None else None


def _findings(rows: list[dict[str, Term]], quads: list[Quad]) -> list[Finding]:
    by_result: dict[tuple[Term, Term], dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_result[(row["r"], row["g"])][row["p"].value].append(row["o"])
        quads.append(Quad(row["r"], row["p"], row["o"], row["g"]))  # type: ignore[arg-type]
    findings = []
    for (result, graph), props in by_result.items():

        def one(name: str, props: dict[str, list[Term]] = props) -> Term | None:
            return next(iter(props.get(SH + name, [])), None)

        severity = one("resultSeverity")
        path = one("resultPath")
        messages = {m.language or "": m.value for m in props.get(SH + "resultMessage", []) if isinstance(m, Literal)}
        findings.append(
            Finding(
                result=result,  # type: ignore[arg-type]
                graph=graph,  # type: ignore[arg-type]
                focus=one("focusNode"),  # type: ignore[arg-type]
                severity=severity.value.removeprefix(SH) if severity is not None else "Violation",
                path=path if isinstance(path, NamedNode) else None,
                value=one("value"),
                shape=one("sourceShape"),
                messages=messages,
            )
        )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    findings.sort(
        key=lambda f: (order.get(f.severity, 3), str(f.focus), f.path.value if f.path else "", f.result.value)
    )
    return findings
