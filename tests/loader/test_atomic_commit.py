"""`loader.store.commit` on a real on-disk store: named graphs, reloads, failures, kill -9, the lock."""

import hashlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from loader.errors import StoreError
from loader.sourceload import PROVENANCE_GRAPH, SourceLoad, source_graph, validation_graph
from loader.store import SHA256, commit, current_path, open_store

REPO = Path(__file__).resolve().parents[2]
AKG = "https://w3id.org/algokg/def#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_ENTITY = NamedNode("http://www.w3.org/ns/prov#Entity")
ALGORITHM = NamedNode(f"{AKG}Algorithm")
NAME = NamedNode(f"{AKG}name")


def make_source(name: str, algorithms: int = 3, *, start: int = 0) -> SourceLoad:
    """A source of `algorithms` algorithms (two quads each), named and hashed by `name`."""
    sha256 = hashlib.sha256(name.encode()).hexdigest()
    graph = source_graph(sha256)
    quads = []
    for number in range(start, start + algorithms):
        algorithm = NamedNode(f"https://w3id.org/algokg/id/algorithm/{number}")
        quads += [
            Quad(algorithm, RDF_TYPE, ALGORITHM, graph),
            Quad(algorithm, NAME, Literal(f"{name} {number}"), graph),
        ]
    provenance = [
        Quad(graph, RDF_TYPE, PROV_ENTITY, PROVENANCE_GRAPH),
        Quad(graph, SHA256, Literal(sha256), PROVENANCE_GRAPH),
    ]
    validation = [Quad(graph, NamedNode(f"{AKG}conforms"), Literal(True), validation_graph(sha256))]
    return SourceLoad(name=name, sha256=sha256, graph=graph, quads=quads, provenance=provenance, validation=validation)


def _graphs(store: Store) -> set[str]:
    return {graph.value for graph in store.named_graphs()}


def _names(store: Store) -> set[str]:
    query = f"SELECT ?name WHERE {{ ?a a <{ALGORITHM.value}> ; <{NAME.value}> ?name }}"
    return {row["name"].value for row in store.query(query, use_default_graph_as_union=True)}


def _generations(store_dir: Path) -> list[str]:
    return sorted(path.name for path in store_dir.glob("gen-*"))


def _state(store_dir: Path) -> tuple[Path, int, list[str]]:
    return current_path(store_dir).resolve(), len(open_store(store_dir)), _generations(store_dir)


# -- what a commit writes ----------------------------------------------------------------------


def test_two_sources_get_their_graphs_provenance_and_the_model(tmp_path: Path) -> None:
    first, second = make_source("export-a.csv"), make_source("export-b.csv", start=10)
    result = commit(tmp_path, [first, second])
    assert result.loaded == ["export-a.csv", "export-b.csv"] and result.skipped == []
    assert result.generation is not None and current_path(tmp_path).resolve() == result.generation.resolve()
    store = open_store(tmp_path)
    graphs = _graphs(store)
    assert {first.graph.value, second.graph.value, PROVENANCE_GRAPH.value} <= graphs
    assert {validation_graph(first.sha256).value, validation_graph(second.sha256).value} <= graphs
    assert any(graph.endswith("/model/ontology/algokg") for graph in graphs)
    assert not any("/dataset/" in graph for graph in graphs)  # the example dataset is not part of a load
    assert _names(store) == {"export-a.csv 0", "export-a.csv 1", "export-a.csv 2"} | {
        "export-b.csv 10",
        "export-b.csv 11",
        "export-b.csv 12",
    }
    for source in (first, second):
        assert len(list(store.quads_for_pattern(None, None, None, source.graph))) == len(source.quads)
        assert list(store.quads_for_pattern(source.graph, SHA256, Literal(source.sha256), PROVENANCE_GRAPH))


def test_the_sha256_triple_is_written_even_when_the_provenance_lacks_it(tmp_path: Path) -> None:
    source = make_source("bare.csv")
    bare = SourceLoad(name=source.name, sha256=source.sha256, graph=source.graph, quads=source.quads)
    commit(tmp_path, [bare])
    assert commit(tmp_path, [source]).skipped == ["bare.csv"]


def test_a_newer_source_adds_its_graph_and_keeps_the_older_one(tmp_path: Path) -> None:
    commit(tmp_path, [make_source("2024.csv")])
    commit(tmp_path, [make_source("2025.csv")])  # the same algorithms 0-2, a newer export
    store = open_store(tmp_path)
    assert {make_source("2024.csv").graph.value, make_source("2025.csv").graph.value} <= _graphs(store)
    assert _names(store) >= {"2024.csv 0", "2025.csv 0"}


def test_refresh_runs_on_the_new_generation_before_it_becomes_current(tmp_path: Path) -> None:
    derived = NamedNode("https://w3id.org/algokg/graph/derived/current")

    def count_algorithms(store: Store) -> None:
        store.update(
            f"INSERT {{ GRAPH <{derived.value}> {{ <urn:count> <urn:is> ?n }} }} "
            f"WHERE {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?a a <{ALGORITHM.value}> }} }} }}"
        )

    commit(tmp_path, [make_source("a.csv"), make_source("b.csv", start=3)], refresh=count_algorithms)
    (quad,) = open_store(tmp_path).quads_for_pattern(None, None, None, derived)
    assert quad.object.value == "6"


# -- reloads -----------------------------------------------------------------------------------


def test_committing_the_same_source_again_changes_nothing(tmp_path: Path) -> None:
    source = make_source("export.csv")
    commit(tmp_path, [source])
    before = _state(tmp_path)
    again = commit(tmp_path, [source], refresh=lambda store: pytest.fail("nothing to refresh"))
    assert again.generation is None and again.loaded == [] and again.skipped == ["export.csv"]
    assert _state(tmp_path) == before


def test_only_the_new_sources_of_a_batch_are_written(tmp_path: Path) -> None:
    old, new = make_source("old.csv"), make_source("new.csv", start=3)
    commit(tmp_path, [old])
    result = commit(tmp_path, [old, new, new])
    assert result.loaded == ["new.csv"] and result.skipped == ["old.csv", "new.csv"]
    assert len(_names(open_store(tmp_path))) == 6


def test_an_empty_commit_on_an_empty_directory_makes_no_store(tmp_path: Path) -> None:
    assert commit(tmp_path, []).generation is None
    assert not current_path(tmp_path).exists() and _generations(tmp_path) == []


# -- failures ----------------------------------------------------------------------------------


def test_a_failing_refresh_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    commit(tmp_path, [make_source("good.csv")])
    before = _state(tmp_path)

    def broken(store: Store) -> None:
        store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
        raise RuntimeError("the derived graph could not be computed")

    with pytest.raises(StoreError, match=r"could not load next\.csv: the derived graph could not be computed"):
        commit(tmp_path, [make_source("next.csv", start=3)], refresh=broken)
    assert _state(tmp_path) == before
    assert _names(open_store(tmp_path)) == {"good.csv 0", "good.csv 1", "good.csv 2"}


def test_bad_data_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    commit(tmp_path, [make_source("good.csv")])
    before = _state(tmp_path)
    source = make_source("bad.csv", start=3)
    broken = SourceLoad(name="bad.csv", sha256=source.sha256, graph=source.graph, quads=[*source.quads, "not a quad"])  # type: ignore[list-item]
    with pytest.raises(StoreError, match=r"could not load bad\.csv"):
        commit(tmp_path, [broken])
    assert _state(tmp_path) == before


def test_a_store_directory_that_cannot_be_made_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "store").write_text("not a directory", encoding="utf-8")
    with pytest.raises(StoreError, match="could not write the store"):
        commit(tmp_path / "store", [make_source("a.csv")])


def test_a_refresh_that_keeps_the_store_is_refused(tmp_path: Path) -> None:
    # A store still open after the commit would go on compacting (deleting files) under readers.
    commit(tmp_path, [make_source("good.csv")])
    before = _state(tmp_path)
    kept: list[Store] = []
    with pytest.raises(StoreError, match="still open after writing it"):
        commit(tmp_path, [make_source("next.csv", start=3)], refresh=kept.append)
    assert _state(tmp_path)[:2] == before[:2]  # its directory may linger while it is open: the next commit prunes it
    kept.clear()
    result = commit(tmp_path, [make_source("next.csv", start=3)])
    assert _generations(tmp_path) == sorted([before[0].name, result.generation.name if result.generation else ""])


def test_only_the_current_and_the_previous_generation_are_kept(tmp_path: Path) -> None:
    generations = [commit(tmp_path, [make_source(f"{n}.csv", start=3 * n)]).generation for n in range(4)]
    assert _generations(tmp_path) == [path.name for path in generations[-2:] if path is not None]
    assert len(_names(open_store(tmp_path))) == 12


def test_an_opened_store_keeps_its_generation_through_later_commits(tmp_path: Path) -> None:
    commit(tmp_path, [make_source("first.csv")])
    reader = open_store(tmp_path)
    opened = len(reader)
    for n in range(1, 3):  # the second commit removes the generation the reader has open
        commit(tmp_path, [make_source(f"{n}.csv", start=3 * n)])
    assert len(reader) == opened and _names(reader) == {"first.csv 0", "first.csv 1", "first.csv 2"}
    assert len(_names(open_store(tmp_path))) == 9


def test_unflushed_writes_in_the_current_generation_survive_the_copy(tmp_path: Path) -> None:
    # A checkpoint of a read-only store leaves out its write-ahead log; the commit copies it in.
    commit(tmp_path, [make_source("first.csv")])
    writer = Store(str(current_path(tmp_path).resolve()))
    writer.update("INSERT DATA { GRAPH <urn:extra> { <urn:a> <urn:b> <urn:c> } }")
    del writer  # closed without flush(): the quad is only in the log
    commit(tmp_path, [make_source("second.csv", start=3)])
    assert "urn:extra" in _graphs(open_store(tmp_path))


# -- kill -9 half-way --------------------------------------------------------------------------


class _PausingQuads(list[Quad]):
    """Quads that stop half-way through being read and say so: the moment to kill the writer."""

    def __iter__(self) -> Iterator[Quad]:
        for index, quad in enumerate(super().__iter__()):
            if index == len(self) // 2:
                _say_writing_and_hang()
            yield quad


def _say_writing_and_hang(*_: object) -> None:
    print("writing", flush=True)
    time.sleep(60)


def commit_and_hang(store_dir: str, where: str) -> None:
    """Run in a child process: commit 300k quads and hang half-way (`quads`) or in `refresh`."""
    source = make_source("big.csv", algorithms=150_000, start=1000)
    if where == "quads":
        source = SourceLoad(source.name, source.sha256, source.graph, _PausingQuads(source.quads), source.provenance)
    commit(Path(store_dir), [source], refresh=_say_writing_and_hang if where == "refresh" else None)


@pytest.mark.parametrize("where", ["quads", "refresh"])
def test_a_commit_killed_half_way_leaves_the_old_store_and_is_cleaned_up(tmp_path: Path, where: str) -> None:
    commit(tmp_path, [make_source("old.csv")])
    old_generation, old_quads, _ = _state(tmp_path)
    child_code = (
        f"from tests.loader.test_atomic_commit import commit_and_hang; commit_and_hang({str(tmp_path)!r}, {where!r})"
    )
    with subprocess.Popen([sys.executable, "-c", child_code], cwd=REPO, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 30)
        assert ready and child.stdout.readline() == "writing\n"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    half_built = [name for name in _generations(tmp_path) if name != old_generation.name]
    assert half_built, "the child should have left its half-built generation"
    assert current_path(tmp_path).resolve() == old_generation
    assert len(open_store(tmp_path)) == old_quads
    assert _names(open_store(tmp_path)) == {"old.csv 0", "old.csv 1", "old.csv 2"}

    result = commit(tmp_path, [make_source("next.csv", start=3)])  # takes the lock the dead child held
    assert result.generation is not None
    assert _generations(tmp_path) == sorted([old_generation.name, result.generation.name])
    assert _names(open_store(tmp_path)) == {
        "old.csv 0",
        "old.csv 1",
        "old.csv 2",
        "next.csv 3",
        "next.csv 4",
        "next.csv 5",
    }


# -- one writer at a time ----------------------------------------------------------------------


def test_a_second_writer_fails_at_once_naming_the_lock(tmp_path: Path) -> None:
    refused: list[str] = []

    def try_another_commit(store: Store) -> None:
        try:
            commit(tmp_path, [make_source("second.csv", start=3)])
        except StoreError as error:
            refused.append(str(error))  # not the error: its traceback would keep `store` open

    first = commit(tmp_path, [make_source("first.csv")], refresh=try_another_commit)
    assert first.loaded == ["first.csv"]
    (error,) = refused
    assert error.startswith(f"{tmp_path / '.lock'}: another load (process {os.getpid()}) is writing this store")
    assert _generations(tmp_path) == [first.generation.name if first.generation else ""]
    assert commit(tmp_path, [make_source("second.csv", start=3)]).loaded == ["second.csv"]


def test_a_second_writer_with_a_timeout_waits_for_the_first(tmp_path: Path) -> None:
    inside, release = threading.Event(), threading.Event()
    results = []

    def hold(store: Store) -> None:
        inside.set()
        release.wait(10)

    first = threading.Thread(target=lambda: results.append(commit(tmp_path, [make_source("a.csv")], refresh=hold)))
    first.start()
    assert inside.wait(10)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    second = commit(tmp_path, [make_source("b.csv", start=3)], lock_timeout=10)
    waited = time.monotonic() - started
    first.join(10)
    assert waited >= 0.25 and second.loaded == ["b.csv"] and results[0].loaded == ["a.csv"]
    assert second.generation is not None and results[0].generation is not None
    assert second.generation.name > results[0].generation.name
    assert len(_names(open_store(tmp_path))) == 6
