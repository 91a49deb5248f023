"""The law gazetteer: the bundled sourced table, the model's laws, and every law node of the samples named."""

import re
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from loader.pipeline import prepare
from loader.reconcile.cache import ReconcileError
from loader.reconcile.law_gazetteer import Gazetteer, LawEntry, bundled_path, read_bundled
from loader.reference import default_gazetteer, reference_data
from tests.conftest import shared_path

HEADER = "law_id;title_nl;title_en;names;abbreviations;english;context;article_style;repealed;source;snapshot\n"
# The laws issue 14 found missing, by the names the register uses (the Comptabiliteitswet is left out: no
# source this project could cite gives its BWB id; the BWB list of `algokg harvest` names it).
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
