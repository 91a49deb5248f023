"""JSON text -> Python values within the input limits (:mod:`loader.sources.limits`), with located errors.

Python's parser recurses once per nesting level and converts integers of any length, so a small
file can exhaust the stack (``[[[[…``) or hit the interpreter's 4,300-digit limit; NaN and Infinity
are not JSON at all. Here its number hooks refuse long numbers and the constants, its RecursionError
is caught, and one walk over the parsed document holds nesting, strings and keys to the limits and
refuses lone surrogates (``"\\ud800"``, which no UTF-8 output can carry). Only when something is wrong
is the text scanned token by token to say where (line and column, or the JSON pointer of a string).

>>> parse_json('{"a": [1, 2.5, "x"]}', label="doc.json")
{'a': [1, 2.5, 'x']}
"""

import json
import re
from collections.abc import Callable
from itertools import accumulate

from loader.errors import SourceError
from loader.sources.limits import ENVIRONMENT, InputLimits, input_limits

# A string runs to its closing quote or, never closed, to the end of the text: no quote is read twice, so the
# scans below take time in proportion to the text whatever it holds (`"\"\"\"…` without an end included).
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_NUMBER_CHARS = "-+0123456789.eE"
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+(?P<closed>")?|[\[\]{}]|[-+0-9.eE]+|NaN|Infinity', re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(text: str, *, label: str, limits: InputLimits | None = None) -> object:
    """The document ``text`` holds, within ``limits`` (default: :func:`input_limits`).

    :raises SourceError: invalid JSON, nesting or a number over the limits, NaN/Infinity (line and
        column); a string or key over the field-size limit, a lone surrogate (JSON pointer)
    """
    limits = limits or input_limits()

    def number(kind: type[int] | type[float]) -> Callable[[str], object]:
        def convert(token: str) -> object:
            if len(token) > limits.number_chars:
                raise _OutOfBounds
            return kind(token)

        return convert

    def constant(token: str) -> object:
        raise _OutOfBounds

    surrogates = bool(_ESCAPED_SURROGATE.search(text))
    try:
        document = json.loads(text, parse_int=number(int), parse_float=number(float), parse_constant=constant)
        if _within(document, limits, surrogates=surrogates):
            return document
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON at column {exc.colno}: {exc.msg}", path=label, line=exc.lineno) from None
    except (RecursionError, _OutOfBounds):
        check_structure(text, label=label, limits=limits)
        raise SourceError("invalid JSON: nested too deep or a number too long", path=label) from None
    check_structure(text, label=label, limits=limits)  # nesting: located at its line and column
    check_strings(document, label=label, limits=limits, surrogates=surrogates)  # strings and keys: by pointer
    raise SourceError("invalid JSON: out of the input limits", path=label)  # pragma: no cover


class _OutOfBounds(Exception):
    """A number or constant the hooks refuse; located afterwards by :func:`check_structure`."""


def _within(document: object, limits: InputLimits, *, surrogates: bool) -> bool:
    """Whether nesting, strings and keys are within ``limits`` (one flat walk; the fast path)."""
    if isinstance(document, str):
        return not _bad(document, limits, surrogates)
    if not isinstance(document, dict | list):
        return True
    most, nesting = limits.field_chars, limits.nesting
    pending: list[tuple[dict[str, object] | list[object], int]] = [(document, 1)]
    while pending:
        container, depth = pending.pop()
        if depth > nesting:
            return False
        if type(container) is dict:
            for key in container:
                if len(key) > most or (surrogates and _bad(key, limits, surrogates)):
                    return False
            values: object = container.values()
        else:
            values = container
        for value in values:  # type: ignore[attr-defined]
            kind = type(value)
            if kind is str:
                if len(value) > most or (surrogates and _bad(value, limits, surrogates)):
                    return False
            elif kind is dict or kind is list:
                pending.append((value, depth + 1))
    return True


def check_structure(text: str, *, label: str, limits: InputLimits) -> None:
    """Refuse nesting deeper than ``limits.nesting``, numbers longer than ``limits.number_chars`` and the
    non-JSON constants NaN and Infinity, located at line and column.

    :raises SourceError: the first such place in the text
    """
    if found := structure_problem(text, limits=limits):
        offset, problem = found
        line, column = _position(text, offset)
        raise SourceError(f"invalid JSON at column {column}: {problem}", path=label, line=line)


def structure_problem(text: str, *, limits: InputLimits) -> tuple[int, str] | None:
    """The offset and description of the first nesting, number or constant over the limits, or ``None``
    (also used before JSON-LD is parsed)."""
    outside = _STRING.sub('""', text)  # strings cannot nest, and digits in them are text
    brackets = _NOT_BRACKET.sub("", outside)
    deepest = max(accumulate(map(_STEP.__getitem__, brackets)), default=0) if len(brackets) > limits.nesting else 0
    too_long = re.search(f"[{re.escape(_NUMBER_CHARS)}]{{{limits.number_chars + 1},}}", outside)
    if deepest > limits.nesting or too_long or "NaN" in outside or "Infinity" in outside:
        return _locate(text, limits=limits)
    return None


def _locate(text: str, *, limits: InputLimits) -> tuple[int, str]:
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            if match["closed"] is None:
                return match.start(), "a string that is never closed"
            continue
        if token in _STEP:
            depth += _STEP[token]
            if depth > limits.nesting:
                return (
                    match.start(),
                    f"arrays and objects nested deeper than {limits.nesting} ({ENVIRONMENT['nesting']})",
                )
        elif token in ("NaN", "Infinity"):
            return match.start(), f"{token}, which is not JSON (expected a number, string, true, false or null)"
        elif token[0] in _NUMBER_CHARS and len(token) > limits.number_chars:
            return match.start(), (
                f"a number of {len(token):,} characters, over the limit of {limits.number_chars}"
                f" ({ENVIRONMENT['number_chars']})"
            )
    return 0, "nesting, numbers or constants out of bounds"  # pragma: no cover - the fast check found one


def check_strings(document: object, *, label: str, limits: InputLimits, surrogates: bool = True) -> None:
    """Refuse a string or key over ``limits.field_chars`` and (when ``surrogates``) a lone surrogate.

    :raises SourceError: located by the JSON pointer of the first such value, its key as the field
    """
    _raise_at(document, "", None, label=label, limits=limits, surrogates=surrogates)


def _bad(text: str, limits: InputLimits, surrogates: bool) -> bool:
    return len(text) > limits.field_chars or (surrogates and not text.isascii() and bool(_SURROGATE.search(text)))


def _raise_at(
    value: object, pointer: str, key: str | None, *, label: str, limits: InputLimits, surrogates: bool
) -> None:
    """Find the first bad string depth-first and raise its located error (the depth is bounded)."""
    items: list[tuple[str, object]] = []
    if isinstance(value, dict):
        for name, item in value.items():
            if _bad(name, limits, surrogates):
                _raise_for(name, f"{pointer}/{_escape(name)}", "key", name, label=label, limits=limits)
            items.append((name, item))
    elif isinstance(value, list):
        items = [(str(position), item) for position, item in enumerate(value)]
    elif isinstance(value, str) and _bad(value, limits, surrogates):
        _raise_for(value, pointer, "string", key, label=label, limits=limits)
    for name, item in items:
        child_key = name if isinstance(value, dict) else key
        _raise_at(item, f"{pointer}/{_escape(name)}", child_key, label=label, limits=limits, surrogates=surrogates)


def _raise_for(text: str, pointer: str, what: str, key: str | None, *, label: str, limits: InputLimits) -> None:
    shown_key = key if key is None or len(key) <= 100 else key[:100] + "…"
    shown_pointer = pointer if len(pointer) <= 200 else pointer[:200] + "…"
    if len(text) > limits.field_chars:
        problem = (
            f"a {what} of {len(text):,} characters, over the limit of {limits.field_chars:,}"
            f" ({ENVIRONMENT['field_chars']})"
        )
    else:
        code = ord(_SURROGATE.search(text).group())  # type: ignore[union-attr]
        problem = f"a {what} with a lone surrogate \\u{code:04x}, which is not Unicode text"
    where = _printable(shown_pointer or "/")
    raise SourceError(f"at {where}: {problem}", path=label, field=None if shown_key is None else _printable(shown_key))


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _printable(text: str) -> str:
    # Printed in the message: a lone surrogate in it would make the error itself unprintable.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)
