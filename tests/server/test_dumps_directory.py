"""Where a server writes its dumps when the store directory cannot hold them: only into a private directory
(made 0700 by the server, owned by its user), never into one someone else could have written, whose files it
would then serve and vouch for in `SHA256SUMS`. Real servers on copies of the example store."""

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.server.conftest import Server, store_copy

PLANTED = b'algorithm_id,name\r\n66666666,=HYPERLINK("https://evil.example","planted")\r\n'


def _tag(store_dir: Path) -> str:
    return hashlib.sha256(str(store_dir.resolve()).encode()).hexdigest()[:12]


def _plant(directory: Path) -> None:
    """What another user could leave at a predictable path: a complete-looking set of dumps, theirs."""
    directory.mkdir(parents=True)
    (directory / "algorithms.csv").write_bytes(PLANTED)
    (directory / "algokg.nq.gz").write_bytes(b"planted")
    sums = "".join(
        f"{hashlib.sha256((directory / name).read_bytes()).hexdigest()}  {name}\n"
        for name in ("algokg.nq.gz", "algorithms.csv")
    )
    (directory / "SHA256SUMS").write_text(sums)
    for path in (directory.parent, directory, *directory.iterdir()):
        path.chmod(0o777 if path.is_dir() else 0o666)
        if os.geteuid() == 0:
            os.chown(path, 65534, 65534)  # nobody


def _private(directory: Path) -> None:
    found = directory.lstat()
    assert stat.S_ISDIR(found.st_mode) and found.st_uid == os.geteuid(), directory
    assert stat.S_IMODE(found.st_mode) == 0o700, f"{directory}: mode {stat.filemode(found.st_mode)}"


def _generation(store_dir: Path) -> str:
    return (store_dir / "current").resolve().name


def _served(server: Server) -> str:
    response = httpx.get(server.url("/dumps/algorithms.csv"), timeout=60)
    assert response.status_code == 200, response.text
    assert b"planted" not in httpx.get(server.url("/dumps/algokg.nq.gz"), timeout=60).content
    sums = httpx.get(server.url("/dumps/SHA256SUMS")).text
    assert hashlib.sha256(response.content).hexdigest() in sums
    return response.text


def test_planted_dumps_in_shared_directories_are_never_served(
    running_server: Callable[..., Server], example_store: Path, tmp_path: Path
) -> None:
    store_dir = store_copy(example_store, tmp_path)
    (store_dir / "dumps").write_text("not a directory")  # the store cannot hold dumps
    shared_tmp, cache = tmp_path / "tmp", tmp_path / "cache"
    shared_tmp.mkdir()
    generation, tag = _generation(store_dir), _tag(store_dir)
    _plant(shared_tmp / f"algokg-dumps-{tag}" / generation)  # the path the server used to fall back to
    _plant(cache / "dumps" / tag / generation)  # the cache path, made writable by others
    server = running_server(store_dir, env={"TMPDIR": str(shared_tmp), "ALGOKG_CACHE": str(cache)})
    text = _served(server)
    assert "66666666" not in text and "00000001" in text
    # Made in a directory of the server's own (mkdtemp under TMPDIR: 0700, an unpredictable name).
    made = [p.parent for p in shared_tmp.glob("algokg-dumps-*/gen-*/SHA256SUMS") if p.stat().st_uid == os.geteuid()]
    made = [p for p in made if p.parent.name != f"algokg-dumps-{tag}"]
    assert len(made) == 1, made
    _private(made[0].parent)
    _private(made[0])


def test_dumps_go_to_a_private_cache_directory(
    running_server: Callable[..., Server], example_store: Path, tmp_path: Path
) -> None:
    store_dir = store_copy(example_store, tmp_path)
    elsewhere = tmp_path / "anyone-may-write"
    elsewhere.mkdir(mode=0o777)
    elsewhere.chmod(0o777)
    (store_dir / "dumps").symlink_to(elsewhere)  # dumps/ on a volume others can write: not used
    cache = tmp_path / "cache"
    server = running_server(store_dir, env={"ALGOKG_CACHE": str(cache)})
    assert "00000001" in _served(server)
    directory = cache / "dumps" / _tag(store_dir) / _generation(store_dir)
    assert sorted(p.name for p in directory.iterdir()) == ["SHA256SUMS", "algokg.nq.gz", "algorithms.csv"]
    _private(directory.parent)
    _private(directory)
    assert list(elsewhere.iterdir()) == []
    # Files planted later beside them (by someone who could) are not vouched for: the set is made again.
    (directory / "algorithms.csv").unlink()
    (directory / "algorithms.csv").write_bytes(PLANTED)
    if os.geteuid() == 0:
        os.chown(directory / "algorithms.csv", 65534, 65534)
        assert "66666666" not in _served(server)
