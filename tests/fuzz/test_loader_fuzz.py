"""`algokg load` on mutated CSV, JSON, Turtle, RDF/XML and JSON-LD, and `algokg assess` / `algokg classify` on
mutated assessment and answers files (YAML, JSON): 0 tracebacks, exit codes 0-3 only, the store unchanged on every
failure (seeded and deterministic; `make fuzz` runs the same with thousands)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from loader.cli import cli
from loader.store import build_store
from tests.fuzz.compliance_fuzz import ComplianceFuzz
from tests.fuzz.loader_fuzz import LoaderFuzz, environment, fingerprint
from tests.fuzz.seeds import COMPLIANCE_TARGETS, LOADER_TARGETS, loader_seeds

SEED = 20261203
INPUTS = 120  # per loader target here (a few seconds each); `make fuzz` runs 1,000 per target
COMPLIANCE_INPUTS = 60  # per compliance target (their commands are cheaper to reach the end of)
FIELD_LIMIT = 65_536  # lowered in fuzz runs so that values over the limit stay cheap to make


def _work(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    work = tmp_path_factory.mktemp(name)
    build_store(work / "store")
    with environment(work / "cache", field_chars=FIELD_LIMIT):
        yield work


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoaderFuzz]:
    for work in _work(tmp_path_factory, "loader-fuzz"):
        yield LoaderFuzz(work / "store", work / "inputs", seed=SEED)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ComplianceFuzz]:
    # A store of its own: a load without --strict replaces the example dataset, whose algorithm the seeds assess.
    for work in _work(tmp_path_factory, "compliance-fuzz"):
        yield ComplianceFuzz(work / "store", work / "inputs", seed=SEED)


@pytest.mark.parametrize("target", LOADER_TARGETS)
def test_every_seed_is_read_in_full(fuzz: LoaderFuzz, target: str, tmp_path: Path) -> None:
    # The seeds are worth mutating: each is read, mapped and validated, then refused by --strict
    # (organisations no list knows, an id that breaks a shape), so a mutant reaches every stage.
    for seed in loader_seeds(target):
        path = tmp_path / f"{target}-seed{seed.suffix}"
        path.write_bytes(seed.data)
        before = fingerprint(fuzz.store_dir)
        result = CliRunner().invoke(cli, ["load", "--store", str(fuzz.store_dir), "--strict", str(path)])
        assert result.exit_code == 1, f"{seed.name}: {result.output[-500:]}"
        assert "load rejected by --strict" in result.output and fingerprint(fuzz.store_dir) == before


@pytest.mark.parametrize("target", LOADER_TARGETS)
def test_mutated_inputs_fail_cleanly(fuzz: LoaderFuzz, target: str) -> None:
    tally = fuzz.run(target, INPUTS, subprocesses=1 if target in ("csv", "json") else 0, huge=FIELD_LIMIT)
    assert tally.inputs == INPUTS and tally.rejected > INPUTS // 2
    assert tally.bad == 0, "\n".join(tally.failures)


@pytest.mark.parametrize("target", COMPLIANCE_TARGETS)
def test_mutated_compliance_files_fail_cleanly(files: ComplianceFuzz, target: str) -> None:
    tally = files.run(target, COMPLIANCE_INPUTS, huge=FIELD_LIMIT)
    assert tally.inputs == COMPLIANCE_INPUTS and tally.rejected > COMPLIANCE_INPUTS // 2 and tally.accepted > 0
    assert tally.bad == 0, "\n".join(tally.failures)
