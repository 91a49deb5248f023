"""Mutated assessment files through `algokg assess` and answers files through `algokg classify`, on a real store,
each outcome tallied as the loader's are (`tests.fuzz.loader_fuzz.judge`: no traceback, exit codes 0-3 only, the
store unchanged on every failure).

Most seeds are about an algorithm no store holds, so a file that reads is refused (exit 1 or 2) after it was read
and checked in full, without a commit; the seeds of the example algorithm reach the SHACL check and the commit. The
IAMA template and the decision tree are small files written for the fuzz (`tests.fuzz.seeds`), so nothing is
downloaded.
"""

import time
from pathlib import Path

from click.testing import CliRunner

from tests.fuzz.loader_fuzz import Tally, judge, mutant_files
from tests.fuzz.seeds import KNOWN_ALGORITHM, TREE, UNKNOWN_ALGORITHM, compliance_seeds, iama_template

CLASSIFY_KNOWN_EVERY = 5  # answers files classified for the example algorithm (checked against the tree, stored)


class ComplianceFuzz:
    """Runs mutants of one compliance target's seeds against ``store_dir`` and tallies what happened."""

    def __init__(self, store_dir: Path, work_dir: Path, *, seed: int) -> None:
        self.store_dir, self.work_dir, self.seed = store_dir, work_dir, seed
        self.runner = CliRunner()
        work_dir.mkdir(parents=True, exist_ok=True)
        self.iama = work_dir / "iama-template.yaml"
        self.iama.write_text(iama_template(), encoding="utf-8")
        self.tree = work_dir / "decision-tree.yaml"
        self.tree.write_text(TREE, encoding="utf-8")

    def run(self, target: str, inputs: int, *, huge: int = 0) -> Tally:
        tally = Tally(target)
        started = time.perf_counter()
        seeds = compliance_seeds(target)
        for number, path, mutant in mutant_files(target, seeds, inputs, self.work_dir, self.seed, huge):
            command, what = self._command(target, path, number), f"{path.name} ({mutant.how})"
            judge(tally, self.runner, command, self.store_dir, what, count_quads=number % 10 == 0)
        tally.seconds = time.perf_counter() - started
        return tally

    def _command(self, target: str, path: Path, number: int) -> list[str]:
        store = ["--store", str(self.store_dir)]
        if target == "assessment":
            return ["assess", *store, "--iama-template", str(self.iama), str(path)]
        algorithm = KNOWN_ALGORITHM if number % CLASSIFY_KNOWN_EVERY == 0 else UNKNOWN_ALGORITHM
        return ["classify", algorithm, *store, "--answers", str(path), "--tree", str(self.tree)]
