"""Mutated inputs through `algokg load` on a real store, each outcome tallied.

Every input is loaded with the CLI in-process (click's CliRunner: the real command, its error handling
and exit codes, without a new interpreter per input). Most loads use ``--strict`` and seeds whose
organisations no list knows, so a readable input is refused with exit code 1 after it was read, mapped
and validated in full, without the second it takes to write a generation; every ``commit_every``-th
input is loaded without ``--strict`` and so reaches the commit too, and every :data:`PYSHACL_EVERY`-th is
validated by pyshacl (which reads every literal through rdflib) instead of the compiled validator. A few inputs also run in a real
subprocess, to check the exit codes a shell sees.

An outcome is bad when the output holds a traceback (or the command raised), the exit code is not one
of 0-3 (0 loaded, 1 rejected by --strict, 2 unreadable input, 3 the store could not be written), a
failed load changed the store (its `current` generation, the files in it, its quad count), or the
loader's last line of defence (:class:`loader.errors.UncheckedInputError`) had to catch it.
"""

import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner

from loader.cli import cli
from loader.store import current_path, open_store
from tests.fuzz.mutate import Mutant, Mutator
from tests.fuzz.seeds import Seed, loader_seeds

EXIT_CODES = {0, 1, 2, 3}
UNCHECKED = re.compile(r"cannot be read \(\w+: ")  # the message of loader.pipeline's last line of defence
QUAD_COUNT_EVERY = 25  # failures between two full quad counts (the file fingerprint is checked every time)
PYSHACL_EVERY = 7  # inputs between two validated by pyshacl (the reference engine) instead of the compiled one


@dataclass
class Tally:
    """What one target's inputs did; ``failures`` holds a description of each bad outcome."""

    target: str
    inputs: int = 0
    rejected: int = 0  # a clean, located refusal (exit 1 or 2)
    accepted: int = 0
    tracebacks: int = 0
    unchecked: int = 0
    bad_exit: int = 0
    store_changed: int = 0
    no_answer: int = 0  # server targets: the request got no answer (server died or stuck)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def bad(self) -> int:
        return self.tracebacks + self.unchecked + self.bad_exit + self.store_changed + self.no_answer

    def row(self) -> dict[str, object]:
        return {
            "target": self.target,
            "inputs": self.inputs,
            "rejected cleanly": self.rejected,
            "accepted": self.accepted,
            "tracebacks": self.tracebacks,
            "unchecked": self.unchecked,
            "bad exit codes / 5xx": self.bad_exit,
            "store changed on failure": self.store_changed,
            "no answer": self.no_answer,
            "seconds": round(self.seconds, 1),
        }


def fingerprint(store_dir: Path) -> tuple[object, ...]:
    """The current generation and the name, size and modification time of every file in it."""
    generation = current_path(store_dir).resolve()
    files = sorted((entry.name, entry.stat().st_size, entry.stat().st_mtime_ns) for entry in os.scandir(generation))
    return (generation.name, tuple(files))


def quad_count(store_dir: Path) -> int:
    return len(open_store(store_dir))


@contextmanager
def environment(cache_dir: Path, *, field_chars: int | None = None) -> Iterator[None]:
    """No organisation lists or cache of the user's (the same reference data on every machine), and
    optionally a lower field-size limit (so that values over it stay cheap to make)."""
    saved = {key: os.environ.get(key) for key in ("ALGOKG_CACHE", "ALGOKG_ORGANISATIONS", "ALGOKG_MAX_FIELD_CHARS")}
    os.environ["ALGOKG_CACHE"] = str(cache_dir)
    os.environ.pop("ALGOKG_ORGANISATIONS", None)
    if field_chars is not None:
        os.environ["ALGOKG_MAX_FIELD_CHARS"] = str(field_chars)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class LoaderFuzz:
    """Loads mutants of one target's seeds into ``store_dir`` and tallies what happened."""

    def __init__(self, store_dir: Path, work_dir: Path, *, seed: int, commit_every: int = 20) -> None:
        self.store_dir, self.work_dir, self.seed, self.commit_every = store_dir, work_dir, seed, commit_every
        self.runner = CliRunner()
        self.work_dir.mkdir(parents=True, exist_ok=True)

    def run(self, target: str, inputs: int, *, subprocesses: int = 0, huge: int = 0) -> Tally:
        tally = Tally(target)
        started = time.perf_counter()
        for number, path, mutant in mutant_files(target, loader_seeds(target), inputs, self.work_dir, self.seed, huge):
            strict = number % self.commit_every != 0
            validator = "pyshacl" if number % PYSHACL_EVERY == 1 else "sparql"  # it reads every literal with rdflib
            self._one(tally, path, mutant, strict=strict, validator=validator, failures_so_far=tally.rejected)
            if number < subprocesses:
                self._subprocess(tally, path, mutant, strict=strict)
        tally.seconds = time.perf_counter() - started
        return tally

    def _one(
        self, tally: Tally, path: Path, mutant: Mutant, *, strict: bool, validator: str, failures_so_far: int
    ) -> None:
        args = ["load", "--store", str(self.store_dir), "--validator", validator]
        args += [*(["--strict"] if strict else []), str(path)]
        count_quads = failures_so_far % QUAD_COUNT_EVERY == 0
        judge(tally, self.runner, args, self.store_dir, f"{path.name} ({mutant.how})", count_quads=count_quads)

    def _subprocess(self, tally: Tally, path: Path, mutant: Mutant, *, strict: bool) -> None:
        """The same load in a real interpreter: the exit code and stderr a shell would see."""
        command = [sys.executable, "-m", "loader.cli", "load", "--store", str(self.store_dir)]
        command += [*(["--strict"] if strict else []), str(path)]
        done = subprocess.run(command, capture_output=True, timeout=300, env=os.environ.copy(), check=False)
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode not in EXIT_CODES:
            tally.bad_exit += 1
            tally.failures.append(f"{path.name} ({mutant.how}): subprocess exit code {done.returncode}")
        if "Traceback (most recent call last)" in stderr:
            tally.tracebacks += 1
            tally.failures.append(f"{path.name} ({mutant.how}): subprocess traceback: {stderr[-300:]}")


def mutant_files(
    target: str, seeds: Sequence[Seed], inputs: int, work_dir: Path, seed: int, huge: int
) -> Iterator[tuple[int, Path, Mutant]]:
    """(number, file, mutant) for ``inputs`` mutants of ``seeds``, each written to a file named with its seed's
    extension (which tells the commands the format) and removed when the next is asked for."""
    mutator = Mutator(target, [item.data for item in seeds], seed=seed, huge=huge)
    for number in range(inputs):
        mutant = mutator.mutant(number)
        suffix = seeds[int(mutant.how.split(";")[0].split()[1])].suffix
        path = work_dir / f"{target}-{number}{suffix}"
        path.write_bytes(mutant.data)
        yield number, path, mutant
        path.unlink()


def judge(tally: Tally, runner: CliRunner, args: list[str], store_dir: Path, what: str, *, count_quads: bool) -> None:
    """Run one `algokg` command in-process on a fuzz input and tally what it did: a traceback (raised, printed or
    logged), the loader's last line of defence, an exit code outside 0-3, or a failure that changed the store
    (its files; its quad count too when ``count_quads``) are bad; any other failure is a clean rejection."""
    before = fingerprint(store_dir)
    quads = quad_count(store_dir) if count_quads else None
    with _logged_tracebacks() as logged:
        result = runner.invoke(cli, args)
    tally.inputs += 1
    output = result.output
    problem = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        tally.tracebacks += 1
        problem = f"raised {type(result.exception).__name__}: {str(result.exception)[:200]}"
    elif "Traceback (most recent call last)" in output or logged:
        tally.tracebacks += 1
        problem = f"traceback in the output or log: {logged[:1]}"
    elif UNCHECKED.search(output):
        tally.unchecked += 1
        problem = f"unchecked: {_last_line(output)}"
    elif result.exit_code not in EXIT_CODES:
        tally.bad_exit += 1
        problem = f"exit code {result.exit_code}"
    if result.exit_code == 0:
        tally.accepted += 1
    else:
        if problem is None:
            tally.rejected += 1
        changed = fingerprint(store_dir) != before
        if not changed and quads is not None:
            changed = quad_count(store_dir) != quads
        if changed:
            tally.store_changed += 1
            problem = (problem + "; " if problem else "") + "the store changed on a failed command"
    if problem:
        tally.failures.append(f"{what}: {problem}")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.found.append(f"{record.name}: {record.getMessage()[:200]}")


@contextmanager
def _logged_tracebacks() -> Iterator[list[str]]:
    """Records logged with a traceback while the block runs (a shell would see them on stderr; under pytest
    its log capture would take them before they reached the output)."""
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.found
    finally:
        root.removeHandler(handler)


def _last_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
