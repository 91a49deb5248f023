"""Abuse benchmark: 50 anonymous clients run expensive queries while a probe measures what everyone else gets.

    python -m benchmarks.abuse --size 1000 --clients 50 --duration 40 --json benchmarks/results-abuse.json

A synthetic register (`benchmarks.generate`, 1k algorithms) is loaded by the pipeline and served by `algokg
serve` with its defaults (2 query workers, the anonymous limits of `sparql_api.limits` and `sparql_api.lanes`).
Each attacking client has its own loopback address (127.0.0.2 … 127.0.0.51), so the server's per-client limits
see `--clients` clients, and keeps `--in-flight` requests going: a cartesian COUNT asking `timeout=60`, sent
again the moment it is answered, whatever the answer (a real abuser does not honour Retry-After). The
attackers run in a process of their own, so their threads do not slow the probe's clock.

The probe, from 127.0.0.1, sends every `--interval` seconds `GET /health` and a cheap query (the title of one
algorithm), first for `--idle` seconds with no attackers (the baseline), then for `--duration` seconds under
attack (after `--warmup` seconds for the attack to build up). Goals: `/health` p99 < 100 ms, the cheap query
p99 < 1 s; a probe answer other than 200 counts as a failure and is timed like any other.

Figures on a shared 2-core machine are indicative: the server, the attackers and the probe share the cores.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from pathlib import Path

import httpx

from benchmarks.http import PREFIXES, build_store
from benchmarks.processes import free_port, running

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HEALTH_GOAL_MS, QUERY_GOAL_MS = 100.0, 1000.0


@dataclass
class Probe:
    """Latencies (ms) of one probed request, and how many answers were not 200."""

    latencies: list[float]
    failures: int

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")

    def summary(self) -> dict[str, float]:
        return {
            "requests": len(self.latencies),
            "failures": self.failures,
            "p50_ms": round(self.percentile(0.5), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "max_ms": round(max(self.latencies, default=float("nan")), 2),
            "mean_ms": round(statistics.fmean(self.latencies), 2) if self.latencies else float("nan"),
        }


def attacker_address(index: int) -> str:
    return f"127.0.0.{index + 2}"


def _attack(base: str, clients: int, in_flight: int, stop: Event, results: "multiprocessing.Queue[dict]") -> None:
    """`clients` times `in_flight` threads, each sending the expensive query again and again from its address."""
    statuses: Counter[str] = Counter()
    lock = threading.Lock()

    def one(address: str) -> None:
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(transport=transport, timeout=120) as client:
            while not stop.is_set():
                try:
                    status = str(client.post(f"{base}/sparql", data={"query": CARTESIAN, "timeout": "60"}).status_code)
                except httpx.TransportError as error:
                    status = type(error).__name__
                with lock:
                    statuses[status] += 1

    threads = [
        threading.Thread(target=one, args=(attacker_address(index),), daemon=True)
        for index in range(clients)
        for _ in range(in_flight)
    ]
    for thread in threads:
        thread.start()
    stop.wait()
    # Requests still waiting are not waited for: the process ends, its connections close, the server stops them.
    with lock:
        results.put(dict(statuses))


def _probe(base: str, query: str, seconds: float, interval: float) -> tuple[Probe, Probe]:
    health, cheap = Probe([], 0), Probe([], 0)
    with httpx.Client(timeout=60) as client:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            for probe, send in (
                (health, lambda: client.get(f"{base}/health")),
                (cheap, lambda: client.get(f"{base}/sparql", params={"query": query})),
            ):
                started = time.perf_counter()
                try:
                    ok = send().status_code == 200
                except httpx.TransportError:
                    ok = False
                probe.latencies.append((time.perf_counter() - started) * 1000)
                probe.failures += not ok
            time.sleep(interval)
    return health, cheap


def _cheap_query(base: str) -> str:
    """A point lookup: the title of the first algorithm (an IRI from the data, found once before measuring)."""
    find = PREFIXES + "SELECT ?a WHERE { ?a a akg:Algorithm } ORDER BY ?a LIMIT 1"
    answer = httpx.get(f"{base}/sparql", params={"query": find}, headers={"Accept": "application/sparql-results+json"})
    algorithm = answer.json()["results"]["bindings"][0]["a"]["value"]
    return PREFIXES + f"SELECT ?title WHERE {{ <{algorithm}> dct:title ?title }}"


def run(
    size: int,
    *,
    clients: int = 50,
    in_flight: int = 2,
    duration: float = 40.0,
    idle: float = 5.0,
    warmup: float = 3.0,
    interval: float = 0.1,
    work: Path,
) -> dict[str, object]:
    work.mkdir(parents=True, exist_ok=True)
    store_dir = build_store(size, work)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "loader.cli", "serve", "--store", str(store_dir), "--port", str(port)]
    env = {name: value for name, value in os.environ.items() if not name.startswith("ALGOKG_")}  # the defaults
    with running(command, f"{base}/health", "algokg serve", work / "abuse-server.log", env=env):
        query = _cheap_query(base)
        idle_health, idle_query = _probe(base, query, idle, interval)
        context = multiprocessing.get_context("spawn")
        stop, results = context.Event(), context.Queue()
        attackers = context.Process(target=_attack, args=(base, clients, in_flight, stop, results))
        attackers.start()
        try:
            time.sleep(warmup)
            health, cheap = _probe(base, query, duration, interval)
        finally:
            stop.set()
            statuses = results.get(timeout=60)
            attackers.join(timeout=30)
    return {
        "algorithms": size,
        "clients": clients,
        "in_flight_per_client": in_flight,
        "seconds": duration,
        "probe_interval": interval,
        "idle": {"health": idle_health.summary(), "cheap_query": idle_query.summary()},
        "attack": {"health": health.summary(), "cheap_query": cheap.summary()},
        "attacker_statuses": statuses,
        "goals_ms": {"health_p99": HEALTH_GOAL_MS, "cheap_query_p99": QUERY_GOAL_MS},
    }


def rows(result: dict[str, object]) -> list:
    """The lines of `benchmarks.run`'s table: p50 against the idle baseline, p99 against its goal."""
    from benchmarks.run import Row

    size = int(result["algorithms"])  # type: ignore[call-overload]
    idle, attack = result["idle"], result["attack"]
    assert isinstance(idle, dict) and isinstance(attack, dict)
    table = []
    for name, label, goal in (("health", "/health", HEALTH_GOAL_MS), ("cheap_query", "cheap query", QUERY_GOAL_MS)):
        ours, quiet = attack[name], idle[name]
        table.append(Row("abuse", f"{label} p50, under attack vs idle", size, ours["p50_ms"], quiet["p50_ms"], "ms",
                         None, ""))  # fmt: skip
        ratio = goal / ours["p99_ms"] if ours["p99_ms"] > 0 else None
        table.append(Row("abuse", f"{label} p99, {goal:g} ms goal / ours", size, ours["p99_ms"], goal, "ms", ratio,
                         ">=1"))  # fmt: skip
        table.append(Row("abuse", f"{label} answers not 200 (of {ours['requests']})", size, ours["failures"], 0, "",
                         None, ""))  # fmt: skip
    return table


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000, help="algorithms in the generated register")
    parser.add_argument("--clients", type=int, default=50, help="attacking clients, one loopback address each")
    parser.add_argument("--in-flight", type=int, default=2, help="expensive requests each attacker keeps going")
    parser.add_argument("--duration", type=float, default=40.0, help="seconds measured under attack")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds measured before the attack (baseline)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds the attack runs before measuring")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between two probes")
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--work", type=Path, help="directory for the register, store and log (default: temporary)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="algokg-bench-abuse-", dir=args.work) as tmp:
        result = run(
            args.size,
            clients=args.clients,
            in_flight=args.in_flight,
            duration=args.duration,
            idle=args.idle,
            warmup=args.warmup,
            interval=args.interval,
            work=Path(tmp),
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    from benchmarks.run import table

    print(json.dumps({"attacker_statuses": result["attacker_statuses"]}))
    print(table(rows(result)))
    return result


if __name__ == "__main__":
    main()
