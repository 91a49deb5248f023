"""pyshacl vs the compiled SHACL→SPARQL validator on generated registers, in the same run.

    python -m benchmarks.shacl [--sizes 1000,10000] [--profiles default|all] [--json FILE]

Both validate one source's mapped data with the model as background (as the loader does). pyshacl gets an
rdflib graph; the compiled validator a pyoxigraph store holding the same triples (building either is not
timed). The result sets are compared too: a speed-up with different results would mean nothing.
"""

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rdflib import Graph

from benchmarks.generate import generate
from loader import validation
from loader.shacl_sparql import store_from_graph, validate_store
from loader.validation import DEFAULT_PROFILES, model_graph, shapes_graph
from shapes import PROFILES

GOAL = 20.0  # times faster than pyshacl at 10k algorithms


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
    pyshacl_seconds, expected = _timed(lambda: validation.validate(mapped, profiles=profiles))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--profiles", choices=("default", "all"), default="default")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    profiles = DEFAULT_PROFILES if args.profiles == "default" else PROFILES
    rows = []
    with tempfile.TemporaryDirectory(prefix="algokg-shacl-") as work:
        for size in (int(s) for s in args.sizes.split(",")):
            row = run(size, profiles, Path(work))
            rows.append(row)
            print(
                f"{size:>7} algorithms {row['triples']:>9} triples  pyshacl {row['pyshacl_seconds']:>8.2f} s  "
                f"compiled {row['compiled_seconds']:>7.3f} s  ratio {row['ratio']:>6}x (goal >= {GOAL:g}x at 10k)  "
                f"{row['results']} results, equal: {row['equal']}",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(row["equal"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
