"""`/api/…`: the REST API over the service layer (`sparql_api.rest.catalogue`), JSON-LD by default, CSV for
collections, ETag/Last-Modified on the data version, `?explain=sparql` to see the queries behind an answer."""

from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel

from loader.csv_cells import csv_table
from sparql_api import search as fulltext
from sparql_api.conditional import not_modified
from sparql_api.failures import failure_detail, failure_status
from sparql_api.problems import problem
from sparql_api.queries import QueryError, QueryService, QueryTimeout
from sparql_api.rest import catalogue
from sparql_api.rest.filters import ID, AlgorithmFilters, BadFilter
from sparql_api.rest.http import (
    CONTEXT_FILE,
    CONTEXT_PATH,
    CSV,
    JSON,
    JSON_LD,
    choose,
    collection_body,
    context_url,
    json_response,
    validators,
)
from sparql_api.rest.models import (
    AlgorithmRow,
    AlgorithmSummary,
    ArticleSummary,
    AssessmentSummary,
    CategorySummary,
    Facet,
    LawSummary,
    LegalResourceView,
    OrganisationSummary,
    OrganisationView,
    Page,
    SearchHit,
)
from sparql_api.rest.sparql import Sparql
from sparql_api.rest.tables import csv_text, item_model

router = APIRouter(prefix="/api", tags=["REST"])
Lang = Annotated[Literal["nl", "en"], Query(description="language of labels and titles")]
PageNumber = Annotated[int, Query(ge=1, le=catalogue.MAX_PAGE, description="page number, from 1")]
Size = Annotated[int, Query(ge=1, le=catalogue.MAX_PAGE_SIZE, description="items per page")]
Explain = Annotated[
    Literal["sparql"] | None, Query(description="`sparql`: add the queries behind the answer (text and bound terms)")
]
COLLECTION_TYPES = [JSON_LD, JSON, CSV]
ENTITY_TYPES = [JSON_LD, JSON]


Many = list[str] | None


def _filters(
    organisation: Annotated[Many, Query(description="TOOI IRI, or the organisation name as published")] = None,
    organisationType: Annotated[Many, Query(description="IRI or e.g. `gemeente`")] = None,
    theme: Annotated[Many, Query(description="IRI or e.g. `sociale-zekerheid`")] = None,
    status: Annotated[Many, Query(description="IRI or e.g. `in-gebruik`")] = None,
    publicationCategory: Annotated[Many, Query(description="IRI or `A`, `B`, `C`")] = None,
    aiActCategory: Annotated[
        Many, Query(description="IRI, a risk level (`high-risk-annex-iii`) or `annex-iii/5-a`")
    ] = None,
    law: Annotated[Many, Query(description="IRI or BWB id (a citation of the law or any of its parts counts)")] = None,
    article: Annotated[Many, Query(description="IRI or `BWBR0005537/artikel/3:2`")] = None,
    instrument: Annotated[Many, Query(description="IRI or e.g. `dpia`, `iama`")] = None,
    value: Annotated[Many, Query(description="a public value (CODIO) or right, IRI")] = None,
    q: Annotated[str | None, Query(description="free text (full-text search, typo-tolerant)")] = None,
    register: Annotated[Many, Query(description="a register: IRI or e.g. `us-federal-ai-inventory`")] = None,
    country: Annotated[Many, Query(description="a country: authority-table IRI or code, e.g. `NLD`")] = None,
    missing: Annotated[
        Many, Query(description="`dpia`, `iama`, `fria` (none performed) or `legal-basis`; repeated: all absent")
    ] = None,
    published_from: Annotated[
        str | None, Query(alias="published-from", description="first published on or after (YYYY-MM-DD)")
    ] = None,
    published_to: Annotated[
        str | None, Query(alias="published-to", description="first published on or before (YYYY-MM-DD)")
    ] = None,
) -> AlgorithmFilters:
    """Every filter but `q` and the dates may be repeated: OR within a filter, AND across filters."""
    return AlgorithmFilters(
        *(tuple(v) if v else None for v in (
            organisation, organisationType, theme, status, publicationCategory, aiActCategory, law, article,
            instrument, value,
        )),
        q, *(tuple(v) if v else None for v in (register, country, missing)), published_from, published_to,
    )  # fmt: skip


Filters = Annotated[AlgorithmFilters, Depends(_filters)]


def _queries(request: Request) -> QueryService:
    return request.app.state.queries  # type: ignore[no-any-return]


def _answer(request: Request, offered: list[str], build: Callable[[str], Response]) -> Response:
    """Negotiate, answer 304 when the client has this version, else build; errors as problem+json."""
    media_type = choose(request, offered)
    if media_type is None:
        detail = "none of the media types asked for can be served"
        return problem(406, detail=detail, accepted=offered, headers={"Vary": "Accept"})
    try:
        headers = validators(request, _queries(request).data_version, media_type)
        if (unchanged := not_modified(request, headers)) is not None:
            return unchanged
        response = build(media_type)
    except BadFilter as error:
        return problem(400, "Bad parameter", str(error), parameter=error.name, value=error.value)
    except QueryTimeout as error:
        return problem(503, "Query timeout", str(error), headers={"Retry-After": "5"})
    except QueryError as error:  # the server's own query: its parser's or store's words go to the log only
        return problem(failure_status(error), "Query failed", failure_detail(error, request.url.path))
    if response.status_code == 200:
        response.headers.update(headers)
    return response


def _collection(request: Request, explain: str | None, page: Callable[[], Page[Any]]) -> Response:
    def build(media_type: str) -> Response:
        result = page()
        if media_type == CSV:
            table = csv_text(_declared_items(request, "items"), result.items)
            return Response(table, media_type=CSV, headers=_total(result))
        body, headers = collection_body(request, result, explain == "sparql")
        return json_response(body, media_type, {**headers, **_total(result)})

    return _answer(request, COLLECTION_TYPES, build)


def _declared_items(request: Request, field: str) -> type[BaseModel]:
    """The model of the CSV rows: the items of the route's declared response model (columns never depend on the
    rows of a page; `sparql_api.rest.tables`)."""
    return item_model(request.scope["route"].response_model, field)


def _total(page: Page[Any]) -> dict[str, str]:
    return {"X-Total-Count": str(page.total)}


def _entity(
    request: Request, explain: str | None, found: Callable[[], Any], what: str, shown: Sequence[Sparql] = ()
) -> Response:
    """One resource; `shown`: the queries behind it, for `?explain=sparql` when the result does not carry them."""

    def build(media_type: str) -> Response:
        result = found()
        if result is None:
            return problem(404, "Not found", f"the graph has no {what}")
        body = {"@context": context_url(request), **result.model_dump(by_alias=True, exclude_none=True)}
        if explain != "sparql":
            body.pop("sparql", None)
        elif shown:
            body["sparql"] = [sparql.shown() for sparql in shown]
        return json_response(body, media_type, {})

    return _answer(request, ENTITY_TYPES, build)


@router.get("/context/v1.jsonld", include_in_schema=False)
def context() -> FileResponse:
    """The published JSON-LD context of every API response (version 1; never changed incompatibly)."""
    return FileResponse(CONTEXT_FILE, media_type=JSON_LD, headers={"Cache-Control": "public, max-age=86400"})


@router.get(
    "/algorithms",
    response_model=Page[AlgorithmSummary],
    responses={200: {"content": {JSON_LD: {}, CSV: {}}}},
    summary="Algorithms, filtered, sorted and paged, with facets",
)
def algorithms(
    request: Request,
    filters: Filters,
    page: PageNumber = 1,
    size: Size = 20,
    sort: Annotated[
        str | None, Query(description="title, id, organisation, beginDate, relevance (with q); `-` descending")
    ] = None,
    facets: Annotated[str | None, Query(description="comma-separated facet names, or `all`")] = None,
    lang: Lang = "nl",
    explain: Explain = None,
) -> Response:
    """The algorithms the filters select (all filters must hold; a repeated filter: any of its values), with
    the exact `totalItems`, a `hydra:PartialCollectionView` and `Link` headers (first, prev, next, last), and
    facet counts when asked (each facet under the other filters). CSV (`?format=csv`): every algorithm of the
    selection, streamed, whatever `page` and `size` say."""
    names = catalogue.FACETS if facets == "all" else tuple(n for n in (facets or "").split(",") if n)
    if choose(request, COLLECTION_TYPES) == CSV:
        return _answer(request, COLLECTION_TYPES, lambda _: _csv_download(request, filters, sort, lang))
    return _collection(
        request,
        explain,
        lambda: catalogue.algorithms(
            _queries(request), filters, page=page, size=size, sort=sort, lang=lang, facet_names=names
        ),
    )


CSV_CHUNK = 100  # algorithms per streamed chunk (one detail query each, cached per data version)


def _csv_download(request: Request, filters: AlgorithmFilters, sort: str | None, lang: str) -> Response:
    """The whole selection as CSV, streamed: the order and total first (a bad filter is a 400 before any
    byte), then the rows in chunks."""
    queries = _queries(request)
    order = catalogue.ordered(queries, filters, sort)
    header = csv_text(AlgorithmRow, [])

    def chunks() -> Iterator[str]:
        yield header
        for start in range(0, len(order.iris), CSV_CHUNK):
            items = catalogue.rows(queries, order.iris[start : start + CSV_CHUNK], lang)
            yield csv_text(AlgorithmRow, items).split("\r\n", 1)[1]

    headers = {"X-Total-Count": str(len(order.iris)), "Content-Disposition": 'attachment; filename="algorithms.csv"'}
    return StreamingResponse(chunks(), media_type=CSV, headers=headers)


@router.get("/algorithms/facets", response_model=list[Facet], summary="Facet counts of the selected algorithms")
def algorithm_facets(
    request: Request,
    filters: Filters,
    names: Annotated[str | None, Query(description="comma-separated facet names (default all)")] = None,
    lang: Lang = "nl",
) -> Response:
    """Counts per value of each facet, each under the other filters; CSV: one row per facet value (facet,
    value, label, count) and one per facet for the algorithms without a value (value empty)."""
    chosen = tuple(n for n in (names or "").split(",") if n) or catalogue.FACETS

    def build(media_type: str) -> Response:
        result = catalogue.facets(_queries(request), filters, lang=lang, names=chosen)
        if media_type == CSV:
            rows = [
                {"facet": f.name, "value": v.value, "label": v.label, "count": v.count}
                for f in result
                for v in f.values
            ]
            rows += [{"facet": f.name, "value": "", "label": "", "count": f.missing} for f in result if f.missing]
            disposition = {"Content-Disposition": 'attachment; filename="algorithm-facets.csv"'}
            return Response(csv_table(FACET_COLUMNS, rows), media_type=CSV, headers=disposition)
        body = {"@context": context_url(request), "facets": [f.model_dump(by_alias=True) for f in result]}
        return json_response(body, media_type, {})

    return _answer(request, [*ENTITY_TYPES, CSV], build)


FACET_COLUMNS = ("facet", "value", "label", "count")


@router.get("/algorithms/{identifier}", response_model=AlgorithmSummary, summary="One algorithm by register id")
def algorithm(request: Request, identifier: str, lang: Lang = "nl", explain: Explain = None) -> Response:
    iri = f"{ID}algorithm/{identifier}"

    def found() -> AlgorithmSummary | None:
        return catalogue.algorithm(_queries(request), iri, lang=lang)

    return _entity(request, explain, found, f"algorithm {identifier}", [catalogue.algorithm_query(iri)])


@router.get("/organisations", response_model=Page[OrganisationSummary], summary="Organisations and their counts")
def organisations(
    request: Request, page: PageNumber = 1, size: Size = 50, lang: Lang = "nl", explain: Explain = None
) -> Response:
    return _collection(
        request, explain, lambda: catalogue.organisations(_queries(request), page=page, size=size, lang=lang)
    )


@router.get("/organisation", response_model=OrganisationView, summary="Supervisor view of an organisation")
def organisation(
    request: Request,
    id: Annotated[str, Query(description="TOOI IRI, or the name as published when not reconciled")],
    lang: Lang = "nl",
    explain: Explain = None,
) -> Response:
    """An organisation's algorithms with the completeness of each record (share of register fields filled)
    and its SHACL results (violations, warnings). CSV lists the algorithms."""

    def build(media_type: str) -> Response:
        result = catalogue.organisation(_queries(request), id, lang=lang)
        return _supervisor_view(request, result, media_type, explain, f"no algorithms of organisation {id!r}")

    return _answer(request, COLLECTION_TYPES, build)


@router.get("/laws", response_model=Page[LawSummary], summary="Laws and how many algorithms rely on them")
def laws(
    request: Request, page: PageNumber = 1, size: Size = 50, lang: Lang = "nl", explain: Explain = None
) -> Response:
    return _collection(request, explain, lambda: catalogue.laws(_queries(request), page=page, size=size, lang=lang))


@router.get("/articles", response_model=Page[ArticleSummary], summary="Cited articles and their counts")
def articles(
    request: Request,
    law: Annotated[str | None, Query(description="IRI or BWB id: only this law's articles")] = None,
    page: PageNumber = 1,
    size: Size = 50,
    lang: Lang = "nl",
    explain: Explain = None,
) -> Response:
    return _collection(
        request, explain, lambda: catalogue.articles(_queries(request), law=law, page=page, size=size, lang=lang)
    )


@router.get(
    "/law",
    response_model=LegalResourceView,
    responses={200: {"content": {JSON_LD: {}, CSV: {}}}},
    summary="Supervisor view of a law or article: every algorithm relying on it",
)
def law(
    request: Request,
    id: Annotated[str, Query(description="IRI of a law or article, a BWB id or `BWBR…/artikel/…`")],
    lang: Lang = "nl",
    explain: Explain = None,
) -> Response:
    """Every algorithm citing the law or article (or any part of it), grouped by organisation and AI Act
    risk level; `text/csv` (or `?format=csv`) exports one row per algorithm."""

    def build(media_type: str) -> Response:
        result = catalogue.legal_resource(_queries(request), id, lang=lang)
        return _supervisor_view(request, result, media_type, explain, f"the graph has no law or article {id!r}")

    return _answer(request, COLLECTION_TYPES, build)


@router.get("/assessments", response_model=Page[AssessmentSummary], summary="Assessments in the records")
def assessments(
    request: Request,
    instrument: Annotated[str | None, Query(description="IRI or e.g. `dpia`")] = None,
    page: PageNumber = 1,
    size: Size = 50,
    lang: Lang = "nl",
    explain: Explain = None,
) -> Response:
    return _collection(
        request,
        explain,
        lambda: catalogue.assessments(_queries(request), instrument=instrument, page=page, size=size, lang=lang),
    )


@router.get("/aiact-categories", response_model=Page[CategorySummary], summary="AI Act categories and counts")
def aiact_categories(
    request: Request, page: PageNumber = 1, size: Size = 100, lang: Lang = "nl", explain: Explain = None
) -> Response:
    return _collection(
        request, explain, lambda: catalogue.aiact_categories(_queries(request), page=page, size=size, lang=lang)
    )


@router.get("/values", response_model=Page[CategorySummary], summary="Public values and rights at stake")
def values(
    request: Request, page: PageNumber = 1, size: Size = 100, lang: Lang = "nl", explain: Explain = None
) -> Response:
    return _collection(request, explain, lambda: catalogue.values(_queries(request), page=page, size=size, lang=lang))


@router.get("/search", response_model=list[SearchHit], summary="Full-text search (ranked, typo-tolerant)")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, description="words; accents and case ignored, typos tolerated")],
    kind: Annotated[Literal["algorithm", "organisation", "law"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> Response:
    """Algorithms, organisations and laws whose names, descriptions, organisation or law titles match every
    word, best first (bm25). The same scores are available in SPARQL as `akg:textScore(?entity, "words")`."""

    def build(media_type: str) -> Response:
        index = request.app.state.queries.search_index()
        hits = fulltext.search(index, q, kind=kind, limit=limit)
        items = [
            SearchHit(id=h.entity, kind=h.kind, label=h.label, score=h.score, snippet=h.snippet).model_dump(
                by_alias=True
            )
            for h in hits
        ]
        return json_response({"@context": context_url(request), "query": q, "member": items}, media_type, {})

    return _answer(request, ENTITY_TYPES, build)


__all__ = ["CONTEXT_PATH", "router"]


def _supervisor_view(
    request: Request,
    result: OrganisationView | LegalResourceView | None,
    media_type: str,
    explain: str | None,
    not_found: str,
) -> Response:
    """A view of one organisation or law: its algorithms as CSV rows, or the whole view as JSON-LD."""
    if result is None:
        return problem(404, "Not found", not_found)
    if media_type == CSV:
        return Response(csv_text(_declared_items(request, "algorithms"), result.algorithms), media_type=CSV)
    body = {"@context": context_url(request), **result.model_dump(by_alias=True, exclude_none=True)}
    if explain != "sparql":
        body.pop("sparql", None)
    return json_response(body, media_type, {})
