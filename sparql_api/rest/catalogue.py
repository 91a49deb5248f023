"""The REST service layer: plain functions from a `QueryService` and typed arguments to typed results.

Both the JSON API (`sparql_api.rest.routes`) and the HTML pages call these; each result carries the
queries that made it (`sparql`: file, text, bound terms) so any view can show its SPARQL. Every query
is a `queries/rest/*.rq` file whose parameters are bound as RDF terms (never pasted); answers are cached
per data version (`queries.data_version`), so totals and facets over the whole catalogue cost once per load.

Functions:
- `algorithms(queries, filters, page, size, sort, lang)` -> `Page[AlgorithmSummary]` (exact total)
- `facets(queries, filters, lang, names)` -> `list[Facet]`
- `algorithm(queries, iri, lang)` -> `AlgorithmSummary | None`
- `organisations / laws / articles / assessments / aiact_categories / values(...)` -> `Page[...]`
- `legal_resource(queries, iri, lang)` -> `LegalResourceView | None` (supervisor view of a law or article)
- `organisation(queries, key, lang)` -> `OrganisationView | None` (supervisor view: completeness)
"""

import re
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pyoxigraph import Literal, NamedNode

from queries import rest_query
from sparql_api import search as fulltext
from sparql_api.queries import QueryService
from sparql_api.rest import record_fields, selection
from sparql_api.rest.cache import VersionedCache
from sparql_api.rest.filters import VARIABLES, AlgorithmFilters, BadFilter
from sparql_api.rest.models import (
    AlgorithmRow,
    AlgorithmSummary,
    ArticleSummary,
    AssessmentSummary,
    CategorySummary,
    Completeness,
    Facet,
    FacetValue,
    LawSummary,
    LegalResourceView,
    OrganisationGroup,
    OrganisationSummary,
    OrganisationView,
    Page,
    QueryShown,
    Ref,
    ReliantAlgorithm,
    RiskGroup,
)
from sparql_api.rest.sparql import Sparql, Term, blocks, compose

T = TypeVar("T")
Row = dict[str, Term]
MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000  # a million pages of 500 is far beyond any register; beyond it the OFFSET is refused (400)
FACETS = tuple(blocks("algorithm-facets"))
SORTS = ("title", "id", "organisation", "beginDate", "relevance")
AKG = "https://w3id.org/algokg/def#"
TOOI = "https://identifier.overheid.nl/tooi/id/"  # a reconciled organisation; others have an algokg IRI
NO_VALUE = "urn:algokg:no-value"  # algorithm-facet.rq: the bucket of algorithms without a value
DCT = "http://purl.org/dc/terms/"
# The properties of the publication standard's required fields, whose presence makes a record complete
# (organisation-algorithms.rq lists the same).
REGISTER_FIELDS = record_fields.REQUIRED_PROPERTIES
_caches: "weakref.WeakKeyDictionary[QueryService, VersionedCache]" = weakref.WeakKeyDictionary()
_order_caches: "weakref.WeakKeyDictionary[QueryService, VersionedCache]" = weakref.WeakKeyDictionary()
ORDERS_CACHED = 64


# -- running queries ---------------------------------------------------------------------------


def run(queries: QueryService, sparql: Sparql) -> list[Row]:
    """The rows of a SELECT, cached for the data version that answered."""
    cache = _caches.setdefault(queries, VersionedCache())
    return cache.get(
        queries.data_version, sparql.key(), lambda: queries.select(sparql.text, substitutions=dict(sparql.bindings))
    )


def _cached(queries: QueryService, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    return _caches.setdefault(queries, VersionedCache()).get(queries.data_version, key, compute)


def _filtered(template: str, filters: AlgorithmFilters, **parts: str) -> Sparql:
    """A template with the blocks of the given filters; the bound variables are projected (and grouped by)
    at every level through the `#@vars` / `#@groupby` lines, as pyoxigraph binds only projected variables.
    Several values of one filter: its block once per value (`$theme`, `$theme_2`, …) joined by UNION;
    `missing` values: one FILTER whose NOT EXISTS blocks are joined by `||` (any one absent)."""
    bindings = filters.bindings()
    projected = " ".join(f"?{name}" for name in bindings)
    text = compose(
        template,
        filters=filter_blocks(filters),
        vars=projected,
        groupby=f"GROUP BY {projected}" if projected else "",
        **parts,
    )
    return Sparql(template, text, bindings)


def filter_blocks(filters: AlgorithmFilters) -> str:
    """The SPARQL of the given filters (blocks of algorithm-filters.rq, only their variables renamed)."""
    chosen = blocks("algorithm-filters")
    parts = []
    for name, terms in filters.terms().items():
        variable = VARIABLES.get(name, name)
        if name == "missing":
            absent = [
                chosen["missingLegalBasis"] if isinstance(term, Literal) else _renamed(chosen[name], variable, position)
                for position, term in enumerate(terms, start=1)
            ]
            parts.append(_any_of(absent))
        elif len(terms) == 1:
            parts.append(chosen[name])
        else:
            alternatives = [_renamed(chosen[name], variable, position) for position in range(1, len(terms) + 1)]
            parts.append("{\n" + "\n} UNION {\n".join(alternatives) + "\n}")
    return "\n".join(parts)


def _any_of(blocks_: Sequence[str]) -> str:
    """`FILTER NOT EXISTS {…}` blocks as one FILTER that holds when any of them does (their comments kept above).
    A UNION of groups would not do: a FILTER inside a group cannot see the outer group's `?algorithm`."""
    if len(blocks_) == 1:
        return blocks_[0]
    comments: list[str] = []
    tests: list[str] = []
    for block in blocks_:
        lines = block.splitlines()
        comments += [line for line in lines if line.lstrip().startswith("#")]
        test = " ".join(line.strip() for line in lines if not line.lstrip().startswith("#"))
        tests.append(test.removeprefix("FILTER").strip())
    return "\n".join([*comments, "FILTER (" + "\n  || ".join(tests) + ")"])


def _renamed(block: str, variable: str, position: int) -> str:
    """A filter block for a filter's `position`-th value: `$variable` becomes `$variable_N` (N > 1)."""
    if position == 1:
        return block
    return re.sub(rf"\${variable}\b", f"${variable}_{position}", block)


# -- labels and terms --------------------------------------------------------------------------


def pick_label(labels: Iterable[Term | None], lang: str) -> str | None:
    """The label in `lang`, else one without a language, else English, else any (smallest, deterministic)."""
    found = [label for label in labels if isinstance(label, Literal)]
    for wanted in (lang, None, "en"):
        matching = sorted(label.value for label in found if label.language == wanted)
        if matching:
            return matching[0]
    return min((label.value for label in found), default=None)


def _value(term: Term | None) -> str | None:
    return None if term is None else term.value


def _int(term: Term | None) -> int:
    return int(term.value) if term is not None else 0


def _bool(term: Term | None) -> bool | None:
    return None if term is None else term.value in ("true", "1")


def _ref(term: Term | None, labels: Iterable[Term | None], lang: str) -> Ref | None:
    if term is None:
        return None
    label = pick_label(labels, lang)
    return Ref(id=term.value, label=label if label is not None or isinstance(term, NamedNode) else term.value)


def _grouped(rows: Iterable[Row], key: str) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row[key].value].append(row)
    return groups


def _labels_by(rows: list[Row], key: str, label: str = "label") -> dict[str, list[Term]]:
    found: dict[str, list[Term]] = defaultdict(list)
    for row in rows:
        if key in row and label in row:
            found[row[key].value].append(row[label])
    return found


def _page(items: Sequence[T], page: int, size: int) -> list[T]:
    return list(items[(page - 1) * size : page * size])


def _check_page(page: int, size: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise BadFilter("page", str(page), f"pages run from 1 to {MAX_PAGE}")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadFilter("size", str(size), f"a page holds 1 to {MAX_PAGE_SIZE} items")


def _id_term(kind: str, key: str) -> Term:
    """The `id` of a supervisor view as the term a `kind` filter would bind; BadFilter naming `id` when it is
    empty or names nothing (an empty `id=` must not reach a query as a missing binding)."""
    if not key.strip():
        raise BadFilter("id", key, "give an IRI or an identifier")
    try:
        return AlgorithmFilters(**{kind: key}).bindings()[kind]
    except BadFilter as error:
        raise BadFilter("id", key, error.reason) from None


def _shown(*queries: Sparql) -> list[QueryShown]:
    return [QueryShown.model_validate(sparql.shown()) for sparql in queries]


# -- algorithms --------------------------------------------------------------------------------


def total(queries: QueryService, filters: AlgorithmFilters) -> tuple[int, Sparql]:
    """The exact number of algorithms the filters select (from the index), and the SPARQL that says the same."""
    index = selection.index(queries)
    return _selected(queries, index, filters, None).bit_count(), _filtered("algorithms-count", filters)


# The index dimension each filter reads: which terms its values are matched against.
_MATCHED_BY = {
    "organisation": "organisation",
    "organisationType": "organisationType",
    "aiActCategory": "aiActCategory",
    "law": "cited",
    "article": "cited",
    "value": "value",
    **{name: f"facet:{name}" for name in ("theme", "status", "publicationCategory", "instrument", "register")},
    "country": "facet:country",
}


def _masks(queries: QueryService, index: selection.Index, filters: AlgorithmFilters) -> dict[str, int]:
    """Each given filter as the bitset of the algorithms it lets through (OR of its values).

    :raises BadFilter: a value the graph does not know (naming the parameter, the value and some known values).
    """
    masks: dict[str, int] = {}
    for name, terms in filters.terms().items():
        if name == "q":
            scores = _scores(queries, index, terms[0].value)
            masks[name] = index.bits_of(scores)
        elif name == "missing":  # any one of them absent
            mask = 0
            for term in terms:
                if isinstance(term, Literal):  # legal-basis
                    mask |= index.all & ~index.dimension("legalBasis").any
                else:
                    mask |= index.all & ~index.dimension("performed").bits.get(term.value, 0)
            masks[name] = mask
        elif name in ("publishedFrom", "publishedTo"):
            published = index.dimension("published")
            bound = terms[0].value
            mask = 0
            for day, bits in published.bits.items():
                if (day >= bound) if name == "publishedFrom" else (day <= bound):
                    mask |= bits
            masks[name] = mask
        else:
            dimension = index.dimension(_MATCHED_BY[name])
            for term in terms:
                if term.value not in dimension.bits:
                    _check_known(queries, name, term, dimension)
            masks[name] = dimension.matching(term.value for term in terms)
    return masks


def _check_known(queries: QueryService, name: str, term: Term, dimension: selection.Dimension) -> None:
    """A filter value no algorithm has: fine when the graph knows the term (the answer is empty), else 400."""
    if isinstance(term, NamedNode):
        known = run(queries, Sparql("term-known", _TERM_KNOWN, {"term": term}))
        if known:
            return
    examples = ", ".join(sorted(dimension.bits)[:5])
    what = "no organisation of that name or IRI" if name == "organisation" else "the graph does not know this value"
    raise BadFilter(name, term.value, f"{what}; known values are e.g. {examples}")


_TERM_KNOWN = "SELECT ?term ?p WHERE { { $term ?p ?o } UNION { ?s ?p $term } } LIMIT 1"


def _scores(queries: QueryService, index: selection.Index, text: str) -> dict[str, float]:
    """The full-text scores of the algorithms matching `text` (the FTS5 index; cached per data version)."""

    def compute() -> dict[str, float]:
        found = fulltext.entity_scores(queries.search_index(), text)
        return {iri: score for iri, score in found.items() if iri in index.position}

    return _cached(queries, ("scores", text), compute)


def _selected(queries: QueryService, index: selection.Index, filters: AlgorithmFilters, without: str | None) -> int:
    """The algorithms all given filters select, leaving out filter `without` (a facet's own filter)."""
    masks = _cached(queries, ("masks", _filters_key(filters)), lambda: _masks(queries, index, filters))
    result = index.all
    for name, mask in masks.items():
        if name != without:
            result &= mask
    return result


def _filters_key(filters: AlgorithmFilters) -> tuple[object, ...]:
    return tuple(sorted(filters.given().items()))


def algorithms(
    queries: QueryService,
    filters: AlgorithmFilters | None = None,
    *,
    page: int = 1,
    size: int = 20,
    sort: str | None = None,
    lang: str = "nl",
    facet_names: Sequence[str] = (),
) -> Page[AlgorithmSummary]:
    """One page of the algorithms the filters select, with the exact total (and facets when named).

    The selection, its total, order and facets come from the per-data-version index (`rest.selection`); the
    page's details from one query per algorithm (cached). `sparql` shows the SPARQL that selects the same
    algorithms (the filter blocks), the index's queries and the detail queries.

    :param sort: `title`, `id`, `organisation`, `beginDate` or `relevance` (needs `q`; the default when
        `q` is given, `title` otherwise); prefix `-` for descending.
    :raises BadFilter: a filter value, page, size or sort that cannot be used (HTTP 400).
    """
    filters = filters or AlgorithmFilters()
    _check_page(page, size)
    key = (sort or ("relevance" if filters.values("q") else "title")).lstrip("-")
    needed = [*_dimensions_of(filters), *([f"sort:{key}"] if key in SORTS and key != "relevance" else [])]
    index = selection.current(queries)
    index.prepare([*needed, *(f"facet:{name}" for name in facet_names if name in FACETS)])  # all at once
    if not facet_names and not filters.given() and not index.ready(needed, wait=QUICK):
        # The unfiltered list while the index builds: straight from the store (one page, one count).
        return _store_page(queries, page, size, sort, lang)
    order = ordered(queries, filters, sort)
    items, detail_queries = details(queries, order.iris[(page - 1) * size : page * size], lang)
    # The detail query is the same for every algorithm of the page: shown once, bound to the first.
    shown = [_filtered("algorithms-count", filters), *order.sparql, *detail_queries[:1]]
    facet_list: list[Facet] = []
    if facet_names:
        facet_list, facet_queries = _facets(queries, filters, lang, facet_names)
        shown += [sparql for sparql in facet_queries if sparql not in shown]
    return Page[AlgorithmSummary](
        items=items,
        total=len(order.iris),
        page=page,
        size=size,
        sort=order.sort,
        facets=facet_list,
        sparql=_shown(*shown),
    )


QUICK = 1.0  # seconds a request waits for the index before taking a path without it (when there is one)


def facets_ready(queries: QueryService, filters: AlgorithmFilters, names: Sequence[str]) -> bool:
    """Whether the index can count these facets under these filters now (waiting at most `QUICK`): the list
    page shows its list without them while they are being built, rather than a 503."""
    needed = [f"facet:{name}" for name in names if name in FACETS] + _dimensions_of(filters)
    return selection.current(queries).ready(needed, wait=QUICK)


def _store_page(queries: QueryService, page: int, size: int, sort: str | None, lang: str) -> Page[AlgorithmSummary]:
    """One page of the unfiltered list from the store itself (a count and a page query), for the time the index
    of a new data version is being built: the same items, order and total the index gives."""
    sort = sort or "title"
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS or key == "relevance":
        raise BadFilter("sort", sort, f"sort by one of {', '.join(SORTS)} (prefix - for descending)")
    filters = AlgorithmFilters()
    count_query = _filtered("algorithms-count", filters)
    counted = run(queries, count_query)
    count = _int(counted[0].get("total")) if counted else 0
    page_query = _filtered(
        "algorithms-page",
        filters,
        sort=blocks("algorithm-sorts")[key],
        order=f"ORDER BY {'DESC' if descending else 'ASC'}(?key) ?algorithm",
        slice=f"LIMIT {int(size)} OFFSET {(int(page) - 1) * int(size)}",
        details=rest_query("details-block"),
    )
    items = summaries(_in_key_order(run(queries, page_query), descending), lang)
    return Page[AlgorithmSummary](
        items=items, total=count, page=page, size=size, sort=sort, sparql=_shown(count_query, page_query)
    )


@dataclass(frozen=True)
class Ordered:
    """Every algorithm a selection holds, in the order asked for, and the queries behind it."""

    iris: list[str]
    sort: str
    sparql: list[Sparql]


def ordered(queries: QueryService, filters: AlgorithmFilters, sort: str | None) -> Ordered:
    """The selected algorithms in order (`sort` as `algorithms` takes it); cached per filters and sort."""
    sort = sort or ("relevance" if filters.values("q") else "title")
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        raise BadFilter("sort", sort, f"sort by one of {', '.join(SORTS)} (prefix - for descending)")
    if key == "relevance" and not filters.values("q"):
        raise BadFilter("sort", sort, "relevance needs a search text q")
    filters.terms()  # a bad value is a 400 before any work

    def compute() -> Ordered:
        index = selection.index(queries)
        positions = index.positions(_selected(queries, index, filters, None))
        used = [index.sparql]
        if key == "relevance":
            scores = _scores(queries, index, filters.values("q")[0])
            positions.sort(key=lambda p: index.iris[p])
            positions.sort(key=lambda p: scores[index.iris[p]], reverse=not descending)
        else:
            rank = index.rank(key)
            positions.sort(key=rank.__getitem__)
            if descending:  # ties stay by IRI ascending, as ORDER BY DESC(?key) ?algorithm
                keys = index.sort_keys(key)
                positions.sort(key=keys.__getitem__, reverse=True)
            used.append(index.dimension(f"sort:{key}").sparql)
        used += [index.dimension(dim).sparql for dim in _dimensions_of(filters)]
        return Ordered([index.iris[p] for p in positions], sort, [s for s in used if s is not None])

    # A smaller cache of its own: an order holds every selected IRI (100k at 100k algorithms).
    orders = _order_caches.setdefault(queries, VersionedCache(size=ORDERS_CACHED))
    return orders.get(queries.data_version, (_filters_key(filters), sort), compute)


def _dimensions_of(filters: AlgorithmFilters) -> list[str]:
    found = []
    for name, values in filters.given().items():
        if name == "missing":
            found += ["legalBasis" if v == "legal-basis" else "performed" for v in values]
        elif name in ("publishedFrom", "publishedTo"):
            found.append("published")
        elif name in _MATCHED_BY:
            found.append(_MATCHED_BY[name])
    return list(dict.fromkeys(found))


def rows(queries: QueryService, iris: Sequence[str], lang: str) -> list[AlgorithmRow]:
    """These algorithms as CSV rows: their summaries with the cited articles and assessment statuses (from the
    index: one query each for the whole catalogue, not per algorithm)."""
    index = selection.index(queries)
    index.prepare(["articles", "assessmentStatus"])
    articles = index.inverse("articles")
    statuses = index.inverse("assessmentStatus")
    labels = index.dimension("articles").labels
    items, _ = details(queries, iris, lang)
    result = []
    for item in items:
        position = index.position.get(item.id, -1)
        stated = sorted(value.split(" ", 1) for value in statuses.get(position, []))
        by_instrument: dict[str, list[str]] = defaultdict(list)
        for instrument, status in stated:
            by_instrument[instrument.rsplit("/", 1)[-1]].append(status.rsplit("/", 1)[-1])
        result.append(
            AlgorithmRow(
                **item.model_dump(),
                articles=[
                    Ref(id=a, label=pick_label(labels.get(a, []), lang)) for a in sorted(articles.get(position, []))
                ],
                dpia=" | ".join(by_instrument.get("dpia", [])) or None,
                iama=" | ".join(by_instrument.get("iama", [])) or None,
                fria=" | ".join(by_instrument.get("fria", [])) or None,
                assessment_statuses=[f"{i}={s}" for i, values in sorted(by_instrument.items()) for s in values],
            )
        )
    return result


def details(queries: QueryService, iris: Sequence[str], lang: str) -> tuple[list[AlgorithmSummary], list[Sparql]]:
    """The summaries of these algorithms, in this order (one cached detail query each)."""
    items, used = [], []
    for iri in iris:
        sparql = algorithm_query(iri)
        used.append(sparql)
        rows = [{**row, "algorithm": NamedNode(iri)} for row in run(queries, sparql)]
        found = summaries(rows, lang)
        items.append(found[0] if found else AlgorithmSummary(id=iri))
    return items, used


def _in_key_order(rows: list[Row], descending: bool) -> list[Row]:
    """The page's rows by (?key, ?algorithm) as its ORDER BY says. The store sorts them already; this keeps
    the page right on stores that lose the order when joining the details (Virtuoso 7.2)."""

    def key(row: Row) -> tuple[object, ...]:
        term = row.get("key")
        if not isinstance(term, Literal):
            return (0,)  # unbound sorts first, as in SPARQL
        if term.datatype.value in _NUMERIC:
            return (1, float(term.value))
        return (2, term.value)

    by_algorithm = sorted(rows, key=lambda row: row["algorithm"].value)
    return sorted(by_algorithm, key=key, reverse=descending)  # stable: ties stay by ?algorithm ascending


_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{name}" for name in ("integer", "decimal", "double", "float")}


def summaries(rows: Iterable[Row], lang: str) -> list[AlgorithmSummary]:
    """Algorithms from detail rows (?algorithm ?field ?value ?label), in the order they first appear."""
    fields: dict[str, dict[str, dict[str, list[Term]]]] = {}
    for row in rows:
        values = fields.setdefault(row["algorithm"].value, defaultdict(dict))
        if "field" in row and "value" in row:
            labels = values[row["field"].value].setdefault(row["value"].value, [])
            if "label" in row:
                labels.append(row["label"])
            values[row["field"].value].setdefault("\0terms", []).append(row["value"])  # type: ignore[arg-type]
    return [_summary(iri, values, lang) for iri, values in fields.items()]


def _summary(iri: str, values: dict[str, dict[str, list[Term]]], lang: str) -> AlgorithmSummary:
    def terms(field: str) -> list[Term]:
        unique: dict[str, Term] = {}
        for term in values.get(field, {}).get("\0terms", []):
            unique.setdefault(term.value, term)
        return sorted(unique.values(), key=lambda t: t.value)

    def refs(field: str) -> list[Ref]:
        return [_ref(term, values[field][term.value], lang) for term in terms(field)]  # type: ignore[misc]

    def one(field: str) -> Ref | None:
        found = refs(field)
        return found[0] if found else None

    def text(field: str) -> str | None:
        return pick_label(terms(field), lang)

    organisation = one("organisation")
    name = text("organisationName")
    if organisation is None and name is not None:
        organisation = Ref(id=name, label=name)
    elif organisation is not None and organisation.label is None:
        organisation.label = name
    return AlgorithmSummary(
        id=iri,
        identifier=text("id"),
        title=text("title"),
        description=text("description"),
        organisation=organisation,
        organisation_types=refs("organisationType"),
        themes=refs("theme"),
        status=one("status"),
        publication_category=one("publicationCategory"),
        risk_level=one("riskLevel"),
        laws=refs("law"),
        instruments=refs("instrument"),
        begin_date=text("beginDate"),
        end_date=text("endDate"),
    )


def algorithm_query(iri: str) -> Sparql:
    """The query behind `algorithm(queries, iri)` (what `?explain=sparql` shows)."""
    return Sparql(
        "algorithm-details",
        compose("algorithm-details", details=rest_query("details-block")),
        {"algorithm": NamedNode(iri)},
    )


def algorithm(queries: QueryService, iri: str, *, lang: str = "nl") -> AlgorithmSummary | None:
    """One algorithm by IRI, or None when the graph has no such algorithm."""
    sparql = algorithm_query(iri)
    rows = [{**row, "algorithm": NamedNode(iri)} for row in run(queries, sparql)]
    found = summaries(rows, lang)
    return found[0] if found and found[0].identifier is not None else None


def facets(
    queries: QueryService, filters: AlgorithmFilters | None = None, *, lang: str = "nl", names: Sequence[str] = FACETS
) -> list[Facet]:
    """Counts per value of each named facet over the algorithms the filters select (biggest first)."""
    return _facets(queries, filters or AlgorithmFilters(), lang, names)[0]


def _facets(
    queries: QueryService, filters: AlgorithmFilters, lang: str, names: Sequence[str]
) -> tuple[list[Facet], list[Sparql]]:
    """Each facet counted over the algorithms the *other* filters select (so a chosen value's siblings keep
    their counts and can be added: OR within a filter), from the index: one bitset AND and popcount per value."""
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise BadFilter("facet", ",".join(unknown), f"facets are {', '.join(FACETS)}")
    key = ("facets", _filters_key(filters), tuple(names), lang)
    return _cached(queries, key, lambda: _count_facets(queries, filters, lang, names))


def _count_facets(
    queries: QueryService, filters: AlgorithmFilters, lang: str, names: Sequence[str]
) -> tuple[list[Facet], list[Sparql]]:
    index = selection.index(queries)
    index.prepare([f"facet:{name}" for name in names] + _dimensions_of(filters))
    chosen = filters.given()
    result, used = [], []
    for name in names:
        dimension = index.dimension(f"facet:{name}")
        if dimension.sparql is not None:
            used.append(dimension.sparql)
        mask = _selected(queries, index, filters, name)
        values = []
        for value, bits in dimension.bits.items():
            count = (bits & mask).bit_count()
            if count or value in chosen.get(name, ()):
                label = pick_label(dimension.labels.get(value, []), lang)
                values.append(FacetValue(value=value, label=label, count=count))
        values.sort(key=lambda v: (-v.count, v.label or v.value))
        result.append(Facet(name=name, values=values, missing=(mask & ~dimension.any).bit_count()))
    return result, used


# -- the other collections ---------------------------------------------------------------------


def _listing(
    queries: QueryService, name: str, bindings: dict[str, Term], build: Callable[[list[Row]], list[T]]
) -> tuple[list[T], Sparql]:
    """All items of a small collection (built once per data version), paged by the caller."""
    sparql = Sparql(name, rest_query(name), bindings)
    return _cached(queries, ("listing", *sparql.key(), build.__name__), lambda: build(run(queries, sparql))), sparql


def _paged(items: list[T], sparql: Sparql, page: int, size: int, sort: str | None = None) -> Page[T]:
    _check_page(page, size)
    return Page[T](
        items=_page(items, page, size), total=len(items), page=page, size=size, sort=sort, sparql=_shown(sparql)
    )


def organisations(
    queries: QueryService, *, page: int = 1, size: int = 50, lang: str = "nl"
) -> Page[OrganisationSummary]:
    """Organisations publishing algorithms, most algorithms first."""

    def build(rows: list[Row]) -> list[OrganisationSummary]:
        items = []
        for key, group in _grouped(rows, "organisation").items():
            first = group[0]
            items.append(
                OrganisationSummary(
                    id=key,
                    label=pick_label([row.get("label") for row in group], lang) or (None if _is_iri(first) else key),
                    organisation_type=_ref(first.get("type"), [row.get("typeLabel") for row in group], lang),
                    reconciled=_is_iri(first) and key.startswith(TOOI),
                    algorithms=_int(first["algorithms"]),
                )
            )
        return sorted(items, key=lambda o: (-o.algorithms, (o.label or o.id).lower()))

    build.__name__ = f"organisations-{lang}"
    items, sparql = _listing(queries, "organisations", {}, build)
    return _paged(items, sparql, page, size)


def _is_iri(row: Row, key: str = "organisation") -> bool:
    return isinstance(row.get(key), NamedNode)


def laws(queries: QueryService, *, page: int = 1, size: int = 50, lang: str = "nl") -> Page[LawSummary]:
    """Laws (acts) with the number of algorithms relying on them or a part of them, most first."""

    def build(rows: list[Row]) -> list[LawSummary]:
        items = [
            LawSummary(
                id=key,
                type="LocalRegulation" if any("local" in row for row in group) else "Law",
                label=pick_label([row.get("label") for row in group], lang),
                bwb_id=_value(group[0].get("bwbId")),
                celex=_value(group[0].get("celex")),
                algorithms=_int(group[0]["algorithms"]),
            )
            for key, group in _grouped(rows, "law").items()
        ]
        return sorted(items, key=lambda law: (-law.algorithms, (law.label or law.id).lower()))

    build.__name__ = f"laws-{lang}"
    items, sparql = _listing(queries, "laws", {}, build)
    return _paged(items, sparql, page, size)


def articles(
    queries: QueryService, *, law: str | None = None, page: int = 1, size: int = 50, lang: str = "nl"
) -> Page[ArticleSummary]:
    """Articles (and other subdivisions) that algorithms cite, most cited first; `law` narrows to one law."""
    bindings: dict[str, Term] = {}
    if law:
        bindings["law"] = AlgorithmFilters(law=law).bindings()["law"]

    def build(rows: list[Row]) -> list[ArticleSummary]:
        items = []
        for key, group in _grouped(rows, "article").items():
            first = group[0]
            number = _value(first.get("number"))
            items.append(
                ArticleSummary(
                    id=key,
                    label=pick_label([row.get("label") for row in group], lang)
                    or (f"artikel {number}" if number else None),
                    number=number,
                    law=_ref(first["law"], [row.get("lawLabel") for row in group if row["law"] == first["law"]], lang),
                    algorithms=_int(first["algorithms"]),
                )
            )
        return sorted(items, key=lambda a: (-a.algorithms, a.law.id, a.id))

    build.__name__ = f"articles-{lang}"
    # One law's articles are walked from the law down (law-articles.rq); all articles from the citations up.
    items, sparql = _listing(queries, "law-articles" if law else "articles", bindings, build)
    return _paged(items, sparql, page, size)


def assessments(
    queries: QueryService, *, instrument: str | None = None, page: int = 1, size: int = 50, lang: str = "nl"
) -> Page[AssessmentSummary]:
    """Assessments listed in the algorithms' records, by algorithm id then instrument."""
    bindings: dict[str, Term] = {}
    if instrument:
        bindings["instrumentFilter"] = AlgorithmFilters(instrument=instrument).bindings()["instrument"]

    def build(rows: list[Row]) -> list[AssessmentSummary]:
        items = []
        for key, group in _grouped(rows, "assessment").items():
            first = group[0]
            items.append(
                AssessmentSummary(
                    id=key,
                    algorithm=_ref(first["algorithm"], [row.get("title") for row in group], lang),  # type: ignore[arg-type]
                    algorithm_id=_value(first.get("algorithmId")),
                    instrument=_ref(first.get("instrument"), [row.get("instrumentLabel") for row in group], lang),
                    performed=_bool(first.get("performed")),
                    date=_value(first.get("date")),
                    published=_bool(first.get("published")),
                )
            )
        return sorted(
            items, key=lambda a: (a.algorithm_id or a.algorithm.id, a.instrument.id if a.instrument else "", a.id)
        )

    build.__name__ = f"assessments-{lang}"
    items, sparql = _listing(queries, "assessments", bindings, build)
    return _paged(items, sparql, page, size)


def _categories(queries: QueryService, name: str, scheme_key: str, lang: str) -> tuple[list[CategorySummary], Sparql]:
    def build(rows: list[Row]) -> list[CategorySummary]:
        items = []
        for key, group in _grouped(rows, scheme_key if scheme_key == "value" else "concept").items():
            first = group[0]
            scheme = first.get("scheme") or first.get("kind")
            items.append(
                CategorySummary(
                    id=key,
                    label=pick_label([row.get("label") for row in group], lang),
                    scheme=_value(scheme),
                    broader=sorted({row["broader"].value for row in group if "broader" in row}),
                    notation=_value(first.get("notation")),
                    algorithms=_int(first["algorithms"]),
                )
            )
        return sorted(items, key=lambda c: (c.scheme or "", c.notation or "", c.id))

    build.__name__ = f"{name}-{lang}"
    return _listing(queries, name, {}, build)


def aiact_categories(
    queries: QueryService, *, page: int = 1, size: int = 100, lang: str = "nl"
) -> Page[CategorySummary]:
    """The AI Act categories (risk levels, Annex III, prohibited practices, …) with algorithm counts."""
    items, sparql = _categories(queries, "aiact-categories", "concept", lang)
    return _paged(items, sparql, page, size)


def values(queries: QueryService, *, page: int = 1, size: int = 100, lang: str = "nl") -> Page[CategorySummary]:
    """Public values (CODIO) and Charter rights with the number of algorithms whose findings affect them."""
    items, sparql = _categories(queries, "values", "value", lang)
    return _paged(items, sparql, page, size)


# -- supervisor views --------------------------------------------------------------------------


def legal_resource(queries: QueryService, iri: str, *, lang: str = "nl") -> LegalResourceView | None:
    """A law or article and every algorithm relying on it (citing it or a part of it), grouped by
    organisation and AI Act risk level; None when the graph does not know the resource."""
    resource = _id_term("article", iri)
    about = Sparql("resource", rest_query("resource"), {"resource": resource})
    facts = run(queries, about)
    if not facts:
        return None
    types = {row["type"].value for row in facts if "type" in row}
    is_law = "http://data.europa.eu/eli/ontology#LegalResource" in types
    relying = Sparql("relying-algorithms", rest_query("relying-algorithms"), {"resource": resource})
    reliant = _reliant(run(queries, relying), lang)
    part_of = next((row["partOf"] for row in facts if "partOf" in row), None)
    shown = _shown(about, relying)
    cited_articles: list[ArticleSummary] = []
    if is_law:
        page = articles(queries, law=resource.value, size=MAX_PAGE_SIZE, lang=lang)
        cited_articles = page.items
        shown += page.sparql

    def first(key: str) -> str | None:
        return next((row[key].value for row in facts if key in row), None)

    return LegalResourceView(
        id=resource.value,
        type=("LocalRegulation" if "https://w3id.org/algokg/def#LocalRegulation" in types else "Law")
        if is_law
        else "Article",
        label=pick_label([row.get("label") for row in facts], lang),
        number=first("number"),
        part_of=_ref(part_of, [row.get("partOfLabel") for row in facts if row.get("partOf") == part_of], lang),
        bwb_id=first("bwbId"),
        celex=first("celex"),
        juriconnect=first("juriconnect"),
        see_also=sorted({row["seeAlso"].value for row in facts if "seeAlso" in row}),
        by_name="https://w3id.org/algokg/def#LawByName" in types,
        total=len(reliant),
        algorithms=reliant,
        groups=_groups(reliant),
        articles=cited_articles,
        sparql=shown,
    )


def _reliant(rows: list[Row], lang: str) -> list[ReliantAlgorithm]:
    result = []
    for key, group in _grouped(rows, "algorithm").items():
        first = group[0]
        cited = {row["cited"].value: row["cited"] for row in group}
        organisation = first.get("organisation")
        names = [row.get("organisationName") for row in group]
        result.append(
            ReliantAlgorithm(
                id=key,
                identifier=_value(first.get("algorithmId")),
                title=pick_label([row.get("title") for row in group], lang),
                organisation=_ref(organisation, names, lang),
                risk_level=_ref(first.get("riskLevel"), [row.get("riskLabel") for row in group], lang),
                cited=[
                    Ref(
                        id=iri,
                        label=pick_label([row.get("citedLabel") for row in group if row["cited"].value == iri], lang),
                    )
                    for iri in sorted(cited)
                ],
                citations=sorted({row["citation"].value for row in group if "citation" in row}),
            )
        )
    return sorted(result, key=lambda a: a.identifier or a.id)


def _groups(reliant: list[ReliantAlgorithm]) -> list[OrganisationGroup]:
    by_organisation: dict[str | None, list[ReliantAlgorithm]] = defaultdict(list)
    for item in reliant:
        by_organisation[item.organisation.id if item.organisation else None].append(item)
    groups = []
    for members in by_organisation.values():
        by_risk: dict[str | None, list[ReliantAlgorithm]] = defaultdict(list)
        for item in members:
            by_risk[item.risk_level.id if item.risk_level else None].append(item)
        risk_groups = [RiskGroup(risk_level=items[0].risk_level, algorithms=items) for items in by_risk.values()]
        risk_groups.sort(key=lambda g: (g.risk_level is None, g.risk_level.id if g.risk_level else ""))
        groups.append(
            OrganisationGroup(organisation=members[0].organisation, risk_groups=risk_groups, count=len(members))
        )
    groups.sort(key=lambda g: (-g.count, (g.organisation.label or g.organisation.id).lower() if g.organisation else ""))
    return groups


def organisation(queries: QueryService, key: str, *, lang: str = "nl") -> OrganisationView | None:
    """An organisation (TOOI IRI or published name) and its algorithms with the completeness of their
    records (share of the publication standard's required fields filled) and their SHACL results; None when it has none."""
    term = _id_term("organisation", key)
    sparql = Sparql("organisation-algorithms", rest_query("organisation-algorithms"), {"organisation": term})
    rows = run(queries, sparql)
    if not rows:
        return None
    listed = organisations(queries, size=MAX_PAGE_SIZE, lang=lang)
    summary = next((item for item in _all(queries, listed, lang) if item.id == term.value), None)
    algorithms = []
    for iri, group in _grouped(rows, "algorithm").items():
        filled = {row["field"].value for row in group if "field" in row}
        results = {row["result"].value: row["severity"].value for row in group if "result" in row}
        violations = sum(1 for severity in results.values() if severity.endswith("#Violation"))
        warnings = sum(1 for severity in results.values() if severity.endswith("#Warning"))
        lacking = record_fields.missing_required(filled)  # the standard's required fields without a value
        algorithms.append(
            Completeness(
                id=iri,
                identifier=_value(group[0].get("algorithmId")),
                title=pick_label([row.get("title") for row in group], lang),
                filled=len(record_fields.REQUIRED) - len(lacking),
                fields=len(record_fields.REQUIRED),
                share=record_fields.completeness(filled),
                missing=[field.key for field in lacking],
                violations=violations,
                warnings=warnings,
                conforms=violations == 0,
            )
        )
    algorithms.sort(key=lambda a: (a.share, a.identifier or a.id))
    return OrganisationView(
        id=term.value,
        label=(summary.label if summary else None) or (None if isinstance(term, NamedNode) else term.value),
        organisation_type=summary.organisation_type if summary else None,
        reconciled=isinstance(term, NamedNode) and term.value.startswith(TOOI),
        total=len(algorithms),
        average_share=round(sum(a.share for a in algorithms) / len(algorithms), 4),
        algorithms=algorithms,
        sparql=[*_shown(sparql), *listed.sparql],  # the organisations list gives the name and type
    )


def _all(queries: QueryService, first: Page[OrganisationSummary], lang: str) -> list[OrganisationSummary]:
    items = list(first.items)
    for number in range(2, first.pages + 1):
        items += organisations(queries, page=number, size=first.size, lang=lang).items
    return items
