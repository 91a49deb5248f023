"""`algokg stats`: what the store holds, as one JSON object whose keys stay stable.

Counts are over the loaded data (source and dataset graphs), not the reference model:
- ``algorithms``, ``registrations``: distinct akg:Algorithm / akg:Registration nodes;
- ``organisations``: distinct organisation nodes the registrations name (a TOOI organisation or an algokg
  node for a name no list has); ``organisations_tooi``: those of them reconciled to a TOOI IRI;
  ``organisation_names``: distinct names as published (one body has several: Dutch, English, variants);
- ``law_links``: statutory bases that link a record to law, in every input format: given as a link, or
  cited in the text (the search listing has only text); ``law_links_resolved``: those of them that point at a
  law or article node;
- ``laws``, ``articles``: distinct acts and articles (subdivisions) the statutory bases point at;
- ``assessments``: assessments per instrument (the instrument scheme's notation);
- ``records_with_violations``: registrations with a SHACL violation (on them or a node they own);
- ``sources``: loaded source files;
- ``fidelity``: how much of the register's own facts the records carry, per registration: the share whose
  organisation is a TOOI organisation (``organisation_tooi``) and whose organisation has a known type
  (``organisation_typed``), the assessments per status the records state (``assessment_status``), and the
  AI Act categories the records declare (``declared_aiact_category``, e.g. high-risk for the register's
  publication category A). ``make fidelity`` compares these with hand-annotated gold files.
"""

from pyoxigraph import Store

PREFIXES = """
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_DATA = 'FILTER(!STRSTARTS(STR(?g), "https://w3id.org/algokg/graph/model/"))'
_TOOI = 'FILTER(STRSTARTS(STR(?o), "https://identifier.overheid.nl/tooi/id/"))'
UNKNOWN_TYPE = "https://w3id.org/algokg/id/organisation-type/onbekend"

COUNTS = {
    "algorithms": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a akg:Algorithm }} {_DATA} }}",
    "registrations": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a akg:Registration }} {_DATA} }}",
    "organisations": f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH ?g {{ ?r a akg:Registration ; akg:organisation ?o }} {_DATA} }}",
    "organisations_tooi": f"""SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{
        GRAPH ?g {{ ?r a akg:Registration ; akg:organisation ?o }} {_TOOI} {_DATA} }}""",
    "organisation_names": f"SELECT (COUNT(DISTINCT ?name) AS ?n) WHERE {{ GRAPH ?g {{ ?r a akg:Registration ; akg:organisationName ?name }} {_DATA} }}",
    "law_links": f"""SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{
        GRAPH ?g {{ ?b a akg:StatutoryBasis {{ ?b akg:link ?l }} UNION {{ ?b akg:legalResource ?x }} }} {_DATA} }}""",
    "law_links_resolved": f"""SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{
        GRAPH ?g {{ ?b a akg:StatutoryBasis ; akg:legalResource ?x }} {_DATA} }}""",
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
# Per registration: is its organisation a TOOI one, has it a known type (the types live in any graph).
FIDELITY_ORGANISATIONS = f"""SELECT (COUNT(DISTINCT ?r) AS ?records) (COUNT(DISTINCT ?tooi) AS ?reconciled)
    (COUNT(DISTINCT ?typed) AS ?withType) WHERE {{
    GRAPH ?g {{ ?r a akg:Registration }} {_DATA}
    OPTIONAL {{ GRAPH ?g {{ ?r akg:organisation ?o }} {_TOOI} BIND(?r AS ?tooi) }}
    OPTIONAL {{
        GRAPH ?g {{ ?r akg:organisation ?org }}
        FILTER EXISTS {{ ?org akg:organisationType ?type FILTER(?type != <{UNKNOWN_TYPE}>) }}
        BIND(?r AS ?typed)
    }}
}}"""
FIDELITY_STATUSES = f"""SELECT ?code (COUNT(DISTINCT ?a) AS ?n) WHERE {{
    GRAPH ?g {{ ?a a akg:Assessment ; akg:assessmentStatus ?s }} {_DATA}
    ?s skos:notation ?notation BIND(STR(?notation) AS ?code)
}} GROUP BY ?code ORDER BY ?code"""
FIDELITY_DECLARED = f"""SELECT ?code (COUNT(DISTINCT ?r) AS ?n) WHERE {{
    GRAPH ?g {{ ?r a akg:Registration ; akg:riskLevel ?level }} {_DATA}
    ?level skos:notation ?notation BIND(STR(?notation) AS ?code)
}} GROUP BY ?code ORDER BY ?code"""


def store_stats(store: Store) -> dict[str, object]:
    """The stats object (see the module docstring for what each key counts)."""
    stats: dict[str, object] = {}
    for key, query in COUNTS.items():
        stats[key] = _number(store, PREFIXES + query)
    stats["assessments"] = _grouped(store, ASSESSMENTS)
    stats["fidelity"] = fidelity(store)
    return dict(sorted(stats.items()))


def fidelity(store: Store) -> dict[str, object]:
    """The ``fidelity`` section: shares of registrations and counts, keys in a fixed order."""
    row = next(iter(store.query(PREFIXES + FIDELITY_ORGANISATIONS, use_default_graph_as_union=True)))
    records = int(row["records"].value)

    def share(name: str) -> float:
        return round(int(row[name].value) / records, 4) if records else 0.0

    return {
        "records": records,
        "organisation_tooi": share("reconciled"),
        "organisation_typed": share("withType"),
        "assessment_status": _grouped(store, FIDELITY_STATUSES),
        "declared_aiact_category": _grouped(store, FIDELITY_DECLARED),
    }


def _grouped(store: Store, query: str) -> dict[str, int]:
    return {
        str(row["code"].value): int(row["n"].value)
        for row in store.query(PREFIXES + query, use_default_graph_as_union=True)
    }


def _number(store: Store, query: str) -> int:
    row = next(iter(store.query(query, use_default_graph_as_union=True)))
    return int(row["n"].value)
