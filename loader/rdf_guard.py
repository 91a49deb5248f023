"""Checks before RDF is given to pyoxigraph's parser: what it would expand or nest without bound.

- **RDF/XML entities.** pyoxigraph expands the internal entities a DTD declares, each declaration
  resolved when it is read: nine nested levels in a 1 KB file take 20 GB. Refused here: parameter
  entities (``<!ENTITY % …``), external ones (``SYSTEM``/``PUBLIC``), and any value with a reference
  (``&`` or ``%``) in it, so no entity can grow another; plain values, as OWL files use for namespaces
  (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``), are kept, as long as all references together add
  at most :attr:`~loader.sources.limits.InputLimits.entity_budget` characters. The parser reads an
  ``<!ENTITY`` wherever a ``<!DOCTYPE`` puts it, inside comments too, so every occurrence is checked.
- **RDF/XML nesting.** Its cost grows with the square of element depth (30,000 levels: 6 s), so the
  depth is held to the nesting limit.
- **JSON-LD nesting.** Nested objects cost quadratic time and 10,000 of them overflow the parser's stack
  (a segfault): the JSON structure is checked as register JSON is (:mod:`loader.sources.json_text`).

Turtle, TriG, N-Triples and N-Quads have no macros, and their parser nests without recursion (100,000
levels of ``[`` parse in 0.2 s): nothing to check. JSON-LD remote contexts are never fetched (pyoxigraph
has no document loader here).

Errors are :class:`SyntaxError`, as the parser's own are (``msg``, ``lineno``, ``offset``), so every caller
that reports a parse error reports these the same way.
"""

import re
from collections import Counter

from pyoxigraph import RdfFormat

from loader.sources.json_text import structure_problem
from loader.sources.limits import ENVIRONMENT, InputLimits, input_limits

# The one form of entity declaration allowed: an XML name and a quoted value with no reference in it. The
# parser reads a declaration up to the next "<" and its name up to whitespace, so this form reads the same.
_PLAIN_ENTITY = re.compile(rb'<!ENTITY[ \t\r\n]+(?P<name>[A-Za-z_:][-\w.:]*)[ \t\r\n]+"(?P<value>[^"<&%]*)"[ \t\r\n]*>')
_REFERENCE = re.compile(rb"&([A-Za-z_:][-\w.:]*);")
# Comments, CDATA, processing instructions and declarations are skipped; end tags close, start tags open
# unless they end in "/>" (quoted attribute values may hold ">"). A construct never closed runs to the end of
# the data, so no "<" is read twice: linear time whatever the data holds (`<!--<!--<!--…` included).
_MARKUP = re.compile(
    rb"<(?:!--.*?(?:-->|\Z)|!\[CDATA\[.*?(?:\]\]>|\Z)|\?.*?(?:\?>|\Z)|!(?:[^\[>]|\[.*?(?:\]|\Z))*+>?"
    rb"|/[^>]*+>?|(?:[^>\"']|\"[^\"]*+\"?|'[^']*+'?)*+>?)",
    re.DOTALL,
)


class UnsafeRdf(SyntaxError):
    """RDF refused before parsing: entity declarations that could expand, or nesting over the limit."""

    def __init__(self, message: str, *, data: bytes, offset: int) -> None:
        line = data.count(b"\n", 0, offset) + 1
        column = offset - data.rfind(b"\n", 0, offset)
        super().__init__(message)
        self.msg, self.lineno, self.offset = message, line, column


def check_rdf(data: bytes, rdf_format: RdfFormat, *, limits: InputLimits | None = None) -> None:
    """Refuse what the parser of ``rdf_format`` would expand or nest beyond the input limits; a no-op
    for formats without such risks.

    :raises UnsafeRdf: a :class:`SyntaxError` located at the line and column of the first offence

    >>> check_rdf(b'<!DOCTYPE r [<!ENTITY owl "http://www.w3.org/2002/07/owl#">]><r a="&owl;x"/>', RdfFormat.RDF_XML)
    >>> check_rdf(b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r/>', RdfFormat.RDF_XML)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    loader.rdf_guard.UnsafeRdf: an entity whose value refers to other entities (& or %), ... (line 1)
    """
    if rdf_format == RdfFormat.RDF_XML:
        limits = limits or input_limits()
        _check_entities(data, limits)
        _check_depth(data, limits)
    elif rdf_format == RdfFormat.JSON_LD:
        limits = limits or input_limits()
        text = data.decode("utf-8", errors="replace")
        if found := structure_problem(text, limits=limits):
            offset, problem = found
            raise UnsafeRdf(f"invalid JSON: {problem}", data=data, offset=len(text[:offset].encode()))


def _check_entities(data: bytes, limits: InputLimits) -> None:
    sizes: dict[bytes, int] = {}
    position = data.find(b"<!ENTITY")
    while position >= 0:
        declaration = _PLAIN_ENTITY.match(data, position)
        if declaration is None:
            raise UnsafeRdf(_entity_problem(data, position), data=data, offset=position)
        sizes[declaration["name"]] = len(declaration["value"])
        position = data.find(b"<!ENTITY", declaration.end())
    if not sizes:
        return
    counts = Counter(name for name in _REFERENCE.findall(data) if name in sizes)
    added, budget = sum(count * sizes[name] for name, count in counts.items()), limits.entity_budget(len(data))
    if added > budget:
        first = min(data.find(b"&" + name + b";") for name in counts)
        raise UnsafeRdf(
            f"entity references would add {added:,} characters, over the limit of {budget:,}"
            f" ({ENVIRONMENT['entity_expansion']}, or the file's size if larger)",
            data=data,
            offset=first,
        )


def _entity_problem(data: bytes, position: int) -> str:
    piece = data[position : position + 200].split(b"<", 2)[1]
    if b"%" in piece.split(b'"', 1)[0]:
        problem = "a parameter entity (<!ENTITY % …): refused"
    elif b'"' not in piece or re.match(rb"!ENTITY\s+\S+\s+(SYSTEM|PUBLIC)", piece):
        problem = "an external or unquoted entity (SYSTEM, PUBLIC): refused"
    elif b"&" in piece or b"%" in piece:
        problem = "an entity whose value refers to other entities (& or %), which could expand without bound: refused"
    else:
        problem = "an entity declaration that is not plain"
    return f'{problem}; expected <!ENTITY name "plain text, such as a namespace IRI">'


def _check_depth(data: bytes, limits: InputLimits) -> None:
    if data.count(b"<") <= limits.nesting:
        return
    depth = 0
    for match in _MARKUP.finditer(data):
        tag = match.group()
        if tag[1:2] in (b"!", b"?"):
            continue
        if tag[1:2] == b"/":
            depth -= 1
        elif not tag.endswith(b"/>"):
            depth += 1
            if depth > limits.nesting:
                raise UnsafeRdf(
                    f"elements nested deeper than {limits.nesting} ({ENVIRONMENT['nesting']})",
                    data=data,
                    offset=match.start(),
                )
