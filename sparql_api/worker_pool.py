"""A small pool of query worker processes (`sparql_api.query_worker`), each killed when its query must stop.

A query stops at its deadline, when its caller goes away (the HTTP client disconnected: the caller cancels its
future), when the server shuts down (`stop_all`), and when the scheduling policy (`sparql_api.lanes`) needs its
worker for someone else; then its worker is SIGKILLed (pyoxigraph cannot be interrupted any other way) and a
booted spare takes its place at once. Nothing of a stopped query reaches the client, and the other workers go on.

Everything runs on one event loop in a thread of its own: waiting for a worker or an answer holds no thread of
the server's, and callers on any thread or loop get a `concurrent.futures.Future` (`submit`), a coroutine
(`run_async`) or a blocking call (`run`). The server hands that loop over to its own thread (`hand_over_loop`,
`sparql_api.serving`): uvicorn then runs on the pool's loop, and a query from a request is a task of the same
loop — no hop between threads, no second thread contending for the GIL on every socket call (that hop and
contention cost more than a third of a point lookup's time, see docs/performance.md).
"""

import asyncio
import atexit
import collections
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


class _Frames(asyncio.Protocol):
    """The server's end of a worker's socket: frames as `Connection.send_bytes` writes them, collected as they
    arrive. The socket stays registered with the loop for the worker's life: an answer costs one wake-up and
    one read, not a registration, a wait and an unregistration per read as `loop.sock_recv_into` does."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._frames: collections.deque[bytes] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._lost: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= 4:
            size, head = int.from_bytes(buffer[:4], "big", signed=True), 4
            if size == -1:  # a frame of 2 GiB or more: its size follows in 8 bytes
                if len(buffer) < 12:
                    break
                size, head = int.from_bytes(buffer[4:12], "big"), 12
            if len(buffer) < head + size:
                break
            self._frames.append(bytes(buffer[head : head + size]))
            del buffer[: head + size]
        if self._frames:
            self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = EOFError("the query worker closed its socket")
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next_frame(self) -> bytes:
        while not self._frames:
            if self._lost is not None:
                raise self._lost
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._frames.popleft()


class Worker:
    """One `query_worker.py` process and the server's end of its socket (a transport of the pool's loop)."""

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
        self._frames = _Frames()
        self.ready = False  # it said it has booted (and opened the store): its queries start at once

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    async def connect(self) -> None:
        """Register the socket with the running loop (once, before the first `receive`)."""
        await asyncio.get_running_loop().connect_accepted_socket(lambda: self._frames, self.socket)

    async def send(self, request: tuple[Any, ...]) -> None:
        """The request as `multiprocessing.connection.Connection.send` frames it (the worker reads it so)."""
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        size = len(payload)
        header = struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!i", -1) + struct.pack("!Q", size)
        transport = self._frames.transport
        if transport is None or transport.is_closing():
            raise EOFError("the query worker's socket is closed")
        transport.write(header + payload)

    async def receive(self) -> bytes:
        """One answer framed as `Connection.send_bytes` does; EOFError when the worker is gone."""
        return await self._frames.next_frame()

    def kill(self) -> None:
        self.process.kill()  # SIGKILL; reaped by `reap`
        with contextlib.suppress(RuntimeError):  # the loop is closed already
            if self._frames.transport is not None:
                self._frames.transport.abort()  # unregisters the socket from the loop and closes it
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
        self._loop = _new_loop()
        self._thread: threading.Thread | None = threading.Thread(
            target=self._loop.run_forever, name="query-worker-pool", daemon=True
        )
        self._thread.start()
        self._owner: int | None = None  # the thread that runs the loop once it was handed over
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result()
        # Workers exit on their own when the server's end of the socket closes; this makes it prompt.
        atexit.register(_close_pool, weakref.ref(self))

    # -- the interface (any thread) --------------------------------------------------------------------------

    def submit(
        self, request: tuple[Any, ...], deadline: float, *, client: str = "", privileged: bool = True
    ) -> "concurrent.futures.Future[bytes] | asyncio.Future[bytes]":
        """Run `request` on a worker; the future's result is the answer, or WorkersBusy / WorkerTimedOut /
        WorkerDied / WorkerStopped. Cancelling the future stops the query (its worker is killed and replaced).
        Called on the pool's own loop, the future is that loop's task (awaitable, no thread involved).

        :param deadline: `time.monotonic()` value by which the answer must be complete.
        :param client: who asks (the scheduling policy tells clients apart by it); "" the server itself.
        :param privileged: waits first and is never stopped to make room (the write-token holder, the server).
        """
        if self._on_loop():
            return self._loop.create_task(self._run(request, deadline, client, privileged))
        return asyncio.run_coroutine_threadsafe(self._run(request, deadline, client, privileged), self._loop)

    def run(self, request: tuple[Any, ...], deadline: float, **who: Any) -> bytes:
        """`submit` and wait for the answer (blocks the calling thread, which must not be the loop's)."""
        self.check_may_block()
        future = self.submit(request, deadline, **who)
        assert isinstance(future, concurrent.futures.Future)
        return future.result()

    async def run_async(self, request: tuple[Any, ...], deadline: float, **who: Any) -> bytes:
        """`submit` and await the answer on the caller's loop; cancelling the awaiting task stops the query."""
        return await asyncio.wrap_future(self.submit(request, deadline, **who))

    def hand_over_loop(self) -> asyncio.AbstractEventLoop:
        """Stop the pool's thread and return its loop, for the calling thread to run (the server's event loop):
        from then on requests on that loop reach the workers without a hop between threads. Whoever runs the
        loop must call `close` before the loop ends."""
        if self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._thread = None
        self._owner = threading.get_ident()
        return self._loop

    def check_may_block(self) -> None:
        """RuntimeError on the pool's own loop, where waiting for an answer would wait for ever."""
        if self._on_loop():
            raise RuntimeError("a blocking query call on the server's event loop: await the async one instead")

    def _on_loop(self) -> bool:
        return self._owner is not None and threading.get_ident() == self._owner

    def stop_all(self) -> None:
        """Stop every query at once (WorkerStopped(SHUTDOWN)) and refuse new ones: the server is shutting down."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop_all)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        if self._thread is None:  # handed over: its owner runs the loop (or has stopped running it)
            self._close_now()
            return
        with contextlib.suppress(concurrent.futures.TimeoutError, RuntimeError):
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()

    def _close_now(self) -> None:
        """`close` on a handed-over loop, from its own thread (or after it stopped): nothing is awaited, every
        query is stopped and every worker killed at once (their tasks end as the loop winds down)."""
        self._stop_all()
        for worker in self._take_all():
            worker.kill()
            worker.reap()

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
            await worker.connect()
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
            if assigned.done():  # an idle worker took it at once: no timer, no extra turn of the loop
                return assigned.result()
            try:  # awaited directly (not through asyncio.wait): one turn of the loop from dispatch to here
                async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                    return await assigned
            except TimeoutError:
                raise WorkersBusy from None
        except BaseException:
            if assigned.done() and not assigned.cancelled():
                self._release(assigned.result())  # served just as it gave up: the worker goes back
            assigned.cancel()
            raise
        finally:
            self._waiters.pop(job, None)

    async def _exchange(self, job: Job, worker: Worker, request: tuple[Any, ...], deadline: float) -> bytes:
        self._lanes.started(job, time.monotonic())
        answered = timed_out = False
        try:
            await worker.send(request)
            # The answer is awaited directly, not through a task and asyncio.wait: it is taken in the turn of
            # the loop that reads it. A frame that arrives after a timeout stays queued for the next receive.
            long_at = min(deadline, time.monotonic() + self.long_seconds)
            try:
                async with asyncio.timeout(max(0.0, long_at - time.monotonic())):
                    answer = await worker.receive()
            except TimeoutError:
                if time.monotonic() >= deadline:
                    timed_out = True
                    raise WorkerTimedOut from None
                self._lanes.reached_long(job)
                self._dispatch()  # overdue while others wait: this task is cancelled now
                try:
                    async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                        answer = await worker.receive()
                except TimeoutError:
                    timed_out = True
                    raise WorkerTimedOut from None
            answered = True
        except (EOFError, OSError) as error:
            code = worker.process.poll()
            self._retire(worker)
            raise WorkerDied(f"exit code {code}" if code is not None else str(error)) from error
        except BaseException:
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
        workers = self._take_all()
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.reap()

    def _take_all(self) -> list[Worker]:
        with self._lock:
            workers, self._all = list(self._all), set()
        if self._spare is not None:
            workers.append(self._spare)
            self._spare = None
        self._idle.clear()
        return workers


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop where installed (sockets, timers and transports in C: the server runs on this loop once
    it was handed over), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


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
