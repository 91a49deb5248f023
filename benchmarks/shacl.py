"""pyshacl vs the compiled SHACL→SPARQL validator on generated registers, in the same run.

    python -m benchmarks.shacl [--sizes 1000,10000] [--profiles default|all] [--json FILE]
                               [--single-record-sizes 100000] [--records 20] [--work DIR]

Whole source: both validate one source's mapped data with the model as background (as the loader does).
pyshacl gets an rdflib graph; the compiled validator a pyoxigraph store holding the same triples (building
either is not timed). The result sets are compared too: a speed-up with different results would mean nothing.

Single record (``--single-record-sizes``): a generated register of N algorithms is loaded by the pipeline into
an on-disk store; for ~20 random registrations, what the write gate does after a write to one record is timed:
find the record's focus nodes (``loader.writes.record_focus_nodes``) and validate them in place
(``loader.validation.validate_store``, results explained), median in ms against the 20 ms goal; the same
records checked in the store itself (``local=False``, as before ``loader.shacl_local``) alternate with them, and
their reports must be equal. The baseline is
pyshacl on that record's neighbourhood as an rdflib graph with the model (what the gate did before), on a few
of the records. Generating and loading 100k algorithms takes minutes; ``--work`` keeps them for another run.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode, Store
from rdflib import Graph

from benchmarks.generate import generate
from loader import validation
from loader.shacl_sparql import store_from_graph, validate_store
from loader.validation import DEFAULT_PROFILES, model_graph, shapes_graph
from shapes import PROFILES

GOAL = 20.0  # times faster than pyshacl at 10k algorithms
SINGLE_RECORD_GOAL_MS = 20.0  # one record checked in place, at 100k algorithms
_REGISTERS = NamedNode("https://w3id.org/algokg/def#registers")


def _timed(action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def _name(term: object) -> str:
    """IRIs as the loader writes them; every blank node alike (their ids differ between the two graphs)."""
    text = str(getattr(term, "value", term))
    return "_:" if str(term).startswith("_:") or type(term).__name__ in ("BlankNode", "BNode") else text


def run(size: int, profiles: tuple[str, ...], work: Path) -> dict[str, object]:
    from loader.pipeline import _as_rdflib, prepare
    from loader.reference import reference_data

    export = work / f"register-{size}.csv"
    if not export.exists():
        generate(size, export)
    source, _ = prepare(export, reference=reference_data(), run_validation=False)
    data = Graph()
    data += model_graph()
    data += _as_rdflib(source.quads)
    mapped = _as_rdflib(source.quads)
    shapes = shapes_graph(profiles)
    store = store_from_graph(data)
    # The baseline is pyshacl as the loader runs it (with its parsed-query cache), explanations included.
    pyshacl_seconds, expected = _timed(lambda: validation.validate(mapped, profiles=profiles, engine="pyshacl"))
    compiled_seconds, report = _timed(lambda: validate_store(store, shapes, data=data))
    # Blank node ids differ between the two graphs: compare what names no blank node, and the counts.
    ours = Counter((_name(r.focus), _name(r.shape), r.component, r.severity.rsplit("#")[-1]) for r in report.results)
    theirs = Counter((i.focus, i.shape, i.component, i.severity) for i in expected.results)
    equal = ours == theirs
    return {
        "algorithms": size,
        "triples": len(data),
        "profiles": list(profiles),
        "pyshacl_seconds": round(pyshacl_seconds, 3),
        "compiled_seconds": round(compiled_seconds, 3),
        "ratio": round(pyshacl_seconds / compiled_seconds, 1),
        "results": len(expected.results),
        "equal": equal,
        "routed_to_pyshacl": report.routed,
    }


def _neighbourhood_graph(store: Store, nodes: set[NamedNode | BlankNode]) -> Graph:
    """The record triples of ``nodes`` as an rdflib graph: what the write gate gave pyshacl before."""
    from loader.validation import quads_as_graph
    from loader.writes import NOT_RECORDS

    quads = [
        quad
        for node in nodes
        for quad in store.quads_for_pattern(node, None, None, None)
        if not getattr(quad.graph_name, "value", "").startswith(NOT_RECORDS)
    ]
    return quads_as_graph(quads)


def single_record(
    size: int, profiles: tuple[str, ...], work: Path, *, records: int = 20, pyshacl_records: int = 3
) -> dict[str, object]:
    """Median ms to check one record in place in a store of ``size`` algorithms, as the write gate does."""
    from loader.pipeline import load_paths
    from loader.reference import reference_data
    from loader.store import open_store
    from loader.validation import validate_store
    from loader.writes import NOT_RECORDS, record_focus_nodes

    export = work / f"register-{size}.csv"
    if not export.exists():
        generate(size, export)
    store_dir = work / f"store-{size}"
    if not (store_dir / "current").exists():
        started = time.perf_counter()
        load_paths(store_dir, [export], reference=reference_data(), run_validation=False)
        print(f"{size:>7} algorithms loaded in {time.perf_counter() - started:.0f} s", flush=True)
    store = open_store(store_dir)
    registrations = sorted(
        {q.subject for q in store.quads_for_pattern(None, _REGISTERS, None, None) if isinstance(q.subject, NamedNode)},
        key=lambda node: node.value,
    )
    chosen = random.Random(size).sample(registrations, min(records, len(registrations)))

    def check(registration: NamedNode, local: bool = True) -> tuple[float, float, int, int, float, object]:
        started, started_cpu = time.perf_counter(), time.process_time()
        read: dict = {}  # type: ignore[type-arg]  # the nodes' triples, as the write gate hands them on
        nodes = record_focus_nodes(store, {registration}, read)
        found = time.perf_counter()
        report = validate_store(
            store, profiles=profiles, focus_nodes=nodes, background=NOT_RECORDS, within=nodes, local=local, known=read
        )
        done = time.perf_counter()
        cpu = (time.process_time() - started_cpu) * 1000  # hardly moved by other work on the machine
        return (done - started) * 1000, (done - found) * 1000, len(nodes), len(report.results), cpu, report

    # Warm-up: compiling the shapes once per process, caches; the model as rdflib, which explaining a result
    # reads, is parsed once per process too (~250 ms: it was the 270 ms "max" of the first record with results).
    check(chosen[0]), check(chosen[0], local=False), model_graph()
    runs, in_place = [], []
    for registration in chosen:  # alternating: load on the machine hits both ways alike
        runs.append(check(registration))
        in_place.append(check(registration, local=False))
    baseline: list[float] = []
    for registration in chosen[:pyshacl_records]:
        graph = _neighbourhood_graph(store, record_focus_nodes(store, {registration}))
        seconds, _ = _timed(lambda graph=graph: validation.validate(graph, profiles=profiles, engine="pyshacl"))
        baseline.append(seconds * 1000)
    median = statistics.median(run[0] for run in runs)
    return {
        "algorithms": size,
        "triples": len(store),
        "profiles": list(profiles),
        "records": len(runs),
        "focus_nodes_median": statistics.median(run[2] for run in runs),
        "results_median": statistics.median(run[3] for run in runs),
        "ms_median": round(median, 2),
        "ms_max": round(max(run[0] for run in runs), 2),
        "validate_ms_median": round(statistics.median(run[1] for run in runs), 2),
        "cpu_ms_median": round(statistics.median(run[4] for run in runs), 2),
        # The same records checked in the store itself (before loader.shacl_local): time and equal reports.
        "in_place_ms_median": round(statistics.median(run[0] for run in in_place), 2),
        "in_place_cpu_ms_median": round(statistics.median(run[4] for run in in_place), 2),
        "equal_to_in_place": all(ours[5] == theirs[5] for ours, theirs in zip(runs, in_place, strict=True)),
        "goal_ms": SINGLE_RECORD_GOAL_MS,
        "met": median < SINGLE_RECORD_GOAL_MS,
        "pyshacl_neighbourhood_ms_median": round(statistics.median(baseline), 1) if baseline else None,
        "pyshacl_records": len(baseline),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="whole-source comparison sizes ('' for none)")
    parser.add_argument("--profiles", choices=("default", "all"), default="default")
    parser.add_argument("--single-record-sizes", default="", help="e.g. 100000: one record checked in a store")
    parser.add_argument("--records", type=int, default=20, help="random records timed per single-record size")
    parser.add_argument("--work", type=Path, help="keep exports and stores here (default: a temporary directory)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    profiles = DEFAULT_PROFILES if args.profiles == "default" else PROFILES
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="algokg-shacl-", dir=args.work) as tmp:
        work = args.work or Path(tmp)
        for size in (int(s) for s in args.sizes.split(",") if s):
            row = run(size, profiles, work)
            rows.append(row)
            print(
                f"{size:>7} algorithms {row['triples']:>9} triples  pyshacl {row['pyshacl_seconds']:>8.2f} s  "
                f"compiled {row['compiled_seconds']:>7.3f} s  ratio {row['ratio']:>6}x (goal >= {GOAL:g}x at 10k)  "
                f"{row['results']} results, equal: {row['equal']}",
                flush=True,
            )
        for size in (int(s) for s in args.single_record_sizes.split(",") if s):
            row = single_record(size, profiles, work, records=args.records)
            rows.append(row)
            print(
                f"{size:>7} algorithms {row['triples']:>9} triples  one record: median {row['ms_median']:.1f} ms "
                f"(max {row['ms_max']:.1f}; validation alone {row['validate_ms_median']:.1f}) over {row['records']} "
                f"records, {row['focus_nodes_median']:g} focus nodes each (goal < {SINGLE_RECORD_GOAL_MS:g} ms: "
                f"{'met' if row['met'] else 'not met'}); {row['cpu_ms_median']:.1f} CPU ms; in the store itself "
                f"{row['in_place_ms_median']:.1f} ms, {row['in_place_cpu_ms_median']:.1f} CPU ms, equal reports: "
                f"{row['equal_to_in_place']}; pyshacl on the neighbourhood {row['pyshacl_neighbourhood_ms_median']} ms",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(row.get("equal", row.get("equal_to_in_place", True)) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
