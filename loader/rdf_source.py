"""Any RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) -> quads in one source graph.

For records an organisation maintains itself in RDF. Every statement goes into the source's own
graph (named graphs inside a TriG or N-Quads file are merged into it), so one file is one graph
with one provenance record, like every other source.
"""

from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from loader.errors import SourceError

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

    :raises SourceError: a syntax error, located at its line (and column in the message).
    """
    base = f"https://w3id.org/algokg/id/source-document/{graph.value.rsplit('/', 1)[-1]}/"
    try:
        return [
            Quad(item.subject, item.predicate, item.object, graph) for item in parse(data, rdf_format, base_iri=base)
        ]
    except SyntaxError as error:
        raise SourceError(f"not valid {rdf_format.name}: {error.msg}", path=label, line=error.lineno) from None
