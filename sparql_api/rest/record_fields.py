"""The fields of the Algoritmeregister publication standard 1.0 as the pages show them: standard field → the
properties the loader maps it to (`loader.mapping.records`) → its label in Dutch and English → its group.

The names, groups and the required list are those of the standard's schema
(../shared/reference/register-standard/publicatiestandaard-v1.0.0.schema.json: `properties.*.name`,
`properties.*.category`, `required`); the CSV columns are those of its register configuration
(register-config-v1_0.json). A record is complete when it has every required field; completeness is the
share of the required fields it has (`completeness`), and the missing ones are named.
"""

from collections.abc import Iterable
from dataclasses import dataclass

AKG = "https://w3id.org/algokg/def#"
DCT = "http://purl.org/dc/terms/"

# The standard's groups (schema `category`), in its order.
GROUPS = ("general", "responsible", "operation", "metadata")
GROUP_LABELS = {
    "general": {"nl": "Algemene informatie", "en": "General information"},
    "responsible": {"nl": "Verantwoord gebruik", "en": "Responsible use"},
    "operation": {"nl": "Werking", "en": "Operation"},
    "metadata": {"nl": "Metadata", "en": "Metadata"},
}


@dataclass(frozen=True)
class RecordField:
    """One field of the standard.

    :param key: the field's name in the standard's schema (``purpose_and_impact``).
    :param column: the register's CSV column (``goal``), None where the field has none of its own.
    :param properties: where the loader puts it; the first one the record has is shown (an organisation
        reconciled to a node, else its name as published).
    :param kind: how the page shows it: ``text`` (language-tagged), ``plain``, ``link``, ``concept``,
        ``date``, ``sources`` (titled links), or ``section`` (a section of its own: legal bases, assessments).
    """

    key: str
    column: str | None
    properties: tuple[str, ...]
    nl: str
    en: str
    group: str
    kind: str = "text"
    required: bool = False
    on_algorithm: bool = False  # stated on the algorithm, not on a registration (its register id)

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


def _akg(*names: str) -> tuple[str, ...]:
    return tuple(f"{AKG}{name}" for name in names)


FIELDS: tuple[RecordField, ...] = (
    # Algemene informatie
    RecordField("name", "name", (f"{DCT}title",), "Naam", "Name", "general", required=True),
    RecordField("description_short", "description_short", _akg("shortDescription"), "Korte omschrijving",
                "Short description", "general", required=True),
    RecordField("organization", "organization", _akg("organisation", "organisationName"), "Organisatie",
                "Organisation", "general", "concept", required=True),
    RecordField("theme", "category", _akg("theme"), "Thema", "Theme", "general", "concept", required=True),
    RecordField("status", "status", _akg("status"), "Status", "Status", "general", "concept", required=True),
    RecordField("start_date", "begin_date", _akg("beginDate", "beginDateAsPublished"), "Begindatum",
                "Start date", "general", "date", required=True),
    RecordField("end_date", "end_date", _akg("endDate", "endDateAsPublished"), "Einddatum", "End date",
                "general", "date"),
    RecordField("contact", "contact_email", _akg("contact"), "Contactgegevens", "Contact details", "general",
                "plain", required=True),
    RecordField("link", "website", _akg("publicPage"), "Link naar publiekspagina", "Link to public page",
                "general", "link"),
    RecordField("publication_category", "publication_category", _akg("publicationCategory"),
                "Publicatiecategorie", "Publication category", "general", "concept", required=True),
    RecordField("source_link", "url", _akg("sourceRegistrationUrl"), "Link naar bronregistratie",
                "Link to source registration", "general", "link"),
    # Verantwoord gebruik
    RecordField("purpose_and_impact", "goal", _akg("goal"), "Doel en impact", "Purpose and impact",
                "responsible", required=True),
    RecordField("considerations", "proportionality", _akg("proportionality"), "Afwegingen", "Considerations",
                "responsible", required=True),
    RecordField("human_intervention", "human_intervention", _akg("humanIntervention"), "Menselijke tussenkomst",
                "Human intervention", "responsible", required=True),
    RecordField("risk_management", "risks", _akg("riskManagement"), "Risicobeheer", "Risk management",
                "responsible", required=True),
    RecordField("legal_basis", "lawful_basis", _akg("hasStatutoryBasis", "lawfulBasisText"), "Wettelijke basis",
                "Legal basis", "responsible", "section"),
    RecordField("processing_register_link", "process_index_url", _akg("processingRegisterUrl"),
                "Link naar verwerkingsregister", "Link to processing register", "responsible", "link"),
    RecordField("impact_assessments", "impacttoetsen_grouping", _akg("hasAssessment", "listedImpactAssessment"),
                "Impacttoetsen", "Impact assessments", "responsible", "section", required=True),
    RecordField("impact_assessment_explanation", "impacttoetsen", _akg("assessmentExplanation"),
                "Toelichting op impacttoetsen", "Explanation of the impact assessments", "responsible", "section"),
    # Werking
    RecordField("data", "source_data", _akg("sourceDataDescription"), "Gegevens", "Data", "operation",
                required=True),
    RecordField("data_source_link", "source_data_grouping", _akg("usesDataSource"), "Verwijzingen gegevensbronnen",
                "Data sources", "operation", "sources"),
    RecordField("technical_operation", "methods_and_models", _akg("technicalOperation"), "Technische werking",
                "Technical operation", "operation", required=True),
    RecordField("supplier", "provider", _akg("supplierName"), "Leverancier", "Supplier", "operation", "plain",
                required=True),
    RecordField("source_code_link", "publiccode", _akg("sourceCode"), "Link naar broncode", "Link to source code",
                "operation", "link"),
    # Metadata
    RecordField("language", "lang", (f"{DCT}language", f"{AKG}copyLanguage"), "Taal", "Language", "metadata",
                "plain", required=True),
    RecordField("schema", "standard_version", _akg("standardVersion"), "Versie publicatiestandaard",
                "Publication standard version", "metadata", "plain", required=True),
    RecordField("source_id", "source_id", _akg("sourceId"), "Bron-ID", "Source ID", "metadata", "plain"),
    RecordField("search_terms", "tags", _akg("searchTerm"), "Zoektermen", "Search terms", "metadata"),
    RecordField("lars", "algorithm_id", _akg("algorithmId"), "Algoritme-ID", "Algorithm ID", "metadata", "plain",
                on_algorithm=True),
)  # fmt: skip

BY_KEY = {field.key: field for field in FIELDS}
REQUIRED = tuple(field for field in FIELDS if field.required)
# Every property a field is read from (the record query's VALUES list holds the same).
PROPERTIES = tuple(dict.fromkeys(prop for field in FIELDS for prop in field.properties))
REQUIRED_PROPERTIES = tuple(dict.fromkeys(prop for field in REQUIRED for prop in field.properties))


def field_of(prop: str) -> RecordField | None:
    """The field a property belongs to (its first, for a property two fields would share)."""
    return next((field for field in FIELDS if prop in field.properties), None)


def missing_required(properties: Iterable[str]) -> list[RecordField]:
    """The required fields of which the record has none of the properties."""
    present = set(properties)
    return [field for field in REQUIRED if not present.intersection(field.properties)]


def completeness(properties: Iterable[str]) -> float:
    """The share of the standard's required fields the record has (1.0: complete)."""
    return round(1 - len(missing_required(properties)) / len(REQUIRED), 4)


def label_of(key: str, lang: str) -> str:
    """A field's label by its key in the standard (or a property IRI's local name), else the key itself."""
    field = BY_KEY.get(key) or next(
        (f for f in FIELDS if any(p.endswith(("#" + key, "/" + key)) for p in f.properties)), None
    )
    return field.label(lang) if field else key
