"""`/store`: the SPARQL 1.1 Graph Store HTTP Protocol.

A graph is named with `?graph=IRI` or `?default` (indirect identification), or is the URL itself under
`/store/…` (direct identification: `{public base}/store/a/b` names the graph of that IRI). GET and HEAD read
(no token); PUT replaces, POST merges (POST to `/store` itself creates a new graph and answers its Location),
DELETE removes — writes need the write token and pass the SHACL gate (`sparql_api.writes`); a protected graph
(the model, provenance, validation results, current state: `loader.writes.PROTECTED`) is a 403 before the body
is read.
Statuses: 201 when a graph is created, 204 when PUT replaced one, 200 with a summary for POST and DELETE,
404 for a graph that does not exist. The default graph is the store's unnamed graph (not `/sparql`'s union).
"""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

from fastapi import APIRouter, Request, Response
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, parse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from loader.rdf_guard import check_rdf
from loader.writes import GraphName, protection
from sparql_api.auth import write_denied
from sparql_api.body_jobs import GraphStoreJob
from sparql_api.body_workers import BodyTooLarge, read_body, too_large
from sparql_api.failures import failure_detail, failure_status
from sparql_api.negotiation import choose_media_type
from sparql_api.problems import problem
from sparql_api.queries import UNNAMED_GRAPH, QueryError, QueryService
from sparql_api.writes import run_write, write_limits

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
    except QueryError as error:  # the server's own query: what went wrong goes to the log, under a reference
        headers = {"Retry-After": str(error.retry_after)} if hasattr(error, "retry_after") else None
        detail = failure_detail(error, request.url.path)
        return problem(failure_status(error), "The graph could not be read", detail, headers=headers)
    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
    return Response(body, media_type=f"{media_type}{charset}", headers={"Vary": "Accept"})


# -- writing -----------------------------------------------------------------------------------------------------
# The body is read here (at most `Settings.max_upload_body`) and parsed in the write worker (`body_documents`,
# `_parse`, from `sparql_api.body_jobs.run_graph_store`), never in the server.


@router.put("/store")
async def put_indirect(request: Request) -> Response:
    return await _write(request, None, "PUT")


@router.put("/store/{path:path}")
async def put_direct(request: Request, path: str) -> Response:
    return await _write(request, path, "PUT")


@router.post("/store")
async def post_indirect(request: Request) -> Response:
    return await _write(request, None, "POST")


@router.post("/store/{path:path}")
async def post_direct(request: Request, path: str) -> Response:
    return await _write(request, path, "POST")


@router.delete("/store")
async def delete_indirect(request: Request) -> Response:
    return await _write(request, None, "DELETE")


@router.delete("/store/{path:path}")
async def delete_direct(request: Request, path: str) -> Response:
    return await _write(request, path, "DELETE")


async def _write(request: Request, path: str | None, method: str) -> Response:
    if denied := write_denied(request):
        return denied
    try:
        target = _target(request, path)
        graph = target if target is not None or method == "POST" else _required(target)
    except _BadRequest as error:
        return error.response
    iri = _iri(graph) if graph is not None else f"{_base(request)}/store/{uuid4()}"  # POST /store names a new graph
    if what := protection(iri):
        # Before the body is read: the graph is in the URL.
        detail = f"<{iri}> is a protected graph ({what}): only `algokg load` writes it; nothing was written"
        return problem(403, "Protected graph", detail, graphs=[iri])
    body, content_type = b"", ""
    if method != "DELETE":
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type != "multipart/form-data" and media_type not in READ_FORMATS:
            return _unsupported(media_type)
        try:
            body = await read_body(request, request.app.state.settings.max_upload_body)
        except BodyTooLarge as error:
            return too_large(error, "ALGOKG_MAX_UPLOAD_BODY")
    settings = request.app.state.settings
    job = GraphStoreJob(
        settings.store_dir, method, iri, body, content_type, _base(request), graph is None, write_limits(request)
    )
    return await run_write(request, "graph_store", job)


class BodyRejected(Exception):
    """The body cannot be read as RDF (its status: 400, or 415 for a part that is no RDF); plain data, so a
    worker can send it back."""

    def __init__(
        self, status: int, title: str, detail: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.line, self.column = status, title, detail, line, column


def body_documents(body: bytes, content_type: str) -> list[tuple[bytes, RdfFormat, str]]:
    """The RDF documents of a body: itself, or each file part of a multipart form; (data, format, what it is).

    :raises BodyRejected: a media type that is not RDF (415), a form that cannot be read (400).
    """
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != "multipart/form-data":
        if media_type not in READ_FORMATS:
            raise BodyRejected(415, "Unsupported media type", _unsupported_detail(media_type))
        return [(body, READ_FORMATS[media_type], "the body")]

    async def stream() -> AsyncIterator[bytes]:
        yield body

    async def read_form() -> list[tuple[bytes, RdfFormat, str]]:
        parser = MultiPartParser(Headers({"content-type": content_type}), stream())  # type: ignore[arg-type]
        documents = []
        for name, part in (await parser.parse()).multi_items():
            if isinstance(part, UploadFile):
                documents.append((await part.read(), _part_format(part), f"part {name!r}"))
                await part.close()
        return documents

    try:
        return asyncio.run(read_form())
    except MultiPartException as error:
        raise BodyRejected(400, "Not a readable form", f"the multipart body cannot be read: {error}") from None


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


def _part_format(part: UploadFile) -> RdfFormat:
    media_type = (part.content_type or "").split(";")[0].strip().lower()
    if media_type in READ_FORMATS:
        return READ_FORMATS[media_type]
    extension = (part.filename or "").rpartition(".")[2].lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    raise BodyRejected(415, "Unsupported media type", f"part {part.filename!r}: {media_type!r} is not RDF")


def _parse(data: bytes, rdf_format: RdfFormat, base: str, what: str) -> list[Quad]:
    try:
        check_rdf(data, rdf_format)  # entity expansion and nesting, refused before the parser sees them
        # Fresh blank nodes: `_:b1` in this document is not `_:b1` already in the store.
        return list(parse(data, format=rdf_format, base_iri=base, rename_blank_nodes=True, without_named_graphs=True))
    except SyntaxError as error:
        line, column = getattr(error, "lineno", None), getattr(error, "offset", None)
        raise BodyRejected(400, f"Not valid {rdf_format.name}", f"{what}: {error}", line, column) from None


def _unsupported_detail(media_type: str) -> str:
    return f"send the graph as one of {', '.join(READ_FORMATS)} (or multipart/form-data), not {media_type!r}"


def _unsupported(media_type: str) -> Response:
    return problem(415, "Unsupported media type", _unsupported_detail(media_type))


def _iri(graph: GraphName) -> str:
    """The graph's IRI; "" for the default graph."""
    return graph.value if isinstance(graph, NamedNode) else ""
