"""The CSV export reader: every sample row reads into the model of its standard version; bad files fail located."""

from collections import Counter
from pathlib import Path

import pytest

from loader.errors import SourceError
from loader.sources import csv_source, read
from loader.sources.records import RecordV0_3_1, RecordV0_4, RecordV1_0
from tests.conftest import shared_path

HEADER = "name,organization,standard_version,goal,begin_date\n"


@pytest.fixture(scope="module")
def export() -> list[RecordV1_0]:
    records = list(read(shared_path("samples", "register_export_v1.0_ENG_sample.csv"), language="ENG"))
    assert all(isinstance(record, RecordV1_0) for record in records)
    return records  # type: ignore[return-value]


def by_id(records: list[RecordV1_0], algorithm_id: str) -> RecordV1_0:
    return next(record for record in records if record.algorithm_id == algorithm_id)


def test_every_row_reads(export: list[RecordV1_0]) -> None:
    assert len(export) == 120
    assert len({record.algorithm_id for record in export}) == 120
    assert Counter(record.status for record in export) == {"In use": 105, "Out of use": 8, "In development": 7}
    assert all(record.unknown_fields == {} and record.language == "ENG" for record in export)


def test_first_row_values_and_location(export: list[RecordV1_0]) -> None:
    first = export[0]
    assert (first.algorithm_id, first.name, first.organization) == (
        "65735246",
        "Citizen affairs e-services",
        "Municipality of Velsen",
    )
    assert first.source.line == 2 and first.source.index == 1
    assert first.category == ["Organisation and business operations"]
    assert first.publication_category == "Impactful algorithms"
    assert [item.title for item in first.lawful_basis_grouping] == [
        "Wet basisregistratie personen",
        "Wet rechten burgerlijke stand",
    ]
    assert [item.title for item in first.source_data_grouping] == ["BRP", "LV BAG", "CRB"]
    assert export[-1].source.line == 190  # multi-line quoted fields are counted


def test_dates_keep_what_was_published(export: list[RecordV1_0]) -> None:
    tabbed = by_id(export, "38748497").end_date
    assert tabbed is not None and (tabbed.original, tabbed.precision, tabbed.value.year) == ("2021\t", "year", 2021)
    flipped = by_id(export, "28217435").end_date
    assert flipped is not None and (flipped.original, flipped.value.isoformat(), flipped.precision) == (
        "11-2020",
        "2020-11-01",
        "month",
    )
    bad = {record.begin_date.original: record.begin_date.problem for record in export if record.begin_date}
    assert bad["Maart"] == "a month name without a year"
    assert bad["01-24"] == "a two-digit year is ambiguous"
    assert sum(1 for record in export if record.begin_date and record.begin_date.problem) == 4


def test_multi_theme_and_broken_links(export: list[RecordV1_0]) -> None:
    themes = Counter(len(record.category) for record in export)
    assert themes[0] == 7 and themes[3] == 5
    links = [item for record in export for item in record.lawful_basis_grouping]
    broken = [item for item in links if item.link and item.link.startswith("ttps://")]
    assert len(broken) == 1 and broken[0].url == "https://wetten.overheid.nl/BWBR0002320/"
    reversed_items = [item for item in links if item.problem and "before the title" in item.problem]
    assert {item.title for item in reversed_items} >= {"Douanewetboek van de Unie", "Voertuigcriminaliteit"}


def test_versions_unknown_columns_and_lars_alias() -> None:
    data = (
        "\ufefflars,name,organization,standard_version,type,category,impacttoetsen,iama,extra\n"
        "11111111,A,Gemeente X,1.0,,Werk,,,\n"
        '22222222,B,Gemeente X,0.4,Zelflerend,"Werk, Recht","DPIA, IAMA",,\n'
        "33333333,C,Gemeente X,0.3.1,Regelgebaseerd,Verkeer,,Ja,kept\n"
    ).encode()
    one, four, three = csv_source.read(data=data, name="mixed.csv")
    assert isinstance(one, RecordV1_0) and one.algorithm_id == "11111111" and one.category == ["Werk"]
    assert (
        isinstance(four, RecordV0_4) and four.category == ["Werk", "Recht"] and four.impacttoetsen == ["DPIA", "IAMA"]
    )
    assert isinstance(three, RecordV0_3_1) and three.category == "Verkeer" and three.iama == "Ja"
    assert three.unknown_fields == {"extra": "kept"}


def test_unknown_standard_version_is_located() -> None:
    with pytest.raises(SourceError) as caught:
        list(csv_source.read(data=(HEADER + "A,B,1.0,,\nC,D,2.0,,\n").encode(), name="v.csv"))
    assert (caught.value.path, caught.value.line, caught.value.field) == ("v.csv", 3, "standard_version")


def test_truncated_inside_quote(tmp_path: Path) -> None:
    path = tmp_path / "truncated.csv"
    path.write_text(HEADER + 'A,B,1.0,"ok",2023-01\nC,D,1.0,"cut off\nin the middle', encoding="utf-8-sig")
    with pytest.raises(SourceError) as caught:
        list(csv_source.read(path))
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), 3, "goal")
    assert "truncated" in caught.value.message


def test_truncated_real_export(tmp_path: Path) -> None:
    raw = shared_path("samples", "register_export_v1.0_ENG_sample.csv").read_bytes()
    cut = raw.index(b"Vegetation algorithm") + 200  # inside the last record's quoted fields
    path = tmp_path / "export.csv"
    path.write_bytes(raw[:cut])
    with pytest.raises(SourceError) as caught:
        list(csv_source.read(path))
    assert (caught.value.path, caught.value.line) == (str(path), 190)
    assert caught.value.field in {"description_short", "category", "goal"}


def test_latin1_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "A,B,1.0,x,\nC,Gemeente Súdwest-Fryslân,1.0,y,\n").encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        list(csv_source.read(path))
    error = caught.value
    assert (error.path, error.line, error.field) == (str(path), 3, "organization")
    assert "byte offset" in error.message and "0xfa" in error.message


def test_missing_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "columns.csv"
    path.write_text("title,organization_name,standard_version\nA,B,1.0\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        list(csv_source.read(path))
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), 1, "name")
    assert "name, organization" in caught.value.message


@pytest.mark.parametrize("quoted", [True, False], ids=["quoted", "unquoted"])
def test_fifty_megabyte_field(tmp_path: Path, quoted: bool) -> None:
    path = tmp_path / "huge.csv"
    quote = '"' if quoted else ""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "A,B,1.0,x,\nC,D,1.0," + quote)
        for _ in range(50):
            out.write("x" * 1_000_000)
        out.write(quote + ",2023-01\n")
    with pytest.raises(SourceError) as caught:
        list(csv_source.read(path))
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), 3, "goal")
    assert "1,048,576" in caught.value.message


def test_wrong_width_row() -> None:
    with pytest.raises(SourceError) as caught:
        list(csv_source.read(data=(HEADER + "A,B,1.0\nC,D,1.0,x,\n").encode(), name="w.csv"))
    assert (caught.value.line, caught.value.field) == (2, "standard_version")


def test_reads_that_overlap_keep_their_field_limit() -> None:
    """The csv module's field limit is one for the process: it was set per read and restored when a read ended, so
    a read still going (another thread's, or a generator not yet exhausted) lost the limit it had set and refused
    a field the input limits allow. Here the first read ends while the second is half way."""
    long_goal = "x" * 200_000  # within the input limit (1,048,576), over Python's default (131,072)
    data = (HEADER + "A,B,1.0,short,\n" + f'C,D,1.0,"{long_goal}",\n').encode()
    first = csv_source.read(data=data, name="first.csv")
    second = csv_source.read(data=data, name="second.csv")
    next(first), next(second)  # both reads have begun
    assert len(list(first)) == 1  # the first ends
    [last] = list(second)
    assert last.goal == long_goal


def test_a_field_over_a_lower_limit_is_refused_whatever_the_csv_module_allows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    list(csv_source.read(data=(HEADER + f'A,B,1.0,"{"x" * 200_000}",\n').encode(), name="raises.csv"))
    monkeypatch.setenv("ALGOKG_MAX_FIELD_CHARS", "1000")
    with pytest.raises(SourceError) as caught:
        list(csv_source.read(data=(HEADER + f'A,B,1.0,"{"x" * 5_000}",\n').encode(), name="lower.csv"))
    assert (caught.value.line, caught.value.field) == (2, "goal") and "1,000" in caught.value.message
