"""A small pool of query worker processes (`sparql_api.query_worker`), each killed at its query's deadline.

A request takes an idle worker (waiting for one until its deadline), sends the query and waits for the whole
answer until the deadline; then the worker is SIGKILLed and a fresh one takes its place. Nothing of a
stopped query reaches the client, and the other workers go on serving.
"""

import atexit
import queue
import socket
import subprocess
import sys
import threading
import time
import weakref
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

WORKER_SCRIPT = Path(__file__).resolve().parent / "query_worker.py"


class WorkersBusy(Exception):
    """No worker became free before the request's deadline."""


class WorkerTimedOut(Exception):
    """The worker did not answer before the deadline and was killed."""


class WorkerDied(Exception):
    """The worker ended without answering (crashed, out of memory, killed from outside)."""


class Worker:
    def __init__(self, store_dir: Path) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, str(WORKER_SCRIPT), str(store_dir), str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        self.connection = Connection(ours.detach())

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: pyoxigraph cannot be interrupted any other way
        self.process.wait()
        self.connection.close()


class WorkerPool:
    def __init__(self, store_dir: Path, size: int) -> None:
        self.store_dir = store_dir
        self.size = max(1, size)
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(self.size):
            self._add()
        # Workers exit on their own when the server's end of the socket closes; this makes it prompt.
        atexit.register(_close_pool, weakref.ref(self))

    def run(self, request: tuple[Any, ...], deadline: float) -> bytes:
        """Send `request` to a worker; its answer, or WorkersBusy / WorkerTimedOut / WorkerDied.

        :param deadline: `time.monotonic()` value by which the answer must be complete.
        """
        worker = self._take(deadline)
        try:
            worker.connection.send(request)
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                raise WorkerTimedOut
            answer = worker.connection.recv_bytes()
        except (EOFError, OSError) as error:
            code = worker.process.poll()
            self._replace(worker)
            raise WorkerDied(f"exit code {code}" if code is not None else str(error)) from error
        self._idle.put(worker)
        return answer

    def _take(self, deadline: float) -> Worker:
        """An idle, living worker; one that died while idle (e.g. out of memory) is replaced, not used."""
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise WorkersBusy from None
            if worker.process.poll() is None:
                return worker
            self._replace(worker)

    def _add(self) -> None:
        with self._lock:
            if self._closed:
                return
            worker = Worker(self.store_dir)
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self._add()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.connection.close()
        for worker in workers:
            try:
                worker.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                worker.kill()

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return sorted(worker.process.pid for worker in self._all)


def _close_pool(reference: "weakref.ref[WorkerPool]") -> None:
    if (pool := reference()) is not None:
        pool.close()
