"""Current state computed from memory during a load equals current state rebuilt from the store alone.

A load derives the current-state graphs from the mapping's index of registrations (and asks the store
only about older sources); `refresh_current_state(store)` rebuilds them from the stored quads. Both
must give the same graphs: first loads, newer versions, RDF sources, sources skipped as already loaded.
"""

import csv
import shutil
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from benchmarks.generate import generate
from loader.current_state import refresh_current_state
from loader.pipeline import load_paths
from loader.reference import ReferenceData, reference_data
from loader.sourceload import CURRENT_STATE_GRAPH
from loader.store import current_path

ALGORITHM = "https://w3id.org/algokg/id/algorithm/"
CURRENT = NamedNode("https://w3id.org/algokg/def#currentRegistration")
PREVIOUS = NamedNode("https://w3id.org/algokg/def#previousRegistration")
STATUS = NamedNode("https://w3id.org/algokg/def#status")


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return reference_data(cache_dir=Path("/nonexistent-algokg-cache"))


def _state(store: Store) -> set[Quad]:
    return {
        quad
        for graph in store.named_graphs()
        if isinstance(graph, NamedNode) and graph.value.startswith(CURRENT_STATE_GRAPH.value)
        for quad in store.quads_for_pattern(None, None, None, graph)
    }


def _loaded_and_rebuilt(store_dir: Path, tmp_path: Path) -> tuple[set[Quad], set[Quad]]:
    """The current state the loads wrote, and the one rebuilt from the store on a copy of it."""
    copy = tmp_path / "rebuilt"
    shutil.copytree(current_path(store_dir).resolve(), copy)
    store = Store(str(copy))
    loaded = _state(store)
    refresh_current_state(store)
    rebuilt = _state(store)
    del store
    return loaded, rebuilt


def _edited(source: Path, target: Path, rows: int, change: dict[str, str], changed: int) -> Path:
    """The first `rows` records of `source`, the first `changed` of them with `change` applied."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header, records = list(reader.fieldnames or []), list(reader)[:rows]
    for record in records[:changed]:
        record.update(change)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(records)
    return target


def test_a_first_load_gives_the_state_a_rebuild_gives(tmp_path: Path, reference: ReferenceData) -> None:
    export = generate(300, tmp_path / "register.csv")
    load_paths(tmp_path / "store", [export], reference=reference, run_validation=False)
    loaded, rebuilt = _loaded_and_rebuilt(tmp_path / "store", tmp_path)
    assert len([quad for quad in loaded if quad.predicate == CURRENT]) == 300
    assert len(loaded) > 300 * 15  # the registration's facts are copied, not only the link
    assert loaded == rebuilt


def test_newer_versions_and_skipped_sources_give_the_state_a_rebuild_gives(
    tmp_path: Path, reference: ReferenceData
) -> None:
    export = generate(120, tmp_path / "register.csv")
    older = _edited(export, tmp_path / "older.csv", 80, {}, 0)
    newer = _edited(export, tmp_path / "newer.csv", 120, {"status": "Buiten gebruik", "end_date": "2026-06"}, 30)
    store_dir = tmp_path / "store"
    load_paths(store_dir, [older], reference=reference, run_validation=False)
    # `older` again in the same batch: skipped as already loaded, read from the store like any older source.
    report = load_paths(store_dir, [older, newer], reference=reference, run_validation=False)
    assert [source.skipped for source in report.sources] == [True, False]
    loaded, rebuilt = _loaded_and_rebuilt(store_dir, tmp_path)
    assert loaded == rebuilt
    previous = [quad for quad in loaded if quad.predicate == PREVIOUS]
    assert len(previous) == 30  # the changed records are new versions of 30 algorithms
    first = NamedNode(f"{ALGORITHM}10000000")
    (status,) = [quad.object.value for quad in loaded if quad.subject == first and quad.predicate == STATUS]
    assert status.endswith("/buiten-gebruik")


def test_an_rdf_source_is_indexed_by_scanning_its_quads(tmp_path: Path, reference: ReferenceData) -> None:
    export = generate(50, tmp_path / "register.csv")
    mapped = tmp_path / "mapped"
    load_paths(mapped, [export], reference=reference, run_validation=False)
    # The register's own source graph, as an N-Triples file: an RDF source whose registrations nobody indexed.
    store = Store.read_only(str(current_path(mapped).resolve()))
    (graph,) = [g for g in store.named_graphs() if isinstance(g, NamedNode) and "/source/" in g.value]
    triples = tmp_path / "register.nt"
    store.dump(str(triples), format=RdfFormat.N_TRIPLES, from_graph=graph)
    del store
    load_paths(tmp_path / "store", [triples], reference=reference, run_validation=False)
    loaded, rebuilt = _loaded_and_rebuilt(tmp_path / "store", tmp_path)
    assert len([quad for quad in loaded if quad.predicate == CURRENT]) == 50
    assert loaded == rebuilt
