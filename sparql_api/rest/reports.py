"""`/api/reports…`: the supervisor reports of `compliance.reports` as JSON-LD (the API's context) or CSV.

Every query runs through the app's `QueryService`; the organisation, months and reference day are bound as RDF
terms. Each finding carries the queries that produced it (text and bound terms).
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from compliance import reports
from loader.errors import AlgokgError
from sparql_api.conditional import not_modified
from sparql_api.failures import failure_detail, failure_status
from sparql_api.problems import problem
from sparql_api.queries import QueryError, QueryService, QueryTimeout, Term
from sparql_api.rest.http import CSV, JSON, JSON_LD, choose, context_url, json_response, validators

router = APIRouter(prefix="/api/reports", tags=["Supervisor reports"])
Lang = Annotated[Literal["nl", "en"], Query(description="language of titles and labels")]
Organisation = Annotated[
    str | None, Query(description="TOOI IRI, or the organisation name as published; all organisations when absent")
]
Law = Annotated[
    str | None,
    Query(
        description="assessment-gaps: a law or article (IRI or BWB id): only algorithms relying on it or a part of it"
    ),
]
Months = Annotated[int, Query(ge=1, le=120, description="obligations-due: months ahead")]
On = Annotated[date | None, Query(description="obligations-due: reference day (YYYY-MM-DD, default today)")]
REPORT_TYPES = [JSON_LD, JSON, CSV]


def query_select(queries: QueryService) -> reports.Select:
    """A `compliance.reports.Select` through the server's query workers (deadline, worker processes)."""

    def select(query: str, bindings: Mapping[str, Term]) -> Sequence[Mapping[str, Term]]:
        return queries.select(query, substitutions=bindings)

    return select


def _answer(request: Request, offered: list[str], build: Callable[[str], Response]) -> Response:
    media_type = choose(request, offered)
    if media_type is None:
        return problem(406, detail="none of the media types asked for can be served", accepted=offered)
    queries: QueryService = request.app.state.queries
    try:
        headers = validators(request, queries.data_version, media_type)
        if (unchanged := not_modified(request, headers)) is not None:
            return unchanged
        response = build(media_type)
    except reports.ReportError as error:
        return problem(400, "Bad parameter", str(error), parameter=error.field)
    except AlgokgError as error:  # the model's data could not be read (e.g. a date that is not a date)
        return problem(500, "Report failed", str(error))
    except QueryTimeout as error:
        return problem(503, "Query timeout", str(error), headers={"Retry-After": "5"})
    except QueryError as error:  # the server's own query: its parser's or store's words go to the log only
        return problem(failure_status(error), "Query failed", failure_detail(error, request.url.path))
    if response.status_code == 200:
        response.headers.update(headers)
    return response


@router.get("", summary="The supervisor reports and their parameters")
def report_list(request: Request, lang: Lang = "nl") -> Response:
    def build(media_type: str) -> Response:
        base = request.app.state.settings.public_base
        items = [
            {"@id": f"{base}/api/reports/{name}", "@type": "SupervisorReport", **definition.to_json(lang)}
            for name, definition in reports.REPORTS.items()
        ]
        body = {"@context": context_url(request), "@type": "Collection", "totalItems": len(items), "member": items}
        return json_response(body, media_type, {})

    return _answer(request, [JSON_LD, JSON], build)


@router.get(
    "/{name}",
    responses={200: {"content": {JSON_LD: {}, CSV: {}}}, 404: {"description": "no such report"}},
    summary="One supervisor report: its findings, each with the SPARQL that produced it",
)
def report(
    request: Request,
    name: str,
    organisation: Organisation = None,
    law: Law = None,
    months: Months = reports.DEFAULT_MONTHS,
    on: On = None,
    lang: Lang = "nl",
) -> Response:
    """Findings of the report `name` (`fria-missing`, `assessment-gaps`, `stale-law-links`, `obligations-due`) for
    one organisation or all (assessment-gaps: and/or one law); JSON-LD (`member`: the findings with their `sparql`) or CSV (one row per finding)."""
    if name not in reports.REPORTS:
        return problem(404, "Not found", f"no report {name!r}; known: {', '.join(reports.REPORTS)}")

    def build(media_type: str) -> Response:
        result = reports.run_report(
            query_select(request.app.state.queries),
            name,
            organisation=organisation,
            law=law,
            months=months,
            on=on,
            language=lang,
        )
        if media_type == CSV:
            return Response(
                reports.csv_text([result]), media_type=CSV, headers={"X-Total-Count": str(len(result.findings))}
            )
        url = f"{request.app.state.settings.public_base}{request.url.path}"
        body = {"@context": context_url(request), "@id": f"{url}?{request.url.query}" if request.url.query else url}
        body |= result.to_json(lang)
        return json_response(body, media_type, {"X-Total-Count": str(len(result.findings))})

    return _answer(request, REPORT_TYPES, build)


__all__ = ["query_select", "router"]
