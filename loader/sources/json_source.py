"""The register's JSON flavours, read into the same typed records as the CSV export.

- ``site-data``: the site's data dump, ``{"algoritme_versions": [...], "organisation_details": [...]}``;
  each version is a database row holding every version's columns (others null), plus ``lars``,
  ``language`` (NLD/ENG), ``state``, ``owner``, ``published``, ``create_dt``.
- ``standard-json``: records per the publication standard 1.0 JSON Schema, whose names differ
  (``theme``, ``start_date``, ``contact``, ``purpose_and_impact`` …; see :data:`STANDARD_JSON_NAMES`).
- ``scrape``: the search listing, ``{"algoritmes": [...], "count", "fetched_at", "source_url"}``.
- ``testdata-v0.1``: the 2022 test data, ``{"source", "schema", "count", "records": [...]}``.

Which flavour a ``.json`` file is comes from its top-level keys (:func:`loader.sources.formats.json_flavour`).
JSON carries no line per record: :class:`SourceRef` gives the record's position and JSON pointer.
"""

from collections.abc import Iterator, Mapping
from pathlib import Path

from pydantic import ValidationError

from loader.errors import SourceError
from loader.sources.build import build_record, choose_model, is_empty
from loader.sources.formats import InputFormat, json_flavour
from loader.sources.json_text import parse_json
from loader.sources.records import ListingRecord, OrganisationDetail, Record, RecordV0_1, RecordV1_0, SourceRef

# Publication standard 1.0 JSON Schema name -> register field name.
STANDARD_JSON_NAMES = {
    "theme": "category",
    "start_date": "begin_date",
    "contact": "contact_email",
    "link": "website",
    "source_link": "url",
    "purpose_and_impact": "goal",
    "considerations": "proportionality",
    "risk_management": "risks",
    "legal_basis": "lawful_basis",
    "processing_register_link": "process_index_url",
    "impact_assessment_explanation": "impacttoetsen",
    "data": "source_data",
    "technical_operation": "methods_and_models",
    "supplier": "provider",
    "source_code_link": "publiccode",
    "language": "lang",
    "schema": "standard_version",
    "search_terms": "tags",
}
# Title/link pairs that the JSON Schema gives once and the register keeps as grouped lists.
STANDARD_JSON_GROUPS = {
    "lawful_basis_grouping": ("legal_basis_title", "legal_basis_link"),
    "impacttoetsen_grouping": ("impact_assessments", "impact_assessment_link"),
    "source_data_grouping": ("data_source_title", "data_source_link"),
}
# Site-dump columns that are about the database row, not the standard.
SITE_META = ("state", "owner", "published", "create_dt")
SCRAPE_NAMES = {
    "id": "algorithm_id",
    "title": "name",
    "organisatie": "organization",
    "doel": "goal",
    "juridische_basis": "lawful_basis",
    "impactassessment": "impact_assessment",
    "status": "status",
    "url": "page_url",
    "geregistreerd": "registered",
    "toegevoegd": "added",
}


def read(
    path: Path | None = None,
    *,
    data: bytes | None = None,
    name: str = "<data>",
    flavour: InputFormat = InputFormat.JSON,
) -> Iterator[Record]:
    """Records of a register JSON file, in document order.

    :param flavour: ``InputFormat.JSON`` to tell the flavour by the top-level keys, or one flavour to insist on
    :raises SourceError: not UTF-8, invalid JSON (with line and column), an unknown shape, a record that is
        not an object, an unknown standard version, a value of the wrong type
    """
    label, document = _load(path, data=data, name=name)
    found = json_flavour(document, path=label, expected=flavour)
    if found is InputFormat.SITE_DATA:
        return _site_data(document, label=label)
    if found is InputFormat.SCRAPE:
        return _scrape(document, label=label)
    if found is InputFormat.TESTDATA_V0_1:
        return _testdata(document, label=label)
    return _standard_json(document, label=label)


def read_organisations(
    path: Path | None = None, *, data: bytes | None = None, name: str = "<data>"
) -> list[OrganisationDetail]:
    """The ``organisation_details`` of a site-data dump (name, language, code such as ``gemeente-amsterdam``, type)."""
    label, document = _load(path, data=data, name=name)
    json_flavour(document, path=label, expected=InputFormat.SITE_DATA)
    assert isinstance(document, dict)
    return [
        _organisation(pointer, item, label=label)
        for pointer, item in _objects(
            document.get("organisation_details") or [], label=label, pointer="/organisation_details"
        )
    ]


def _load(path: Path | None, *, data: bytes | None, name: str) -> tuple[str, object]:
    if (path is None) == (data is None):
        raise TypeError("give exactly one of path= or data=")
    label = str(path) if path is not None else name
    raw = path.read_bytes() if path is not None else (data or b"")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(f"not UTF-8: byte at byte offset {exc.start}", path=label, line=line) from None
    return label, parse_json(text, label=label)


def _organisation(pointer: str, item: Mapping[str, object], *, label: str) -> OrganisationDetail:
    try:
        return OrganisationDetail.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise SourceError(f"{pointer}: {first['msg']}", path=label, field=field) from None


def _objects(items: object, *, label: str, pointer: str) -> Iterator[tuple[str, Mapping[str, object]]]:
    if not isinstance(items, list):
        raise SourceError(f"{pointer} should be an array, found {type(items).__name__}", path=label)
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise SourceError(f"{pointer}/{position} should be an object, found {type(item).__name__}", path=label)
        yield f"{pointer}/{position}", item


def _counted_objects(document: Mapping[str, object], key: str, *, label: str) -> list[tuple[str, Mapping[str, object]]]:
    """The objects under ``key``, checked against the document's own ``count`` (a short list means truncation)."""
    records = list(_objects(document[key], label=label, pointer=f"/{key}"))
    count = document.get("count")
    if isinstance(count, int) and count != len(records):
        raise SourceError(
            f"the file says count {count} but holds {len(records)} records under /{key} (truncated?)",
            path=label,
            field="count",
        )
    return records


def _site_data(document: Mapping[str, object], *, label: str) -> Iterator[Record]:
    organisations = {
        (detail.name, detail.language): detail
        for pointer, item in _objects(
            document.get("organisation_details") or [], label=label, pointer="/organisation_details"
        )
        if (detail := _organisation(pointer, item, label=label))
    }
    for index, (pointer, item) in enumerate(
        _objects(document["algoritme_versions"], label=label, pointer="/algoritme_versions"), 1
    ):
        source = SourceRef(file=label, index=index, pointer=pointer)
        language = str(item["language"]) if not is_empty(item.get("language")) else None
        meta = {
            key: str(item[key]).lower() if isinstance(item[key], bool) else str(item[key])
            for key in SITE_META
            if not is_empty(item.get(key))
        }
        if detail := organisations.get((str(item.get("organization")), language)):
            meta |= {"organisation_code": detail.code or "", "organisation_type": detail.type or ""}
        values = {key: value for key, value in item.items() if key not in SITE_META and key != "language"}
        yield build_record(
            choose_model(item.get("standard_version"), source=source),
            values,
            source=source,
            language=language,
            meta=meta,
        )


def _standard_json(document: object, *, label: str) -> Iterator[Record]:
    # An array of records has pointers /0, /1 …; a single record is the document itself ("").
    pairs = _objects(document, label=label, pointer="") if isinstance(document, list) else [("", document)]
    for index, (pointer, item) in enumerate(pairs, 1):
        assert isinstance(item, Mapping)
        source = SourceRef(file=label, index=index, pointer=pointer)
        values: dict[str, object] = dict(item)
        for group, (title_key, link_key) in STANDARD_JSON_GROUPS.items():
            title, link = values.pop(title_key, None), values.pop(link_key, None)
            if not (is_empty(title) and is_empty(link)):
                values[group] = [{"title": title, "link": link}]
        if choose_model(values.get("schema"), source=source) is not RecordV1_0:
            raise SourceError(
                f"record {index}: the JSON Schema flavour is standard 1.0, found {values.get('schema')!r}",
                path=label,
                field="schema",
            )
        yield build_record(RecordV1_0, values, source=source, renames=STANDARD_JSON_NAMES)


def _scrape(document: Mapping[str, object], *, label: str) -> Iterator[Record]:
    records = _counted_objects(document, "algoritmes", label=label)
    meta = {key: str(document[key]) for key in ("fetched_at", "source_url") if not is_empty(document.get(key))}
    for index, (pointer, item) in enumerate(records, 1):
        source = SourceRef(file=label, index=index, pointer=pointer)
        yield build_record(ListingRecord, item, source=source, language="NLD", meta=meta, renames=SCRAPE_NAMES)


def _testdata(document: Mapping[str, object], *, label: str) -> Iterator[Record]:
    records = _counted_objects(document, "records", label=label)
    for index, (pointer, item) in enumerate(records, 1):
        source = SourceRef(file=label, index=index, pointer=pointer)
        values = {key: value for key, value in item.items() if key not in ("id", "schema")}
        meta = {"id": str(item["id"])} if not is_empty(item.get("id")) else {}
        published = item.get("schema")
        values["standard_version"] = published if not is_empty(published) else RecordV0_1.version
        yield build_record(RecordV0_1, values, source=source, meta=meta)
