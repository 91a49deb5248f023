"""What the pages show beyond the REST service layer: an algorithm's legal bases, assessments, AI Act
categories and versions, and the headline IAMA/DPIA count. One `sparql/*.rq` file each, the IRI bound
as an RDF term; every result carries the query that made it (for "show the SPARQL")."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from sparql_api.queries import QueryService
from sparql_api.rest.catalogue import pick_label
from sparql_api.rest.models import QueryShown, Ref

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


@dataclass
class AlgorithmDetails:
    legal: list[LegalBasis] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    history: list[Version] = field(default_factory=list)
    sparql: list[QueryShown] = field(default_factory=list)


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


def _text(rows: list[dict], key: str, lang: str) -> str | None:
    return pick_label([row[key] for row in rows if key in row], lang)


def algorithm_details(queries: QueryService, iri: str, lang: str) -> AlgorithmDetails:
    bind = {"algorithm": NamedNode(iri)}
    details = AlgorithmDetails()

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
                citation=_text(group, "citation", lang),
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
    for key, group in by_assessment.items():
        first = group[0]
        details.assessments.append(
            Assessment(
                id=key,
                instrument=_ref(first.get("instrument"), instrument_labels, lang),
                performed=_bool(first.get("performed")),
                published=_bool(first.get("published")),
                date=first["date"].value if "date" in first else None,
                reason=_text(group, "reason", lang),
                outcome=_text(group, "outcome", lang),
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

    rows, shown = run(queries, "algorithm-history", bind)
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
            ),
        )
    details.history = list(versions.values())
    return details


def assessed_count(queries: QueryService) -> tuple[int, QueryShown]:
    """Algorithms listing an IAMA or DPIA not stated as not performed."""
    rows, shown = run(queries, "assessed-count", {})
    return (int(rows[0]["assessed"].value) if rows and "assessed" in rows[0] else 0), shown
