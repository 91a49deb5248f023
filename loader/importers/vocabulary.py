"""The model's concepts and countries as the importers look values up: by scheme, a label as published -> IRI.

Read once per process from the model files (``ontology/``) with pyoxigraph: a concept is found by its notation,
preferred, alternative or hidden label (case and surrounding space ignored); a country of the registers file by
its ISO 3166 alpha-2 or authority-table code (``skos:notation``). The schemes are data: a value a register adds
is a line in ``ontology/schemes/other-registers.ttl``, not a change here.
"""

from collections import defaultdict
from functools import cache

from pyoxigraph import NamedNode, RdfFormat, Store

from loader.mapping import terms as t
from ontology import model_files

__all__ = ["Vocabulary", "vocabulary"]

SKOS = "http://www.w3.org/2004/02/skos/core#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
_LABELS = f"""
PREFIX skos: <{SKOS}>
SELECT ?scheme ?concept ?label WHERE {{
  ?concept skos:inScheme ?scheme .
  ?concept skos:notation|skos:prefLabel|skos:altLabel|skos:hiddenLabel ?label .
}}
"""
_COUNTRIES = f"""
PREFIX skos: <{SKOS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?code WHERE {{
  {{ ?country skos:notation ?code }} UNION {{ ?country rdfs:label ?code FILTER (LANG(?code) = "en") }}
  FILTER (STRSTARTS(STR(?country), "{COUNTRY}"))
}}
"""
_CATALOGS = """
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?catalog ?number ?publisher WHERE {
  ?catalog akg:sourceCatalogNumber ?number OPTIONAL { ?catalog dct:publisher ?publisher }
}
"""


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class Vocabulary:
    """Concepts by (scheme slug, folded label), countries by code or name, source catalogues by number."""

    def __init__(self, store: Store) -> None:
        self._concepts: dict[str, dict[str, NamedNode]] = defaultdict(dict)
        for row in store.query(_LABELS, use_default_graph_as_union=True):
            scheme = row["scheme"].value.removeprefix(f"{t.ID}scheme/")
            self._concepts[scheme].setdefault(_fold(row["label"].value), row["concept"])
        self._countries = {
            _fold(row["code"].value): row["country"] for row in store.query(_COUNTRIES, use_default_graph_as_union=True)
        }
        found = list(store.query(_CATALOGS, use_default_graph_as_union=True))
        self.catalogs: dict[int, NamedNode] = {int(row["number"].value): row["catalog"] for row in found}
        self.publishers: dict[int, NamedNode] = {
            int(row["number"].value): row["publisher"] for row in found if row["publisher"] is not None
        }

    def concept(self, scheme: str, value: str) -> NamedNode | None:
        """The concept of ``scheme`` a value as published names, or None."""
        return self._concepts.get(scheme, {}).get(_fold(value))

    def country(self, code: str) -> NamedNode | None:
        """The authority-table country of an ISO 3166 alpha-2 or alpha-3 code or its English name, or None."""
        return self._countries.get(_fold(code))


@cache
def vocabulary() -> Vocabulary:
    store = Store()
    for path in model_files():
        store.load(path=str(path), format=RdfFormat.TURTLE)
    return Vocabulary(store)
