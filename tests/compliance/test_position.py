"""Rule 1, one AI Act position per algorithm: classifying an algorithm with the decision tree changes its
obligations, the supervisor reports, its Annex VIII export (and its page: tests/web/test_aiact_page.py), per
conclusion family; the newest classification wins, both positions are kept and shown, a disagreement is a finding
of `algokg report`. On a real on-disk store (the model, the example dataset and position-fixture.ttl), through the
command line, as a supervisor would run it.

Before, `algokg obligations` read only what was declared: after classifying 91000002 as prohibited its obligations
were unchanged (AI literacy, no Art 5); after classifying 91000003 as a chatbot it printed "no AI Act obligations
found"; nothing said that a classification and the declaration differ.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance.position import Classified, Position
from loader.cli import cli
from loader.store import build_store
from tests.conftest import shared_path

FIXTURE = Path(__file__).parent / "position-fixture.ttl"
FX = "https://example.org/position-fixture/"
RISK = "https://w3id.org/algokg/id/aiact-risk-level/"
PRACTICE = "https://w3id.org/algokg/id/scheme/aiact-prohibited-practice"
ART_50 = "https://w3id.org/algokg/id/scheme/aiact-art-50"
HEAD = "answered_by: Team Data, gemeente Voorbeeldstad\nanswered_at: {at}\n{organisation}answers:\n"
SYSTEM = [('"1.1"', "Ja"), ('"1.3"', "In gebruik"), ('"1.4.1"', "Ja, het is een AI-systeem"), ('"1.5"', "Nee")]
RISK_QUESTIONS = [('"2.0"', "1"), ('"2.1"', "Nee"), ('"2.3"', "Geen van beide")]
EXTERNAL = ('"1.2"', "We gebruiken een extern ontwikkelde toepassing zonder aanpassingen")
OWN = ('"1.2"', "We ontwikkelen en gebruiken het zelf")
# Each traced by hand through the published tree (the path is in tests/compliance/aiact-hand-traced.yaml too).
ANSWERS = {
    # 1.2 deployer; 2.4 Annex III, 2.7.2 no third party, 2.5 profiling -> high-risk; 2.9 Nee -> 13.0.2
    "13.0.2": [
        EXTERNAL,
        *SYSTEM,
        *RISK_QUESTIONS,
        ('"2.4"', "Ja"),
        ('"2.7.2"', "Nee"),
        ('"2.5"', "Ja"),
        ('"2.9"', "Nee"),
    ],
    # ... 2.5 no profiling, 2.6 Ja (an Art 6(3) exception) -> not high-risk; 2.11 Nee, 2.9 Nee -> 13.0.4
    "13.0.4": [
        EXTERNAL,
        *SYSTEM,
        *RISK_QUESTIONS,
        ('"2.4"', "Ja"),
        ('"2.7.2"', "Nee"),
        ('"2.5"', "Nee"),
        ('"2.6"', "Ja"),
        ('"2.11"', "Nee"),
        ('"2.9"', "Nee"),
    ],
    # 2.1 Ja (an Art 5 practice), 2.2 Nee (no exception) -> verboden AI; deployer -> 13.0.0
    "13.0.0": [EXTERNAL, *SYSTEM, ('"2.0"', "1"), ('"2.1"', "Ja"), ('"2.2"', "Nee")],
    # provider and deployer; 2.4 Nee -> not high-risk; 2.11 Nee; 2.9 Ja, 2.10 Nee -> transparency -> 14.0.3
    "14.0.3": [OWN, *SYSTEM, *RISK_QUESTIONS, ('"2.4"', "Nee"), ('"2.11"', "Nee"), ('"2.9"', "Ja"), ('"2.10"', "Nee")],
    # 1.4.1 "Ik weet het niet", 1.6.1 Ja (rules set by people) -> 11.1
    "11.1": [EXTERNAL, ('"1.1"', "Ja"), ('"1.3"', "In gebruik"), ('"1.4.1"', "Ik weet het niet"), ('"1.6.1"', "Ja")],
    # 1.2 "We ontwikkelen enkel" (provider); 1.4.1 Nee, 1.4.2 GPAI model -> 1.5 Nee -> 2.0 -> 2.8 Ja -> 12.2.1
    "12.2.1": [
        ('"1.1"', "Ja"),
        ('"1.2"', "We ontwikkelen enkel"),
        ('"1.3"', "In ontwikkeling"),
        ('"1.4.1"', "Nee, het is geen AI-systeem"),
        ('"1.4.2"', "AI-model voor algemene doeleinden"),
        ('"1.5"', "Nee"),
        ('"2.0"', "1"),
        ('"2.8"', "Ja"),
    ],
    # 1.2 importer; 2.4 Ja, 2.7.2 Nee, 2.5 Ja -> high-risk; importer and AI system -> 15.0.1
    "15.0.1": [
        ('"1.2"', "We importeren van een leverancier buiten de EU"),
        *SYSTEM,
        *RISK_QUESTIONS,
        ('"2.4"', "Ja"),
        ('"2.7.2"', "Nee"),
        ('"2.5"', "Ja"),
    ],
}


@pytest.fixture(scope="module")
def tree_file() -> Path:
    return shared_path("reference", "aiact", "beslishulp", "decision-tree.yaml")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("position") / "store"
    build_store(directory, datasets=[("position-fixture", FIXTURE)])
    return directory


def _run(*arguments: str) -> str:
    result = CliRunner().invoke(cli, list(arguments))
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _classify(
    store_dir: Path, tree_file: Path, algorithm: str, conclusion: str, at: str, organisation: str = ""
) -> dict:
    answers = store_dir.parent / f"{algorithm}-{conclusion}.yaml"
    head = HEAD.format(at=at, organisation=f"organisation: {organisation}\n" if organisation else "")
    answers.write_text(head + "".join(f"  {key}: {value}\n" for key, value in ANSWERS[conclusion]), encoding="utf-8")
    summary = json.loads(
        _run(
            "classify",
            algorithm,
            "--store",
            str(store_dir),
            "--answers",
            str(answers),
            "--tree",
            str(tree_file),
            "--json",
        )
    )
    assert summary["conclusion"] == conclusion
    return summary


def _obligations(store_dir: Path, algorithm: str, *more: str) -> dict:
    return json.loads(_run("obligations", algorithm, "--store", str(store_dir), "--json", *more))


def _duties(payload: dict) -> dict[tuple[str, str], dict]:
    return {(o["obligation"].rsplit("/", 1)[-1], o["role"].rsplit("/", 1)[-1]): o for o in payload["obligations"]}


def _findings(store_dir: Path, name: str) -> dict[str, dict]:
    (report,) = json.loads(_run("report", name, "--store", str(store_dir), "--format", "json", "--on", "2026-06-01"))
    return {member["algorithmId"]: member for member in report["member"]}


def test_high_risk_then_art_6_3_newest_classification_wins(store_dir: Path, tree_file: Path) -> None:
    declared = _duties(_obligations(store_dir, "91000001"))
    _classify(store_dir, tree_file, "91000001", "13.0.2", "2026-05-01T10:00:00+02:00")
    agreeing = _obligations(store_dir, "91000001")
    assert agreeing["position"]["basis"] == "classification" and not agreeing["position"]["disagreement"]
    # The classification agrees with the declaration: the same duties (the vendor's provider duties stay).
    assert set(_duties(agreeing)) == set(declared) >= {("aiact-art-27", "deployer"), ("aiact-art-16", "provider")}
    assert "91000001" in _findings(store_dir, "fria-missing")
    assert (
        _run("annex-viii", "91000001", "--store", str(store_dir))
        and json.loads(_run("annex-viii", "91000001", "--store", str(store_dir)))["applies"]
    )

    # A newer classification: not high-risk by Art 6(3). It counts; both are kept; the disagreement is a finding.
    _classify(store_dir, tree_file, "91000001", "13.0.4", "2026-06-01T10:00:00+02:00")
    payload = _obligations(store_dir, "91000001")
    position = payload["position"]
    assert position["levels"] == [f"{RISK}not-high-risk-art-6-3"]
    assert position["declared"]["levels"] == [f"{RISK}high-risk-annex-iii"]
    assert position["classification"]["conclusion_id"] == "13.0.4" and position["disagreement"]
    assert set(_duties(payload)) == {
        ("aiact-art-4", "deployer"),
        ("aiact-art-4", "provider"),
        ("aiact-art-6-4", "provider"),  # the vendor, declared as provider, documents the Art 6(3) assessment
        ("aiact-art-49-2", "provider"),
    }
    assert any("differ: the classification counts" in note for note in payload["notes"])
    finding = _findings(store_dir, "aiact-disagreement")["91000001"]
    assert finding["text"] == (
        "the register says “high-risk, Annex III (Article 6(2))”, the classification says “not high-risk: the "
        "Article 6(3) exception for an Annex III system”"
    )
    assert finding["conclusion"] == "13.0.4" and finding["answeredBy"] == "Team Data, gemeente Voorbeeldstad"
    text = _run("report", "aiact-disagreement", "--store", str(store_dir))
    assert "91000001  aiact-disagreement" in text and "the classification says" in text
    # Reports and the Annex VIII export follow: no FRIA due, category A no longer makes it high-risk, section B.
    assert "91000001" not in _findings(store_dir, "fria-missing")
    assert "91000001" not in _findings(store_dir, "assessment-gaps")
    section_c = json.loads(_run("annex-viii", "91000001", "--store", str(store_dir)))
    section_b = json.loads(_run("annex-viii", "91000001", "--store", str(store_dir), "--section", "b"))
    assert (section_c["applies"], section_b["applies"]) == (False, True)
    assert section_b["position"]["classification"]["conclusion_id"] == "13.0.4"
    assert [item["values"]["provider"][0]["id"] for item in section_b["items"] if item["point"] == 1] == [f"{FX}vendor"]


def test_prohibited(store_dir: Path, tree_file: Path) -> None:
    before = _duties(_obligations(store_dir, "91000002"))
    assert set(before) == {("aiact-art-4", "deployer")}  # as declared: minimal risk
    _classify(store_dir, tree_file, "91000002", "13.0.0", "2026-05-01T10:00:00+02:00")
    after = _duties(_obligations(store_dir, "91000002"))
    # Art 5 for the deployer; which practice is not recorded (the tree does not ask), so it is conditional.
    assert set(after) == {("aiact-art-5", "deployer"), ("aiact-art-5-1-ba-bb", "deployer")}
    assert after[("aiact-art-5", "deployer")]["depends_on"] == [PRACTICE]
    assert after[("aiact-art-5", "deployer")]["applies_from"] == "2025-02-02"
    assert after[("aiact-art-5", "deployer")]["role_holders"] == [f"{FX}municipality"]
    text = _run("obligations", "91000002", "--store", str(store_dir))
    assert (
        "AI Act position: prohibited AI practice (Article 5)" in text and "condition: applies if the practice" in text
    )
    assert "91000002" in _findings(store_dir, "aiact-disagreement")


def test_chatbot(store_dir: Path, tree_file: Path) -> None:
    assert _obligations(store_dir, "91000003")["obligations"] == []
    _classify(store_dir, tree_file, "91000003", "14.0.3", "2026-05-01T10:00:00+02:00")
    after = _duties(_obligations(store_dir, "91000003"))
    assert set(after) == {
        ("aiact-art-4", "deployer"),
        ("aiact-art-4", "provider"),
        ("aiact-art-50-1", "provider"),
        ("aiact-art-50-2", "provider"),
        ("aiact-art-50-3", "deployer"),
        ("aiact-art-50-4-deep-fake", "deployer"),
        ("aiact-art-50-4-text", "deployer"),
    }
    assert after[("aiact-art-50-1", "provider")]["depends_on"] == [ART_50]
    assert after[("aiact-art-4", "provider")]["applies_from"] == "2025-02-02"
    # Nothing was declared: no disagreement.
    assert "91000003" not in _findings(store_dir, "aiact-disagreement")
    assert "no AI Act obligations found" not in _run("obligations", "91000003", "--store", str(store_dir))


def test_not_an_ai_system_removes_every_role(store_dir: Path, tree_file: Path) -> None:
    assert _json_applies(store_dir, "91000004") is True
    _classify(store_dir, tree_file, "91000004", "11.1", "2026-05-01T10:00:00+02:00")
    payload = _obligations(store_dir, "91000004")
    assert payload["obligations"] == [] and payload["position"]["roles"] == []
    assert any("the AI Act does not apply (conclusion 11.1)" in note for note in payload["notes"])
    export = json.loads(_run("annex-viii", "91000004", "--store", str(store_dir)))
    assert export["applies"] is False and any("AI Act does not apply" in note for note in export["notes"])
    finding = _findings(store_dir, "aiact-disagreement")["91000004"]
    assert finding["text"].endswith("the classification says “the AI Act does not apply (conclusion 11.1)”")


def _json_applies(store_dir: Path, algorithm: str) -> bool:
    return bool(json.loads(_run("annex-viii", algorithm, "--store", str(store_dir)))["applies"])


def test_general_purpose_model_and_importer(store_dir: Path, tree_file: Path) -> None:
    _classify(store_dir, tree_file, "91000005", "12.2.1", "2026-05-01T10:00:00+02:00", f"{FX}lab")
    model = _duties(_obligations(store_dir, "91000005"))
    assert set(model) == {("aiact-art-53", "provider"), ("aiact-art-55", "provider")}
    # No begin date: Art 113(b) governs, Art 111(3) is the alternative for a model placed before 2 August 2025.
    art_53 = model[("aiact-art-53", "provider")]
    assert (art_53["applies_from"], art_53["transitional_from"], art_53["transitional_cut_off"]) == (
        "2025-08-02",
        "2027-08-02",
        "2025-08-02",
    )
    assert art_53["role_holders"] == [f"{FX}lab"]
    _classify(store_dir, tree_file, "91000006", "15.0.1", "2026-05-01T10:00:00+02:00")
    imported = _obligations(store_dir, "91000006")
    assert imported["obligations"] == []
    assert [role["role"].rsplit("/", 1)[-1] for role in imported["position"]["roles"]] == ["importer"]
    assert any("importer" in note and "not in algokg's obligation data" in note for note in imported["notes"])


@pytest.mark.parametrize(
    ("declared", "classified", "disagrees"),
    [
        (("high-risk-annex-iii",), ("high-risk-annex-iii", "transparency"), False),  # the register cannot say more
        (("gpai",), ("gpai-systemic",), False),  # a broader level agrees (skos:broader in the scheme)
        (
            ("high-risk-annex-iii",),
            ("not-high-risk-art-6-3",),
            True,
        ),  # "register says high-risk, classification Art 6(3)"
        (("transparency",), ("high-risk-annex-iii", "transparency"), True),
        (("minimal",), (), True),  # the classification found that the AI Act does not apply
        ((), ("prohibited",), False),  # nothing declared: nothing to disagree with
    ],
)
def test_when_categories_disagree(declared: tuple[str, ...], classified: tuple[str, ...], disagrees: bool) -> None:
    position = Position(
        "a",
        declared_levels=tuple(RISK + level for level in declared),
        classified=Classified("c", "2026-05-01", levels=tuple(RISK + level for level in classified)),
        broader=((RISK + "gpai-systemic", RISK + "gpai"),),
    )
    assert position.disagrees is disagrees
    assert position.basis == "classification" and position.levels == tuple(RISK + level for level in classified)
