"""Shared fixtures: the model graph and the path to ../shared (skip with a reason when absent)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from rdflib import Graph

from loader.pipeline import load_paths
from loader.reference import reference_data
from ontology import model_files

REPO = Path(__file__).resolve().parent.parent
# ALGOKG_TEST_SHARED points elsewhere (e.g. a directory that does not exist) to run as a clone without ../shared.
SHARED = Path(os.environ.get("ALGOKG_TEST_SHARED") or REPO.parent / "shared")
# The register's samples the page and API tests load together: the English 1.0 export and the Dutch listing.
REGISTER_SAMPLES = ("register_export_v1.0_ENG_sample.csv", "register_scrape_NLD_sample.json")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or a skip saying it is missing (CI and developers have it)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference material not present: {path} (tests read ../shared beside the repository)")
    return path


@pytest.fixture(scope="session")
def model_graph() -> Graph:
    """Ontology, concept schemes and reference law, parsed once."""
    graph = Graph()
    for path in model_files():
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def register_samples_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the register's samples loaded together with no flags and nothing harvested (what ships with the
    package), built once per session; servers only read it. Skipped, saying so, without ../shared."""
    paths = [shared_path("samples", name) for name in REGISTER_SAMPLES]
    work = tmp_path_factory.mktemp("register-samples")
    (work / "empty-cache").mkdir()
    load_paths(work / "store", paths, reference=reference_data(cache_dir=work / "empty-cache"), run_validation=False)
    return work / "store"


# Module scope: playwright's sync API runs its own event loop, and a second instance started while another is
# still open refuses to start ("Sync API inside the asyncio loop"). One instance per module, always closed at the
# module's end, never overlaps another (a package-scoped fixture imported into a second package did).
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium driven by playwright; browser tests skip, saying so, where it is absent."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (.ci/run installs it: apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
