"""Running a write for a request: in the write worker (`sparql_api.body_workers`), answered as its outcome.

`/update` and the graph store (`/store`) read the body (at most `Settings.max_upload_body`) and hand it, unparsed,
to the write worker with the limits (`write_limits`); there it is parsed and goes through `loader.writes.write`
(a new generation, protected graphs, the SHACL gate, provenance) — `sparql_api.body_jobs`. The answer is the
write's summary, or the problem that says why nothing was written: 403 naming a protected graph, 422 with the
validation report (grouped per record and field, Dutch and English, as a load's report), 400 when the body or
the operation failed, 413 for a body over the limit, 503 with Retry-After while another writer holds the lock
or when the write overran its deadline (`Settings.write_timeout`; its worker is killed, nothing is written).
"""

from fastapi import Request, Response

from sparql_api.body_jobs import GraphStoreJob, UpdateJob, WriteLimits
from sparql_api.body_workers import run_job

WRITE_LOCK_WAIT = 3.0  # seconds a write waits for another writer (a load, a write) before giving up with 503
_GRACE = 5.0  # seconds past a write's deadline before its worker is killed: the worker drops the write itself


def write_limits(request: Request) -> WriteLimits:
    settings = request.app.state.settings
    return WriteLimits(max_nesting=settings.max_nesting, seconds=settings.write_timeout, lock_wait=WRITE_LOCK_WAIT)


async def run_write(request: Request, function: str, job: UpdateJob | GraphStoreJob) -> Response:
    """Run `job` ("update" or "graph_store") in the app's write worker; its response."""
    # The worker stops the write itself at the deadline, before its swap (`loader.writes.write`); the kill, a
    # little later, is for a worker stuck in a parser or a query, where nothing was swapped yet.
    timeout = job.limits.seconds + job.limits.lock_wait + _GRACE
    return await run_job(
        request, "write", function, job, timeout=timeout, wait=WRITE_LOCK_WAIT, setting="ALGOKG_WRITE_TIMEOUT"
    )
