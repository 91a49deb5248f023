"""Every benchmark in one run, each against its baseline measured in the same run: one table, and JSON.

    python -m benchmarks.run [--sizes 1000,10000] [--quick] [--only load,validation,rest,http,layers,abuse,…]
                             [--cores N] [--json benchmarks/results.json]

- load: the `algokg load` pipeline against pyoxigraph's raw bulk load of the same quads (`benchmarks.load`);
  ratio = raw / pipeline seconds, goal >= 0.5; also with SHACL validation on, up to `--validate-up-to`.
- validation (the SHACL section): one source's quads validated by the compiled SHACL→SPARQL engine (the
  loader's default) against pyshacl (the reference), ratio = pyshacl / compiled seconds, goal >= 20, up to
  `--validate-up-to`; and one record checked in place in a store of each size, as the write gate does
  (`benchmarks/shacl.py`), goal < 20 ms (at 100k; ratio = 20 ms / ours, goal >= 1).
- rest: each `/api/…` template over HTTP against its own SPARQL on pyoxigraph in-process (`benchmarks.rest`);
  ratio = cold latency / raw, goal <= 1.5.
- http: `/sparql` against `oxigraph serve-read-only` on the same data (`benchmarks.http`); ratio = throughput
  of algokg / Oxigraph, goal >= 0.8.
- layers: `/sparql` taken apart (`benchmarks.http_floor`): uvicorn alone with cached answers, + pyoxigraph in the
  server, + the killable query workers, algokg; each a throughput ratio to Oxigraph in the same run, no goal:
  where a kind misses the http goal, these rows say which layer costs it and what the stack's floor is.
- abuse: 50 anonymous clients running expensive queries while a probe times `/health` and a cheap query
  (`benchmarks.abuse`, at the smallest size); p50 against the idle server, p99 against its goal (100 ms, 1 s):
  ratio = goal / p99, goal >= 1.
- fidelity: the register's samples (../shared/samples) against the gold files in tests/gold/ (`benchmarks.fidelity`,
  `make fidelity`); ours = precision, baseline = recall, size = the units compared. Skipped without ../shared.

Every run records the machine's cores, this process's CPU affinity (as `taskset -p` shows it) and the load
averages (1/5/15 min) at its start and end, and each row the 1-minute load when it was measured: a ratio from a
busy or smaller machine is read against them. ``--cores N`` pins the run (and every process it starts) to N CPUs,
so figures from machines with different core counts can be compared on equal terms (`benchmarks.machine`).

Times are medians. The JSON (default `benchmarks/results.json`, not committed) holds the table's rows and
every benchmark's full result, with the machine, Python version and git commit, so runs can be compared.
`--quick` shortens every measurement (fewer repeats, shorter durations; the other registers with validation only): for a
smoke run, not for figures.
"""

import argparse
import gc
import json
import multiprocessing
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import abuse as abuse_bench
from benchmarks import fidelity as fidelity_bench
from benchmarks import http as http_bench
from benchmarks import http_floor, machine
from benchmarks import load as load_bench
from benchmarks import rest as rest_bench
from benchmarks.generate import generate
from loader.reference import ReferenceData, reference_data

BENCHMARKS = ("load", "validation", "rest", "http", "layers", "abuse", "fidelity", "registers")
DEFAULT_JSON = Path(__file__).parent / "results.json"


@dataclass
class Row:
    """One line of the table: our figure, the baseline's, their ratio and the goal for it."""

    benchmark: str
    case: str
    size: int
    ours: float | None
    baseline: float | None
    unit: str
    ratio: float | None
    goal: str
    load: float = field(default_factory=lambda: machine.load_average()[0])  # 1-min load average when measured

    def met(self) -> str:
        if self.ratio is None or not self.goal:
            return ""
        bound = float(self.goal[2:])
        return "yes" if (self.ratio >= bound if self.goal.startswith(">=") else self.ratio <= bound) else "no"


@dataclass
class Settings:
    load_repeat: int
    validate_up_to: int
    validation_repeat: int
    rest_urls: int
    rest_clients: int
    rest_repeat: int
    rest_warm_repeat: int
    http_clients: int
    duration: float
    warmup: float


def settings(quick: bool, duration: float | None, validate_up_to: int) -> Settings:
    if quick:
        return Settings(1, validate_up_to, 1, 2, 2, 1, 1, 2, duration or 0.5, 0.1)
    return Settings(3, validate_up_to, 3, 8, 4, 3, 5, 8, duration or 3.0, 1.0)


# -- load ------------------------------------------------------------------------------------------


def run_load(sizes: Sequence[int], config: Settings, work: Path, reference: ReferenceData) -> tuple[list[Row], list]:
    rows: list[Row] = []
    details: list[dict[str, object]] = []
    for size in sizes:
        for validate in (False, True) if size <= config.validate_up_to else (False,):
            result = load_bench.measure(
                size, repeat=config.load_repeat, validate=validate, work=work, reference=reference
            )
            details.append(result)
            rows.append(
                Row(
                    "load",
                    f"pipeline, validation {'on' if validate else 'off'} ({result['triples']} triples)",
                    size,
                    float(result["pipeline_seconds"]),  # type: ignore[arg-type]
                    float(result["raw_bulk_load_seconds"]),  # type: ignore[arg-type]
                    "s",
                    float(result["ratio"]),  # type: ignore[arg-type]
                    ">=0.5",
                )
            )
            print(f"load {size} validation {'on' if validate else 'off'}: ratio {result['ratio']}", flush=True)
    return rows, details


# -- validation ------------------------------------------------------------------------------------


def _median_seconds(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    seconds, _, result = _median_times(action, repeat)
    return seconds, result


def _median_times(action: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median wall seconds and median CPU seconds (this process, every thread) of ``action``, and its result.

    CPU time hardly depends on what else the machine runs; wall time does (a busy core halves it), and a
    threaded engine's wall time also on how many cores are free: the CPU ratio is the one to compare across runs.
    """
    times: list[float] = []
    cpu: list[float] = []
    result: object = None
    for _ in range(repeat):
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = action()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu), result


def run_validation(sizes: Sequence[int], config: Settings, work: Path, reference: ReferenceData) -> tuple[list, list]:
    """SHACL validation as the pipeline runs it (one source's quads with the model), both engines, and one record.

    pyshacl is the baseline (up to ``--validate-up-to``); the compiled SHACL→SPARQL engine (the loader's
    default) is timed on the same quads, results compared. At every size, one record checked in place in a
    store as the write gate does (``benchmarks.shacl.single_record``) against the 20 ms goal.
    """
    from benchmarks import shacl as shacl_bench
    from loader import validation as shacl  # pyshacl is slow to import
    from loader.pipeline import prepare

    rows: list[Row] = []
    details: list[dict[str, object]] = []
    for size in (s for s in sizes if s <= config.validate_up_to):
        export = work / f"register-{size}.csv"
        if not export.exists():
            generate(size, export)
        source, _ = prepare(export, reference=reference, run_validation=False)
        quads = source.quads
        seconds, seconds_cpu, report = _median_times(
            lambda quads=quads: shacl.validate_quads(quads, engine="pyshacl"), config.validation_repeat
        )
        compiled, compiled_cpu, ours = _median_times(
            lambda quads=quads: shacl.validate_quads(quads), config.validation_repeat
        )
        assert isinstance(report, shacl.ValidationReport) and isinstance(ours, shacl.ValidationReport)
        per_1k = seconds / size * 1000
        details.append(
            {
                "algorithms": size,
                "quads": len(quads),
                "pyshacl_seconds": round(seconds, 3),
                "pyshacl_seconds_per_1k": round(per_1k, 3),
                "compiled_seconds": round(compiled, 3),
                "ratio": round(seconds / compiled, 1),
                "pyshacl_cpu_seconds": round(seconds_cpu, 3),
                "compiled_cpu_seconds": round(compiled_cpu, 3),
                "cpu_ratio": round(seconds_cpu / compiled_cpu, 1),
                "results": len(report.results),
                "equal": ours == report,
                "conforms": report.conforms,
                "repeat": config.validation_repeat,
            }
        )
        rows.append(Row("validation", "pyshacl, s per 1k algorithms (baseline)", size, per_1k, per_1k, "s", None, ""))
        case = f"compiled vs pyshacl{'' if ours == report else ' (RESULTS DIFFER)'}"
        rows.append(
            Row("validation", case, size, compiled, seconds, "s", seconds / compiled, f">={shacl_bench.GOAL:g}")
        )
        rows.append(
            Row(
                "validation",
                "compiled vs pyshacl, CPU s (less load-bound)",
                size,
                compiled_cpu,
                seconds_cpu,
                "cpu s",
                seconds_cpu / compiled_cpu,
                f">={shacl_bench.GOAL:g}",
            )
        )
        print(
            f"validation {size}: pyshacl {seconds:.2f} s ({seconds_cpu:.2f} CPU s), compiled {compiled:.3f} s "
            f"({compiled_cpu:.3f} CPU s), equal {ours == report}",
            flush=True,
        )
    for size in sizes:
        quick = config.validation_repeat == 1
        # In a process of its own, as the write gate runs in the server's: after the whole-source runs above, this
        # process's heap (pyshacl's graphs and caches) made every garbage collection, and one record, slower
        # (10k, one core: 20.3 ms here against 12.8 ms in a fresh process; docs/performance.md).
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
            one = fresh.submit(
                shacl_bench.single_record,
                size,
                shacl.DEFAULT_PROFILES,
                work,
                records=3 if quick else 20,
                pyshacl_records=1 if quick else 3,
            ).result()
        details.append({"single_record": one})
        ms, baseline = float(one["ms_median"]), one["pyshacl_neighbourhood_ms_median"]  # type: ignore[arg-type]
        ratio = float(baseline) / ms if isinstance(baseline, float) else None
        rows.append(Row("validation", "one record in a store, ms (vs pyshacl)", size, ms, baseline, "ms", ratio, ""))  # type: ignore[arg-type]
        goal = shacl_bench.SINGLE_RECORD_GOAL_MS
        rows.append(Row("validation", f"one record, {goal:g} ms goal / ours", size, ms, goal, "ms", goal / ms, ">=1"))
        cpu_ms = float(one["cpu_ms_median"])  # type: ignore[arg-type]
        rows.append(Row("validation", "one record, CPU ms (less load-bound)", size, cpu_ms, None, "cpu ms", None, ""))
        print(f"validation {size}: one record {ms:.1f} ms, {cpu_ms:.1f} CPU ms (goal < {goal:g} ms)", flush=True)
    return rows, details


# -- REST and HTTP ---------------------------------------------------------------------------------


def run_rest(sizes: Sequence[int], config: Settings, work: Path) -> tuple[list[Row], dict[int, object]]:
    rows: list[Row] = []
    details: dict[int, object] = {}
    for size in sizes:
        result = rest_bench.run(
            size,
            count=config.rest_urls,
            clients=config.rest_clients,
            duration=config.duration,
            repeat=config.rest_repeat,
            warm_repeat=config.rest_warm_repeat,
            work=work,
        )
        details[size] = result
        templates = result["results"]
        assert isinstance(templates, dict)
        for name, row in templates.items():
            # The medians over the URLs that ran SPARQL (the others were answered from an earlier URL's cache),
            # the same URLs the template's ratio (median of per-URL ratios) is taken over.
            ran = [url for url in row["per_url"] if url["raw_run_ms"] > 0]
            ours = statistics.median(url["cold_ms"] for url in ran) if ran else None
            raw = statistics.median(url["raw_run_ms"] for url in ran) if ran else None
            ratio = row["ratio"] if isinstance(row["ratio"], float) and row["ratio"] > 0 else None
            rows.append(Row("rest", name, size, ours, raw, "ms", ratio, f"<={rest_bench.GOAL}"))
        print(f"rest {size}: geometric mean {result['geometric_mean_ratio']}", flush=True)
    return rows, details


def run_http(sizes: Sequence[int], config: Settings, work: Path) -> tuple[list[Row], dict[int, object]]:
    rows: list[Row] = []
    details: dict[int, object] = {}
    for size in sizes:
        result = http_bench.run(
            size, clients=config.http_clients, duration=config.duration, warmup=config.warmup, work=work
        )
        details[size] = result
        kinds = result["results"]
        assert isinstance(kinds, dict)
        for kind, row in kinds.items():
            ratio = row["ratio"] or None
            rows.append(Row("http", kind, size, row["algokg_rps"], row["oxigraph_rps"], "req/s", ratio, ">=0.8"))
        print(f"http {size}: geometric mean {result['geometric_mean_ratio']}", flush=True)
    return rows, details


def run_layers(sizes: Sequence[int], config: Settings, work: Path) -> tuple[list[Row], dict[int, object]]:
    """`/sparql` layer by layer (`benchmarks.http_floor`): where algokg's requests lose against Oxigraph's. The
    ratios are figures to read, no goals: `cached` is the floor of uvicorn itself."""
    rows: list[Row] = []
    details: dict[int, object] = {}
    quick = config.duration < 1  # a smoke run: the lightest kind and the mix of all
    for size in sizes:
        result = http_floor.run(
            size, clients=config.http_clients, duration=config.duration, warmup=config.warmup, rounds=1, work=work,
            cpus=None, kinds=("point lookup", "mix") if quick else (*http_floor.KINDS, "mix"),
        )  # fmt: skip
        details[size] = result
        kinds = result["results"]
        assert isinstance(kinds, dict)
        for kind, row in kinds.items():
            reference = row["oxigraph"]["rps"]
            for layer in http_floor.SERVERS[1:]:
                figure = row[layer]
                rows.append(Row("layers", f"{kind}: {layer}", size, figure["rps"], reference, "req/s",
                                figure["ratio"] or None, ""))  # fmt: skip
        print(f"layers {size}: geometric means {result['geometric_mean_ratio']}", flush=True)
    return rows, details


def run_abuse(sizes: Sequence[int], config: Settings, work: Path) -> tuple[list[Row], dict[str, object]]:
    """Once, at the smallest size: what an attack costs everybody else does not depend on the data's size."""
    quick = config.duration < 1
    result = abuse_bench.run(
        min(sizes), duration=2.0 if quick else 40.0, idle=1.0 if quick else 5.0, warmup=0.5 if quick else 3.0, work=work
    )
    print(f"abuse {min(sizes)}: {result['attack']}", flush=True)
    return abuse_bench.rows(result), result


def run_fidelity(shared: Path = fidelity_bench.DEFAULT_SHARED) -> tuple[list[Row], list[dict[str, object]]]:
    """Every fidelity family's rows (precision as ours, recall as baseline); none without the samples."""
    if not (shared / "samples").is_dir():
        print(f"fidelity: skipped, no samples under {shared}", flush=True)
        return [], []
    found = fidelity_bench.collect(shared)
    rows = [
        Row(
            "fidelity",
            f"{item['field']}: {item['source']}",
            int(str(item["n"])),
            _score(item["precision"]),
            _score(item["recall"]),
            "P / R",
            None,
            "",
        )
        for item in found
    ]
    print(f"fidelity: {len(rows)} rows", flush=True)
    return rows, found


def run_registers(work: Path, repeat: int = 1, quick: bool = False) -> tuple[list[Row], list[dict[str, object]]]:
    """Every other register loaded together (benchmarks.registers) against raw bulk load; none without ../shared.
    Quick (a smoke run): with validation only."""
    from benchmarks import registers as registers_bench

    found = registers_bench.measure(work=work, repeat=repeat, modes=(True,) if quick else (True, False))
    rows = [
        Row(
            "registers",
            f"all registers, validation {'on' if item['validation'] else 'off'}, s (vs raw bulk load)",
            int(str(item["quads"])),
            float(str(item["ours_s"])),
            float(str(item["raw_s"])),
            "s",
            float(str(item["ratio"])),
            ">=0.5",
        )
        for item in found
    ]
    print(f"registers: {len(rows)} rows", flush=True)
    return rows, found


def _score(value: object) -> float | None:
    return None if value is None else float(str(value))


# -- report ----------------------------------------------------------------------------------------


def geometric_means(rows: Sequence[Row]) -> list[Row]:
    """One summary row per benchmark and size where several cases have ratios (REST templates, HTTP kinds)."""
    summary: list[Row] = []
    for benchmark in ("rest", "http"):
        for size in sorted({row.size for row in rows if row.benchmark == benchmark}):
            ratios = [r.ratio for r in rows if r.benchmark == benchmark and r.size == size and r.ratio]
            if ratios:
                goal = next(r.goal for r in rows if r.benchmark == benchmark)
                mean = round(statistics.geometric_mean(ratios), 3)
                summary.append(Row(benchmark, "geometric mean", size, None, None, "", mean, goal))
    return summary


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}" if value < 100 else f"{value:.0f}"


def table(rows: Sequence[Row], state: dict[str, object] | None = None) -> str:
    lines = [f"machine: {machine.describe(state)}"] if state else []
    lines.append(
        f"{'benchmark':<11} {'case':<44} {'size':>7} {'ours':>10} {'baseline':>10} {'unit':<6} {'ratio':>6} "
        f"{'goal':>6} {'met':>4} {'load':>5}"
    )
    for row in rows:
        ours, base = _figure(row.ours), _figure(row.baseline)
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
        lines.append(
            f"{row.benchmark:<11} {row.case[:44]:<44} {row.size:>7} {ours:>10} {base:>10} {row.unit:<6} {ratio:>6} "
            f"{row.goal:>6} {row.met():>4} {row.load:>5.2f}"
        )
    lines.append(
        "ours / baseline: load = pipeline / raw bulk load (ratio raw/pipeline); validation = compiled / pyshacl s (ratio pyshacl / compiled; also in CPU s of this process), one record ms; "
        "rest = cold HTTP p50 / raw SPARQL p50; http = algokg / oxigraph serve throughput; "
        "abuse = p50 under attack / idle, p99 under attack / goal. Medians. "
        "fidelity = precision / recall on the samples' gold files, size = units compared. "
        "load = 1-min load average when the row was measured."
    )
    return "\n".join(lines)


def _commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000", help="comma-separated numbers of algorithms (default 1000)")
    parser.add_argument("--quick", action="store_true", help="short measurements: a smoke run, not figures")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help=f"comma-separated, of {', '.join(BENCHMARKS)}")
    parser.add_argument(
        "--validate-up-to", type=int, default=1000, help="pyshacl runs (and load with validation) up to this size"
    )
    parser.add_argument("--duration", type=float, help="seconds per concurrent HTTP/REST measurement")
    parser.add_argument(
        "--cores", type=int, help="run on this many CPUs only (this process and every one it starts): comparable ratios"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="write the results here")
    parser.add_argument("--work", type=Path, help="directory for exports, stores and logs (default: a temporary one)")
    args = parser.parse_args(argv)
    sizes = [int(part) for part in args.sizes.split(",") if part]
    chosen = [name for name in args.only.split(",") if name]
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks {sorted(unknown)}; they are {', '.join(BENCHMARKS)}")
    if args.cores is not None:
        try:
            machine.restrict_cores(args.cores)
        except ValueError as problem:
            parser.error(str(problem))
    config = settings(args.quick, args.duration, args.validate_up_to)
    started = datetime.now(UTC)
    at_start = machine.machine_state()
    print(f"machine: {machine.describe(at_start)}", flush=True)
    rows: list[Row] = []
    details: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="algokg-bench-all-", dir=args.work) as tmp:
        work = Path(tmp)
        reference = reference_data() if {"load", "validation"} & set(chosen) else None
        if "load" in chosen:
            assert reference is not None
            (work / "load").mkdir()
            part, details["load"] = run_load(sizes, config, work / "load", reference)
            rows += part
        if "validation" in chosen:
            assert reference is not None
            part, details["validation"] = run_validation(sizes, config, work, reference)
            rows += part
        if "rest" in chosen:
            part, details["rest"] = run_rest(sizes, config, work / "served")
            rows += part
        if "http" in chosen:
            part, details["http"] = run_http(sizes, config, work / "served")
            rows += part
        if "layers" in chosen:
            part, details["layers"] = run_layers(sizes, config, work / "served")
            rows += part
        if "abuse" in chosen:
            part, details["abuse"] = run_abuse(sizes, config, work / "served")
        if "fidelity" in chosen:
            part, details["fidelity"] = run_fidelity()
            rows += part
        if "registers" in chosen:
            part, details["registers"] = run_registers(work, repeat=config.load_repeat, quick=args.quick)
            rows += part
    rows += geometric_means(rows)
    document = {
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        "commit": _commit(),
        "python": sys.version.split()[0],
        "machine": platform.platform(),
        "cores": args.cores,  # --cores: the run was pinned to this many CPUs (None: all it was given)
        "at_start": at_start,  # cores, CPU affinity, load averages (1/5/15 min)
        "at_end": machine.machine_state(),
        "arguments": {"sizes": sizes, "quick": args.quick, "only": chosen, **asdict(config)},
        "table": [asdict(row) | {"met": row.met()} for row in rows],
        "details": details,
    }
    if args.json:  # before printing: a closed stdout (`| head`) must not lose the results
        args.json.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    print(table(rows, document["at_end"]))  # type: ignore[arg-type]
    return document


if __name__ == "__main__":
    main()
