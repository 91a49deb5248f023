"""Whether the store holds fictitious data (algokg's example register), read from the data: a dataset marked
`akg:isFictitious true` (loader/data/example-register.ttl). The home page then says so and the footer does not
call the data the Algoritmeregister; when the register's own data are loaded beside it, both are said.

One query per data version (the answer cannot change in between).
"""

from dataclasses import dataclass

from sparql_api.queries import QueryService
from sparql_api.rest.catalogue import pick_label

_QUERY = """PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?dataset ?label ?real
WHERE {
  GRAPH ?marked { ?dataset akg:isFictitious true }
  OPTIONAL { ?dataset rdfs:label ?label }
  OPTIONAL {
    # An algorithm of a graph that is neither marked fictitious nor derived: the register's (or another's) data.
    { SELECT ?real WHERE {
        GRAPH ?graph { ?real a akg:Algorithm }
        FILTER (!STRSTARTS(STR(?graph), "https://w3id.org/algokg/graph/derived/"))
        FILTER NOT EXISTS { GRAPH ?graph { ?anything akg:isFictitious true } }
      } LIMIT 1 }
  }
}"""


@dataclass(frozen=True)
class FictitiousData:
    labels: tuple  # the fictitious datasets' labels (language-tagged literals)
    mixed: bool  # other data are loaded beside it

    def label(self, lang: str) -> str:
        return pick_label(self.labels, lang) or ""


_seen: dict[tuple[int, str], FictitiousData | None] = {}


def fictitious_data(queries: QueryService) -> FictitiousData | None:
    """The fictitious data the store holds, None when it holds none."""
    key = (id(queries), queries.data_version)
    if key not in _seen:
        rows = queries.select(_QUERY)
        found = FictitiousData(
            tuple(row["label"] for row in rows if "label" in row), any("real" in row for row in rows)
        )
        _seen.clear()  # only the current version matters
        _seen[key] = found if rows else None
    return _seen[key]
