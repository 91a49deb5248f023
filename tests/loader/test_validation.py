"""SHACL on a load: results located to the record and field, both languages, renderings, stored results."""

import csv
import io
import json
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Store
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from loader.errors import AlgokgError
from loader.report import CSV_COLUMNS, merge, render_csv, render_json, render_text, render_turtle
from loader.validation import (
    ALL_PROFILES,
    DEFAULT_PROFILES,
    ValidationReport,
    ValidationResultItem,
    model_graph,
    results_as_quads,
    shapes_graph,
    validate,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "loader" / "data" / "example-register.ttl"
REG = "https://w3id.org/algokg/id/algorithm/11243612/registration/5d41402abc4b2a76"
AKG = Namespace("https://w3id.org/algokg/def#")

# One record of a CSV export as the mapping writes it (line 12, the 11th record), with every field of
# publication standard 1.0 filled in: it gives no result at all. The tests break it one way at a time.
RECORD = """
@prefix akg: <https://w3id.org/algokg/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix theme: <https://w3id.org/algokg/id/register-theme/> .
@prefix status: <https://w3id.org/algokg/id/register-status/> .
@prefix pubcat: <https://w3id.org/algokg/id/publication-category/> .
@prefix alg: <https://w3id.org/algokg/id/algorithm/> .
@prefix reg: <https://w3id.org/algokg/id/algorithm/11243612/registration/> .

alg:11243612 a akg:Algorithm ; akg:algorithmId "11243612" ; akg:hasRegistration reg:5d41402abc4b2a76 .
reg:5d41402abc4b2a76 a akg:Registration , akg:Registration_1_0 ;
    akg:registers alg:11243612 ;
    akg:standardVersion "1.0" ;
    prov:wasDerivedFrom <https://w3id.org/algokg/graph/source/0123456789abcdef> ;
    akg:sourceFile "export.csv" ; akg:sourceIndex 11 ; akg:sourceLine 12 ;
    dct:language "nld" ;
    dct:title "Parkeervergunningen toewijzen"@nl ;
    akg:shortDescription "Het algoritme bepaalt de volgorde van de wachtlijst voor parkeervergunningen."@nl ;
    akg:organisationName "Gemeente Noorderhaaks" ;
    akg:contact "algoritmes@noorderhaaks.example" ;
    akg:status status:in-gebruik ;
    akg:publicationCategory pubcat:C ;
    akg:theme theme:verkeer ;
    akg:beginDate "2023-05"^^xsd:gYearMonth ;
    akg:goal "Aanvragers krijgen sneller een vergunning."@nl ;
    akg:proportionality "Het algoritme neemt geen besluiten."@nl ;
    akg:humanIntervention "Een medewerker controleert elke toewijzing."@nl ;
    akg:riskManagement "Steekproeven."@nl ;
    akg:technicalOperation "Vaste regels op de datum van aanvraag."@nl ;
    akg:assessmentExplanation "Geen impacttoets: er worden geen persoonsgegevens verwerkt."@nl ;
    akg:sourceDataDescription "Aanvraagdatum en adres."@nl ;
    akg:supplierName "Geen" ;
    akg:hasStatutoryBasis reg:5d41402abc4b2a76-basis .
reg:5d41402abc4b2a76-basis a akg:StatutoryBasis ;
    akg:citationTitle "Wegenverkeerswet 1994" ;
    akg:citedVersionDate "2024-01-01"^^xsd:date .
"""


def _check(data: str, *, profiles: tuple[str, ...] = DEFAULT_PROFILES) -> ValidationReport:
    return validate(Graph().parse(data=data, format="turtle"), profiles=profiles)


def _broken(old: str, new: str) -> ValidationReport:
    assert old in RECORD
    return _check(RECORD.replace(old, new))


def _only(report: ValidationReport) -> ValidationResultItem:
    assert len(report.results) == 1, [item.shape for item in report.results]
    return report.results[0]


def _shape(item: ValidationResultItem) -> str:
    return item.shape.rsplit("/", 1)[-1]


def test_a_complete_record_gives_no_result() -> None:
    report = _check(RECORD)
    assert report.conforms and report.results == []
    assert report.profiles == DEFAULT_PROFILES


def test_wrong_theme_suggests_the_nearest_theme() -> None:
    report = _broken("akg:theme theme:verkeer", 'akg:theme "Verkeer & vervoer"')
    assert not report.conforms
    # The integrity and register-1.0 profiles both check the theme; both results land on the record's row.
    assert [_shape(item) for item in report.results] == ["integrity#ThemeInScheme", "register-1.0#ThemeInScheme"]
    for item in report.results:
        assert (item.file, item.line, item.index, item.algorithm_id, item.record) == (
            "export.csv",
            12,
            11,
            "11243612",
            REG,
        )
        assert (item.field, item.field_nl, item.field_en) == ("category", "Thema", "Theme")
        assert (item.severity, item.value, item.value_type, item.nearest) == (
            "Violation",
            "Verkeer & vervoer",
            "http://www.w3.org/2001/XMLSchema#string",
            "verkeer",
        )
    # Integrity accepts a theme of any register's list and names the lists; the nearest comes from all of them.
    integrity, standard = report.results
    assert integrity.expected_nl is not None and integrity.expected_nl.startswith(
        "een begrip uit een lijst akg:ThemeScheme ("
    )
    assert "register-theme" in integrity.expected_nl
    # Standard 1.0: its 16 themes; the deprecated ones of 0.4 are not offered.
    assert standard.expected_nl is not None and standard.expected_nl.startswith("een begrip uit register-theme: ")
    assert standard.expected_nl.count(",") == 15 and "bestuur" not in standard.expected_nl
    text = render_text(report, language="nl").splitlines()
    assert text[:2] == ["export.csv, regel 12 — algoritme 11243612", "  Thema (category)"]
    found = [line for line in text if "verwacht: een begrip uit register-theme: cultuur-en-" in line]
    assert len(found) == 1 and found[0].strip().startswith("gevonden: 'Verkeer & vervoer'; verwacht:")
    assert found[0].endswith(", zorg-en-gezondheid; bedoelt u: 'verkeer'?")


@pytest.mark.parametrize(
    ("value", "nearest"),
    [
        ("theme:verkeer-en-vervoer", "verkeer"),  # an IRI outside the scheme: its last segment is compared
        ('"Zorg"', "zorg-en-gezondheid"),  # a word of a label, not a similar spelling ("werk")
        ('"Sociale zekerheid"', "sociale-zekerheid"),  # the label instead of the concept
        ('"Belastingen"', None),  # nothing close: no guess
    ],
)
def test_nearest_theme(value: str, nearest: str | None) -> None:
    report = _broken("akg:theme theme:verkeer", f"akg:theme {value}")
    assert {item.nearest for item in report.results} == {nearest}


def test_missing_required_field_is_a_violation() -> None:
    item = _only(_broken('akg:contact "algoritmes@noorderhaaks.example" ;', ""))
    assert (_shape(item), item.severity, item.field, item.field_nl, item.value) == (
        "register-1.0#ContactRequired",
        "Violation",
        "contact_email",
        "Contactgegevens",
        None,
    )
    assert (item.expected_nl, item.expected_en, item.path) == ("een waarde", "a value", (str(AKG.contact),))


def test_missing_recommended_field_is_only_a_warning() -> None:
    report = _broken('akg:goal "Aanvragers krijgen sneller een vergunning."@nl ;', "")
    item = _only(report)
    assert report.conforms
    assert (_shape(item), item.severity, item.field, item.field_en) == (
        "register-1.0#GoalRecommended",
        "Warning",
        "goal",
        "Purpose and impact",
    )


def test_statutory_basis_problem_is_reported_on_its_registration_row() -> None:
    item = _only(_broken('"2024-01-01"^^xsd:date', '"1 januari 2024"'))
    assert _shape(item) == "integrity#CitedVersionDateDatatype"
    assert item.focus == REG + "-basis"
    assert (item.record, item.file, item.line, item.algorithm_id) == (REG, "export.csv", 12, "11243612")
    assert (item.field, item.field_nl, item.value) == (
        "lawful_basis_grouping",
        "Verwijzingen wettelijke basis",
        "1 januari 2024",
    )
    assert item.record_path == ((REG, str(AKG.hasStatutoryBasis), REG + "-basis"),)
    assert item.expected_en == "an xsd:date (YYYY-MM-DD)"


def test_law_a_statutory_basis_points_at_is_reported_on_the_registration_row() -> None:
    law = "https://w3id.org/algokg/id/law/bwb/BWBR000553"  # a digit short
    report = _broken('akg:citationTitle "Wegenverkeerswet 1994" ;', f"akg:legalResource <{law}> ;")
    assert [_shape(item) for item in report.results] == [
        "integrity#LegalResourceBwbPattern",
        "integrity#LegalResourceType",
    ]
    for item in report.results:
        assert (item.focus, item.record, item.line, item.field) == (law, REG, 12, "lawful_basis_grouping")
        assert item.record_path == (
            (REG, str(AKG.hasStatutoryBasis), REG + "-basis"),
            (REG + "-basis", str(AKG.legalResource), law),
        )
    assert report.results[0].message_nl.startswith(f"Wettelijke basis: {law} heeft niet de vorm ")
    assert report.results[1].expected_en == "an eli:LegalResource or an eli:LegalResourceSubdivision"


def test_statutory_basis_of_an_algorithm_is_reported_on_the_registration_of_that_algorithm() -> None:
    data = RECORD.replace(
        "akg:hasStatutoryBasis reg:5d41402abc4b2a76-basis .",
        ".\nalg:11243612 akg:hasStatutoryBasis reg:5d41402abc4b2a76-basis .",
    ).replace('"2024-01-01"^^xsd:date', '"2024"')
    item = _only(_check(data))
    assert (item.record, item.line, item.field) == (REG, 12, "lawful_basis_grouping")
    assert len(item.record_path) == 2


def test_messages_in_both_languages_with_placeholders_filled() -> None:
    # pyshacl drops the language tags of SPARQL constraints' messages; they come from the shapes graph.
    item = _only(_broken("akg:beginDate", 'akg:endDate "2023-01"^^xsd:gYearMonth ;\n    akg:beginDate'))
    assert _shape(item) == "register-1.0#EndDateNotBeforeBeginDate"
    assert item.message_nl.startswith("Einddatum 2023-01 ligt vóór begindatum 2023-05: ")
    assert item.message_en.startswith("End date (Einddatum) 2023-01 is before begin date (Begindatum) 2023-05: ")
    assert (item.value, item.path, item.expected_nl) == (None, (), None)


def test_language_value_and_its_only_allowed_value() -> None:
    item = _only(_broken('dct:language "nld"', 'dct:language "Nederlands"'))
    assert (item.field, item.value, item.expected_nl, item.expected_en, item.nearest) == (
        "lang",
        "Nederlands",
        "één van: nld",
        "one of: nld",
        "nld",
    )
    assert item.message_nl.startswith("Taal: ") and item.message_en.startswith("Language (Taal): ")


def test_sequence_path_and_long_value() -> None:
    title = "Wegenverkeerswet 1994, " + "artikel 1, " * 10
    item = _only(_broken('"Wegenverkeerswet 1994"', f'"{title}"'))
    assert _shape(item) == "register-1.0#StatutoryBasisTitleMaxLength"
    assert item.path == (str(AKG.hasStatutoryBasis), str(AKG.citationTitle))
    assert (item.focus, item.field, item.value, item.expected_nl) == (
        REG,
        "lawful_basis_grouping",
        title,
        "hoogstens 100 tekens",
    )


@pytest.mark.parametrize("profiles", [DEFAULT_PROFILES, ALL_PROFILES], ids=["default", "all"])
def test_pyshacl_alone_finds_the_same_results(profiles: tuple[str, ...]) -> None:
    """Parsing each SPARQL text once (``loader.pyshacl_graph.PreparedQueries``, which the loader's pyshacl engine
    and the tests' pyshacl oracle use) must not change what is found."""
    data = Graph().parse(EXAMPLE, format="turtle")
    data.parse(
        data=RECORD.replace("akg:beginDate", 'akg:endDate "2023-01"^^xsd:gYearMonth ;\n akg:beginDate'), format="turtle"
    )
    data.add((URIRef(REG), AKG.organisation, URIRef("http://identifier.overheid.nl/tooi/id/gemeente/gm0363")))
    combined = Graph()
    combined += model_graph()
    combined += data
    _, raw, _ = pyshacl_validate(combined, shacl_graph=shapes_graph(profiles), inference="none", allow_warnings=True)
    expected = sorted(
        (str(raw.value(r, SH.focusNode)), str(raw.value(r, SH.sourceShape))) for r in raw.objects(None, SH.result)
    )
    for engine in ("pyshacl", "sparql"):
        found = sorted((item.focus, item.shape) for item in validate(data, profiles=profiles, engine=engine).results)
        assert found == expected, engine
    assert any(shape.endswith("#OrganisationTooiPattern") for _, shape in found)


def test_unknown_profile() -> None:
    with pytest.raises(AlgokgError, match="unknown SHACL profile"):
        validate(Graph(), profiles=["register-2.0"])


# -- the example data -----------------------------------------------------------------------------

EXAMPLE_WARNINGS = [
    # The current registration of example algorithm 1 lacks the recommended fields of standard 1.0;
    # its algorithm node has a supplier and assessments that the registration does not repeat.
    ("goal", "GoalRecommended"),
    ("proportionality", "ProportionalityRecommended"),
    ("human_intervention", "HumanInterventionRecommended"),
    ("risks", "RiskManagementRecommended"),
    ("impacttoetsen_grouping", "ImpactAssessmentsRecommended"),
    ("source_data", "DataRecommended"),
    ("methods_and_models", "TechnicalOperationRecommended"),
    ("provider", "SupplierRecommended"),
]


@pytest.mark.parametrize("profiles", [DEFAULT_PROFILES, ALL_PROFILES], ids=["default", "all"])
def test_example_register(profiles: tuple[str, ...]) -> None:
    report = validate(Graph().parse(EXAMPLE, format="turtle"), profiles=profiles)
    assert report.conforms
    found = [(item.field, _shape(item).split("#")[1]) for item in report.results]
    assert found == EXAMPLE_WARNINGS
    assert {(item.severity, item.focus, item.algorithm_id) for item in report.results} == {
        ("Warning", "https://w3id.org/algokg/id/example/registration-1b", "00000001")
    }


# -- renderings -----------------------------------------------------------------------------------

TWO_PROBLEMS = RECORD.replace('dct:language "nld"', 'dct:language "nl"').replace(
    'akg:goal "Aanvragers krijgen sneller een vergunning."@nl ;', ""
)


@pytest.fixture(scope="module")
def two() -> ValidationReport:
    return _check(TWO_PROBLEMS)


def test_text_in_dutch(two: ValidationReport) -> None:
    assert render_text(two, language="nl") == "\n".join(
        [
            "export.csv, regel 12 — algoritme 11243612",
            "  Doel en impact (goal)",
            "    waarschuwing: Doel en impact ontbreekt: de publicatiestandaard 1.0 vraagt om dit veld. Vul het in: "
            "beschrijf het doel van het algoritme en hoe burgers en bedrijven ermee in aanraking komen (maximaal 2500 tekens).",
            "      gevonden: niets; verwacht: een waarde",
            "  Taal (lang)",
            "    fout: Taal: de publicatiestandaard 1.0 kent alleen 'nld' (ISO 639-3). "
            "Schrijf 'nl', 'NL' of 'Nederlands' als 'nld'.",
            "      gevonden: 'nl'; verwacht: één van: nld; bedoelt u: 'nld'?",
            "fouten: 1, waarschuwingen: 1, registraties met resultaten: 1",
        ]
    )


def test_text_in_english(two: ValidationReport) -> None:
    lines = render_text(two, language="en").splitlines()
    assert lines[0] == "export.csv, line 12 — algorithm 11243612"
    assert lines[1] == "  Purpose and impact (goal)"
    assert (
        lines[5]
        == "    violation: Language (Taal): publication standard 1.0 only allows 'nld' (ISO 639-3). Write 'nl', 'NL' or 'Nederlands' as 'nld'."
    )
    assert lines[6] == "      found: 'nl'; expected: one of: nld; did you mean: 'nld'?"
    assert lines[-1] == "violations: 1, warnings: 1, records with results: 1"
    assert render_text(ValidationReport(conforms=True, profiles=DEFAULT_PROFILES)) == (
        "No results: every record conforms to integrity, register-1.0, register-legacy."
    )


def test_json_groups_per_record_and_field(two: ValidationReport) -> None:
    document = json.loads(render_json(two))
    assert (document["conforms"], document["counts"]) == (False, {"Violation": 1, "Warning": 1, "Info": 0})
    [record] = document["records"]
    assert {key: record[key] for key in ("file", "line", "index", "algorithm_id", "record")} == {
        "file": "export.csv",
        "line": 12,
        "index": 11,
        "algorithm_id": "11243612",
        "record": REG,
    }
    assert [(f["field"], f["field_nl"], len(f["results"])) for f in record["fields"]] == [
        ("goal", "Doel en impact", 1),
        ("lang", "Taal", 1),
    ]
    language = record["fields"][1]["results"][0]
    assert (language["severity"], language["value"], language["nearest"], language["path"]) == (
        "Violation",
        "nl",
        "nld",
        ["http://purl.org/dc/terms/language"],
    )


def test_csv_one_row_per_result(two: ValidationReport) -> None:
    reader = csv.DictReader(io.StringIO(render_csv(two)))
    rows = list(reader)
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    assert [(row["line"], row["field"], row["severity"], row["value"], row["nearest"]) for row in rows] == [
        ("12", "goal", "Warning", "", ""),
        ("12", "lang", "Violation", "nl", "nld"),
    ]


def test_turtle_is_a_shacl_report_with_locations(two: ValidationReport) -> None:
    graph = Graph().parse(data=render_turtle(two), format="turtle")
    [report] = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    results = set(graph.objects(report, SH.result))
    assert results == set(graph.subjects(RDF.type, SH.ValidationResult)) and len(results) == 2
    messages = {m.language for r in results for m in graph.objects(r, SH.resultMessage)}
    assert messages == {"nl", "en"}
    registration = URIRef(REG)
    assert (graph.value(registration, AKG.sourceFile), graph.value(registration, AKG.sourceLine)) == (
        Literal("export.csv"),
        Literal(12),
    )
    assert render_turtle(two) == render_turtle(_check(TWO_PROBLEMS))  # deterministic


def test_merge_keeps_each_sources_results(two: ValidationReport) -> None:
    other = _broken('akg:contact "algoritmes@noorderhaaks.example" ;', "")
    merged = merge([two, other])
    assert not merged.conforms and len(merged.results) == 3 and merged.profiles == DEFAULT_PROFILES


# -- stored form ----------------------------------------------------------------------------------

PREFIXES = """PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


def test_results_stored_as_shacl_with_stable_iris() -> None:
    data = TWO_PROBLEMS.replace('"Wegenverkeerswet 1994"', '"' + "Wegenverkeerswet 1994 " * 6 + '"')
    report = _check(data)
    graph = NamedNode("https://w3id.org/algokg/graph/validation/0123456789abcdef")
    quads = results_as_quads(report, graph)
    assert quads == results_as_quads(_check(data), graph)  # a reload names the same results
    assert all(quad.graph_name == graph for quad in quads)
    store = Store()
    store.extend(quads)
    count = PREFIXES + "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH ?g { ?r a sh:ValidationResult } }"
    assert int(next(iter(store.query(count)))["n"].value) == len(report.results) == 3
    records = (
        PREFIXES
        + """SELECT DISTINCT ?registration WHERE { GRAPH ?g {
        ?r sh:resultSeverity sh:Violation ; sh:focusNode ?registration } }"""
    )
    assert [row["registration"].value for row in store.query(records)] == [REG]
    by_path = (
        PREFIXES
        + """SELECT ?message WHERE { GRAPH ?g {
        ?r sh:resultPath ( akg:hasStatutoryBasis akg:citationTitle ) ; sh:resultMessage ?message } }"""
    )
    assert sorted(row["message"].language for row in store.query(by_path)) == ["en", "nl"]
    value = PREFIXES + 'ASK { GRAPH ?g { ?r sh:value "nl" ; sh:sourceShape ?s } }'
    assert store.query(value)


@pytest.mark.parametrize("count", [0, 7, 120_001])
def test_the_quads_go_into_the_store_in_parts_all_of_them(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """`validate_quads` puts a source's quads into its store as concurrent parts: the same quads as one extend."""
    from pyoxigraph import Literal as OxLiteral
    from pyoxigraph import Quad

    from loader import validation

    graph = NamedNode("https://example.org/source")
    quads = [
        Quad(
            NamedNode(f"https://example.org/s{i % 1000}"),
            NamedNode(f"https://example.org/p{i % 7}"),
            OxLiteral(i),
            graph,
        )
        for i in range(count)
    ]
    monkeypatch.setattr(validation, "usable_cores", lambda: 4)  # as many parts as the limit allows
    parted = Store()
    validation._extend_in_parts(parted, quads)
    whole = Store()
    whole.extend(quads)
    assert len(parted) == len(whole) == count and set(parted) == set(whole)
