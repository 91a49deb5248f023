"""`/reports` and `/reports/{name}`: the supervisor reports (`compliance.reports`) as pages, in Dutch and English.

The same runner as `/api/reports…` and `algokg report`, through the app's `QueryService`; each finding shows the
SPARQL that produced it, and the page links to the report as CSV and JSON-LD.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from compliance import reports
from loader.errors import AlgokgError
from sparql_api.problems import incident
from sparql_api.queries import QueryError, QueryService
from sparql_api.rest.reports import query_select
from sparql_api.web.errors import error_page, unexpected_error_page
from sparql_api.web.errors import query_error_page as _query_error
from sparql_api.web.i18n import MESSAGES, choose_language, translate
from sparql_api.web.labels import labels_of
from sparql_api.web.render import render

router = APIRouter(include_in_schema=False)

# Plain words for the codes a finding carries (issue 16): its kind, its detail names, the grounds of a FRIA
# finding and the notes are i18n messages; an IRI is shown by its label from the graph, linked to its page.
_IRI = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
_ORGANISATION_DETAILS = {"deployer", "roleHolders"}
_EXTERNAL_DETAILS = {"link"}  # a web address as the register gives it: linked as such
_HIDDEN_DETAILS = {"label"}  # an obligation's label is the finding's kind
_CODED_DETAILS = {"basis"}  # values that are words of algokg's own: report.{name}.{value}


@dataclass
class ShownValue:
    text: str
    iri: str | None = None  # linked to its page (an organisation's, or the entity's)
    organisation: bool = False
    external: bool = False  # a web address outside the app, linked as it is


@dataclass
class ShownDetail:
    name: str
    label: str
    values: list[ShownValue] = field(default_factory=list)


@dataclass
class ShownFinding:
    finding: reports.Finding
    kind: str
    details: list[ShownDetail] = field(default_factory=list)


def _known(lang: str, key: str) -> bool:
    return key in MESSAGES[lang]


def _iris(value: str) -> list[str] | None:
    """The IRIs a detail value holds (several joined by spaces), or None when it is text."""
    parts = value.split()
    return parts if parts and all(_IRI.match(part) for part in parts) else None


def _value(name: str, value: str, labels: Mapping[str, str], lang: str) -> list[ShownValue]:
    if name in _CODED_DETAILS and _known(lang, f"report.{name}.{value}"):
        return [ShownValue(translate(lang, f"report.{name}.{value}"))]
    iris = _iris(value)
    if iris is None:
        return [ShownValue(value)]
    if name in _EXTERNAL_DETAILS:
        return [ShownValue(iri, external=True) for iri in iris]
    return [
        ShownValue(labels.get(iri) or iri.rsplit("/", 1)[-1], iri=iri, organisation=name in _ORGANISATION_DETAILS)
        for iri in iris
    ]


def shown_findings(queries: QueryService, findings: Iterable[reports.Finding], lang: str) -> list[ShownFinding]:
    """The findings in plain words: the kind's name, each detail's name, labels for IRIs (one label query)."""
    findings = list(findings)
    iris = [iri for f in findings for v in f.details.values() for iri in (_iris(v) or [])]
    iris += [f.subject for f in findings if f.subject]
    labels = labels_of(queries, iris, lang)
    shown = []
    for finding in findings:
        if _known(lang, f"report.kind.{finding.kind}"):
            kind = translate(lang, f"report.kind.{finding.kind}")
        else:  # an obligation: its label; else the subject's
            kind = finding.details.get("label") or labels.get(finding.subject or "") or finding.kind
        details = [
            ShownDetail(
                name,
                translate(lang, f"report.detail.{name}") if _known(lang, f"report.detail.{name}") else name,
                _value(name, value, labels, lang),
            )
            for name, value in finding.details.items()
            if name not in _HIDDEN_DETAILS
        ]
        shown.append(ShownFinding(finding, kind, details))
    return shown


def shown_notes(notes: Mapping[str, str], lang: str) -> list[str]:
    """A report's notes as sentences."""
    return [
        translate(lang, f"report.note.{name}", value=value)
        if _known(lang, f"report.note.{name}")
        else f"{name}: {value}"
        for name, value in notes.items()
    ]


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
    try:
        findings = shown_findings(request.app.state.queries, result.findings, lang)
    except QueryError as error:
        return _query_error(request, error)
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
        findings=findings,
        notes=shown_notes(result.notes, lang),
        description=result.definition.description[lang],
        api={key: value for key, value in api.items() if value},
        organisation=organisation or "",
        law=law or "",
        months=months,
        on=on.isoformat() if on else "",
        sparql=list(result.sparql),
    )


__all__ = ["router"]
