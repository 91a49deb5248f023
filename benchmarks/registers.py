"""Load time of every other register together against pyoxigraph's raw bulk load of the same quads.

Measured as the Dutch loader is (benchmarks.load): the US inventory's use cases and COTS file, AI Watch (with
the Amsterdam and Helsinki registers) and the UK ATRS record summaries are read, mapped, validated and committed
in one generation (`loader.importers.common.commit_sources`, as the import commands do) into a store that holds
the model (built before the clock starts). The commit writes that whole generation (the sources, their PROV-O and
SHACL results, current state, the model graphs rewritten), so the raw baseline is a bulk load of exactly the
quads that generation holds, dumped as N-Quads after the first run, into a fresh on-disk store. Import and raw
runs alternate (I R I R …) so that the noise of a shared machine hits both; each import run is compared with
the mean of the raw runs either side of it and the ratio reported is the median of those (raw seconds / ours,
1.0 = as fast as raw, goal >= 0.5), with SHACL validation on (the compiled validator, as the imports run it) and
off. Reads ../shared (nothing to measure without it).

    python -m benchmarks.registers [--shared ../shared] [--repeat 3] [--profile out.prof]
"""

import argparse
import cProfile
import gc
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from compliance.atrs import atrs_source, read_records
from loader.importers.ai_watch_import import prepare_ai_watch
from loader.importers.common import ImportReport, commit_sources, read_source
from loader.importers.us_import import prepare_cots, prepare_use_cases
from loader.sourceload import SourceLoad
from loader.store import build_store, open_store

DEFAULT_SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def _prepare(shared: Path, validate: bool) -> list[tuple[SourceLoad, ImportReport | None]]:
    """Every register's files read, mapped and (``validate``) checked, as the import commands do it."""
    folder = shared / "reference" / "other-registers"
    us = folder / "us-federal-2025"
    profiles: dict = {} if validate else {"profiles": ()}
    validator = "sparql" if validate else "none"
    atrs = folder / "uk-atrs" / "atrs_records.json"
    prepared: list[tuple[SourceLoad, ImportReport | None]] = [
        prepare_use_cases(us / "2025_individually_reported_AI_use_cases.csv", **profiles),
        prepare_cots(us / "2025_consolidated_COTS_AI_use_cases.csv", **profiles),
        *prepare_ai_watch(folder / "eu-ai-watch", validator=validator),
        # `algokg import-atrs` has no SHACL profile of its own: the same load with validation on or off.
        (atrs_source(read_records(atrs), read_source(atrs).sha256, atrs.name), None),
    ]
    return prepared


def import_all(store_dir: Path, shared: Path, validate: bool) -> int:
    """Read, map, validate and commit every register in one generation; the number of quads the sources gave."""
    prepared = _prepare(shared, validate)
    commit_sources(store_dir, [load for load, _ in prepared], [report for _, report in prepared if report])
    return sum(len(load.quads) + len(load.provenance) + len(load.validation) for load, _ in prepared)


def _cpu() -> float:
    # The process and its threads (RocksDB's background work runs in threads of this process).
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``action``."""
    gc.collect()  # garbage of the previous run is not this run's cost
    started, cpu = time.perf_counter(), _cpu()
    action()
    return time.perf_counter() - started, _cpu() - cpu


def _raw_load(quads_file: Path, store_dir: Path) -> None:
    store = Store(str(store_dir))
    store.bulk_load(path=str(quads_file), format=RdfFormat.N_QUADS)
    store.flush()
    del store  # closed, as the import's generation is at the end of a commit


def measure_mode(shared: Path, validate: bool, *, repeat: int, work: Path, profile: Path | None = None) -> dict:
    """``repeat`` import runs, each between raw bulk loads of the quads the first one stored."""
    quads_file = work / f"registers-{validate}.nq"
    ours: list[tuple[float, float]] = []  # (wall-clock, CPU) seconds per run
    raws: list[tuple[float, float]] = []
    counts: dict[str, int] = {}

    def imported(run: int) -> None:
        store_dir = work / f"import-{validate}-{run}"
        build_store(store_dir, datasets=())  # the model: there before any import, not timed
        profiler = cProfile.Profile() if profile is not None and run == 0 else None
        if profiler:
            profiler.enable()
        ours.append(_timed(lambda: counts.__setitem__("source_quads", import_all(store_dir, shared, validate))))
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(profile.with_suffix(f".{'on' if validate else 'off'}.prof")))
        if not quads_file.exists():
            stored = open_store(store_dir)
            stored.dump(str(quads_file), format=RdfFormat.N_QUADS)
            counts["quads"] = len(stored)
            del stored
        shutil.rmtree(store_dir)

    def raw(run: int) -> None:
        store_dir = work / f"raw-{validate}-{run}"
        raws.append(_timed(lambda: _raw_load(quads_file, store_dir)))
        shutil.rmtree(store_dir)

    for run in range(repeat):
        imported(run)
        raw(run)
    quads_file.unlink()

    def ratios(kind: int) -> list[float]:
        return [statistics.mean(r[kind] for r in raws[max(0, i - 1) : i + 1]) / run[kind] for i, run in enumerate(ours)]

    wall, cpu = ratios(0), ratios(1)
    return {
        "validation": validate,
        "quads": counts["quads"],
        "source_quads": counts["source_quads"],
        "repeat": repeat,
        "ours_s": round(statistics.median(run[0] for run in ours), 3),
        "raw_s": round(statistics.median(run[0] for run in raws), 3),
        "ratio": round(statistics.median(wall), 3),
        "ratios": [round(ratio, 3) for ratio in wall],
        "ours_runs_s": [round(run[0], 3) for run in ours],
        "raw_runs_s": [round(run[0], 3) for run in raws],
        # CPU time is steadier than wall-clock when other work shares the machine (same definition of ratio).
        "ours_cpu_s": round(statistics.median(run[1] for run in ours), 3),
        "raw_cpu_s": round(statistics.median(run[1] for run in raws), 3),
        "cpu_ratio": round(statistics.median(cpu), 3),
    }


def measure(
    shared: Path = DEFAULT_SHARED,
    work: Path | None = None,
    *,
    repeat: int = 1,
    profile: Path | None = None,
    modes: tuple[bool, ...] = (True, False),
) -> list[dict[str, object]]:
    """One row per mode (validation on, off: `modes`): median seconds ours and raw, quads stored, median ratio."""
    if not (shared / "reference" / "other-registers").is_dir():
        return []
    _prepare(shared, True)  # once per process, as for the Dutch loader: vocabulary, compiled shapes, imports
    with tempfile.TemporaryDirectory(prefix="algokg-registers-", dir=work) as tmp:
        return [measure_mode(shared, validate, repeat=repeat, work=Path(tmp), profile=profile) for validate in modes]


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--repeat", type=int, default=3, help="import runs per mode, each between raw runs")
    parser.add_argument("--work", type=Path, help="directory for the stores (default: a temporary one)")
    parser.add_argument("--profile", type=Path, help="cProfile the first import run of each mode into this (.prof)")
    args = parser.parse_args(argv)
    rows = measure(args.shared, args.work, repeat=args.repeat, profile=args.profile)
    for row in rows:
        print(
            f"all registers, validation {'on ' if row['validation'] else 'off'}  {row['quads']} quads  "
            f"import {row['ours_s']:.2f} s  raw bulk load {row['raw_s']:.2f} s  ratio {row['ratio']:.2f}  "
            f"(runs: {', '.join(f'{ratio:.2f}' for ratio in row['ratios'])}; CPU {row['ours_cpu_s']:.2f} s "  # type: ignore[attr-defined]
            f"vs {row['raw_cpu_s']:.2f} s, ratio {row['cpu_ratio']:.2f})",
            flush=True,
        )
    return rows


if __name__ == "__main__":
    main()
