"""The YAML and JSON files the commands read besides register exports: assessment files (`algokg assess`), answers
files and the decision tree (`algokg classify`), the IAMA template, and the reference lists of `algokg load`
(organisation lists, translations, cached TOOI lists). They are held to the loader's input limits: every failure
is a located error (file, line) with exit code 2, a short message, the store unchanged, never a traceback.

Before: a JSON file nested ~50,000 deep ended in a RecursionError traceback (exit 1), a YAML alias bomb was
expanded in full (in the error message too: megabytes of it), an integer over 4,300 digits or the date 2024-13-45
raised ValueError, and a non-UTF-8 organisation list or one with a 2 MB field raised from the csv module.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from loader.cli import cli
from loader.store import build_store, current_path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "assessments"
ANSWERS = 'answered_by: Team Data\nanswers:\n  "1.1": Ja\n'
TREE = (
    'name: test tree\nversion: "1"\nquestions:\n  - questionId: "1.1"\n    question: Een algoritme?\n'
    '    answers:\n      - answer: Ja\n        nextConclusionId: "11.1"\n'
    'conclusions:\n  - conclusionId: "11.1"\n    conclusion: Geen AI-systeem\n'
)


def _bomb(levels: int, head: str = "") -> str:
    """The "billion laughs" in YAML: each level a list of nine aliases of the one before (9**levels values)."""
    lines = [f"{head}l0: &l0 [{', '.join(['xx'] * 9)}]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


DEEP = "[" * 50_000 + "]" * 50_000
# name -> (the file's text, where the error is and what it says: "line L: (document): ...")
BAD_FILES = {
    "deep.json": (
        '{"kind": "dpia", "answers":\n  ' + DEEP + "}",
        "line 2: (document): invalid JSON at column 66: arrays and objects nested deeper than 64 (ALGOKG_MAX_NESTING)",
    ),
    "deep.yaml": (
        "kind: dpia\nanswers: " + DEEP + "\n",
        "line 2: (document): invalid YAML at column 73: mappings and sequences nested deeper than 64",
    ),
    "bomb.yaml": (_bomb(7, "kind: dpia\n"), ": (document): invalid YAML at column"),  # 9**7 values: 4.8 million
    "recursive.yaml": (
        "kind: dpia\nanswers: &a [*a]\n",
        "line 2: (document): invalid YAML at column 14: the alias *a is inside the node it names (recursive)",
    ),
    "huge-number.json": (
        '{"kind": "dpia", "algorithm": ' + "9" * 5000 + "}",
        "line 1: (document): invalid JSON at column 31: a number of 5,000 characters, over the limit of 100",
    ),
    "huge-number.yaml": (
        "kind: dpia\nalgorithm: " + "9" * 5000 + "\n",
        "line 2: (document): invalid YAML at column 12: a number of 5,000 characters, over the limit of 100",
    ),
    # Found by the fuzz suite in the bounded reader (PyYAML refuses it when the reader is made, not while reading).
    "nul.yaml": ("kind: dpia\nalgorithm: \x00\n", "line 2: (document): not YAML: special characters are not allowed"),
    "no-such-date.yaml": (
        "kind: dpia\ndate: 2024-13-45\n",
        "line 2: (document): invalid YAML at column 7: '2024-13-45' is not a valid date (month must be in 1..12)",
    ),
}


@pytest.fixture(autouse=True)
def no_user_reference_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALGOKG_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ALGOKG_ORGANISATIONS", raising=False)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("file-limits") / "store"
    build_store(directory)  # the model and the example dataset
    return directory


def _state(store_dir: Path) -> tuple[str, tuple[str, ...]]:
    generation = current_path(store_dir).resolve()
    return generation.name, tuple(sorted(entry.name for entry in generation.iterdir()))


def _refused(result: Result, store_dir: Path, before: object, *expected: str) -> None:
    assert result.exit_code == 2, result.output[-2000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and len(result.output) < 2_000, result.output[:2_000]
    for text in expected:
        assert text in result.stderr, result.stderr
    assert _state(store_dir) == before


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_assess_refuses_files_over_the_input_limits(store_dir: Path, tmp_path: Path, name: str) -> None:
    text, expected = BAD_FILES[name]
    path = _write(tmp_path, name, text)
    before = _state(store_dir)
    result = CliRunner().invoke(cli, ["assess", "--store", str(store_dir), str(path)])
    _refused(result, store_dir, before, f"{path}:", expected, *(["aliases would add"] if "bomb" in name else []))


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_classify_refuses_answers_files_over_the_input_limits(store_dir: Path, tmp_path: Path, name: str) -> None:
    text, expected = BAD_FILES[name]
    path = _write(tmp_path, name, text)  # refused before its fields are looked at
    tree = _write(tmp_path, "tree.yaml", TREE)
    before = _state(store_dir)
    arguments = ["classify", "00000001", "--store", str(store_dir), "--answers", str(path), "--tree", str(tree)]
    _refused(CliRunner().invoke(cli, arguments), store_dir, before, f"{path}:", expected)


def test_a_good_answers_file_still_classifies(store_dir: Path, tmp_path: Path) -> None:
    """The bounded reading reads what it read before (the aliases of a small file included)."""
    tree = _write(tmp_path, "tree.yaml", TREE)
    answers = _write(tmp_path, "answers.yaml", ANSWERS)
    arguments = ["classify", "00000001", "--store", str(store_dir), "--answers", str(answers), "--tree", str(tree)]
    result = CliRunner().invoke(cli, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["conclusion"] == "11.1"


@pytest.mark.parametrize("name", ["deep.yaml", "bomb.yaml", "no-such-date.yaml"])
def test_a_decision_tree_or_iama_template_over_the_limits_is_a_located_error(
    store_dir: Path, tmp_path: Path, name: str
) -> None:
    text, _ = BAD_FILES[name]
    bad = _write(tmp_path, name, text)
    answers = _write(tmp_path, "answers.yaml", ANSWERS)
    before = _state(store_dir)
    arguments = ["classify", "00000001", "--store", str(store_dir), "--answers", str(answers), "--tree", str(bad)]
    _refused(CliRunner().invoke(cli, arguments), store_dir, before, f"{bad}:", "cannot read the decision tree")
    arguments = ["assess", "--store", str(store_dir), "--iama-template", str(bad), str(EXAMPLES / "dpia.yaml")]
    _refused(CliRunner().invoke(cli, arguments), store_dir, before, f"{bad}:", "cannot read the IAMA template")


@pytest.mark.parametrize(
    ("option", "name", "content", "expected"),
    [
        ("--organisations", "deep.json", DEEP.encode(), ":1: not readable as JSON: invalid JSON at column 65"),
        (
            "--organisations",
            "latin1.csv",
            "name;identifier;org_id\nGemeente Súdwest;x;gm1900\n".encode("latin-1"),
            ":2: not UTF-8: byte 0xfa",
        ),
        (
            "--organisations",
            "huge.csv",
            b'name;identifier;org_id\n"' + b"x" * 2_000_000 + b'";x;gm0001\n',
            ":2: a field over 1,048,576 characters (ALGOKG_MAX_FIELD_CHARS)",
        ),
        (
            "--translations",
            "translations.json",
            b'{"default_translations": ' + DEEP.encode() + b"}",
            ":1: no default_translations.organization: invalid JSON at column 89",
        ),
    ],
)
def test_load_refuses_reference_lists_over_the_limits(
    store_dir: Path, tmp_path: Path, option: str, name: str, content: bytes, expected: str
) -> None:
    listed = tmp_path / name
    listed.write_bytes(content)
    before = _state(store_dir)
    arguments = ["load", "--store", str(store_dir), option, str(listed), str(EXAMPLES / "dpia.yaml")]
    _refused(CliRunner().invoke(cli, arguments), store_dir, before, f"{listed}{expected}")


def test_load_refuses_a_cached_tooi_list_over_the_limits(store_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"  # ALGOKG_CACHE (no_user_reference_data)
    cache.mkdir()
    cached = cache / "tooi-rwc_gemeenten_compleet-5.json"
    cached.write_text("[" * 50_000, encoding="utf-8")
    before = _state(store_dir)
    result = CliRunner().invoke(cli, ["load", "--store", str(store_dir), str(EXAMPLES / "dpia.yaml")])
    _refused(result, store_dir, before, f"{cached}:1: not readable as JSON: invalid JSON at column 65")
