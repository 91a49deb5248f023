"""`/update`: the SPARQL 1.1 Protocol's update operation, for the holder of the write token.

POST with `application/sparql-update` (the update as the body; `using-graph-uri` / `using-named-graph-uri` in
the query string) or `application/x-www-form-urlencoded` (`update=` and those parameters in the body). The
update runs on a copy of the store, through the SHACL gate (`sparql_api.writes`); its base IRI is this
endpoint. The default graph of an update is the store's unnamed graph, not the union `/sparql` queries: name
the graphs (`GRAPH ?g { … }`) to change loaded data.
"""

from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pyoxigraph import Store

from sparql_api.auth import write_denied
from sparql_api.problems import problem
from sparql_api.update_plan import UpdateRejected, plan_update, with_protocol_dataset
from sparql_api.writes import run_write, summary

router = APIRouter()
_SHOWN = 200  # characters of the update kept in its provenance label


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
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as error:
        return problem(400, "Not UTF-8", f"the request body is not UTF-8 ({error})")
    if media_type == "application/sparql-update":
        text, fields = body, parse_qs(request.url.query, keep_blank_values=True)
    elif media_type == "application/x-www-form-urlencoded":
        fields = parse_qs(body, keep_blank_values=True)
        updates = fields.get("update", [])
        if len(updates) != 1:
            return problem(400, "One update expected", f"give exactly one `update` parameter, not {len(updates)}")
        text = updates[0]
    else:
        return problem(
            415,
            "Unsupported media type",
            f"send an update as application/sparql-update or application/x-www-form-urlencoded, not {media_type!r}",
        )
    using, using_named = fields.get("using-graph-uri", []), fields.get("using-named-graph-uri", [])
    base = f"{request.app.state.settings.public_base}/update"
    try:
        plan = plan_update(text, base)
        if (using or using_named) and plan.names_dataset:
            raise UpdateRejected(
                "the update names its dataset (USING or WITH) and the request gives one "
                "(using-graph-uri / using-named-graph-uri): give it one way only"
            )
        if using or using_named:
            text = with_protocol_dataset(text, using, using_named)
    except UpdateRejected as error:
        return problem(400, "The update cannot run", error.message, line=error.line, column=error.column)

    def apply(store: Store) -> None:
        store.update(text, base_iri=base)

    label = " ".join(text.split())
    operation = f"SPARQL Update: {label[:_SHOWN]}{'…' if len(label) > _SHOWN else ''}"
    result = await run_write(request, apply, operation=operation, scope=plan.scope)
    if isinstance(result, Response):
        return result
    return JSONResponse(summary(result))


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
