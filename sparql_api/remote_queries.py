"""`RemoteQueryService`: the `QueryService` interface answered by a remote store (Oxigraph server, Virtuoso).

Stateless: any number of API processes can serve one remote store. Each query is rewritten into standard
SPARQL (`sparql_api.remote_rewrite`), sent with the published graphs as its dataset (a store's own system graphs,
such as Virtuoso's, stay out of the union), and its answer is parsed and serialised again by pyoxigraph, so
every format and every byte is what the embedded store gives. The deadline is the HTTP client's: a query that
overruns it answers 503 here (the store's own limit, e.g. `oxigraph serve --timeout-s` or Virtuoso's
MaxQueryExecutionTime, should stop it there too).

The data version, the time it was published and the graph list come from the control graph
(`loader.remote.CONTROL_GRAPH`), read at most once per `Settings.remote_refresh` seconds. While a publish that
cannot be one transaction is under way (Virtuoso), every query answers 503 with Retry-After: readers never see
half of a version. Local files (the full-text index, dumps) are caches under `Settings.store_dir`, one per
data version.
"""

import re
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    parse,
    parse_query_results,
    serialize,
)
from starlette.concurrency import run_in_threadpool

from loader.publish import UNNAMED_GRAPH
from loader.remote import ControlState, RemoteStore, RemoteStoreError, RemoteTimeout
from queries import rest_query
from sparql_api import remote_rewrite
from sparql_api.queries import (
    QueryFailed,
    QueryService,
    QuerySyntaxError,
    QueryTimeout,
    ResultFormat,
    Term,
    WrongResultFormat,
    has_dataset_clause,
)
from sparql_api.search import TextScores, ensure_index_of
from sparql_api.settings import Settings

# What is asked of the store per query form; pyoxigraph then writes the format the client wants.
_ACCEPT = {"graph": "application/n-triples, text/plain;q=0.5", "solutions": "application/sparql-results+json"}


class RemoteUnavailable(QueryTimeout):
    """The remote store is being published to (or has nothing published): try again shortly."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)


class RemoteQueryService(QueryService):
    """Runs queries on a remote store; same interface and errors as the embedded `QueryService`."""

    def __init__(self, settings: Settings) -> None:  # no worker pool: the remote store does the work
        self.settings = settings
        if settings.remote is None:
            raise ValueError("RemoteQueryService needs Settings.remote")
        self.remote = RemoteStore(settings.remote, update_url=settings.remote_update, store_url=settings.remote_store)
        self._state: ControlState | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()
        self._scores = TextScores()

    # -- the published state -----------------------------------------------------------------------------

    def _control(self) -> ControlState:
        with self._lock:
            if self._state is None or time.monotonic() - self._read_at > self.settings.remote_refresh:
                try:
                    self._state = self.remote.control(timeout=10)
                except RemoteStoreError as error:
                    raise QueryFailed(str(error)) from None
                self._read_at = time.monotonic()
            state = self._state
        if state.publishing is not None:
            raise RemoteUnavailable(f"the remote store is being updated to {state.publishing}; try again shortly")
        if state.version is None:
            raise RemoteUnavailable("nothing has been published to the remote store yet (`algokg publish`)")
        return state

    @property
    def data_version(self) -> str:
        return self._control().version or ""

    @property
    def last_modified(self) -> float | None:
        modified = self._control().modified
        return modified.timestamp() if isinstance(modified, datetime) else None

    @property
    def worker_pids(self) -> list[int]:
        return []

    @property
    def writable(self) -> bool:
        return False

    def graphs(self) -> list[str]:
        return sorted(self._control().graphs)

    # -- queries ---------------------------------------------------------------------------------------------

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
        state = self._control()
        given = dict(substitutions or {})
        try:
            text = remote_rewrite.inline_text_scores(query, given, self._text_scores)
            text = remote_rewrite.bind_parameters(text, given)
            if not self.remote.dialect.lateral:
                text = remote_rewrite.unwrap_lateral(text)
        except remote_rewrite.UnsupportedRemotely as error:  # our words about the client's query: shown
            raise QuerySyntaxError(str(error)) from None
        if base_iri and not re.search(r"^\s*BASE\b", text, re.IGNORECASE | re.MULTILINE):
            text = f"BASE <{base_iri}>\n{text}"
        dataset: dict[str, list[str]] = {}
        if default_graph is not None or named_graphs is not None:
            dataset = {
                # "" names the unnamed graph, which `algokg publish` sends as a named graph.
                "default_graphs": [g or UNNAMED_GRAPH for g in default_graph or []],
                "named_graphs": list(named_graphs or []),
            }
        elif not has_dataset_clause(query):
            published = list(state.graphs)  # the control graph lists the data graphs, never itself
            dataset = {"default_graphs": published, "named_graphs": published}
        seconds = self.timeout(timeout)
        graph = remote_rewrite.query_form(text) in ("CONSTRUCT", "DESCRIBE")
        if graph and graph_format is None:
            raise WrongResultFormat("no format was asked for the results of a CONSTRUCT query", form="CONSTRUCT")
        accept = _ACCEPT["graph" if graph else "solutions"]
        try:
            body, _ = self.remote.query(text, accept, timeout=seconds, **dataset)
        except RemoteTimeout:
            raise QueryTimeout(seconds) from None
        except RemoteStoreError as error:
            # Its own words stay in the log (callers show QueryFailed generically): they may quote a SERVICE
            # endpoint's answer. Public queries were parsed before (sparql_api.query_gate), with line and column.
            raise QueryFailed(str(error)) from None
        try:
            if graph:
                assert graph_format is not None
                triples = list(parse(body, format=RdfFormat.N_TRIPLES))
                return serialize(triples, format=graph_format) or b"", graph_format
            return _solutions(body, solutions_format)
        except (SyntaxError, ValueError) as error:  # not the answer asked for (e.g. an error page with 200)
            raise QueryFailed(f"the remote store's answer could not be read: {error}") from None

    async def answer_async(self, *args: Any, **kwargs: Any) -> tuple[bytes, ResultFormat]:
        # The remote store is asked over blocking HTTP: in a thread, bounded by the query's own timeout.
        return await run_in_threadpool(self.answer, *args, **kwargs)

    def stop_all(self) -> None:
        pass  # no workers here: the remote store's own timeout ends its queries

    # -- what lives beside the store ---------------------------------------------------------------------

    def search_index(self) -> Path:
        version = self.data_version

        def rows() -> list[dict[str, Term]]:
            return self.select(rest_query("search-documents"), timeout=300)

        return ensure_index_of(self.settings.store_dir, version, rows)

    def _text_scores(self, words: str) -> dict[str, float]:
        return self._scores.of(self.search_index(), words)

    def extension_functions(self) -> list[str]:
        return []  # akg:textScore is rewritten into inline data, not a function the store offers

    def dump_nquads(self, out: IO[bytes]) -> None:
        """Every published graph as N-Quads (graph by graph, through CONSTRUCT)."""
        for graph in self.graphs():
            body, _ = self.answer(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                None,
                RdfFormat.N_TRIPLES,
                named_graphs=[graph],
                timeout=self.settings.max_query_timeout,
            )
            suffix = f" <{graph}> .\n".encode()
            for line in body.splitlines():
                if line.endswith(b" ."):
                    out.write(line[:-2] + suffix)

    def close(self) -> None:
        self.remote.close()


def _solutions(body: bytes, solutions_format: QueryResultsFormat | None) -> tuple[bytes, ResultFormat]:
    results = parse_query_results(body, format=QueryResultsFormat.JSON)
    form = "ASK" if isinstance(results, QueryBoolean) else "SELECT"
    if solutions_format is None:
        raise WrongResultFormat(f"no format was asked for the results of a {form} query", form=form)
    assert isinstance(results, QuerySolutions | QueryBoolean)
    return results.serialize(format=solutions_format), solutions_format


__all__ = ["RemoteQueryService", "RemoteUnavailable"]
