"""The whole record of an algorithm as its page shows it: every field of the publication standard the record
has, grouped as the standard groups them (`record_fields`), read with one query (`sparql/algorithm-record.rq`).

An algorithm loaded from the register's Dutch and English exports has a current registration per language; a
field is taken from the registration in the page's language when that one has it, else from Dutch, else from
any, so the Dutch page shows the English proportionality text (marked as English) rather than nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from sparql_api.queries import QueryService
from sparql_api.rest import record_fields as rf
from sparql_api.rest.catalogue import pick_label
from sparql_api.rest.models import QueryShown
from sparql_api.web.data import Term, run

REGISTER_PAGE = f"{rf.AKG}registerPage"
UNMAPPED = f"{rf.AKG}hasUnmappedValue"
ORGANISATION_NAME = f"{rf.AKG}organisationName"
EXPLANATION = f"{rf.AKG}assessmentExplanation"


@dataclass
class FieldValue:
    text: str
    language: str | None = None  # the text's language tag (the page marks text in another language)
    iri: str | None = None  # a concept, organisation or data source the value names
    href: str | None = None  # a web address the record gives
    as_published: bool = False  # kept as published: the loader could not map it (a link that is no web address)


@dataclass
class ShownField:
    key: str
    label: str
    kind: str
    values: list[FieldValue] = field(default_factory=list)


@dataclass
class RecordGroup:
    key: str
    label: str
    fields: list[ShownField] = field(default_factory=list)

    def get(self, key: str) -> ShownField | None:
        return next((item for item in self.fields if item.key == key), None)


@dataclass
class RecordView:
    groups: list[RecordGroup] = field(default_factory=list)
    register_page: str | None = None  # the register's own page of the algorithm, when the source gives it
    completeness: float = 0.0  # share of the standard's required fields the record has
    missing: list[str] = field(default_factory=list)  # the labels of the required fields it lacks
    required: int = 0  # how many fields the standard requires
    assessment_explanation: FieldValue | None = None  # the standard's explanation of the impact assessments
    sparql: QueryShown | None = None

    def field(self, key: str) -> ShownField | None:
        return next((item for group in self.groups if (item := group.get(key))), None)


def _preferred(languages: set[str], lang: str) -> list[str]:
    """The records' languages in the order a field is looked for: the page's, Dutch, then the rest."""
    return [wanted for wanted in dict.fromkeys((lang, "nl", *sorted(languages))) if wanted in languages]


def _texts(terms: list[Term], lang: str) -> list[FieldValue]:
    """The literals in one language: the page's, else untagged, else Dutch, else the first there is."""
    literals = [term for term in terms if isinstance(term, Literal)]
    if not literals:
        return []
    tags = {term.language for term in literals}
    chosen = next((tag for tag in (lang, None, "nl") if tag in tags), min(tags, key=lambda tag: tag or ""))
    return [FieldValue(term.value.strip(), term.language) for term in literals if term.language == chosen]


def _values(spec: rf.RecordField, rows: list[dict], lang: str) -> list[FieldValue]:
    """A field's values in one record: text in one language, a named thing with its label, a link as given."""
    terms = list(dict.fromkeys(row["value"] for row in rows))
    if spec.kind == "text":
        return _texts(terms, lang)
    found = []
    for term in terms:
        if isinstance(term, Literal):
            found.append(FieldValue(term.value.strip()))
        elif spec.kind == "link":
            found.append(FieldValue(term.value, href=term.value))
        else:
            labels = [row["label"] for row in rows if row["value"] == term and "label" in row]
            link = next((row["link"].value for row in rows if row["value"] == term and "link" in row), None)
            found.append(FieldValue(pick_label(labels, lang) or term.value, iri=term.value, href=link))
    return found


def _organisation_name(shown: ShownField, by_key: dict[tuple[str, str], list[dict]], lang: str) -> None:
    """An organisation node without a name in the page's language is named as the record in that language
    publishes it (the English export's "Dutch Tax and Customs Administration" for TOOI's "Belastingdienst")."""
    names = [row["value"].value for row in by_key.get((ORGANISATION_NAME, lang), [])]
    if len(shown.values) != 1 or len(names) != 1 or not shown.values[0].iri:
        return
    labels = [row["label"] for row in by_key.get((f"{rf.AKG}organisation", lang), []) if "label" in row]
    if not any(isinstance(label, Literal) and label.language == lang for label in labels):
        shown.values[0].text = names[0]


def record_view(queries: QueryService, iri: str, lang: str) -> RecordView:
    rows, shown = run(queries, "algorithm-record", {"algorithm": NamedNode(iri)})
    view = RecordView(sparql=shown)
    # (property, record language) -> rows; the algorithm's own statements count as a record without a language.
    by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        by_key[(row["property"].value, row["recordLanguage"].value if "recordLanguage" in row else "")].append(row)
    unmapped: dict[tuple[str, str], list[str]] = defaultdict(list)  # (CSV column, record language) -> values
    for (prop, language), found in by_key.items():
        for row in found if prop == UNMAPPED else []:
            if "column" in row and "published" in row:
                unmapped[(row["column"].value, language)].append(row["published"].value)
    languages = {language for _, language in by_key}
    order = _preferred(languages, lang)
    present = {prop for prop, _ in by_key}
    pages = [by_key[(REGISTER_PAGE, language)] for language in order if (REGISTER_PAGE, language) in by_key]
    view.register_page = pages[0][0]["value"].value if pages else None
    groups = {key: RecordGroup(key, rf.GROUP_LABELS[key][lang]) for key in rf.GROUPS}
    for spec in rf.FIELDS:
        shown_field = ShownField(spec.key, spec.label(lang), spec.kind)
        if spec.kind != "section":
            found = next(
                (
                    by_key[(prop, language)]
                    for prop in spec.properties
                    for language in order
                    if (prop, language) in by_key
                ),
                [],
            )
            shown_field.values = _values(spec, found, lang) if found else []
            if not found and spec.column:
                kept = next(
                    (unmapped[(spec.column, language)] for language in order if (spec.column, language) in unmapped), []
                )
                shown_field.values = [FieldValue(text, as_published=True) for text in kept]
        elif present.intersection(spec.properties):
            shown_field.values = [FieldValue("")]  # the page shows the section (legal bases, assessments)
        if spec.key == "organization":
            _organisation_name(shown_field, by_key, lang)
        if shown_field.values:
            groups[spec.group].fields.append(shown_field)
    explained = next((by_key[(EXPLANATION, language)] for language in order if (EXPLANATION, language) in by_key), [])
    view.assessment_explanation = next(iter(_texts([row["value"] for row in explained], lang)), None)
    view.groups = list(groups.values())  # every group, so the page can say a group is empty
    view.completeness = rf.completeness(present)
    view.missing = [spec.label(lang) for spec in rf.missing_required(present)]
    view.required = len(rf.REQUIRED)
    return view
