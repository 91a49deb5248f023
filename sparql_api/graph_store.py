"""`/store`: the SPARQL 1.1 Graph Store HTTP Protocol.

A graph is named with `?graph=IRI` or `?default` (indirect identification), or is the URL itself under
`/store/…` (direct identification: `{public base}/store/a/b` names the graph of that IRI). GET and HEAD read
(no token); PUT replaces, POST merges (POST to `/store` itself creates a new graph and answers its Location),
DELETE removes — writes need the write token and pass the SHACL gate (`sparql_api.writes`).
Statuses: 201 when a graph is created, 204 when PUT replaced one, 200 with a summary for POST and DELETE,
404 for a graph that does not exist. The default graph is the store's unnamed graph (not `/sparql`'s union).
"""

from uuid import uuid4

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from loader.rdf_guard import check_rdf
from loader.writes import GraphName, WriteResult
from sparql_api.auth import write_denied
from sparql_api.negotiation import choose_media_type
from sparql_api.problems import problem
from sparql_api.queries import UNNAMED_GRAPH, QueryError, QueryService
from sparql_api.writes import run_write, summary

router = APIRouter()

# What GET answers in (Turtle first: the protocol's default) and what PUT/POST read.
GRAPH_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
}
READ_FORMATS: dict[str, RdfFormat] = {**GRAPH_FORMATS, "text/n3": RdfFormat.N3, "text/plain": RdfFormat.N_TRIPLES}
_EXTENSIONS = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "rdf": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD,
}

_EXISTS = "ASK { GRAPH ?g { } }"
_NAMED_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
# Read with the store's unnamed graph as the default graph (not /sparql's union of all graphs).
_DEFAULT_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


class _BadRequest(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


# -- reading -----------------------------------------------------------------------------------------------------


@router.api_route("/store", methods=["GET", "HEAD"])
async def read_indirect(request: Request) -> Response:
    return await _read(request, None)


@router.api_route("/store/{path:path}", methods=["GET", "HEAD"])
async def read_direct(request: Request, path: str) -> Response:
    return await _read(request, path)


async def _read(request: Request, path: str | None) -> Response:
    try:
        graph = _target(request, path)
    except _BadRequest as error:
        return error.response
    if graph is None:
        return problem(400, "Which graph?", "name a graph with ?graph=IRI or ?default")
    # `?format=` overrides Accept, as on every other read endpoint (sparql_api.negotiation).
    offered = list(GRAPH_FORMATS)
    media_type = choose_media_type(request.headers.get("accept"), offered, request.query_params.get("format"))
    if media_type is None:
        detail = "a graph is served as " + ", ".join(offered)
        return problem(406, "Not acceptable", detail, accepted=offered, headers={"Vary": "Accept"})
    queries: QueryService = request.app.state.queries
    try:
        if isinstance(graph, NamedNode):
            if not await run_in_threadpool(queries.ask, _EXISTS, substitutions={"g": graph}):
                return problem(404, "No such graph", f"the store has no graph <{graph.value}>")
            body = await run_in_threadpool(
                queries.serialize, _NAMED_GRAPH, GRAPH_FORMATS[media_type], substitutions={"g": graph}
            )
        else:
            body = await run_in_threadpool(
                queries.serialize, _DEFAULT_GRAPH, GRAPH_FORMATS[media_type], default_graph=[UNNAMED_GRAPH]
            )
    except QueryError as error:
        headers = {"Retry-After": str(error.retry_after)} if hasattr(error, "retry_after") else None
        return problem(error.status, "The graph could not be read", str(error), headers=headers)
    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
    return Response(body, media_type=f"{media_type}{charset}", headers={"Vary": "Accept"})


# -- writing -----------------------------------------------------------------------------------------------------


@router.put("/store")
async def put_indirect(request: Request) -> Response:
    return await _put(request, None)


@router.put("/store/{path:path}")
async def put_direct(request: Request, path: str) -> Response:
    return await _put(request, path)


@router.post("/store")
async def post_indirect(request: Request) -> Response:
    return await _post(request, None)


@router.post("/store/{path:path}")
async def post_direct(request: Request, path: str) -> Response:
    return await _post(request, path)


@router.delete("/store")
async def delete_indirect(request: Request) -> Response:
    return await _delete(request, None)


@router.delete("/store/{path:path}")
async def delete_direct(request: Request, path: str) -> Response:
    return await _delete(request, path)


async def _put(request: Request, path: str | None) -> Response:
    if denied := write_denied(request):
        return denied
    try:
        graph = _required(_target(request, path))
        quads = await _body_quads(request, graph)
    except _BadRequest as error:
        return error.response

    was_empty: list[bool] = []

    def replace(store: Store) -> None:
        if isinstance(graph, DefaultGraph):
            was_empty.append(next(store.quads_for_pattern(None, None, None, graph), None) is None)
        _clear(store, graph)
        if isinstance(graph, NamedNode):
            store.add_graph(graph)  # an empty body makes an empty graph
        store.extend(_in(graph, quads))

    result = await run_write(request, replace, operation=f"Graph Store PUT {_label(graph)}", scope=[graph])
    if isinstance(result, Response):
        return result
    # The default graph always exists: it is "created" when it had no triples.
    created = _created(result, graph) or (bool(was_empty) and was_empty[0] and result.added > 0)
    return Response(status_code=201 if created else 204)


async def _post(request: Request, path: str | None) -> Response:
    if denied := write_denied(request):
        return denied
    try:
        target = _target(request, path)
        graph = target if target is not None else NamedNode(f"{_base(request)}/store/{uuid4()}")
        quads = await _body_quads(request, graph)
    except _BadRequest as error:
        return error.response

    def merge(store: Store) -> None:
        if isinstance(graph, NamedNode):
            store.add_graph(graph)
        store.extend(_in(graph, quads))

    result = await run_write(request, merge, operation=f"Graph Store POST {_label(graph)}", scope=[graph])
    if isinstance(result, Response):
        return result
    if target is None:  # a new graph named by the store: tell where it is
        return JSONResponse(summary(result), status_code=201, headers={"Location": graph.value})
    return JSONResponse(summary(result), status_code=201 if _created(result, graph) else 200)


async def _delete(request: Request, path: str | None) -> Response:
    if denied := write_denied(request):
        return denied
    try:
        graph = _required(_target(request, path))
    except _BadRequest as error:
        return error.response
    missing: list[bool] = []

    def remove(store: Store) -> None:
        # Checked on the copy, under the lock: the graph cannot go between the check and the removal.
        if isinstance(graph, NamedNode) and not store.contains_named_graph(graph):
            missing.append(True)
        _clear(store, graph)

    result = await run_write(request, remove, operation=f"Graph Store DELETE {_label(graph)}", scope=[graph])
    if isinstance(result, Response):
        return result
    if missing:
        return problem(404, "No such graph", f"the store has no graph <{_label(graph)}>")
    return JSONResponse(summary(result))


# -- helpers -----------------------------------------------------------------------------------------------------


def _base(request: Request) -> str:
    return str(request.app.state.settings.public_base)


def _target(request: Request, path: str | None) -> GraphName | None:
    """The graph a request names; None when it names none (the graph store itself)."""
    params = request.query_params
    graphs = params.getlist("graph")
    if path is not None:
        if graphs or "default" in params:
            raise _BadRequest(problem(400, "Two graph names", "a /store/… URL names its graph: drop ?graph / ?default"))
        return NamedNode(f"{_base(request)}/store/{path}")
    if len(graphs) > 1 or (graphs and "default" in params):
        raise _BadRequest(problem(400, "More than one graph", "name one graph: ?graph=IRI or ?default"))
    if "default" in params:
        return DefaultGraph()
    if graphs:
        try:
            iri = NamedNode(graphs[0])
        except ValueError as error:
            raise _BadRequest(
                problem(400, "Not an IRI", f"?graph={graphs[0]!r} is not an absolute IRI ({error})")
            ) from None
        return iri
    return None


def _required(graph: GraphName | None) -> GraphName:
    if graph is None:
        raise _BadRequest(problem(400, "Which graph?", "name a graph with ?graph=IRI or ?default"))
    return graph


async def _body_quads(request: Request, graph: GraphName) -> list[Quad]:
    """The request's RDF (one document, or each part of a multipart form) parsed, blank nodes made fresh."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    base = graph.value if isinstance(graph, NamedNode) else f"{_base(request)}/store"
    if media_type == "multipart/form-data":
        quads: list[Quad] = []
        for name, part in (await request.form()).multi_items():
            if isinstance(part, UploadFile):
                rdf_format = _part_format(part)
                quads += _parse(await part.read(), rdf_format, base, f"part {name!r}")
        return quads
    rdf_format = READ_FORMATS.get(media_type)
    if rdf_format is None:
        raise _BadRequest(
            problem(
                415,
                "Unsupported media type",
                f"send the graph as one of {', '.join(READ_FORMATS)} (or multipart/form-data), not {media_type!r}",
            )
        )
    return _parse(await request.body(), rdf_format, base, "the body")


def _part_format(part: UploadFile) -> RdfFormat:
    media_type = (part.content_type or "").split(";")[0].strip().lower()
    if media_type in READ_FORMATS:
        return READ_FORMATS[media_type]
    extension = (part.filename or "").rpartition(".")[2].lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    raise _BadRequest(problem(415, "Unsupported media type", f"part {part.filename!r}: {media_type!r} is not RDF"))


def _parse(data: bytes, rdf_format: RdfFormat, base: str, what: str) -> list[Quad]:
    try:
        check_rdf(data, rdf_format)  # entity expansion and nesting, refused before the parser sees them
        # Fresh blank nodes: `_:b1` in this document is not `_:b1` already in the store.
        return list(parse(data, format=rdf_format, base_iri=base, rename_blank_nodes=True, without_named_graphs=True))
    except SyntaxError as error:
        line, column = getattr(error, "lineno", None), getattr(error, "offset", None)
        raise _BadRequest(
            problem(400, f"Not valid {rdf_format.name}", f"{what}: {error}", line=line, column=column)
        ) from None


def _in(graph: GraphName, quads: list[Quad]) -> list[Quad]:
    return [Quad(q.subject, q.predicate, q.object, graph) for q in quads]


def _clear(store: Store, graph: GraphName) -> None:
    if isinstance(graph, NamedNode):
        store.remove_graph(graph)
    else:
        store.clear_graph(graph)


def _created(result: WriteResult, graph: GraphName) -> bool:
    return isinstance(graph, NamedNode) and graph.value in result.created


def _label(graph: GraphName) -> str:
    return graph.value if isinstance(graph, NamedNode) else "default graph"
