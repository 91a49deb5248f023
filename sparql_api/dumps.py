"""Bulk dumps of the graph, made once per data version and kept on disk beside the store.

| file | what |
|---|---|
| `algokg.nq.gz` | every quad of the store generation (all named graphs), N-Quads, gzip (mtime 0: same data, same bytes) |
| `algorithms.csv` | one row per algorithm and language, current state (the query of `algokg export --format csv`) |
| `SHA256SUMS` | `sha256sum` lines for both, so `sha256sum -c SHA256SUMS` checks a download |

Files live in `{store_dir}/dumps/{generation}/` (or, when the store directory is read-only, under the
temporary directory). Each is written to a temporary file in that directory and renamed into place,
so a reader sees a whole file or none; `SHA256SUMS` is written last and marks the set complete.
Directories of generations that are gone are removed when a new set is made.
"""

import gzip
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pyoxigraph import QueryResultsFormat

from loader.export import ALGORITHMS_CSV
from sparql_api.settings import Settings

NQUADS = "algokg.nq.gz"
CSV = "algorithms.csv"
SUMS = "SHA256SUMS"
MEDIA_TYPES = {NQUADS: "application/gzip", CSV: "text/csv; charset=utf-8", SUMS: "text/plain; charset=utf-8"}
_LOCK = threading.Lock()  # one writer per process; renames make concurrent processes safe too


@dataclass(frozen=True)
class Dump:
    name: str
    path: Path
    sha256: str
    size: int

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.name]


@dataclass(frozen=True)
class DumpSet:
    """The dumps of one data version."""

    version: str
    directory: Path
    files: dict[str, Dump]

    @property
    def sums(self) -> Path:
        return self.directory / SUMS


def dumps(settings: Settings, queries: Any) -> DumpSet:
    """The dumps of the data version `queries` answers from, made now if they are not there yet.

    :param queries: the app's `QueryService` (its `data_version` names the generation; the CSV is a query).
    """
    store_dir, version = settings.store_dir, queries.data_version
    with _LOCK:
        directory = _directory(store_dir, version)
        if not (directory / SUMS).is_file():
            _make(directory, queries, settings.max_query_timeout)
            _prune(directory.parent, keep={version, *_generations(store_dir)})
        return _read(version, directory)


def _directory(store_dir: Path, version: str) -> Path:
    directory = store_dir / "dumps" / version
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory)  # noqa: SIM115 - only to test that it is writable
        probe.close()
    except OSError:
        # A read-only store directory (e.g. a mounted volume): keep the dumps in the temporary directory.
        tag = hashlib.sha256(str(store_dir.resolve()).encode()).hexdigest()[:12]
        directory = Path(tempfile.gettempdir()) / f"algokg-dumps-{tag}" / version
        directory.mkdir(parents=True, exist_ok=True)
    return directory


def _make(directory: Path, queries: Any, timeout: float) -> None:
    def nquads(out: IO[bytes]) -> None:
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as packed:
            queries.dump_nquads(packed)  # the embedded store copies its generation; a remote one sends its graphs

    def csv(out: IO[bytes]) -> None:
        out.write(queries.serialize(ALGORITHMS_CSV, QueryResultsFormat.CSV, timeout=timeout))

    sums = []
    for name, write in ((NQUADS, nquads), (CSV, csv)):
        _atomic(directory / name, write)
        sums.append(f"{_sha256(directory / name)}  {name}\n")
    _atomic(directory / SUMS, lambda out: out.write("".join(sums).encode()))


def _atomic(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write `path` through a temporary file in its directory, fsync it, rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read(version: str, directory: Path) -> DumpSet:
    files: dict[str, Dump] = {}
    for line in (directory / SUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = directory / name
        files[name] = Dump(name, path, digest, path.stat().st_size)
    sums = directory / SUMS
    files[SUMS] = Dump(SUMS, sums, _sha256(sums), sums.stat().st_size)
    return DumpSet(version, directory, files)


def _generations(store_dir: Path) -> set[str]:
    return {path.name for path in store_dir.glob("gen-*")}


def _prune(root: Path, keep: set[str]) -> None:
    for directory in root.glob("gen-*"):
        if directory.name not in keep:
            shutil.rmtree(directory, ignore_errors=True)
