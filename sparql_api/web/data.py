"""What the pages show beyond the REST service layer: an algorithm's summary, legal bases, assessments, AI Act
categories and versions, and the headline assessment counts. One `sparql/*.rq` file each, the IRI bound
as an RDF term; every result carries the query that made it (for "show the SPARQL").

An algorithm loaded from the register's Dutch and English exports has a current registration per language:
its page shows one, the one in the page's language (else the Dutch, else any), so it never shows two
statuses, a law twice or two current versions, and the Dutch page prefers Dutch text."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from sparql_api.queries import QueryService
from sparql_api.rest.catalogue import pick_label, summaries
from sparql_api.rest.models import AlgorithmSummary, QueryShown, Ref

SPARQL_DIR = Path(__file__).resolve().parent / "sparql"
Term = NamedNode | Literal


@cache
def query_text(name: str) -> str:
    return (SPARQL_DIR / f"{name}.rq").read_text(encoding="utf-8")


def run(queries: QueryService, name: str, bindings: dict[str, NamedNode]) -> tuple[list[dict], QueryShown]:
    """The rows of `sparql/{name}.rq` with `bindings`, and how to show the query."""
    text = query_text(name)
    rows = queries.select(text, substitutions=bindings)
    shown = QueryShown(query=name, text=text, bindings={key: str(term) for key, term in bindings.items()})
    return rows, shown


@dataclass
class LegalBasis:
    citation: str | None
    link: str | None  # the link the register gives
    resource: Ref | None  # the law or article it was reconciled to
    law: Ref | None
    read_url: str | None  # where to read the article (rdfs:seeAlso: wetten.overheid.nl, EUR-Lex)


@dataclass
class Assessment:
    id: str
    instrument: Ref | None
    performed: bool | None
    published: bool | None
    date: str | None
    reason: str | None
    outcome: str | None
    status: Ref | None = None  # what the record states: performed, planned, not performed, not needed, unknown
    title: str | None = None  # the title as published, when it says more than the instrument's name
    answer: str | None = None  # the answer as published (Ja, Nee, Onbekend, True …)
    description: str | None = None


@dataclass
class Text:
    """A text of the record and the language it is in (the page marks text in another language)."""

    text: str
    language: str | None


@dataclass
class Category:
    property: str  # local name: riskLevel, annexIIIPoint, …
    concept: Ref
    definition: str | None


@dataclass
class Version:
    id: str
    issued: str | None
    standard: str | None
    current: bool
    language: str | None = None


@dataclass
class AlgorithmDetails:
    record: str = ""  # what the page shows: the current registration in its language, or the algorithm
    summary: AlgorithmSummary | None = None
    lawful_basis_text: Text | None = None
    legal: list[LegalBasis] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    declared: bool = False  # the categories are what the register's record declares
    history: list[Version] = field(default_factory=list)
    sparql: list[QueryShown] = field(default_factory=list)

    @property
    def linked_law(self) -> bool:
        """Whether a statutory basis points at a law or article the graph knows."""
        return any(basis.resource is not None for basis in self.legal)


def _labels(rows: list[dict], key: str, label: str) -> dict[str, list[Term]]:
    found: dict[str, list[Term]] = defaultdict(list)
    for row in rows:
        if key in row and label in row:
            found[row[key].value].append(row[label])
    return found


def _ref(term: Term | None, labels: dict[str, list[Term]], lang: str) -> Ref | None:
    if term is None:
        return None
    return Ref(id=term.value, label=pick_label(labels.get(term.value, []), lang))


def _bool(term: Term | None) -> bool | None:
    return None if term is None else term.value in ("true", "1")


def _pick(rows: list[dict], key: str, lang: str) -> str | None:
    return pick_label([row[key] for row in rows if key in row], lang)


def _text(found: list[Term], lang: str) -> Text | None:
    """The text in ``lang``, else untagged, else Dutch, else any; with its language."""
    literals = [term for term in found if isinstance(term, Literal)]
    for wanted in (lang, None, "nl"):
        matching = sorted((term for term in literals if term.language == wanted), key=lambda term: term.value)
        if matching:
            return Text(matching[0].value, matching[0].language)
    first = min(literals, key=lambda term: (term.language or "", term.value), default=None)
    return Text(first.value, first.language) if first else None


def shown_record(queries: QueryService, iri: str, lang: str) -> tuple[NamedNode, QueryShown]:
    """The record the page shows: the current registration in ``lang``, else in Dutch, else any; else the
    algorithm itself (data without current-state graphs, such as the example dataset)."""
    rows, shown = run(queries, "algorithm-current", {"algorithm": NamedNode(iri)})
    by_language = {(row["language"].value if "language" in row else ""): row["registration"] for row in rows}
    for wanted in (lang, "nl", *sorted(by_language)):
        if wanted in by_language:
            return by_language[wanted], shown  # type: ignore[return-value]
    return NamedNode(iri), shown


def _summary(queries: QueryService, iri: str, record: NamedNode, lang: str, details: "AlgorithmDetails") -> None:
    rows, shown = run(queries, "algorithm-summary", {"algorithm": NamedNode(iri), "record": record})
    details.sparql.append(shown)
    by_field: dict[str, list[Term]] = defaultdict(list)
    for row in rows:
        by_field[row["field"].value].append(row["value"])
    fields = [{**row, "algorithm": NamedNode(iri)} for row in rows if row["field"].value not in _TEXT_FIELDS]
    found = summaries(fields, lang)
    details.summary = found[0] if found and found[0].identifier is not None else None
    # The record's texts (short description, goal, assessment explanation …) are shown by sparql_api.web.record.
    details.lawful_basis_text = _text(by_field["lawfulBasisText"], lang)


_TEXT_FIELDS = {"description", "goal", "lawfulBasisText", "assessmentExplanation"}


def algorithm_details(queries: QueryService, iri: str, lang: str) -> AlgorithmDetails:
    record, current = shown_record(queries, iri, lang)
    details = AlgorithmDetails(record=record.value)
    details.declared = record.value != iri
    details.sparql.append(current)
    _summary(queries, iri, record, lang, details)
    bind = {"record": record}

    rows, shown = run(queries, "algorithm-legal", bind)
    details.sparql.append(shown)
    resource_labels, law_labels = _labels(rows, "resource", "resourceLabel"), _labels(rows, "law", "lawLabel")
    by_basis: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_basis[row["basis"].value].append(row)
    for group in by_basis.values():
        first = group[0]
        # The most specific law: a resource is its own law when it is one (is_part_of* includes itself).
        laws = [row["law"] for row in group if "law" in row]
        law = next((term for term in laws if term != first.get("resource")), laws[0] if laws else None)
        details.legal.append(
            LegalBasis(
                citation=_pick(group, "citation", lang),
                link=next((row["link"].value for row in group if "link" in row), None),
                resource=_ref(first.get("resource"), resource_labels, lang),
                law=_ref(law, law_labels, lang) if law is not None and law != first.get("resource") else None,
                read_url=min((row["seeAlso"].value for row in group if "seeAlso" in row), default=None),
            )
        )
    details.legal.sort(key=lambda b: (b.citation or "", b.resource.id if b.resource else ""))

    rows, shown = run(queries, "algorithm-assessments", bind)
    details.sparql.append(shown)
    instrument_labels = _labels(rows, "instrument", "instrumentLabel")
    by_assessment: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_assessment[row["assessment"].value].append(row)
    status_labels = _labels(rows, "status", "statusLabel")
    for key, group in by_assessment.items():
        first = group[0]
        instrument = _ref(first.get("instrument"), instrument_labels, lang)
        title = first["title"].value if "title" in first else None
        details.assessments.append(
            Assessment(
                id=key,
                instrument=instrument,
                performed=_bool(first.get("performed")),
                published=_bool(first.get("published")),
                date=first["date"].value if "date" in first else None,
                reason=_pick(group, "reason", lang),
                outcome=_pick(group, "outcome", lang),
                status=_ref(first.get("status"), status_labels, lang),
                title=title if title and instrument and title != instrument.label else None,
                answer=first["answer"].value if "answer" in first else None,
                description=_pick(group, "description", lang),
            )
        )
    details.assessments.sort(key=lambda a: ((a.instrument.label or a.instrument.id) if a.instrument else "", a.id))

    rows, shown = run(queries, "algorithm-aiact", bind)
    details.sparql.append(shown)
    concept_labels = _labels(rows, "concept", "label")
    definitions = _labels(rows, "concept", "definition")
    seen: dict[tuple[str, str], Category] = {}
    for row in rows:
        concept = row["concept"]
        property_name = row["property"].value.rsplit("#", 1)[-1]
        seen.setdefault(
            (property_name, concept.value),
            Category(
                property=property_name,
                concept=_ref(concept, concept_labels, lang),  # type: ignore[arg-type]
                definition=pick_label(definitions.get(concept.value, []), lang),
            ),
        )
    order = ["riskLevel", "prohibitedPractice", "annexIIIPoint", "annexIProduct", "transparencyCase"]
    details.categories = sorted(seen.values(), key=lambda c: (order.index(c.property), c.concept.id))

    rows, shown = run(queries, "algorithm-history", {"algorithm": NamedNode(iri), "record": record})
    details.sparql.append(shown)
    versions: dict[str, Version] = {}
    for row in rows:
        versions.setdefault(
            row["registration"].value,
            Version(
                id=row["registration"].value,
                issued=row["issued"].value if "issued" in row else None,
                standard=row["version"].value if "version" in row else None,
                current=_bool(row.get("current")) or False,
                language=row["language"].value if "language" in row else None,
            ),
        )
    details.history = list(versions.values())
    return details


ASSESSMENT_BUCKETS = ("assessed", "listed", "unknown", "without")


def assessment_counts(queries: QueryService) -> tuple[dict[str, int], QueryShown]:
    """Algorithms per assessment bucket (``assessment-counts.rq``): an IAMA or DPIA performed, an impact
    assessment listed without its instrument, status unknown, none of these."""
    rows, shown = run(queries, "assessment-counts", {})
    counts = dict.fromkeys(ASSESSMENT_BUCKETS, 0)
    counts |= {row["bucket"].value: int(row["algorithms"].value) for row in rows}
    return counts, shown
