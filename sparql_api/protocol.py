"""`/sparql`: the SPARQL 1.1 Protocol (query operation)."""

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from pyoxigraph import QueryResultsFormat, RdfFormat
from starlette.concurrency import run_in_threadpool

from sparql_api.queries import QueryService, QuerySyntaxError, WrongResultFormat

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

router = APIRouter()


@router.get("/sparql")
def sparql_get(
    request: Request,
    query: Annotated[str, Query()],
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    return _answer(request.app.state.queries, query, accept)


@router.post("/sparql")
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
    return await run_in_threadpool(_answer, request.app.state.queries, query, accept)


def _answer(queries: QueryService, query: str, accept: str | None) -> Response:
    # Try the query form's formats in turn: the service knows the form only once it has parsed it.
    for offered in (RESULT_FORMATS, GRAPH_FORMATS):
        media_type = _choose(accept, offered)
        if media_type is None:
            continue
        try:
            body = queries.serialize(query, offered[media_type])
        except WrongResultFormat:
            continue
        except QuerySyntaxError as error:
            return PlainTextResponse(f"SPARQL syntax error: {error.message}", status_code=400)
        return Response(content=body, media_type=media_type, headers={"Vary": "Accept"})
    return _not_acceptable({**RESULT_FORMATS, **GRAPH_FORMATS})


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
