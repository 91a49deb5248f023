"""SPARQL text read as tokens in one linear pass: for limits and for what an update touches, never to run it.

Strings, IRIs, comments, variables and prefixed names are single tokens, so a brace or a keyword inside them is
not seen as one. The pass never fails and never backtracks over the text (an unterminated string runs to the
end): any input costs time in proportion to its length. pyoxigraph's parser recurses once per nested group and
overflows the stack (a segfault) at a few thousand levels; `check_nesting` refuses such text before it gets
there. The same pass reads Turtle well enough for that check (its brackets, strings, IRIs and comments are
SPARQL's).
"""

import re
from collections.abc import Collection, Iterator
from typing import NamedTuple

# Long strings first: `"""` must not be read as an empty string and a quote.
_STRING = (
    r'"""(?:[^"\\]|\\.|\\\Z|"(?!""))*(?:"""|\Z)'
    r"|'''(?:[^'\\]|\\.|\\\Z|'(?!''))*(?:'''|\Z)"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
)
_IRI = r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"
_NAME_CHAR = r"[\w\-\u00B7:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
# prefix:local; the local part may hold dots, but not end with one (that dot ends the triple).
_PNAME = rf"(?:[^\W\d][\w.\-\u00B7]*)?:(?:{_NAME_CHAR}|\.(?=(?:{_NAME_CHAR})))*"
_LEXER = re.compile(
    rf"(?P<skip>\s+|#[^\n]*)|(?P<string>{_STRING})|(?P<iri>{_IRI})|(?P<var>[?$][\w\u00B7]+)"
    rf"|(?P<pname>{_PNAME})|(?P<word>[^\W\d]\w*)|(?P<open>[{{(\[])|(?P<close>[}})\]])|(?P<other>.)",
    re.DOTALL,
)


# Runs of anything but brackets and comments (strings and IRIs whole, escapes), for skipping fast; possessive,
# so a run is never backtracked into.
_RUN = rf"(?:[^\"'<#{{}}()\[\]\\]++|{_STRING}|{_IRI}|<|\\.)++"
_BRACKETS = re.compile(rf"(?P<skip>{_RUN}|#[^\n]*)|(?P<open>[{{(\[])|(?P<close>[}})\]])|(?P<other>.)", re.DOTALL)


class Token(NamedTuple):
    kind: str  # string, iri, var, pname, word, open, close, other
    text: str
    start: int  # offset in the text

    @property
    def keyword(self) -> str:
        """A word upper-cased (SPARQL keywords are case-insensitive); any other token's text as it is."""
        return self.text.upper() if self.kind == "word" else self.text


class TooDeep(Exception):
    """Brackets nest deeper than allowed; `line` and `column` (1-based) locate the first one too many."""

    def __init__(self, limit: int, line: int, column: int) -> None:
        super().__init__(f"brackets ({{ ( [) are nested more than {limit} deep at line {line}, column {column}")
        self.limit, self.line, self.column = limit, line, column


def tokens(text: str, start: int = 0) -> Iterator[Token]:
    """The tokens of `text` from offset `start`, without white space and comments."""
    for match in _LEXER.finditer(text, start):
        kind = match.lastgroup
        if kind != "skip":
            yield Token(kind or "other", match.group(), match.start())


def check_nesting(text: str, limit: int) -> int:
    """The deepest nesting of `{`, `(` and `[` in `text` (outside strings, IRIs and comments).

    :raises TooDeep: when it exceeds `limit`.
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > limit:
                    raise TooDeep(limit, *position(text, match.start()))
        elif kind == "close":
            depth = max(0, depth - 1)
    return deepest


def group_end(text: str, start: int) -> int:
    """The offset just after the group whose opening bracket is at `start` (the end of `text` if it never closes)."""
    depth = 0
    for match in _BRACKETS.finditer(text, start):
        kind = match.lastgroup
        depth += (kind == "open") - (kind == "close")
        if depth == 0:
            return match.end()
    return len(text)


def find_keyword(text: str, keywords: Collection[str]) -> Token | None:
    """The first of `keywords` (upper case) used as a keyword in `text`, not inside a string, IRI or name."""
    upper = text.upper()
    if not any(keyword in upper for keyword in keywords):  # the usual case, at the speed of a substring search
        return None
    return next((t for t in tokens(text) if t.kind == "word" and t.keyword in keywords), None)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)
