"""The algorithm index: per data version, which algorithms have which value of each filter, facet and sort key,
as bitsets (Python ints, one bit per algorithm), so a selection, its total, its facets (each under the other
filters) and its order cost set operations instead of one SPARQL query each.

Each dimension is one whole-catalogue query (`queries/rest/selection.rq`; the law and organisation facets are
made from the `cited` and `organisation` dimensions), kept until the data version changes. The server builds
them in the background from its start and for each new data version (`watch`: the list of algorithms, the list
page's sort key and facets, then every filter's), so no visitor waits for them; `/ready` reports how far it is
(`Index.status`). Until a request's dimensions are built it takes a path without them where there is one (the
unfiltered list from the store, the list page without its filters' counts: `sparql_api.rest.catalogue`), else
waits at most `WAIT` seconds and gets `IndexBuilding` (503 with Retry-After). Free text comes from the
full-text index (`sparql_api.search`), never from `akg:textScore` over every algorithm.
"""

import logging
import re
import threading
import time
import weakref
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from sparql_api.queries import QueryService, QueryTimeout
from sparql_api.rest.sparql import Sparql, Term, blocks

log = logging.getLogger(__name__)
_MARKER = re.compile(r"^#@(\w+)\s*$", re.MULTILINE)
PARALLEL = 4  # dimension queries at once while building (the worker pool bounds what really runs)
# One dimension query's deadline: at 100k algorithms a whole-catalogue query takes tens of seconds, more than a
# request's; it runs in the background, so no request holds it up.
BUILD_TIMEOUT = 600.0
WAIT = 20.0  # how long a request waits for the dimensions it needs before a 503 (Retry-After; the build goes on)
# `cited` and `organisation` before the facets: the `law` and `organisation` facets are made from them.
WARM = ["sort:title", "cited", "organisation", *(f"facet:{name}" for name in blocks("selection-facets"))]
# Every filter's dimension, built after the list page's (a filtered list then needs no build either).
FILTERS = ["organisationType", "aiActCategory", "value", "performed", "legalBasis"]
FILTERS += ["published"]
_SMALLEST = {"published", "sort:title", "sort:id", "sort:organisation", "sort:beginDate"}
VALUES_CHUNK = 500  # IRIs per label query
WATCH_SECONDS = 2.0  # how often the server looks for a new data version to build the index of
_builder = ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="algokg-index")


@dataclass
class Dimension:
    """Value -> the algorithms having it (bitset), the labels of each value, the algorithms with any value."""

    bits: dict[str, int] = field(default_factory=dict)
    labels: dict[str, list[Term]] = field(default_factory=dict)
    terms: dict[str, Term] = field(default_factory=dict)
    any: int = 0
    sparql: Sparql | None = None
    # `organisation` only: each algorithm's terms (position -> IRIs and names), for the organisation facet.
    by_algorithm: dict[int, list[Term]] = field(default_factory=dict)

    def matching(self, values: Iterable[str]) -> int:
        result = 0
        for value in values:
            result |= self.bits.get(value, 0)
        return result


def dimension_query(name: str, section: str | None = None) -> Sparql:
    """The query of dimension `name`: a section of selection.rq, `facet:NAME` or `sort:KEY` (`section`: another
    template for the same pattern, `facetLabels`)."""
    kind, _, part = name.partition(":")
    sections = blocks("selection")
    if kind in ("facet", "sort"):
        inner = blocks("selection-facets" if kind == "facet" else "algorithm-sorts")[part]
        text = _MARKER.sub(lambda m: inner, sections[section or kind])
    else:
        text = sections[name]
    return Sparql(f"selection#{name}", text, {})


class IndexBuilding(QueryTimeout):
    """The answer needs a part of the index that is still being built: 503 with Retry-After (the build goes on;
    the list page says the list is being prepared)."""

    def __init__(self, seconds: float, what: str) -> None:
        super().__init__(seconds, f"the algorithm index of this data version is being built ({what}); try again soon")


class Index:
    """The dimensions of one data version, each built once in the background (`prepare`); the list of algorithms
    (`iris`, `position`, `all`) first, as every dimension needs it."""

    def __init__(self, queries: QueryService, version: str) -> None:
        self.queries, self.version = queries, version
        # Each build query's deadline: the operator's (ALGOKG_INDEX_BUILD_TIMEOUT), capped by the server's maximum.
        self.timeout = float(getattr(queries.settings, "index_build_timeout", BUILD_TIMEOUT))
        self.started = time.monotonic()
        self.finished: float | None = None
        self._futures: dict[str, Future[Dimension]] = {}
        self._lock = threading.Lock()
        self._ranks: dict[str, list[int]] = {}
        self._inverses: dict[str, dict[int, list[str]]] = {}
        self.iris: list[str] = []
        self.position: dict[str, int] = {}
        self.all = 0
        self.sparql = dimension_query("algorithms")
        self._base: Future[None] = _builder.submit(self._build_base)

    def _select(self, name: str, sparql: Sparql) -> list[dict[str, Term]]:
        """The rows of a build query within the build's deadline, which holds for the whole query (sending it,
        the store's work, reading the answer): one that overruns it is a failed build, tried again later."""
        started = time.monotonic()
        with _slots(self.queries):
            rows = self.queries.select(sparql.text, timeout=self.timeout)
        if (took := time.monotonic() - started) > self.timeout:
            raise QueryTimeout(self.timeout, f"building {name} took {took:.3g} s, over its {self.timeout:g} s")
        return rows

    def _build_base(self) -> None:
        iris: list[str] = []
        position: dict[str, int] = {}
        for row in self._select("algorithms", self.sparql):
            iri = row["algorithm"].value
            if iri not in position:
                position[iri] = len(iris)
                iris.append(iri)
        self.iris, self.position, self.all = iris, position, (1 << len(iris)) - 1

    @property
    def failed(self) -> bool:
        """Whether the list of algorithms could not be read (the next use starts a new index)."""
        return self._base.done() and self._base.exception() is not None

    def base(self, wait: float = WAIT) -> None:
        """Wait at most `wait` seconds for the list of algorithms.

        :raises IndexBuilding: not read yet. :raises QueryError: its query failed.
        """
        try:
            self._base.result(timeout=wait)
        except FutureTimeout:
            raise IndexBuilding(wait, "the list of algorithms") from None
        except QueryTimeout as error:  # stopped at its deadline: built again by the next use or the watch
            raise IndexBuilding(wait, f"the list of algorithms: {error}") from None

    def prepare(self, names: Iterable[str]) -> None:
        """Start building the dimensions `names` that are not built (or whose build failed), side by side in the
        background (each query runs in a worker process of its own): a first request needing seven facets waits
        for the slowest, not for their sum, and a build goes on when the request that started it gives up."""
        for name in dict.fromkeys(names):
            self._future(name)

    def _future(self, name: str) -> "Future[Dimension]":
        with self._lock:
            future = self._futures.get(name)
            if future is None or (future.done() and future.exception() is not None):
                future = self._futures[name] = _builder.submit(self._build, name)
            return future

    def ready(self, names: Iterable[str], wait: float = 0.0) -> bool:
        """Whether the list of algorithms and every dimension of `names` are built, waiting at most `wait`
        seconds for them (all together); starts the builds not started yet."""
        names = list(names)
        self.prepare(names)
        deadline = time.monotonic() + wait
        for future in [self._base, *(self._future(name) for name in names)]:
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:  # still building, or failed (the next use tries again)
                return False
        return True

    def dimension(self, name: str, wait: float = WAIT) -> Dimension:
        """Dimension `name`, waiting for its build at most `wait` seconds.

        :raises IndexBuilding: still building (503 with Retry-After; the build goes on for the next request).
        :raises QueryError: its query failed (the next request tries again).
        """
        deadline = time.monotonic() + wait
        self.base(wait)
        future = self._future(name)
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            raise IndexBuilding(wait, name) from None
        except QueryTimeout as error:
            raise IndexBuilding(wait, f"{name}: {error}") from None

    def status(self) -> dict[str, object]:
        """What `/ready` says of the index: building, ready or failed, how many dimensions are built, and the
        seconds since its build started (until it was first seen ready)."""
        with self._lock:
            futures = dict(self._futures)
        done = {name: f for name, f in futures.items() if f.done()}
        failed = sorted(name for name, f in done.items() if f.exception() is not None)
        if self.failed:
            failed.insert(0, "algorithms")
        building = not self._base.done() or len(done) < len(futures)
        state = "building" if building else ("failed" if failed else "ready")
        if state == "ready" and self.finished is None:
            self.finished = time.monotonic()
        seconds = (self.finished or time.monotonic()) - self.started
        return {
            "state": state,
            "version": self.version,
            "algorithms": len(self.iris),
            "dimensions": len(done) - len(failed),
            "building": len(futures) - len(done),
            "failed": failed,
            "seconds": round(seconds, 2),
        }

    def _build(self, name: str) -> Dimension:
        self._base.result()  # every dimension maps IRIs to the positions of the algorithm list
        if name == "facet:law":
            return self._laws()
        if name == "facet:organisation":
            return self._organisations()
        sparql = dimension_query(name)
        dimension = Dimension(sparql=sparql)
        smallest: dict[int, str] = {}  # a sort key or first publication: the smallest value per algorithm
        names: dict[str, list[Term]] = {}  # a label the record gives a value (the organisation name)
        for row in self._select(name, sparql):
            bit = self.position.get(row["algorithm"].value)
            if bit is None:  # not an algorithm of this index
                continue
            mask = 1 << bit
            dimension.any |= mask
            term = row.get("value")
            if term is None:  # a dimension of algorithms only (legalBasis), or an algorithm without the key
                continue
            if name in _SMALLEST:
                if bit not in smallest or term.value < smallest[bit]:
                    smallest[bit] = term.value
                    dimension.terms.setdefault(term.value, term)
                continue
            dimension.bits[term.value] = dimension.bits.get(term.value, 0) | mask
            dimension.terms.setdefault(term.value, term)
            if (label := row.get("nameLabel")) is not None:
                names.setdefault(term.value, []).append(label)
            if name == "organisation":  # for the facet: which names the record gives each organisation IRI
                dimension.by_algorithm.setdefault(bit, []).append(term)
        for bit, value in smallest.items():
            dimension.bits[value] = dimension.bits.get(value, 0) | (1 << bit)
        if name.startswith("facet:"):
            found = self._labels(name, "facetLabels", dimension)
            dimension.labels = {value: found.get(value) or names.get(value, []) for value in dimension.bits}
        elif name == "articles":
            dimension.labels = self._labels(name, "articleLabels", dimension)
        return dimension

    def _laws(self) -> Dimension:
        """The `law` facet: the `cited` dimension's values that are laws (one small query, not a second pass
        over every algorithm's citations)."""
        cited = self._future("cited").result()  # submitted before this one (WARM), so never waited for in vain
        laws = Dimension(sparql=cited.sparql)
        found = self._values(
            "facet:law", "lawTypes", [t for t in cited.terms.values() if isinstance(t, NamedNode)], "value"
        )
        for value in {row["value"].value for row in found}:
            laws.bits[value] = cited.bits[value]
            laws.terms[value] = cited.terms[value]
            laws.any |= cited.bits[value]
        laws.labels = self._labels("facet:law", "facetLabels", laws)
        return laws

    def _organisations(self) -> Dimension:
        """The `organisation` facet from the `organisation` dimension (the TOOI IRI or the name as published of
        every algorithm): keyed by the IRI, or by the name when the algorithm has no IRI; the names label the
        IRIs that have no label of their own. One query fewer, and not the slowest one."""
        both = self._future("organisation").result()  # submitted before this one (WARM)
        facet = Dimension(sparql=both.sparql)
        reconciled = 0
        names: dict[str, dict[str, Term]] = {}
        for bit, terms in both.by_algorithm.items():
            iris = [term for term in terms if isinstance(term, NamedNode)]
            for iri in iris:
                for term in terms:
                    if not isinstance(term, NamedNode):
                        names.setdefault(iri.value, {})[str(term)] = term
            if iris:
                reconciled |= 1 << bit
        for value, bits in both.bits.items():
            term = both.terms[value]
            kept = bits if isinstance(term, NamedNode) else bits & ~reconciled
            if kept:
                facet.bits[value], facet.terms[value] = kept, term
                facet.any |= kept
        found = self._labels("facet:organisation", "facetLabels", facet)
        facet.labels = {
            value: found.get(value) or (list(names.get(value, {}).values()) if value in names else [term])
            for value, term in facet.terms.items()
        }
        return facet

    def _labels(self, name: str, section: str, dimension: Dimension) -> dict[str, list[Term]]:
        """The labels of the dimension's values that are IRIs (each looked up once)."""
        iris = [term for term in dimension.terms.values() if isinstance(term, NamedNode)]
        labels: dict[str, list[Term]] = {}
        for row in self._values(name, section, iris, "label"):
            labels.setdefault(row["value"].value, []).append(row["label"])
        return labels

    def _values(self, name: str, section: str, iris: list[NamedNode], needed: str) -> list[dict[str, Term]]:
        """The rows of `section` of selection.rq for these IRIs (its `#@values` line: `VALUES ?value {…}`, a
        chunk at a time); only rows that bind `needed`."""
        rows: list[dict[str, Term]] = []
        template = blocks("selection")[section]
        for start in range(0, len(iris), VALUES_CHUNK):
            chunk = " ".join(str(iri) for iri in iris[start : start + VALUES_CHUNK])
            text = template.replace("#@values", f"  VALUES ?value {{ {chunk} }}")
            rows += [row for row in self._select(name, Sparql(f"selection#{section}", text, {})) if needed in row]
        return rows

    def positions(self, bits: int) -> list[int]:
        """The positions of the algorithms in `bits`, ascending (linear in the catalogue, not per member)."""
        return [position for position, bit in enumerate(reversed(bin(bits)[2:])) if bit == "1"]

    def members(self, bits: int) -> list[str]:
        """The IRIs of the algorithms in `bits`, in index order."""
        return [self.iris[position] for position in self.positions(bits)]

    def bits_of(self, iris: Iterable[str]) -> int:
        result = 0
        for iri in iris:
            if (position := self.position.get(iri)) is not None:
                result |= 1 << position
        return result

    def inverse(self, name: str) -> dict[int, list[str]]:
        """Algorithm position -> the values it has in dimension `name` (for exports; once per data version)."""
        with self._lock:
            if (found := self._inverses.get(name)) is not None:
                return found
        inverse: dict[int, list[str]] = {}
        for value, bits in self.dimension(name).bits.items():
            for position in self.positions(bits):
                inverse.setdefault(position, []).append(value)
        with self._lock:
            self._inverses[name] = inverse
        return inverse

    def sort_keys(self, name: str) -> list[tuple[int, str]]:
        """The sort key of each algorithm position: (0, "") when it has none (sorts first), else (1, value)."""
        keys = [(0, "")] * len(self.iris)
        for value, bits in self.dimension(f"sort:{name}").bits.items():
            for position in self.positions(bits):
                keys[position] = (1, value)
        return keys

    def rank(self, name: str) -> list[int]:
        """The rank of each algorithm position by sort key `name` (unbound first, ties by IRI), as the page
        query's `ORDER BY ?key ?algorithm` orders them; computed once per key and data version."""
        with self._lock:
            if (found := self._ranks.get(name)) is not None:
                return found
        keys = self.sort_keys(name)
        order = sorted(range(len(self.iris)), key=lambda p: (keys[p], self.iris[p]))
        rank = [0] * len(self.iris)
        for place, position in enumerate(order):
            rank[position] = place
        with self._lock:
            self._ranks[name] = rank
        return rank


_semaphores: "weakref.WeakKeyDictionary[QueryService, threading.BoundedSemaphore]" = weakref.WeakKeyDictionary()


def _slots(queries: QueryService) -> threading.BoundedSemaphore:
    """The build queries that may run at once: one query worker fewer than there are, so a request always finds
    one free (the unfiltered list from the store while the index builds; measured: with both of two workers
    building, the first list page at 20k waited 20 s and got a 503)."""
    with _indexes_lock:
        found = _semaphores.get(queries)
        if found is None:
            workers = int(getattr(queries.settings, "query_workers", 2))
            found = _semaphores[queries] = threading.BoundedSemaphore(max(1, min(PARALLEL, workers - 1)))
        return found


_indexes: "weakref.WeakKeyDictionary[QueryService, Index]" = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def current(queries: QueryService) -> Index:
    """The index of the data version answering now, maybe still building (a new one after a commit, or after
    the list of algorithms could not be read; the old one is dropped). Starts building what the list page needs."""
    version = queries.data_version
    with _indexes_lock:
        found = _indexes.get(queries)
        if found is not None and found.version == version and not found.failed:
            return found
        found = _indexes[queries] = Index(queries, version)
    found.prepare(WARM)  # what the list page needs, in the background from the first use on
    return found


def status(queries: QueryService) -> dict[str, object]:
    """How far the index is (`Index.status`), without starting one: `none` before the first, `outdated` while
    the newest one is of an older data version than the one answering."""
    with _indexes_lock:
        found = _indexes.get(queries)
    if found is None:
        return {"state": "none"}
    result = found.status()
    if found.version != queries.data_version:
        result["state"] = "outdated"
    return result


def index(queries: QueryService, wait: float = WAIT) -> Index:
    """The index of the data version answering now, once its list of algorithms is read (waiting at most `wait`
    seconds; :raises IndexBuilding: not read yet)."""
    found = current(queries)
    found.base(wait)
    return found


def warm(queries: QueryService) -> Index:
    """Build the index of the answering data version in the background (the list page's dimensions first, then
    every filter's), so no visitor waits for it: at server start and whenever the data version changes."""
    found = current(queries)
    found.prepare([*WARM, *FILTERS])
    return found


def watch(queries: QueryService, stop: threading.Event, every: float = WATCH_SECONDS) -> threading.Thread:
    """A daemon thread that warms the index now and then every `every` seconds (a new data version, a failed
    build), until `stop` is set."""

    def run() -> None:
        while True:
            try:
                warm(queries)
            except Exception:  # the store is away or failing: /ready says so; try again at the next round
                log.warning("the algorithm index could not be started", exc_info=True)
            if stop.wait(every):
                return

    thread = threading.Thread(target=run, name="algokg-index-watch", daemon=True)
    thread.start()
    return thread
