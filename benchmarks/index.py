"""The algorithm index's build, dimension by dimension (`sparql_api.rest.selection`), end to end as the server
builds it: each dimension's queries through a `QueryService` (worker processes, answers parsed into terms) and
turned into bitsets, one after another, on a store of `--size` generated algorithms (`benchmarks.generate`,
built once in `--work` and reused). The sum is what one build costs; the server runs up to four at once.

    python -m benchmarks.index --size 20000 --work /tmp/algokg-bench
"""

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.http import build_store
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


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="algorithms in the generated register")
    parser.add_argument("--work", type=Path, default=Path("/tmp/algokg-bench"), help="where stores are kept")
    parser.add_argument("--only", help="comma-separated dimension names (default: every one)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    store_dir = build_store(args.size, args.work)
    result = measure(store_dir, args.only.split(",") if args.only else dimensions())
    print(f"total {sum(row['seconds'] for row in result.values()):.1f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
