"""The assessment files an organisation fills in (YAML or JSON), as pydantic models with located errors.

One file is one assessment of one algorithm: an IAMA, a FRIA, a DPIA, a children's-rights assessment
(kinderrechtentoets), a bias test or a CIO judgement. Every file has the common fields (algorithm, performer,
date, outcome, answers, findings with the right or CODIO value they affect, their severity and mitigations);
each kind adds its own (``elements`` for the FRIA, ``principles`` for the children's-rights assessment, method,
metric, groups, result and tool for a bias test, ``judgement`` for the CIO). See ``examples/assessments/``.

Errors name the file, the line (YAML), the path in the document (``findings[0].severity``), what was expected
and what was found.
"""

import reprlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from loader.errors import AlgokgError, SourceError
from loader.sources.json_text import parse_json
from loader.sources.yaml_text import compose_yaml, construct_yaml

__all__ = [
    "AssessmentDocument",
    "AssessmentFileError",
    "Kind",
    "Problem",
    "Severity",
    "read_document",
]

Kind = Literal["iama", "fria", "dpia", "kinderrechtentoets", "bias-test", "cio-oordeel"]
Severity = Literal["very-low", "low", "moderate", "high", "very-high"]
MitigationStatus = Literal["planned", "in-progress", "implemented"]
FriaElement = Literal["a", "b", "c", "d", "e", "f"]
# A value shown in a message: a few items and characters of it, however large (or aliased) it is.
_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlong = 2, 80, 80, 40
_SHOWN.maxdict = _SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxset = 4


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where (path in the document, line) and what."""

    where: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        line = f"line {self.line}: " if self.line else ""
        return f"{line}{self.where or '(document)'}: {self.message}"


class AssessmentFileError(AlgokgError):
    """An assessment file is unreadable or does not match what its kind asks; ``problems`` lists every one."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first.message}{more}", path=path, line=first.line, field=first.where or None)
        self.problems = problems

    def details(self) -> str:
        return "\n".join(f"{self.path}:{problem}" for problem in self.problems)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Answer(_Strict):
    """An answer to one question of the template (IAMA: its URN or the part after the template URN)."""

    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    remarks: str | None = None


class Mitigation(_Strict):
    description: str = Field(min_length=1)
    status: MitigationStatus = "planned"


class Finding(_Strict):
    """What the assessment found: the rights or CODIO values affected (``codio:privacy``, ``kr:7``,
    ``eu-rights:A21-NonDiscrimination`` or full IRIs), how severe, and what is done about it."""

    description: str = Field(min_length=1)
    affects: list[str] = Field(min_length=1)
    severity: Severity
    questions: list[str] = []
    mitigations: list[Mitigation] = []


class Element(_Strict):
    """The FRIA's answer to one element of Article 27(1), optionally pointing at the IAMA answers it rests on."""

    answer: str = Field(min_length=1)
    iama_questions: list[str] = []


class Principle(_Strict):
    """The children's-rights assessment of one principle of the Code voor Kinderrechten."""

    answer: str = Field(min_length=1)


class AssessmentDocument(_Strict):
    """One filled-in assessment file."""

    example: bool = False
    kind: Kind
    algorithm: str = Field(pattern=r"^[0-9]{8}$")
    title: str | None = None
    performed: bool = True
    not_performed_reason: str | None = None
    performed_by: str = Field(min_length=1)
    date: date
    published: bool = False
    link: str | None = None
    outcome: str | None = None
    answers: list[Answer] = []
    findings: list[Finding] = []
    elements: dict[FriaElement, Element] = {}
    principles: dict[int, Principle] = {}
    method: str | None = None
    metric: str | None = None
    groups: list[str] = []
    result: str | None = None
    tool: str | None = None
    judgement: str | None = None

    @field_validator("link")
    @classmethod
    def _absolute_link(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) link, found {_SHOWN.repr(value)}")
        return value

    @field_validator("principles")
    @classmethod
    def _principle_numbers(cls, value: dict[int, Principle]) -> dict[int, Principle]:
        wrong = sorted(number for number in value if not 1 <= number <= 10)
        if wrong:
            raise ValueError(f"the Code voor Kinderrechten has principles 1 to 10, found {wrong}")
        return value

    @model_validator(mode="after")
    def _kind_fields(self) -> "AssessmentDocument":
        problems = []
        if not self.performed and not self.not_performed_reason:
            problems.append("an assessment that was not performed needs not_performed_reason")
        owned = {"elements": "fria", "principles": "kinderrechtentoets", "judgement": "cio-oordeel"}
        owned |= dict.fromkeys(("method", "metric", "groups", "result", "tool"), "bias-test")
        for name, kind in owned.items():
            if getattr(self, name) and self.kind != kind:
                problems.append(f"{name} belongs to a {kind} file, not a {self.kind} file")
        if self.kind == "bias-test" and self.performed:
            missing = [name for name in ("method", "metric", "result", "tool") if not getattr(self, name)]
            if len(self.groups) < 2:
                missing.append("groups (at least two compared groups)")
            if missing:
                problems.append(f"a bias test needs {', '.join(missing)}")
        if self.kind == "cio-oordeel" and self.performed and not self.judgement:
            problems.append("a CIO judgement needs judgement (the CIO's conclusion)")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def read_document(path: Path) -> AssessmentDocument:
    """Read and check one file (``.json``, else YAML) within the loader's input limits (nesting, field and number
    sizes; YAML aliases count against the entity-expansion limit).

    :raises AssessmentFileError: unreadable, over a limit, not a mapping, or not matching the model (every problem
        located).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AssessmentFileError(path, [Problem("", f"cannot read the file: {error}")]) from error
    node = None
    try:
        if path.suffix.lower() == ".json":
            data = parse_json(text, label=str(path))
        else:
            node = compose_yaml(text, label=str(path))
            data = construct_yaml(node, label=str(path))
    except SourceError as error:
        raise AssessmentFileError(path, [Problem(error.field or "", error.message, error.line)]) from None
    if not isinstance(data, dict):
        kinds = ", ".join(get_args(Kind))
        raise AssessmentFileError(path, [Problem("", f"expected a mapping with kind ({kinds}), algorithm, ...")])
    try:
        return AssessmentDocument.model_validate(data)
    except ValidationError as error:
        raise AssessmentFileError(path, [_problem(item, node) for item in error.errors()]) from None


def _problem(item: Any, node: Any) -> Problem:
    loc = tuple(part for part in item["loc"] if part not in ("function-after[_kind_fields()]",))
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    message = item["msg"].removeprefix("Value error, ")
    if item["type"] == "literal_error":
        message = f"expected {item['ctx']['expected']}, found {_SHOWN.repr(item['input'])}"
    elif item["type"] == "extra_forbidden":
        message = f"unknown field (found {_SHOWN.repr(item['input'])}); check its spelling"
    elif item["type"] == "missing":
        message = "required field is missing"
    elif "input" in item and item["type"] not in ("value_error", "assertion_error"):
        message = f"{message}, found {_SHOWN.repr(item['input'])}"
    return Problem(where, message, _line(node, loc))


def _line(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the value at ``loc`` in a composed YAML document (its parent's when absent)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((value for key, value in node.value if key.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            match = node.value[part]
        else:
            match = None
        if match is None:
            break
        node, line = match, match.start_mark.line + 1
    return line
