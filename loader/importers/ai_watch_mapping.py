"""One AI Watch service record -> its algorithm, registration and lead organisation; a catalogue -> its description.

What each field becomes: ``name`` dct:title, ``description`` dct:description, ``url`` rdfs:seeAlso (the register
page, akg:registerPage, for a register's own catalogue), ``contact`` akg:contact; ``geocoverage_codes`` (or the
country names of ``geocoverage``) dct:spatial, countries of the authority table; ``geoextent`` akg:geographicExtent;
``primary_sector`` akg:sector (COFOG); ``technology`` akg:technique; ``status`` akg:status (ai-watch-status);
``lead_organisation_category`` akg:organisationCategory; ``start_date``/``end_date`` akg:beginDate/akg:endDate (as
published kept) unless every service of the file has the same date, which is then a placeholder of the
harmonisation and kept only as published (services.json: 143 of 143 on 2021/01/01). "Unknown" is no value. Other
fields (``secondary_sector``, ``type``, ``uptake``, ``active``, ``cross_border``, ``cross_sector``) are kept as
akg:UnmappedValue. The lead organisation: for a register's own catalogue the register's publisher (the lead
organisation named is its unit, akg:responsibleUnit); otherwise the TOOI organisation when the service is Dutch
and the name is a sure match (a "City of X" read as the municipality), else a node minted from the country and
the name (``…/id/organisation/{country}/{slug}``, unreconciled).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from pyoxigraph import Literal, NamedNode, Quad

from loader.importers.ai_watch import CatalogRecord, ServiceRecord
from loader.importers.common import Remark
from loader.importers.us_inventory import slug
from loader.importers.us_mapping import us_date
from loader.importers.vocabulary import Vocabulary
from loader.mapping import terms as t
from loader.sourceload import Registration

__all__ = ["ServiceMapping", "catalog_iri", "catalog_triples", "map_service"]

EUPL = NamedNode("https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12")
ORG_SUB = NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
UNKNOWN = {"", "unknown", "n/a", "none"}
CONCEPTS = {
    "geoextent": ("ai-watch-geo-extent", t.akg("geographicExtent")),
    "primary_sector": ("cofog", t.akg("sector")),
    "technology": ("ai-watch-technology", t.akg("technique")),
    "status": ("ai-watch-status", t.akg("status")),
    "lead_organisation_category": ("ai-watch-organisation-category", t.akg("organisationCategory")),
}
KEPT = ("secondary_sector", "type", "uptake", "active", "cross_border", "cross_sector")
Matcher = Callable[[str], str | None]  # an organisation name -> a TOOI IRI when the match is sure


def catalog_iri(number: int, vocabulary: Vocabulary) -> NamedNode:
    """The catalogue of source number N (explorer id 10000+N): the model's register, else a minted node."""
    return vocabulary.catalogs.get(number) or NamedNode(f"{t.ID}catalog/ai-watch-{10000 + number}")


def catalog_triples(record: CatalogRecord, catalog: NamedNode) -> list[tuple]:
    """The catalogue as its file describes it (title, description, page)."""
    triples: list[tuple] = [(catalog, t.RDF_TYPE, NamedNode("http://www.w3.org/ns/dcat#Catalog"))]
    if title := record.values.get("c_name"):
        triples.append((catalog, t.dct("title"), Literal(title, language="en")))
    if description := record.values.get("c_description"):
        triples.append((catalog, t.dct("description"), Literal(description, language="en")))
    if (url := record.values.get("c_url", "")) and t.is_iri(url):
        triples.append((catalog, t.RDFS_SEE_ALSO, NamedNode(url)))
    return triples


@dataclass
class ServiceMapping:
    algorithm: NamedNode
    registration: NamedNode
    quads: list[Quad] = field(default_factory=list)
    statements: list[Quad] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)

    def as_registration(self) -> Registration:
        return Registration(self.registration, self.algorithm, "en", self.statements)


@dataclass(frozen=True)
class ServiceContext:
    """What mapping a service needs besides the record."""

    graph: NamedNode
    catalog: NamedNode
    vocabulary: Vocabulary
    matcher: Matcher
    publisher: NamedNode | None = None  # a register's own catalogue: the organisation whose register it is
    placeholder_dates: frozenset[str] = frozenset()


def map_service(record: ServiceRecord, digest: str, context: ServiceContext) -> ServiceMapping:
    algorithm = NamedNode(f"{t.ID}algorithm/ai-watch/{record.service_id}")
    out = ServiceMapping(algorithm, NamedNode(f"{algorithm.value}/registration/{digest[:16]}"))
    registration = out.registration

    def add(subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        quad = Quad(subject, predicate, obj, context.graph)
        out.quads.append(quad)
        if subject == registration:
            out.statements.append(quad)

    def remark(field_name: str, message: str) -> None:
        where = f"{record.pointer}/{field_name}" if record.pointer is not None else field_name  # JSON: its pointer
        out.remarks.append(Remark(record.file, record.line, where, "warning", message))

    def unmapped(field_name: str, value: str, reason: str) -> None:
        node = NamedNode(f"{registration.value}/unmapped/{t.segment(field_name)}")
        add(registration, t.akg("hasUnmappedValue"), node)
        add(node, t.RDF_TYPE, t.akg("UnmappedValue"))
        add(node, t.akg("fieldName"), Literal(field_name))
        add(node, t.akg("valueAsPublished"), Literal(value))
        add(node, t.akg("reason"), Literal(reason))

    add(algorithm, t.RDF_TYPE, t.akg("Algorithm"))
    add(algorithm, t.akg("hasRegistration"), registration)
    add(algorithm, t.akg("inRegister"), context.catalog)
    for kind in ("Registration", "AIWatchRecord"):
        add(registration, t.RDF_TYPE, t.akg(kind))
    add(registration, t.akg("registers"), algorithm)
    add(registration, t.akg("copyLanguage"), Literal("en"))
    add(registration, t.akg("inRegister"), context.catalog)
    add(registration, t.akg("registerRecordId"), Literal(str(record.service_id)))
    add(registration, t.dct("license"), EUPL)
    add(registration, t.prov("wasDerivedFrom"), context.graph)
    add(registration, t.akg("sourceFile"), Literal(PurePath(record.file).name))
    if record.line is not None:
        add(registration, t.akg("sourceLine"), t.typed(record.line, "integer"))
    if record.pointer is not None:
        add(registration, t.akg("sourcePointer"), Literal(record.pointer))
    if name := record.text("name"):
        add(registration, t.dct("title"), Literal(name, language="en"))
    if description := record.text("description"):
        add(registration, t.dct("description"), Literal(description, language="en"))
    if contact := record.text("contact"):
        add(registration, t.akg("contact"), Literal(contact))
    if (url := record.text("url")) and t.is_iri(url):
        add(registration, t.akg("registerPage") if context.publisher else t.RDFS_SEE_ALSO, NamedNode(url))
    elif url:
        unmapped("url", url, "not a web address")
    countries = _countries(record, context.vocabulary)
    for country in countries:
        add(registration, t.dct("spatial"), country)
    if not countries:
        remark("geocoverage", "no country the authority table knows; the service has no country")
    for key, (scheme, predicate) in CONCEPTS.items():
        value = record.text(key)
        if value.casefold() in UNKNOWN:
            continue
        concept = context.vocabulary.concept(scheme, value)
        if concept is None:
            unmapped(key, value, f"not a value of the AI Watch schema (scheme {scheme})")
            remark(key, f"{value!r} is not a value of the scheme {scheme}; kept as published")
        else:
            add(registration, predicate, concept)
    for key, predicate in (("start_date", "beginDate"), ("end_date", "endDate")):
        value = record.text(key)
        if not value:
            continue
        add(registration, t.akg(f"{predicate}AsPublished"), Literal(value))
        if value in context.placeholder_dates:
            continue
        date = us_date(value.replace("/", "-")) if value[:4].isdigit() else None
        if date is not None:
            add(registration, t.akg(predicate), date)
        else:
            remark(key, f"{value!r} is not a date YYYY-MM-DD; kept as published")
    for key in KEPT:
        value = record.text(key)
        if value.casefold() not in UNKNOWN:
            unmapped(key, value, "the model has no property for this field of the AI Watch schema")
    _organisation(record, registration, context, countries, add, unmapped)
    return out


def _countries(record: ServiceRecord, vocabulary: Vocabulary) -> list[NamedNode]:
    codes = record.values.get("geocoverage_codes")
    names = codes if isinstance(codes, list) else record.values.get("geocoverage")
    if isinstance(names, str):
        names = [part for part in names.split(",")]
    found = []
    for name in names if isinstance(names, list) else []:
        country = vocabulary.country(name) if isinstance(name, str) else None
        if country is not None and country not in found:
            found.append(country)
    return found


def _organisation(
    record: ServiceRecord,
    target: NamedNode,
    context: ServiceContext,
    countries: list[NamedNode],
    add: Callable[[NamedNode, NamedNode, NamedNode | Literal], None],
    unmapped: Callable[[str, str, str], None],
) -> None:
    name = record.text("lead_organisation_name") or record.text("lead_organization_name")
    if not name and isinstance(record.values.get("lead_organisation"), dict):
        name = str(record.values["lead_organisation"].get("name", "")).strip()  # type: ignore[union-attr]
    if context.publisher is not None:
        add(target, t.akg("organisation"), context.publisher)
        if name and name.casefold() not in UNKNOWN:
            owner = slug(context.publisher.value.rsplit("/", 1)[-1])  # gm0363, city-of-helsinki
            unit = NamedNode(f"{t.ID}organisation/unit/{owner}/{slug(name)}")
            add(target, t.akg("responsibleUnit"), unit)
            add(unit, t.RDF_TYPE, t.ORG_ORGANIZATION)
            add(unit, t.RDF_TYPE, t.akg("UnreconciledOrganisation"))
            add(unit, t.SKOS_PREF_LABEL, Literal(name, language="en"))
            add(unit, ORG_SUB, context.publisher)
            add(unit, t.akg("organisationType"), t.concept_iri("organisation-type", "onbekend"))
        return
    if not name or name.casefold() in UNKNOWN:
        if name:
            unmapped("lead_organisation_name", name, "the record names no organisation")
        return
    add(target, t.akg("organisationName"), Literal(name))
    dutch = any(country.value.endswith("/NLD") for country in countries)
    tooi = context.matcher(_municipality(name)) if dutch else None
    if tooi is not None:
        add(target, t.akg("organisation"), NamedNode(tooi))
        return
    code = countries[0].value.rsplit("/", 1)[-1].lower() if countries else "eu"
    node = NamedNode(f"{t.ID}organisation/{code}/{slug(name)}")
    add(target, t.akg("organisation"), node)
    add(node, t.RDF_TYPE, t.ORG_ORGANIZATION)
    add(node, t.RDF_TYPE, t.akg("UnreconciledOrganisation"))
    add(node, t.SKOS_PREF_LABEL, Literal(name, language="en"))
    add(node, t.akg("organisationType"), t.concept_iri("organisation-type", "onbekend"))
    for country in countries[:1]:
        add(node, t.dct("spatial"), country)


def _municipality(name: str) -> str:
    """In the Netherlands a "City of X" is the municipality X (the matcher knows "Municipality of X")."""
    return f"Municipality of {name[8:]}" if name.casefold().startswith("city of ") else name
