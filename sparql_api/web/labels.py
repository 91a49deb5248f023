"""The labels of IRIs in a page's language, read with one query (skos:prefLabel, rdfs:label or dct:title), for
pages that show IRIs a report or a rule gives (an organisation, a publication category) by their names."""

from collections.abc import Iterable

from pyoxigraph import NamedNode

from sparql_api.queries import QueryService
from sparql_api.rest.catalogue import pick_label

LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?iri ?label WHERE { VALUES ?iri { %s } ?iri skos:prefLabel|rdfs:label|dct:title ?label }"""


def labels_of(queries: QueryService, iris: Iterable[str], lang: str) -> dict[str, str]:
    """The label of each IRI in ``lang`` (else the nearest language), from one query; IRIs without one are left out."""
    terms = []
    for iri in sorted(set(iris)):
        try:
            terms.append(str(NamedNode(iri)))  # N-Triples notation: escaped, never pasted as text
        except ValueError:
            continue
    if not terms:
        return {}
    rows = queries.select(LABELS % " ".join(terms))
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row["iri"].value, []).append(row["label"])
    return {iri: label for iri, labels in found.items() if (label := pick_label(labels, lang))}
