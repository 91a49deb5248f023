"""Remote stores: publishing a generated register to them, and the REST API answering from them, against the
embedded store in the same run.

    python -m benchmarks.remote [--size 10000] [--urls 5] [--stores oxigraph,virtuoso] [--json FILE]

A synthetic register (`benchmarks.generate`) is loaded into an algokg store; `algokg publish` sends it to an
`oxigraph serve` and (when Debian's virtuoso-opensource is installed) a Virtuoso on loopback, timed, and then
once more (nothing changed: the digests are compared, nothing is sent). Three `algokg serve` processes answer
the same REST requests — embedded (the baseline), `--remote` Oxigraph, `--remote` Virtuoso — each URL's first
(cold, uncached) request timed; the table gives the median per template and the ratio to the embedded store.
"""

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from pyoxigraph import Store

from benchmarks.http import algokg_server, build_store
from benchmarks.remote_stores import VIRTUOSO, oxigraph_server, publisher_url, virtuoso_server
from benchmarks.rest import samples, templates
from loader.publish import publish
from loader.remote import RemoteStore
from loader.store import current_path


@contextmanager
def algokg(store_dir: Path, work: Path, log: str, remote: str | None = None) -> Iterator[str]:
    """An `algokg serve` (embedded, or `--remote`); yields its base URL."""
    with algokg_server(store_dir, work, None, remote=remote, log=log) as endpoint:
        yield endpoint.removesuffix("/sparql")


def _cold(base: str, paths: Sequence[str]) -> list[float]:
    """Seconds of each path's first request (the server caches answers per data version); infinity for a
    request stopped at its deadline (503)."""
    times = []
    with httpx.Client(timeout=300) as http:
        for path in paths:
            started = time.perf_counter()
            response = http.get(base + path)
            times.append(time.perf_counter() - started)
            if response.status_code == 503:
                times[-1] = float("inf")
            elif response.status_code != 200:
                raise RuntimeError(f"{base}{path}: {response.status_code} {response.text[:300]}")
    return times


def run(size: int, urls: int, work: Path, stores: Sequence[str] = ("oxigraph", "virtuoso")) -> dict[str, object]:
    store_dir = build_store(size, work)
    store = Store.read_only(str(current_path(store_dir).resolve()))
    paths = templates(samples(store), urls)
    del store
    result: dict[str, object] = {"size": size, "publish": {}, "rest": {}}
    with ExitStack() as running:
        backends = {"embedded": running.enter_context(algokg(store_dir, work, "embedded.log"))}
        available = {"oxigraph": oxigraph_server, **({"virtuoso": virtuoso_server} if VIRTUOSO else {})}
        kinds = [(name, available[name]) for name in stores if name in available]
        for name, start in kinds:
            directory = work / name
            directory.mkdir(exist_ok=True)
            url = running.enter_context(start(directory))
            remote = RemoteStore(publisher_url(url))  # Virtuoso: the publishing account, not the anonymous one
            first = publish(store_dir, remote)
            again = publish(store_dir, remote)
            remote.close()
            result["publish"][name] = {  # type: ignore[index]
                "graphs": len(first.sent),
                "triples": first.triples,
                "seconds": round(first.seconds, 2),
                "unchanged_seconds": round(again.seconds, 2),
            }
            cache = work / f"cache-{name}"
            backends[name] = running.enter_context(algokg(cache, work, f"{name}-api.log", remote=url))
        for template, template_paths in paths.items():
            row: dict[str, float] = {}
            for name, base in backends.items():
                row[name] = round(statistics.median(_cold(base, template_paths)) * 1000, 1)
            result["rest"][template] = row  # type: ignore[index]
    return result


def report(result: dict[str, object]) -> str:
    lines = [f"remote stores, {result['size']} algorithms"]
    for name, numbers in result["publish"].items():  # type: ignore[attr-defined]
        lines.append(
            f"  publish to {name}: {numbers['graphs']} graphs, {numbers['triples']} triples in "
            f"{numbers['seconds']} s; again, unchanged: {numbers['unchanged_seconds']} s"
        )
    rest: dict[str, dict[str, float]] = result["rest"]  # type: ignore[assignment]
    names = list(next(iter(rest.values())))
    lines.append(f"  {'REST template (cold, median ms)':34}" + "".join(f"{n:>12}" for n in names) + "  ratios")
    for template, row in rest.items():
        ratios = "  ".join(f"{n} {row[n] / row['embedded']:.2f}" for n in names[1:])
        lines.append(f"  {template:34}" + "".join(f"{row[n]:>12}" for n in names) + f"  {ratios}")
    for name in names[1:]:
        finite = [row[name] / row["embedded"] for row in rest.values() if row[name] != float("inf")]
        stopped = len(rest) - len(finite)
        geo = statistics.geometric_mean(finite) if finite else float("nan")
        note = f" ({stopped} templates stopped at the 30 s deadline, left out)" if stopped else ""
        lines.append(f"  geometric mean of {name} / embedded: {geo:.2f}{note}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000, help="algorithms in the generated register")
    parser.add_argument("--urls", type=int, default=5, help="distinct URLs per REST template")
    parser.add_argument("--stores", default="oxigraph,virtuoso", help="remote stores to measure (comma-separated)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="algokg-bench-remote-") as work:
        result = run(arguments.size, arguments.urls, Path(work), arguments.stores.split(","))
    print(report(result))
    if arguments.json:
        arguments.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
