"""`algokg export`: the graph as N-Quads or TriG (every named graph), Turtle or JSON-LD (the union),
or CSV (one row per algorithm, current state)."""

from pyoxigraph import RdfFormat, Store, Triple, serialize
from rdflib import Graph

from loader.csv_cells import safe_csv
from loader.query import run_query

ALGORITHMS_CSV = """
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?algorithm_id ?name ?language ?organisation_name ?organisation ?status ?publication_category
       (GROUP_CONCAT(DISTINCT ?theme_code; separator="|") AS ?themes) ?begin_date ?end_date ?registration
WHERE {
  ?algorithm a akg:Algorithm ; akg:currentRegistration ?registration .
  OPTIONAL { ?algorithm akg:algorithmId ?algorithm_id }
  OPTIONAL { ?registration akg:copyLanguage ?language }
  OPTIONAL { ?registration dct:title ?name }
  OPTIONAL { ?registration akg:organisationName ?organisation_name }
  OPTIONAL { ?registration akg:organisation ?organisation }
  OPTIONAL { ?registration akg:status/skos:notation ?status }
  OPTIONAL { ?registration akg:publicationCategory/skos:notation ?publication_category }
  OPTIONAL { ?registration akg:theme/skos:notation ?theme_code }
  OPTIONAL { ?registration akg:beginDate ?begin_date }
  OPTIONAL { ?registration akg:endDate ?end_date }
}
GROUP BY ?algorithm_id ?name ?language ?organisation_name ?organisation ?status ?publication_category ?begin_date ?end_date ?registration
ORDER BY ?algorithm_id ?language
"""
_DATASET_FORMATS = {"nquads": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG}
_UNION_FORMATS = {"turtle": RdfFormat.TURTLE, "jsonld": RdfFormat.JSON_LD}
_MODEL_GRAPHS = "https://w3id.org/algokg/graph/model/"


def export_store(store: Store, export_format: str) -> bytes:
    if export_format in _DATASET_FORMATS:
        return store.dump(format=_DATASET_FORMATS[export_format]) or b""
    if export_format in _UNION_FORMATS:
        triples = {Triple(quad.subject, quad.predicate, quad.object) for quad in store}
        return serialize(sorted(triples, key=str), format=_UNION_FORMATS[export_format]) or b""
    if export_format == "csv":
        return safe_csv(run_query(store, ALGORITHMS_CSV, "csv"))  # cells a spreadsheet would evaluate as text
    raise ValueError(f"unknown export format {export_format!r}")


def data_graph(store: Store) -> Graph:
    """The loaded data (every graph but the model's) as an rdflib graph, for pyshacl. Small stores only."""
    triples = {
        Triple(quad.subject, quad.predicate, quad.object)
        for quad in store
        if not getattr(quad.graph_name, "value", "").startswith(_MODEL_GRAPHS)
    }
    return Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES) or b"", format="nt")


__all__ = ["data_graph", "export_store"]
