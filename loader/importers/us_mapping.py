"""One row of the US AI use case inventory -> its algorithm, registration, organisations, assessments, safeguards.

What each column becomes (data dictionary names):

- ``use_case_name`` dct:title; ``problem_solved`` akg:goal; ``benefits`` akg:expectedBenefits; ``system_outputs``
  akg:systemOutputs; ``data_description`` akg:sourceDataDescription; ``contact_email`` akg:contact; ``id``
  akg:registerRecordId; ``operational_date`` akg:beginDate (US month-first dates; as published kept);
- ``agency``/``agency_name`` the organisation ``…/id/organisation/us/{slug of agency_name}`` (a US federal agency,
  unreconciled: no list of federal agency identifiers is bundled), ``agency_bureau`` a component of it
  (akg:responsibleUnit, org:subOrganizationOf);
- ``development_stage`` akg:status (scheme us-development-stage), ``is_high_impact`` akg:registerRiskCategory
  (us-high-impact), ``topic_area`` akg:theme (us-topic-area), ``classification`` akg:technique, ``demographic_features``
  akg:usesDataCategory (the stringified list parsed as a Python literal, never evaluated);
- ``vendor_name`` akg:supplierName as published and akg:supplier per vendor named (``loader.importers.vendors``);
- ``pia_url`` a privacy impact assessment (instrument pia: performed with its link when it is one, not performed
  for No/N/A, else status unknown with the text); ``hi_assessment_completed`` (+ ``hi_potential_impacts``) the
  M-25-21 AI impact assessment; the other ``hi_*`` answers akg:Safeguard statements (kind, status, text);
- every other non-empty column an akg:UnmappedValue with the value as published, so nothing is dropped.

A value no scheme knows is kept as published (akg:UnmappedValue) and reported as a located warning.
"""

import ast
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from pathlib import PurePath

from pyoxigraph import Literal, NamedNode, Quad

from loader.importers.common import Remark
from loader.importers.us_inventory import UseCase, slug
from loader.importers.vendors import vendor_iri, vendor_names, vendor_triples
from loader.importers.vocabulary import Vocabulary
from loader.mapping import terms as t
from loader.sourceload import Registration

__all__ = ["CATALOG", "USA", "UseCaseMapping", "agency_iri", "map_use_case", "us_date"]

CATALOG = NamedNode(f"{t.ID}catalog/us-federal-ai-inventory")
USA = NamedNode("http://publications.europa.eu/resource/authority/country/USA")
PUBLIC_DOMAIN = NamedNode("https://creativecommons.org/publicdomain/mark/1.0/")
ORG_SUB = NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
SKOS_NOTATION = NamedNode("http://www.w3.org/2004/02/skos/core#notation")
TEXT = {
    "use_case_name": t.dct("title"),
    "problem_solved": t.akg("goal"),
    "benefits": t.akg("expectedBenefits"),
    "system_outputs": t.akg("systemOutputs"),
    "data_description": t.akg("sourceDataDescription"),
    "HI_justification": t.akg("riskJustification"),
}
PLAIN = {"contact_email": t.akg("contact"), "id": t.akg("registerRecordId"), "vendor_name": t.akg("supplierName")}
CONCEPTS = {
    "development_stage": ("us-development-stage", t.akg("status")),
    "is_high_impact": ("us-high-impact", t.akg("registerRiskCategory")),
    "topic_area": ("us-topic-area", t.akg("theme")),
    "classification": ("us-ai-classification", t.akg("technique")),
}
SAFEGUARDS = {
    "hi_testing_conducted": "pre-deployment-testing",
    "hi_independent_review": "independent-review",
    "hi_ongoing_monitoring": "ongoing-monitoring",
    "hi_training_established": "operator-training",
    "hi_failsafe_presence": "fail-safe",
    "hi_appeal_process": "appeal-process",
    "hi_public_consultation": "public-consultation",
}
HANDLED = {
    *TEXT, *PLAIN, *CONCEPTS, *SAFEGUARDS, "agency", "agency_name", "agency_bureau", "operational_date",
    "demographic_features", "pia_url", "hi_assessment_completed", "hi_potential_impacts",
}  # fmt: skip
_NO = {"no", "n/a", "na", "none", "not applicable"}
_URL = re.compile(r"https?://[^\s<>\"'{}|\\^`]+")
CONSULTATION_STEPS = {"usability testing", "public feedback solicitations", "public hearings", "other"}


@dataclass
class UseCaseMapping:
    """The quads of one row, its registration for current state, and what was said about its values."""

    algorithm: NamedNode
    registration: NamedNode
    quads: list[Quad] = field(default_factory=list)
    statements: list[Quad] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)

    def as_registration(self) -> Registration:
        return Registration(self.registration, self.algorithm, "en", self.statements)


def agency_iri(name: str) -> NamedNode:
    return NamedNode(f"{t.ID}organisation/us/{slug(name)}")


@lru_cache(maxsize=4096)  # a few hundred distinct dates over thousands of rows; terms are immutable
def us_date(text: str) -> Literal | None:
    """A US inventory date as an XSD literal: ``2024-10-01 00:00:00``, ``10/1/2023`` (month first),
    ``01/2024``, ``Jul-25``, ``2025``; None when it is none of these."""
    value = text.strip()
    for pattern, kind in (
        ("%Y-%m-%d %H:%M:%S", "date"), ("%Y-%m-%d", "date"), ("%m/%d/%Y %H:%M:%S", "date"), ("%m/%d/%Y", "date"),
        ("%m/%Y", "gYearMonth"), ("%b-%y", "gYearMonth"), ("%B %Y", "gYearMonth"), ("%Y", "gYear"),
    ):  # fmt: skip
        try:
            parsed = datetime.strptime(value, pattern)
        except ValueError:
            continue
        lexical = {
            "date": parsed.date().isoformat(),
            "gYearMonth": parsed.strftime("%Y-%m"),
            "gYear": f"{parsed.year:04d}",
        }
        return t.typed(lexical[kind], kind)
    return None


def map_use_case(
    row: UseCase,
    *,
    graph: NamedNode,
    file: str,
    digest: str,
    vocabulary: Vocabulary,
    described: set[tuple[str, ...]] | None = None,
) -> UseCaseMapping:
    """One row's quads. ``described``: the agency, bureau and vendor descriptions earlier rows of the same file
    wrote (updated): each is written once per file, not once per row (the same quads again). A description is
    known by everything it is made of (node and values), so a row that describes a node differently still adds
    its own quads."""
    return _Writer(row, graph, file, digest, vocabulary, set() if described is None else described).write()


@cache  # the same few columns and reasons on every row
def _unmapped_terms(column: str, reason: str) -> tuple[str, Literal, Literal]:
    return t.segment(column), Literal(column), Literal(reason)


@cache
def _file_name(file: str) -> Literal:
    return Literal(PurePath(file).name)


class _Writer:
    def __init__(
        self,
        row: UseCase,
        graph: NamedNode,
        file: str,
        digest: str,
        vocabulary: Vocabulary,
        described: set[tuple[str, ...]],
    ) -> None:
        self.row, self.graph, self.file, self.vocabulary, self.described = row, graph, file, vocabulary, described
        registration = NamedNode(f"{row.iri.value}/registration/{digest[:16]}")
        self.out = UseCaseMapping(row.iri, registration)

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        quad = Quad(subject, predicate, obj, self.graph)
        self.out.quads.append(quad)
        if subject == self.out.registration:
            self.out.statements.append(quad)

    def first_time(self, *description: str) -> bool:
        """Whether this description (its node and values) is not yet written in this file (and is from now on)."""
        if description in self.described:
            return False
        self.described.add(description)
        return True

    def remark(self, column: str, message: str, severity: str = "warning") -> None:
        self.out.remarks.append(Remark(self.file, self.row.line, column, severity, message))

    def unmapped(self, column: str, value: str, reason: str) -> None:
        segment, name, why = _unmapped_terms(column, reason)
        node = NamedNode(f"{self.out.registration.value}/unmapped/{segment}")
        self.add(self.out.registration, t.akg("hasUnmappedValue"), node)
        self.add(node, t.RDF_TYPE, t.akg("UnmappedValue"))
        self.add(node, t.akg("fieldName"), name)
        self.add(node, t.akg("valueAsPublished"), Literal(value))
        self.add(node, t.akg("reason"), why)

    def write(self) -> UseCaseMapping:
        row, registration = self.row, self.out.registration
        self._identity()
        self._organisations()
        for column, predicate in TEXT.items():
            if value := row.get(column):
                self.add(registration, predicate, Literal(value, language="en"))
        for column, predicate in PLAIN.items():
            if value := row.get(column):
                self.add(registration, predicate, Literal(value))
        for column, (scheme, predicate) in CONCEPTS.items():
            if value := row.get(column):
                self._concept(column, value, scheme, predicate)
        self._date()
        self._vendors()
        self._demographics()
        self._privacy_assessment()
        self._impact_assessment()
        for column, kind in SAFEGUARDS.items():
            if value := row.get(column):
                self._safeguard(column, kind, value)
        for column, value in row.values.items():
            if column not in HANDLED and value.strip():
                self.unmapped(column, value.strip(), "the model has no property for this column of the US inventory")
        return self.out

    def _identity(self) -> None:
        row, algorithm, registration = self.row, self.out.algorithm, self.out.registration
        self.add(algorithm, t.RDF_TYPE, t.akg("Algorithm"))
        self.add(algorithm, t.akg("hasRegistration"), registration)
        self.add(algorithm, t.akg("inRegister"), CATALOG)  # the register is the algorithm's, whatever the version
        for kind in ("Registration", "USInventoryRecord"):
            self.add(registration, t.RDF_TYPE, t.akg(kind))
        self.add(registration, t.akg("registers"), algorithm)
        self.add(registration, t.akg("copyLanguage"), Literal("en"))
        self.add(registration, t.akg("inRegister"), CATALOG)
        self.add(registration, t.dct("spatial"), USA)
        self.add(registration, t.dct("license"), PUBLIC_DOMAIN)
        self.add(registration, t.prov("wasDerivedFrom"), self.graph)
        self.add(registration, t.akg("sourceFile"), _file_name(self.file))
        self.add(registration, t.akg("sourceIndex"), t.typed(row.index, "integer"))
        self.add(registration, t.akg("sourceLine"), t.typed(row.line, "integer"))

    def _organisations(self) -> None:
        row, registration = self.row, self.out.registration
        name = row.get("agency_name") or row.get("agency")
        agency = agency_iri(name)
        self.add(registration, t.akg("organisation"), agency)
        self.add(registration, t.akg("organisationName"), Literal(name))
        if self.first_time("agency", agency.value, name, row.get("agency")):
            self._agency(agency, name, row.get("agency"))
        if bureau_name := row.get("agency_bureau"):
            bureau = NamedNode(f"{agency.value}/{slug(bureau_name)}")
            self.add(registration, t.akg("responsibleUnit"), bureau)
            if self.first_time("bureau", bureau.value, bureau_name, agency.value):
                self._bureau(bureau, bureau_name, agency)

    def _agency(self, agency: NamedNode, name: str, code: str | None) -> None:
        self.add(agency, t.RDF_TYPE, t.ORG_ORGANIZATION)
        self.add(agency, t.RDF_TYPE, t.akg("UnreconciledOrganisation"))
        self.add(agency, t.SKOS_PREF_LABEL, Literal(name, language="en"))
        if code:
            self.add(agency, SKOS_NOTATION, Literal(code))
        self.add(agency, t.akg("organisationType"), t.concept_iri("organisation-type", "us-federal-agency"))
        self.add(agency, t.akg("isPublicAuthority"), t.typed("true", "boolean"))
        self.add(agency, t.dct("spatial"), USA)

    def _bureau(self, bureau: NamedNode, name: str, agency: NamedNode) -> None:
        self.add(bureau, t.RDF_TYPE, t.ORG_ORGANIZATION)
        self.add(bureau, t.RDF_TYPE, t.akg("UnreconciledOrganisation"))
        self.add(bureau, t.SKOS_PREF_LABEL, Literal(name, language="en"))
        self.add(bureau, ORG_SUB, agency)
        self.add(bureau, t.akg("organisationType"), t.concept_iri("organisation-type", "us-agency-component"))
        self.add(bureau, t.dct("spatial"), USA)

    def _concept(self, column: str, value: str, scheme: str, predicate: NamedNode) -> None:
        concept = self.vocabulary.concept(scheme, value)
        if concept is None:
            self.unmapped(column, value, f"not a value of the data dictionary (scheme {scheme})")
            self.remark(column, f"{value!r} is not a value the data dictionary lists; kept as published")
            return
        self.add(self.out.registration, predicate, concept)

    def _date(self) -> None:
        value = self.row.get("operational_date")
        if not value:
            return
        self.add(self.out.registration, t.akg("beginDateAsPublished"), Literal(value))
        if (date := us_date(value)) is not None:
            self.add(self.out.registration, t.akg("beginDate"), date)
        else:
            self.remark("operational_date", f"{value!r} is not a date; kept as published")

    def _vendors(self) -> None:
        for name in vendor_names(self.row.get("vendor_name")):
            vendor = vendor_iri(name)
            self.add(self.out.registration, t.akg("supplier"), vendor)
            if self.first_time("vendor", name):  # vendor_triples: of the name alone
                for subject, predicate, obj in vendor_triples(name):
                    self.add(subject, predicate, obj)

    def _demographics(self) -> None:
        value = self.row.get("demographic_features")
        if not value or value == "[]":
            return
        try:
            items = ast.literal_eval(value)  # a Python list literal; literal_eval never runs code
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            items = None
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            self.unmapped("demographic_features", value, "not a list of values as the data dictionary says")
            self.remark("demographic_features", "not a stringified list of values; kept as published")
            return
        for number, item in enumerate(items, 1):
            concept = self.vocabulary.concept("us-demographic-feature", item)
            if concept is not None:
                self.add(self.out.registration, t.akg("usesDataCategory"), concept)
            else:
                self.unmapped(f"demographic_features.{number}", item, "not a value of the data dictionary")

    def _assessment(self, key: str, instrument: str, status: str, title: str) -> NamedNode:
        node = NamedNode(f"{self.out.registration.value}/assessment/{key}")
        self.add(self.out.registration, t.akg("hasAssessment"), node)
        self.add(node, t.RDF_TYPE, t.akg("Assessment"))
        self.add(node, t.akg("instrument"), t.concept_iri("assessment-instrument", instrument))
        self.add(node, t.akg("assessmentStatus"), t.concept_iri("assessment-status", status))
        self.add(node, t.akg("titleAsPublished"), Literal(title))
        if status != "unknown":
            self.add(node, t.akg("wasPerformed"), t.typed(str(status == "performed").lower(), "boolean"))
        return node

    def _privacy_assessment(self) -> None:
        value = self.row.get("pia_url")
        if not value:
            return
        urls = [url.rstrip(".,;)") for url in _URL.findall(value)]
        if urls and t.is_iri(urls[0]):
            node = self._assessment("pia", "pia", "performed", "Privacy Impact Assessment (PIA)")
            self.add(node, t.akg("link"), t.typed(urls[0], "anyURI"))
        elif value.casefold().strip(" .") in _NO:
            node = self._assessment("pia", "pia", "not-performed", "Privacy Impact Assessment (PIA)")
        else:
            node = self._assessment("pia", "pia", "unknown", "Privacy Impact Assessment (PIA)")
        self.add(node, t.akg("valueAsPublished"), Literal(value))

    def _impact_assessment(self) -> None:
        answer, impacts = self.row.get("hi_assessment_completed"), self.row.get("hi_potential_impacts")
        if not answer and not impacts:
            return
        status = _answer_status(answer) if answer else "unknown"
        if answer and status is None:
            self.remark("hi_assessment_completed", f"{answer!r} is not a value the data dictionary lists")
            status = "unknown"
        node = self._assessment("ai-impact", "us-ai-impact-assessment", status or "unknown", "AI impact assessment")
        if answer:
            self.add(node, t.akg("valueAsPublished"), Literal(answer))
        if impacts:
            self.add(node, t.dct("description"), Literal(impacts, language="en"))

    def _safeguard(self, column: str, kind: str, value: str) -> None:
        node = NamedNode(f"{self.out.registration.value}/safeguard/{kind}")
        self.add(self.out.registration, t.akg("hasSafeguard"), node)
        self.add(node, t.RDF_TYPE, t.akg("Safeguard"))
        self.add(node, t.akg("safeguardKind"), t.concept_iri("us-minimum-practice", kind))
        self.add(node, t.akg("valueAsPublished"), Literal(value))
        status = _consultation_status(value) if column == "hi_public_consultation" else _safeguard_status(value)
        if status is not None:
            self.add(node, t.akg("safeguardStatus"), t.concept_iri("safeguard-status", status))
        elif column != "hi_public_consultation":
            self.remark(column, f"{value!r} is not a value the data dictionary lists; kept as published")


@lru_cache(maxsize=4096)  # the answers repeat across rows (a few hundred distinct texts)
def _answer_status(value: str) -> str | None:
    status = _safeguard_status(value)
    return {
        "established": "performed", "in-progress": "in-progress", "waived": "waived", "not-established": "not-performed",
    }.get(status or "")  # fmt: skip


@lru_cache(maxsize=4096)
def _safeguard_status(value: str) -> str | None:
    """The status an answer states: the data dictionary's values and their shorthand codes, read by their words."""
    folded = " ".join(value.casefold().replace("\u2013", "-").split())
    if "waived" in folded:
        return "waived"
    if "in-progress" in folded or "in progress" in folded or "in-progess" in folded:
        return "in-progress"
    if "not applicable" in folded:
        return "not-applicable"
    if "precluded" in folded:
        return "precluded"
    if folded in ("no", "b) no"):
        return "not-established"
    if folded.startswith(("yes", "a) yes")) or "established" in folded or folded.endswith("review"):
        return "established"
    return None


@lru_cache(maxsize=4096)
def _consultation_status(value: str) -> str | None:
    try:
        items = ast.literal_eval(value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        items = [value]
    if not isinstance(items, list):
        items = [value]
    folded = {" ".join(str(item).casefold().split()) for item in items}
    if any("waived" in item for item in folded):
        return "waived"
    if folded & CONSULTATION_STEPS or any(re.sub(r"^[a-f]\) ", "", item) in _CONSULTATION_LONG for item in folded):
        return "established"
    if any("in-progress" in item or "in progress" in item for item in folded):
        return "in-progress"
    return None


_CONSULTATION_LONG = {
    "direct usability testing", "general solicitations of feedback and comments from the public",
    "public hearings or meetings", "other",
}  # fmt: skip
