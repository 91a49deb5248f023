"""`algokg classify` as a supervisor and an answering organisation use it, on a real on-disk store (the model and
the example dataset): bad answer files are refused (exit 2, nothing stored, located, values as written); results
where the AI Act does not apply store no operator roles; every conclusion is printed with its meaning in words,
labels are explained where they were given, and notes are in the output itself (text and JSON), in NL and EN.

Each test states what the command did before (the defects of issue 15).
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pyoxigraph import NamedNode, Variable

from loader.cli import cli
from loader.store import build_store, open_store
from tests.compliance.answers import COMMON, DEPLOYER_13_0_2, answers_yaml
from tests.conftest import shared_path

EXEMPT_11_2 = [*COMMON, ('"1.5"', "Ja")]  # 1.5 Ja: an exemption (e.g. military) -> 11.2
OPEN_SOURCE_11_2 = [  # not high-risk, open source, no transparency duty -> 11.2 (Art 2(12))
    *COMMON,
    ('"1.5"', "Nee"),
    ('"2.0"', "Naar risicogroep bepaling"),
    ('"2.1"', "Nee"),
    ('"2.3"', "Geen van beide"),
    ('"2.4"', "Nee"),
    ('"2.11"', "Ja"),
    ('"2.9"', "Nee"),
]
NOT_AI_11_1 = [*COMMON[:3], ('"1.4.1"', "Ik weet het niet"), ('"1.6.1"', "Ja")]  # rule-based -> 11.1


@pytest.fixture(scope="module")
def tree_file() -> Path:
    return shared_path("reference", "aiact", "beslishulp", "decision-tree.yaml")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("classify-cli") / "store"
    build_store(directory)  # the model and the example dataset: 00000001 (Annex III 5(a)), 00000002, 00000003
    return directory


def _classify(store_dir: Path, tree_file: Path, answers: Path, algorithm: str = "00000001", *more: str) -> Result:
    arguments = ["classify", algorithm, "--store", str(store_dir), "--answers", str(answers), "--tree", str(tree_file)]
    return CliRunner().invoke(cli, [*arguments, *more])


@pytest.mark.parametrize(
    ("name", "pairs", "expected"),
    [
        # before: accepted, the last answer won: conclusion 13.0.4 instead of 13.0.2
        ("twice", [*DEPLOYER_13_0_2, ('"2.5"', "Nee")], "line 18: 2.5: '2.5' occurs twice (first on line 14)"),
        # before: 2.10 read as 2.1, and the error blamed question 2.10 as not answered
        (
            "unquoted",
            [*DEPLOYER_13_0_2, ("2.10", "Nee")],
            'line 18: 2.10: question id 2.10 is not text; quote question ids: write "2.10"',
        ),
        # before: accepted with exit 0 and stored
        ("unknown", [*DEPLOYER_13_0_2, ('"9.9"', "Ja")], "line 18: 9.9: no question '9.9' in the decision tree"),
        # before: "True is not an answer"
        (
            "yes",
            [*DEPLOYER_13_0_2[:10], ('"2.5"', "yes")],
            "line 14: 2.5: 'yes' (as written) is read as a yes/no value",
        ),
        # before: "None is not an answer"
        ("empty", [*DEPLOYER_13_0_2[:10], ('"2.5"', "")], "line 14: 2.5: an empty answer is read as empty"),
        (
            "outside",
            [*DEPLOYER_13_0_2[:10], ('"2.5"', "Misschien")],
            "line 14: 2.5: 'Misschien' (as written) is not an answer",
        ),
    ],
)
def test_bad_answer_files_are_refused_and_nothing_is_stored(
    tmp_path: Path, store_dir: Path, tree_file: Path, name: str, pairs: list[tuple[str, str]], expected: str
) -> None:
    answers = tmp_path / f"{name}.yaml"
    answers.write_text(answers_yaml(pairs), encoding="utf-8")
    before = (store_dir / "current").resolve()
    result = _classify(store_dir, tree_file, answers)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{answers}:{expected}" in result.stderr, result.stderr
    assert "True" not in result.stderr and "None" not in result.stderr
    assert (store_dir / "current").resolve() == before


def _roles(store_dir: Path, classification: str) -> list[str]:
    rows = open_store(store_dir).query(
        "SELECT ?c ?role WHERE { ?c <https://w3id.org/algokg/def#classifiedRole>|"
        "<https://w3id.org/algokg/def#classifiedRoleAssignment>/<https://w3id.org/algokg/def#aiActRole> ?role }",
        substitutions={Variable("c"): NamedNode(classification)},
        use_default_graph_as_union=True,
    )
    return [row["role"].value for row in rows]  # type: ignore[index, union-attr]


@pytest.mark.parametrize(
    ("name", "pairs", "conclusion", "reason_en", "reason_nl"),
    [
        ("not-ai", NOT_AI_11_1, "11.1", "neither an AI system nor an AI model", "geen AI-systeem en geen AI-model"),
        ("exempt", EXEMPT_11_2, "11.2", "an exemption applies", "er geldt een uitzondering"),
        ("open-source", OPEN_SOURCE_11_2, "11.2", "free and open-source licence", "open of vrije licentie"),
    ],
)
def test_out_of_scope_results_say_so_and_store_no_roles(
    tmp_path: Path,
    store_dir: Path,
    tree_file: Path,
    name: str,
    pairs: list[tuple[str, str]],
    conclusion: str,
    reason_en: str,
    reason_nl: str,
) -> None:
    answers = tmp_path / f"{name}.yaml"
    answers.write_text(answers_yaml(pairs), encoding="utf-8")
    english = _classify(store_dir, tree_file, answers, "00000003")
    assert english.exit_code == 0, english.output
    # before: "conclusion 11.2 (minimal)"; the "does not apply" note only for 11.1, and only on stderr
    assert english.stdout.startswith(f"00000003: conclusion {conclusion}: The AI Act does not apply: ")
    assert reason_en in english.stdout and "minimal" not in english.stdout
    assert "no operator roles are stored" in english.stdout
    dutch = _classify(store_dir, tree_file, answers, "00000003", "--json", "--language", "nl")
    summary = json.loads(dutch.stdout)
    assert summary["meaning"].startswith("De AI-verordening is niet van toepassing") and reason_nl in summary["meaning"]
    assert (summary["risk_level"], summary["levels"], summary["roles"]) == (None, [], [])
    assert any("er worden geen rollen vastgelegd" in note for note in summary["notes"])
    # before: the provider/deployer roles of question 1.2 were stored
    assert _roles(store_dir, summary["classification"]) == []


def test_conclusion_category_and_labels_in_words(tmp_path: Path, store_dir: Path, tree_file: Path) -> None:
    answers = tmp_path / "deployer.yaml"
    answers.write_text(answers_yaml(DEPLOYER_13_0_2), encoding="utf-8")
    text = _classify(store_dir, tree_file, answers)
    assert text.exit_code == 0, text.output
    assert "conclusion 13.0.2: The AI Act applies: you are the deployer of a high-risk AI system." in text.stdout
    # 00000001 records Annex III point 5(a); the tree does not ask it
    assert "category: high-risk, Annex III point 5(a) (Article 6(2))" in text.stdout
    assert "deployer, held by https://w3id.org/algokg/id/example/noorderhaaks" in text.stdout
    # before: the raw label "niet van toepassing", which reads as "not applicable"
    assert "niet van toepassing (2.7.2): no third-party conformity assessment required (Annex III)" in text.stdout
    assert "2.5  Voert het AI-systeem profilering van natuurlijke personen uit?  → Ja" in text.stdout
    # the tree's text and the program's cut-off differ: said in the output, not on stderr
    assert "2 December 2027" in text.stdout and "2 August 2026" in text.stdout
    dutch = _classify(store_dir, tree_file, answers, "00000001", "--language", "nl")
    assert (
        "conclusie 13.0.2: De AI-verordening is van toepassing: je bent gebruiksverantwoordelijke van een "
        in dutch.stdout
    )
    assert "categorie: hoog risico, bijlage III, punt 5(a) (artikel 6, lid 2)" in dutch.stdout
    assert "geen conformiteitsbeoordeling door een derde partij verplicht" in dutch.stdout
