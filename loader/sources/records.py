"""Typed register records, one model per version of the publication standard whose fields differ.

Fields follow the register's own configs (``register-config-v{1_0,0_4,0_3_1,0_2_3,0_1}.json``);
``lars`` is ``algorithm_id`` and ``publication_dt`` is ``publication_date``. Values are kept as
published (strings; an empty value is ``None``, since the CSV export cannot tell empty from
absent). Normalised forms sit beside them: dates are :class:`NormalisedDate` (original inside),
grouped fields are :class:`TitledLink` lists (each item's text inside), themes are the list of
labels as published. Themes, status and categories are not mapped to concepts here.
"""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from loader.sources.dates import NormalisedDate
from loader.sources.grouped import TitledLink


class SourceRef(BaseModel):
    """Where a record came from: the file, the line it starts on (CSV), its position and, for JSON, its pointer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    index: int = Field(description="1-based position of the record among the file's records")
    line: int | None = Field(default=None, description="1-based line the record starts on (CSV only)")
    pointer: str | None = Field(default=None, description="JSON pointer to the record (JSON only)")


class Record(BaseModel):
    """What every register record has: identity, version, origin, and what did not fit the model."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: ClassVar[str | None] = None

    algorithm_id: str | None = None
    standard_version: str | None = Field(default=None, description="as published (the model says which standard)")
    source: SourceRef
    language: str | None = Field(default=None, description="language of the export or site copy (NLD, ENG)")
    unknown_fields: dict[str, str] = Field(
        default_factory=dict, description="non-empty values under names this version does not define"
    )
    meta: dict[str, str] = Field(
        default_factory=dict, description="what the container adds besides the standard (site dump: state, owner, …)"
    )


class PublishedRecord(Record):
    """Fields every standard version has."""

    name: str | None = None
    organization: str | None = None
    description_short: str | None = None
    status: str | None = None
    website: str | None = None
    url: str | None = None
    contact_email: str | None = None
    goal: str | None = None
    proportionality: str | None = None
    human_intervention: str | None = None
    risks: str | None = None
    lawful_basis: str | None = None
    source_data: str | None = None
    methods_and_models: str | None = None
    publiccode: str | None = None
    lang: str | None = None
    publication_date: NormalisedDate | None = None


class RecordV1_0(PublishedRecord):
    """Standard 1.0 (2023-): themes, publication category, grouped legal bases, assessments and sources."""

    version: ClassVar[str | None] = "1.0"

    category: list[str] = Field(default_factory=list, description="themes as published")
    begin_date: NormalisedDate | None = None
    end_date: NormalisedDate | None = None
    publication_category: str | None = None
    lawful_basis_grouping: list[TitledLink] = Field(default_factory=list)
    process_index_url: str | None = None
    impacttoetsen_grouping: list[TitledLink] = Field(default_factory=list)
    impacttoetsen: str | None = None
    source_data_grouping: list[TitledLink] = Field(default_factory=list)
    provider: str | None = None
    source_id: str | None = None
    tags: str | None = None


class RecordV0_4(PublishedRecord):
    """Standard 0.4: themes as a list, single links for legal basis and sources, assessments as names."""

    version: ClassVar[str | None] = "0.4"

    type: str | None = None
    category: list[str] = Field(default_factory=list)
    begin_date: NormalisedDate | None = None
    end_date: NormalisedDate | None = None
    provider: str | None = None
    lawful_basis_link: str | None = None
    impacttoetsen: list[str] = Field(default_factory=list, description="names of the assessments done")
    iama_description: str | None = None
    uuid: str | None = None
    source_id: str | None = None
    tags: str | None = None
    source_data_link: str | None = None


class _OlderRecord(PublishedRecord):
    """Fields 0.3.1, 0.2.3 and 0.1 share: free-text policy area, yes/no assessments."""

    department: str | None = None
    type: str | None = None
    category: str | None = Field(default=None, description="policy area as free text")
    impact: str | None = None
    application_url: str | None = None
    iama: str | None = None
    iama_description: str | None = None
    dpia: str | None = None
    objection_procedure: str | None = None
    area: str | None = None
    uuid: str | None = None
    revision_date: NormalisedDate | None = None
    description: str | None = None
    monitoring: str | None = None
    performance_standard: str | None = None


class RecordV0_3_1(_OlderRecord):
    """Standard 0.3.1."""

    version: ClassVar[str | None] = "0.3.1"

    provider: str | None = None
    process_index_url: str | None = None
    source_id: str | None = None
    tags: str | None = None


class RecordV0_2_3(_OlderRecord):
    """Standard 0.2.3: adds process, documentation, base registries (mprd), competent authority, DPIA text."""

    version: ClassVar[str | None] = "0.2.3"

    decision_making_process: str | None = None
    documentation: str | None = None
    mprd: str | None = None
    competent_authority: str | None = None
    dpia_description: str | None = None


class RecordV0_1(RecordV0_2_3):
    """Standard 0.1 (2022): the same fields as 0.2.3, looser limits."""

    version: ClassVar[str | None] = "0.1"


class ListingRecord(Record):
    """One entry of the register's search listing (no standard version; a summary, Dutch site)."""

    name: str | None = None
    organization: str | None = None
    goal: str | None = None
    lawful_basis: str | None = None
    impact_assessment: str | None = Field(default=None, description="Ja / Nee / Onbekend as listed")
    status: str | None = Field(default=None, description="as listed, e.g. in_gebruik")
    page_url: str | None = None
    registered: NormalisedDate | None = None
    added: NormalisedDate | None = None


class OrganisationDetail(BaseModel):
    """An organisation entry of the site-data dump (one per organisation and language)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    language: str | None = None
    code: str | None = None
    type: str | None = None
    contact_info: str | None = None
    about: str | None = None
    show_page: bool | None = None


MODELS: dict[str, type[PublishedRecord]] = {
    model.version: model
    for model in (RecordV1_0, RecordV0_4, RecordV0_3_1, RecordV0_2_3, RecordV0_1)
    if model.version is not None
}

ALL_FIELDS: frozenset[str] = frozenset(name for model in MODELS.values() for name in model.model_fields)


def model_for(version: str) -> type[PublishedRecord] | None:
    """The model of a published standard version (``1.0``, ``1.0.0``, ``v0_4``, ``0.4.0`` …), or ``None``.

    >>> model_for("1.0.0").__name__, model_for("v0_3_1").__name__, model_for("2.0")
    ('RecordV1_0', 'RecordV0_3_1', None)
    """
    key = version.strip().lower().removeprefix("v").replace("_", ".")
    while key not in MODELS and key.endswith(".0") and key.count(".") > 1:
        key = key.removesuffix(".0")
    return MODELS.get(key)
