"""SHACL on a load: results located to the record and field, both languages, renderings, stored results."""

import csv
import io
import json

import pytest
from pyoxigraph import NamedNode, Store
from rdflib import Graph

from loader.report import render_csv, render_json, render_text, render_turtle
from loader.validation import ValidationReport, results_as_quads, validate

DATA = """
@prefix akg: <https://w3id.org/algokg/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix reg: <https://w3id.org/algokg/id/algorithm/12345678/registration/> .

<https://w3id.org/algokg/id/algorithm/12345678> a akg:Algorithm ; akg:algorithmId "12345678" .
reg:a a akg:Registration , akg:Registration_1_0 ;
    akg:registers <https://w3id.org/algokg/id/algorithm/12345678> ;
    akg:sourceFile "export.csv" ; akg:sourceLine 7 ; akg:sourceIndex 3 ;
    dct:title "Parkeerscan"@nl ;
    akg:organisationName "Gemeente Utrecht" ;
    akg:shortDescription "Scant kentekens."@nl ;
    akg:contact "algoritmes@utrecht.example" ;
    akg:status <https://w3id.org/algokg/id/register-status/in-gebruik> ;
    akg:publicationCategory <https://w3id.org/algokg/id/publication-category/B> ;
    akg:theme <https://w3id.org/algokg/id/register-theme/verkeer> ;
    akg:standardVersion "1.0" ;
    dct:language "nl" ;
    akg:beginDate "2023"^^xsd:gYear ;
    akg:hasStatutoryBasis reg:a-basis .
reg:a-basis a akg:StatutoryBasis ;
    akg:citationTitle "Een titel van de wettelijke basis die veel te lang is, want zij herhaalt de volledige naam van de regeling en nog veel meer" .
"""


@pytest.fixture(scope="module")
def report() -> ValidationReport:
    return validate(Graph().parse(data=DATA, format="turtle"))


def _by_shape(report: ValidationReport) -> dict[str, object]:
    return {item.shape.rsplit("#", 1)[-1]: item for item in report.results}


def test_results_are_located_and_explained(report: ValidationReport) -> None:
    assert not report.conforms
    found = _by_shape(report)
    language = found["LanguageNld"]
    assert (language.file, language.line, language.algorithm_id, language.field) == (
        "export.csv",
        7,
        "12345678",
        "lang",
    )
    assert (language.severity, language.value, language.expected, language.nearest) == (
        "Violation",
        "nl",
        "one of nld",
        "nld",
    )
    assert (
        "'nld'" in language.message_nl and "'nld'" in language.message_en and language.message_nl != language.message_en
    )
    begin = found["BeginDateForm"]
    assert (begin.field, begin.value, begin.expected) == ("begin_date", "2023", "a value of type gYearMonth")
    # A problem of a node the record owns is reported on the record's line, under the record's field.
    title = found["StatutoryBasisTitleMaxLength"]
    assert (title.line, title.field, title.expected) == (7, "lawful_basis_grouping", "at most 100 characters")
    # Recommended fields are warnings and do not make the load fail.
    assert {item.severity for item in report.results if item.shape.endswith("Recommended")} == {"Warning"}


def test_warnings_alone_conform() -> None:
    data = DATA.replace('dct:language "nl"', 'dct:language "nld"').replace(
        '"2023"^^xsd:gYear', '"2023-05"^^xsd:gYearMonth'
    )
    data = data.replace("akg:hasStatutoryBasis reg:a-basis .", ".").replace(
        "reg:a-basis a akg:StatutoryBasis ;", 'reg:a-basis a akg:StatutoryBasis ; akg:citationTitle "Awb" ;'
    )
    result = validate(Graph().parse(data=data, format="turtle"))
    assert result.conforms and result.count("Warning") > 0 and result.count("Violation") == 0


def test_text_report_in_both_languages(report: ValidationReport) -> None:
    dutch, english = render_text(report, language="nl"), render_text(report, language="en")
    assert dutch.splitlines()[0] == "export.csv, line 7 — algoritme 12345678"
    assert english.splitlines()[0] == "export.csv, line 7 — algorithm 12345678"
    assert "  veld lang: fout: Taal: de publicatiestandaard 1.0 kent alleen 'nld'" in dutch
    assert "    gevonden 'nl'; verwacht one of nld; bedoelt u 'nld'?" in dutch
    assert (
        english.splitlines()[-1]
        == f"{report.count('Violation')} violations, {report.count('Warning')} warnings in 1 records"
    )


def test_json_csv_and_turtle(report: ValidationReport) -> None:
    data = json.loads(render_json(report))
    assert data["conforms"] is False and len(data["records"]) == 1
    assert len(data["records"][0]["results"]) == len(report.results)
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert len(rows) == len(report.results) and {row["line"] for row in rows} == {"7"}
    graph = Graph().parse(data=render_turtle(report), format="turtle")
    assert len(set(graph.subjects())) == len(report.results)


def test_results_are_stored_with_stable_iris(report: ValidationReport) -> None:
    graph = NamedNode("https://w3id.org/algokg/graph/validation/0123456789abcdef")
    quads = results_as_quads(report, graph)
    assert quads == results_as_quads(report, graph)
    store = Store()
    store.extend(quads)
    query = """PREFIX sh: <http://www.w3.org/ns/shacl#>
    SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH ?g { ?r sh:resultSeverity sh:Violation ; sh:focusNode ?f } }"""
    assert int(next(iter(store.query(query)))["n"].value) == report.count("Violation")
