"""One register record -> the quads of its algorithm and its registration (a published version).

The registration is named by a digest of the record's content, so an unchanged record in a newer
export is the same registration and a changed one is a new version. Every non-empty value ends up
in the graph: mapped to the model, or kept as published in an akg:UnmappedValue with the reason.
"""

import hashlib
import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from loader.mapping import terms as t
from loader.mapping.assessment_fields import AssessmentFields
from loader.mapping.concepts import ConceptIndex
from loader.mapping.findings import Finding, finding
from loader.mapping.laws import Publisher, statutory_bases
from loader.mapping.organisations import OrganisationNodes
from loader.reconcile.law_gazetteer import Gazetteer
from loader.reconcile.organisations import OrganisationMatch, OrganisationMatcher
from loader.sources.dates import NormalisedDate
from loader.sources.grouped import TitledLink
from loader.sources.records import PublishedRecord, Record

ALGORITMEREGISTER = NamedNode(f"{t.ID}catalog/algoritmeregister")
NETHERLANDS = NamedNode("http://publications.europa.eu/resource/authority/country/NLD")
# Free text: a language-tagged literal.
TEXT_FIELDS = {
    "name": t.dct("title"),
    "description_short": t.akg("shortDescription"),
    "goal": t.akg("goal"),
    "proportionality": t.akg("proportionality"),
    "human_intervention": t.akg("humanIntervention"),
    "risks": t.akg("riskManagement"),
    "lawful_basis": t.akg("lawfulBasisText"),
    "source_data": t.akg("sourceDataDescription"),
    "methods_and_models": t.akg("technicalOperation"),
    "objection_procedure": t.akg("objectionProcedure"),
    "description": t.dct("description"),
    "impact": t.akg("impactDescription"),
    "decision_making_process": t.akg("decisionMakingProcess"),
    "documentation": t.akg("documentation"),
    "monitoring": t.akg("monitoring"),
    "performance_standard": t.akg("performanceStandard"),
}
# Names, codes and addresses: plain literals.
PLAIN_FIELDS = {
    "contact_email": t.akg("contact"),
    "provider": t.akg("supplierName"),
    "source_id": t.akg("sourceId"),
    "lang": t.dct("language"),
    "department": t.akg("department"),
    "competent_authority": t.akg("competentAuthority"),
    "area": t.akg("geographicArea"),
    "mprd": t.akg("baseRegistries"),
    "uuid": t.akg("recordUuid"),
    "type": t.akg("algorithmTypeText"),
}
# Links: an IRI when the link is usable as one, else kept as published.
LINK_FIELDS = {
    "website": t.akg("publicPage"),
    "url": t.akg("sourceRegistrationUrl"),
    "publiccode": t.akg("sourceCode"),
    "process_index_url": t.akg("processingRegisterUrl"),
    "application_url": t.akg("publicPage"),
    "page_url": t.akg("registerPage"),
}
CONCEPT_FIELDS = {"status": ("register-status", t.akg("status"))}
# The register's publication category A states that the organisation considers the algorithm a high-risk AI
# system: the AI Act category as declared (akg:riskLevel), kept apart from a decision-tree classification.
DECLARED_RISK_LEVELS = {
    t.concept_iri("publication-category", "A").value: t.concept_iri("aiact-risk-level", "high-risk")
}
HAS_STATUTORY_BASIS = t.akg("hasStatutoryBasis")
REGISTRATION_CLASSES = {
    "1.0": "Registration_1_0",
    "0.4": "Registration_0_4",
    "0.3.1": "Registration_0_3_1",
    "0.2.3": "Registration_0_2_3",
    "0.1": "Registration_0_1",
}
LANGUAGES = {"NLD": "nl", "ENG": "en"}
# Fields handled by a method of their own, or identity/bookkeeping that is not a record value.
_SPECIAL = {
    "algorithm_id", "standard_version", "source", "language", "unknown_fields", "meta", "organization",
    "category", "publication_category", "begin_date", "end_date", "publication_date", "registered", "added",
    "lawful_basis_grouping", "lawful_basis_link", "impacttoetsen_grouping", "impacttoetsen",
    "source_data_grouping", "source_data_link", "iama", "iama_description", "dpia", "dpia_description",
    "impact_assessment", "tags", "revision_date",
}  # fmt: skip


@dataclass(frozen=True)
class MappingContext:
    """What mapping needs besides the record: the target graph and the reference data to reconcile against."""

    graph: NamedNode
    concepts: ConceptIndex
    law_names: Gazetteer
    organisations: OrganisationMatcher | None = None
    language: str | None = None  # text language when the record does not say (nl/en)
    # The register's language pairs of this load (English organisation name -> Dutch name).
    organisation_pairs: dict[str, str] = field(default_factory=dict, compare=False)
    # A register names the same organisation thousands of times; fuzzy matching is costly.
    organisation_matches: dict[str, OrganisationMatch] = field(default_factory=dict, compare=False)
    organisation_nodes: OrganisationNodes | None = field(default=None, compare=False)

    def match_organisation(self, name: str) -> OrganisationMatch | None:
        if self.organisations is None:
            return None
        if name not in self.organisation_matches:
            self.organisation_matches[name] = self.organisations.match(name)
        return self.organisation_matches[name]

    def nodes(self) -> OrganisationNodes:
        """The organisation nodes of this load (made on first use; the pairs mint one node per body)."""
        if self.organisation_nodes is None:
            pairs = {english.casefold(): dutch for english, dutch in self.organisation_pairs.items()}
            nodes = OrganisationNodes(self.organisations, self.concepts, pairs)
            object.__setattr__(self, "organisation_nodes", nodes)
        assert self.organisation_nodes is not None
        return self.organisation_nodes


@dataclass
class RecordMapping:
    """The quads of one record and what was noticed on the way."""

    algorithm: NamedNode
    registration: NamedNode
    quads: list[Quad] = field(default_factory=list)
    statements: list[Quad] = field(default_factory=list)  # those of ``quads`` with the registration as subject
    language: str | None = None  # the registration's akg:copyLanguage
    findings: list[Finding] = field(default_factory=list)
    organisation: OrganisationMatch | None = None
    law_links: int = 0
    law_links_resolved: int = 0


def registration_digest(record: Record) -> str:
    """A digest of what the record says (not where it was read), so the same content names the same version."""
    content = record.model_dump(mode="json", exclude={"source", "meta"})
    content["model"] = type(record).__name__
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def map_record(record: Record, context: MappingContext) -> RecordMapping:
    return _RecordWriter(record, context).write()


class _RecordWriter(AssessmentFields):
    def __init__(self, record: Record, context: MappingContext) -> None:
        self.record, self.context, self.graph = record, context, context.graph
        # Field values by name: a record model forbids extra fields, so this is getattr(record, name, None)
        # without the cost of pydantic's __getattr__ for names the record's version does not define. HTML
        # entities the source escaped ("Search &amp; Find") are decoded here, at read time; the raw bytes
        # stay identified by the source's sha256.
        self.fields = {name: _decoded(value) for name, value in record.__dict__.items()}
        self.language = LANGUAGES.get((record.language or "").upper(), context.language)
        name = self.value("name") or ""
        organisation = self.value("organization") or ""
        if record.algorithm_id:
            algorithm = t.algorithm_iri(record.algorithm_id)
        else:
            algorithm = t.unidentified_algorithm_iri(organisation, name)
        registration = NamedNode(f"{algorithm.value}/registration/{registration_digest(record)[:16]}")
        self.out = RecordMapping(algorithm, registration, language=self.language)

    def write(self) -> RecordMapping:
        record, registration = self.record, self.out.registration
        self._identity()
        for name in type(record).model_fields:
            value = self.fields[name]
            if name in _SPECIAL or value in (None, "", []):
                continue
            if name in TEXT_FIELDS:
                self.add(registration, TEXT_FIELDS[name], t.text(value, self.language))
            elif name in PLAIN_FIELDS:
                self.add(registration, PLAIN_FIELDS[name], Literal(value))
            elif name in LINK_FIELDS:
                self._link(name, value, LINK_FIELDS[name])
            elif name in CONCEPT_FIELDS:
                scheme, predicate = CONCEPT_FIELDS[name]
                self._concept(name, value, scheme, predicate)
            else:
                self._unmapped(name, str(value), "the model has no property for this field of the record's standard")
        self._organisation()
        self._themes()
        self._dates()
        self._legal_bases()
        self._assessments()
        self._data_sources()
        self._tags()
        for name, value in sorted(record.unknown_fields.items()):
            self._unmapped(name, value, "not a field of the record's standard version", severity="warning")
        return self.out

    # -- helpers ------------------------------------------------------------------------------

    def value(self, name: str) -> Any:
        return self.fields.get(name)

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        quad = Quad(subject, predicate, obj, self.graph)
        self.out.quads.append(quad)
        if subject is self.out.registration:  # every statement about it goes through here, with this object
            self.out.statements.append(quad)

    def note(self, field_name: str, severity: str, message: str, value: str | None = None) -> None:
        self.out.findings.append(finding(self.record, field_name, severity, message, value))  # type: ignore[arg-type]

    def _unmapped(self, field_name: str, value: str, reason: str, *, severity: str = "info") -> None:
        registration = self.out.registration
        node = NamedNode(f"{registration.value}/unmapped/{t.segment(field_name)}")
        self.add(registration, t.akg("hasUnmappedValue"), node)
        self.add(node, t.RDF_TYPE, t.akg("UnmappedValue"))
        self.add(node, t.akg("fieldName"), Literal(field_name))
        self.add(node, t.akg("valueAsPublished"), Literal(value))
        self.add(node, t.akg("reason"), Literal(reason))
        self.note(field_name, severity, reason, value)

    # -- identity and provenance -----------------------------------------------------------------

    def _identity(self) -> None:
        record, algorithm, registration = self.record, self.out.algorithm, self.out.registration
        self.add(algorithm, t.RDF_TYPE, t.akg("Algorithm"))
        self.add(algorithm, t.akg("hasRegistration"), registration)
        self.add(algorithm, t.akg("inRegister"), ALGORITMEREGISTER)  # every algorithm belongs to a register
        if record.algorithm_id:
            self.add(algorithm, t.akg("algorithmId"), Literal(record.algorithm_id))
        else:
            self.note(
                "algorithm_id",
                "warning",
                "the record has no register id; the algorithm is named by its organisation and name",
            )
        self.add(registration, t.RDF_TYPE, t.akg("Registration"))
        version = type(record).version if isinstance(record, PublishedRecord) else None
        if version:
            self.add(registration, t.RDF_TYPE, t.akg(REGISTRATION_CLASSES[version]))
            self.add(registration, t.akg("standardVersion"), Literal(version))
        self.add(registration, t.akg("registers"), algorithm)
        self.add(registration, t.dct("spatial"), NETHERLANDS)  # the register's jurisdiction, for comparisons
        if self.language:
            self.add(registration, t.akg("copyLanguage"), Literal(self.language))
        self.add(registration, t.prov("wasDerivedFrom"), self.graph)
        source = record.source
        # The file's name, never where it lay on the loading machine (the store is published).
        self.add(registration, t.akg("sourceFile"), Literal(PurePath(source.file).name))
        self.add(registration, t.akg("sourceIndex"), t.typed(source.index, "integer"))
        if source.line is not None:
            self.add(registration, t.akg("sourceLine"), t.typed(source.line, "integer"))
        if source.pointer is not None:
            self.add(registration, t.akg("sourcePointer"), Literal(source.pointer))

    def _link(self, name: str, value: str, predicate: NamedNode) -> None:
        cleaned = value.strip()
        if t.is_iri(cleaned):
            self.add(self.out.registration, predicate, NamedNode(cleaned))
        else:
            self._unmapped(name, value, "not a usable web address (http or https)")

    def _concept(self, name: str, value: str, scheme: str, predicate: NamedNode) -> None:
        match = self.context.concepts.find(scheme, value)
        if match:
            self.add(self.out.registration, predicate, NamedNode(match.iri))
        else:
            self._unmapped(name, value, f"not a value of the {scheme} scheme", severity="warning")

    # -- fields with their own rules ---------------------------------------------------------------

    def _organisation(self) -> None:
        name = self.value("organization")
        if not name:
            return
        registration = self.out.registration
        self.add(registration, t.akg("organisationName"), Literal(name))
        match = self.context.match_organisation(name)
        if match is None:
            return
        self.out.organisation = match
        node = NamedNode(f"{registration.value}/reconciliation/organization")
        self.add(registration, t.akg("hasReconciliation"), node)
        self.add(node, t.RDF_TYPE, t.akg("Reconciliation"))
        self.add(node, t.akg("fieldName"), Literal("organization"))
        self.add(node, t.akg("valueAsPublished"), Literal(name))
        self.add(node, t.akg("matchMethod"), Literal(match.method or "none"))
        self.add(node, t.akg("matchConfidence"), t.typed(f"{match.confidence:.3f}", "decimal"))
        nodes = self.context.nodes()
        organisation = nodes.node(name, match)
        self.add(registration, t.akg("organisation"), organisation)
        self.out.quads += nodes.quads(organisation, name, match, self.language, self.graph)
        if match.iri:
            self.add(node, t.akg("matchedTo"), organisation)
            return
        for candidate in match.candidates:
            self.add(node, t.akg("candidate"), NamedNode(candidate.iri))
        offered = "; ".join(f"{c.name} ({c.score:.2f})" for c in match.candidates) or "none"
        if match.ambiguous:
            message = f"organisation name fits several TOOI organisations, none chosen: {offered}"
        else:
            message = f"organisation not found in the TOOI lists; nearest: {offered}"
        self.note("organization", "warning", f"{message}; kept as organisation {organisation.value}", name)

    def _themes(self) -> None:
        category = self.value("category")
        if isinstance(category, str) and category:
            # Older standards: a free-text policy area; a theme as well when it names one.
            self.add(self.out.registration, t.akg("policyArea"), t.text(category, self.language))
            if match := self.context.concepts.find("register-theme", category):
                self.add(self.out.registration, t.akg("theme"), NamedNode(match.iri))
        for value in category if isinstance(category, list) else []:
            self._concept("category", value, "register-theme", t.akg("theme"))
        category = self.value("publication_category")
        if category:
            self._concept("publication_category", category, "publication-category", t.akg("publicationCategory"))
            match = self.context.concepts.find("publication-category", category)
            if match and match.iri in DECLARED_RISK_LEVELS:
                self.add(self.out.registration, t.akg("riskLevel"), DECLARED_RISK_LEVELS[match.iri])

    def _dates(self) -> None:
        registration = self.out.registration
        for name, predicate, published in (
            ("begin_date", t.akg("beginDate"), t.akg("beginDateAsPublished")),
            ("end_date", t.akg("endDate"), t.akg("endDateAsPublished")),
        ):
            value: NormalisedDate | None = self.value(name)
            if value is None or not value.original.strip():
                continue
            self.add(registration, published, Literal(value.original))
            if value.value is None:
                if value.problem:
                    self.note(
                        name,
                        "warning",
                        f"date not readable ({value.problem}); expected YYYY-MM; kept as published",
                        value.original,
                    )
                continue
            if value.precision == "year":
                self.add(registration, predicate, t.typed(f"{value.value.year:04d}", "gYear"))
            else:
                self.add(registration, predicate, t.typed(value.value.isoformat()[:7], "gYearMonth"))
        revised = self.value("revision_date")
        if revised is not None and revised.original.strip():
            if revised.value is not None:
                self.add(registration, t.akg("revisionDate"), t.typed(revised.value.isoformat(), "date"))
            else:
                self._unmapped("revision_date", revised.original, f"date not readable ({revised.problem})")
        for name in ("publication_date", "registered"):
            value = self.value(name)
            if value is not None and value.value is not None:
                self.add(registration, t.dct("issued"), t.typed(value.value.isoformat(), "date"))
        added = self.value("added")
        if added is not None and added.value is not None:
            self.add(registration, t.dct("created"), t.typed(added.value.isoformat(), "date"))

    def _legal_bases(self) -> None:
        items: list[TitledLink] = list(self.value("lawful_basis_grouping") or [])
        link = self.value("lawful_basis_link")
        if link:
            items.append(TitledLink(title="", link=link, url=link if t.is_iri(link) else None, original=link))
        # The publishing organisation's node (TOOI, else minted from its name): local regulations are its own.
        name, match = self.value("organization"), self.out.organisation
        publisher_iri = self.context.nodes().node(name, match).value if name and match else None
        result = statutory_bases(
            self.out.registration,
            items,
            self.value("lawful_basis"),
            table=self.context.law_names,
            graph=self.graph,
            publisher=Publisher(publisher_iri, name),
            language=self.language,
        )
        for basis in result.bases:
            self.add(self.out.registration, HAS_STATUTORY_BASIS, basis)
        self.out.quads += result.quads
        self.out.law_links += result.links
        self.out.law_links_resolved += result.links_resolved
        for unresolved in result.unresolved or []:
            self.note(
                "lawful_basis_grouping",
                "warning",
                "the link names no law algokg can identify (BWB, ELI, CELEX, CVDR)",
                unresolved,
            )
        for field_name, severity, message, value in result.notes:
            self.note(field_name, severity, message, value)

    def _data_sources(self) -> None:
        items: list[TitledLink] = list(self.value("source_data_grouping") or [])
        link = self.value("source_data_link")
        if link:
            items.append(TitledLink(title="", link=link, url=link if t.is_iri(link) else None, original=link))
        for number, item in enumerate(items, 1):
            node = NamedNode(f"{self.out.registration.value}/data-source/{number}")
            self.add(self.out.registration, t.akg("usesDataSource"), node)
            self.add(node, t.RDF_TYPE, t.akg("DataSource"))
            if item.title:
                self.add(node, t.dct("title"), t.text(item.title, self.language))
            if item.url or item.link:
                self.add(node, t.akg("link"), t.typed(item.url or item.link, "anyURI"))

    def _tags(self) -> None:
        tags = self.value("tags")
        for tag in (tags or "").split(","):
            if tag.strip():
                self.add(self.out.registration, t.akg("searchTerm"), t.text(tag.strip(), self.language))


def map_records(records: Iterator[Record], context: MappingContext) -> Iterator[RecordMapping]:
    for record in records:
        yield map_record(record, context)


def _decoded(value: Any) -> Any:
    """A value with the HTML entities its source escaped decoded (text, lists of text, titled links)."""
    if isinstance(value, str):
        return html.unescape(value) if "&" in value else value
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    if isinstance(value, TitledLink) and "&" in value.original:
        return value.model_copy(
            update={name: _decoded(getattr(value, name)) for name in ("title", "link", "url", "original")}
        )
    return value
