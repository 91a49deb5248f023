"""The pages for people who do not write SPARQL: home, algorithm list, laws, organisations, dashboard.

Built on the REST service layer (`sparql_api.rest.catalogue`); the entity pages (an algorithm, a law,
an organisation by its IRI) are `sparql_api.web.entity`. Every page is Dutch or English (`?lang=`).
"""

from dataclasses import fields
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from pyoxigraph import NamedNode

from sparql_api.describe import describe
from sparql_api.queries import QueryError, QueryService
from sparql_api.rest import catalogue
from sparql_api.rest.filters import MISSING, PARAMETERS, AlgorithmFilters, BadFilter
from sparql_api.rest.models import Facet, QueryShown
from sparql_api.web import data
from sparql_api.web.charts import bar_chart
from sparql_api.web.entity import generic_page, organisation_page, render_entity
from sparql_api.web.errors import PastTheLastPage, error_page, past_the_last_page
from sparql_api.web.errors import query_error_page as _query_error
from sparql_api.web.i18n import choose_language, translate
from sparql_api.web.render import STATIC, render

router = APIRouter(include_in_schema=False)

LIST_FACETS = ("publicationCategory", "status", "theme", "organisationType", "aiActCategory", "instrument", "law")
LIST_FACETS += ("register", "country")  # issue 17: every register in one list, grouped by register and country
SORTS = ("title", "id", "organisation", "-beginDate")
PAGE_SIZE = 20
_TYPES = {".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml"}


def _queries(request: Request) -> QueryService:
    return request.app.state.queries


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def home(request: Request) -> Response:
    lang = choose_language(request)
    queries = _queries(request)
    try:
        page = catalogue.algorithms(queries, size=1, lang=lang, facet_names=("aiActCategory",))
        organisations = catalogue.organisations(queries, size=1, lang=lang)
        laws = catalogue.laws(queries, size=catalogue.MAX_PAGE_SIZE, lang=lang)
        counts, assessed_query = data.assessment_counts(queries)
    except QueryError as error:
        return _query_error(request, error)
    assessed = counts["assessed"]
    high_risk = sum(
        value.count for value in page.facets[0].values if value.value.rsplit("/", 1)[-1].startswith("high-risk")
    )
    numbers = [
        (page.total, "home.algorithms", "/algorithms"),
        (organisations.total, "home.organisations", "/organisations"),
        (sum(1 for law in laws.items if law.algorithms), "home.laws", "/laws"),
        (assessed, "home.assessed", "/dashboard"),
        (high_risk, "home.highrisk", "/algorithms"),
    ]
    sparql = [*page.sparql, *organisations.sparql, *laws.sparql, assessed_query]
    return render(request, "home.html", title=translate(lang, "home.title"), numbers=numbers, sparql=sparql)


def _filters(request: Request) -> AlgorithmFilters:
    """The filters of the page's URL (a repeated parameter: several values), by the API's parameter names."""
    chosen = {}
    for f in fields(AlgorithmFilters):
        values = tuple(v for v in request.query_params.getlist(PARAMETERS.get(f.name, f.name)) if v.strip())
        if values:
            chosen[f.name] = values
    return AlgorithmFilters(**chosen)


def _clean(request: Request) -> str | None:
    """The page's URL without empty parameters (a form sends every field), or None when it is clean."""
    pairs = request.query_params.multi_items()
    kept = [(k, v) for k, v in pairs if v.strip()]
    if len(kept) == len(pairs):
        return None
    return request.url.path + (f"?{urlencode(kept)}" if kept else "")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError as error:
        raise BadFilter("page", value or "", "give a whole number") from error


@router.api_route("/algorithms", methods=["GET", "HEAD"], response_class=HTMLResponse)
def algorithm_list(request: Request) -> Response:
    if (clean := _clean(request)) is not None:
        return RedirectResponse(clean, status_code=303)
    lang = choose_language(request)
    filters = _filters(request)
    sort = request.query_params.get("sort") or None
    try:
        page_number = _int(request.query_params.get("page"), 1)
        # While the index of a new data version builds, the list without its filters' counts (they follow).
        preparing = not catalogue.facets_ready(_queries(request), filters, LIST_FACETS)
        page = catalogue.algorithms(
            _queries(request),
            filters,
            page=page_number,
            size=PAGE_SIZE,
            sort=sort,
            lang=lang,
            facet_names=() if preparing else LIST_FACETS,
        )
    except BadFilter as error:
        return error_page(request, 400, str(error))
    except QueryError as error:
        return _query_error(request, error)
    if page_number > page.pages:  # nothing is there (an empty list would say "page 999 of 75")
        return past_the_last_page(request, PastTheLastPage(page_number, page.pages))
    given = {PARAMETERS.get(name, name): values for name, values in filters.given().items()}
    download = [(name, value) for name, values in given.items() for value in values] + [("lang", lang)]
    return render(
        request,
        "algorithms.html",
        title=translate(lang, "list.title"),
        page=page,
        given=given,
        facets=page.facets,
        preparing=preparing,
        sorts=(("relevance",) if filters.q else ()) + SORTS,
        sort=page.sort,
        explicit_sort=sort,
        download=urlencode(download),
        missing=tuple(MISSING),
        sparql=page.sparql,
    )


@router.api_route("/laws", methods=["GET", "HEAD"], response_class=HTMLResponse)
def law_list(request: Request) -> Response:
    lang = choose_language(request)
    try:
        laws = catalogue.laws(_queries(request), size=catalogue.MAX_PAGE_SIZE, lang=lang)
    except QueryError as error:
        return _query_error(request, error)
    return render(request, "laws.html", title=translate(lang, "law.title"), laws=laws.items, sparql=laws.sparql)


@router.api_route("/organisations", methods=["GET", "HEAD"], response_class=HTMLResponse)
def organisation_list(request: Request) -> Response:
    lang = choose_language(request)
    try:
        found = catalogue.organisations(_queries(request), size=catalogue.MAX_PAGE_SIZE, lang=lang)
    except QueryError as error:
        return _query_error(request, error)
    return render(
        request,
        "organisations.html",
        title=translate(lang, "org.title"),
        organisations=found.items,
        sparql=found.sparql,
    )


@router.api_route("/organisation", methods=["GET", "HEAD"], response_class=HTMLResponse)
def organisation(request: Request, id: str = "") -> Response:
    """An organisation by TOOI IRI or published name (an IRI of algokg's own also has its `/id/…` page)."""
    if not id.strip():
        return error_page(request, 400, "give the organisation as ?id=IRI or name")
    try:
        return organisation_page(request, id.strip())
    except QueryError as error:
        return _query_error(request, error)


@router.api_route("/resource", methods=["GET", "HEAD"], response_class=HTMLResponse)
def resource(request: Request, iri: str = "") -> Response:
    """The page of any IRI the graph knows, also outside algokg's namespace (TOOI, ELI, EUR-Lex)."""
    try:
        term = NamedNode(iri.strip())
    except ValueError:
        return error_page(request, 400, f"not an IRI: {iri!r}")
    try:
        description = describe(_queries(request), term)
    except QueryError as error:
        return _query_error(request, error)
    if not description.exists:
        return error_page(request, 404, f"the knowledge graph says nothing about {iri}")
    if request.query_params.get("view") == "all":  # every statement, whatever kind of entity
        return generic_page(request, description)
    return render_entity(request, description)


def _facet_rows(facet: Facet, lang: str, link: str) -> list[tuple[str, int, str | None]]:
    rows: list[tuple[str, int, str | None]] = [
        (value.label or value.value, value.count, f"/algorithms?{urlencode({link: value.value})}")
        for value in facet.values
    ]
    if facet.missing:
        rows.append((translate(lang, "facet.missing"), facet.missing, None))
    return rows


@router.api_route("/dashboard", methods=["GET", "HEAD"], response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    lang = choose_language(request)
    queries = _queries(request)
    try:
        page = catalogue.algorithms(
            queries, size=1, lang=lang, facet_names=("publicationCategory", "organisationType", "theme")
        )
        counts, assessed_query = data.assessment_counts(queries)
    except QueryError as error:
        return _query_error(request, error)
    assessed = counts["assessed"]
    charts = []
    for facet in page.facets:
        title = translate(lang, f"dash.{facet.name}")
        rows = _facet_rows(facet, lang, facet.name)
        top = rows[0] if rows else ("—", 0, None)
        description = translate(lang, "chart.desc", n=len(rows), top=top[0], count=top[1])
        charts.append(bar_chart(f"chart-{facet.name}", title, description, rows, total=page.total))
    # Every algorithm in one bucket, so the rows add up to the total; the listing's "Ja" (no instrument named)
    # and an open status are said as such, not counted as "without".
    buckets = [bucket for bucket in data.ASSESSMENT_BUCKETS if counts[bucket] or bucket in ("assessed", "without")]
    rows = [(translate(lang, f"dash.bucket.{bucket}"), counts[bucket], None) for bucket in buckets]
    share = assessed / page.total if page.total else 0.0
    description = translate(lang, "chart.desc", n=len(rows), top=rows[0][0], count=rows[0][1])
    charts.append(bar_chart("chart-assessed", translate(lang, "dash.assessed"), description, rows, total=page.total))
    sparql: list[QueryShown] = [*page.sparql, assessed_query]
    return render(
        request,
        "dashboard.html",
        title=translate(lang, "dash.title"),
        charts=charts,
        total=page.total,
        share=share,
        sparql=sparql,
    )


@router.get("/assets/{name:path}")
def asset(name: str) -> Response:
    """The pages' own CSS/JS and the YASGUI build (`make web`); nothing outside `static/`."""
    try:
        path = (STATIC / name).resolve()
        found = path.is_relative_to(STATIC) and path.is_file()
    except (ValueError, OSError):  # e.g. a NUL byte in the name
        found = False
    if not found:
        raise HTTPException(404)  # answered by sparql_api.errors: problem+json, or a page for a browser
    return FileResponse(
        Path(path), media_type=_TYPES.get(path.suffix), headers={"Cache-Control": "public, max-age=3600"}
    )
