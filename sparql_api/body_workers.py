"""Worker processes for request bodies (`sparql_api.body_worker`): started on first use, one job at a time each,
killed at the job's deadline and replaced. The server only writes the body to a socket and awaits the answer,
so its event loop stays free (`/health` answers meanwhile) and nothing a client sent is parsed in its process.

Each app has two pools (`body_workers(app, kind)`): `write` (one process: writes take the store's lock one at
a time anyway; a write waits for it as long as for the lock, `sparql_api.writes`) and `validate` (for
`POST /api/validate`, `Settings.validate_workers` processes). A job that overruns its deadline, or whose client
goes away, costs its worker (SIGKILL); a worker that dies (a parser's stack overflow, out of memory) answers
`BodyWorkerDied`. A write killed before its swap leaves the store as it was (`loader.store`).

Wire format on a socketpair: each message is an 8-byte big-endian length and a pickle; to the worker
(function name, job), back an `Outcome` (`sparql_api.body_jobs`).
"""

import asyncio
import atexit
import pickle
import socket
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from sparql_api.body_jobs import RETRY_AFTER_SECONDS, Outcome
from sparql_api.problems import problem

WORKER_SCRIPT = Path(__file__).resolve().parent / "body_worker.py"


class BodyWorkersBusy(Exception):
    """Every worker of the pool stayed busy for as long as the request would wait."""


class BodyWorkerTimedOut(Exception):
    """The job did not finish before its deadline; its worker was killed."""


class BodyWorkerDied(Exception):
    """The worker ended without answering (a crash, out of memory, killed from outside)."""


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.process, self.reader, self.writer = process, reader, writer

    @classmethod
    async def start(cls) -> "_Worker":
        ours, theirs = socket.socketpair()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(WORKER_SCRIPT),
                str(theirs.fileno()),
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours, limit=2**20)
        return cls(process, reader, writer)

    async def ask(self, message: bytes) -> bytes:
        self.writer.write(len(message).to_bytes(8, "big") + message)
        await self.writer.drain()
        size = int.from_bytes(await self.reader.readexactly(8), "big")
        return await self.reader.readexactly(size)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()  # SIGKILL: a parser or a query in pyoxigraph cannot be interrupted otherwise
        self.writer.close()


class BodyWorkers:
    """A pool of at most `size` worker processes."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._slots = asyncio.Semaphore(self.size)
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        atexit.register(_kill_all, weakref.ref(self))

    async def run(self, function: str, job: object, *, timeout: float, wait: float) -> Outcome:
        """`function(job)` in a worker: its outcome.

        :param timeout: seconds the job may take once a worker has it.
        :param wait: seconds to wait for a free worker.
        :raises BodyWorkersBusy: / :raises BodyWorkerTimedOut: / :raises BodyWorkerDied:
        """
        try:
            await asyncio.wait_for(self._slots.acquire(), wait)
        except TimeoutError:
            raise BodyWorkersBusy from None
        try:
            worker = await self._take()
            try:
                answer = await asyncio.wait_for(worker.ask(pickle.dumps((function, job))), timeout)
            except TimeoutError:
                self._drop(worker)
                raise BodyWorkerTimedOut from None
            except (asyncio.IncompleteReadError, ConnectionError) as error:
                self._drop(worker)
                code = await worker.process.wait()
                raise BodyWorkerDied(f"exit code {code}") from error
            except BaseException:  # cancelled mid-job (the client went away): the worker cannot be reused
                self._drop(worker)
                raise
            self._idle.append(worker)
            outcome: Outcome = pickle.loads(answer)
            return outcome
        finally:
            self._slots.release()

    async def _take(self) -> _Worker:
        while self._idle:
            worker = self._idle.pop()
            if worker.process.returncode is None:
                return worker
            self._drop(worker)  # died while idle
        worker = await _Worker.start()
        self._all.add(worker)
        return worker

    def _drop(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.kill()

    @property
    def pids(self) -> list[int]:
        return sorted(worker.process.pid for worker in self._all)


def _kill_all(reference: "weakref.ref[BodyWorkers]") -> None:
    # Workers also exit when the server's end of their socket closes; this makes it prompt.
    if (pool := reference()) is not None:
        for worker in list(pool._all):
            if worker.process.returncode is None:
                worker.process.kill()


def body_workers(app: FastAPI, kind: str) -> BodyWorkers:
    """The app's pool of `kind` ("write" or "validate"), made on first use."""
    pools: dict[str, BodyWorkers] | None = getattr(app.state, "body_workers", None)
    if pools is None:
        pools = app.state.body_workers = {}
    if kind not in pools:
        pools[kind] = BodyWorkers(1 if kind == "write" else app.state.settings.validate_workers)
    return pools[kind]


async def run_job(
    request: Request, kind: str, function: str, job: object, *, timeout: float, wait: float, setting: str
) -> Response:
    """Run a job in the app's `kind` pool and answer its outcome, or the problem that says why there is none.

    :param timeout: seconds the job may take. :param wait: seconds to wait for a free worker.
    :param setting: the environment variable that sets the job's deadline, for the message when it overran.
    """
    pool = body_workers(request.app, kind)
    nothing = "; nothing was written" if kind == "write" else ""
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    try:
        outcome = await pool.run(function, job, timeout=timeout, wait=wait)
    except BodyWorkersBusy:
        title = "The store is busy" if kind == "write" else "The validator is busy"
        return problem(503, title, f"every worker stayed busy for {wait:g} s{nothing}", headers=retry)
    except BodyWorkerTimedOut:
        detail = f"the request was not done within {timeout:g} s ({setting}) and was stopped{nothing}"
        return problem(503, "The request took too long", detail, headers=retry)
    except BodyWorkerDied as error:
        detail = f"the process handling the request ended ({error}) before it answered{nothing}"
        return problem(500, "The request could not be handled", detail)
    return response(outcome)


def response(outcome: Outcome) -> Response:
    """The HTTP response an outcome describes."""
    if outcome.problem:
        members: dict[str, Any] = dict(outcome.body)
        title, detail = members.pop("title"), members.pop("detail", None)
        return problem(outcome.status, title, detail, headers=outcome.headers, **members)
    if outcome.content is not None:
        return Response(outcome.content, status_code=outcome.status, media_type=outcome.media_type)
    if outcome.body is None:
        return Response(status_code=outcome.status, headers=outcome.headers)
    return JSONResponse(outcome.body, status_code=outcome.status, headers=outcome.headers)


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is larger than {limit} bytes")
        self.limit = limit


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read until `limit` bytes at most.

    :raises BodyTooLarge: as soon as it is larger (the rest is not read).
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(error: BodyTooLarge, setting: str) -> Response:
    return problem(413, "The body is too large", f"{error} ({setting})")
