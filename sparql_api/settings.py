"""What an operator configures for `algokg serve`: one frozen object, read from flags and the environment."""

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_QUERY_TIMEOUT = 30.0
MAX_QUERY_TIMEOUT = 300.0
MAX_QUERY_CHARS = 100_000  # public queries (`sparql_api.query_gate`); the REST layer's own are a few KB
MAX_QUERY_DEPTH = 64  # nested { ( [ of a public query; real ones nest under 10, parsers crash at thousands


@dataclass(frozen=True)
class Settings:
    """Server settings; nothing else in `sparql_api` reads the environment.

    :param store_dir: the store directory (`loader.store`): generations and the `current` symlink.
    :param public_base: the URL the server is reached at, for links in pages, dumps and metadata.
    :param query_timeout: deadline of a query that asks for none, in seconds.
    :param max_query_timeout: the longest deadline a client may ask for (`timeout` parameter).
    :param write_token: bearer token that enables `/update` and writes to `/store`; None is read-only.
    :param query_workers: processes that run queries (each can be killed at its deadline).
    :param remote: the SPARQL query endpoint of a remote store to answer from instead of `store_dir`'s
        generations (`store_dir` then only holds caches: full-text index, dumps); see `loader.remote`.
    :param remote_update: / :param remote_store: its update and Graph Store endpoints (default: by its kind).
    :param remote_refresh: seconds a read of the remote's data version is reused.
    :param max_query_chars: / :param max_query_depth: the longest public query (`/sparql`, `/query`) in
        characters and its deepest nesting of `{ ( [` (`sparql_api.query_gate`).
    :param service_allow: SPARQL endpoints a public query may call with SERVICE (exact IRIs); empty: none.
        Never loopback, private, link-local or other non-global addresses (`sparql_api.outbound`).
    """

    store_dir: Path
    public_base: str = "http://127.0.0.1:8000"
    query_timeout: float = DEFAULT_QUERY_TIMEOUT
    max_query_timeout: float = MAX_QUERY_TIMEOUT
    write_token: str | None = None
    query_workers: int = 2
    remote: str | None = None
    remote_update: str | None = None
    remote_store: str | None = None
    remote_refresh: float = 1.0
    max_query_chars: int = MAX_QUERY_CHARS
    max_query_depth: int = MAX_QUERY_DEPTH
    service_allow: tuple[str, ...] = ()

    @classmethod
    def from_environment(cls, store_dir: Path, **given: object) -> "Settings":
        """Settings from `ALGOKG_*` variables, overridden by what is given (flags)."""
        environment: dict[str, object] = {}
        if token := os.environ.get("ALGOKG_WRITE_TOKEN"):
            environment["write_token"] = token
        if base := os.environ.get("ALGOKG_PUBLIC_BASE"):
            environment["public_base"] = base.rstrip("/")
        for name, variable in (
            ("query_timeout", "ALGOKG_QUERY_TIMEOUT"),
            ("max_query_timeout", "ALGOKG_MAX_QUERY_TIMEOUT"),
        ):
            if value := os.environ.get(variable):
                environment[name] = float(value)
        for name, variable in (
            ("remote", "ALGOKG_REMOTE"),
            ("remote_update", "ALGOKG_REMOTE_UPDATE"),
            ("remote_store", "ALGOKG_REMOTE_STORE"),
        ):
            if value := os.environ.get(variable):
                environment[name] = value
        if refresh := os.environ.get("ALGOKG_REMOTE_REFRESH"):
            environment["remote_refresh"] = float(refresh)
        if workers := os.environ.get("ALGOKG_QUERY_WORKERS"):
            environment["query_workers"] = int(workers)
        for name, variable in (
            ("max_query_chars", "ALGOKG_MAX_QUERY_CHARS"),
            ("max_query_depth", "ALGOKG_MAX_QUERY_DEPTH"),
        ):
            if value := os.environ.get(variable):
                environment[name] = int(value)
        if allowed := os.environ.get("ALGOKG_SERVICE_ALLOW"):
            environment["service_allow"] = tuple(iri.strip() for iri in allowed.split(",") if iri.strip())
        settings = cls(store_dir=store_dir)
        return replace(settings, **environment, **{k: v for k, v in given.items() if v is not None})
