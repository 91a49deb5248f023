"""A small pool of query worker processes (`sparql_api.query_worker`), each killed when its query must stop.

A query stops at its deadline, when its caller goes away (the HTTP client disconnected: the caller cancels its
future), when the server shuts down (`stop_all`), and when the scheduling policy (`sparql_api.lanes`) needs its
worker for someone else; then its worker is SIGKILLed (pyoxigraph cannot be interrupted any other way) and a
booted spare takes its place at once. Nothing of a stopped query reaches the client, and the other workers go on.

Everything runs on one event loop in a thread of its own: waiting for a worker or an answer holds no thread of
the server's, and callers on any thread or loop get a `concurrent.futures.Future` (`submit`), a coroutine
(`run_async`) or a blocking call (`run`).
"""

import asyncio
import atexit
import concurrent.futures
import contextlib
import pickle
import socket
import struct
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sparql_api.lanes import MAKE_ROOM, OVERDUE, Job, Lanes

WORKER_SCRIPT = Path(__file__).resolve().parent / "query_worker.py"
DEFAULT_LONG_SECONDS = 0.5
SHUTDOWN = "shutdown"


class WorkersBusy(Exception):
    """No worker became free before the request's deadline."""


class WorkerTimedOut(Exception):
    """The worker did not answer before the deadline and was killed."""


class WorkerDied(Exception):
    """The worker ended without answering (crashed, out of memory, killed from outside)."""


class WorkerStopped(Exception):
    """The pool stopped the query before its deadline: `reason` is OVERDUE, MAKE_ROOM or SHUTDOWN."""

    def __init__(self, reason: str, seconds: float) -> None:
        super().__init__(reason)
        self.reason, self.seconds = reason, seconds


class Worker:
    """One `query_worker.py` process and the server's end of its socket (non-blocking, for the pool's loop)."""

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
        ours.setblocking(False)
        self.socket = ours
        self.ready = False  # it said it has booted (and opened the store): its queries start at once

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    async def send(self, request: tuple[Any, ...]) -> None:
        """The request as `multiprocessing.connection.Connection.send` frames it (the worker reads it so)."""
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        size = len(payload)
        header = struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!i", -1) + struct.pack("!Q", size)
        await asyncio.get_running_loop().sock_sendall(self.socket, header + payload)

    async def receive(self) -> bytes:
        """One answer framed as `Connection.send_bytes` does; EOFError when the worker is gone."""
        (size,) = struct.unpack("!i", await self._read(4))
        if size == -1:
            (size,) = struct.unpack("!Q", await self._read(8))
        return bytes(await self._read(size))

    async def _read(self, size: int) -> bytearray:
        loop, buffer = asyncio.get_running_loop(), bytearray(size)
        view, got = memoryview(buffer), 0
        while got < size:
            count = await loop.sock_recv_into(self.socket, view[got:])
            if count == 0:
                raise EOFError("the query worker closed its socket")
            got += count
        return buffer

    def kill(self) -> None:
        self.process.kill()  # SIGKILL; reaped by `reap`
        with contextlib.suppress(RuntimeError, ValueError, OSError):  # no loop, or the socket is closed already
            # A read or write still waiting on the socket: unregister it now, or its file descriptor number,
            # soon reused by a new worker's socket, would stay registered with the loop.
            loop, descriptor = asyncio.get_running_loop(), self.socket.fileno()
            loop.remove_reader(descriptor)
            loop.remove_writer(descriptor)
        self.socket.close()

    def reap(self) -> None:
        self.process.wait()


class WorkerPool:
    """`size` query workers scheduled by `sparql_api.lanes` (see there for who waits and who makes room)."""

    def __init__(
        self, store_dir: Path, size: int, *, long_seconds: float = DEFAULT_LONG_SECONDS, long_lane: int | None = None
    ) -> None:
        self.store_dir = store_dir
        self.size = max(1, size)
        self.long_seconds = long_seconds
        self._lanes = Lanes(self.size - 1 if long_lane is None else long_lane, long_seconds)
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()  # the workers that take queries (booting or ready), not the spare
        self._spare: Worker | None = None  # booted ahead, to take a killed worker's place at once
        self._jobs: dict[Job, asyncio.Task[bytes]] = {}  # every query in the pool, waiting or running
        self._waiters: dict[Job, asyncio.Future[Worker]] = {}  # how a waiting query is handed its worker
        self._lock = threading.Lock()  # guards `_all` for `pids` (read from other threads)
        self._closing = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="query-worker-pool", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result()
        # Workers exit on their own when the server's end of the socket closes; this makes it prompt.
        atexit.register(_close_pool, weakref.ref(self))

    # -- the interface (any thread) --------------------------------------------------------------------------

    def submit(
        self, request: tuple[Any, ...], deadline: float, *, client: str = "", privileged: bool = True
    ) -> "concurrent.futures.Future[bytes]":
        """Run `request` on a worker; the future's result is the answer, or WorkersBusy / WorkerTimedOut /
        WorkerDied / WorkerStopped. Cancelling the future stops the query (its worker is killed and replaced).

        :param deadline: `time.monotonic()` value by which the answer must be complete.
        :param client: who asks (the scheduling policy tells clients apart by it); "" the server itself.
        :param privileged: waits first and is never stopped to make room (the write-token holder, the server).
        """
        return asyncio.run_coroutine_threadsafe(self._run(request, deadline, client, privileged), self._loop)

    def run(self, request: tuple[Any, ...], deadline: float, **who: Any) -> bytes:
        """`submit` and wait for the answer (blocks the calling thread)."""
        return self.submit(request, deadline, **who).result()

    async def run_async(self, request: tuple[Any, ...], deadline: float, **who: Any) -> bytes:
        """`submit` and await the answer on the caller's loop; cancelling the awaiting task stops the query."""
        return await asyncio.wrap_future(self.submit(request, deadline, **who))

    def stop_all(self) -> None:
        """Stop every query at once (WorkerStopped(SHUTDOWN)) and refuse new ones: the server is shutting down."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop_all)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        with contextlib.suppress(concurrent.futures.TimeoutError, RuntimeError):
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return sorted(worker.process.pid for worker in self._all)

    # -- on the pool's loop -----------------------------------------------------------------------------------

    async def _start(self) -> None:
        for _ in range(self.size):
            with self._lock:
                self._all.add(self._spawn())
        self._spare = self._spawn()

    def _spawn(self) -> Worker:
        worker = Worker(self.store_dir)
        self._loop.create_task(self._boot(worker))
        return worker

    async def _boot(self, worker: Worker) -> None:
        """Until `worker` says it is ready; then it takes queries (or waits as the spare)."""
        try:
            await worker.receive()  # b"ready" (sparql_api.query_worker)
        except (EOFError, OSError):
            worker.kill()
            await self._loop.run_in_executor(None, worker.reap)
            await asyncio.sleep(1.0)  # a worker that cannot boot must not make the pool spin
            if self._closing:
                return
            if worker is self._spare:
                self._spare = self._spawn()
            elif worker in self._all:
                self._retire(worker)
            return
        worker.ready = True
        if worker in self._all:
            self._idle.append(worker)
            self._dispatch()

    async def _run(self, request: tuple[Any, ...], deadline: float, client: str, privileged: bool) -> bytes:
        if self._closing:
            raise WorkerStopped(SHUTDOWN, 0.0)
        job = Job(client, privileged)
        task = asyncio.current_task()
        assert task is not None
        self._jobs[job] = task  # type: ignore[assignment]
        try:
            worker = await self._acquire(job, deadline)
            return await self._exchange(job, worker, request, deadline)
        except asyncio.CancelledError:
            if job.stopping is None:
                raise  # the caller cancelled: it went away
            ran = time.monotonic() - job.started if job.started is not None else 0.0
            raise WorkerStopped(job.stopping, ran) from None
        finally:
            del self._jobs[job]
            self._lanes.forget(job)
            self._dispatch()

    async def _acquire(self, job: Job, deadline: float) -> Worker:
        assigned: asyncio.Future[Worker] = self._loop.create_future()
        self._waiters[job] = assigned
        self._lanes.wait(job, time.monotonic())
        try:
            self._dispatch()
            done, _ = await asyncio.wait({assigned}, timeout=max(0.0, deadline - time.monotonic()))
            if not done:
                raise WorkersBusy
            return assigned.result()
        except BaseException:
            if assigned.done() and not assigned.cancelled():
                self._release(assigned.result())  # served just as it gave up: the worker goes back
            assigned.cancel()
            raise
        finally:
            self._waiters.pop(job, None)

    async def _exchange(self, job: Job, worker: Worker, request: tuple[Any, ...], deadline: float) -> bytes:
        self._lanes.started(job, time.monotonic())
        receiving: asyncio.Task[bytes] | None = None
        answered = timed_out = False
        try:
            await worker.send(request)
            receiving = asyncio.ensure_future(worker.receive())
            long_at = min(deadline, time.monotonic() + self.long_seconds)
            done, _ = await asyncio.wait({receiving}, timeout=max(0.0, long_at - time.monotonic()))
            if not done and time.monotonic() < deadline:
                self._lanes.reached_long(job)
                self._dispatch()  # overdue while others wait: this task is cancelled now
                done, _ = await asyncio.wait({receiving}, timeout=max(0.0, deadline - time.monotonic()))
            if not done:
                timed_out = True
                raise WorkerTimedOut
            answer = receiving.result()
            answered = True
        except (EOFError, OSError) as error:
            code = worker.process.poll()
            self._retire(worker)
            raise WorkerDied(f"exit code {code}" if code is not None else str(error)) from error
        except BaseException:
            if receiving is not None:
                receiving.cancel()
            self._retire(worker)
            raise
        finally:
            self._lanes.finished(job, time.monotonic(), answered=answered, timed_out=timed_out)
        self._release(worker)
        return answer

    def _dispatch(self) -> None:
        """Idle workers to waiting queries (in the policy's order); if some still wait, make room."""
        if self._closing:
            return  # every query is being stopped; no worker is replaced
        while self._idle and (job := self._lanes.next_waiting(time.monotonic())) is not None:
            waiter = self._waiters.get(job)
            if waiter is None or waiter.done():
                continue
            waiter.set_result(self._take_idle())
        if self._lanes.waiting:
            for victim in self._lanes.victims(time.monotonic()):
                if (task := self._jobs.get(victim)) is not None:
                    task.cancel()

    def _take_idle(self) -> Worker:
        """An idle, living worker (there is one); one that died while idle (e.g. out of memory) is replaced."""
        while not (worker := self._idle.pop()).alive:
            self._retire(worker)
            if not self._idle:
                raise WorkerDied("the query workers die as soon as they start")
        return worker

    def _release(self, worker: Worker) -> None:
        if not worker.alive:  # died while it worked or waited (e.g. out of memory): not used again
            self._retire(worker)
        elif self._closing:
            self._retire(worker, replace=False)
        else:
            self._idle.append(worker)

    def _retire(self, worker: Worker, *, replace: bool = True) -> None:
        """Kill `worker`; the spare takes its place (at once if it has booted) and a new spare starts."""
        with self._lock:
            self._all.discard(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        worker.kill()
        self._loop.run_in_executor(None, worker.reap)
        if replace and not self._closing:
            spare, self._spare = self._spare, self._spawn()
            if spare is None or not spare.alive:
                spare = self._spawn()
            with self._lock:
                self._all.add(spare)
            if spare.ready:
                self._idle.append(spare)

    def _stop_all(self) -> None:
        self._closing = True
        for job, task in list(self._jobs.items()):
            if job.stopping is None:
                job.stopping = SHUTDOWN
                task.cancel()

    async def _close(self) -> None:
        self._stop_all()
        if self._jobs:
            await asyncio.wait(list(self._jobs.values()), timeout=5)
        with self._lock:
            workers, self._all = list(self._all), set()
        if self._spare is not None:
            workers.append(self._spare)
            self._spare = None
        self._idle.clear()
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.reap()


def _close_pool(reference: "weakref.ref[WorkerPool]") -> None:
    if (pool := reference()) is not None:
        pool.close()


__all__ = [
    "MAKE_ROOM",
    "OVERDUE",
    "SHUTDOWN",
    "WorkerDied",
    "WorkerPool",
    "WorkerStopped",
    "WorkerTimedOut",
    "WorkersBusy",
]
