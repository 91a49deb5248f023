"""`loader.writes.write` on a real on-disk store: protected graphs refused, nothing a write removes is pruned."""

from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from loader.sourceload import PROVENANCE_GRAPH
from loader.store import build_store, commit, current_path, kept_generations, open_store
from loader.writes import WriteForbidden, protection, write
from tests.loader.test_atomic_commit import make_source

ONTOLOGY = NamedNode("https://w3id.org/algokg/graph/model/ontology/algokg")
EDITS = NamedNode("http://example.org/edits")
P = NamedNode("http://example.org/p")


def _quad(number: int) -> Quad:
    return Quad(NamedNode(f"http://example.org/s{number}"), P, Literal(number), EDITS)


def _state(store_dir: Path) -> tuple[str, int, list[str]]:
    store = open_store(store_dir)
    try:
        return current_path(store_dir).resolve().name, len(store), sorted(p.name for p in store_dir.glob("gen-*"))
    finally:
        del store


def _insert(*quads: Quad) -> object:
    return lambda store: store.extend(quads)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    build_store(tmp_path / "store")
    return tmp_path / "store"


@pytest.mark.parametrize(
    "graph, expected",
    [
        (ONTOLOGY, "model"),
        ("https://w3id.org/algokg/graph/model/schemes/register", "model"),
        (PROVENANCE_GRAPH, "provenance"),
        ("https://w3id.org/algokg/graph/validation/0123456789abcdef", "validation"),
        ("https://w3id.org/algokg/graph/derived/current/en", "current state"),
        ("https://w3id.org/algokg/graph/provenance-copy", None),
        ("https://w3id.org/algokg/graph/source/0123456789abcdef", None),
        ("https://w3id.org/algokg/graph/dataset/example", None),
        (DefaultGraph(), None),
    ],
)
def test_which_graphs_are_protected(graph: NamedNode | DefaultGraph | str, expected: str | None) -> None:
    what = protection(graph)
    assert (what is None) if expected is None else (expected in what)  # type: ignore[operator]


def test_a_write_naming_a_protected_graph_is_refused_before_anything_is_copied(store_dir: Path) -> None:
    before = _state(store_dir)
    with pytest.raises(WriteForbidden) as refused:
        write(store_dir, _insert(Quad(EDITS, P, Literal("x"), ONTOLOGY)), operation="edit", scope=[EDITS, ONTOLOGY])
    assert refused.value.graphs == (ONTOLOGY.value,)
    assert ONTOLOGY.value in str(refused.value) and "model" in str(refused.value)
    assert _state(store_dir) == before


def test_a_write_of_unknown_scope_is_refused_when_it_changed_a_protected_graph(store_dir: Path) -> None:
    before = _state(store_dir)

    def clear_everything(store: Store) -> None:
        store.update("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }")

    with pytest.raises(WriteForbidden) as refused:
        write(store_dir, clear_everything, operation="SPARQL Update: DELETE WHERE", scope=None)
    assert ONTOLOGY.value in refused.value.graphs
    assert "https://w3id.org/algokg/graph/dataset/example" not in refused.value.graphs  # only what is protected
    assert _state(store_dir) == before
    # The same kind of write on writable graphs only goes through.
    write(store_dir, _insert(_quad(1)), operation="seed", scope=None)
    assert write(store_dir, _insert(_quad(2)), operation="add", scope=None).added == 1


def test_the_generation_before_a_write_that_removed_data_is_never_pruned(store_dir: Path) -> None:
    write(store_dir, _insert(_quad(1), _quad(2)), operation="add two", scope=[EDITS])
    before_removal = current_path(store_dir).resolve()
    removed = write(store_dir, lambda store: store.remove(_quad(1)), operation="remove one", scope=[EDITS])
    assert removed.removed == 1
    # Many later writes and a load: by the old rule (current and previous) it would be gone after the second.
    for number in range(3, 6):
        write(store_dir, _insert(_quad(number)), operation=f"add {number}", scope=[EDITS])
    commit(store_dir, [make_source("a later load")])
    kept = kept_generations(store_dir)
    assert before_removal.name in kept and "remove one" in kept[before_removal.name]
    assert removed.activity in kept[before_removal.name]
    old = Store.read_only(str(before_removal))
    try:
        assert _quad(1) in old  # what the write removed is still there
    finally:
        del old
    # Generations before add-only writes are not kept: their data is all in the later ones.
    generations = sorted(p.name for p in store_dir.glob("gen-*"))
    assert len(generations) == 3  # the kept one, the previous and the current


def test_a_refused_write_keeps_nothing(store_dir: Path) -> None:
    write(store_dir, _insert(_quad(1)), operation="seed", scope=[EDITS])
    before = _state(store_dir)

    def remove_and_deface(store: Store) -> None:
        store.remove(_quad(1))
        store.add(Quad(EDITS, P, Literal("x"), PROVENANCE_GRAPH))

    with pytest.raises(WriteForbidden):
        write(store_dir, remove_and_deface, operation="deface", scope=None)
    assert _state(store_dir) == before
    assert kept_generations(store_dir) == {}
