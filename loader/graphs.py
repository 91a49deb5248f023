"""Names of the named graphs: one per model file, one per loaded source."""

from pathlib import Path

from pyoxigraph import NamedNode

GRAPH_BASE = "https://w3id.org/algokg/graph/"


def model_graph(path: Path) -> NamedNode:
    """The graph holding one file of the model (ontology, a scheme file, a law file)."""
    return NamedNode(f"{GRAPH_BASE}model/{path.parent.name}/{path.stem}")


def dataset_graph(name: str) -> NamedNode:
    """The graph holding one dataset shipped with algokg, such as the example register."""
    return NamedNode(f"{GRAPH_BASE}dataset/{name}")
