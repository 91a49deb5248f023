"""Where a `/sparql` request's time goes: `algokg serve` taken apart layer by layer, against `oxigraph serve`.

    python -m benchmarks.http_floor --cpus 0        # one core; --cpus 0,1 for two

The same data, workload and clients as `benchmarks.http`, five servers measured in alternating rounds:

    oxigraph     `oxigraph serve-read-only` (Rust, the reference)
    cached       uvicorn (httptools, uvloop, access log) sending each answer from a dict: the HTTP stack alone
    in-process   + the query run by pyoxigraph in the server process (not killable: no deadline possible)
    worker       + the query run on algokg's query worker processes instead (killable at its deadline)
    algokg       `algokg serve`: + middleware (limits, metrics, CORS, GZip, security headers, error pages),
                 the query gate and content negotiation

Each server's throughput is reported as a ratio of Oxigraph's, and its CPU per request (process and children).
`cached` is the floor of the user's stack (uvicorn): where its ratio is below a goal, no server built on it
can reach that goal for that kind of query. See `benchmarks/floor_server.py` for the bare servers.
"""

import argparse
import os
import statistics
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from benchmarks.http import (
    Measurement,
    add_load_arguments,
    algokg_process,
    build_store,
    heading,
    load_options,
    measure,
    oxigraph_copy,
    oxigraph_process,
    queries,
    reported,
    same_answers,
)
from benchmarks.machine import machine_state
from benchmarks.processes import free_port, running

SERVERS = ("oxigraph", "cached", "in-process", "worker", "algokg")
KINDS = ("point lookup", "selective join", "aggregate", "CONSTRUCT")


@contextmanager
def floor_process(mode: str, store_dir: Path, work: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.floor_server", mode, str(store_dir), str(port)]
    base = f"http://127.0.0.1:{port}"
    with running(command, f"{base}/health", f"floor server {mode}", work / f"floor-{mode}.log") as process:
        yield f"{base}/sparql", process.pid


def run(
    size: int,
    *,
    clients: int,
    duration: float,
    warmup: float,
    rounds: int,
    work: Path,
    cpus: set[int] | None,
    kinds: Sequence[str] = (*KINDS, "mix"),
) -> dict[str, object]:
    """Every server on the same generated store; per kind (of `KINDS` and "mix") `rounds` alternating
    measurements, medians."""
    work.mkdir(parents=True, exist_ok=True)
    if cpus:
        os.sched_setaffinity(0, cpus)  # the servers inherit it; the client threads run here too
    store_dir = build_store(size, work)
    workload = queries(store_dir)
    parts = {kind: workload if kind == "mix" else [q for q in workload if q.kind == kind] for kind in kinds}
    rows: dict[str, dict[str, dict[str, float]]] = {}
    with ExitStack() as stack:
        servers = {"oxigraph": stack.enter_context(oxigraph_process(oxigraph_copy(store_dir, work), work))}
        for mode in ("cached", "in-process", "worker"):
            servers[mode] = stack.enter_context(floor_process(mode, store_dir, work))
        servers["algokg"] = stack.enter_context(algokg_process(store_dir, work, None))
        for name in SERVERS[1:]:
            same_answers(servers["oxigraph"][0], servers[name][0], workload)
        for kind, part in parts.items():
            measured: dict[str, list[Measurement]] = {name: [] for name in SERVERS}
            for round_ in range(max(1, rounds)):
                for name in SERVERS if round_ % 2 == 0 else SERVERS[::-1]:
                    endpoint, pid = servers[name]
                    measured[name].append(
                        measure(endpoint, part, clients=clients, duration=duration, warmup=warmup, pid=pid)
                    )
            reference = statistics.median(m.throughput for m in measured["oxigraph"])
            rows[kind] = {
                name: {
                    "rps": round(statistics.median(m.throughput for m in results), 1),
                    "ratio": round(statistics.median(m.throughput for m in results) / reference, 3),
                    "cpu_us": round(statistics.median(m.cpu_us_per_request for m in results), 1),
                    "errors": sum(m.errors for m in results),
                }
                for name, results in measured.items()
            }
    return {
        "size": size,
        "clients": clients,
        "duration_s": duration,
        "rounds": rounds,
        "cpus": sorted(cpus) if cpus else None,
        "machine": machine_state(),
        "results": rows,
        "geometric_mean_ratio": {
            name: round(statistics.geometric_mean(rows[kind][name]["ratio"] for kind in rows), 3) for name in SERVERS
        },
    }


def report(result: dict[str, object]) -> str:
    rows = result["results"]
    assert isinstance(rows, dict)
    lines = [
        heading(result, "/sparql layer by layer") + ": throughput ratio to oxigraph (CPU us per request)",
        f"{'query':<15}" + "".join(f"{name:>20}" for name in SERVERS),
    ]
    for kind, row in rows.items():
        cells = "".join(f"{row[name]['ratio']:>11.2f} ({row[name]['cpu_us']:>6.0f})" for name in SERVERS)
        lines.append(f"{kind:<15}{cells}")
        if errors := {name: row[name]["errors"] for name in SERVERS if row[name]["errors"]}:
            lines.append(f"  errors: {errors}")
    means = result["geometric_mean_ratio"]
    assert isinstance(means, dict)
    lines.append(f"{'geometric mean':<15}" + "".join(f"{means[name]:>20.3f}" for name in SERVERS))
    lines.append(
        "cached = uvicorn alone (the floor of the stack); in-process = + pyoxigraph in the server (not killable); "
        "worker = + the query on a killable worker process; algokg = + middleware, query gate, negotiation"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_arguments(parser, duration=2.0, warmup=0.5, rounds=3)
    args = parser.parse_args(argv)
    result = run(args.size, **load_options(args))
    return reported(result, report(result), args.json)


if __name__ == "__main__":
    main()
