"""Servers the benchmarks and tests start on loopback: a free port, waiting until one answers, stopping it.

Every server runs in its own process group (`start_new_session=True`), so stopping it also stops what it
started (the query worker processes of `algokg serve`).
"""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], what: str, log: Path, seconds: float = 60.0) -> None:
    """Until GET `url` answers 200; a clear error with the end of the log if the process exits or times out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {url} within {seconds:g} s:\n{log.read_text(errors='replace')[-4000:]}")


def stop(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """SIGTERM to the process group, SIGKILL after `grace` seconds; whatever of the group outlived it goes too."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def running(
    command: Sequence[str],
    ready: str,
    what: str,
    log: Path,
    *,
    seconds: float = 60.0,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` in its own process group, output to `log`, until the block ends; ready when `ready` answers."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command), stdout=output, stderr=subprocess.STDOUT, cwd=cwd, env=env, start_new_session=True
        )
    try:
        wait_until_up(ready, process, what, log, seconds)
        yield process
    finally:
        stop(process)
