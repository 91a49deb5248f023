"""Load throughput: the whole `algokg load` pipeline against pyoxigraph's raw bulk load of the same quads.

For each size a register export is generated (benchmarks.generate) and loaded into a fresh on-disk
store through the pipeline (read the CSV, map, reconcile, commit: model, source graph, provenance,
current state; SHACL validation off, and also on up to --validate-up-to algorithms). The very quads
it stored (dumped as N-Quads) are bulk-loaded raw into another fresh on-disk store. Pipeline and raw
runs alternate (pipeline, raw, pipeline, raw, …) so that the noise of a shared machine hits both;
each pipeline run is compared with the mean of the raw runs either side of it, and the ratio reported
is the median of those (1.0 = as fast as raw; the goal is >= 0.5). Absolute times (medians and every
run) and the CPU time used are reported too.

Not timed: building the reference data (organisation lists, schemes, law names; once per process,
reported as `reference_data_seconds`) and generating the export.

    python -m benchmarks.load --sizes 1000,10000,100000 [--repeat 3] [--json results.json]
"""

import argparse
import gc
import hashlib
import json
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from benchmarks.generate import generate
from loader.pipeline import LoadReport, load_paths
from loader.reference import ReferenceData, reference_data
from loader.sourceload import source_graph
from loader.store import open_store


@dataclass
class Run:
    seconds: float
    cpu_seconds: float


@dataclass
class Series:
    pipeline: list[Run] = field(default_factory=list)
    raw: list[Run] = field(default_factory=list)
    commit_seconds: list[float] = field(default_factory=list)


def _cpu() -> float:
    # Both the process and its threads (RocksDB's background work runs in threads of this process).
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(action: Callable[[], object]) -> tuple[Run, object]:
    gc.collect()  # garbage of the previous run is not this run's cost
    started, cpu = time.perf_counter(), _cpu()
    result = action()
    return Run(time.perf_counter() - started, _cpu() - cpu), result


def _raw_load(quads_file: Path, store_dir: Path) -> None:
    store = Store(str(store_dir))
    store.bulk_load(path=str(quads_file), format=RdfFormat.N_QUADS)
    store.flush()
    del store  # closed, as the pipeline's store is at the end of a load


def measure(size: int, *, repeat: int, validate: bool, work: Path, reference: ReferenceData) -> dict[str, object]:
    export = work / f"register-{size}.csv"
    if not export.exists():
        generate(size, export)
    quads_file = work / f"quads-{size}-{validate}.nq"
    series = Series()
    counts: dict[str, int] = {}

    def pipeline(run: int) -> None:
        store_dir = work / f"pipeline-{run}"
        timing, report = _timed(lambda: load_paths(store_dir, [export], run_validation=validate, reference=reference))
        assert isinstance(report, LoadReport) and report.commit is not None
        series.pipeline.append(timing)
        series.commit_seconds.append(report.commit.seconds)
        if not quads_file.exists():
            # The raw baseline loads exactly what the pipeline stored: the source graph, its provenance
            # (and validation results), the derived current-state graphs and the model.
            loaded = open_store(store_dir)
            loaded.dump(str(quads_file), format=RdfFormat.N_QUADS)
            graph = source_graph(hashlib.sha256(export.read_bytes()).hexdigest())
            counts["triples"] = len(loaded)
            counts["source_triples"] = sum(1 for _ in loaded.quads_for_pattern(None, None, None, graph))
            del loaded
        shutil.rmtree(store_dir)

    def raw(run: int) -> None:
        store_dir = work / f"raw-{run}"
        series.raw.append(_timed(lambda: _raw_load(quads_file, store_dir))[0])
        shutil.rmtree(store_dir)

    # The first pipeline run makes the quads file, so the order is P R P R …: every pipeline run has a
    # raw run after it, and all but the first one before it.
    for run in range(repeat):
        pipeline(run)
        raw(run)
    quads_file.unlink()
    ratios = []
    for index, run in enumerate(series.pipeline):
        around = series.raw[max(0, index - 1) : index + 1]
        ratios.append(statistics.mean(r.seconds for r in around) / run.seconds)
    pipeline_seconds = statistics.median(r.seconds for r in series.pipeline)
    raw_seconds = statistics.median(r.seconds for r in series.raw)
    return {
        "algorithms": size,
        "triples": counts["triples"],
        "source_triples": counts["source_triples"],
        "validation": validate,
        "repeat": repeat,
        "pipeline_seconds": round(pipeline_seconds, 3),
        "raw_bulk_load_seconds": round(raw_seconds, 3),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_of_medians": round(raw_seconds / pipeline_seconds, 3),
        "ratios": [round(ratio, 3) for ratio in ratios],
        "pipeline_runs_seconds": [round(r.seconds, 3) for r in series.pipeline],
        "raw_runs_seconds": [round(r.seconds, 3) for r in series.raw],
        "pipeline_cpu_seconds": round(statistics.median(r.cpu_seconds for r in series.pipeline), 3),
        "raw_cpu_seconds": round(statistics.median(r.cpu_seconds for r in series.raw), 3),
        "commit_seconds": round(statistics.median(series.commit_seconds), 3),
        "pipeline_triples_per_second": round(counts["triples"] / pipeline_seconds),
        "raw_triples_per_second": round(counts["triples"] / raw_seconds),
    }


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3, help="pipeline runs per measurement, each between raw runs")
    parser.add_argument(
        "--repeat-over-10k", type=int, default=1, help="pipeline runs for sizes over 10k (a 100k pair takes minutes)"
    )
    parser.add_argument(
        "--validate-up-to",
        type=int,
        default=1000,
        help="also measure with SHACL validation (the compiled validator, as loads run it) up to this size",
    )
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--work", type=Path, help="directory for exports and stores (default: a temporary one)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    reference = reference_data()
    reference_seconds = time.perf_counter() - started
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="algokg-bench-", dir=args.work) as tmp:
        for size in (int(part) for part in args.sizes.split(",")):
            repeat = args.repeat if size <= 10000 else args.repeat_over_10k
            for validate in (False, True) if size <= args.validate_up_to else (False,):
                result = measure(size, repeat=repeat, validate=validate, work=Path(tmp), reference=reference)
                results.append(result)
                print(
                    f"{size:>8} algorithms {result['triples']:>9} triples  validation {'on ' if validate else 'off'}"
                    f"  pipeline {result['pipeline_seconds']:>8.2f} s  raw bulk load "
                    f"{result['raw_bulk_load_seconds']:>7.2f} s  ratio {result['ratio']:.2f}"
                    f"  (runs: {', '.join(f'{ratio:.2f}' for ratio in result['ratios'])})",  # type: ignore[attr-defined]
                    flush=True,
                )
    if args.json:
        document = {
            "goal": "ratio = raw bulk-load seconds / pipeline seconds >= 0.5",
            "python": sys.version.split()[0],
            "machine": platform.platform(),
            "reference_data_seconds": round(reference_seconds, 3),
            "results": results,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
