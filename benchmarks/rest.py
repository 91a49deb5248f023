"""REST benchmark: each `/api/…` template over HTTP against its own SPARQL run on pyoxigraph in-process, in one run.

A synthetic register (`benchmarks.generate`, 1k algorithms by default) is loaded into an algokg store and served
by a real `algokg serve` (uvicorn, query worker processes). For each REST template (the algorithm list with and
without filters and facets, one algorithm, the law and organisation supervisor views, search, the organisation
and law collections) a set of distinct request URLs is drawn from the data, and:

(a) the endpoint's latency over HTTP is measured: the *cold* first request of each URL (sequential; the
    service layer caches every query answer per data version, so only a URL's first request runs SPARQL),
    then *warm* repeats (sequential, every answer from the cache), then warm requests from `--clients`
    concurrent clients for `--duration` seconds;
(b) the queries behind each answer — taken from the endpoint itself (`?explain=sparql`: the text and the bound
    terms) — are run on `pyoxigraph.Store.read_only` of the same generation in this process (with the same
    custom functions, `akg:textScore`), every solution consumed; median of `--repeat` runs.

The ratio a/b per template (goal <= 1.5) compares the cold requests with the raw time of the queries each of
them really ran: a query whose answer an earlier request had already cached (e.g. the unfiltered total, or
the organisations list the organisation view reads) is not counted in (b) for that request. Warm requests run
no SPARQL at all; their latency is reported next to the raw time of all their queries (what the cache saves).
`/api/search` runs no SPARQL (SQLite FTS5): its (b) is the same `sparql_api.search.search` call in-process.

    python -m benchmarks.rest --size 1000 --clients 4 --json benchmarks/results-rest.json
"""

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Variable, parse

from benchmarks.generate import WORDS
from benchmarks.http import IDENTITY, Measurement, algokg_server, build_store
from loader.store import current_path
from sparql_api import search as fulltext

GOAL = 1.5
ALGORITHM_ID = "https://w3id.org/algokg/id/algorithm/"
PREFIXES = """PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""
SAMPLES = {
    "id": "SELECT DISTINCT ?v WHERE { ?a a akg:Algorithm ; akg:algorithmId ?v }",
    "theme": "SELECT DISTINCT ?v WHERE { ?a a akg:Algorithm ; akg:theme ?v }",
    "status": "SELECT DISTINCT ?v WHERE { ?a a akg:Algorithm ; akg:status ?v }",
    "law": "SELECT DISTINCT ?v WHERE { ?a a akg:Algorithm ; akg:hasStatutoryBasis/akg:legalResource ?r . "
    "?r eli:is_part_of* ?v . ?v a eli:LegalResource }",
    "cited": "SELECT DISTINCT ?v WHERE { ?a a akg:Algorithm ; akg:hasStatutoryBasis/akg:legalResource ?v }",
    "organisation": "SELECT DISTINCT ?v WHERE { ?a a akg:Algorithm . OPTIONAL { ?a akg:organisation ?i } "
    "OPTIONAL { ?a akg:organisationName ?n } BIND (COALESCE(?i, ?n) AS ?v) FILTER (BOUND(?v)) }",
}
# Words of the generated texts, law names (and one typo) for the search templates.
SEARCH_WORDS = [*sorted(set(WORDS)), "participatiewet", "gemeentewet", "omgevingswet", "partcipatiewet"]
CACHES = {
    "list": "the total of the unfiltered list is shared by every page; each page's query is its own",
    "list filtered": "nothing shared between different filter sets",
    "list facets": "facets are cached per filter set; the unfiltered total is shared",
    "detail": "nothing shared",
    "law view": "nothing shared (the articles list of a law is cached per law)",
    "organisation view": "the organisations list (for the name and type) is shared by every organisation",
    "search in list (q)": "akg:textScore results are cached per worker and query text",
    "search (fts)": "no SPARQL: the SQLite FTS5 index, built before the run",
    "organisations": "one listing query for every page: only the first URL runs it",
    "laws": "one listing query for every page: only the first URL runs it",
    "page q": "the list page /algorithms?q=…: results, every facet of the page; each word a new query",
    "page q+filters": "the list page with q and two filters (several values of one): results and every facet",
}
# Goals for the list page (issue 16): cold p50 at ~2k algorithms, and at 100k.
PAGE_GOALS_MS = {2_000: 300.0, 100_000: 1500.0}


@dataclass
class Request:
    """One URL of a template and what happened to it."""

    path: str
    cold: float = 0.0
    warm: list[float] = field(default_factory=list)
    raw_all: float = 0.0  # every query behind the answer, raw
    raw_run: float = 0.0  # the queries the cold request really ran (not cached by an earlier request)
    queries: list[str] = field(default_factory=list)
    cached_queries: int = 0


# -- data ------------------------------------------------------------------------------------------


def samples(store: Store) -> dict[str, list[str]]:
    """Values to build request URLs from, sorted (deterministic)."""
    found = {}
    for name, query in SAMPLES.items():
        rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
        found[name] = sorted(row["v"].value for row in rows)  # type: ignore[index, union-attr]
    return found


def _url(path: str, pairs: Sequence[tuple[str, object]] = (), **params: object) -> str:
    """A path with its query: `pairs` for repeated parameters, else keyword parameters."""
    query = urlencode([*pairs, *params.items()])
    return f"{path}?{query}" if query else path


def templates(values: dict[str, list[str]], count: int, seed: int = 11) -> dict[str, list[str]]:
    """Distinct request paths per template (up to `count` each)."""
    rng = random.Random(seed)

    def pick(name: str, k: int = count) -> list[str]:
        pool = values[name]
        return rng.sample(pool, min(k, len(pool)))

    size = 20
    pages = max(1, len(values["id"]) // size)
    filters = [{"theme": t} for t in pick("theme")]
    filters += [{"law": law, "status": s} for law, s in zip(pick("law"), values["status"] * count, strict=False)]
    filters += [{"organisation": o} for o in pick("organisation")]
    rng.shuffle(filters)
    words = rng.sample(SEARCH_WORDS, min(count, len(SEARCH_WORDS)))
    return {  # the collections first: the organisation view reads the organisations list too
        "organisations": [_url("/api/organisations", page=p, size=10) for p in range(1, count + 1)],
        "laws": [_url("/api/laws", page=p, size=5) for p in range(1, count + 1)],
        "list": [_url("/api/algorithms", page=p) for p in rng.sample(range(1, pages + 1), min(count, pages))],
        "list filtered": [_url("/api/algorithms", **f) for f in filters[:count]],
        "list facets": [_url("/api/algorithms", facets="all", **f) for f in filters[count : 2 * count]]
        or [_url("/api/algorithms", facets="all")],
        "detail": [f"/api/algorithms/{identifier}" for identifier in pick("id")],
        "law view": [_url("/api/law", id=iri) for iri in pick("cited")],
        "organisation view": [_url("/api/organisation", id=key) for key in pick("organisation")],
        "search in list (q)": [_url("/api/algorithms", q=word) for word in words],
        "search (fts)": [_url("/api/search", q=word) for word in words],
        "page q": [_url("/algorithms", q=word) for word in words],
        "page q+filters": [
            _url("/algorithms", [("q", word), ("theme", a), ("theme", b), ("status", s)])
            for word, a, b, s in zip(
                rng.sample(SEARCH_WORDS, min(count, len(SEARCH_WORDS))),
                values["theme"] * count,
                values["theme"][1:] * count,
                values["status"] * count,
                strict=False,
            )
        ],
    }


# -- raw pyoxigraph ----------------------------------------------------------------------------------


def _term(notation: str) -> NamedNode | Literal:
    """An RDF term from its N-Triples notation (as `?explain=sparql` shows bindings)."""
    triple = next(iter(parse(f"<urn:x:s> <urn:x:p> {notation} .", format=RdfFormat.N_TRIPLES)))
    return triple.object  # type: ignore[return-value]


class Raw:
    """The queries of an answer, run on the same generation in-process."""

    def __init__(self, store_dir: Path, repeat: int) -> None:
        self.store_dir = store_dir
        self.store = Store.read_only(str(current_path(store_dir).resolve()))
        self.repeat = repeat

    def run(self, shown: dict[str, Any]) -> tuple[float, set[str]]:
        """Median seconds of one query (every solution consumed) and the values of the terms it returned."""
        substitutions = {Variable(name): _term(value) for name, value in shown["bindings"].items()}
        times, values = [], set()
        for _ in range(self.repeat):
            # Fresh custom functions each run: the worker's textScore cache must not make (b) look cheaper.
            functions = fulltext.custom_functions(self.store_dir)
            start = time.perf_counter()
            rows = list(
                self.store.query(
                    shown["text"],
                    use_default_graph_as_union=True,
                    substitutions=substitutions,
                    custom_functions=functions,
                )
            )
            times.append(time.perf_counter() - start)
            values = {term.value for row in rows for term in row if term is not None}  # type: ignore[union-attr]
        values |= {term.value for term in substitutions.values()}
        return statistics.median(times), values

    def search(self, path: str) -> float:
        params = dict(parse_qsl(urlsplit(path).query))
        index = fulltext.ensure_index(self.store_dir)
        times = []
        for _ in range(self.repeat):
            start = time.perf_counter()
            fulltext.search(index, params["q"], limit=int(params.get("limit", 20)))
            times.append(time.perf_counter() - start)
        return statistics.median(times)


def _algorithm_ids(body: object) -> set[str]:
    """Every algorithm IRI an answer names (to check the raw queries found the same algorithms)."""
    found: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("@id", "id") and isinstance(value, str) and value.startswith(ALGORITHM_ID):
                found.add(value)
            elif key not in ("sparql", "view"):
                found |= _algorithm_ids(value)
    elif isinstance(body, list):
        for item in body:
            found |= _algorithm_ids(item)
    return found


# -- HTTP --------------------------------------------------------------------------------------------


def _get(http: httpx.Client, base: str, path: str) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    accept = "application/ld+json" if path.startswith("/api/") else "text/html"
    response = http.get(base + path, headers={"Accept": accept, **IDENTITY})
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:500]}")
    return elapsed, response


def _explained(path: str) -> str:
    return path + ("&" if "?" in path else "?") + "explain=sparql"


def measure_template(
    http: httpx.Client, base: str, raw: Raw, paths: Sequence[str], seen: set[tuple[str, str]], warm_repeat: int
) -> list[Request]:
    """Cold first requests, then the queries behind them raw, then warm repeats (all sequential)."""
    requests = []
    for path in paths:
        request = Request(path)
        request.cold, _ = _get(http, base, path)
        if path.startswith("/api/search"):
            request.raw_all = request.raw_run = raw.search(path)
        elif not path.startswith("/api/"):
            pass  # a page: no `?explain=sparql` body to rerun; its cold latency is judged against PAGE_GOALS_MS
        else:
            _, explained = _get(http, base, _explained(path))  # served from the cache the cold request filled
            body = explained.json()
            ids: set[str] = set()
            for shown in body.get("sparql", []):
                seconds, values = raw.run(shown)
                ids |= values
                key = (shown["text"], json.dumps(shown["bindings"], sort_keys=True))
                request.raw_all += seconds
                request.queries.append(shown["query"])
                if key in seen:
                    request.cached_queries += 1
                else:
                    request.raw_run += seconds
                    seen.add(key)
            if not request.queries:
                raise RuntimeError(f"GET {path}: ?explain=sparql shows no query")
            missing = _algorithm_ids(body) - ids
            if missing:
                raise RuntimeError(f"GET {path}: the raw queries do not find {sorted(missing)[:3]}")
        requests.append(request)
    for request in requests:
        request.warm = [_get(http, base, request.path)[0] for _ in range(warm_repeat)]
    return requests


def concurrent(base: str, paths: Sequence[str], *, clients: int, duration: float) -> Measurement:
    """`clients` threads sending the (already cached) paths round-robin for `duration` seconds."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        with httpx.Client(timeout=60) as http:
            position = index
            start.wait()
            while (now := time.perf_counter()) < stop_at[0]:
                response = http.get(base + paths[position % len(paths)], headers=IDENTITY)
                position += clients
                if response.status_code == 200:
                    latencies[index].append(time.perf_counter() - now)
                else:
                    errors[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + duration
    start.wait()
    for thread in threads:
        thread.join()
    counted = [latency for per_client in latencies for latency in per_client]
    return Measurement(len(counted), sum(errors), duration, counted)


# -- the run -----------------------------------------------------------------------------------------


def _ms(seconds: Iterable[float], fraction: float) -> float:
    ordered = sorted(seconds)
    if not ordered:
        return float("nan")
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 3)


def summarise(requests: list[Request], load: Measurement) -> dict[str, object]:
    ran = [r for r in requests if r.raw_run > 0]
    ratios = [r.cold / r.raw_run for r in ran]
    warm = [latency for r in requests for latency in r.warm]
    return {
        "urls": len(requests),
        "queries_per_answer": round(statistics.mean(len(r.queries) for r in requests), 1),
        "cold_first_ms": _ms([requests[0].cold], 0.5),
        "cold_p50_ms": _ms((r.cold for r in requests), 0.5),
        "cold_p99_ms": _ms((r.cold for r in requests), 0.99),
        "raw_run_p50_ms": _ms((r.raw_run for r in ran), 0.5),
        "cold_with_sparql": len(ran),
        "cached_queries": sum(r.cached_queries for r in requests),
        "ratio": round(statistics.median(ratios), 3) if ratios else None,
        "overhead_p50_ms": _ms((r.cold - r.raw_run for r in ran), 0.5),
        "warm_p50_ms": _ms(warm, 0.5),
        "warm_p99_ms": _ms(warm, 0.99),
        "raw_all_p50_ms": _ms((r.raw_all for r in requests), 0.5),
        "concurrent_rps": round(load.throughput, 1),
        "concurrent_p50_ms": round(load.percentile(0.5), 3),
        "concurrent_p99_ms": round(load.percentile(0.99), 3),
        "concurrent_errors": load.errors,
        "per_url": [
            {
                "path": r.path,
                "cold_ms": round(r.cold * 1000, 3),
                "raw_run_ms": round(r.raw_run * 1000, 3),
                "raw_all_ms": round(r.raw_all * 1000, 3),
                "queries": r.queries,
                "cached_queries": r.cached_queries,
            }
            for r in requests
        ],
    }


def _index_ready(http: httpx.Client, base: str, seconds: float = 900.0) -> float:
    """Seconds until `/ready` says the algorithm index of the data version is built (from the server's start it
    builds in the background; the list page answers meanwhile from the store, without its filters' counts, and
    what needs the index may get a 503 with Retry-After)."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        index = http.get(base + "/ready").json().get("index") or {}
        if index.get("state") == "ready":
            return round(time.perf_counter() - start, 2)
        if index.get("state") == "failed":
            raise RuntimeError(f"the algorithm index failed to build: {index}")
        time.sleep(1.0)
    raise RuntimeError(f"the algorithm index was not built within {seconds:.0f} s")


def run(
    size: int,
    *,
    count: int,
    clients: int,
    duration: float,
    repeat: int,
    warm_repeat: int,
    work: Path,
    workers: int | None = None,
    only: Sequence[str] = (),
) -> dict[str, object]:
    work.mkdir(parents=True, exist_ok=True)
    store_dir = build_store(size, work)
    fulltext.ensure_index(store_dir)  # built once, outside every measurement (the server would build it lazily)
    raw = Raw(store_dir, repeat)
    plan = templates(samples(raw.store), count)
    if only:
        unknown = set(only) - plan.keys()
        if unknown:
            raise SystemExit(f"unknown templates {sorted(unknown)}; they are {sorted(plan)}")
        plan = {name: paths for name, paths in plan.items() if name in only}
    rows: dict[str, dict[str, object]] = {}
    seen: set[tuple[str, str]] = set()
    with algokg_server(store_dir, work, workers) as endpoint, httpx.Client(timeout=600) as http:
        base = endpoint.removesuffix("/sparql")
        for _ in range(3):  # start-up costs (worker processes, imports) outside the measurements
            http.get(endpoint, params={"query": "ASK {}"})
            http.get(base + "/api/context/v1.jsonld")
        index_build = _index_ready(http, base) if any(name.startswith("page") for name in plan) else None
        for name, paths in plan.items():
            requests = measure_template(http, base, raw, paths, seen, warm_repeat)
            load = concurrent(base, paths, clients=clients, duration=duration)
            rows[name] = {"caches": CACHES.get(name, ""), **summarise(requests, load)}
    ratios = [row["ratio"] for row in rows.values() if isinstance(row["ratio"], float) and row["ratio"] > 0]
    return {
        "size": size,
        "urls_per_template": count,
        "clients": clients,
        "duration_s": duration,
        "raw_repeat": repeat,
        "goal_ratio": GOAL,
        "page_goal_ms": page_goal(size),
        "index_build_s": index_build,
        "results": rows,
        "geometric_mean_ratio": round(statistics.geometric_mean(ratios), 3) if ratios else None,
        "notes": NOTES,
    }


NOTES = [
    "ratio = median over a template's URLs of (cold HTTP latency) / (raw pyoxigraph time of the queries that "
    "request ran); a query answered from the service cache by an earlier request is not in the raw time.",
    "Warm requests run no SPARQL (every answer is cached per data version); warm p50 vs raw_all shows what "
    "the cache saves, not the cost of the REST layer.",
    "Raw = Store.read_only of the same generation in this process, use_default_graph_as_union, the same bound "
    "terms and custom functions, every solution consumed, median of the repeats; no HTTP, no serialisation.",
    "The HTTP side adds: uvicorn + FastAPI, one round trip to a query worker process per query, the answer "
    "serialised as SPARQL JSON there and parsed back, the Python models, the JSON-LD body. That is a fixed "
    "~2-5 ms per request plus ~0.3 ms per query, so templates with very fast queries show ratios above the goal.",
    "Clients are Python threads on the same 2 cores as the server and its query workers.",
]


def page_goal(size: int) -> float:
    """The list page's goal for a register of `size` algorithms: the goal of the nearest size above (or the largest)."""
    return next((goal for limit, goal in sorted(PAGE_GOALS_MS.items()) if size <= limit), max(PAGE_GOALS_MS.values()))


def report(result: dict[str, object]) -> str:
    rows = result["results"]
    assert isinstance(rows, dict)
    lines = [
        f"REST templates, {result['size']} algorithms, {result['urls_per_template']} URLs each; "
        f"{result['clients']} clients for {result['duration_s']} s (warm)",
        f"{'template':<20} {'cold 1st':>8} {'cold p50':>8} {'raw p50':>8} {'ratio':>6} {'+ms p50':>7}   "
        f"{'warm p50':>8} {'p99':>7} {'raw all':>8}   {'conc req/s':>10} {'p50':>7} {'p99':>7}",
    ]
    for name, row in rows.items():
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
        flag = " !" if row["ratio"] is not None and row["ratio"] > GOAL else ""
        lines.append(
            f"{name:<20} {row['cold_first_ms']:>8.1f} {row['cold_p50_ms']:>8.1f} {row['raw_run_p50_ms']:>8.1f} "
            f"{ratio:>6}{flag:<2}{row['overhead_p50_ms']:>5.1f}   {row['warm_p50_ms']:>8.2f} {row['warm_p99_ms']:>7.2f} "
            f"{row['raw_all_p50_ms']:>8.1f}   {row['concurrent_rps']:>10.0f} {row['concurrent_p50_ms']:>7.2f} "
            f"{row['concurrent_p99_ms']:>7.2f}"
        )
        if row["concurrent_errors"]:
            lines.append(f"  errors under load: {row['concurrent_errors']}")
    lines.append(
        f"geometric mean of the cold ratios: {result['geometric_mean_ratio']} (goal <= {GOAL}; ! marks a template over)"
    )
    if result.get("index_build_s") is not None:
        lines.append(f"algorithm index built (/ready) after: {result['index_build_s']} s")
    for name, row in rows.items():
        if name.startswith("page"):
            verdict = "met" if row["cold_p50_ms"] <= result["page_goal_ms"] else "NOT met"
            lines.append(
                f"{name}: cold p50 {row['cold_p50_ms']:.1f} ms, goal <= {result['page_goal_ms']:.0f} ms: {verdict}"
            )
    lines.append("times in ms; raw = the same SPARQL on pyoxigraph in-process; caches:")
    lines += [f"  {name}: {row['caches']}" for name, row in rows.items()]
    notes = result["notes"]
    assert isinstance(notes, list)
    lines += [f"note: {note}" for note in notes]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000, help="algorithms in the generated register")
    parser.add_argument("--urls", type=int, default=8, help="distinct URLs per template")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads (warm phase)")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds of the concurrent phase per template")
    parser.add_argument("--repeat", type=int, default=3, help="raw runs per query (median)")
    parser.add_argument("--warm-repeat", type=int, default=5, help="warm requests per URL (sequential)")
    parser.add_argument("--workers", type=int, help="algokg query worker processes (default: the server's)")
    parser.add_argument("--only", default="", help="comma-separated template names (default: all)")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "algokg-bench-rest", help="stores and logs (reused)"
    )
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args(argv)
    result = run(
        args.size,
        count=args.urls,
        clients=args.clients,
        duration=args.duration,
        repeat=args.repeat,
        warm_repeat=args.warm_repeat,
        work=args.work,
        workers=args.workers,
        only=[name for name in args.only.split(",") if name],
    )
    if args.json:  # first: a closed stdout (`| head`) must not lose the results
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(report(result))
    return result


if __name__ == "__main__":
    main()
