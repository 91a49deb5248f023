"""Every query the server runs goes through one `QueryService` (SPARQL endpoint, REST, pages).

Interface other modules rely on (keep it stable):

- `QueryService.serialize(query, result_format, …) -> bytes`: a whole answer in a pyoxigraph format;
- `QueryService.answer(query, solutions_format, graph_format, …) -> (bytes, format)`: the same, for a caller
  that accepts one format per query form and learns the form from the answer (the SPARQL endpoint);
- `QueryService.select(query, substitutions=…) -> list[dict[str, Term]]`: rows as pyoxigraph terms;
- `QueryService.ask(query, substitutions=…) -> bool`;
- `QueryService.data_version`: names the store generation answering (for ETag / Last-Modified);
- `QueryService.timeout(asked)`: the deadline a query gets (its ceiling depends on the client: `sparql_api.clients`);
- `await QueryService.answer_async(…)`: `answer` for a caller on the event loop; waiting holds no thread;
- `QueryService.stop_all()`: stop every running query now (the server is shutting down);
- `QueryService.last_modified`, `writable`, `search_index()`, `extension_functions()`, `dump_nquads(out)`: what
  the endpoints need besides queries, answered by the embedded store here and by a remote one in
  `sparql_api.remote_queries.RemoteQueryService` (the other implementation of this interface);
- errors: `QuerySyntaxError` (line, column), `QueryTimeout` (the deadline; `QueryOverloaded` when no worker
  became free; `QueryStopped` when the worker was needed elsewhere or the server shuts down), `QueryCancelled`
  (the client went away), `QueryFailed` (`QueryCrashed`: the worker died on the query), `WrongResultFormat`.

Every query runs on behalf of the client of the HTTP request being served (`sparql_api.clients.current`): its
deadline ceiling, its place in the workers' queue (`sparql_api.lanes`), and its cancellation when that client
disconnects (the request's `RequestContext` cancels the query's future, which kills its worker).

Queries run in worker processes (`sparql_api.worker_pool`) that are killed at the deadline, because pyoxigraph
cannot interrupt a query. Parameters are bound as RDF terms through `substitutions`, never pasted into query text.
"""

import asyncio
import concurrent.futures
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse_query_results,
)

from loader.store import current_path
from sparql_api import clients
from sparql_api.lanes import MAKE_ROOM, OVERDUE
from sparql_api.settings import Settings
from sparql_api.worker_pool import WorkerDied, WorkerPool, WorkersBusy, WorkerStopped, WorkerTimedOut

Term = NamedNode | BlankNode | Literal
ResultFormat = QueryResultsFormat | RdfFormat
UNNAMED_GRAPH = ""  # in `default_graph`: the store's unnamed graph

RETRY_AFTER_SECONDS = 5


class QueryError(Exception):
    """A query could not be answered; `status` is the HTTP status that says why."""

    status = 500


class QuerySyntaxError(QueryError):
    status = 400

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class QueryTimeout(QueryError):
    """The query was stopped at its deadline; nothing of its answer was sent."""

    status = 503
    retry_after = RETRY_AFTER_SECONDS

    def __init__(self, seconds: float, message: str | None = None) -> None:
        super().__init__(message or f"the query did not finish within its deadline of {seconds:g} s and was stopped")
        self.seconds = seconds


class QueryOverloaded(QueryTimeout):
    """Every query worker stayed busy until the request's deadline."""

    def __init__(self, seconds: float, workers: int) -> None:
        super().__init__(
            seconds, f"all {workers} query workers stayed busy for {seconds:g} s; the query was not started"
        )


class QueryStopped(QueryTimeout):
    """The query was stopped before its deadline: its worker was needed (`sparql_api.lanes`) or the server stops."""

    def __init__(self, seconds: float, reason: str, ran: float, long_seconds: float) -> None:
        if reason == OVERDUE:
            message = (
                f"the query was stopped after {ran:.1f} s: while the server is busy, queries longer than "
                f"{long_seconds:g} s run only when a place for long queries is free; try again later"
            )
        elif reason == MAKE_ROOM:
            message = (
                f"the query was stopped after {ran:.1f} s to make room for clients whose queries are short (a query "
                f"of this client was stopped for running long in the last minute); try again later"
            )
        else:
            message = "the server is shutting down; the query was stopped"
        super().__init__(seconds, message)
        self.reason = reason


class QueryCancelled(QueryError):
    """The client went away before the answer was ready; the query was stopped (nobody reads this)."""

    status = 499  # "client closed request", as proxies log it


class QueryFailed(QueryError):
    status = 500


class QueryCrashed(QueryFailed):
    """The worker running the query died: a parser or planner crash on extreme input (or out of memory)."""


class WrongResultFormat(QueryError):
    """The format does not fit the query form (e.g. Turtle for a SELECT)."""

    status = 406

    def __init__(self, message: str, form: str = "") -> None:
        super().__init__(message)
        self.form = form


_POSITION = re.compile(r"(?:line|at) (\d+)(?::|, column |:)(\d+)", re.IGNORECASE)


def syntax_error(message: str) -> QuerySyntaxError:
    """pyoxigraph's parse error ("error at 3:7: expected …") with its line and column made explicit (1-based)."""
    line = column = None
    if match := _POSITION.search(message):
        line, column = int(match[1]), int(match[2])
    return QuerySyntaxError(message, line, column)


# Strings, IRIs and comments may contain the word FROM; remove them before looking for the keyword.
_NOT_KEYWORDS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*",
)
_FROM = re.compile(r"(?<![\w?$:])FROM(?![\w:])", re.IGNORECASE)


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset (FROM / FROM NAMED), which then replaces the union default graph."""
    return "from" in query.lower() and bool(_FROM.search(_NOT_KEYWORDS.sub(" ", query)))


def _extension(result_format: ResultFormat | None) -> str | None:
    return None if result_format is None else result_format.file_extension


class QueryService:
    """Runs queries on the current generation of the store (the workers reopen it after a commit)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool = WorkerPool(settings.store_dir, settings.query_workers, long_seconds=settings.long_query_seconds)
        self._current_link = str(current_path(settings.store_dir))
        self._known_generation: tuple[str, Path] | None = None  # the link's text and the generation it names

    @property
    def data_version(self) -> str:
        """The name of the generation that answers (changes with every commit)."""
        return self._generation().name

    def _generation(self) -> Path:
        # Read the link on every call (a commit moves it), build the Path only when it changed: every query asks.
        target = os.readlink(self._current_link)
        known = self._known_generation
        if known is None or known[0] != target:
            known = self._known_generation = (target, self.settings.store_dir / target)
        return known[1]

    @property
    def last_modified(self) -> float | None:
        """When the answering data version was written (seconds since the epoch), None if unknown."""
        try:
            return os.stat(self._generation()).st_mtime
        except OSError:
            return None

    @property
    def writable(self) -> bool:
        """Whether writes (/update, /store) can go to this store (a remote store takes them from the loader)."""
        return True

    def search_index(self) -> Path:
        """The full-text index of the answering data version (`sparql_api.search`), built if missing."""
        from sparql_api.search import ensure_index

        return ensure_index(self.settings.store_dir)

    def extension_functions(self) -> list[str]:
        """IRIs of the extension functions queries may call (for the service description)."""
        from sparql_api.search import custom_functions

        return sorted(function.value for function in custom_functions(self.settings.store_dir))

    def dump_nquads(self, out: IO[bytes]) -> None:
        """The whole answering data version as N-Quads (a copy of the generation, not a query)."""
        store = Store.read_only(str(self._generation()))
        try:
            store.dump(out, format=RdfFormat.N_QUADS)
        finally:
            del store

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the query workers (for metrics and tests)."""
        return self._pool.pids

    def timeout(self, asked: float | None) -> float:
        """The deadline for a query: the client's wish, capped by the operator's maximum for this client.

        The write-token holder may ask up to `max_query_timeout`; anonymous clients up to
        `anonymous_max_query_timeout`, which also caps their default.
        """
        ceiling = self.settings.max_query_timeout
        if not clients.current_client().privileged:
            ceiling = min(ceiling, self.settings.anonymous_max_query_timeout)
        if asked is None or asked <= 0:
            return min(self.settings.query_timeout, ceiling)
        return min(asked, ceiling)

    def stop_all(self) -> None:
        """Stop every query now and refuse new ones (503): the server is shutting down."""
        self._pool.stop_all()

    def answer(
        self,
        query: str,
        solutions_format: QueryResultsFormat | None,
        graph_format: RdfFormat | None,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
    ) -> tuple[bytes, ResultFormat]:
        """The whole answer, in `solutions_format` for SELECT/ASK or `graph_format` for CONSTRUCT/DESCRIBE.

        Blocks the calling thread until the answer is there (`answer_async` on the event loop).

        :param default_graph: IRIs of the default graph (SPARQL protocol `default-graph-uri`; `UNNAMED_GRAPH`
            for the store's unnamed graph); with neither this nor `named_graphs` nor FROM in the query, the
            default graph is the union of all graphs.
        :param timeout: seconds the client asked for (capped by the settings); None for the default.
        :param base_iri: resolves relative IRIs in the query (the SPARQL endpoint passes its own URL).
        :raises WrongResultFormat: when the format for the query's form is None.
        """
        self._pool.check_may_block()
        request = _request(self._generation(), query, solutions_format, graph_format, base_iri, default_graph,
                           named_graphs, substitutions)  # fmt: skip
        future, seconds, forget = self._submit(request, timeout)
        try:
            reply = future.result()
        except concurrent.futures.CancelledError:
            raise QueryCancelled("the client went away; the query was stopped") from None
        except Exception as error:
            raise self._failure(error, seconds) from None
        finally:
            forget()
        return _decode(reply)

    async def answer_async(
        self,
        query: str,
        solutions_format: QueryResultsFormat | None,
        graph_format: RdfFormat | None,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
    ) -> tuple[bytes, ResultFormat]:
        """`answer` on the event loop: waiting for a worker and for the answer holds no thread."""
        request = _request(self._generation(), query, solutions_format, graph_format, base_iri, default_graph,
                           named_graphs, substitutions)  # fmt: skip
        future, seconds, forget = self._submit(request, timeout)
        try:
            reply = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if future.cancelled() and task is not None and not task.cancelling():
                raise QueryCancelled("the client went away; the query was stopped") from None
            raise  # this task itself is cancelled: the worker is stopped all the same (the future follows)
        except Exception as error:
            raise self._failure(error, seconds) from None
        finally:
            forget()
        return _decode(reply)

    def hand_over_loop(self) -> asyncio.AbstractEventLoop | None:
        """The worker pool's event loop, for the server to run as its own (`sparql_api.serving`): queries from
        requests then reach the workers without a hop between threads (`WorkerPool.hand_over_loop`). None
        without a pool of query workers (`RemoteQueryService` forwards queries instead)."""
        pool: WorkerPool | None = getattr(self, "_pool", None)
        return pool.hand_over_loop() if pool is not None else None

    def _submit(
        self, request: tuple[object, ...], timeout: float | None
    ) -> "tuple[concurrent.futures.Future[bytes] | asyncio.Future[bytes], float, Callable[[], None]]":
        """The query on its way, for the client of the request being served: its future, its deadline in seconds,
        and the undo of its cancellation when that client goes away."""
        seconds = self.timeout(timeout)
        client = clients.current_client()
        deadline = time.monotonic() + seconds
        future = self._pool.submit(request, deadline, client=client.key, privileged=client.privileged)
        context = clients.current.get()
        forget = context.on_cancel(future.cancel) if context is not None else lambda: None
        return future, seconds, forget

    def _failure(self, error: Exception, seconds: float) -> QueryError:
        if isinstance(error, WorkersBusy):
            return QueryOverloaded(seconds, self._pool.size)
        if isinstance(error, WorkerTimedOut):
            return QueryTimeout(seconds)
        if isinstance(error, WorkerStopped):
            return QueryStopped(seconds, error.reason, error.seconds, self.settings.long_query_seconds)
        if isinstance(error, WorkerDied):
            return QueryCrashed(f"the query worker ended without answering ({error})")
        raise error

    def serialize(
        self,
        query: str,
        result_format: ResultFormat,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """The whole answer in `result_format`; WrongResultFormat if it does not fit the query form."""
        solutions = result_format if isinstance(result_format, QueryResultsFormat) else None
        graph = result_format if isinstance(result_format, RdfFormat) else None
        body, _ = self.answer(
            query,
            solutions,
            graph,
            substitutions=substitutions,
            default_graph=default_graph,
            named_graphs=named_graphs,
            timeout=timeout,
        )
        return body

    def select(
        self, query: str, *, substitutions: Mapping[str, Term] | None = None, timeout: float | None = None
    ) -> list[dict[str, Term]]:
        """Rows of a SELECT query over the union of all graphs; unbound variables are left out of a row."""
        body = self._results(query, "select", substitutions, timeout)
        results = parse_query_results(body, format=QueryResultsFormat.JSON)
        if not isinstance(results, QuerySolutions):
            raise QueryFailed("select() needs a SELECT query")
        names = [variable.value for variable in results.variables]
        return [{name: row[name] for name in names if row[name] is not None} for row in results]

    def ask(self, query: str, *, substitutions: Mapping[str, Term] | None = None, timeout: float | None = None) -> bool:
        body = self._results(query, "ask", substitutions, timeout)
        results = parse_query_results(body, format=QueryResultsFormat.JSON)
        if not isinstance(results, QueryBoolean):
            raise QueryFailed("ask() needs an ASK query")
        return bool(results)

    def _results(
        self, query: str, caller: str, substitutions: Mapping[str, Term] | None, timeout: float | None
    ) -> bytes:
        try:
            return self.serialize(query, QueryResultsFormat.JSON, substitutions=substitutions, timeout=timeout)
        except WrongResultFormat as error:
            raise QueryFailed(f"{caller}() needs a {caller.upper()} query, not a {error.form}") from None

    def close(self) -> None:
        self._pool.close()


def _request(
    generation: Path,
    query: str,
    solutions_format: QueryResultsFormat | None,
    graph_format: RdfFormat | None,
    base_iri: str | None,
    default_graph: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    substitutions: Mapping[str, Term] | None,
) -> tuple[object, ...]:
    """What a query worker is sent (`sparql_api.query_worker`)."""
    options: dict[str, object] = {"base_iri": base_iri} if base_iri else {}
    if default_graph is not None or named_graphs is not None:
        # The protocol's dataset replaces the query's; a part left out is empty (SPARQL 1.1 Protocol 2.1.4).
        options["default_graph"] = list(default_graph or [])
        options["named_graphs"] = list(named_graphs or [])
    elif not has_dataset_clause(query):
        options["use_default_graph_as_union"] = True
    if substitutions:
        options["substitutions"] = dict(substitutions)
    return (str(generation), query, _extension(solutions_format), _extension(graph_format), options)


def _decode(reply: bytes) -> tuple[bytes, ResultFormat]:
    kind, rest = reply[:1], reply[1:]
    if kind == b"R":
        extension, _, body = rest.partition(b"\n")
        name = extension.decode()
        if name in _SOLUTIONS_EXTENSIONS:
            return body, QueryResultsFormat.from_extension(name)
        return body, RdfFormat.from_extension(name)
    message = rest.decode("utf-8", errors="replace")
    if kind == b"S":
        raise syntax_error(message)
    if kind == b"W":
        raise WrongResultFormat(f"no format was asked for the results of a {message} query", form=message)
    raise QueryFailed(message)


_SOLUTIONS_EXTENSIONS = {f.file_extension for f in (QueryResultsFormat.JSON, QueryResultsFormat.XML)} | {"csv", "tsv"}

__all__ = [
    "QueryCancelled",
    "QueryCrashed",
    "QueryError",
    "QueryFailed",
    "QueryOverloaded",
    "QueryService",
    "QueryStopped",
    "QuerySyntaxError",
    "QueryTimeout",
    "ResultFormat",
    "Term",
    "WrongResultFormat",
    "has_dataset_clause",
]
