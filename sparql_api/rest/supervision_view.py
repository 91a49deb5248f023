"""The supervisor's list of one law's or one organisation's algorithms: who relies on the law (or belongs to the
organisation), with organisation, status, publication category, what of the law they cite, and per assessment
instrument what the record states. Shared by `/api/law/algorithms`, `/api/organisation/algorithms`
(`sparql_api.rest.supervision`) and the law and organisation pages.

One query per law or organisation (`queries/rest/supervised-algorithms.rq` with a selection of
`supervised-selections.rq`, the id bound as an RDF term) gives every algorithm; the list is built once per data
version and then filtered, sorted and paged here, so the total is exact and every page, the CSV too, is cut from
the same list.

An instrument's column says what the graph's assessment status says (`performed`, `planned`, `not-performed`,
`not-needed`, `unknown`): the best the record states for any of its assessments with that instrument (or a
narrower one), ranked as in `STATES`; `missing` only when the record names no assessment with it at all.
`missing=dpia&missing=iama` keeps the algorithms lacking a performed DPIA or a performed IAMA (OR: one gap is a gap
for a supervisor), as `missing=` means on `/api/algorithms`: planned, not performed, not needed, unknown or not named.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal as Kind

from pydantic import Field
from pyoxigraph import NamedNode

from loader.csv_cells import csv_table
from queries import rest_query
from sparql_api.queries import QueryService
from sparql_api.rest import catalogue
from sparql_api.rest.filters import AlgorithmFilters, BadFilter
from sparql_api.rest.models import Model, Page, Ref
from sparql_api.rest.sparql import Sparql, Term, blocks, compose
from sparql_api.rest.tables import columns, row

INSTRUMENT = "https://w3id.org/algokg/id/assessment-instrument/"
STATUS = "https://w3id.org/algokg/id/assessment-status/"
# The instrument columns: the instrument's notation (`missing=` takes these) -> the field of `SupervisedAlgorithm`.
INSTRUMENTS = {"dpia": "dpia", "iama": "iama", "fria": "fria", "unspecified": "impact_assessment"}
# What a record can state of an instrument, best first; `missing`: it names none.
STATES = ("performed", "planned", "not-performed", "not-needed", "unknown", "missing")
SORTS = ("title", "organisation", "status")
DEFAULT_SIZE = 50
CSV_CHUNK = 200  # rows per chunk of a streamed CSV


class SupervisedAlgorithm(Model):
    """One algorithm of a supervisor's list. An instrument column holds a state of `STATES`."""

    id: str = Field(alias="@id")
    type: str = Field(default="Algorithm", alias="@type")
    identifier: str | None = None
    title: str | None = None
    organisation: Ref | None = None
    status: Ref | None = None
    publication_category: Ref | None = Field(default=None, alias="publicationCategory")
    cited: list[Ref] = Field(
        default_factory=list, description="law view: what of the law it cites (the law, articles, …); organisation "
        "view: every law or article it cites"
    )  # fmt: skip
    dpia: str = Field(default="missing", description="DPIA: performed, planned, not-performed, not-needed, unknown "
                      "or missing (the record names none)")  # fmt: skip
    iama: str = Field(default="missing", description="IAMA (FRAIA), as for dpia")
    fria: str = Field(default="missing", description="FRIA (AI Act Art 27), as for dpia")
    impact_assessment: str = Field(
        default="missing", alias="impactAssessment", description="an impact assessment whose instrument the source "
        "does not name (the register's listing: impactassessment Ja/Nee/Onbekend), as for dpia"
    )  # fmt: skip


@dataclass(frozen=True)
class Selection:
    """Whose algorithms: `kind` `law` (a law or article, and its parts) or `organisation`, and the bound term."""

    kind: Kind["law", "organisation"]
    term: Term

    @property
    def variable(self) -> str:
        return "resource" if self.kind == "law" else "organisation"


def selection(kind: Kind["law", "organisation"], key: str) -> Selection:
    """The selection of `id` `key`: a law or article IRI, BWB id or `BWBR…/artikel/…`; an organisation's TOOI IRI
    or name as published.

    :raises BadFilter: naming `id`, when it is empty or names nothing.
    """
    if not key.strip():
        raise BadFilter("id", key, "give an IRI or an identifier")
    try:
        term = AlgorithmFilters(**{"article" if kind == "law" else "organisation": key.strip()}).bindings()
    except BadFilter as error:
        raise BadFilter("id", key, error.reason) from None
    return Selection(kind, next(iter(term.values())))


def query(chosen: Selection) -> Sparql:
    """The query behind a supervisor's list (what `?explain=sparql` and the pages show)."""
    parts = blocks("supervised-selections")
    text = compose(
        "supervised-algorithms",
        vars=f"${chosen.variable}",
        selection=parts[chosen.kind],
        cited=parts[f"{chosen.kind}Cited"],
    )
    return Sparql("supervised-algorithms", text, {chosen.variable: chosen.term})


def everything(queries: QueryService, chosen: Selection, lang: str) -> tuple[list[SupervisedAlgorithm], Sparql]:
    """Every algorithm of the selection, by title (built once per data version and language)."""
    sparql = query(chosen)

    def build() -> list[SupervisedAlgorithm]:
        return _algorithms(catalogue.run(queries, sparql), lang)

    return catalogue._cached(queries, ("supervised", *sparql.key(), lang), build), sparql


def _algorithms(rows: Iterable[dict[str, Term]], lang: str) -> list[SupervisedAlgorithm]:
    values: dict[str, dict[str, dict[str, list[Term]]]] = {}
    states: dict[str, dict[str, str]] = defaultdict(dict)
    for found in rows:
        algorithm = found["algorithm"].value
        fields = values.setdefault(algorithm, defaultdict(lambda: defaultdict(list)))
        if "field" not in found or "value" not in found:
            continue
        field, value = found["field"].value, found["value"]
        if field == "assessment":
            notation = value.value.removeprefix(INSTRUMENT)
            if notation in INSTRUMENTS:
                state = _state(found.get("status"), found.get("performed"))
                known = states[algorithm].get(notation, "missing")
                states[algorithm][notation] = min(known, state, key=STATES.index)
            continue
        labels = fields[field][value.value]
        if "label" in found:
            labels.append(found["label"])
        fields[field].setdefault("\0terms", []).append(value)  # type: ignore[arg-type]
    items = [_item(iri, fields, states[iri], lang) for iri, fields in values.items()]
    return _sorted(items, "title")


def _state(status: Term | None, performed: Term | None) -> str:
    """What an assessment's record states: its akg:assessmentStatus, else akg:wasPerformed, else `unknown`."""
    if status is not None and status.value.startswith(STATUS) and status.value.removeprefix(STATUS) in STATES:
        return status.value.removeprefix(STATUS)
    if performed is not None:
        return "performed" if performed.value in ("true", "1") else "not-performed"
    return "unknown"


def _item(iri: str, fields: dict[str, dict[str, list[Term]]], states: dict[str, str], lang: str) -> SupervisedAlgorithm:
    def terms(field: str) -> list[Term]:
        unique = {term.value: term for term in fields.get(field, {}).get("\0terms", [])}
        return sorted(unique.values(), key=lambda term: term.value)

    def refs(field: str) -> list[Ref]:
        return [
            Ref(id=term.value, label=catalogue.pick_label(fields[field][term.value], lang)) for term in terms(field)
        ]

    def text(field: str) -> str | None:
        return catalogue.pick_label(terms(field), lang)

    organisation = next(iter(refs("organisation")), None)
    name = text("organisationName")
    if organisation is None and name is not None:
        organisation = Ref(id=name, label=name)
    elif organisation is not None and organisation.label is None:
        organisation.label = name
    return SupervisedAlgorithm(
        id=iri,
        identifier=text("id"),
        title=text("title"),
        organisation=organisation,
        status=next(iter(refs("status")), None),
        publication_category=next(iter(refs("publicationCategory")), None),
        cited=refs("cited"),
        **{INSTRUMENTS[notation]: state for notation, state in states.items()},
    )


def _label(item: SupervisedAlgorithm, key: str) -> str | None:
    """The text an item sorts by under `key` (None: it has no value)."""
    if key == "title":
        return item.title or item.identifier
    ref = item.organisation if key == "organisation" else item.status
    return (ref.label or ref.id) if ref else None


def _sorted(items: Iterable[SupervisedAlgorithm], key: str, descending: bool = False) -> list[SupervisedAlgorithm]:
    """By the `key` label (casefolded), either way; no value last; ties by identifier ascending (stable sorts)."""
    by_id = sorted(items, key=lambda item: item.identifier or item.id)
    known = [item for item in by_id if _label(item, key) is not None]
    known.sort(key=lambda item: (_label(item, key) or "").casefold(), reverse=descending)
    return known + [item for item in by_id if _label(item, key) is None]


def missing_instruments(missing: Sequence[str]) -> tuple[str, ...]:
    """The instruments `missing=` names (notations, e.g. `dpia`; IRIs too), checked.

    :raises BadFilter: naming `missing`, for an instrument without a column.
    """
    chosen: list[str] = []
    for value in missing:
        for part in value.split(","):
            notation = part.strip().removeprefix(INSTRUMENT)
            if not notation:
                continue
            if notation not in INSTRUMENTS:
                raise BadFilter("missing", part, f"give one or more of {', '.join(INSTRUMENTS)}")
            if notation not in chosen:
                chosen.append(notation)
    return tuple(chosen)


def select(
    items: Sequence[SupervisedAlgorithm], *, missing: Sequence[str] = (), sort: str | None = None
) -> list[SupervisedAlgorithm]:
    """The algorithms lacking a performed assessment with any of the `missing` instruments (all when none), sorted (`-` for descending).

    :raises BadFilter: an unknown instrument (`missing`) or sort key (`sort`).
    """
    instruments = missing_instruments(missing)
    sort = sort or "title"
    key = sort.removeprefix("-")
    if key not in SORTS:
        raise BadFilter("sort", sort, f"sort by one of {', '.join(SORTS)} (prefix - for descending)")
    chosen = [
        item
        for item in items
        if not instruments or any(getattr(item, INSTRUMENTS[name]) != "performed" for name in instruments)
    ]
    return _sorted(chosen, key, sort.startswith("-"))


def page(
    queries: QueryService,
    chosen: Selection,
    *,
    missing: Sequence[str] = (),
    sort: str | None = None,
    page: int = 1,
    size: int = DEFAULT_SIZE,
    lang: str = "nl",
) -> Page[SupervisedAlgorithm]:
    """One page of the selection's algorithms after `missing` and `sort`, with the exact total."""
    catalogue._check_page(page, size)
    items, sparql = everything(queries, chosen, lang)
    selected = select(items, missing=missing, sort=sort)
    return Page[SupervisedAlgorithm](
        items=selected[(page - 1) * size : page * size],
        total=len(selected),
        page=page,
        size=size,
        sort=sort or "title",
        sparql=catalogue._shown(sparql),
    )


def csv_chunks(items: Sequence[SupervisedAlgorithm]) -> Iterator[bytes]:
    """The items as CSV (header from the model, cells made safe), in chunks for a streamed response."""
    header = columns(SupervisedAlgorithm)
    yield csv_table(header, ()).encode()
    for start in range(0, len(items), CSV_CHUNK):
        chunk = (row(SupervisedAlgorithm, item) for item in items[start : start + CSV_CHUNK])
        yield csv_table(header, chunk).split("\r\n", 1)[1].encode()


def exists(queries: QueryService, chosen: Selection) -> bool:
    """Whether the graph knows the law or article (a law nobody relies on has an empty list, not a 404)."""
    if chosen.kind != "law" or not isinstance(chosen.term, NamedNode):
        return True
    return bool(catalogue.run(queries, Sparql("resource", rest_query("resource"), {"resource": chosen.term})))


__all__ = ["INSTRUMENTS", "SORTS", "STATES", "Selection", "SupervisedAlgorithm", "page", "select", "selection"]
