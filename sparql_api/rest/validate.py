"""`POST /api/validate`: one or more records -> the SHACL report, nothing stored.

The body is read by the loader's own readers and mapping (`loader.pipeline.prepare`), so a record is
judged exactly as `algokg load` would judge it: standard-1.0 JSON (or any register JSON flavour), a CSV
export (header row + records), Turtle, N-Triples or JSON-LD, told by Content-Type. It is read and validated
in a validate worker (`sparql_api.body_jobs.run_validate`), never in the server, within the loader's input
limits (JSON nested deeper than `ALGOKG_MAX_NESTING`, a number or a field too long: a located 422, as
`algokg load` refuses them), and a validation that overruns `Settings.validate_timeout` is a 503.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from sparql_api.body_jobs import ValidateJob
from sparql_api.body_workers import BodyTooLarge, read_body, run_job, too_large
from sparql_api.problems import problem
from sparql_api.rest.http import choose

router = APIRouter(prefix="/api", tags=["REST"])
# Content-Type -> the file extension the loader tells the format by.
SUFFIXES = {
    "application/json": ".json",
    "text/csv": ".csv",
    "text/turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/ld+json": ".jsonld",
}
REPORTS = ["application/json", "text/plain", "text/csv", "text/turtle"]


@router.post(
    "/validate",
    summary="Validate a record against the SHACL profiles (nothing is stored)",
    responses={
        200: {"content": {media: {} for media in REPORTS}, "description": "the report; `conforms` says the verdict"},
        400: {"description": "an empty body"},
        413: {"description": "a body over ALGOKG_MAX_VALIDATE_BODY bytes (5 MB)"},
        415: {"description": "a Content-Type that is not a register or RDF format"},
        422: {"description": "the body cannot be read as that format or is over an input limit (located: line, field)"},
        503: {"description": "the validation did not finish within its deadline"},
    },
)
async def validate(
    request: Request,
    language: Annotated[Literal["NLD", "ENG"] | None, Query(description="language of a CSV export")] = None,
    report_language: Annotated[Literal["nl", "en"], Query(alias="lang")] = "en",
) -> Response:
    """The SHACL report of the records in the body (JSON by default; text, CSV or Turtle by Accept), with the
    mapping's located findings (unreconciled organisations, unknown values) in the JSON."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    suffix = SUFFIXES.get(media_type)
    if suffix is None:
        return problem(415, detail=f"send one of {', '.join(SUFFIXES)}, not {media_type or 'no Content-Type'}")
    answer = choose(request, REPORTS)
    if answer is None:
        return problem(406, detail="the report is served as " + ", ".join(REPORTS), accepted=REPORTS)
    try:
        body = await read_body(request, request.app.state.settings.max_validate_body)
    except BodyTooLarge as error:
        return too_large(error, "POST /api/validate takes the records of one register file")
    if not body.strip():
        return problem(400, detail="the body is empty: send the record to validate")
    settings = request.app.state.settings
    job = ValidateJob(body, suffix, language, answer, report_language)
    timeout = settings.validate_timeout
    return await run_job(
        request, "validate", "validate", job, timeout=timeout, wait=timeout, setting="ALGOKG_VALIDATE_TIMEOUT"
    )
