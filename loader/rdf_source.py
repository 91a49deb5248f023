"""Any RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) -> quads in one source graph.

For records an organisation maintains itself in RDF. Every statement goes into the source's own
graph (named graphs inside a TriG or N-Quads file are merged into it), so one file is one graph
with one provenance record, like every other source.
"""

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from loader.errors import SourceError
from loader.rdf_guard import check_rdf
from loader.sources.limits import ENVIRONMENT, InputLimits, input_limits

RDF_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBERS = frozenset(
    _XSD + name
    for name in [
        "integer",
        "decimal",
        "double",
        "float",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
)
_EXTENSIONS = {
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
}


def rdf_format_for(path: Path, explicit: str | None) -> RdfFormat | None:
    """The RDF format named by ``--format`` or implied by the extension; ``None`` when the input is not RDF."""
    if explicit is not None:
        return RDF_FORMATS.get(explicit)
    name = _EXTENSIONS.get(path.suffix.lower())
    return RDF_FORMATS[name] if name else None


def _over_limits(term: NamedNode | Literal, limits: InputLimits) -> tuple[str, str] | None:
    """What is over which limit: a term longer than the field-size limit, or a number longer than the number
    limit (rdflib, which the validation uses, cannot convert integers over 4,300 digits: it would call them
    ill-typed where pyoxigraph does not)."""
    if len(term.value) > limits.field_chars:
        kind = "a literal" if isinstance(term, Literal) else "an IRI"
        return f"{kind} of {len(term.value):,} characters", f"{limits.field_chars:,} ({ENVIRONMENT['field_chars']})"
    if isinstance(term, Literal) and term.datatype.value in _NUMBERS and len(term.value) > limits.number_chars:
        return f"a number of {len(term.value):,} characters", f"{limits.number_chars} ({ENVIRONMENT['number_chars']})"
    return None


def read_rdf(data: bytes, *, rdf_format: RdfFormat, label: str, graph: NamedNode) -> list[Quad]:
    """The file's statements as quads in ``graph``.

    :raises SourceError: a syntax error, located at its line (and column in the message); what the parser
        would expand or nest without bound (:mod:`loader.rdf_guard`); an IRI or literal over the field-size
        limit or a number over the number limit, named by its subject and predicate
    """
    base = f"https://w3id.org/algokg/id/source-document/{graph.value.rsplit('/', 1)[-1]}/"
    limits = input_limits()
    try:
        check_rdf(data, rdf_format, limits=limits)
        quads = [
            Quad(item.subject, item.predicate, item.object, graph) for item in parse(data, rdf_format, base_iri=base)
        ]
    except SyntaxError as error:
        raise SourceError(f"not valid {rdf_format.name}: {error.msg}", path=label, line=error.lineno) from None
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, NamedNode | Literal) and (found := _over_limits(term, limits)):
                problem, limit = found
                raise SourceError(
                    f"{problem} in a statement about {quad.subject}"[:300] + f", over the limit of {limit}",
                    path=label,
                    field=quad.predicate.value[:300],
                )
    return quads
