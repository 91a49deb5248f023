"""The algorithm index's build, dimension by dimension (`sparql_api.rest.selection`), end to end as the server
builds it: each dimension's queries through a `QueryService` (worker processes, answers parsed into terms) and
turned into bitsets, one after another, on a store of `--size` generated algorithms (`benchmarks.generate`,
built once in `--work` and reused). The sum is what one build costs; the server runs up to four at once.

    python -m benchmarks.index --size 20000 --work /tmp/algokg-bench

`--serve`: instead, the time from `algokg serve`'s start to the list page, as a visitor sees it: the first
`/algorithms` answering 200, the first with its filters' counts (the index built), and `/ready` saying the
index is ready; the page is asked for once a second from the moment the server answers /health.

    python -m benchmarks.index --size 2000 --serve
"""

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from benchmarks.http import IDENTITY, build_store
from benchmarks.processes import free_port, running
from sparql_api.queries import QueryService
from sparql_api.rest import selection
from sparql_api.settings import Settings

# Not on the list page nor a filter: the CSV export's two columns (built on its first use).
EXPORT = ["articles", "assessmentStatus"]
SORT_KEYS = ["sort:id", "sort:organisation", "sort:beginDate"]


def dimensions() -> list[str]:
    return [*selection.WARM, *selection.FILTERS, *EXPORT, *SORT_KEYS]


def measure(store_dir: Path, names: Sequence[str]) -> dict[str, dict[str, float]]:
    """Seconds and values of each dimension, built one at a time (the list of algorithms first)."""
    queries = QueryService(Settings(store_dir=store_dir, query_workers=1, index_watch=0))
    try:
        started = time.perf_counter()
        index = selection.Index(queries, queries.data_version)
        index.base(wait=3600)
        result = {"algorithms": {"seconds": round(time.perf_counter() - started, 3), "values": len(index.iris)}}
        for name in names:
            started = time.perf_counter()
            dimension = index.dimension(name, wait=3600)
            seconds = time.perf_counter() - started
            result[name] = {"seconds": round(seconds, 3), "values": len(dimension.bits)}
            print(f"{name:28} {1000 * seconds:9.1f} ms {len(dimension.bits):>7} values", flush=True)
        return result
    finally:
        queries.close()


def served(store_dir: Path, work: Path, seconds: float = 900.0) -> dict[str, float | None]:
    """Seconds from the server's start until the list page answers, and until it answers with its facets."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "loader.cli", "serve", "--offline", "--store", str(store_dir), "--port", str(port)]
    env = {**os.environ, "ALGOKG_CLIENT_CONCURRENCY": "0"}
    started = time.perf_counter()
    found: dict[str, float | None] = {"health": None, "first_200": None, "with_facets": None, "ready": None}
    statuses: list[int] = []
    with running(command, f"{base}/health", "algokg serve", work / "index-serve.log", env=env, seconds=120):
        found["health"] = round(time.perf_counter() - started, 2)
        with httpx.Client(timeout=120) as http:
            while time.perf_counter() - started < seconds and (found["with_facets"] is None or found["ready"] is None):
                asked = time.perf_counter()
                page = http.get(
                    f"{base}/algorithms", params={"lang": "en"}, headers={"Accept": "text/html", **IDENTITY}
                )
                statuses.append(page.status_code)
                if page.status_code == 200 and found["first_200"] is None:
                    found["first_200"] = round(time.perf_counter() - started, 2)
                    found["first_200_took"] = round(time.perf_counter() - asked, 2)
                if page.status_code == 200 and 'id="filter-theme"' in page.text and found["with_facets"] is None:
                    found["with_facets"] = round(time.perf_counter() - started, 2)
                index = http.get(f"{base}/ready").json().get("index")
                if index is None and found["with_facets"] is not None:
                    break  # a server that does not report its index (before it did)
                if index is not None and index.get("state") == "ready" and found["ready"] is None:
                    found["ready"] = round(time.perf_counter() - started, 2)
                time.sleep(max(0.0, 1.0 - (time.perf_counter() - asked)))
    found["503s"] = float(statuses.count(503))
    print(json.dumps(found), flush=True)
    return found


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="algorithms in the generated register")
    parser.add_argument("--work", type=Path, default=Path("/tmp/algokg-bench"), help="where stores are kept")
    parser.add_argument("--only", help="comma-separated dimension names (default: every one)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--serve", action="store_true", help="time the list page from the server's start")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    store_dir = build_store(args.size, args.work)
    if args.serve:
        return served(store_dir, args.work)  # type: ignore[return-value]
    result = measure(store_dir, args.only.split(",") if args.only else dimensions())
    print(f"total {sum(row['seconds'] for row in result.values()):.1f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
