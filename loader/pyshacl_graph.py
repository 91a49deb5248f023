"""The data graph pyshacl validates: an rdflib graph that parses each SPARQL text once.

pyshacl sends a SPARQL constraint's (or target's) text again for every focus node, and parsing it (~25 ms)
took 93% of validating the 120-record sample (4.6 s -> 0.35 s). The loader's pyshacl engine and the pyshacl
oracle of the tests (`loader.shacl_sparql.pyshacl_results`) both validate such a graph;
`tests/loader/test_validation.py` checks it finds what plain pyshacl finds.
"""

from typing import Any

from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result


class PreparedQueries(Graph):
    """A graph whose `query` parses a SPARQL text once per text and namespace bindings."""

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}

    def query(  # type: ignore[override]
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,  # rdflib's names and order: pyshacl passes them by position
        initBindings: Any = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and processor == "sparql" and result == "sparql" and not kwargs:
            key = (query_object, tuple(sorted((initNs or {}).items())))
            if key not in self._prepared:
                self._prepared[key] = prepareQuery(query_object, initNs={**dict(self.namespaces()), **(initNs or {})})
            query_object, initNs = self._prepared[key], None
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)
