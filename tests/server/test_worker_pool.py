"""The query worker pool in-process (`sparql_api.worker_pool`): stopping, cancelling and replacing workers."""

import concurrent.futures
import time
from pathlib import Path

import pytest

from sparql_api.lanes import OVERDUE
from sparql_api.worker_pool import SHUTDOWN, WorkerPool, WorkersBusy, WorkerStopped, WorkerTimedOut

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _request(store_dir: Path, query: str) -> tuple[object, ...]:
    generation = store_dir / (store_dir / "current").readlink()
    return (str(generation), query, "srj", None, {"use_default_graph_as_union": True})


def test_churn_of_killed_workers_leaves_a_working_pool(example_store: Path) -> None:
    """Deadlines, cancellations and stops, many at once: every worker killed is replaced, none is lost."""
    pool = WorkerPool(example_store, 2, long_seconds=0.2)
    try:
        slow, ask = _request(example_store, CARTESIAN), _request(example_store, "ASK {}")
        futures = [
            pool.submit(slow, time.monotonic() + 0.3 + (index % 4) * 0.2, client=f"c{index}", privileged=False)
            for index in range(16)
        ]
        time.sleep(0.4)
        for future in futures[::3]:
            future.cancel()  # the client went away
        outcomes = []
        for future in futures:
            try:
                outcomes.append(type(future.result(timeout=30)).__name__)
            except concurrent.futures.CancelledError:
                outcomes.append("cancelled")
            except (WorkerTimedOut, WorkerStopped, WorkersBusy) as error:
                outcomes.append(type(error).__name__)
        assert "bytes" not in outcomes  # no cartesian query ever finished
        for _ in range(5):
            assert pool.run(ask, time.monotonic() + 10).startswith(b"Rsrj")
        assert len(pool.pids) == 2
    finally:
        pool.close()


def test_an_overdue_query_is_stopped_for_a_waiting_one(example_store: Path) -> None:
    pool = WorkerPool(example_store, 1, long_seconds=0.2)
    try:
        pool.run(_request(example_store, "ASK {}"), time.monotonic() + 30)  # the worker has booted
        slow = pool.submit(_request(example_store, CARTESIAN), time.monotonic() + 30, client="a", privileged=False)
        time.sleep(0.5)
        started = time.monotonic()
        answer = pool.run(_request(example_store, "ASK {}"), time.monotonic() + 10, client="b", privileged=False)
        assert answer.startswith(b"Rsrj") and time.monotonic() - started < 10
        with pytest.raises(WorkerStopped) as stopped:
            slow.result(timeout=10)
        assert stopped.value.reason == OVERDUE
    finally:
        pool.close()


def test_stop_all_stops_running_and_waiting_queries(example_store: Path) -> None:
    pool = WorkerPool(example_store, 1)
    try:
        request = _request(example_store, CARTESIAN)
        running = pool.submit(request, time.monotonic() + 60)  # privileged: never stopped to make room
        time.sleep(0.3)
        waiting = pool.submit(request, time.monotonic() + 60)
        time.sleep(0.1)
        pool.stop_all()
        for future in (running, waiting):
            with pytest.raises(WorkerStopped) as stopped:
                future.result(timeout=10)
            assert stopped.value.reason == SHUTDOWN
    finally:
        pool.close()
    assert pool.pids == []
