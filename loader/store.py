"""The on-disk pyoxigraph store: numbered generations, one `current` symlink, one writer at a time.

A store directory holds generations (`gen-000001/`, …), a `current` symlink and a `.lock` file.
A generation is written once and never again after it became current: a writer takes the lock,
builds the next generation beside the current one (a RocksDB checkpoint of it, hard links, then
`bulk_extend`, which writes without a transaction log), flushes and closes it, and renames a new
symlink over `current`. A crash or `kill -9` at any point leaves `current` at the old, complete
generation; the next writer removes the half-built one. Readers open the current generation
read-only and keep it until they reopen: a running server serves the generation it opened.
A writer keeps the current generation and the one before it and removes older ones, except those
marked kept in `kept/` (`keep_generation`: the generation before a write that removed data).
"""

import fcntl
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import IO

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

from loader.errors import StoreError
from loader.graphs import GRAPH_BASE, dataset_graph, model_graph
from loader.sourceload import PROVENANCE_GRAPH, SourceLoad
from ontology import model_files

EXAMPLE_DATASET = Path(__file__).parent / "data" / "example-register.ttl"
SHA256 = NamedNode("https://w3id.org/algokg/def#sha256")
LOCK_FILE = ".lock"
KEPT_DIR = "kept"  # markers of generations no writer prunes (`keep_generation`)
_MODEL_GRAPHS = f"{GRAPH_BASE}model/"


@dataclass(frozen=True)
class CommitResult:
    """What a commit did.

    :param generation: the new current generation, or None when every source was already loaded.
    :param loaded: names of the sources written, in the order given.
    :param skipped: names of the sources left out because their sha256 is already in the store.
    :param seconds: wall time of the commit, waiting for the lock included.
    """

    generation: Path | None
    loaded: list[str]
    skipped: list[str]
    seconds: float


class StoreBusy(StoreError):
    """Another writer held the store's lock for longer than the caller would wait."""


def current_path(store_dir: Path) -> Path:
    return store_dir / "current"


def open_store(store_dir: Path) -> Store:
    """Open the current generation of the store in `store_dir`, read-only.

    The store keeps showing that generation after later commits (restart or reopen to see them);
    it stays readable even once a commit has removed its directory (its files are open).

    :raises StoreError: when the directory has no built store yet.
    """
    current = current_path(store_dir)
    for _ in range(3):
        if not current.exists():
            raise StoreError("no store here yet; build one with `algokg serve` or `algokg init`", path=store_dir)
        generation = current.resolve()
        try:
            return Store.read_only(str(generation))
        except OSError as error:
            # A commit may have swapped and pruned between resolve() and the open: try the new one.
            if current.resolve() == generation:
                raise StoreError(f"could not open the store: {error}", path=generation) from error
    raise StoreError("the store changed three times while opening it; try again", path=store_dir)


def build_store(
    store_dir: Path,
    *,
    datasets: Iterable[tuple[str, Path]] = (("example", EXAMPLE_DATASET),),
    lock_timeout: float = 0.0,
) -> Path:
    """Build a new generation afresh with the model and the given datasets, then make it current.

    :param store_dir: the store directory (created if missing).
    :param datasets: (name, Turtle file) pairs, each loaded into its own named graph.
    :param lock_timeout: seconds to wait for another writer to finish (0: fail at once).
    :returns: the directory of the new generation.
    :raises StoreError: when a file cannot be parsed or another writer holds the lock; the current
        generation is untouched.
    """

    def fill(store: Store) -> None:
        _write_model(store)
        for name, path in datasets:
            store.bulk_load(path=str(path), format=RdfFormat.TURTLE, to_graph=dataset_graph(name))

    with _writer(store_dir, lock_timeout):
        generation = _next_generation(store_dir)
        _build(generation, fill, copy_of=None, what="build the store")
        _point_current_at(store_dir, generation)
        _prune(store_dir)
    return generation


BULK_BATCH = 1_000_000  # quads per run of pyoxigraph's bulk loader (its DEFAULT_BULK_LOAD_BATCH_SIZE)


class _Counted(Iterator[Quad]):
    """The quads of an iterable, counted as they are read (derived graphs come as an iterator)."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self._quads, self.count = iter(quads), 0

    def __next__(self) -> Quad:
        quad = next(self._quads)
        self.count += 1
        return quad


def commit(
    store_dir: Path,
    sources: Sequence[SourceLoad],
    *,
    refresh: Callable[[Store], None] | None = None,
    derive: Callable[[Store, Sequence[SourceLoad]], Iterable[Quad]] | None = None,
    lock_timeout: float = 0.0,
) -> CommitResult:
    """Add the sources not yet in the store, as one new generation swapped in atomically.

    A source whose sha256 is already in the provenance graph is skipped; when all are, nothing
    is written and no generation is made. The new generation starts as a copy of the current one
    (or, on an empty store, as the model alone), gets the model files afresh, the new sources'
    data, provenance and validation results, then `refresh(store)` (e.g. to recompute derived
    graphs). `refresh` must not keep the store or anything read from it (query results, iterators):
    the store must be closed before the swap.

    `derive(store, new)` is the cheaper way to add derived graphs computed from the sources in memory:
    it runs before the sources are written (the store holds the previous generation's data and the
    model; it may remove quads), gets the sources that will be written (not the skipped ones), and the
    quads it returns are written in the same bulk write as the sources' (one bulk write of a few
    million quads costs less than two). An iterator it returns must not read the store.

    :param lock_timeout: seconds to wait for another writer to finish (0: fail at once).
    :raises StoreError: when the store is locked by another writer or the commit failed at any
        step (writing, `derive`, `refresh`, flushing); `current` and its data are then as before.
    """
    started = time.perf_counter()
    with _writer(store_dir, lock_timeout):
        current = _current_generation(store_dir)
        new, skipped = _split(sources, _loaded_digests(current) if current else set())
        if not new:
            return CommitResult(None, [], skipped, time.perf_counter() - started)

        def fill(store: Store) -> None:
            _write_model(store)
            derived = derive(store, new) if derive is not None else ()
            counted = _Counted(derived)
            store.bulk_extend(chain(chain.from_iterable(_quads_of(source) for source in new), counted))
            if sum(_size(source) for source in new) + counted.count > BULK_BATCH:
                # The bulk loader wrote several runs of sorted files whose key ranges overlap, and every read
                # merges them all: one record at 100k (9 runs) 28.8 -> 14.1 CPU ms once compacted, for ~25 s
                # of compaction on a load of minutes. After one run the gain is small (10k: 11.4 -> 9.7 ms)
                # and the cost is a tenth of the load (2.2 s): not done.
                store.optimize()
            if refresh is not None:
                refresh(store)

        generation = _next_generation(store_dir)
        names = ", ".join(source.name for source in new)
        _build(generation, fill, copy_of=current, what=f"load {names}")
        _point_current_at(store_dir, generation)
        _prune(store_dir)
    return CommitResult(generation, [source.name for source in new], skipped, time.perf_counter() - started)


def commit_change(
    store_dir: Path, change: Callable[[Store, Path], bool], *, what: str, lock_timeout: float = 0.0
) -> Path | None:
    """Make the next generation a copy of the current one changed by `change`; swap it in if `change` says so.

    `change(store, current)` gets the new generation open read-write and the current generation's directory
    (to read the state before, read-only); it returns True to keep the change and False to drop it (the new
    generation is removed, `current` stays). Like `refresh` in `commit`, it must not keep the store or
    anything read from it.

    :returns: the new current generation, or None when `change` dropped it.
    :raises StoreBusy: another writer held the lock for `lock_timeout` seconds.
    :raises StoreError: on an empty store or when any step failed (an exception from `change` is its
        ``__cause__``); `current` and its data are then as before.
    """
    with _writer(store_dir, lock_timeout):
        current = _current_generation(store_dir)
        if current is None:
            raise StoreError("no store here yet; build one with `algokg serve` or `algokg init`", path=store_dir)
        keep = False

        def fill(store: Store) -> None:
            nonlocal keep
            keep = change(store, current)

        generation = _next_generation(store_dir)
        _build(generation, fill, copy_of=current, what=what)
        if not keep:
            shutil.rmtree(generation, ignore_errors=True)
            return None
        _point_current_at(store_dir, generation)
        _prune(store_dir)
    return generation


# -- the lock ----------------------------------------------------------------------------------


@contextmanager
def _writer(store_dir: Path, timeout: float) -> Iterator[None]:
    """Be the one writer of `store_dir`, clear what a killed writer left, and report OS errors as StoreError."""
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        with _locked(store_dir, timeout):
            _prune(store_dir)
            yield
    except OSError as error:
        # Nothing after the swap raises, so `current` is as before when this is reached.
        raise StoreError(
            f"could not write the store: {error}", path=getattr(error, "filename", None) or store_dir
        ) from error


@contextmanager
def writer_lock(store_dir: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold the store's writer lock (no commit runs meanwhile), e.g. while its current generation is published."""
    with _locked(store_dir, timeout):
        yield


@contextmanager
def _locked(store_dir: Path, timeout: float) -> Iterator[None]:
    # flock() is released by the kernel when the process ends, kill -9 included: no stale locks.
    path = store_dir / LOCK_FILE
    with path.open("a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + timeout
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                holder = path.read_text(encoding="utf-8").strip() or "?"
                raise StoreBusy(
                    f"another load (process {holder}) is writing this store and holds its lock; "
                    "try again when it is done",
                    path=path,
                )
            time.sleep(0.05)
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield


def _try_lock(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# -- building a generation ---------------------------------------------------------------------


def _build(generation: Path, fill: Callable[[Store], None], *, copy_of: Path | None, what: str) -> None:
    """Make `generation` (a copy of `copy_of`, or empty), fill it, flush and close it; or remove it and raise."""
    try:
        if copy_of is not None:
            _copy(copy_of, generation)
        _write(generation, fill)
    except BaseException as error:
        # Drop the references the traceback's frames hold to the store, so RocksDB is closed
        # (and stops writing into the directory) before the directory is removed.
        traceback.clear_frames(error.__traceback__)
        shutil.rmtree(generation, ignore_errors=True)
        if not isinstance(error, Exception):
            raise
        where = getattr(error, "filename", None) or generation.parent
        raise StoreError(f"could not {what}: {error}", path=where) from error


def _write(generation: Path, fill: Callable[[Store], None]) -> None:
    store = Store(str(generation))
    try:
        fill(store)
        store.flush()
    finally:
        # Close the store (drop the last reference) even on error: an open RocksDB keeps writing
        # into the directory (compactions delete files), and readers open it read-only, which
        # must not race with a writer.
        del store
    _ensure_closed(generation)


def _ensure_closed(generation: Path) -> None:
    # Anything that still holds the store (or a query result or iterator from it) keeps RocksDB
    # open; reopening is the one reliable check (RocksDB refuses a second open in one process).
    try:
        probe = Store(str(generation))
    except OSError as error:
        raise StoreError(
            "the new generation is still open after writing it: something (refresh?) kept the store "
            f"or a query result or iterator from it ({error})",
            path=generation,
        ) from None
    del probe


def _copy(current: Path, generation: Path) -> None:
    """Start `generation` as a RocksDB checkpoint of `current`: its immutable files hard-linked, not copied."""
    source = Store.read_only(str(current))
    try:
        source.backup(str(generation))
    finally:
        del source
    # A checkpoint of a read-only store leaves out the write-ahead log. Generations written here
    # are flushed, so it holds nothing, but a write made to `current` outside this module would
    # be lost: copy the log files in, as RocksDB's checkpoint of a read-write store does.
    for log in current.glob("*.log"):
        shutil.copy2(log, generation / log.name)


def _write_model(store: Store) -> None:
    # The model graphs always match the model files of the algokg that writes the generation.
    for graph in list(store.named_graphs()):
        if isinstance(graph, NamedNode) and graph.value.startswith(_MODEL_GRAPHS):
            store.remove_graph(graph)
    store.bulk_extend(_model_quads())


def _model_quads() -> list[Quad]:
    # Parsed here and written in one bulk write: one bulk_load per file costs twice as much.
    return [
        Quad(triple.subject, triple.predicate, triple.object, model_graph(path))
        for path in model_files()
        for triple in parse(path=str(path), format=RdfFormat.TURTLE)
    ]


def _size(source: SourceLoad) -> int:
    return len(source.quads) + len(source.provenance) + len(source.validation) + 1


def _quads_of(source: SourceLoad) -> Iterator[Quad]:
    yield from source.quads
    yield from source.provenance
    yield from source.validation
    # Skipping a reload relies on this triple: write it whatever the provenance says.
    yield Quad(source.graph, SHA256, Literal(source.sha256), PROVENANCE_GRAPH)


# -- which sources are new ---------------------------------------------------------------------


def _loaded_digests(generation: Path) -> set[str]:
    store = Store.read_only(str(generation))
    try:
        return {quad.object.value for quad in store.quads_for_pattern(None, SHA256, None, PROVENANCE_GRAPH)}
    finally:
        del store


def _split(sources: Sequence[SourceLoad], present: set[str]) -> tuple[list[SourceLoad], list[str]]:
    """The sources to write, and the names of those already present (in the store or earlier in `sources`)."""
    seen = set(present)
    new: list[SourceLoad] = []
    skipped: list[str] = []
    for source in sources:
        if source.sha256 in seen:
            skipped.append(source.name)
        else:
            seen.add(source.sha256)
            new.append(source)
    return new, skipped


# -- generations and the current symlink -------------------------------------------------------


def _generations(store_dir: Path) -> list[Path]:
    return sorted(p for p in store_dir.glob("gen-*") if p.name[4:].isdigit())


def _current_generation(store_dir: Path) -> Path | None:
    # By name, not resolve(): generations are compared with the paths of _generations().
    current = current_path(store_dir)
    if not current.is_symlink():
        return None
    generation = store_dir / Path(os.readlink(current)).name
    if not generation.is_dir():
        # Never start afresh over a lost generation: that would hide the loss.
        raise StoreError(f"`current` points at {generation.name}, which is missing", path=current)
    return generation


def _next_generation(store_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in _generations(store_dir)]
    return store_dir / f"gen-{max(numbers, default=0) + 1:06d}"


def _point_current_at(store_dir: Path, generation: Path) -> None:
    # rename() of a symlink is atomic on POSIX: readers see the old or the new store, never none.
    staging = store_dir / "current.new"
    staging.unlink(missing_ok=True)
    staging.symlink_to(generation.name)
    os.replace(staging, current_path(store_dir))
    # Make the rename durable, not only atomic (a power cut must not undo it). Best effort: the
    # swap has happened and is visible, so a failure here must not report the commit as failed.
    with suppress(OSError):
        directory = os.open(store_dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _prune(store_dir: Path) -> None:
    """Keep the current generation, the one before it and the kept ones; remove the rest (older, half-built).

    Called with the lock held. The previous generation stays for a server opened before the last
    swap; older ones go even if a server still has them open (it keeps reading its open files).
    A generation marked kept (`keep_generation`) stays whatever the writer, a load or a write.
    """
    (store_dir / "current.new").unlink(missing_ok=True)
    current = _current_generation(store_dir)
    keep = {current} if current else set()
    if current:
        older = [p for p in _generations(store_dir) if p.name < current.name]
        keep.update(older[-1:])
    kept = {marker.name for marker in (store_dir / KEPT_DIR).glob("gen-*")}
    for generation in _generations(store_dir):
        if generation not in keep and generation.name not in kept:
            shutil.rmtree(generation, ignore_errors=True)


def keep_generation(store_dir: Path, generation: Path, reason: str) -> None:
    """Mark `generation` kept: no later commit or write prunes it (`kept/<generation>` says why).

    Writes call it for the generation before one that removed data, which then holds the only copy of what
    was removed (`loader.writes`). Deleting the marker lets the next writer prune the generation.
    """
    folder = store_dir / KEPT_DIR
    folder.mkdir(exist_ok=True)
    (folder / generation.name).write_text(reason.rstrip("\n") + "\n", encoding="utf-8")


def kept_generations(store_dir: Path) -> dict[str, str]:
    """The generations marked kept that still exist, with the reason each was kept."""
    folder = store_dir / KEPT_DIR
    return {
        marker.name: marker.read_text(encoding="utf-8").strip()
        for marker in sorted(folder.glob("gen-*"))
        if (store_dir / marker.name).is_dir()
    }
