"""Fixtures for tests against a real `algokg serve` process on loopback.

- `example_store` (session): a store directory built once from the model and the example dataset.
  Servers only read it; a test that writes must use `store_copy(example_store, tmp_path)`.
- `running_server` (module): a factory `running_server(store_dir, env={...}, args=[...]) -> Server`
  that starts `algokg serve` on a free port, waits for `/health` and stops it when the module ends.
- `server` (module): one server on `example_store` with default settings; its base URL.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from benchmarks.processes import free_port, running
from loader.store import build_store

STARTUP_SECONDS = 60.0


@dataclass
class Server:
    """A running `algokg serve`: `base` is e.g. http://127.0.0.1:41234 (no trailing slash)."""

    base: str
    store_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def store_copy(store_dir: Path, target: Path) -> Path:
    """A private copy of a store directory (its `current` symlink is relative, so it points into the copy)."""
    destination = target / "store"
    shutil.copytree(store_dir, destination, symlinks=True, ignore=shutil.ignore_patterns(".lock"))
    return destination


@contextmanager
def start_server(
    store_dir: Path, *, env: Mapping[str, str] | None = None, args: Sequence[str] = (), log_dir: Path | None = None
) -> Iterator[Server]:
    """Run `algokg serve --offline --store DIR` on a free loopback port until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "loader.cli", "serve", "--offline", "--store", str(store_dir)]
    command += ["--port", str(port), *args]
    log_path = (log_dir or store_dir.parent) / f"server-{port}.log"
    # The caller's environment must not leak settings into the test (a token, a public base, a timeout).
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ALGOKG_")} | dict(env or {})
    ready = f"http://127.0.0.1:{port}/health"
    with running(command, ready, "algokg serve", log_path, seconds=STARTUP_SECONDS, env=environment) as process:
        yield Server(f"http://127.0.0.1:{port}", store_dir, process, log_path, dict(env or {}))


@pytest.fixture(scope="session")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the model and the example dataset, built once per session; treat it as read-only."""
    store_dir = tmp_path_factory.mktemp("example-store") / "store"
    build_store(store_dir)
    return store_dir


@pytest.fixture(scope="module")
def running_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """Start servers with `running_server(store_dir, env={...}, args=[...])`; all stop when the module ends."""
    log_dir = tmp_path_factory.mktemp("server-logs")
    with ExitStack() as servers:

        def start(store_dir: Path, env: Mapping[str, str] | None = None, args: Sequence[str] = ()) -> Server:
            return servers.enter_context(start_server(store_dir, env=env, args=args, log_dir=log_dir))

        yield start


@pytest.fixture(scope="module")
def server(running_server: Callable[..., Server], example_store: Path) -> str:
    """The base URL of a server on the example store with default settings."""
    return running_server(example_store).base
