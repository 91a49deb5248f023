"""The JSON readers: site-data dump, JSON Schema records, search-listing scrape and the v0.1 test data."""

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from loader.errors import SourceError
from loader.sources import InputFormat, json_source, read
from loader.sources.records import ListingRecord, RecordV0_1, RecordV1_0
from tests.conftest import shared_path


def test_scrape_reads_every_listing() -> None:
    records = list(read(shared_path("samples", "register_scrape_NLD_sample.json")))
    assert len(records) == 60 and all(isinstance(record, ListingRecord) for record in records)
    first = records[0]
    assert isinstance(first, ListingRecord)
    assert (first.algorithm_id, first.name, first.organization) == ("11243612", "Map it Out", "Gemeente Amsterdam")
    assert first.page_url == "https://algoritmes.overheid.nl/nl/algoritme/11243612"
    assert first.registered is not None and first.registered.value == date(2026, 4, 28)
    assert first.source.pointer == "/algoritmes/0" and first.meta["fetched_at"] == "2026-08-08T06:20:11Z"
    assert Counter(record.status for record in records) == {"in_gebruik": 54, "ontwikkeling": 3, "buiten_gebruik": 3}


def test_site_data_dump() -> None:
    path = shared_path("samples", "register-minbzk", "etl_data_2024-11.json")
    records = list(json_source.read(path, flavour=InputFormat.SITE_DATA))
    assert len(records) == 4 and all(isinstance(record, RecordV0_1) for record in records)
    assert Counter((record.algorithm_id, record.language) for record in records) == {
        ("16268148", "NLD"): 1,
        ("16268148", "ENG"): 1,
        ("97246956", "NLD"): 1,
        ("97246956", "ENG"): 1,
    }
    first = records[0]
    assert isinstance(first, RecordV0_1)
    assert (first.name, first.organization, first.department) == (
        "Druktebeeld (NL)",
        "Gemeente Amsterdam",
        "CTO Innovatieteam",
    )
    assert first.meta["organisation_code"] == "gemeente-amsterdam" and first.meta["published"] == "true"
    assert all(record.unknown_fields == {} for record in records)
    organisations = json_source.read_organisations(path)
    assert {(item.code, item.language) for item in organisations} == {
        ("gemeente-amsterdam", "NLD"),
        ("gemeente-amsterdam", "ENG"),
        ("gemeente-den-haag", "NLD"),
        ("gemeente-den-haag", "ENG"),
    }


def test_testdata_v0_1() -> None:
    records = list(read(shared_path("samples", "register-minbzk", "init_testdata_2022_v0.1.json")))
    assert len(records) == 90 and all(isinstance(record, RecordV0_1) for record in records)
    first = records[0]
    assert isinstance(first, RecordV0_1)
    assert (first.name, first.organization, first.type, first.meta) == (
        "Parkeercontrole",
        "Gemeente Rotterdam",
        "Zelflerend",
        {"id": "1"},
    )
    serials = [record.revision_date for record in records if isinstance(record, RecordV0_1) and record.revision_date]
    assert len(serials) == 25
    assert all(item.precision == "day" and item.problem and "serial" in item.problem for item in serials)
    assert any(item.original == "44495" and item.value == date(2021, 10, 26) for item in serials)


def test_standard_json_from_the_schema_examples(tmp_path: Path) -> None:
    schema = json.loads(
        shared_path("reference", "register-standard", "publicatiestandaard-v1.0.0.schema.json").read_text()
    )
    example = {key: spec["example"] for key, spec in schema["properties"].items() if "example" in spec}
    example["theme"] = json.loads(example["theme"])
    path = tmp_path / "record.json"
    path.write_text(json.dumps([example, example]), encoding="utf-8")
    records = list(read(path))
    assert len(records) == 2 and records[1].source.pointer == "/1"
    record = records[0]
    assert isinstance(record, RecordV1_0)
    assert record.category == ["Verkeer"] and record.standard_version == "1.0.0"
    assert record.begin_date is not None and record.begin_date.value == date(2023, 1, 1)
    assert record.contact_email == "Algoritmes@gemeentenoorderhaaks.nl"
    assert record.goal is not None and record.goal.startswith("Het doel van dit algoritme")
    assert [(item.title, item.link) for item in record.lawful_basis_grouping] == [
        ("Wegenverkeerswet 1994", "https://wetten.overheid.nl/BWBR0006622")
    ]
    assert record.impacttoetsen_grouping[0].title == "Data Protection Impact Assessment (DPIA)"
    assert record.provider == "Haaks Softwarebedrijf " and record.unknown_fields == {}


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"algoritmes": [\n  {"id": "1",}\n]}', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        list(read(path))
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), 2, None)
    assert "column 14" in caught.value.message


def test_not_utf8_json(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"algoritmes": [\n {"title": "Súdwest"}]}'.encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        list(read(path))
    assert (caught.value.path, caught.value.line) == (str(path), 2)


def test_unknown_flavour_and_wrong_explicit_flavour(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"items": []}', encoding="utf-8")
    with pytest.raises(SourceError, match="items"):
        list(read(path))
    with pytest.raises(SourceError, match="site-data"):
        list(read(shared_path("samples", "register_scrape_NLD_sample.json"), format="site-data"))


def test_wrong_value_type_is_located() -> None:
    data = json.dumps({"algoritmes": [{"id": "1", "title": {"nl": "x"}}], "count": 1}).encode()
    with pytest.raises(SourceError) as caught:
        list(json_source.read(data=data, name="s.json"))
    assert (caught.value.path, caught.value.field) == ("s.json", "title")
    assert "/algoritmes/0" in caught.value.message


@pytest.mark.parametrize("key", ["algoritmes", "records"])
def test_a_truncated_listing_is_refused(key: str) -> None:
    item = {"id": "1", "title": "x"} if key == "algoritmes" else {"id": "1", "name": "x", "schema": "0.1"}
    data = json.dumps({key: [item], "count": 2}).encode()
    with pytest.raises(SourceError) as caught:
        list(json_source.read(data=data, name="short.json"))
    assert (caught.value.path, caught.value.field) == ("short.json", "count")
    assert f"count 2 but holds 1 records under /{key}" in caught.value.message
