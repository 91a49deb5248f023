"""The on-disk pyoxigraph store, built into a fresh directory and swapped in atomically.

A store directory holds numbered generations (`gen-000001/`, …) and a `current` symlink.
Building writes a new generation with `bulk_load` (fast, no transaction log) and then
renames a new symlink over `current`: a crash or kill at any point leaves `current`
pointing at the old, complete generation.
"""

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from loader.errors import StoreError
from loader.graphs import dataset_graph, model_graph
from ontology import model_files

EXAMPLE_DATASET = Path(__file__).parent / "data" / "example-register.ttl"


def current_path(store_dir: Path) -> Path:
    return store_dir / "current"


def open_store(store_dir: Path) -> Store:
    """Open the current generation of the store in `store_dir`.

    :raises StoreError: when the directory has no built store yet.
    """
    current = current_path(store_dir)
    if not current.exists():
        raise StoreError("no store here yet; build one with `algokg serve` or `algokg init`", path=store_dir)
    return Store(str(current.resolve()))


def build_store(store_dir: Path, *, datasets: Iterable[tuple[str, Path]] = (("example", EXAMPLE_DATASET),)) -> Path:
    """Build a new generation with the model and the given datasets, then make it current.

    :param store_dir: the store directory (created if missing).
    :param datasets: (name, Turtle file) pairs, each loaded into its own named graph.
    :returns: the directory of the new generation.
    :raises StoreError: when a file cannot be parsed; the current generation is untouched.
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    generation = _next_generation(store_dir)
    try:
        _fill(generation, datasets)
    except (SyntaxError, OSError) as error:
        shutil.rmtree(generation, ignore_errors=True)
        raise StoreError(f"could not build the store: {error}", path=getattr(error, "filename", None)) from error
    _point_current_at(store_dir, generation)
    _remove_old_generations(store_dir, keep=generation)
    return generation


def _fill(generation: Path, datasets: Iterable[tuple[str, Path]]) -> None:
    store = Store(str(generation))
    try:
        for path in model_files():
            store.bulk_load(path=str(path), format=RdfFormat.TURTLE, to_graph=model_graph(path))
        for name, path in datasets:
            store.bulk_load(path=str(path), format=RdfFormat.TURTLE, to_graph=dataset_graph(name))
        store.flush()
    finally:
        # Close the store (drop the last reference) even on error: an open RocksDB keeps writing
        # into the directory, and removing a failed generation must not race with it.
        del store


def _next_generation(store_dir: Path) -> Path:
    numbers = [int(p.name.removeprefix("gen-")) for p in store_dir.glob("gen-*") if p.name[4:].isdigit()]
    return store_dir / f"gen-{max(numbers, default=0) + 1:06d}"


def _point_current_at(store_dir: Path, generation: Path) -> None:
    # rename() of a symlink is atomic on POSIX: readers see the old or the new store, never none.
    staging = store_dir / "current.new"
    staging.unlink(missing_ok=True)
    staging.symlink_to(generation.name)
    os.replace(staging, current_path(store_dir))


def _remove_old_generations(store_dir: Path, *, keep: Path) -> None:
    # The previous generation stays: a server started before the swap may still read it.
    for old in sorted(store_dir.glob("gen-*"))[:-2]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
