"""Shared fixtures: the model graph and the path to ../shared (skip with a reason when absent)."""

import os
from pathlib import Path

import pytest
from rdflib import Graph

from ontology import model_files

REPO = Path(__file__).resolve().parent.parent
# ALGOKG_TEST_SHARED points elsewhere (e.g. a directory that does not exist) to run as a clone without ../shared.
SHARED = Path(os.environ.get("ALGOKG_TEST_SHARED") or REPO.parent / "shared")


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
