"""`/update`: the SPARQL 1.1 Protocol's update operation, for the holder of the write token.

POST with `application/sparql-update` (the update as the body; `using-graph-uri` / `using-named-graph-uri` in
the query string) or `application/x-www-form-urlencoded` (`update=` and those parameters in the body). The
update runs on a copy of the store, through the SHACL gate (`sparql_api.writes`); its base IRI is this
endpoint. The default graph of an update is the store's unnamed graph, not the union `/sparql` queries: name
the graphs (`GRAPH ?g { … }`) to change loaded data. The server only reads the body (at most
`Settings.max_upload_body`); the update is screened, parsed, planned and run in the write worker
(`sparql_api.body_jobs.run_update`), so a huge or deeply nested update never holds up the server.
"""

from fastapi import APIRouter, Request, Response

from sparql_api.auth import write_denied
from sparql_api.body_jobs import UpdateJob
from sparql_api.body_workers import BodyTooLarge, read_body, too_large
from sparql_api.problems import problem
from sparql_api.writes import run_write, write_limits

router = APIRouter()


@router.post("/update")
async def update(request: Request) -> Response:
    if denied := write_denied(request):
        return denied
    content_type = request.headers.get("content-type", "")
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    charset = _charset(parameters)
    if charset not in (None, "utf-8", "utf8"):
        return problem(415, "Unsupported charset", f"an update must be UTF-8, not {charset}")
    if media_type not in ("application/sparql-update", "application/x-www-form-urlencoded"):
        return problem(
            415,
            "Unsupported media type",
            f"send an update as application/sparql-update or application/x-www-form-urlencoded, not {media_type!r}",
        )
    settings = request.app.state.settings
    try:
        body = await read_body(request, settings.max_upload_body)
    except BodyTooLarge as error:
        return too_large(error, "ALGOKG_MAX_UPLOAD_BODY")
    form = media_type == "application/x-www-form-urlencoded"
    job = UpdateJob(
        settings.store_dir, body, form, request.url.query, f"{settings.public_base}/update", write_limits(request)
    )
    return await run_write(request, "update", job)


@router.get("/update")
def update_get() -> Response:
    # The protocol forbids updates over GET: they would be cached, prefetched and logged as safe requests.
    return problem(405, "Use POST", "an update is sent with POST, never GET", headers={"Allow": "POST"})


def _charset(parameters: str) -> str | None:
    for parameter in parameters.split(";"):
        key, _, value = parameter.strip().partition("=")
        if key.lower() == "charset":
            return value.strip().strip('"').lower()
    return None
