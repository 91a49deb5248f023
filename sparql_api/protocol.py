"""`/sparql`: the SPARQL 1.1 Protocol query operation, and the service description without a query.

GET `?query=…`, POST `application/x-www-form-urlencoded` and POST `application/sparql-query`, each with
`default-graph-uri` / `named-graph-uri` (repeatable; they replace the query's FROM / FROM NAMED), `timeout`
(seconds, capped by the server) and `format` (or `output` / `results`, as clients send them; a known value
overrides Accept, an unknown one is ignored). Results are chosen by `Accept` with q-values
(`sparql_api.negotiation`). A graph query (CONSTRUCT, DESCRIBE) asked for in a JSON results type only
(`application/sparql-results+json`, `application/json`: rdflib's `SPARQLStore(returnFormat="json")` does this)
answers JSON-LD, in an XML one RDF/XML. Every answer is complete before its first byte is sent, errors are
RFC 9457 problem+json (`sparql_api.problems`).

The endpoint is a bare ASGI app (`SparqlEndpoint`), and `sparql_api.app.AlgokgApp` hands a request for `/sparql`
to the app's own middleware (security headers, CORS, GZip, metrics, limits, error pages) wrapped around it
directly, without Starlette's exception and routing layers and `Request`/`Response` objects: on a point lookup
that is ~160 µs less server CPU a request (docs/performance.md). Error answers are still `Response` objects.
"""

import math
from collections.abc import Sequence
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from fastapi import FastAPI, Response
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from sparql_api import service_description
from sparql_api.failures import logged
from sparql_api.negotiation import GRAPH_EQUIVALENTS, choose_media_type, format_parameter
from sparql_api.problems import problem
from sparql_api.queries import (
    QueryCancelled,
    QueryCrashed,
    QueryFailed,
    QueryService,
    QuerySyntaxError,
    QueryTimeout,
    WrongResultFormat,
)
from sparql_api.query_gate import QueryGate, QueryRefused

# The canonical media type of each format first; aliases some clients send after them.
RESULT_FORMATS: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
}
GRAPH_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/x-turtle": RdfFormat.TURTLE,
}
RESULT_TYPES, GRAPH_TYPES = list(RESULT_FORMATS), list(GRAPH_FORMATS)
# A browser asking for the service description gets its Turtle as text to read.
DESCRIPTION_TYPES = [*GRAPH_TYPES, "text/html", "text/plain"]
FORM, SPARQL_QUERY = "application/x-www-form-urlencoded", "application/sparql-query"
PATH = "/sparql"
VARY = {"Vary": "Accept"}


class _Answer(NamedTuple):
    """A query's answer, sent as it is (the common case: no `Response` object is made for it)."""

    body: bytes
    media_type: str


class SparqlEndpoint:
    """`/sparql` as a bare ASGI app (see the module's doc); `scope["app"]` is the app whose state it uses."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        outcome = await _request(scope, receive)
        if isinstance(outcome, Response):
            await outcome(scope, receive, send)
            return
        media_type = outcome.media_type
        if media_type.startswith("text/"):  # as Starlette's Response names a text type's charset
            media_type += "; charset=utf-8"
        headers = [
            (b"vary", b"Accept"),
            (b"content-length", str(len(outcome.body)).encode()),
            (b"content-type", media_type.encode("latin-1")),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": outcome.body})


async def _request(scope: Scope, receive: Receive) -> "Response | _Answer":
    method = scope["method"]
    if method in ("GET", "HEAD"):
        return await _handle(scope, _parameters(scope), describe=True)
    if method != "POST":
        detail = f"/sparql answers GET and POST, not {method}"
        return problem(405, "Method Not Allowed", detail, headers={"Allow": "GET, HEAD, POST"})
    media_type, _, parameters = (_header(scope, b"content-type") or "").partition(";")
    media_type = media_type.strip().lower()
    if media_type not in (FORM, SPARQL_QUERY):
        return problem(
            415,
            "Unsupported Media Type",
            f"a SPARQL query is POSTed as {FORM} or {SPARQL_QUERY}, not {media_type or 'without a Content-Type'}",
            accepted=[FORM, SPARQL_QUERY],
        )
    charset = _charset(parameters)
    if charset not in (None, "utf-8", "utf8"):
        return problem(415, "Unsupported Media Type", f"the query must be UTF-8, not {charset}")
    try:
        body = (await _body(receive)).decode("utf-8")
    except UnicodeDecodeError as error:
        return problem(400, "Bad Request", f"the request body is not UTF-8 (byte {error.start})")
    params = _parameters(scope)
    if media_type == FORM:
        params += parse_qsl(body, keep_blank_values=True)
    else:
        params.append(("query", body))
    return await _handle(scope, params, describe=False)


def _parameters(scope: Scope) -> list[tuple[str, str]]:
    """The query string's parameters, in order, as Starlette's `QueryParams.multi_items()` gives them."""
    return parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (`name` in lower case), as Starlette's `Headers.get` gives it."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def _body(receive: Receive) -> bytes:
    """The whole request body; ClientDisconnect when the client goes away first (as `Request.body()`)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def install(app: FastAPI) -> None:
    """Put `/sparql` first among the app's routes, as a plain Starlette route around `SparqlEndpoint`.

    `AlgokgApp` sends `/sparql` requests to the endpoint itself, past the router; the route names it (the
    metrics label requests by `route.path`) and answers it for an app that has no such shortcut. Starlette
    answers HEAD like GET; PUT, DELETE and PATCH reach the endpoint for a problem+json 405.
    """
    route = _Route(PATH, SparqlEndpoint(), methods=["GET", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False)
    app.router.routes.insert(0, route)


class _Route(Route):
    """A Starlette route that puts itself in the scope as FastAPI's do (metrics label requests by `route.path`)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match != Match.NONE:
            child_scope["route"] = self
        return match, child_scope


def _charset(parameters: str) -> str | None:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


async def _handle(scope: Scope, params: Sequence[tuple[str, str]], *, describe: bool) -> "Response | _Answer":
    values: dict[str, list[str]] = {}
    for key, value in params:
        values.setdefault(key, []).append(value)
    if "update" in values:
        return problem(400, "Bad Request", "/sparql answers queries only; SPARQL Update goes to POST /update")
    queries = values.get("query", [])
    if len(queries) > 1:
        return problem(400, "Bad Request", f"one query per request, not {len(queries)}")
    accept = _header(scope, b"accept")
    format = format_parameter(values)
    state = scope["app"].state
    if not queries:
        if describe:
            return await run_in_threadpool(_description, state, accept, format)  # cached per data version
        return problem(400, "Bad Request", "no query given (the `query` parameter or an application/sparql-query body)")
    default_graph, named_graphs = values.get("default-graph-uri"), values.get("named-graph-uri")
    for name, iris in (("default-graph-uri", default_graph), ("named-graph-uri", named_graphs)):
        for iri in iris or []:
            try:
                NamedNode(iri)
            except ValueError:
                return problem(400, "Bad Request", f"{name} is not an absolute IRI: {iri!r}")
    try:
        timeout = float(values["timeout"][-1]) if values.get("timeout") else None
        if timeout is not None and not math.isfinite(timeout):
            raise ValueError(timeout)
    except ValueError:
        return problem(400, "Bad Request", f"timeout must be a number of seconds, not {values['timeout'][-1]!r}")

    solutions_type = choose_media_type(accept, RESULT_TYPES, format)
    graph_type = choose_media_type(accept, GRAPH_TYPES, format) or _graph_equivalent(accept, format)
    if solutions_type is None and graph_type is None:
        return _not_acceptable(accept, format, [*RESULT_TYPES, *GRAPH_TYPES])
    service: QueryService = state.queries
    base_iri = f"{state.settings.public_base}{PATH}"  # relative IRIs: the endpoint's own URL
    try:
        # Only a query passes (sparql_api.query_gate), before any store sees the text.
        gate: QueryGate = state.query_gate
        gated = await gate.admit_async(queries[0], base_iri=base_iri, seconds=service.timeout(timeout))
        body, used = await service.answer_async(
            gated.text,
            RESULT_FORMATS[solutions_type] if solutions_type else None,
            GRAPH_FORMATS[graph_type] if graph_type else None,
            default_graph=default_graph,
            named_graphs=named_graphs,
            timeout=timeout,
            base_iri=base_iri,
        )
    except QueryRefused as error:
        return problem(error.status, error.title, error.detail, **error.extra)
    except QuerySyntaxError as error:
        where = f" at line {error.line}, column {error.column}" if error.line is not None else ""
        return problem(
            400, "SPARQL syntax error", f"syntax error{where}: {error.message}", line=error.line, column=error.column
        )
    except QueryTimeout as error:
        headers = {"Retry-After": str(error.retry_after), **VARY}
        return problem(503, "Query stopped", str(error), headers=headers, timeout=error.seconds)
    except WrongResultFormat as error:
        offered = RESULT_TYPES if error.form in ("SELECT", "ASK") else GRAPH_TYPES
        return _not_acceptable(accept, format, offered, form=error.form)
    except QueryCancelled as error:  # nobody reads this answer; the status tells the access log and the metrics
        return problem(error.status, "Client closed request", str(error))
    except QueryCrashed as error:
        logged(error, "/sparql")
        detail = "the query could not be run: it is nested or chained beyond what the query engine handles"
        return problem(400, "Query too complex", detail)
    except QueryFailed as error:  # the store's or a SERVICE endpoint's own words stay in the log
        reference = logged(error, "/sparql")
        detail = f"the query could not be evaluated (reference {reference} in the server log)"
        return problem(500, "Query failed", detail, reference=reference)
    media_type = solutions_type if isinstance(used, QueryResultsFormat) else graph_type
    assert media_type is not None  # the worker answered in a format asked for
    return _Answer(body, media_type)


def _graph_equivalent(accept: str | None, format: str | None) -> str | None:
    """The RDF syntax for a graph query whose Accept names only results types: JSON -> JSON-LD, XML -> RDF/XML."""
    if format is not None:
        return None  # a format parameter has already decided (`choose_media_type` maps json/xml itself)
    results_type = choose_media_type(accept, list(GRAPH_EQUIVALENTS))
    return GRAPH_EQUIVALENTS[results_type] if results_type else None


def _not_acceptable(accept: str | None, format: str | None, offered: list[str], form: str = "") -> Response:
    asked = f"format={format}" if format else f"Accept: {accept}"
    results = f"the results of this {form} query" if form else "this query"
    return problem(
        406,
        "Not Acceptable",
        f"{results} cannot be served as {asked}",
        headers=VARY,
        accepted=offered,
        form=form or None,
    )


# -- the service description -------------------------------------------------------------------

# (store, generation, endpoint, media type) -> body: the description changes only with the data.
_descriptions: dict[tuple[str, str, str, str], bytes] = {}


def _description(state: Any, accept: str | None, format: str | None) -> Response:
    """The service description; `state` is the app's (`app.state`)."""
    media_type = choose_media_type(accept, DESCRIPTION_TYPES, format)
    if media_type is None:
        return _not_acceptable(accept, format, DESCRIPTION_TYPES)
    rdf_format = GRAPH_FORMATS.get(media_type, RdfFormat.TURTLE)
    service: QueryService = state.queries
    endpoint = f"{state.settings.public_base}{PATH}"
    version = service.data_version
    key = (str(state.settings.store_dir), version, endpoint, rdf_format.media_type)
    if (body := _descriptions.get(key)) is None:
        quads = service_description.description_quads(
            endpoint,
            [*RESULT_TYPES, *GRAPH_TYPES],
            named_graphs=_named_graphs(service),
            functions=service.extension_functions(),
        )
        body = service_description.render(quads, rdf_format)
        if len(_descriptions) > 64:
            _descriptions.clear()  # old generations' descriptions are never asked for again
        _descriptions[key] = body
    shown = media_type if media_type in GRAPH_FORMATS else "text/plain"
    return Response(content=body, media_type=shown, headers=VARY)


def _named_graphs(service: QueryService) -> list[str]:
    try:
        rows = service.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g", timeout=5)
    except (QueryTimeout, QueryFailed):
        return []  # the description is still right without the list
    return [row["g"].value for row in rows if isinstance(row.get("g"), NamedNode)]
