"""A linear scan of SPARQL text into tokens: what is a string, an IRI, a comment, a keyword.

The query gate (`sparql_api.query_gate`) and the remote rewrites (`sparql_api.remote_rewrite`) read queries
through this one tokeniser, so both agree on where strings, IRIs and comments end. It follows the SPARQL 1.1
grammar's terminals as pyoxigraph reads them:
- strings: `"…"`, `'…'` (to the end of the line at most), `\"\"\"…\"\"\"`, `'''…'''`, with `\\` escapes;
- IRIs: `<…>` without spaces, quotes, braces or `\\` other than `\\uXXXX` / `\\UXXXXXXXX`;
- comments: `#` to the end of the line, where a line ends at LF *or* CR (pyoxigraph; some stores end it only
  at LF and then read less as code, never more);
- prefixed names with their `\\`-escaped local characters (`ex:a\\#b` is one name, not a name and a comment),
  variables, language tags, words (keywords, function names), punctuation.

Every pattern is possessive and none can fail after reading far (an unterminated string runs to the end of its
line, or of the text): each character is read once, whatever the input. No recursion anywhere.

SPARQL 1.1 (§19.2) lets `\\uXXXX` and `\\UXXXXXXXX` stand for any character anywhere in a query; pyoxigraph
decodes them only inside strings and IRIs. `decode_escapes` gives the text as a parser that decodes them
everywhere would read it, so a caller can scan both readings.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A character of a prefixed name's local part, or one of its `\\`-escaped characters (PN_LOCAL_ESC).
_LOCAL_CHARACTER = r"(?:[\w\-:%\u00B7]|\\[_~.\-!$&'()*+,;=/?\#@%])"
_TOKEN = re.compile(
    r"""
    (?P<string>
        \"\"\"(?:[^"\\]|\\[\s\S]?|"(?!""))*+(?:\"\"\"|\Z)
      | '''(?:[^'\\]|\\[\s\S]?|'(?!''))*+(?:'''|\Z)
      | "(?:[^"\\\n\r]|\\[^\n\r]?)*+"?
      | '(?:[^'\\\n\r]|\\[^\n\r]?)*+'?
    )
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)
    | (?P<comment>\#[^\r\n]*+)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]*+)
    | (?P<langtag>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)
    | (?P<pname>(?:[^\W\d](?:[\w\-\u00B7]|\.++(?=[\w\-\u00B7]))*+)?:(?:{local}|\.++(?={local}))*+)
    | (?P<word>[^\W\d]\w*+)
    | (?P<number>\d++)
    | (?P<space>\s++)
    | (?P<other>[\s\S])
    """.replace("{local}", _LOCAL_CHARACTER),
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


def tokens(text: str) -> Iterator[Token]:
    """The tokens of `text`, in order; concatenated they are `text` again."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), match.start())


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


__all__ = ["CLOSING", "OPENING", "Token", "decode_escapes", "iri_value", "position", "split_pname", "tokens"]
