"""Running a write for a request: off the event loop, waiting a little for the store's lock, errors as problem+json.

`/update` and the graph store (`/store`) hand a change to `run_write`; it goes through `loader.writes.write`
(a new generation, the SHACL gate, provenance) and comes back as a `WriteResult` or the response that says why
nothing was written: 422 with the validation report (grouped per record and field, Dutch and English, as a
load's report), 400 when the operation failed, 503 with Retry-After while another writer holds the lock.
"""

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from pyoxigraph import Store
from starlette.concurrency import run_in_threadpool

from loader.errors import StoreError
from loader.report import render_json, render_text
from loader.store import StoreBusy
from loader.validation import ValidationReport
from loader.writes import Scope, WriteFailed, WriteRefused, WriteResult, write
from sparql_api.problems import problem

WRITE_LOCK_WAIT = 3.0  # seconds a write waits for another writer (a load, a write) before giving up with 503
RETRY_AFTER_SECONDS = 5


async def run_write(
    request: Request, apply: Callable[[Store], None], *, operation: str, scope: Scope
) -> WriteResult | Response:
    """Apply `apply` as one write to the request's store; the result, or the problem response when nothing was written."""
    store_dir = request.app.state.settings.store_dir
    try:
        return await run_in_threadpool(
            write, store_dir, apply, operation=operation, scope=scope, lock_timeout=WRITE_LOCK_WAIT
        )
    except WriteRefused as error:
        return refused(error.report, error.message)
    except WriteFailed as error:
        return problem(400, "The write could not be applied", error.message)
    except StoreBusy:
        return problem(
            503,
            "The store is busy",
            f"another writer (a load or a write) held the store's lock for {WRITE_LOCK_WAIT:g} s; nothing was written",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    except StoreError as error:
        return problem(500, "The store could not be written", str(error))


def refused(report: ValidationReport, detail: str) -> Response:
    """422: the violations the write would add, grouped per record and field like a load's report."""
    return problem(
        422,
        "The write would add SHACL violations",
        detail,
        violations=report.count("Violation"),
        report=json.loads(render_json(report)),
        report_text={"nl": render_text(report, language="nl"), "en": render_text(report, language="en")},
    )


def summary(result: WriteResult) -> dict[str, Any]:
    """What a write did, as the JSON body of its response."""
    return {
        "generation": result.generation.name if result.generation else None,
        "changed": result.generation is not None,
        "added": result.added,
        "removed": result.removed,
        "graphs": list(result.graphs),
        "provenance": result.activity,
    }
