"""The answers file of an AI Act classification (YAML or JSON), read strictly: nothing in it may be misread.

An organisation fills in::

    answered_by: Team Data & Analyse, gemeente Voorbeeld   # who answered (required)
    organisation: https://identifier.overheid.nl/tooi/id/gemeente/gm0363   # on whose behalf (optional)
    answered_at: 2026-05-01T10:00:00+02:00                 # optional; default: now
    answers:                                               # question id (quoted) -> answer text, or its number
      "1.1": Ja
      "1.2": We ontwikkelen en gebruiken het zelf

YAML reads an unquoted ``2.10`` as the number 2.1, ``yes`` as true and an empty value as null; a mapping may
repeat a key and the last one silently wins. Here each of those is a located error (file, line, question id,
what was expected): a question id must be text (quoted), no key may occur twice, an answer must be the text of
one of the question's answers or its number (an unquoted whole number), and :func:`check_answers` refuses ids
the tree does not have and answers a question does not offer. Values are kept and shown as written.
"""

import bisect
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from compliance.assessment_files import Problem
from compliance.decision_tree import DecisionTree, Question
from loader.errors import AlgokgError, SourceError
from loader.mapping import terms as t
from loader.sources.json_text import parse_json
from loader.sources.yaml_text import compose_yaml

__all__ = ["AnswerFileError", "AnswerSheet", "GivenAnswer", "check_answers", "read_answers"]

FIELDS = ("answered_by", "answered_at", "organisation", "answers")
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_KINDS = {
    "tag:yaml.org,2002:float": "a number",
    _INT: "a number",
    "tag:yaml.org,2002:bool": "a yes/no value",
    "tag:yaml.org,2002:null": "empty",
    "tag:yaml.org,2002:timestamp": "a date",
}
QUOTE_HINT = 'quote question ids: write "{id}": … (YAML reads an unquoted {id} as {read})'


class AnswerFileError(AlgokgError):
    """An answers file that cannot be read as written; ``problems`` lists every one, each with its line."""

    def __init__(self, path: Path | str, problems: list[Problem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first.message}{more}", path=path, line=first.line, field=first.where or None)
        self.problems = tuple(problems)

    def details(self) -> str:
        """Every problem on its own line: ``file:line: where: what``."""
        return "\n".join(f"{self.path}:{problem}" for problem in self.problems)


@dataclass(frozen=True)
class GivenAnswer:
    """One answer as the file gives it: the question id, the value as written, what it means, and its line.

    :param value: the answer text, or the 1-based number of the answer (an unquoted whole number).
    """

    question: str
    written: str
    value: str | int
    line: int | None = None


@dataclass(frozen=True)
class AnswerSheet:
    """A read answers file: who answered, when, on whose behalf, and every answer in file order."""

    answered_by: str
    answered_at: datetime
    given: tuple[GivenAnswer, ...]
    organisation: str | None = None
    source: str = ""
    sha256: str = ""

    @classmethod
    def of(
        cls, answered_by: str, answered_at: datetime, answers: Mapping[str, str | int], **more: Any
    ) -> "AnswerSheet":
        """A sheet built in code (tests, generated answers): every answer as if written so."""
        given = tuple(GivenAnswer(question, str(value), value) for question, value in answers.items())
        return cls(answered_by, answered_at, given, **more)

    @property
    def answers(self) -> dict[str, str | int]:
        """Question id -> answer (text or number), what the tree is run on."""
        return {item.question: item.value for item in self.given}

    def written(self, question: str) -> str | None:
        return next((item.written for item in self.given if item.question == question), None)


def read_answers(path: Path) -> AnswerSheet:
    """Read an answers file (``.json``, else YAML) within the loader's input limits (nesting, field and number
    sizes; YAML aliases count against the entity-expansion limit); ``answered_at`` without a zone is taken as UTC.

    :raises AnswerFileError: unreadable, over a limit, not a mapping, a repeated key, an unknown field, a question
        id that is not text, an answer that is not text or a whole number, no ``answered_by``, no answers, a bad
        date or organisation — every problem with its line.
    """
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AnswerFileError(path, [Problem("", f"cannot read the answers: {error}")]) from error
    entries = _json_entries(text, path) if path.suffix.lower() == ".json" else _yaml_entries(text, path)
    problems: list[Problem] = []
    top: dict[str, _Entry] = {}
    for entry in entries.fields:
        if entry.key not in FIELDS:
            problems.append(Problem(entry.key, f"unknown field; an answers file has {', '.join(FIELDS)}", entry.line))
        elif entry.key in top:
            problems.append(_twice(entry.key, top[entry.key].line, entry.line))
        else:
            top[entry.key] = entry
    given, answer_problems = _answers(entries, top.get("answers"))
    problems += answer_problems
    answered_by = top["answered_by"].text.strip() if "answered_by" in top and top["answered_by"].is_text else ""
    if not answered_by:
        line = top["answered_by"].line if "answered_by" in top else None
        problems.append(Problem("answered_by", "say who answered (answered_by: a name)", line))
    moment = _moment(top.get("answered_at"), problems)
    organisation = _organisation(top.get("organisation"), problems)
    if problems:
        raise AnswerFileError(path, sorted(problems, key=lambda p: (p.line or 0, p.where)))
    return AnswerSheet(
        answered_by=answered_by,
        answered_at=moment,
        given=tuple(given),
        organisation=organisation,
        source=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def check_answers(tree: DecisionTree, sheet: AnswerSheet) -> None:
    """Every answered question is one of the tree's and every answer one its question offers.

    :raises AnswerFileError: an unknown question id or an answer outside the question's answers (each located,
        the answer shown as written, the question's answers listed).
    """
    problems: list[Problem] = []
    for item in sheet.given:
        question = tree.questions.get(item.question)
        if question is None:
            known = ", ".join(tree.questions)
            problems.append(
                Problem(
                    item.question,
                    f"no question {item.question!r} in the decision tree ({tree.name} {tree.version}); "
                    f"its questions are {known}",
                    item.line,
                )
            )
        elif not _offers(question, item.value):
            problems.append(
                Problem(
                    item.question,
                    f"{_shown(item.written)} is not an answer to question {item.question} ({question.text!r}); "
                    f"give the text of one of its answers or its number: {choices(question)}",
                    item.line,
                )
            )
    if problems:
        raise AnswerFileError(sheet.source, problems)


def choices(question: Question) -> str:
    """``1. Ja; 2. Nee``: a question's answers with their numbers."""
    return "; ".join(f"{number}. {option.text}" for number, option in enumerate(question.options, 1))


def _offers(question: Question, value: str | int) -> bool:
    if isinstance(value, int):
        return 1 <= value <= len(question.options)
    wanted = value.strip().casefold()
    return any(option.text.strip().casefold() == wanted for option in question.options)


def _shown(written: str) -> str:
    return f"{written!r} (as written)" if written else "an empty answer"


# -- reading the document, keeping lines and values as written ---------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """A key of a mapping with its value: the key as written, whether it is text, the value as written."""

    key: str
    key_kind: str | None  # None: text; else what YAML made of it ("a number", ...)
    text: str
    kind: str | None  # None: text; "a number" for a whole number; other kinds are errors for answers
    line: int | None
    nested: bool = False  # the value is a mapping or a list

    @property
    def is_text(self) -> bool:
        return self.kind is None and not self.nested


@dataclass(frozen=True)
class _Document:
    fields: list[_Entry]
    answers: list[_Entry] | None  # None: answers is absent or not a mapping


def _yaml_entries(text: str, path: Path) -> _Document:
    try:
        root = compose_yaml(text, label=str(path))
    except SourceError as error:
        raise AnswerFileError(path, [Problem("", error.message, error.line)]) from None
    if not isinstance(root, yaml.MappingNode):
        raise AnswerFileError(path, [Problem("", f"expected a mapping with {', '.join(FIELDS)}", 1)])
    fields = list(_yaml_mapping(root))
    answers_node = next((value for key, value in root.value if key.value == "answers"), None)
    answers = list(_yaml_mapping(answers_node)) if isinstance(answers_node, yaml.MappingNode) else None
    return _Document(fields, answers)


def _yaml_mapping(node: yaml.MappingNode) -> Iterator[_Entry]:
    for key, value in node.value:
        kind = None if value.tag == _STR else _KINDS.get(value.tag, "not text")
        if value.tag == _INT:
            kind = "a whole number"
        yield _Entry(
            key=str(key.value) if isinstance(key, yaml.ScalarNode) else "(a key that is not text)",
            key_kind=None if key.tag == _STR else _KINDS.get(key.tag, "not text"),
            text=value.value if isinstance(value, yaml.ScalarNode) else "",
            kind=kind,
            line=key.start_mark.line + 1,
            nested=not isinstance(value, yaml.ScalarNode),
        )


def _json_entries(text: str, path: Path) -> _Document:
    try:
        parse_json(text, label=str(path))  # nesting, numbers and strings within the limits: then read it as pairs
    except SourceError as error:
        raise AnswerFileError(path, [Problem(error.field or "", error.message, error.line)]) from None
    document = json.loads(text, object_pairs_hook=list)
    if not isinstance(document, list) or (document and not isinstance(document[0], tuple)):
        raise AnswerFileError(path, [Problem("", f"expected an object with {', '.join(FIELDS)}", 1)])
    lines = _JsonLines(text)
    fields = [_json_entry(key, value, lines.find(key)) for key, value in document]
    raw = next((value for key, value in document if key == "answers"), None)
    answers = None
    if isinstance(raw, list) and all(isinstance(pair, tuple) for pair in raw):
        lines.seek_after("answers")
        answers = [_json_entry(key, value, lines.find(key)) for key, value in raw]
    return _Document(fields, answers)


def _json_entry(key: str, value: Any, line: int | None) -> _Entry:
    if isinstance(value, str):
        return _Entry(key, None, value, None, line)
    if isinstance(value, bool) or value is None:
        return _Entry(key, None, json.dumps(value), "a yes/no value" if value is not None else "empty", line)
    if isinstance(value, int):
        return _Entry(key, None, str(value), "a whole number", line)
    if isinstance(value, float):
        return _Entry(key, None, json.dumps(value), "a number", line)
    return _Entry(key, None, "", "not text", line, nested=True)


class _JsonLines:
    """Lines of keys in JSON text, found in order (``json`` keeps no positions): the n-th ``"key":`` is the
    n-th occurrence of that key, so a repeated key gets the line of its own occurrence. The text is read once,
    string by string (a string inside another is never taken for a key)."""

    def __init__(self, text: str) -> None:
        self.places: dict[str, list[tuple[int, int]]] = {}  # key -> (offset, line) of each `"key":`, in order
        line, counted = 1, 0
        for match in _JSON_STRING.finditer(text):
            if match["colon"] is None:
                continue
            line += text.count("\n", counted, match.start())
            counted = match.start()
            self.places.setdefault(json.loads(match["string"]), []).append((match.start(), line))
        self.start = 0
        self.seen: dict[str, int] = {}

    def seek_after(self, key: str) -> None:
        first = self.places.get(key)
        self.start, self.seen = (first[0][0] + 1 if first else 0), {}

    def find(self, key: str) -> int | None:
        places = self.places.get(key, [])
        index = bisect.bisect_left(places, (self.start, 0)) + self.seen.get(key, 0)
        self.seen[key] = self.seen.get(key, 0) + 1
        return places[index][1] if index < len(places) else None


# A string (the text is valid JSON here), and whether a colon follows it: then it is a key.
_JSON_STRING = re.compile(r'(?P<string>"(?:[^"\\]++|\\.)*+")(?P<colon>\s*:)?', re.DOTALL)


def _answers(document: _Document, entry: _Entry | None) -> tuple[list[GivenAnswer], list[Problem]]:
    if entry is None or document.answers is None or not document.answers:
        line = entry.line if entry else None
        return [], [Problem("answers", 'answers must map question ids to answers, e.g. "1.1": Ja', line)]
    given: list[GivenAnswer] = []
    problems: list[Problem] = []
    lines: dict[str, int | None] = {}
    for item in document.answers:
        if item.key_kind is not None:
            read = f"{item.key_kind} ({_read_as(item.key)})" if item.key_kind == "a number" else item.key_kind
            problems.append(
                Problem(
                    item.key,
                    f"question id {item.key} is not text; {QUOTE_HINT.format(id=item.key, read=read)}",
                    item.line,
                )
            )
            continue
        if item.key in lines:
            problems.append(_twice(item.key, lines[item.key], item.line))
            continue
        lines[item.key] = item.line
        if item.nested:
            problems.append(
                Problem(item.key, "an answer is one text (or its number), not a list or mapping", item.line)
            )
        elif item.kind == "a whole number":
            # YAML's own reading of the number (0x1A, 012, 1_000 are numbers too): the answer's 1-based number
            given.append(GivenAnswer(item.key, item.text, int(yaml.safe_load(item.text)), item.line))
        elif item.kind is None:
            given.append(GivenAnswer(item.key, item.text, item.text, item.line))
        else:
            problems.append(
                Problem(
                    item.key,
                    f"{_shown(item.text)} is read as {item.kind}, not as an answer; "
                    "give the text of the answer (quote it) or its number",
                    item.line,
                )
            )
    return given, problems


def _read_as(written: str) -> str:
    try:
        return repr(float(written.replace("_", "")))
    except ValueError:
        return written


def _twice(key: str, first: int | None, again: int | None) -> Problem:
    where = f" (first on line {first})" if first else ""
    return Problem(key, f"{key!r} occurs twice{where}; give each question one answer", again)


def _moment(entry: _Entry | None, problems: list[Problem]) -> datetime:
    now = datetime.now(UTC).replace(microsecond=0)
    if entry is None:
        return now
    try:
        if entry.nested:
            raise ValueError
        moment = datetime.fromisoformat(entry.text.strip())
    except ValueError:
        problems.append(Problem("answered_at", f"not an ISO 8601 date-time: {_shown(entry.text)}", entry.line))
        return now
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _organisation(entry: _Entry | None, problems: list[Problem]) -> str | None:
    if entry is None:
        return None
    value = entry.text.strip()
    if entry.nested or not t.is_iri(value):
        problems.append(
            Problem("organisation", f"organisation must be an IRI (TOOI): {_shown(entry.text)}", entry.line)
        )
        return None
    return value
