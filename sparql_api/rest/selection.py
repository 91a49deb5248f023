"""The algorithm index: per data version, which algorithms have which value of each filter, facet and sort key,
as bitsets (Python ints, one bit per algorithm), so a selection, its total, its facets (each under the other
filters) and its order cost set operations instead of one SPARQL query each.

Each dimension is one whole-catalogue query (`queries/rest/selection.rq`), run lazily when a request first needs
it and kept until the data version changes: a text search needs the algorithm list and the facets it shows, not
every sort key; at 100k algorithms a dimension is one query of ~100k rows, not a scan per request. Free text
comes from the full-text index (`sparql_api.search`), never from `akg:textScore` over every algorithm.
"""

import re
import threading
import weakref
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from sparql_api.queries import QueryService, QueryTimeout
from sparql_api.rest.sparql import Sparql, Term, blocks

_MARKER = re.compile(r"^#@(\w+)\s*$", re.MULTILINE)
PARALLEL = 4  # dimension queries at once while building (the worker pool bounds what really runs)
# One dimension query's deadline: at 100k algorithms a whole-catalogue query takes tens of seconds, more than a
# request's; it runs in the background, so no request holds it up.
BUILD_TIMEOUT = 600.0
WAIT = 20.0  # how long a request waits for the dimensions it needs before a 503 (Retry-After; the build goes on)
WARM = [*(f"facet:{name}" for name in blocks("selection-facets")), "sort:title"]
_builder = ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="algokg-index")


@dataclass
class Dimension:
    """Value -> the algorithms having it (bitset), the labels of each value, the algorithms with any value."""

    bits: dict[str, int] = field(default_factory=dict)
    labels: dict[str, list[Term]] = field(default_factory=dict)
    terms: dict[str, Term] = field(default_factory=dict)
    any: int = 0
    sparql: Sparql | None = None

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


class Index:
    """The dimensions of one data version; each built once, on first use (other dimensions do not wait)."""

    def __init__(self, queries: QueryService, version: str) -> None:
        self.queries, self.version = queries, version
        self._futures: dict[str, Future[Dimension]] = {}
        self._lock = threading.Lock()
        self._ranks: dict[str, list[int]] = {}
        self._inverses: dict[str, dict[int, list[str]]] = {}
        self.iris: list[str] = []
        self.position: dict[str, int] = {}
        self.all = 0
        self.sparql = dimension_query("algorithms")
        rows = queries.select(self.sparql.text, timeout=BUILD_TIMEOUT)
        for row in rows:
            iri = row["algorithm"].value
            if iri not in self.position:
                self.position[iri] = len(self.iris)
                self.iris.append(iri)
        self.all = (1 << len(self.iris)) - 1

    def prepare(self, names: Iterable[str]) -> None:
        """Start building the dimensions `names` that are not built yet, side by side in the background (each
        query runs in a worker process of its own): a first request needing seven facets waits for the slowest,
        not for their sum, and a build goes on when the request that started it gives up."""
        for name in dict.fromkeys(names):
            self._future(name)

    def _future(self, name: str) -> "Future[Dimension]":
        with self._lock:
            future = self._futures.get(name)
            if future is None:
                future = self._futures[name] = _builder.submit(self._build, name)
            return future

    def dimension(self, name: str) -> Dimension:
        """Dimension `name`, waiting for its build at most `WAIT` seconds.

        :raises QueryTimeout: still building (503 with Retry-After; the build goes on for the next request).
        :raises QueryError: its query failed (the next request tries again).
        """
        future = self._future(name)
        try:
            return future.result(timeout=WAIT)
        except FutureTimeout:
            raise QueryTimeout(WAIT, f"the algorithm index of this data version is being built ({name})") from None
        except Exception:
            with self._lock:
                if self._futures.get(name) is future:
                    del self._futures[name]
            raise

    def _build(self, name: str) -> Dimension:
        sparql = dimension_query(name)
        dimension = Dimension(sparql=sparql)
        for row in self.queries.select(sparql.text, timeout=BUILD_TIMEOUT):
            bit = self.position.get(row["algorithm"].value)
            if bit is None:
                continue
            mask = 1 << bit
            term = row.get("value")
            if term is None:  # a dimension of algorithms only (legalBasis)
                dimension.any |= mask
                continue
            dimension.any |= mask
            dimension.bits[term.value] = dimension.bits.get(term.value, 0) | mask
            dimension.terms.setdefault(term.value, term)
        if name.startswith("facet:"):
            for row in self.queries.select(dimension_query(name, "facetLabels").text, timeout=BUILD_TIMEOUT):
                if "label" in row and "value" in row:
                    dimension.labels.setdefault(row["value"].value, []).append(row["label"])
        return dimension

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


_indexes: "weakref.WeakKeyDictionary[QueryService, Index]" = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def index(queries: QueryService) -> Index:
    """The index of the data version answering now (a new one after a commit; the old one is dropped)."""
    version = queries.data_version
    with _indexes_lock:
        current = _indexes.get(queries)
        if current is not None and current.version == version:
            return current
    built = Index(queries, version)
    with _indexes_lock:
        _indexes[queries] = built
    built.prepare(WARM)  # what the list page needs, in the background from the first use on
    return built
