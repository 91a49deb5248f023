"""What an operator configures for `algokg serve`: one frozen object, read from flags and the environment."""

import os
from dataclasses import dataclass, replace
from pathlib import Path

from loader.reconcile.cache import default_cache_dir
from loader.sources.limits import InputLimits

DEFAULT_QUERY_TIMEOUT = 30.0
MAX_QUERY_TIMEOUT = 300.0
WRITE_TIMEOUT = 120.0
VALIDATE_TIMEOUT = 30.0
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
    :param cache_dir: where dumps go when `store_dir` cannot hold them (read-only, or not private), under
        `dumps/`; `ALGOKG_CACHE`, else `$XDG_CACHE_HOME/algokg` or `~/.cache/algokg`. None: a temporary directory.
    :param write_timeout: deadline of one write (`/update`, `/store`): parsing, applying, the SHACL gate; its
        worker is killed then and nothing is written.
    :param max_nesting: how deep brackets may nest in an update, and arrays and objects in a JSON body (400 beyond).
    :param validate_timeout: deadline of one `POST /api/validate`.
    :param validate_workers: processes that read and validate `POST /api/validate` bodies.

    Bounded work (`sparql_api.limits`, `sparql_api.lanes`; each with its `ALGOKG_*` variable in `docs/security.md`):

    :param anonymous_max_query_timeout: the longest deadline a client without the write token gets (it also
        caps `query_timeout` for them); the token holder may ask up to `max_query_timeout`.
    :param client_concurrency: requests one anonymous client may have in flight (more: 429); 0 is no limit.
    :param trusted_proxies: addresses/networks of reverse proxies whose `X-Forwarded-For` names the client.
    :param long_query_seconds: T of `sparql_api.lanes`: past it a query needs a place in the long-query lane.
    :param max_query_body: / :param max_upload_body: / :param max_validate_body: / :param max_other_body: the
        largest request body, in bytes, of `/sparql`, of `/update` and `/store`, of `/api/validate`, of the rest.
    :param header_timeout: seconds a connection has to send a request's headers (then 408 and closed).
    :param body_timeout: / :param body_min_rate: a body must arrive within `body_timeout` seconds plus one
        second per `body_min_rate` bytes received (then 408 and closed).
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
    cache_dir: Path | None = None
    write_timeout: float = WRITE_TIMEOUT
    max_nesting: int = InputLimits().nesting  # one nesting limit for the loader and request bodies
    validate_timeout: float = VALIDATE_TIMEOUT
    validate_workers: int = 1
    anonymous_max_query_timeout: float = 30.0
    client_concurrency: int = 4
    trusted_proxies: tuple[str, ...] = ()
    long_query_seconds: float = 0.5
    max_query_body: int = 1 << 20
    max_upload_body: int = 64 << 20
    max_validate_body: int = 5_000_000
    max_other_body: int = 64 << 10
    header_timeout: float = 10.0
    body_timeout: float = 20.0
    body_min_rate: float = 1000.0
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
        environment["cache_dir"] = default_cache_dir()
        environment.update(_bounds_from_environment())
        if allowed := os.environ.get("ALGOKG_SERVICE_ALLOW"):
            environment["service_allow"] = tuple(iri.strip() for iri in allowed.split(",") if iri.strip())
        settings = cls(store_dir=store_dir)
        return replace(settings, **environment, **{k: v for k, v in given.items() if v is not None})


# Limits: (field, variable, type); docs/security.md lists them.
_BOUNDS: tuple[tuple[str, str, type], ...] = (
    ("write_timeout", "ALGOKG_WRITE_TIMEOUT", float),
    ("max_nesting", "ALGOKG_MAX_NESTING", int),
    ("validate_timeout", "ALGOKG_VALIDATE_TIMEOUT", float),
    ("validate_workers", "ALGOKG_VALIDATE_WORKERS", int),
    ("max_query_chars", "ALGOKG_MAX_QUERY_CHARS", int),
    ("max_query_depth", "ALGOKG_MAX_QUERY_DEPTH", int),
    ("anonymous_max_query_timeout", "ALGOKG_ANONYMOUS_MAX_QUERY_TIMEOUT", float),
    ("client_concurrency", "ALGOKG_CLIENT_CONCURRENCY", int),
    ("long_query_seconds", "ALGOKG_LONG_QUERY_SECONDS", float),
    ("max_query_body", "ALGOKG_MAX_QUERY_BODY", int),
    ("max_upload_body", "ALGOKG_MAX_UPLOAD_BODY", int),
    ("max_validate_body", "ALGOKG_MAX_VALIDATE_BODY", int),
    ("max_other_body", "ALGOKG_MAX_OTHER_BODY", int),
    ("header_timeout", "ALGOKG_HEADER_TIMEOUT", float),
    ("body_timeout", "ALGOKG_BODY_TIMEOUT", float),
    ("body_min_rate", "ALGOKG_BODY_MIN_RATE", float),
)


def _bounds_from_environment() -> dict[str, object]:
    from sparql_api.clients import parse_networks

    found: dict[str, object] = {}
    for name, variable, kind in _BOUNDS:
        if value := os.environ.get(variable):
            try:
                found[name] = kind(value)
            except ValueError:
                raise ValueError(f"{variable} must be a number ({kind.__name__}), not {value!r}") from None
    if proxies := os.environ.get("ALGOKG_TRUSTED_PROXIES"):
        found["trusted_proxies"] = parse_networks(proxies)
    return found
