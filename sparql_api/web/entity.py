"""The HTML page of an entity: what a person sees at an IRI (`/id/…`, or `/resource?iri=` for other IRIs).

`render_entity(request, description)` is called by the linked-data router (`sparql_api.linked_data`) for
HTML requests, with `sparql_api.describe.describe`'s result. An algorithm, a law or article and an
organisation get pages of their own (plain summary first); anything else gets the generic statement list.
"""

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from loader.errors import AlgokgError
from sparql_api.describe import Description
from sparql_api.failures import failure_detail
from sparql_api.queries import QueryError
from sparql_api.rest import catalogue
from sparql_api.rest.filters import BadFilter
from sparql_api.rest.models import LegalResourceView, QueryShown
from sparql_api.web import data
from sparql_api.web.aiact import aiact_section
from sparql_api.web.errors import PastTheLastPage, past_the_last_page
from sparql_api.web.i18n import choose_language, translate
from sparql_api.web.record import record_view
from sparql_api.web.render import render
from sparql_api.web.supervision import supervised_table

AKG = "https://w3id.org/algokg/def#"
ELI = "http://data.europa.eu/eli/ontology#"
ALGORITHM = f"{AKG}Algorithm"
LEGAL = (f"{ELI}LegalResource", f"{ELI}LegalResourceSubdivision")
ORGANISATION = ("http://www.w3.org/ns/org#Organization", "http://xmlns.com/foaf/0.1/Organization")
FORMATS = ("ttl", "jsonld", "nt", "rdf", "trig", "nq")


def render_entity(request: Request, description: Description) -> Response:
    """The page for `description.iri` in the request's language (see the module docstring)."""
    types = {value.term.value for value in description.types}
    iri = description.iri.value
    try:
        if ALGORITHM in types:
            return algorithm_page(request, description)
        if types & set(LEGAL):
            view = catalogue.legal_resource(request.app.state.queries, iri, lang=choose_language(request))
            if view is not None:
                return law_page(request, view, description)
        if types & set(ORGANISATION):
            page = organisation_page(request, iri, description)
            if page.status_code == 200:
                return page
    except QueryError as error:
        detail = failure_detail(error, request.url.path)  # never the parser's or the store's words
        return render(request, "error.html", status=503, title=detail, detail=detail)
    return generic_page(request, description)


def _example(description: Description) -> bool:
    """Whether the entity comes from the bundled example dataset (the page says so)."""
    return any(info.kind == "dataset" for info in description.provenance)


def algorithm_page(request: Request, description: Description) -> Response:
    lang = choose_language(request)
    queries = request.app.state.queries
    iri = description.iri.value
    # One record: the current registration in the page's language (see sparql_api.web.data).
    details = data.algorithm_details(queries, iri, lang)
    whole = record_view(queries, iri, lang)  # every field of the standard the record has, grouped
    summary = details.summary or catalogue.algorithm(queries, iri, lang=lang)
    try:
        aiact = aiact_section(queries, iri, lang)
    except AlgokgError:  # the model's data cannot be read (a date that is not a date): the rest of the page still shows
        aiact = None
    title = (summary.title if summary else None) or description.label(lang)
    return render(
        request,
        "algorithm.html",
        title=title,
        summary=summary,
        details=details,
        record=whole,
        aiact=aiact,
        description=description,
        example=_example(description),
        formats=FORMATS,
        sparql=[*details.sparql, *([whole.sparql] if whole.sparql else []), *(aiact.sparql if aiact else [])],
    )


def official_links(view: LegalResourceView, lang: str) -> list[str]:
    """Where to read the law or article: its rdfs:seeAlso (wetten.overheid.nl, EUR-Lex), else from its ids."""
    links = list(view.see_also)
    if not links and view.bwb_id:
        links.append(f"https://wetten.overheid.nl/{view.bwb_id}")
    if not links and view.celex:
        links.append(f"https://eur-lex.europa.eu/legal-content/{lang.upper()}/TXT/?uri=CELEX:{view.celex}")
    return links


def law_page(request: Request, view: LegalResourceView, description: Description | None) -> Response:
    lang = choose_language(request)
    try:
        table = supervised_table(request, "law", view.id, lang)
    except BadFilter as error:
        return render(request, "error.html", status=400, title=translate(lang, "error.title"), detail=str(error))
    except PastTheLastPage as error:
        return past_the_last_page(request, error)
    return render(
        request,
        "law.html",
        title=view.label or view.id,
        view=view,
        description=description,
        official=official_links(view, lang),
        formats=FORMATS if description is not None and description.iri.value.startswith("https://w3id.org/") else (),
        table=table,
        sparql=[*table.sparql, *view.sparql],
    )


def organisation_page(request: Request, key: str, description: Description | None = None) -> HTMLResponse:
    """An organisation's algorithms and how complete their records are; 404 when it has none."""
    lang = choose_language(request)
    view = catalogue.organisation(request.app.state.queries, key, lang=lang)
    if view is None:
        detail = f"no algorithm in the register belongs to {key}"
        return render(request, "error.html", status=404, title=translate(lang, "error.title"), detail=detail)
    try:
        table = supervised_table(request, "organisation", key, lang)
    except BadFilter as error:
        return render(request, "error.html", status=400, title=translate(lang, "error.title"), detail=str(error))
    except PastTheLastPage as error:
        return past_the_last_page(request, error)
    return render(
        request,
        "organisation.html",
        title=view.label or view.id,
        view=view,
        description=description,
        example=description is not None and _example(description),
        table=table,
        sparql=[*view.sparql, *table.sparql],
    )


def generic_page(request: Request, description: Description) -> Response:
    lang = choose_language(request)
    shown: list[QueryShown] = []
    return render(
        request,
        "entity.html",
        title=description.label(lang),
        description=description,
        example=_example(description),
        formats=FORMATS if description.iri.value.startswith("https://w3id.org/") else (),
        sparql=shown,
    )
