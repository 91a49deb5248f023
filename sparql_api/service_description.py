"""The SPARQL 1.1 Service Description of `/sparql` (what a GET without a query returns).

It names the endpoint, the language (SPARQL 1.1 Query), the `sd:UnionDefaultGraph` feature (the default
graph is the union of all named graphs), the result and RDF formats the endpoint serves, the extension
functions offered to queries, and the default dataset with its named graphs.
"""

from collections.abc import Iterable, Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, serialize

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS = "http://purl.org/dc/terms/"

# Media type -> W3C format IRI (http://www.w3.org/ns/formats/), for sd:resultFormat.
FORMAT_IRIS: dict[str, str] = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/n-quads": "N-Quads",
    "application/trig": "TriG",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}

PREFIXES = {"sd": SD, "formats": FORMATS, "dcterms": DCTERMS}


def _sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def description_quads(
    endpoint: str,
    media_types: Iterable[str],
    *,
    named_graphs: Sequence[str] = (),
    functions: Sequence[str] = (),
) -> list[Quad]:
    """The service description as quads (default graph).

    :param endpoint: the absolute URL of the endpoint (also the service's IRI).
    :param media_types: what the endpoint serves; those with a W3C format IRI become sd:resultFormat.
    :param named_graphs: IRIs of the store's named graphs, listed in the default dataset.
    :param functions: IRIs of extension functions (e.g. full-text search) usable in queries.
    """
    service = NamedNode(endpoint)
    triples = [
        (service, RDF_TYPE, _sd("Service")),
        (service, _sd("endpoint"), service),
        (service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        (service, _sd("feature"), _sd("UnionDefaultGraph")),
        (service, _sd("defaultEntailmentRegime"), NamedNode("http://www.w3.org/ns/entailment/Simple")),
        (service, NamedNode(DCTERMS + "title"), Literal("algokg SPARQL endpoint", language="en")),
    ]
    for media_type in dict.fromkeys(media_types):
        if media_type in FORMAT_IRIS:
            triples.append((service, _sd("resultFormat"), NamedNode(FORMATS + FORMAT_IRIS[media_type])))
    for function in functions:
        triples += [
            (service, _sd("extensionFunction"), NamedNode(function)),
            (NamedNode(function), RDF_TYPE, _sd("Function")),
        ]
    dataset, default_graph = BlankNode("dataset"), BlankNode("defaultGraph")
    triples += [
        (service, _sd("defaultDataset"), dataset),
        (dataset, RDF_TYPE, _sd("Dataset")),
        (dataset, _sd("defaultGraph"), default_graph),
        (default_graph, RDF_TYPE, _sd("Graph")),
    ]
    for index, graph in enumerate(named_graphs):
        node = BlankNode(f"namedGraph{index}")
        triples += [
            (dataset, _sd("namedGraph"), node),
            (node, RDF_TYPE, _sd("NamedGraph")),
            (node, _sd("name"), NamedNode(graph)),
        ]
    return [Quad(s, p, o) for s, p, o in triples]


def render(quads: Sequence[Quad], rdf_format: RdfFormat) -> bytes:
    """The description in an RDF syntax (prefixes where the syntax has them)."""
    statements = quads if rdf_format.supports_datasets else [quad.triple for quad in quads]
    if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML):
        return serialize(statements, format=rdf_format, prefixes=PREFIXES)
    return serialize(statements, format=rdf_format)
