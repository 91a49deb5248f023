"""Shared fixtures: the model graph and the path to ../shared (skip with a reason when absent)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from rdflib import Graph

from ontology import model_files

REPO = Path(__file__).resolve().parent.parent
# ALGOKG_TEST_SHARED points elsewhere (e.g. a directory that does not exist) to run as a clone without ../shared.
SHARED = Path(os.environ.get("ALGOKG_TEST_SHARED") or REPO.parent / "shared")
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
