"""A linear scan of SPARQL text into tokens: what is a string, an IRI, a comment, a keyword.

The one tokeniser of SPARQL text: the query gate (`sparql_api.query_gate`), the remote rewrites
(`sparql_api.remote_rewrite`) and the reading of updates (`sparql_api.update_plan`) all read through it, so they
agree on where strings, IRIs and comments end. It follows the SPARQL 1.1 grammar's terminals as pyoxigraph reads
them:
- strings: `"…"`, `'…'` (to the end of the line at most), `\"\"\"…\"\"\"`, `'''…'''`, with `\\` escapes;
- IRIs: `<…>` without spaces, quotes, braces or `\\` other than `\\uXXXX` / `\\UXXXXXXXX`;
- comments: `#` to the end of the line, where a line ends at LF *or* CR (pyoxigraph; some stores end it only
  at LF and then read less as code, never more);
- prefixed names with their `\\`-escaped local characters (`ex:a\\#b` is one name, not a name and a comment),
  variables, language tags, words (keywords, function names), punctuation.

Every pattern is possessive and none can fail after reading far (an unterminated string runs to the end of its
line, or of the text): each character is read once, whatever the input. No recursion anywhere. pyoxigraph's
parser recurses once per nested group and overflows its stack (a segfault) some thousand levels down:
`check_nesting` measures the nesting of `{ ( [` on the same terminals, at the speed of one regular expression
(Turtle's brackets, strings, IRIs and comments are SPARQL's, so it serves for Turtle too).

SPARQL 1.1 (§19.2) lets `\\uXXXX` and `\\UXXXXXXXX` stand for any character anywhere in a query; pyoxigraph
decodes them only inside strings and IRIs. `decode_escapes` gives the text as a parser that decodes them
everywhere would read it, so a caller can scan both readings.
"""

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

# A character of a prefixed name's local part, or one of its `\\`-escaped characters (PN_LOCAL_ESC).
_LOCAL_CHARACTER = r"(?:[\w\-:%\u00B7]|\\[_~.\-!$&'()*+,;=/?\#@%])"
_STRING = r"""
        \"\"\"(?:[^"\\]|\\[\s\S]?|"(?!""))*+(?:\"\"\"|\Z)
      | '''(?:[^'\\]|\\[\s\S]?|'(?!''))*+(?:'''|\Z)
      | "(?:[^"\\\n\r]|\\[^\n\r]?)*+"?
      | '(?:[^'\\\n\r]|\\[^\n\r]?)*+'?
"""
_IRI = r"""<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>"""
_COMMENT = r"\#[^\r\n]*+"
# The terminals in the order they are tried at each place; a character none of them takes is a token of its own.
_TERMINALS = (
    ("string", _STRING),
    ("iri", _IRI),
    ("comment", _COMMENT),
    ("var", r"[?$][\w\u00B7\u0300-\u036F\u203F\u2040]*+"),
    ("langtag", r"@[A-Za-z]++(?:-[A-Za-z0-9]++)*+"),
    (
        "pname",
        rf"(?:[^\W\d](?:[\w\-\u00B7]|\.++(?=[\w\-\u00B7]))*+)?:(?:{_LOCAL_CHARACTER}|\.++(?={_LOCAL_CHARACTER}))*+",
    ),
    ("word", r"[^\W\d]\w*+"),
    ("number", r"\d++"),
    ("space", r"\s++"),
)
_TOKEN = re.compile(
    "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _TERMINALS) + r"|(?P<other>[\s\S])", re.VERBOSE
)
# The same terminals for nesting only: every token but a bracket is skipped inside one match, so the brackets are
# exactly the tokens `tokens` gives as `{ ( [ ] ) }`, found at the speed of the regular expression engine.
_BRACKETS = re.compile(
    "(?P<skip>(?:" + "|".join(pattern for _, pattern in _TERMINALS) + r"|[^{}()\[\]])++)"
    r"|(?P<open>[{(\[])|(?P<close>[})\]])",
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")
OPENING, CLOSING = frozenset("{(["), frozenset("})]")


@dataclass(frozen=True)
class Token:
    """One token: `kind` (string, iri, comment, var, langtag, pname, word, number, space, other), its text and
    where it starts in the scanned text (0-based offset)."""

    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str:
        """The text upper-cased if this is an ASCII word (SPARQL keywords are ASCII, case-insensitive), else ""."""
        return self.text.upper() if self.kind == "word" and self.text.isascii() else ""

    @property
    def significant(self) -> bool:
        return self.kind not in ("space", "comment")


class TooDeep(Exception):
    """Brackets nest deeper than allowed; `line` and `column` (1-based) locate the first one too many."""

    def __init__(self, limit: int, line: int, column: int) -> None:
        super().__init__(f"brackets ({{ ( [) are nested more than {limit} deep at line {line}, column {column}")
        self.limit, self.line, self.column = limit, line, column


def tokens(text: str, start: int = 0) -> Iterator[Token]:
    """The tokens of `text` from offset `start`, in order; concatenated they are `text[start:]` again."""
    for match in _TOKEN.finditer(text, start):
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), match.start())


def check_nesting(text: str, limit: int) -> int:
    """The deepest nesting of `{`, `(` and `[` in `text` (outside strings, IRIs and comments).

    :raises TooDeep: when it exceeds `limit`, located at the first bracket too many.
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
    return next((t for t in tokens(text) if t.keyword in keywords), None)


def decode_escapes(text: str) -> str:
    """`text` with every `\\uXXXX` / `\\UXXXXXXXX` replaced by its character (SPARQL 1.1 §19.2); escapes that
    name no character (surrogates, beyond U+10FFFF) stay as they are."""

    def character(match: re.Match[str]) -> str:
        code = int(match[1] or match[2], 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match[0]
        return chr(code)

    return _ESCAPE.sub(character, text) if "\\" in text else text


def iri_value(token: Token) -> str:
    """The IRI an IRIREF token names (`<…>` without brackets, escapes decoded); relative IRIs stay relative."""
    return decode_escapes(token.text[1:-1])


def split_pname(token: Token) -> tuple[str, str]:
    """(prefix, local name with its `\\` escapes removed) of a prefixed-name token."""
    prefix, _, local = token.text.partition(":")
    return prefix, decode_escapes(_LOCAL_ESCAPE.sub(r"\1", local))


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of `offset` in `text`, lines ending at LF."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


__all__ = [
    "CLOSING",
    "OPENING",
    "Token",
    "TooDeep",
    "check_nesting",
    "decode_escapes",
    "find_keyword",
    "group_end",
    "iri_value",
    "position",
    "split_pname",
    "tokens",
]
