"""Typed results of the REST service layer (`sparql_api.rest.catalogue`), shared by the JSON API and the pages.

Every model serialises to the JSON-LD of the API by alias (`@id`, `@type`; the terms are defined by the
published context, `sparql_api/rest/context.jsonld`); Python code reads the attribute names.
"""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class Ref(Model):
    """Something linked, with a label in the requested language (None when the graph has none).

    `id` is an IRI: an organisation that could not be reconciled to TOOI has an algokg IRI of its own
    (data loaded before organisations were nodes may still give the name as published).
    """

    id: str = Field(alias="@id", examples=["https://w3id.org/algokg/id/register-theme/sociale-zekerheid"])
    label: str | None = Field(default=None, examples=["Sociale zekerheid"])


class QueryShown(Model):
    """A query behind a response: the `queries/rest` file it was built from, its text and bound terms."""

    query: str
    text: str
    bindings: dict[str, str]


class AlgorithmSummary(Model):
    """One algorithm as the register says now (its current registration's facts)."""

    id: str = Field(alias="@id", examples=["https://w3id.org/algokg/id/algorithm/00000001"])
    type: str = Field(default="Algorithm", alias="@type")
    identifier: str | None = Field(default=None, examples=["00000001"])
    title: str | None = None
    description: str | None = None
    organisation: Ref | None = None
    organisation_types: list[Ref] = Field(default_factory=list, alias="organisationType")
    themes: list[Ref] = Field(default_factory=list, alias="theme")
    status: Ref | None = None
    publication_category: Ref | None = Field(default=None, alias="publicationCategory")
    risk_level: Ref | None = Field(default=None, alias="riskLevel")
    laws: list[Ref] = Field(default_factory=list, alias="law")
    instruments: list[Ref] = Field(default_factory=list, alias="instrument")
    begin_date: str | None = Field(default=None, alias="beginDate")
    end_date: str | None = Field(default=None, alias="endDate")


class AlgorithmRow(AlgorithmSummary):
    """One algorithm as a row of a selection's CSV download: the summary, the articles it cites, and the status
    each assessment instrument has in the record (`performed`, `planned`, `not-performed`, `not-needed`,
    `unknown`; empty: the record lists no such assessment; several: " | ")."""

    articles: list[Ref] = Field(default_factory=list, alias="article")
    dpia: str | None = None
    iama: str | None = None
    fria: str | None = None
    assessment_statuses: list[str] = Field(default_factory=list, alias="assessmentStatus")


class FacetValue(Model):
    """One value of a facet and how many algorithms (of those the filters select) have it."""

    value: str = Field(examples=["https://w3id.org/algokg/id/register-status/in-gebruik"])
    label: str | None = None
    count: int


class Facet(Model):
    """A facet: counts per value, biggest first; `missing` counts the selected algorithms with no value.

    For single-valued fields (status, publication category) the counts plus `missing` sum to the total.
    """

    name: str = Field(examples=["status"])
    values: list[FacetValue]
    missing: int = 0


class Page(Model, Generic[T]):
    """One page of a collection: `items` in order, the exact `total`, and where the page is."""

    items: list[T]
    total: int
    page: int = Field(ge=1)
    size: int = Field(ge=1)
    sort: str | None = None
    facets: list[Facet] = Field(default_factory=list)
    sparql: list[QueryShown] = Field(default_factory=list)

    @property
    def pages(self) -> int:
        """Number of pages (at least 1, so an empty collection has one empty page)."""
        return max(1, -(-self.total // self.size))


class OrganisationSummary(Model):
    id: str = Field(alias="@id")
    type: str = Field(default="Organisation", alias="@type")
    label: str | None = None
    organisation_type: Ref | None = Field(default=None, alias="organisationType")
    reconciled: bool = Field(
        description="whether the organisation is a TOOI IRI (false: an algokg organisation node, or only a name)"
    )
    algorithms: int


class LawSummary(Model):
    id: str = Field(alias="@id")
    type: str = Field(default="Law", alias="@type")
    label: str | None = None
    bwb_id: str | None = Field(default=None, alias="bwbId")
    celex: str | None = None
    algorithms: int


class ArticleSummary(Model):
    id: str = Field(alias="@id")
    type: str = Field(default="Article", alias="@type")
    label: str | None = None
    number: str | None = None
    law: Ref
    algorithms: int


class AssessmentSummary(Model):
    id: str = Field(alias="@id")
    type: str = Field(default="Assessment", alias="@type")
    algorithm: Ref
    algorithm_id: str | None = Field(default=None, alias="algorithmId")
    instrument: Ref | None = None
    performed: bool | None = None
    date: str | None = None
    published: bool | None = None


class CategorySummary(Model):
    """A concept (AI Act category or public value) with the number of algorithms under it."""

    id: str = Field(alias="@id")
    type: str = Field(default="Concept", alias="@type")
    label: str | None = None
    scheme: str | None = Field(default=None, description="the concept scheme, or 'charter' / 'codio' for values")
    broader: list[str] = Field(default_factory=list)
    notation: str | None = None
    algorithms: int


class ReliantAlgorithm(Model):
    """An algorithm relying on a law or article, with what it cited."""

    id: str = Field(alias="@id")
    type: str = Field(default="Algorithm", alias="@type")
    identifier: str | None = None
    title: str | None = None
    organisation: Ref | None = None
    risk_level: Ref | None = Field(default=None, alias="riskLevel")
    cited: list[Ref] = Field(default_factory=list, description="the resources cited: the law/article or parts of it")
    citations: list[str] = Field(default_factory=list, description="the citation titles as published")


class RiskGroup(Model):
    risk_level: Ref | None = Field(alias="riskLevel", description="None: not classified under the AI Act")
    algorithms: list[ReliantAlgorithm]


class OrganisationGroup(Model):
    organisation: Ref | None
    risk_groups: list[RiskGroup] = Field(alias="riskGroups")
    count: int


class LegalResourceView(Model):
    """Supervisor view of a law or article: every algorithm relying on it, grouped by organisation, then risk."""

    id: str = Field(alias="@id")
    type: str = Field(alias="@type", examples=["Law", "Article"])
    label: str | None = None
    number: str | None = None
    part_of: Ref | None = Field(default=None, alias="partOf")
    bwb_id: str | None = Field(default=None, alias="bwbId")
    celex: str | None = None
    juriconnect: str | None = None
    see_also: list[str] = Field(default_factory=list, alias="seeAlso")
    by_name: bool = Field(
        default=False,
        alias="byName",
        description="a law known by name only (akg:LawByName): no citable source gives its BWB id or CELEX number",
    )
    total: int = Field(description="number of distinct algorithms relying on it")
    algorithms: list[ReliantAlgorithm]
    groups: list[OrganisationGroup]
    articles: list[ArticleSummary] = Field(default_factory=list, description="cited articles of a law")
    sparql: list[QueryShown] = Field(default_factory=list)


class Completeness(Model):
    """How complete one algorithm's record is: the publication standard's required fields filled, and its SHACL
    results."""

    id: str = Field(alias="@id")
    type: str = Field(default="Algorithm", alias="@type")
    identifier: str | None = None
    title: str | None = None
    filled: int
    fields: int
    share: float = Field(description="filled / fields, 0..1")
    missing: list[str] = Field(
        description="required fields of the publication standard without a value (the standard's field names)"
    )
    violations: int
    warnings: int
    conforms: bool = Field(description="no SHACL violation")


class OrganisationView(Model):
    """Supervisor view of an organisation: its algorithms and how complete their records are."""

    id: str = Field(alias="@id")
    type: str = Field(default="Organisation", alias="@type")
    label: str | None = None
    organisation_type: Ref | None = Field(default=None, alias="organisationType")
    reconciled: bool
    total: int
    average_share: float = Field(alias="averageShare")
    algorithms: list[Completeness]
    sparql: list[QueryShown] = Field(default_factory=list)


class SearchHit(Model):
    """A full-text hit: the entity, its kind, its label, a ranked score (higher is better) and a snippet."""

    id: str = Field(alias="@id")
    kind: str = Field(examples=["algorithm", "organisation", "law"])
    label: str | None = None
    score: float
    snippet: str | None = None
