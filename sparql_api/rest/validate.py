"""`POST /api/validate`: one or more records -> the SHACL report, nothing stored.

The body is read by the loader's own readers and mapping (`loader.pipeline.prepare`), so a record is
judged exactly as `algokg load` would judge it: standard-1.0 JSON (or any register JSON flavour), a CSV
export (header row + records), Turtle, N-Triples or JSON-LD, told by Content-Type.
"""

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from loader.errors import AlgokgError
from loader.reference import ReferenceData, reference_data
from loader.report import render_csv, render_json, render_text, render_turtle
from sparql_api.problems import problem
from sparql_api.rest.http import choose

router = APIRouter(prefix="/api", tags=["REST"])
MAX_BYTES = 5_000_000
# Content-Type -> the file extension the loader tells the format by.
SUFFIXES = {
    "application/json": ".json",
    "text/csv": ".csv",
    "text/turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/ld+json": ".jsonld",
}
REPORTS = ["application/json", "text/plain", "text/csv", "text/turtle"]


@cache
def _reference() -> ReferenceData:
    # Organisation lists, law names and schemes: read once per process (as a load would).
    return reference_data()


@router.post(
    "/validate",
    summary="Validate a record against the SHACL profiles (nothing is stored)",
    responses={
        200: {"content": {media: {} for media in REPORTS}, "description": "the report; `conforms` says the verdict"},
        415: {"description": "a Content-Type that is not a register or RDF format"},
        422: {"description": "the body cannot be read as that format (located: line, field)"},
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
    body = await request.body()
    if len(body) > MAX_BYTES:
        return problem(413, detail=f"at most {MAX_BYTES} bytes")
    if not body.strip():
        return problem(400, detail="the body is empty: send the record to validate")
    return await run_in_threadpool(_validate, body, suffix, language, answer, report_language)


def _validate(body: bytes, suffix: str, language: str | None, answer: str, report_language: str) -> Response:
    from loader.pipeline import prepare  # pulls in the mapping: only when validating

    with tempfile.TemporaryDirectory(prefix="algokg-validate-") as folder:
        path = Path(folder) / f"record{suffix}"
        path.write_bytes(body)
        try:
            _, report = prepare(path, reference=_reference(), language=language)
        except AlgokgError as error:
            return problem(
                422,
                "Unreadable record",
                error.message,
                line=error.line,
                field=error.field,
            )
    validation = report.validation
    assert validation is not None  # prepare validates unless told not to
    if answer == "text/plain":
        return Response(render_text(validation, language=report_language), media_type="text/plain; charset=utf-8")
    if answer == "text/csv":
        return Response(render_csv(validation), media_type="text/csv; charset=utf-8")
    if answer == "text/turtle":
        return Response(render_turtle(validation), media_type="text/turtle")
    document = json.loads(render_json(validation))
    document["records_read"] = report.records
    document["findings"] = [str(finding) for finding in report.findings]
    for record in document["records"]:
        record.pop("file", None)  # the temporary file's name means nothing to the client
    return Response(json.dumps(document, ensure_ascii=False), media_type="application/json")
