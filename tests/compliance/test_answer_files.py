"""Answer files that cannot lie (compliance.answer_files): every answers file the issue names as misread is refused
with a located error (file, line, question id, what was expected); values are shown as written. The command line's
exit code and the unchanged store are tested in test_classify_cli.py.

Before this, YAML's reading won: a repeated key kept the last answer (13.0.2 became 13.0.4), ``2.10`` became the
number 2.1 (and the error blamed question 2.10 as unanswered), an unknown question id was stored with exit 0,
and ``yes`` and an empty answer were shown as ``True`` and ``None``.
"""

from pathlib import Path

import pytest

from compliance.answer_files import AnswerFileError, check_answers, read_answers
from compliance.decision_tree import DecisionTree, read_tree
from tests.compliance.answers import DEPLOYER_13_0_2, answers_yaml
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def tree() -> DecisionTree:
    return read_tree(shared_path("reference", "aiact", "beslishulp", "decision-tree.yaml"))


def _problems(path: Path, tree: DecisionTree | None = None) -> list[tuple[int | None, str, str]]:
    with pytest.raises(AnswerFileError) as refused:
        sheet = read_answers(path)
        if tree is not None:
            check_answers(tree, sheet)
    assert refused.value.path == path or refused.value.path == str(path)
    return [(problem.line, problem.where, problem.message) for problem in refused.value.problems]


def test_a_question_answered_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    answers = tmp_path / "twice.yaml"
    answers.write_text(answers_yaml([*DEPLOYER_13_0_2, ('"2.5"', "Nee")]), encoding="utf-8")
    # before: accepted, the last answer won, and the conclusion became 13.0.4
    ((line, where, message),) = _problems(answers)
    assert (line, where) == (18, "2.5")
    assert "'2.5' occurs twice (first on line 14)" in message


def test_an_unquoted_id_is_refused_with_a_hint_to_quote_it(tmp_path: Path) -> None:
    answers = tmp_path / "unquoted.yaml"
    pairs = [(key, value) if key != '"2.9"' else ('"2.9"', "Ja") for key, value in DEPLOYER_13_0_2]
    answers.write_text(answers_yaml([*pairs, ("2.10", "Nee")]), encoding="utf-8")
    # before: YAML read 2.10 as 2.1, which overwrote question 2.1, and the error said 2.10 was not answered
    ((line, where, message),) = _problems(answers)
    assert (line, where) == (18, "2.10")
    assert 'quote question ids: write "2.10"' in message and "as a number (2.1)" in message


def test_an_unknown_question_is_refused(tmp_path: Path, tree: DecisionTree) -> None:
    answers = tmp_path / "unknown.yaml"
    answers.write_text(answers_yaml([*DEPLOYER_13_0_2, ('"9.9"', "Ja")]), encoding="utf-8")
    # before: accepted with exit 0 and stored
    ((line, where, message),) = _problems(answers, tree)
    assert (line, where) == (18, "9.9") and "no question '9.9' in the decision tree" in message


@pytest.mark.parametrize(
    ("value", "shown"),
    [("yes", "'yes' (as written) is read as a yes/no value"), ("", "an empty answer is read as empty"), ("~", "'~'")],
)
def test_yes_and_empty_answers_are_shown_as_written(tmp_path: Path, value: str, shown: str) -> None:
    answers = tmp_path / "typed.yaml"
    answers.write_text(answers_yaml([*DEPLOYER_13_0_2[:10], ('"2.5"', value)]), encoding="utf-8")
    # before: shown as True and None
    ((line, where, message),) = _problems(answers)
    assert (line, where) == (14, "2.5") and shown in message
    assert "True" not in message and "None" not in message


def test_answers_outside_the_question_are_refused_with_its_answers(tmp_path: Path, tree: DecisionTree) -> None:
    answers = tmp_path / "outside.yaml"
    pairs = [*DEPLOYER_13_0_2]
    pairs[10] = ('"2.5"', "Misschien")
    pairs[1] = ('"1.2"', "012")  # an unquoted whole number is the answer's number (YAML: octal 10): out of range
    answers.write_text(answers_yaml(pairs), encoding="utf-8")
    found = _problems(answers, tree)
    assert [(line, where) for line, where, _ in found] == [(5, "1.2"), (14, "2.5")]
    assert (
        "'012' (as written) is not an answer to question 1.2" in found[0][2]
        and "9. Geen van bovenstaande" in found[0][2]
    )
    assert "'Misschien' (as written) is not an answer to question 2.5" in found[1][2] and "1. Ja; 2. Nee" in found[1][2]


def test_json_files_are_read_as_strictly(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        '{"answered_by": "Team X",\n "answers": {\n  "1.1": "Ja",\n  "2.5": true,\n  "1.1": "Nee"\n }\n}\n',
        encoding="utf-8",
    )
    found = _problems(answers)
    assert [(line, where) for line, where, _ in found] == [(4, "2.5"), (5, "1.1")]
    assert "'true' (as written) is read as a yes/no value" in found[0][2]
    assert "'1.1' occurs twice (first on line 3)" in found[1][2]


def test_unknown_fields_and_missing_answerer(tmp_path: Path) -> None:
    answers = tmp_path / "fields.yaml"
    answers.write_text('algorithm: "00000001"\nanswers:\n  "1.1": Ja\n', encoding="utf-8")
    found = _problems(answers)
    assert (1, "algorithm") in [(line, where) for line, where, _ in found]
    assert any(where == "answered_by" and "say who answered" in message for _, where, message in found)


def test_a_good_file_keeps_values_as_written(tmp_path: Path, tree: DecisionTree) -> None:
    answers = tmp_path / "good.yaml"
    pairs = [*DEPLOYER_13_0_2]
    pairs[5] = ('"2.0"', "1")  # the answer's number
    answers.write_text(answers_yaml(pairs), encoding="utf-8")
    sheet = read_answers(answers)
    check_answers(tree, sheet)
    assert sheet.answers["2.0"] == 1 and sheet.written("2.0") == "1" and sheet.written("1.1") == "Ja"
    assert [item.line for item in sheet.given][:2] == [4, 5]
