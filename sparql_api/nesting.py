"""Nesting limits for JSON and XML request bodies, checked in one pass before a parser that recurses sees them.

pyoxigraph's JSON-LD parser recurses per level (a segfault at ~4,000), its RDF/XML parser takes time in the
square of the depth (6 s at 20,000 elements), Python's JSON parser raises RecursionError at ~1,000: a body
nested deeper than the limit is refused with the line and column of the first bracket or element too many.
SPARQL (and Turtle) nesting: `sparql_api.sparql_text.check_nesting`.
"""

import re

from loader.errors import AlgokgError
from sparql_api.sparql_text import position


class TooDeepBody(AlgokgError):
    """JSON or XML nested deeper than the limit; `line` and `column` locate the first bracket or element too many."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message, line=line)
        self.column = column


_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*+"?|[\[{]|[\]}]', re.DOTALL)
# XML markup that nests (start tags) or does not (end tags, empty elements, comments, CDATA, PIs, DOCTYPE); an
# unterminated one runs to the end, so no start is scanned twice.
_XML_TOKENS = re.compile(
    rb"<(?:!--.*?(?:-->|\Z)|!\[CDATA\[.*?(?:\]\]>|\Z)|\?.*?(?:\?>|\Z)|!(?:[^\[>]|\[.*?(?:\]|\Z))*+>?"
    rb"|(?P<end>/)[^>]*+>?|(?:[^>\"']|\"[^\"]*+\"?|'[^']*+'?)*+>?)",
    re.DOTALL,
)


def check_json_nesting(data: bytes, limit: int, what: str) -> None:
    """Refuse JSON whose arrays and objects nest deeper than `limit` (one pass; strings skipped whole).

    :raises TooDeepBody: located at the first bracket too many.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return  # too few brackets to nest that deep: no need to look
    depth = 0
    for match in _JSON_TOKENS.finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                _too_deep(data, match.start(), limit, what, "arrays and objects")
        elif token in (b"]", b"}"):
            depth -= 1


def check_xml_nesting(data: bytes, limit: int, what: str) -> None:
    """Refuse XML whose elements nest deeper than `limit` (one pass over the markup).

    :raises TooDeepBody: located at the first start tag too many.
    """
    if data.count(b"<") <= limit:
        return  # too few tags to nest that deep: no need to look
    depth = 0
    for match in _XML_TOKENS.finditer(data):
        if match["end"]:
            depth -= 1
        elif match.group().startswith((b"<!", b"<?")) or match.group().endswith(b"/>"):
            continue  # no element, or an empty one
        else:
            depth += 1
            if depth > limit:
                _too_deep(data, match.start(), limit, what, "elements")


def _too_deep(data: bytes, offset: int, limit: int, what: str, things: str) -> None:
    before = data[:offset].decode("utf-8", "replace")
    line, column = position(before, len(before))
    raise TooDeepBody(
        f"{what}: {things} are nested more than {limit} deep (line {line}, column {column}; ALGOKG_MAX_NESTING)",
        line,
        column,
    )
