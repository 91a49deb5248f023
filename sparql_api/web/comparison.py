"""`/comparison` and `/links`: the registers side by side and the candidate links between them, Dutch and English.

Built on `sparql_api.rest.comparison` (the same figures and links as `/api/comparison` and `/api/links`); every
figure shows its SPARQL and a link to run it in the query editor. No script: tables only.
"""

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from sparql_api.queries import QueryError
from sparql_api.rest.comparison import comparison, links
from sparql_api.web.errors import query_error_page
from sparql_api.web.i18n import choose_language
from sparql_api.web.render import render

router = APIRouter(include_in_schema=False)

WORDS = {
    "en": {
        "comparison": "Registers compared", "links": "The same system in several registers",
        "intro": "Every figure counts the algorithms of each register in this knowledge graph; each shows the SPARQL "
        "that made it. Statuses and sectors of other registers are shown as the Dutch status or the COFOG "
        "division they are close to.",
        "links.intro": "Candidate links found by name, organisation and description similarity; a candidate is a "
        "proposed skos:closeMatch, never an owl:sameAs, until a person reviews it.",
        "register": "Register", "value": "Value", "count": "Number", "total": "Of", "share": "Share",
        "sparql": "Show the SPARQL", "run": "Run in the query editor", "download": "Download",
        "from": "Algorithm", "to": "Possibly the same as", "score": "Score", "status": "Review", "evidence": "Evidence",
        "none": "No candidate links yet: run algokg link-registers.",
    },
    "nl": {
        "comparison": "Registers vergeleken", "links": "Hetzelfde systeem in meerdere registers",
        "intro": "Elk cijfer telt de algoritmen van elk register in deze kennisgraaf; bij elk staat de SPARQL die het "
        "maakte. Statussen en sectoren van andere registers staan als de Nederlandse status of de COFOG-afdeling "
        "die er het dichtst bij ligt.",
        "links.intro": "Kandidaatkoppelingen, gevonden op overeenkomst van naam, organisatie en beschrijving; een "
        "kandidaat is een voorgestelde skos:closeMatch, nooit een owl:sameAs, tot een mens haar beoordeelt.",
        "register": "Register", "value": "Waarde", "count": "Aantal", "total": "Van", "share": "Aandeel",
        "sparql": "Toon de SPARQL", "run": "Open in de query-editor", "download": "Downloaden",
        "from": "Algoritme", "to": "Mogelijk hetzelfde als", "score": "Score", "status": "Beoordeling",
        "evidence": "Bewijs", "none": "Nog geen kandidaatkoppelingen: voer algokg link-registers uit.",
    },
}  # fmt: skip


@router.api_route("/comparison", methods=["GET", "HEAD"], response_class=HTMLResponse)
def comparison_page(request: Request) -> Response:
    lang = choose_language(request)
    try:
        figures = comparison(request.app.state.queries, lang)
    except QueryError as error:
        return query_error_page(request, error)
    words = WORDS[lang]
    return render(request, "comparison.html", title=words["comparison"], figures=figures, words=words)


@router.api_route("/links", methods=["GET", "HEAD"], response_class=HTMLResponse)
def links_page(request: Request) -> Response:
    lang = choose_language(request)
    try:
        found, shown = links(request.app.state.queries)
    except QueryError as error:
        return query_error_page(request, error)
    words = WORDS[lang]
    return render(request, "links.html", title=words["links"], found=found, words=words, sparql=[shown])


__all__ = ["router"]
