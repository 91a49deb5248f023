"""Load throughput: the whole `algokg load` pipeline against pyoxigraph's raw bulk load of the same triples.

For each size a register export is generated (benchmarks.generate), loaded into a fresh on-disk
store through the pipeline (read CSV, map, reconcile, commit, refresh current state; SHACL
validation off and, up to --validate-up-to, on), and the very quads it stored are bulk-loaded
raw into another fresh on-disk store. The ratio is raw time / pipeline time (1.0 = as fast as
raw; the loader's goal is >= 0.5 without validation).

    python -m benchmarks.load --sizes 1000,10000,100000 [--repeat 3] [--json results.json]
"""

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from benchmarks.generate import generate
from loader.pipeline import load_paths
from loader.reference import reference_data
from loader.sourceload import source_graph
from loader.store import open_store


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(size: int, *, repeat: int, validate: bool, work: Path) -> dict[str, float | int | bool]:
    export = generate(size, work / f"register-{size}.csv")
    reference = reference_data()
    runs = iter(range(repeat))
    stores: list[Path] = []

    def pipeline() -> None:
        store_dir = work / f"store-{size}-{validate}-{next(runs)}"
        stores.append(store_dir)
        load_paths(store_dir, [export], run_validation=validate, reference=reference)

    pipeline_seconds = _median_seconds(pipeline, repeat)
    # The baseline loads exactly what the pipeline stored: the source graph, its provenance, the
    # derived current-state graph and the model, as N-Quads, raw.
    loaded = open_store(stores[-1])
    quads_file = work / f"quads-{size}.nq"
    loaded.dump(str(quads_file), format=RdfFormat.N_QUADS)
    triples = len(loaded)
    graph = source_graph(hashlib.sha256(export.read_bytes()).hexdigest())
    source_triples = sum(1 for _ in loaded.quads_for_pattern(None, None, None, graph))
    del loaded
    raw_runs = iter(range(repeat))

    def raw() -> None:
        store = Store(str(work / f"raw-{size}-{validate}-{next(raw_runs)}"))
        store.bulk_load(path=str(quads_file), format=RdfFormat.N_QUADS)
        store.flush()

    raw_seconds = _median_seconds(raw, repeat)
    return {
        "algorithms": size,
        "triples": triples,
        "source_triples": source_triples,
        "validation": validate,
        "pipeline_seconds": round(pipeline_seconds, 3),
        "raw_bulk_load_seconds": round(raw_seconds, 3),
        "pipeline_triples_per_second": round(triples / pipeline_seconds),
        "ratio": round(raw_seconds / pipeline_seconds, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median); 1 for sizes over 10k")
    parser.add_argument(
        "--validate-up-to", type=int, default=10000, help="also measure with SHACL (pyshacl) up to this size"
    )
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="algokg-bench-") as tmp:
        for size in (int(part) for part in args.sizes.split(",")):
            repeat = args.repeat if size <= 10000 else 1
            for validate in (False, True) if size <= args.validate_up_to else (False,):
                result = measure(size, repeat=repeat, validate=validate, work=Path(tmp))
                results.append(result)
                print(
                    f"{result['algorithms']:>8} algorithms {result['triples']:>9} triples  validation "
                    f"{'on ' if validate else 'off'}  pipeline {result['pipeline_seconds']:>8.2f} s  raw bulk load "
                    f"{result['raw_bulk_load_seconds']:>7.2f} s  ratio {result['ratio']:.2f}",
                    flush=True,
                )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
