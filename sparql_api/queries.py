"""Every query the server runs goes through one `QueryService` (SPARQL endpoint, REST, pages).

Interface other modules rely on (keep it stable):

- `QueryService.serialize(query, result_format, …) -> bytes`: a whole answer in a pyoxigraph format;
- `QueryService.select(query, substitutions=…) -> list[dict[str, Term]]`: rows as pyoxigraph terms;
- `QueryService.data_version`: names the store generation answering (for ETag / Last-Modified);
- errors: `QuerySyntaxError` (line, column), `QueryTimeout` (the deadline), `QueryFailed`.

Parameters are bound as RDF terms through `substitutions`, never pasted into query text.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Variable,
)

from loader.store import current_path, open_store
from sparql_api.settings import Settings

Term = NamedNode | BlankNode | Literal
ResultFormat = QueryResultsFormat | RdfFormat


class QueryError(Exception):
    """A query could not be answered; `status` is the HTTP status that says why."""

    status = 500


class QuerySyntaxError(QueryError):
    status = 400

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class QueryTimeout(QueryError):
    status = 503

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query did not finish within its deadline of {seconds:g} s and was stopped")
        self.seconds = seconds


class QueryFailed(QueryError):
    status = 500


class WrongResultFormat(QueryError):
    """The format does not fit the query form (e.g. Turtle for a SELECT)."""

    status = 406


@dataclass(frozen=True)
class Deadline:
    seconds: float


_POSITION = re.compile(r"(?:line|at) (\d+)(?::|, column |:)(\d+)", re.IGNORECASE)


def syntax_error(error: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph's parse error with its line and column made explicit (1-based)."""
    message = str(error)
    line, column = getattr(error, "lineno", None), getattr(error, "offset", None)
    if line is None and (match := _POSITION.search(message)):
        line, column = int(match[1]), int(match[2])
    return QuerySyntaxError(message, line, column)


class QueryService:
    """Runs queries on the current generation of the store, reopening it after a commit."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._generation: Path | None = None
        self._store: Store | None = None

    @property
    def data_version(self) -> str:
        """The name of the generation that answers (changes with every commit)."""
        return self._current()[0].name

    def store(self) -> Store:
        return self._current()[1]

    def _current(self) -> tuple[Path, Store]:
        generation = current_path(self.settings.store_dir).resolve()
        if generation != self._generation or self._store is None:
            self._store, self._generation = open_store(self.settings.store_dir), generation
        assert self._generation is not None
        return self._generation, self._store

    def timeout(self, asked: float | None) -> float:
        """The deadline for a query: the client's wish, capped by the operator's maximum."""
        if asked is None or asked <= 0:
            return self.settings.query_timeout
        return min(asked, self.settings.max_query_timeout)

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
        results = self._query(query, substitutions, default_graph, named_graphs)
        if isinstance(results, QueryBoolean | QuerySolutions) != isinstance(result_format, QueryResultsFormat):
            raise WrongResultFormat(f"{result_format} does not fit this query form")
        return results.serialize(format=result_format)  # type: ignore[arg-type]

    def select(
        self, query: str, *, substitutions: Mapping[str, Term] | None = None, timeout: float | None = None
    ) -> list[dict[str, Term]]:
        results = self._query(query, substitutions, None, None)
        if not isinstance(results, QuerySolutions):
            raise QueryFailed("select() needs a SELECT query")
        names = [variable.value for variable in results.variables]
        return [{name: row[name] for name in names if row[name] is not None} for row in results]

    def ask(self, query: str, *, substitutions: Mapping[str, Term] | None = None) -> bool:
        results = self._query(query, substitutions, None, None)
        if not isinstance(results, QueryBoolean):
            raise QueryFailed("ask() needs an ASK query")
        return bool(results)

    def _query(
        self,
        query: str,
        substitutions: Mapping[str, Term] | None,
        default_graph: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> QueryBoolean | QuerySolutions | QueryTriples:
        options: dict[str, object] = {}
        if default_graph is not None:
            options["default_graph"] = [NamedNode(iri) for iri in default_graph]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs is not None:
            options["named_graphs"] = [NamedNode(iri) for iri in named_graphs]
        if substitutions:
            options["substitutions"] = {Variable(name): term for name, term in substitutions.items()}
        try:
            return self.store().query(query, **options)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise syntax_error(error) from error
        except (OSError, ValueError) as error:
            raise QueryFailed(str(error)) from error

    def close(self) -> None:
        self._store = None
