"""Content negotiation: an `Accept` header with q-values, or a `format` parameter that overrides it.

`choose_media_type(accept, offered, format=None)` returns one of `offered` (the server's media types, most
preferred first) or None when nothing offered is acceptable. Rules (RFC 9110 §12.5.1): a media type's quality
is the q of the most specific range that matches it (`text/csv` over `text/*` over `*/*`); q=0 excludes it;
between equal qualities an explicitly named type beats a wildcard, then the client's order, then the server's.
No or an empty `Accept` header accepts anything: the first offered type.

The format parameter takes the words real clients send (`FORMAT_ALIASES`: SPARQLWrapper's `json-ld`, `n3`,
`rdf+xml`, Virtuoso's and Fuseki's short names, media types); a value not in the table is no request at all and
Accept decides, since clients send these parameters to every endpoint whatever it understands.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

# `format=` values (short names and file extensions) and the media types they stand for.
FORMAT_ALIASES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "html": "text/html",
    # Turtle is N3 without N3's extensions, so an N3 reader reads it (SPARQLWrapper's `n3`).
    "n3": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "application/n3": "text/turtle",
    "application/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "ld+json": "application/ld+json",
    "rdf/xml": "application/rdf+xml",
    "xml-rdf": "application/rdf+xml",
    "owl": "application/rdf+xml",
    "sparql-results+json": "application/sparql-results+json",
    "sparql-results+xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "tab-separated-values": "text/tab-separated-values",
    "text/tsv": "text/tab-separated-values",
    "text/x-nquads": "application/n-quads",
}
# Media types a format value may name as they are (besides the table's values).
KNOWN_MEDIA_TYPES = {*FORMAT_ALIASES.values(), "application/json", "application/xml", "text/plain"}
# The parameters clients use to name a format, most authoritative first (SPARQLWrapper sends all three).
FORMAT_PARAMETERS = ("format", "output", "results")

# Where a `format` value names results in general, graph queries read it as the matching RDF syntax.
GRAPH_EQUIVALENTS: dict[str, str] = {
    "application/sparql-results+json": "application/ld+json",
    "application/json": "application/ld+json",
    "application/sparql-results+xml": "application/rdf+xml",
    "application/xml": "application/rdf+xml",
}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    quality: float
    position: int

    def specificity(self, media_type: str) -> int | None:
        """2 exact, 1 `type/*`, 0 `*/*`, None when the range does not match `media_type`."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else None


def parse_accept(accept: str) -> list[MediaRange]:
    """The media ranges of an Accept header; a malformed q counts as 0 (not acceptable)."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(kind, sub, quality, position))
    return ranges


def format_media_type(format: str) -> str:  # the SPARQL-protocol parameter's name
    """The media type a `format` parameter value stands for (a short name, an extension or a media type)."""
    value = format.strip().lower()
    if value in FORMAT_ALIASES:
        return FORMAT_ALIASES[value]
    media_type = value.split(";")[0].strip()
    return FORMAT_ALIASES.get(media_type, media_type)


def known_format(format: str | None) -> bool:
    """Whether a format value names something this server knows (else it is ignored and Accept decides)."""
    return format is not None and format_media_type(format) in KNOWN_MEDIA_TYPES


def format_parameter(values: Mapping[str, Sequence[str]]) -> str | None:
    """The first known value of `format`, `output` or `results` (each possibly repeated), or None."""
    for name in FORMAT_PARAMETERS:
        for value in values.get(name, ()):
            if known_format(value):
                return value
    return None


def choose_media_type(accept: str | None, offered: Sequence[str], format: str | None = None) -> str | None:
    """The offered media type to answer with, or None (406).

    :param accept: the request's Accept header (None or empty: anything).
    :param offered: the media types the server can produce for this answer, most preferred first.
    :param format: a `format` parameter; when known it alone decides (an alias such as `ttl`, or a media type);
        an unknown value is ignored.
    """
    if (accept is None or len(accept) <= _CACHED_ACCEPT) and (format is None or len(format) <= _CACHED_ACCEPT):
        return _chosen(accept, tuple(offered), format)  # clients send the same few Accept headers again and again
    return _choose(accept, offered, format)


_CACHED_ACCEPT = 512  # longer Accept headers are negotiated each time (a cache of them would be a memory sink)


@lru_cache(maxsize=1024)
def _chosen(accept: str | None, offered: tuple[str, ...], format: str | None) -> str | None:
    return _choose(accept, offered, format)


def _choose(accept: str | None, offered: Sequence[str], format: str | None) -> str | None:
    if not offered:
        return None
    if format is not None and known_format(format):
        wanted = format_media_type(format)
        if wanted in offered:
            return wanted
        equivalent = GRAPH_EQUIVALENTS.get(wanted)
        return equivalent if equivalent in offered else None
    if not accept or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for index, media_type in enumerate(offered):
        matches = [(r.specificity(media_type), r) for r in ranges]
        matching = [(specificity, r) for specificity, r in matches if specificity is not None]
        if not matching:
            continue
        specificity, winner = max(matching, key=lambda m: (m[0], -m[1].position))
        if winner.quality <= 0:
            continue
        rank = (winner.quality, specificity, -winner.position, -index)
        if best is None or rank > best:
            best, chosen = rank, media_type
    return chosen


__all__ = [
    "FORMAT_ALIASES",
    "FORMAT_PARAMETERS",
    "GRAPH_EQUIVALENTS",
    "MediaRange",
    "choose_media_type",
    "format_media_type",
    "format_parameter",
    "known_format",
    "parse_accept",
]
