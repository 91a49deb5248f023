"""Prometheus metrics of one app: requests by route and status, their latency, query durations and timeouts.

`install(app)` gives the app its own registry (`app.state.metrics`, so two apps in one process do not
clash), a pure ASGI middleware that times every HTTP request under its route template (`/id/{rest:path}`,
not the raw path) and its method, both `other` when unknown (label values stay few whatever clients send),
and wraps `app.state.queries` so every query through the `QueryService` interface (`serialize`, `select`,
`ask`, `answer`) is timed and its timeouts counted. Store size and data version are collected at scrape
time by `sparql_api.metadata` (they need queries).
"""

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sparql_api.queries import QueryTimeout

_TIMED = frozenset({"serialize", "select", "ask", "answer"})  # the QueryService methods that run a query
# Label values come from a closed set, whatever clients send: a client inventing HTTP methods or paths must not
# grow the registry (every label set is kept in memory and in each scrape). Status codes are three digits.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
OTHER = "other"  # an unknown method, or a path no route matched
_TIMED_ASYNC = frozenset({"answer_async"})  # and those that do so on the event loop
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    """The metrics of one app, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "algokg_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "algokg_http_request_duration_seconds",
            "Time to answer an HTTP request (until the response started), by route template and method.",
            ["route", "method"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.query_seconds = Histogram(
            "algokg_query_duration_seconds",
            "Time a query took in the QueryService, by operation and outcome (ok, timeout, error).",
            ["operation", "outcome"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.query_timeouts = Counter(
            "algokg_query_timeouts", "Queries stopped at their deadline.", registry=self.registry
        )

    def add_collector(self, collector: Collector) -> None:
        self.registry.register(collector)


class MetricsMiddleware:
    """Counts and times every HTTP request under the template of the route that answered it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the response started is answered with 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self._observe(scope, status, started)
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            self._observe(scope, status, started)
            raise

    def _observe(self, scope: Scope, status: int, started: float) -> None:
        route = getattr(scope.get("route"), "path", None) or OTHER
        method = scope.get("method", "GET")
        method = method if method in METHODS else OTHER
        self.metrics.requests.labels(route, method, str(status)).inc()
        self.metrics.request_seconds.labels(route, method).observe(time.perf_counter() - started)


class InstrumentedQueries:
    """The app's `QueryService` with every query timed; everything else is passed through unchanged."""

    def __init__(self, inner: Any, metrics: Metrics) -> None:
        self._inner, self._metrics = inner, metrics

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name in _TIMED and callable(attribute):
            return lambda *args, **kwargs: self._timed(name, attribute, args, kwargs)
        if name in _TIMED_ASYNC and callable(attribute):
            return lambda *args, **kwargs: self._timed_async(name, attribute, args, kwargs)
        return attribute

    async def _timed_async(
        self, operation: str, method: Callable[..., Any], args: Iterable[Any], kwargs: dict[str, Any]
    ) -> Any:
        with self._timing(operation.removesuffix("_async")) as outcome:
            result = await method(*args, **kwargs)
            outcome.append("ok")
            return result

    def _timed(self, operation: str, method: Callable[..., Any], args: Iterable[Any], kwargs: dict[str, Any]) -> Any:
        with self._timing(operation) as outcome:
            result = method(*args, **kwargs)
            outcome.append("ok")
            return result

    @contextmanager
    def _timing(self, operation: str) -> Iterator[list[str]]:
        """Time the block as one `operation`: "ok" when it appends that, "timeout" on QueryTimeout, else "error"."""
        started = time.perf_counter()
        outcome: list[str] = []
        try:
            yield outcome
        except QueryTimeout:
            outcome.append("timeout")
            self._metrics.query_timeouts.inc()
            raise
        finally:
            label = outcome[-1] if outcome else "error"
            self._metrics.query_seconds.labels(operation, label).observe(time.perf_counter() - started)


def install(app: FastAPI) -> Metrics:
    """Give `app` its metrics: registry, request middleware, timed queries (call after `app.state.queries` is set)."""
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    if not isinstance(app.state.queries, InstrumentedQueries):
        app.state.queries = InstrumentedQueries(app.state.queries, metrics)
    return metrics
