"""`algokg stats`: what the store holds, as one JSON object whose keys stay stable.

Counts are over the loaded data (source and dataset graphs), not the reference model:
- ``algorithms``, ``registrations``: distinct akg:Algorithm / akg:Registration nodes;
- ``organisations``: distinct organisation names as published; ``organisations_tooi``: those of them
  reconciled to a TOOI IRI;
- ``law_links``: statutory bases given with a link; ``law_links_resolved``: those of them that point
  at a law or article node;
- ``laws``, ``articles``: distinct acts and articles (subdivisions) the statutory bases point at;
- ``assessments``: assessments per instrument (the instrument scheme's notation);
- ``records_with_violations``: registrations with a SHACL violation (on them or a node they own);
- ``sources``: loaded source files.
"""

from pyoxigraph import Store

PREFIXES = """
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_DATA = 'FILTER(!STRSTARTS(STR(?g), "https://w3id.org/algokg/graph/model/"))'

COUNTS = {
    "algorithms": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a akg:Algorithm }} {_DATA} }}",
    "registrations": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a akg:Registration }} {_DATA} }}",
    "organisations": f"SELECT (COUNT(DISTINCT ?name) AS ?n) WHERE {{ GRAPH ?g {{ ?r a akg:Registration ; akg:organisationName ?name }} {_DATA} }}",
    "organisations_tooi": f"""SELECT (COUNT(DISTINCT ?name) AS ?n) WHERE {{
        GRAPH ?g {{ ?r a akg:Registration ; akg:organisationName ?name ; akg:organisation ?o }}
        FILTER(STRSTARTS(STR(?o), "https://identifier.overheid.nl/tooi/id/")) {_DATA} }}""",
    "law_links": f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH ?g {{ ?b a akg:StatutoryBasis ; akg:link ?l }} {_DATA} }}",
    "law_links_resolved": f"""SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{
        GRAPH ?g {{ ?b a akg:StatutoryBasis ; akg:link ?l ; akg:legalResource ?x }} {_DATA} }}""",
    "laws": f"""SELECT (COUNT(DISTINCT ?law) AS ?n) WHERE {{
        GRAPH ?g {{ ?b a akg:StatutoryBasis ; akg:legalResource ?x }} {_DATA}
        {{ ?x a eli:LegalResource BIND(?x AS ?law) }} UNION {{ ?x eli:is_part_of+ ?law . ?law a eli:LegalResource }} }}""",
    "articles": f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
        GRAPH ?g {{ ?b a akg:StatutoryBasis ; akg:legalResource ?x }} {_DATA} ?x a eli:LegalResourceSubdivision }}""",
    "records_with_violations": """SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {
        { ?result sh:resultSeverity sh:Violation ; sh:focusNode ?r }
        UNION
        { ?result sh:resultSeverity sh:Violation ; sh:focusNode ?owned .
          ?r akg:hasStatutoryBasis|akg:hasAssessment|akg:usesDataSource ?owned }
        ?r a akg:Registration }""",
    "sources": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a akg:LoadedSource }",
}
ASSESSMENTS = f"""SELECT ?code (COUNT(DISTINCT ?a) AS ?n) WHERE {{
    GRAPH ?g {{ ?a a akg:Assessment ; akg:instrument ?i }} {_DATA}
    OPTIONAL {{ ?i skos:notation ?notation }}
    BIND(COALESCE(STR(?notation), STR(?i)) AS ?code)
}} GROUP BY ?code ORDER BY ?code"""


def store_stats(store: Store) -> dict[str, object]:
    """The stats object (see the module docstring for what each key counts)."""
    stats: dict[str, object] = {}
    for key, query in COUNTS.items():
        stats[key] = _number(store, PREFIXES + query)
    stats["assessments"] = {
        str(row["code"].value): int(row["n"].value)
        for row in store.query(PREFIXES + ASSESSMENTS, use_default_graph_as_union=True)
    }
    return dict(sorted(stats.items()))


def _number(store: Store, query: str) -> int:
    row = next(iter(store.query(query, use_default_graph_as_union=True)))
    return int(row["n"].value)
