"""`python -m benchmarks.updates`: an INSERT DATA of N triples through `/update` while `/health` is polled.

For each size: the time the analysis takes in one process (screen, pyoxigraph's parse, the graphs it names;
rdflib's parser took 19.6 s for 2,000 triples and 650 s for 10,000 before), then the whole write against a real
`algokg serve` on a fresh example store (the body worker's start on the first write included), and the slowest
`/health` answer meanwhile (the event loop must stay free: it was blocked 17.7 s by the 2,000-triple update).
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.processes import free_port, running
from loader.store import build_store
from sparql_api.body_jobs import check_syntax
from sparql_api.update_plan import plan_update, screen

TOKEN = "benchmark-token"


def insert_data(triples: int) -> str:
    """About 65 bytes a triple, as in the issue's 130 KB for 2,000."""
    lines = [f'<http://example.org/s{i}> <http://example.org/p> "value {i}" .' for i in range(triples)]
    return "INSERT DATA { GRAPH <http://example.org/bulk> {\n" + "\n".join(lines) + "\n} }"


def analysis_seconds(update: str) -> float:
    started = time.perf_counter()
    screen(update, 100)
    check_syntax(update, "http://127.0.0.1/update")
    plan_update(update, "http://127.0.0.1/update")
    return time.perf_counter() - started


def write_while_polling(base: str, update: str) -> tuple[int, float, float, int]:
    """(status, seconds of the write, slowest /health, /health answers) for one update."""
    answer: dict[str, Any] = {}

    def send() -> None:
        started = time.perf_counter()
        response = httpx.post(
            f"{base}/update",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
            timeout=3600,
        )
        answer.update(status=response.status_code, seconds=time.perf_counter() - started)

    thread = threading.Thread(target=send)
    thread.start()
    slowest, polls = 0.0, 0
    while thread.is_alive():
        started = time.perf_counter()
        httpx.get(f"{base}/health", timeout=3600)
        slowest, polls = max(slowest, time.perf_counter() - started), polls + 1
        time.sleep(0.05)
    thread.join()
    return answer["status"], answer["seconds"], slowest, polls


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000", help="triples per update, comma-separated")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="algokg-bench-updates-") as folder:
        store_dir = Path(folder) / "store"
        build_store(store_dir)
        port = free_port()
        command = [sys.executable, "-m", "loader.cli", "serve", "--offline", "--store", str(store_dir)]
        command += ["--port", str(port)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALGOKG_")} | {"ALGOKG_WRITE_TOKEN": TOKEN}
        base = f"http://127.0.0.1:{port}"
        with running(command, f"{base}/health", "algokg serve", Path(folder) / "server.log", env=env):
            for size in (int(size) for size in args.sizes.split(",")):
                update = insert_data(size)
                analysis = analysis_seconds(update)
                status, seconds, slowest, polls = write_while_polling(base, update)
                results[str(size)] = {
                    "bytes": len(update.encode()),
                    "analysis_s": round(analysis, 3),
                    "status": status,
                    "write_s": round(seconds, 2),
                    "slowest_health_s": round(slowest, 3),
                    "health_answers": polls,
                }
                print(
                    f"{size:>7} triples ({len(update) // 1000} KB): analysis {analysis:.3f} s; write {status} in "
                    f"{seconds:.2f} s; /health slowest {slowest:.3f} s over {polls} answers",
                    flush=True,
                )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
