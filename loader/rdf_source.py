"""Any RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) -> quads in one source graph.

For records an organisation maintains itself in RDF. Every statement goes into the source's own
graph (named graphs inside a TriG or N-Quads file are merged into it), so one file is one graph
with one provenance record, like every other source.
"""

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from loader.errors import SourceError
from loader.rdf_guard import check_rdf
from loader.sources.limits import ENVIRONMENT, input_limits

RDF_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}
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


def read_rdf(data: bytes, *, rdf_format: RdfFormat, label: str, graph: NamedNode) -> list[Quad]:
    """The file's statements as quads in ``graph``.

    :raises SourceError: a syntax error, located at its line (and column in the message); what the parser
        would expand or nest without bound (:mod:`loader.rdf_guard`); an IRI or literal over the field-size
        limit, named by its subject and predicate
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
            if isinstance(term, NamedNode | Literal) and len(term.value) > limits.field_chars:
                kind = "a literal" if isinstance(term, Literal) else "an IRI"
                raise SourceError(
                    f"{kind} of {len(term.value):,} characters in a statement about {quad.subject}"[:300]
                    + f", over the limit of {limits.field_chars:,} ({ENVIRONMENT['field_chars']})",
                    path=label,
                    field=quad.predicate.value[:300],
                )
    return quads
