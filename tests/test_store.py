"""Building and opening the on-disk store: named graphs, generations swapped in atomically, the lock."""

import fcntl
import shutil
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, Store, Triple

from loader import StoreError, build_store, open_store
from loader.graphs import dataset_graph
from loader.store import EXAMPLE_DATASET, LOCK_FILE, _copy, commit, current_path
from tests.loader.test_atomic_commit import make_source

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


def test_open_store_is_read_only_and_leaves_the_generation_as_it_is(tmp_path: Path) -> None:
    # Generations never change once current, so readers and the next writer's checkpoint agree.
    generation = build_store(tmp_path)
    before = {path.name: path.stat().st_mtime_ns for path in generation.iterdir()}
    store = open_store(tmp_path)
    assert _count(store) == 3
    with pytest.raises(RuntimeError, match="read-write"):
        store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    del store
    assert {path.name: path.stat().st_mtime_ns for path in generation.iterdir()} == before


def test_a_rebuild_replaces_the_data_and_keeps_the_previous_generation(tmp_path: Path) -> None:
    first = build_store(tmp_path)
    second = build_store(tmp_path, datasets=[])
    third = build_store(tmp_path, datasets=[])
    assert current_path(tmp_path).resolve() == third.resolve()
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == [second.name, third.name]
    assert first.name < second.name < third.name
    assert _count(open_store(tmp_path)) == 0


def test_a_build_while_another_writer_holds_the_lock_fails_and_names_it(tmp_path: Path) -> None:
    build_store(tmp_path)
    before = current_path(tmp_path).resolve()
    with (tmp_path / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match=r"\.lock: another load .* holds its lock"):
            build_store(tmp_path)
    assert current_path(tmp_path).resolve() == before
    build_store(tmp_path)  # the lock is free again


def test_a_current_link_to_a_missing_generation_is_an_error_not_a_fresh_start(tmp_path: Path) -> None:
    generation = build_store(tmp_path)
    shutil.rmtree(generation)
    with pytest.raises(StoreError, match="which is missing"):
        build_store(tmp_path)


def test_a_new_generation_starts_as_a_checkpoint_sharing_the_files_of_the_current_one(tmp_path: Path) -> None:
    # Hard links, not copies: starting a generation costs neither time nor disk, whatever the size.
    commit(tmp_path / "store", [make_source("a.csv", algorithms=1000)])
    current = current_path(tmp_path / "store").resolve()
    _copy(current, tmp_path / "copy")
    tables = sorted(current.glob("*.sst"))
    assert tables and all((tmp_path / "copy" / t.name).stat().st_ino == t.stat().st_ino for t in tables)
    assert len(Store.read_only(str(tmp_path / "copy"))) == len(open_store(tmp_path / "store"))


def test_a_bulk_write_of_several_loader_runs_is_compacted_with_the_same_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Several overlapping runs make every read merge them; above one run of the bulk loader the commit
    # compacts the generation. Runs made small here so that a few thousand quads take several of them.
    def load(where: Path) -> Path:
        for number in range(3):
            commit(where, [make_source(f"{number}.csv", algorithms=1000, start=number * 1000)])
        return current_path(where).resolve()

    plain = load(tmp_path / "plain")
    monkeypatch.setattr("loader.store.BULK_BATCH", 100)
    compacted = load(tmp_path / "compacted")

    def named(store: Store) -> set[Quad]:  # the model's blank nodes get new ids in each store
        return {
            quad
            for quad in store
            if not isinstance(quad.subject, BlankNode | Triple) and not isinstance(quad.object, BlankNode)
        }

    before, after = Store.read_only(str(plain)), Store.read_only(str(compacted))
    assert len(after) == len(before) and named(after) == named(before)
    assert len(list(compacted.glob("*.sst"))) < len(list(plain.glob("*.sst")))
