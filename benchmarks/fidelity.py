"""`make fidelity`: how faithfully the loader tells the real register's samples, field family by field family.

    python -m benchmarks.fidelity [--shared ../shared] [--json benchmarks/results-fidelity.json]

Each module of :data:`FAMILIES` exposes ``measure(shared: pathlib.Path) -> list[dict]``: one dict per source
and field with ``source, field, tp, fp, fn, precision, recall, n`` (``n``: the units compared, records or
assessment items; a dict may add a ``note``). They compare what a load with no flags and no network makes of
``../shared/samples`` against hand-annotated gold files in ``tests/gold/``. The runner prints one table and
writes every row, with the commit and time, as JSON. Tests assert the behaviour; this reports the figures.
"""

import argparse
import importlib
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_JSON = Path(__file__).parent / "results-fidelity.json"
KEYS = ("source", "field", "tp", "fp", "fn", "precision", "recall", "n")
# One module per field family; each exposes measure(shared) -> list[dict] with KEYS.
FAMILIES = ("benchmarks.fidelity_register", "benchmarks.fidelity_laws")


def scores(tp: int, fp: int, fn: int) -> tuple[float | None, float | None]:
    """Precision and recall, ``None`` where nothing was predicted (precision) or expected (recall)."""
    precision = round(tp / (tp + fp), 4) if tp + fp else None
    recall = round(tp / (tp + fn), 4) if tp + fn else None
    return precision, recall


def row(source: str, field: str, tp: int, fp: int, fn: int, n: int, note: str = "") -> dict[str, object]:
    """One result in the shape every family returns."""
    precision, recall = scores(tp, fp, fn)
    found: dict[str, object] = {"source": source, "field": field, "tp": tp, "fp": fp, "fn": fn}
    found |= {"precision": precision, "recall": recall, "n": n}
    return found | ({"note": note} if note else {})


def collect(shared: Path, families: Sequence[str] = FAMILIES) -> list[dict[str, object]]:
    """Every family's rows, checked for the agreed keys."""
    rows: list[dict[str, object]] = []
    for name in families:
        for found in importlib.import_module(name).measure(shared):
            missing = [key for key in KEYS if key not in found]
            if missing:
                raise ValueError(f"{name}.measure returned a row without {', '.join(missing)}: {found}")
            rows.append(found)
    return rows


def _figure(value: object) -> str:
    return "-" if value is None else f"{float(value):.3f}"  # type: ignore[arg-type]


def table(rows: Sequence[dict[str, object]]) -> str:
    lines = [
        f"{'source':<28} {'field':<34} {'n':>5} {'tp':>5} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}  note"
    ]
    for found in rows:
        lines.append(
            f"{str(found['source'])[:28]:<28} {str(found['field'])[:34]:<34} {found['n']:>5} {found['tp']:>5} "
            f"{found['fp']:>4} {found['fn']:>4} {_figure(found['precision']):>9} {_figure(found['recall']):>7}  "
            f"{found.get('note', '')}"
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
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the reference material (../shared)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="write the results here")
    args = parser.parse_args(argv)
    if not (args.shared / "samples").is_dir():
        print(f"fidelity: no samples under {args.shared} (the register samples live in ../shared/samples)")
        sys.exit(2)
    started = datetime.now(UTC)
    rows = collect(args.shared)
    document = {
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        "commit": _commit(),
        "families": list(FAMILIES),
        "rows": rows,
    }
    if args.json:
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(rows))
    return document


if __name__ == "__main__":
    main()
