"""Load time of every other register together (the US inventory's use cases and COTS file, AI Watch with the
Amsterdam and Helsinki registers) against pyoxigraph's raw bulk load of the same quads into a fresh on-disk store,
measured in the same run; the ratio as for the Dutch loader (raw seconds / ours, goal >= 0.5), with SHACL
validation on and off. Reads ../shared (nothing to measure without it).

    python -m benchmarks.registers [--shared ../shared]
"""

import argparse
import tempfile
import time
from pathlib import Path

from pyoxigraph import Store

from loader.importers.ai_watch_import import prepare_ai_watch
from loader.importers.common import commit_sources
from loader.importers.us_import import prepare_cots, prepare_use_cases
from loader.store import build_store

DEFAULT_SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def _prepare(shared: Path, validate: bool) -> list:
    folder = shared / "reference" / "other-registers"
    us = folder / "us-federal-2025"
    profiles: dict = {} if validate else {"profiles": ()}
    prepared = [
        prepare_use_cases(us / "2025_individually_reported_AI_use_cases.csv", **profiles),
        prepare_cots(us / "2025_consolidated_COTS_AI_use_cases.csv", **profiles),
    ]
    validator = "sparql" if validate else "none"
    return prepared + [(load, report) for load, report in prepare_ai_watch(folder / "eu-ai-watch", validator=validator)]


def measure(shared: Path = DEFAULT_SHARED, work: Path | None = None) -> list[dict[str, object]]:
    """One row per mode (validation on, off): seconds ours, seconds raw, quads, ratio."""
    if not (shared / "reference" / "other-registers").is_dir():
        return []
    rows = []
    with tempfile.TemporaryDirectory(prefix="algokg-registers-", dir=work) as tmp:
        for validate in (True, False):
            store_dir = Path(tmp) / f"store-{validate}"
            build_store(store_dir, datasets=())
            started = time.perf_counter()
            prepared = _prepare(shared, validate)
            commit_sources(store_dir, [load for load, _ in prepared], [report for _, report in prepared])
            ours = time.perf_counter() - started
            quads = [q for load, _ in prepared for q in (*load.quads, *load.provenance, *load.validation)]
            raw_dir = Path(tmp) / f"raw-{validate}"
            started = time.perf_counter()
            raw = Store(str(raw_dir))
            raw.bulk_extend(quads)
            raw.flush()
            del raw
            baseline = time.perf_counter() - started
            rows.append(
                {
                    "validation": validate,
                    "quads": len(quads),
                    "ours_s": round(ours, 2),
                    "raw_s": round(baseline, 2),
                    "ratio": round(baseline / ours, 3),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    for row in measure(parser.parse_args().shared):
        print(row)


if __name__ == "__main__":
    main()
