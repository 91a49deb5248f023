"""`make fuzz`: every fuzz target with many more inputs than `make test`, and a summary table.

    python -m tests.fuzz.run [--inputs 10000] [--seed 1] [--targets csv,json,…] [--json results.json]

``--inputs`` is the total, shared evenly by the targets (loader: csv, json, turtle, rdfxml, jsonld; compliance
files: assessment, answers; server: sparql-query, sparql-update, api-validate). Exit code 1 when any input had a bad outcome (each is listed
with the mutation that made it, so ``Mutator(target, seeds, seed=S).mutant(N)`` reproduces it).
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from loader.store import build_store
from tests.fuzz.compliance_fuzz import ComplianceFuzz
from tests.fuzz.loader_fuzz import LoaderFuzz, Tally, environment
from tests.fuzz.seeds import COMPLIANCE_TARGETS, LOADER_TARGETS
from tests.fuzz.server_fuzz import ServerFuzz
from tests.server.conftest import start_server

SERVER_TARGETS = {"sparql-query": "queries", "sparql-update": "updates", "api-validate": "validations"}
TOKEN = "fuzz-token-0123456789abcdef"
FIELD_LIMIT = 65_536  # a lower field-size limit in fuzz runs, so that over-limit values stay cheap to make


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="total inputs over all targets")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--targets", default=",".join([*LOADER_TARGETS, *COMPLIANCE_TARGETS, *SERVER_TARGETS]))
    parser.add_argument("--json", type=Path, help="write the table (and every bad outcome) here")
    args = parser.parse_args(argv)
    targets = [target for target in args.targets.split(",") if target]
    per_target = -(-args.inputs // len(targets))
    started = time.perf_counter()
    tallies: list[Tally] = []
    with tempfile.TemporaryDirectory(prefix="algokg-fuzz-") as folder:
        work = Path(folder)
        # File targets: each family on a store of its own, its inputs through the command line in-process.
        for family, chosen, extra in (
            (LoaderFuzz, [target for target in targets if target in LOADER_TARGETS], {"subprocesses": 3}),
            (ComplianceFuzz, [target for target in targets if target in COMPLIANCE_TARGETS], {}),
        ):
            if not chosen:
                continue
            store = work / f"{family.__name__}-store"
            build_store(store)
            with environment(work / "cache", field_chars=FIELD_LIMIT):
                fuzz = family(store, work / f"{family.__name__}-inputs", seed=args.seed)
                for target in chosen:
                    tallies.append(fuzz.run(target, per_target, huge=FIELD_LIMIT, **extra))
                    _progress(tallies[-1])
        server_targets = [target for target in targets if target in SERVER_TARGETS]
        if server_targets:
            store = work / "server-store"
            build_store(store)
            env = {"ALGOKG_WRITE_TOKEN": TOKEN, "ALGOKG_CACHE": str(work / "cache")}
            env["ALGOKG_MAX_FIELD_CHARS"] = str(FIELD_LIMIT)
            with start_server(store, env=env, args=["--query-timeout", "5"], log_dir=work) as server:
                fuzz_server = ServerFuzz(server, TOKEN, seed=args.seed)
                for target in server_targets:
                    tallies.append(getattr(fuzz_server, SERVER_TARGETS[target])(per_target))
                    _progress(tallies[-1])
                    if not fuzz_server.alive():
                        print("the server is gone: stopping", file=sys.stderr)
                        break
                fuzz_server.close()
    _table(tallies, seconds=time.perf_counter() - started)
    if args.json:
        document = {"rows": [tally.row() for tally in tallies], "failures": [f for t in tallies for f in t.failures]}
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    bad = [failure for tally in tallies for failure in tally.failures]
    for failure in bad:
        print(f"BAD {failure[:600]}")
    return 1 if bad else 0


def _progress(tally: Tally) -> None:
    print(f"{tally.target}: {tally.inputs} inputs, {tally.bad} bad, {tally.seconds:.0f} s", file=sys.stderr)


def _table(tallies: list[Tally], *, seconds: float) -> None:
    rows = [tally.row() for tally in tallies]
    if not rows:
        return
    total = {key: sum(int(row[key]) for row in rows) for key in rows[0] if key not in ("target", "seconds")}
    rows.append({"target": "total", **total, "seconds": round(seconds, 1)})
    columns = list(rows[0])
    widths = [max(len(column), *(len(str(row[column])) for row in rows)) for column in columns]
    print(" | ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)))
    print("-|-".join("-" * width for width in widths))
    for row in rows:
        print(" | ".join(str(row[column]).ljust(width) for column, width in zip(columns, widths, strict=True)))


if __name__ == "__main__":
    sys.exit(main())
