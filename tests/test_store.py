"""Building the on-disk store: model and dataset in named graphs, swapped in atomically."""

from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, NamedNode, Store

from loader import StoreError, build_store, open_store
from loader.graphs import dataset_graph
from loader.store import EXAMPLE_DATASET, current_path

COUNT_ALGORITHMS = """
PREFIX akg: <https://w3id.org/algokg/def#>
SELECT (COUNT(?a) AS ?n) WHERE { ?a a akg:Algorithm }
"""


def _count(store: Store) -> int:
    return int(next(iter(store.query(COUNT_ALGORITHMS, use_default_graph_as_union=True)))["n"].value)


def test_build_loads_model_and_example_into_named_graphs(tmp_path: Path) -> None:
    build_store(tmp_path)
    store = open_store(tmp_path)
    graphs = {g.value for g in store.named_graphs()}
    assert dataset_graph("example").value in graphs
    assert any(g.endswith("/model/ontology/algokg") for g in graphs)
    assert _count(store) == 3
    example_quads = list(store.quads_for_pattern(None, None, None, NamedNode(dataset_graph("example").value)))
    assert len(example_quads) > 50
    # The default graph stays empty: everything lives in a named graph with its provenance.
    assert not list(store.quads_for_pattern(None, None, None, DefaultGraph()))


def test_a_failed_build_leaves_the_current_store_untouched(tmp_path: Path) -> None:
    build_store(tmp_path)
    before = current_path(tmp_path).resolve()
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> <c> .\n<a> <b> \n", encoding="utf-8")
    with pytest.raises(StoreError):
        build_store(tmp_path, datasets=[("example", EXAMPLE_DATASET), ("broken", broken)])
    assert current_path(tmp_path).resolve() == before
    assert _count(open_store(tmp_path)) == 3
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == [before.name]


def test_opening_an_empty_directory_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here yet"):
        open_store(tmp_path)
