"""One store with every register, built once per session: the Dutch register's sample export, the UK ATRS records,
the US federal AI use case inventory (3,611 use cases and 900 COTS rows) and the AI Watch inventory (143 services,
the Amsterdam and Helsinki registers), then the candidate links between them. Reads ../shared (skips without it)."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from loader.cli import cli
from loader.pipeline import load_paths
from loader.store import build_store
from tests.conftest import shared_path

OTHER = ("reference", "other-registers")


def us_files() -> tuple[Path, Path]:
    folder = shared_path(*OTHER, "us-federal-2025")
    return folder / "2025_individually_reported_AI_use_cases.csv", folder / "2025_consolidated_COTS_AI_use_cases.csv"


def ai_watch_dir() -> Path:
    return shared_path(*OTHER, "eu-ai-watch")


def dutch_sample() -> Path:
    return shared_path("samples", "register_export_v1.0_ENG_sample.csv")


def invoke(*args: str) -> str:
    done = CliRunner().invoke(cli, list(args))
    assert done.exit_code == 0, done.output
    return done.output


@pytest.fixture(scope="session")
def registers_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store directory with all registers loaded and linked; tests only read it (copy it to write)."""
    use_cases, cots = us_files()
    atrs = shared_path(*OTHER, "uk-atrs", "atrs_records.json")
    store_dir = tmp_path_factory.mktemp("registers") / "store"
    build_store(store_dir)
    load_paths(store_dir, [dutch_sample()], language="ENG")
    invoke("import-atrs", "--store", str(store_dir), str(atrs))
    invoke("import-us-inventory", "--store", str(store_dir), str(use_cases), str(cots))
    invoke("import-ai-watch", "--store", str(store_dir), str(ai_watch_dir()))
    return store_dir


@pytest.fixture(scope="session")
def linked_store(registers_store: Path) -> Path:
    """The same store after `algokg link-registers` (the links graph written)."""
    invoke("link-registers", "--store", str(registers_store))
    return registers_store
