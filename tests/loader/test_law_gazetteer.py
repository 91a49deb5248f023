"""The law gazetteer: the bundled sourced tables, the model's laws, and every law node of the samples named."""

import re
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from loader.pipeline import prepare
from loader.reconcile.bwb_list import BWB_LIST_PIN
from loader.reconcile.cache import ReconcileError
from loader.reconcile.law_by_name import by_name_path, read_by_name
from loader.reconcile.law_citations import read_citations
from loader.reconcile.law_gazetteer import Gazetteer, LawEntry, bundled_path, is_law_id, read_bundled
from loader.reference import default_gazetteer, gazetteer, reference_data
from tests.conftest import shared_path

HEADER = "law_id;title_nl;title_en;names;abbreviations;english;context;article_style;repealed;source;snapshot\n"
# The laws issue 14 found missing, by the names the register uses (the Comptabiliteitswet without a year is left
# out: the Comptabiliteitswet 2001 and 2016 are two laws).
ISSUE_LAWS = {
    "BWBR0013060": ("Wet SUWI", "SUWI Act"),
    "BWBR0034306": ("Besluit BRP", "BRP Decree"),
    "BWBR0002471": ("Wet op de loonbelasting 1964", None),
    "BWBR0006622": ("Wegenverkeerswet", "Road Traffic Act"),
    "BWBR0001948": ("Wegenwet", "Roads Act"),
    "BWBR0003245": ("Wet milieubeheer", "Environmental Management Act"),
    "BWBR0004770": ("Invorderingswet", "Collection Act 1990"),
    "BWBR0005212": ("Paspoortwet", "Passport Act"),
    "BWBR0035362": ("Wmo 2015", "Social Support Act"),
    "BWBR0034925": ("Jeugdwet", "Youth Act"),
    "BWBR0004627": ("Kieswet", "Elections Act"),
    "BWBR0031788": ("Politiewet 2012", "Police Act"),
    "BWBR0024779": ("Wabo", None),
    "BWBR0037885": ("Omgevingswet", "Environment Act"),
    "32013R0952": ("Douanewetboek van de Unie", "Union Customs Code"),
    "BWBR0023746": ("Algemene douanewet", "General Customs Act"),
    "BWBR0015703": ("Participatiewet", "Participation Act"),
    "BWBR0005416": ("Gemeentewet", "Municipalities Act"),
    "BWBR0001851": ("Wet rechten burgerlijke stand", "Civil Status Act"),
    "BWBR0001903": ("Wetboek van Strafvordering", "Code of Criminal Procedure"),
}


def test_every_bundled_row_has_an_identifier_a_title_a_source_and_a_date() -> None:
    entries = read_bundled(bundled_path())
    assert len(entries) >= 80
    for entry in entries:
        assert re.fullmatch(r"BWB[RV]\d{7}|3\d{4}[RLD]\d{4}", entry.law_id), entry.law_id
        assert entry.title_nl and entry.title_en, entry.law_id
        assert entry.source.strip() and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", entry.snapshot or ""), entry.law_id


@pytest.mark.parametrize(("law_id", "names"), ISSUE_LAWS.items())
def test_the_laws_the_issue_found_missing_are_named_in_dutch_and_english(
    law_id: str, names: tuple[str, str | None]
) -> None:
    gazetteer = default_gazetteer()
    for name in names:
        if name:
            assert gazetteer.lookup(name) == {law_id}, name
    dutch, english, origin = gazetteer.labels(law_id)
    assert dutch and english and origin == "gazetteer"


@pytest.mark.parametrize(
    ("row", "message", "line"),
    [
        ("BWBR123;Wet;Act;;;;;;;src;2026-12-03\n", "not a BWB id or CELEX number", 2),
        ("BWBR0005537;Awb;Awb;;;;;;;;2026-12-03\n", "a title and a source", 2),
        ("BWBR0005537;Awb;Awb;;;;;;;src;2026-12-03\nBWBR0005537;Awb;Awb;;;;;;;src;2026-12-03\n", "listed twice", 3),
    ],
)
def test_a_bad_row_is_a_located_error(tmp_path: Path, row: str, message: str, line: int) -> None:
    path = tmp_path / "laws.csv"
    path.write_text("# a comment line does not count\n" + HEADER + row, encoding="utf-8")
    with pytest.raises(ReconcileError) as raised:
        read_bundled(path)
    assert message in raised.value.message and raised.value.path == path and raised.value.line == line + 1


def test_the_first_feed_names_the_law_and_names_accumulate() -> None:
    gazetteer = Gazetteer.merged(
        [LawEntry("BWBR0001948", "BWB list", title_nl="Wegenwet")],
        [
            LawEntry(
                "BWBR0001948", "bundled", title_nl="wegenwet (register)", title_en="Roads Act", names=("Roads Act",)
            )
        ],
    )
    assert gazetteer.labels("BWBR0001948") == ("Wegenwet", "Roads Act", "gazetteer")
    assert gazetteer.lookup("Roads Act") == {"BWBR0001948"}


def test_every_law_node_of_the_samples_is_named(tmp_path: Path) -> None:
    reference = reference_data(cache_dir=tmp_path)
    unnamed = []
    for sample in ("register_export_v1.0_ENG_sample.csv", "register_scrape_NLD_sample.json"):
        load, _ = prepare(shared_path("samples", sample), reference=reference, run_validation=False)
        laws = {
            q.subject
            for q in load.quads
            if q.predicate.value.endswith("#type")
            and q.object == NamedNode("http://data.europa.eu/eli/ontology#LegalResource")
        }
        labelled = {q.subject for q in load.quads if q.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"}
        from loader.reconcile.model_laws import model_subjects

        unnamed += [law.value for law in laws - labelled if law.value not in model_subjects()]
    assert unnamed == []


# -- laws known by name only (14b) ---------------------------------------------------------------------------------

LAA = "name:ministeriele-regeling-landelijke-aanpak-adreskwaliteit"
CHARTER = "name:handvest-van-de-grondrechten-van-de-europese-unie"
BY_NAME_HEADER = "title_nl;title_en;names;abbreviations;english;context;same_as;source;snapshot\n"


def test_every_law_known_by_name_has_a_title_a_source_a_date_and_no_identifier() -> None:
    entries = read_by_name(by_name_path())
    assert {entry.law_id for entry in entries} == {LAA, CHARTER}
    for entry in entries:
        assert entry.is_minted and not is_law_id(entry.law_id)
        assert entry.title_nl and entry.title_en and entry.source.strip(), entry.law_id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.snapshot or ""), entry.law_id
    charter = next(entry for entry in entries if entry.law_id == CHARTER)
    assert charter.same_as == "http://data.europa.eu/eli/treaty/char_2012/oj"  # ../shared/reference/vocab (DPV)


@pytest.mark.parametrize(
    ("rows", "message", "line"),
    [
        (";;;;;;;src;2026-12-03\n", "a title and a source", 2),
        ("Wet x;;;;;;;;2026-12-03\n", "a title and a source", 2),
        ("Wet x;;;;;;eli/treaty;src;2026-12-03\n", "not an http(s) IRI", 2),
        ("Wet x;;;;;;;src;2026-12-03\nWét X;;;;;;;src;2026-12-03\n", "listed twice", 3),
        ("Wet x;;;;;;;src;2026;12\n", "more fields than columns", 2),
    ],
)
def test_a_bad_row_of_laws_known_by_name_is_a_located_error(tmp_path: Path, rows: str, message: str, line: int) -> None:
    path = tmp_path / "laws_by_name.csv"
    path.write_text("# a comment line does not count\n" + BY_NAME_HEADER + rows, encoding="utf-8")
    with pytest.raises(ReconcileError) as raised:
        read_by_name(path)
    assert message in raised.value.message and raised.value.path == path and raised.value.line == line + 1


def test_a_law_known_by_name_resolves_by_its_names_only() -> None:
    gazetteer = default_gazetteer()
    for name in ("Ministeriële regeling landelijke aanpak adreskwaliteit", "Ministeriele regeling LAA"):
        assert gazetteer.lookup(name) == {LAA}, name
    assert gazetteer.lookup("Charter of Fundamental Rights of the European Union") == {CHARTER}
    assert gazetteer.lookup("LAA") == frozenset()  # the programme's name, not the regulation's
    assert gazetteer.labels(CHARTER) == (
        "Handvest van de grondrechten van de Europese Unie",
        "Charter of Fundamental Rights of the European Union",
        "gazetteer",
    )


def test_a_law_known_by_name_gives_way_once_the_bwb_list_identifies_it(tmp_path: Path) -> None:
    # BWBR0000000 stands in for the regulation's id in a BWB list of the future: no source gives the real one.
    (tmp_path / BWB_LIST_PIN.name).write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<NS1:BWBIdServiceResultaat xmlns:NS1="http://schemas.overheid.nl/bwbidservice"><NS1:RegelingInfoLijst>'
        "<NS1:RegelingInfo><NS1:BWBId>BWBR0000000</NS1:BWBId>"
        "<NS1:OfficieleTitel>Ministeriële regeling landelijke aanpak adreskwaliteit</NS1:OfficieleTitel>"
        "<NS1:RegelingSoort>ministeriele-regeling</NS1:RegelingSoort></NS1:RegelingInfo>"
        "</NS1:RegelingInfoLijst></NS1:BWBIdServiceResultaat>\n",
        encoding="utf-8",
    )
    harvested = gazetteer(tmp_path)
    for name in ("Ministeriële regeling landelijke aanpak adreskwaliteit", "Ministeriele regeling LAA"):
        assert harvested.lookup(name) == {"BWBR0000000"}, name
    reading = read_citations("artikel 2 Ministeriele regeling LAA", harvested)
    assert {(c.law_id, r.article) for c in reading.citations for r in c.refs} == {("BWBR0000000", "2")}
    assert harvested.lookup("Charter of Fundamental Rights of the European Union") == {CHARTER}  # not identified
    assert default_gazetteer().lookup("Ministeriele regeling LAA") == {LAA}  # without the list, as before
