"""`/api/law/algorithms` and `/api/organisation/algorithms`: a supervisor's list of one law's (or article's)
relying algorithms, or one organisation's algorithms, with their assessment states (`rest.supervision_view`).

Paged and sorted JSON-LD (a hydra collection, `Link` headers), or every row as CSV (`text/csv` or
`?format=csv`), streamed, as a download (`Content-Disposition`). `missing=dpia&missing=iama` keeps the
algorithms whose record names no DPIA or no IAMA (any of the named instruments missing).
"""

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from sparql_api.problems import problem
from sparql_api.queries import QueryService
from sparql_api.rest import catalogue, supervision_view
from sparql_api.rest.http import CSV, JSON, JSON_LD, answer, collection_body, json_response
from sparql_api.rest.models import Page
from sparql_api.rest.supervision_view import SupervisedAlgorithm

router = APIRouter(prefix="/api", tags=["Supervision"])
TYPES = [JSON_LD, JSON, CSV]
Missing = Annotated[
    list[str],
    Query(
        description="instruments (`dpia`, `iama`, `fria`, `unspecified`) of which the record names none; more than "
        "one: algorithms missing ANY of them (OR)"
    ),
]
Sort = Annotated[str | None, Query(description="title (default), organisation or status; `-` for descending")]
PageNumber = Annotated[int, Query(ge=1, le=catalogue.MAX_PAGE, description="page number, from 1")]
Size = Annotated[int, Query(ge=1, le=catalogue.MAX_PAGE_SIZE, description="items per page (CSV: every row)")]
Lang = Annotated[Literal["nl", "en"], Query(description="language of labels and titles")]
Explain = Annotated[Literal["sparql"] | None, Query(description="`sparql`: add the query behind the answer")]


def _list(
    request: Request,
    kind: Literal["law", "organisation"],
    key: str,
    *,
    missing: list[str],
    sort: str | None,
    page: int,
    size: int,
    lang: str,
    explain: str | None,
) -> Response:
    def build(media_type: str) -> Response:
        queries: QueryService = request.app.state.queries
        chosen = supervision_view.selection(kind, key)
        if not supervision_view.exists(queries, chosen):
            return problem(404, "Not found", f"the graph has no law or article {key!r}")
        items, _ = supervision_view.everything(queries, chosen, lang)
        if kind == "organisation" and not items:
            return problem(404, "Not found", f"no algorithms of organisation {key!r}")
        selected = supervision_view.select(items, missing=missing, sort=sort)
        instruments = supervision_view.missing_instruments(missing)
        if media_type == CSV:
            return StreamingResponse(
                supervision_view.csv_chunks(selected),
                media_type=CSV,
                headers={"X-Total-Count": str(len(selected)), "Content-Disposition": _attachment(kind, key)},
            )
        result = supervision_view.page(queries, chosen, missing=missing, sort=sort, page=page, size=size, lang=lang)
        body, headers = collection_body(request, result, explain == "sparql")
        body["about"] = {"@id": chosen.term.value, "kind": kind}
        body["missingInstruments"] = list(instruments)
        body["missingMatch"] = "any"  # OR: an algorithm missing one of the named instruments is listed
        return json_response(body, media_type, {**headers, "X-Total-Count": str(result.total)})

    return answer(request, TYPES, build)


def _attachment(kind: str, key: str) -> str:
    """A download's file name from the id's last part (letters, digits, `-`, `_` and `.` only)."""
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", key.rstrip("/").rsplit("/", 1)[-1]).strip("-.") or kind
    return f'attachment; filename="{kind}-{tail[:80]}-algorithms.csv"'


@router.get(
    "/law/algorithms",
    response_model=Page[SupervisedAlgorithm],
    responses={200: {"content": {JSON_LD: {}, CSV: {}}}, 404: {"description": "the graph has no such law"}},
    summary="Every algorithm relying on a law or article, with its assessments: paged, sorted, filtered",
)
def law_algorithms(
    request: Request,
    id: Annotated[str, Query(description="IRI of a law or article, a BWB id or `BWBR…/artikel/…`")],
    missing: Missing = [],  # noqa: B006 - FastAPI reads the default, never changes it
    sort: Sort = None,
    page: PageNumber = 1,
    size: Size = supervision_view.DEFAULT_SIZE,
    lang: Lang = "nl",
    explain: Explain = None,
) -> Response:
    """The algorithms citing the law or article or any part of it: organisation, status, publication category,
    what of the law each cites, and per instrument (DPIA, IAMA, FRIA, an impact assessment of no named
    instrument) what the record states: performed, planned, not-performed, not-needed, unknown, or missing
    (the record names none). CSV: every row of the selection, not one page."""
    return _list(
        request, "law", id, missing=missing, sort=sort, page=page, size=size, lang=lang, explain=explain
    )  # fmt: skip


@router.get(
    "/organisation/algorithms",
    response_model=Page[SupervisedAlgorithm],
    responses={200: {"content": {JSON_LD: {}, CSV: {}}}, 404: {"description": "no algorithms of the organisation"}},
    summary="An organisation's algorithms with their assessments: paged, sorted, filtered",
)
def organisation_algorithms(
    request: Request,
    id: Annotated[str, Query(description="TOOI IRI, or the organisation name as published")],
    missing: Missing = [],  # noqa: B006 - FastAPI reads the default, never changes it
    sort: Sort = None,
    page: PageNumber = 1,
    size: Size = supervision_view.DEFAULT_SIZE,
    lang: Lang = "nl",
    explain: Explain = None,
) -> Response:
    """As `/api/law/algorithms`, for the algorithms an organisation publishes (`cited`: every law or article
    they cite)."""
    return _list(
        request, "organisation", id, missing=missing, sort=sort, page=page, size=size, lang=lang, explain=explain
    )  # fmt: skip


__all__ = ["router"]
