"""App factory: a read-only SPARQL 1.1 query endpoint over a pyoxigraph store.

The store is queried with the union of all named graphs as default graph, so the model,
the reference law and every loaded dataset answer together.
"""

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import FastAPI, Header, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store
from starlette.concurrency import run_in_threadpool

RESULT_FORMATS: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
}


def create_app(store: Store) -> FastAPI:
    """Build the app around an open store; nothing is read from the environment."""
    app = FastAPI(title="algokg", summary="Knowledge graph of government algorithms")
    app.state.store = store

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/sparql")
    def sparql_get(
        request: Request,
        query: Annotated[str, Query()],
        accept: Annotated[str | None, Header()] = None,
    ) -> Response:
        return _answer(request.app.state.store, query, accept)

    @app.post("/sparql")
    async def sparql_post(request: Request, accept: Annotated[str | None, Header()] = None) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await request.body()).decode("utf-8")
        if media_type == "application/sparql-query":
            query = body
        elif media_type == "application/x-www-form-urlencoded":
            query = next(iter(parse_qs(body).get("query", [])), "")
        else:
            return PlainTextResponse(f"unsupported media type {media_type!r} for a SPARQL query", status_code=415)
        if not query:
            return PlainTextResponse("no query given", status_code=400)
        # The query runs in a worker thread: pyoxigraph releases the GIL, the event loop stays free.
        return await run_in_threadpool(_answer, request.app.state.store, query, accept)

    return app


def _answer(store: Store, query: str, accept: str | None) -> Response:
    try:
        results = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as error:
        return PlainTextResponse(f"SPARQL syntax error: {error}", status_code=400)
    if isinstance(results, QueryBoolean | QuerySolutions):
        media_type = _choose(accept, RESULT_FORMATS)
        if media_type is None:
            return _not_acceptable(RESULT_FORMATS)
        body = results.serialize(format=RESULT_FORMATS[media_type])
    else:
        media_type = _choose(accept, GRAPH_FORMATS)
        if media_type is None:
            return _not_acceptable(GRAPH_FORMATS)
        body = results.serialize(format=GRAPH_FORMATS[media_type])
    return Response(content=body, media_type=media_type, headers={"Vary": "Accept"})


def _choose(accept: str | None, offered: dict[str, object]) -> str | None:
    """The first offered media type the Accept header allows (q-values ordered), default the first."""
    if not accept or accept.strip() in {"*/*", ""}:
        return next(iter(offered))
    ranges = []
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((quality, media.strip().lower()))
    for quality, media in sorted(ranges, key=lambda r: -r[0]):
        if quality <= 0:
            continue
        if media == "*/*":
            return next(iter(offered))
        if media in offered:
            return media
    return None


def _not_acceptable(offered: dict[str, object]) -> Response:
    return JSONResponse(
        {
            "ok": False,
            "error": "none of the media types in Accept can be served",
            "errors": list(offered),
            "status": 406,
        },
        status_code=406,
    )
