"""A query worker process: runs one SPARQL query at a time on a read-only store and sends back the whole answer.

pyoxigraph has no query timeout, so the server runs queries here, where a query that overruns its deadline
is stopped by killing the process (`sparql_api.worker_pool`). The worker serialises the complete result
before sending it: the server never starts a response it might have to cut off.

Started by the pool as `python path/to/query_worker.py STORE_DIR FD`, not as part of the package: importing
`sparql_api` would load the web framework into every worker (only pyoxigraph and the standard library here).

Wire format (on a `multiprocessing.connection.Connection` over a socketpair):
request, pickled: (generation dir, query, solutions format extension or None, graph format extension or None,
options for `Store.query`); answer, raw bytes: b"R<ext>\\n<body>" a result; b"S<message>" a syntax error;
b"W<form>" no format asked fits the query form; b"F<message>" any other failure.

Before the first request, the worker sends b"ready" once it has booted and opened the current generation.
A parse-only request ("parse", query, base IRI or None) answers b"P<form>" when pyoxigraph parses the query,
else b"S<message>" (`parse_only`; the query gate sends it before a query goes to a remote store).
"""

import contextlib
import importlib
import os
import resource
import signal
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Variable,
)

PARSE = "parse"

HERE = Path(__file__).resolve().parent


class _Store:
    """The generation last asked for, opened read-only, and the custom functions that go with it."""

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self.generation: str | None = None
        self.store: Store | None = None
        self.functions: dict[NamedNode, Callable[..., Any]] = {}

    def open(self, generation: str) -> Store:
        if generation != self.generation or self.store is None:
            self.store = None  # close the old generation first: its directory may be gone soon
            try:
                self.store = Store.read_only(generation)
            except OSError:
                # A commit pruned it between the server's look at `current` and now: take the newest.
                generation = str((self.store_dir / "current").resolve())
                self.store = Store.read_only(generation)
            self.generation = generation
            self.functions = _custom_functions(self.store_dir)
        return self.store


def _custom_functions(store_dir: Path) -> dict[NamedNode, Callable[..., Any]]:
    """Functions `sparql_api.search.custom_functions(store_dir)` offers to SPARQL, if that module exists."""
    if not (HERE / "search.py").exists() and not (HERE / "search" / "__init__.py").exists():
        return {}
    if "sparql_api" not in sys.modules:
        # A bare package object: importing sparql_api/__init__.py would load the web framework (~0.3 s).
        package = types.ModuleType("sparql_api")
        package.__path__ = [str(HERE)]
        sys.modules["sparql_api"] = package
    try:
        module = importlib.import_module("sparql_api.search")
        factory = getattr(module, "custom_functions", None)
        return dict(factory(store_dir)) if factory is not None else {}
    except Exception:  # a broken extension must not take SPARQL down with it
        print("query worker: sparql_api.search.custom_functions failed; running without it", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return {}


def answer(state: _Store, request: tuple[Any, ...]) -> bytes:
    if request[0] == PARSE:
        return parse_only(request[1], request[2])
    generation, query, solutions_ext, graph_ext, options = request
    try:
        store = state.open(generation)
        arguments = dict(options)
        if substitutions := arguments.pop("substitutions", None):
            arguments["substitutions"] = {Variable(name): term for name, term in substitutions.items()}
        for key in ("default_graph", "named_graphs"):
            if arguments.get(key) is not None:
                # "" is the store's unnamed graph (queries.UNNAMED_GRAPH), as in the Graph Store Protocol.
                arguments[key] = [NamedNode(iri) if iri else DefaultGraph() for iri in arguments[key]]
        if state.functions:
            arguments["custom_functions"] = state.functions
        results = store.query(query, **arguments)
        if isinstance(results, QuerySolutions | QueryBoolean):
            if solutions_ext is None:
                return b"W" + (b"ASK" if isinstance(results, QueryBoolean) else b"SELECT")
            body = results.serialize(format=QueryResultsFormat.from_extension(solutions_ext))
            return b"R" + solutions_ext.encode() + b"\n" + body
        if graph_ext is None:
            return b"WCONSTRUCT"
        body = results.serialize(format=RdfFormat.from_extension(graph_ext))
        return b"R" + graph_ext.encode() + b"\n" + body
    except SyntaxError as error:
        return b"S" + str(error).encode()
    except Exception as error:  # evaluation errors surface here too (results are lazy)
        return b"F" + f"{type(error).__name__}: {error}".encode()


# -- parse only ------------------------------------------------------------------------------------------------


@contextmanager
def _no_new_descriptors() -> Iterator[None]:
    """Meanwhile this process can open no file and no socket: the soft limit on descriptors is lowered to the
    lowest free one (pyoxigraph has no parse-only call; `Store.query` also starts evaluating, and would send a
    SERVICE request)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowest = os.open(os.devnull, os.O_RDONLY)
    os.close(lowest)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def parse_only(query: str, base_iri: str | None) -> bytes:
    """b"P<form>" if pyoxigraph parses `query` as a SPARQL query (on an empty store, nothing fetched), else
    b"S<message>". A parser crash on extreme input ends this process: the pool replaces it."""
    store = Store()
    with _no_new_descriptors():
        try:
            results = store.query(query, base_iri=base_iri) if base_iri else store.query(query)
        except SyntaxError as error:
            return b"S" + str(error).encode()
        except Exception:  # parsed; evaluating it on the empty store failed (e.g. a SERVICE it may not call)
            return b"Pquery"
        form = (
            "SELECT" if isinstance(results, QuerySolutions) else "ASK" if isinstance(results, QueryBoolean) else "GRAPH"
        )
        del results, store  # dropped while nothing can be opened: a lazy answer is never evaluated later
    return b"P" + form.encode()


def main(argv: list[str]) -> int:
    # Ctrl-C in the server's terminal reaches the whole process group: the server decides when workers end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    state = _Store(Path(argv[1]))
    connection = Connection(int(argv[2]))
    # Open the current generation before the first request: a spare worker (`worker_pool`) is then ready to
    # answer the moment it takes a killed worker's place.
    with contextlib.suppress(Exception):  # no store yet, or a commit under way: the first request opens it
        state.open(str(state.store_dir / os.readlink(state.store_dir / "current")))  # as the server names it
    connection.send_bytes(b"ready")  # the pool starts a query's clock only on a ready worker
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return 0  # the server closed its end (or died): nothing more to do
        connection.send_bytes(answer(state, request))


if __name__ == "__main__":
    # Run as a script, sys.path[0] is this directory: drop it so its modules do not shadow top-level ones.
    if sys.path and os.path.abspath(sys.path[0]) == str(HERE):
        sys.path.pop(0)
    sys.exit(main(sys.argv))
