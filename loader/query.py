"""`algokg query`: SPARQL over the union of all graphs, results serialised by pyoxigraph."""

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store

from loader.errors import AlgokgError

RESULT_FORMATS = {
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
}
GRAPH_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "json": RdfFormat.JSON_LD}


class QueryError(AlgokgError):
    """The query is not valid SPARQL, or its results cannot be written in the format asked for."""


def run_query(store: Store, query: str, result_format: str) -> bytes:
    """Run ``query``; SELECT/ASK results as csv/tsv/json/xml, CONSTRUCT/DESCRIBE graphs as turtle/ntriples/json."""
    try:
        results = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise QueryError(f"not valid SPARQL: {error.msg}", line=error.lineno, path="<query>") from None
    if isinstance(results, QuerySolutions | QueryBoolean):
        if result_format not in RESULT_FORMATS:
            raise QueryError(f"a SELECT or ASK result cannot be written as {result_format}; use csv, tsv, json or xml")
        return results.serialize(format=RESULT_FORMATS[result_format]) or b""
    if result_format not in GRAPH_FORMATS:
        raise QueryError(f"a graph result cannot be written as {result_format}; use turtle, ntriples or json")
    return results.serialize(format=GRAPH_FORMATS[result_format]) or b""
