"""Formats come from --format or the extension; JSON flavours from their top-level keys; dates in every form."""

from datetime import date
from pathlib import Path

import pytest

from loader.errors import SourceError
from loader.sources.dates import parse_date
from loader.sources.formats import InputFormat, format_for, json_flavour


@pytest.mark.parametrize(
    ("name", "explicit", "expected"),
    [
        ("export.csv", None, InputFormat.CSV),
        ("DUMP.JSON", None, InputFormat.JSON),
        ("download", "csv", InputFormat.CSV),
        ("x.json", "scrape", InputFormat.SCRAPE),
    ],
)
def test_format_for(name: str, explicit: str | None, expected: InputFormat) -> None:
    assert format_for(Path(name), explicit=explicit) is expected


def test_format_errors_name_the_flag() -> None:
    with pytest.raises(SourceError, match="--format"):
        format_for(Path("export.xlsx"))
    with pytest.raises(SourceError, match="unknown --format 'xml'"):
        format_for(Path("x.csv"), explicit="xml")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"algoritme_versions": [], "organisation_details": []}, InputFormat.SITE_DATA),
        ({"algoritmes": [], "count": 0}, InputFormat.SCRAPE),
        ({"records": [], "count": 0, "schema": "v0.1"}, InputFormat.TESTDATA_V0_1),
        ({"name": "x", "schema": "1.0.0"}, InputFormat.STANDARD_JSON),
        ([{"name": "x"}], InputFormat.STANDARD_JSON),
    ],
)
def test_json_flavour(document: object, expected: InputFormat) -> None:
    assert json_flavour(document, path="x.json") is expected


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2023-05", date(2023, 5, 1), "month"),
        ("05-2023", date(2023, 5, 1), "month"),
        ("2023-05-01", date(2023, 5, 1), "day"),
        ("01-05-2023", date(2023, 5, 1), "day"),
        ("2022-1", date(2022, 1, 1), "month"),
        ("12 2024", date(2024, 12, 1), "month"),
        ("maart 2023", date(2023, 3, 1), "month"),
        ("2021\t", date(2021, 1, 1), "year"),
        ("2023-03-31T08:34:12.029161+00:00", date(2023, 3, 31), "day"),
        ("-", None, None),
        ("", None, None),
    ],
)
def test_dates_read(text: str, value: date | None, precision: str | None) -> None:
    parsed = parse_date(text)
    assert (parsed.original, parsed.value, parsed.precision, parsed.problem) == (text, value, precision, None)


@pytest.mark.parametrize("text", ["Maart", "juni", "01-24", "1012019", "2023-13", "31-02-2023"])
def test_unreadable_dates_keep_the_original(text: str) -> None:
    parsed = parse_date(text)
    assert (parsed.original, parsed.value, parsed.precision) == (text, None, None)
    assert parsed.problem
