"""HTTP benchmark: algokg's `/sparql` against `oxigraph serve-read-only` on the same data, in one run.

A synthetic register (`benchmarks.generate`, 1k algorithms by default) is loaded into an algokg store; a copy
of its current generation is served by the Oxigraph CLI (same RocksDB format, `--union-default-graph`, so
both answer the same queries the same way). N client threads (httpx, keep-alive) send the same queries to
each server in turn — a point lookup, a selective join, an aggregate, a CONSTRUCT, and a mix of the four —
and the throughput, p50 and p99 latency of each are reported, with algokg's throughput as a ratio of
Oxigraph's (goal ≥ 0.8). Each server's CPU time per request (the process and its query workers, from /proc) is
reported too: on a machine shared with other work, throughput follows the scheduler's share of each server
(Oxigraph runs a thread per connection), CPU per request does not. `--rounds N` alternates the two servers N
times per query kind and reports medians; `--cpus 0` (or `0,1`) pins servers and clients to those cores.

    python -m benchmarks.http --size 1000 --clients 8 --duration 5 --json benchmarks/results-http.json
    python -m benchmarks.http --rounds 3 --duration 3 --cpus 0     # one core, alternating, medians

The clients run on the same machine as the servers (and are Python too): a server that needs less CPU per
request than a Python client can send is measured at the client's limit, so Oxigraph's figures are lower
bounds and the ratio is, if anything, flattering on small queries. The report says so.
"""

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pyoxigraph import QueryResultsFormat, RdfFormat, Store, parse, parse_query_results

from benchmarks.generate import generate
from benchmarks.processes import free_port, running
from loader.pipeline import load_paths
from loader.store import current_path

PREFIXES = """PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
JSON_RESULTS, TURTLE = "application/sparql-results+json", "text/turtle"
# Oxigraph does not compress; algokg gzips answers over 1 KiB when asked. Loopback has no use for it: both
# are measured doing the same work.
IDENTITY = {"Accept-Encoding": "identity"}
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    accept: str


@dataclass(frozen=True)
class Measurement:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float = 0.0  # the server's (with its children), while measured; 0 if unknown

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_seconds / self.requests * 1e6 if self.requests else float("nan")

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else float("nan")


# -- data ------------------------------------------------------------------------------------------


def build_store(size: int, work: Path) -> Path:
    """An algokg store with `size` generated algorithms (reused when already built in `work`)."""
    store_dir = work / f"store-{size}"
    if not current_path(store_dir).exists():
        export = generate(size, work / f"register-{size}.csv")
        load_paths(store_dir, [export], run_validation=False)
    return store_dir


def oxigraph_copy(store_dir: Path, work: Path) -> Path:
    """A copy of the current generation for the Oxigraph CLI (its own files: it may write its own logs)."""
    target = work / f"oxigraph-{store_dir.name}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(current_path(store_dir).resolve(), target)
    return target


def queries(store_dir: Path, count: int = 50, seed: int = 7) -> list[Query]:
    """The workload, with IRIs drawn from the data (the same list for both servers)."""
    store = Store.read_only(str(current_path(store_dir).resolve()))
    try:
        rows = list(
            store.query(
                PREFIXES + "SELECT ?a ?o WHERE { ?a a akg:Algorithm ; akg:organisation ?o }",
                use_default_graph_as_union=True,
            )
        )
    finally:
        del store
    rng = random.Random(seed)
    picked = [rng.choice(rows) for _ in range(count)]
    workload = []
    for row in picked:
        algorithm, organisation = row["a"], row["o"]
        workload += [
            Query("point lookup", PREFIXES + f"SELECT ?title WHERE {{ {algorithm} dct:title ?title }}", JSON_RESULTS),
            Query(
                "selective join",
                PREFIXES + "SELECT ?algorithm ?title ?law WHERE { "
                f"?algorithm akg:organisation {organisation} ; dct:title ?title ; "
                "akg:hasStatutoryBasis/akg:legalResource ?law }",
                JSON_RESULTS,
            ),
            Query("CONSTRUCT", f"CONSTRUCT {{ {algorithm} ?p ?o }} WHERE {{ {algorithm} ?p ?o }}", TURTLE),
        ]
    workload.append(
        Query(
            "aggregate",
            PREFIXES + "SELECT ?status (COUNT(?a) AS ?n) WHERE { ?a a akg:Algorithm ; akg:status ?status } "
            "GROUP BY ?status ORDER BY ?status",
            JSON_RESULTS,
        )
    )
    return workload


# -- servers ---------------------------------------------------------------------------------------


@contextmanager
def oxigraph_server(location: Path, work: Path) -> Iterator[str]:
    with oxigraph_process(location, work) as (base, _):
        yield base


@contextmanager
def oxigraph_process(location: Path, work: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    command = [str(OXIGRAPH), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    command.append("--union-default-graph")
    base = f"http://127.0.0.1:{port}/query"
    with running(command, f"{base}?query=ASK%7B%7D", "oxigraph serve-read-only", work / "oxigraph.log") as process:
        yield base, process.pid


@contextmanager
def algokg_server(
    store_dir: Path, work: Path, workers: int | None, *, remote: str | None = None, log: str = "algokg.log"
) -> Iterator[str]:
    """`algokg serve` on `store_dir` (or answering from the `remote` store); yields its /sparql URL."""
    with algokg_process(store_dir, work, workers, remote=remote, log=log) as (endpoint, _):
        yield endpoint


@contextmanager
def algokg_process(
    store_dir: Path, work: Path, workers: int | None, *, remote: str | None = None, log: str = "algokg.log"
) -> Iterator[tuple[str, int]]:
    """`algokg_server`, yielding the server's process id too."""
    port = free_port()
    command = [sys.executable, "-m", "loader.cli", "serve", "--store", str(store_dir), "--port", str(port)]
    command += ["--workers", str(workers)] if workers else []
    command += ["--remote", remote] if remote else []
    base = f"http://127.0.0.1:{port}"
    # Throughput from N client threads on one address: without the per-client limit (sparql_api.limits).
    env = {**os.environ, "ALGOKG_CLIENT_CONCURRENCY": "0"}
    with running(command, f"{base}/health", "algokg serve", work / log, env=env) as process:
        yield f"{base}/sparql", process.pid


# -- load ------------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_tree(pid: int) -> list[int]:
    """`pid` and its living descendants (Linux /proc/PID/task/TID/children; just `pid` where there is none)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with contextlib.suppress(OSError), open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
    return tree


def cpu_seconds(tree: Sequence[int]) -> float:
    """CPU time of the processes of `tree` (`process_tree`), with what the first one's reaped children used."""
    total = 0
    for index, pid in enumerate(tree):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = _stat(pid)
            total += sum(int(value) for value in fields[11 : 15 if index == 0 else 13])  # utime stime [cutime cstime]
    return total / _TICK


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat from the field after the command name (state, ppid, …; utime is index 11)."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
        return stat.read().rpartition(")")[2].split()


def measure(
    endpoint: str, workload: Sequence[Query], *, clients: int, duration: float, warmup: float, pid: int | None = None
) -> Measurement:
    """Run `clients` threads sending the workload round-robin for `duration` seconds (after a warm-up); with
    `pid`, the server's CPU time in the measured seconds."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        with httpx.Client(timeout=60) as http:
            position = index
            start.wait()
            while (now := time.perf_counter()) < stop_at[0]:
                query = workload[position % len(workload)]
                position += clients
                headers = {"Accept": query.accept, **IDENTITY}
                response = http.get(endpoint, params={"query": query.text}, headers=headers)
                elapsed = time.perf_counter() - now
                if response.status_code != 200:
                    errors[index] += 1
                elif now >= stop_at[1]:
                    latencies[index].append(elapsed)

    stop_at[:] = [0.0, 0.0]
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    tree = process_tree(pid) if pid is not None else []  # before the clients start: then a few small reads
    begin = time.perf_counter()
    stop_at[:] = [begin + warmup + duration, begin + warmup]
    start.wait()
    cpu = [0.0, 0.0]
    if pid is not None:
        time.sleep(max(0.0, stop_at[1] - time.perf_counter()))
        cpu[0] = cpu_seconds(tree)
        time.sleep(max(0.0, stop_at[0] - time.perf_counter()))
        cpu[1] = cpu_seconds(tree)
    for thread in threads:
        thread.join()
    counted = [latency for per_client in latencies for latency in per_client]
    return Measurement(len(counted), sum(errors), duration, counted, cpu[1] - cpu[0])


def same_answers(oxigraph: str, algokg: str, workload: Sequence[Query]) -> None:
    """Both servers give the same answer to one query of each kind (else the comparison means nothing)."""
    seen = set()
    for query in workload:
        if query.kind in seen:
            continue
        seen.add(query.kind)
        answers = []
        for endpoint in (oxigraph, algokg):
            response = httpx.get(endpoint, params={"query": query.text}, headers={"Accept": query.accept}, timeout=60)
            response.raise_for_status()
            if query.accept == TURTLE:
                answers.append(sorted(str(t) for t in parse(response.content, format=RdfFormat.TURTLE)))
            else:
                results = parse_query_results(response.content, format=QueryResultsFormat.JSON)
                answers.append(sorted(str(solution) for solution in results))  # type: ignore[union-attr]
        if answers[0] != answers[1]:
            raise RuntimeError(f"the servers disagree on the {query.kind} query")


def run(
    size: int,
    *,
    clients: int,
    duration: float,
    warmup: float,
    work: Path,
    workers: int | None = None,
    rounds: int = 1,
    cpus: set[int] | None = None,
) -> dict[str, object]:
    """Both servers on the same data; per query kind `rounds` measurements of each, alternating which goes
    first; throughput, latency and CPU per request are medians over the rounds."""
    work.mkdir(parents=True, exist_ok=True)
    if cpus:
        os.sched_setaffinity(0, cpus)  # the servers and their workers inherit it, the client threads run here
    store_dir = build_store(size, work)
    copy = oxigraph_copy(store_dir, work)
    workload = queries(store_dir)
    kinds = {
        kind: [q for q in workload if q.kind == kind]
        for kind in ("point lookup", "selective join", "aggregate", "CONSTRUCT")
    }
    kinds["mix"] = workload
    rows: dict[str, dict[str, float | int]] = {}
    with oxigraph_process(copy, work) as oxigraph, algokg_process(store_dir, work, workers) as algokg:
        same_answers(oxigraph[0], algokg[0], workload)
        servers = {"oxigraph": oxigraph, "algokg": algokg}
        for kind, part in kinds.items():
            row: dict[str, float | int] = {"load_1min": round(os.getloadavg()[0], 2)}
            measured: dict[str, list[Measurement]] = {name: [] for name in servers}
            for round_ in range(max(1, rounds)):
                order = list(servers) if round_ % 2 == 0 else list(servers)[::-1]
                for name in order:
                    endpoint, pid = servers[name]
                    measured[name].append(
                        measure(endpoint, part, clients=clients, duration=duration, warmup=warmup, pid=pid)
                    )
            for name, results in measured.items():
                latencies = [latency for result in results for latency in result.latencies]
                combined = Measurement(0, 0, 0.0, latencies)
                row |= {
                    f"{name}_rps": round(statistics.median(r.throughput for r in results), 1),
                    f"{name}_p50_ms": round(combined.percentile(0.5), 3),
                    f"{name}_p99_ms": round(combined.percentile(0.99), 3),
                    f"{name}_errors": sum(r.errors for r in results),
                    f"{name}_cpu_us": round(statistics.median(r.cpu_us_per_request for r in results), 1),
                }
            row["ratio"] = round(row["algokg_rps"] / row["oxigraph_rps"], 3) if row["oxigraph_rps"] else 0.0
            row["cpu_ratio"] = round(row["oxigraph_cpu_us"] / row["algokg_cpu_us"], 3) if row["algokg_cpu_us"] else 0.0
            row["load_1min_end"] = round(os.getloadavg()[0], 2)
            rows[kind] = row
    ratios = [row["ratio"] for row in rows.values()]
    cpu_ratios = [row["cpu_ratio"] for row in rows.values()]
    return {
        "size": size,
        "clients": clients,
        "duration_s": duration,
        "rounds": rounds,
        "cpus": sorted(cpus) if cpus else None,
        "results": rows,
        "geometric_mean_ratio": round(statistics.geometric_mean(ratios), 3) if all(ratios) else 0.0,
        "geometric_mean_cpu_ratio": round(statistics.geometric_mean(cpu_ratios), 3) if all(cpu_ratios) else 0.0,
        "notes": NOTES,
    }


NOTES = [
    "Clients are Python threads (httpx) on the same cores as the servers: Oxigraph's figures are capped by the "
    "client, so they are lower bounds of its capacity and the ratio is optimistic for small queries.",
    "algokg's cost per request beyond Oxigraph's: the Python HTTP stack (uvicorn with httptools on uvloop, "
    "the ASGI middleware: errors, limits, metrics, GZip, CORS, security headers; the query gate) and one round "
    "trip over a socketpair to a query worker process; the worker exists so that a query can be killed at its "
    "deadline. See docs/performance.md for the breakdown.",
    "cpu us/req is each server's CPU time (process and query workers) per answered request; cpu ratio = "
    "Oxigraph's / algokg's. On a shared machine it is steadier than throughput, which follows each server's "
    "share of the cores (the load average of each kind is recorded).",
    "Responses are requested uncompressed (Accept-Encoding: identity): Oxigraph does not gzip.",
    "Heavy queries (aggregate, CONSTRUCT of many triples) are dominated by pyoxigraph itself and come close "
    "to 1; point lookups show the fixed per-request overhead.",
]


def heading(result: dict[str, object], title: str) -> str:
    """The first line of a load benchmark's report: what ran, how long, on which cores."""
    cpus = f", cores {result['cpus']}" if result.get("cpus") else ""
    return (
        f"{title}, {result['size']} algorithms, {result['clients']} clients, {result['duration_s']} s each, "
        f"{result.get('rounds', 1)} round(s){cpus}"
    )


def report(result: dict[str, object]) -> str:
    rows = result["results"]
    assert isinstance(rows, dict)
    lines = [
        heading(result, "HTTP throughput"),
        f"{'query':<15} {'oxigraph req/s':>14} {'p50 ms':>8} {'p99 ms':>8} {'cpu us':>7}   {'algokg req/s':>12} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'cpu us':>7}   {'ratio':>6} {'cpu':>5} {'load':>5}",
    ]
    for kind, row in rows.items():
        lines.append(
            f"{kind:<15} {row['oxigraph_rps']:>14.0f} {row['oxigraph_p50_ms']:>8.2f} {row['oxigraph_p99_ms']:>8.2f} "
            f"{row.get('oxigraph_cpu_us', 0):>7.0f}   {row['algokg_rps']:>12.0f} {row['algokg_p50_ms']:>8.2f} "
            f"{row['algokg_p99_ms']:>8.2f} {row.get('algokg_cpu_us', 0):>7.0f}   {row['ratio']:>6.2f} "
            f"{row.get('cpu_ratio', 0):>5.2f} {row.get('load_1min', 0):>5.1f}"
        )
        if row["oxigraph_errors"] or row["algokg_errors"]:
            lines.append(f"  errors: oxigraph {row['oxigraph_errors']}, algokg {row['algokg_errors']}")
    lines.append(
        f"geometric mean of the ratios: {result['geometric_mean_ratio']} (goal >= 0.8); of the cpu ratios: "
        f"{result.get('geometric_mean_cpu_ratio')}"
    )
    notes = result["notes"]
    assert isinstance(notes, list)
    lines += [f"note: {note}" for note in notes]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_arguments(parser, duration=5.0, warmup=1.0, rounds=1)
    parser.add_argument("--workers", type=int, help="algokg query worker processes (default: the server's)")
    args = parser.parse_args(argv)
    result = run(args.size, workers=args.workers, **load_options(args))
    return reported(result, report(result), args.json)


def add_load_arguments(parser: argparse.ArgumentParser, *, duration: float, warmup: float, rounds: int) -> None:
    """The options of both HTTP load benchmarks (this one and `benchmarks.http_floor`)."""
    parser.add_argument("--size", type=int, default=1000, help="algorithms in the generated register")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--duration", type=float, default=duration, help="seconds measured per kind, server, round")
    parser.add_argument("--warmup", type=float, default=warmup, help="seconds sent before measuring")
    parser.add_argument("--rounds", type=int, default=rounds, help="alternating measurements per kind (medians)")
    parser.add_argument("--cpus", help="pin servers and clients to these cores, e.g. 0 or 0,1")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "algokg-bench-http", help="stores and logs (reused)"
    )
    parser.add_argument("--json", type=Path, help="write the results here too")


def load_options(args: argparse.Namespace) -> dict[str, Any]:
    """`run`'s keyword arguments from the options `add_load_arguments` added."""
    cpus = {int(cpu) for cpu in args.cpus.split(",")} if args.cpus else None
    return {"clients": args.clients, "duration": args.duration, "warmup": args.warmup, "rounds": args.rounds,
            "work": args.work, "cpus": cpus}  # fmt: skip


def reported(result: dict[str, object], text: str, target: Path | None) -> dict[str, object]:
    """Print the report; with `target`, write the result there as JSON too."""
    print(text)
    if target:
        target.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
