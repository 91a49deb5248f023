"""`/reports` and `/reports/{name}`: the supervisor reports (`compliance.reports`) as pages, in Dutch and English.

The same runner as `/api/reports…` and `algokg report`, through the app's `QueryService`; each finding shows the
SPARQL that produced it, and the page links to the report as CSV and JSON-LD.
"""

from datetime import date

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from compliance import reports
from loader.errors import AlgokgError
from sparql_api.problems import incident
from sparql_api.queries import QueryError
from sparql_api.rest.reports import query_select
from sparql_api.web.errors import error_page, unexpected_error_page
from sparql_api.web.errors import query_error_page as _query_error
from sparql_api.web.i18n import choose_language, translate
from sparql_api.web.render import render

router = APIRouter(include_in_schema=False)


@router.api_route("/reports", methods=["GET", "HEAD"], response_class=HTMLResponse)
def report_index(request: Request) -> Response:
    lang = choose_language(request)
    definitions = [definition.to_json(lang) for definition in reports.REPORTS.values()]
    return render(request, "reports.html", title=translate(lang, "reports.title"), definitions=definitions)


@router.api_route("/reports/{name}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def report_page(request: Request, name: str) -> Response:
    lang = choose_language(request)
    if name not in reports.REPORTS:
        return error_page(request, 404, f"no report {name!r}")
    params = request.query_params
    try:
        months = int(params.get("months") or reports.DEFAULT_MONTHS)
        on = date.fromisoformat(params["on"]) if params.get("on") else None
    except ValueError:
        return error_page(request, 400, "months must be a whole number and on a date (YYYY-MM-DD)")
    organisation = (params.get("organisation") or "").strip() or None
    law = (params.get("law") or "").strip() or None
    try:
        result = reports.run_report(
            query_select(request.app.state.queries),
            name,
            organisation=organisation,
            law=law,
            months=months,
            on=on,
            language=lang,
        )
    except reports.ReportError as error:
        return error_page(request, 400, str(error))
    except QueryError as error:
        return _query_error(request, error)
    except AlgokgError as error:  # logged with an id; the page names only the id
        return unexpected_error_page(request, incident(error, f"report {name}"))
    api = {
        "organisation": organisation,
        "law": law,
        "months": params.get("months"),
        "on": params.get("on"),
        "lang": lang,
    }
    return render(
        request,
        "report.html",
        title=result.definition.title[lang],
        report=result,
        description=result.definition.description[lang],
        api={key: value for key, value in api.items() if value},
        organisation=organisation or "",
        law=law or "",
        months=months,
        on=on.isoformat() if on else "",
        sparql=list(result.sparql),
    )


__all__ = ["router"]
