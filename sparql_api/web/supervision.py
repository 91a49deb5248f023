"""The supervisor's table on the law and organisation pages: every relying (or published) algorithm, paged and
sortable, with a column per assessment instrument, the `missing=` filter and the CSV download of all rows
(`sparql_api.rest.supervision_view`; the page's parameters are those of `/api/…/algorithms`)."""

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode

from fastapi import Request

from sparql_api.rest import supervision_view
from sparql_api.rest.filters import BadFilter
from sparql_api.rest.models import Page, QueryShown
from sparql_api.rest.supervision_view import INSTRUMENTS, SupervisedAlgorithm
from sparql_api.web.errors import PastTheLastPage

PAGE_SIZE = 50
OWN = ("page", "sort", "missing")  # the table's parameters; the page's others (id, iri, lang) are kept


@dataclass
class SupervisedTable:
    """What `templates/supervised-table.html` shows."""

    kind: str
    page: Page[SupervisedAlgorithm]
    missing: tuple[str, ...]
    sort: str
    kept: list[tuple[str, str]]  # the page's other parameters, as hidden fields of the filter form
    download: str
    report: str  # the assessment-gaps report for the same law or organisation
    sort_links: dict[str, str] = field(default_factory=dict)
    previous: str | None = None
    next: str | None = None
    instruments: tuple[tuple[str, str], ...] = tuple(INSTRUMENTS.items())  # (notation, field)
    sparql: list[QueryShown] = field(default_factory=list)


def _page_number(value: str | None) -> int:
    try:
        return int(value) if value else 1
    except ValueError:
        raise BadFilter("page", value or "", "give a whole number") from None


def supervised_table(request: Request, kind: Literal["law", "organisation"], key: str, lang: str) -> SupervisedTable:
    """The table for the request's `page`, `sort` and `missing` parameters.

    :raises BadFilter: a page, sort or instrument that cannot be used (the caller answers 400).
    :raises PastTheLastPage: a page after the last (the caller answers 404).
    """
    params = request.query_params
    missing = supervision_view.missing_instruments(params.getlist("missing"))
    sort = params.get("sort") or "title"
    chosen = supervision_view.selection(kind, key)
    page = supervision_view.page(
        request.app.state.queries,
        chosen,
        missing=missing,
        sort=sort,
        page=_page_number(params.get("page")),
        size=PAGE_SIZE,
        lang=lang,
    )
    if page.page > page.pages:
        raise PastTheLastPage(page.page, page.pages)
    kept = [(name, value) for name, value in params.multi_items() if name not in OWN]
    path = request.url.path

    def url(**changes: object) -> str:
        values: list[tuple[str, object]] = [*kept, *(("missing", name) for name in missing), ("sort", sort)]
        values = [(name, value) for name, value in values if name not in changes] + [
            (name, value) for name, value in changes.items() if value not in (None, "")
        ]
        return f"{path}?{urlencode(values)}"

    api = [("id", chosen.term.value), *(("missing", name) for name in missing), ("sort", sort), ("lang", lang)]
    return SupervisedTable(
        kind=kind,
        page=page,
        missing=missing,
        sort=sort,
        kept=kept,
        download=f"/api/{kind}/algorithms?{urlencode([*api, ('format', 'csv')])}",
        report=f"/reports/assessment-gaps?{urlencode([(kind, chosen.term.value), ('lang', lang)])}",
        sort_links={key: url(sort=f"-{key}" if sort == key else key) for key in supervision_view.SORTS},
        previous=url(page=page.page - 1) if page.page > 1 else None,
        next=url(page=page.page + 1) if page.page < page.pages else None,
        sparql=page.sparql,
    )


__all__ = ["PAGE_SIZE", "SupervisedTable", "supervised_table"]
