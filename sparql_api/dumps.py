"""Bulk dumps of the graph, made once per data version and kept on disk beside the store.

| file | what |
|---|---|
| `algokg.nq.gz` | every quad of the store generation (all named graphs), N-Quads, gzip (mtime 0: same data, same bytes) |
| `algorithms.csv` | one row per algorithm and language, current state (the query of `algokg export --format csv`) |
| `SHA256SUMS` | `sha256sum` lines for both, so `sha256sum -c SHA256SUMS` checks a download |

Files live in `{store_dir}/dumps/{generation}/`; when that cannot be used (a read-only store directory, or
one that is not private), in `{cache}/dumps/{store tag}/{generation}/` (`Settings.cache_dir`: `ALGOKG_CACHE`,
else `$XDG_CACHE_HOME/algokg`), else in a fresh `tempfile.mkdtemp` directory of this process. A directory is
used only when it is private: a directory (not a symlink, for the ones made here), owned by this process's
user, writable by nobody else; the ones made here are made with mode 0700. Files found in it are served only
when they are regular files owned by this user and `SHA256SUMS` names them. So a predictable path under a
shared temporary directory, planted beforehand by another user, is never trusted.

Each file is written to a temporary file in that directory and renamed into place, so a reader sees a whole
file or none; `SHA256SUMS` is written last and marks the set complete. Directories of generations that are
gone are removed when a new set is made.
"""

import atexit
import contextlib
import functools
import gzip
import hashlib
import logging
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pyoxigraph import QueryResultsFormat

from loader.csv_cells import safe_csv
from loader.export import ALGORITHMS_CSV
from sparql_api.settings import Settings

NQUADS = "algokg.nq.gz"
CSV = "algorithms.csv"
SUMS = "SHA256SUMS"
MEDIA_TYPES = {NQUADS: "application/gzip", CSV: "text/csv; charset=utf-8", SUMS: "text/plain; charset=utf-8"}
_LOCK = threading.Lock()  # one writer per process; renames make concurrent processes safe too
_LOG = logging.getLogger(__name__)


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
        directory = _directory(settings, version)
        if not _complete(directory):
            _make(directory, queries, settings.max_query_timeout)
            _prune(directory.parent, keep={version, *_generations(store_dir)})
        return _read(version, directory)


class NotPrivate(OSError):
    """A directory or file that another user could have written."""


def _directory(settings: Settings, version: str) -> Path:
    """The private, writable directory of `version`'s dumps: beside the store, else in the cache, else temporary."""
    tag = hashlib.sha256(str(settings.store_dir.resolve()).encode()).hexdigest()[:12]
    roots = [settings.store_dir / "dumps"]
    if settings.cache_dir is not None:
        roots.append(settings.cache_dir / "dumps" / tag)
    for root in roots:
        try:
            return _private_directory(_private_directory(root, follow=True) / version)
        except OSError as error:
            _LOG.info("dumps: not using %s (%s)", root, error)
    return _private_directory(_process_directory() / version)


def _private_directory(path: Path, *, follow: bool = False) -> Path:
    """`path`, made with mode 0700 if absent; NotPrivate unless it is ours, writable by nobody else, and writable.

    :param follow: accept a symlink to such a directory (an operator may put `dumps/` on another volume).
    """
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=follow)
    found = path.stat() if follow else path.lstat()
    if not stat.S_ISDIR(found.st_mode):
        raise NotPrivate(f"{path} is not a directory")
    _check_owner(path, found)
    probe = tempfile.NamedTemporaryFile(dir=path)  # noqa: SIM115 - only to test that it is writable
    probe.close()
    return path


def _check_owner(path: Path, found: os.stat_result) -> None:
    if found.st_uid != os.geteuid():
        raise NotPrivate(f"{path} belongs to user {found.st_uid}, not to this process's user {os.geteuid()}")
    if found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise NotPrivate(f"{path} is writable by other users (mode {stat.filemode(found.st_mode)})")


@functools.cache
def _process_directory() -> Path:
    """A directory only this process made (mkdtemp: mode 0700, an unpredictable name), removed at exit."""
    path = Path(tempfile.mkdtemp(prefix="algokg-dumps-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _complete(directory: Path) -> bool:
    """Whether `directory` holds a whole set: `SHA256SUMS` and every file it names, all regular files of ours."""
    try:
        names = [line.partition("  ")[2] for line in _own_file(directory / SUMS).read_text("utf-8").splitlines()]
        return sorted(names) == sorted({NQUADS, CSV}) and all(_own_file(directory / name) for name in names)
    except (OSError, UnicodeDecodeError):
        return False


def _own_file(path: Path) -> Path:
    found = path.lstat()
    if not stat.S_ISREG(found.st_mode):
        raise NotPrivate(f"{path} is not a regular file")
    _check_owner(path, found)
    return path


def _make(directory: Path, queries: Any, timeout: float) -> None:
    def nquads(out: IO[bytes]) -> None:
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as packed:
            queries.dump_nquads(packed)  # the embedded store copies its generation; a remote one sends its graphs

    def csv(out: IO[bytes]) -> None:
        answer = queries.serialize(ALGORITHMS_CSV, QueryResultsFormat.CSV, timeout=timeout)
        out.write(safe_csv(answer))  # the same cells as `algokg export --format csv`: formulas written as text

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
