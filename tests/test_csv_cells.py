"""`loader.csv_cells`: cells a spreadsheet would evaluate are written as text, plain numbers stay numbers."""

import csv
import io

import pytest

from loader.csv_cells import csv_table, safe_cell, safe_csv
from loader.report import render_csv
from loader.validation import ValidationReport, ValidationResultItem


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+31 6 12345678", "'+31 6 12345678"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\0=1", "'\0=1"),
        ("-", "'-"),
        ("--1", "'--1"),
        ("-1e", "'-1e"),
    ],
)
def test_formulas_are_written_as_text(value: str, written: str) -> None:
    assert safe_cell(value) == written


@pytest.mark.parametrize("value", ["-12", "-12.5", "+3", "-.5", "-1e-3", "2.5E+10", "12", "2024-03", "Gemeente", ""])
def test_numbers_and_plain_text_are_kept(value: str) -> None:
    assert safe_cell(value) == value


def test_values_of_any_type() -> None:
    assert [safe_cell(v) for v in (None, -3, 0.5, True)] == ["", "-3", "0.5", "True"]


def test_csv_table_has_exactly_its_columns() -> None:
    text = csv_table(["a", "b"], [{"b": "=x", "extra": "ignored"}, {"a": -1}])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["", "'=x"], ["-1", ""]]
    assert csv_table(["a", "b"], []) == "a,b\r\n"  # an empty table still says what its columns are


def test_safe_csv_rewrites_every_cell_but_the_header() -> None:
    sparql_csv = b'title,n\r\n"=HYPERLINK(""x"")",-4\r\n"@a, b",5\r\n'
    rows = list(csv.reader(io.StringIO(safe_csv(sparql_csv).decode())))
    assert rows == [["title", "n"], ['\'=HYPERLINK("x")', "-4"], ["'@a, b", "5"]]
    assert safe_csv(b"") == b""


def test_validation_report_csv_writes_formulas_as_text() -> None:
    """`algokg validate --format csv` and `POST /api/validate` (text/csv): values and messages come from records."""
    item = ValidationResultItem(
        focus="https://example.org/r",
        severity="Violation",
        shape="https://example.org/shape",
        component="http://www.w3.org/ns/shacl#PatternConstraintComponent",
        message_nl="=1+1",
        message_en="ok",
        value='=HYPERLINK("https://evil.example")',
        file="@export.csv",
        line=3,
    )
    rows = list(csv.DictReader(io.StringIO(render_csv(ValidationReport(conforms=False, results=[item])))))
    assert rows[0]["value"] == '\'=HYPERLINK("https://evil.example")'
    assert rows[0]["message_nl"] == "'=1+1" and rows[0]["file"] == "'@export.csv" and rows[0]["line"] == "3"
