"""What an operator configures for `algokg serve`: one frozen object, read from flags and the environment."""

import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

from loader.errors import AlgokgError
from loader.reconcile.cache import default_cache_dir
from loader.sources.limits import InputLimits, input_limits

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
    :param max_nesting: how deep brackets may nest in an update (400 beyond); the loader's nesting limit, read from
        the same variable (`ALGOKG_MAX_NESTING`), which `/store` and `POST /api/validate` bodies are held to.
    :param validate_timeout: deadline of one `POST /api/validate`.
    :param validate_workers: processes that read and validate `POST /api/validate` bodies.
    :param index_build_timeout: deadline of each query that builds the algorithm index (`sparql_api.rest.selection`;
        capped by `max_query_timeout`).
    :param index_watch: seconds between the server's looks for a new data version, whose index it then builds in
        the background (0: none; the index is built on first use).

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
    index_build_timeout: float = 600.0
    index_watch: float = 2.0
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
        """Settings from `ALGOKG_*` variables, overridden by what is given (flags).

        :raises ValueError: a variable that does not parse or is out of range, named in the message (every one is
            read here, the loader's input limits too, so `algokg serve` stops at startup rather than on a request).
        """
        environment: dict[str, object] = {}
        if token := os.environ.get("ALGOKG_WRITE_TOKEN"):
            environment["write_token"] = token
        if base := os.environ.get("ALGOKG_PUBLIC_BASE"):
            environment["public_base"] = base.rstrip("/")
        for name, variable in (
            ("remote", "ALGOKG_REMOTE"),
            ("remote_update", "ALGOKG_REMOTE_UPDATE"),
            ("remote_store", "ALGOKG_REMOTE_STORE"),
        ):
            if value := os.environ.get(variable):
                environment[name] = value
        environment["cache_dir"] = default_cache_dir()
        environment.update(_bounds_from_environment())
        if allowed := os.environ.get("ALGOKG_SERVICE_ALLOW"):
            environment["service_allow"] = tuple(iri.strip() for iri in allowed.split(",") if iri.strip())
        settings = cls(store_dir=store_dir)
        return replace(settings, **environment, **{k: v for k, v in given.items() if v is not None})


# Numbers an operator sets: (field, variable, type, the least value allowed, whether that value itself is allowed);
# docs/security.md lists them. The loader's input limits (ALGOKG_MAX_FIELD_CHARS, …) are `loader.sources.limits`'.
_BOUNDS: tuple[tuple[str, str, type, float, bool], ...] = (
    ("query_timeout", "ALGOKG_QUERY_TIMEOUT", float, 0, False),
    ("max_query_timeout", "ALGOKG_MAX_QUERY_TIMEOUT", float, 0, False),
    ("remote_refresh", "ALGOKG_REMOTE_REFRESH", float, 0, True),
    ("query_workers", "ALGOKG_QUERY_WORKERS", int, 1, True),
    ("write_timeout", "ALGOKG_WRITE_TIMEOUT", float, 0, False),
    ("validate_timeout", "ALGOKG_VALIDATE_TIMEOUT", float, 0, False),
    ("validate_workers", "ALGOKG_VALIDATE_WORKERS", int, 1, True),
    ("index_build_timeout", "ALGOKG_INDEX_BUILD_TIMEOUT", float, 0, False),
    ("index_watch", "ALGOKG_INDEX_WATCH", float, 0, True),
    ("max_query_chars", "ALGOKG_MAX_QUERY_CHARS", int, 1, True),
    ("max_query_depth", "ALGOKG_MAX_QUERY_DEPTH", int, 1, True),
    ("anonymous_max_query_timeout", "ALGOKG_ANONYMOUS_MAX_QUERY_TIMEOUT", float, 0, False),
    ("client_concurrency", "ALGOKG_CLIENT_CONCURRENCY", int, 0, True),
    ("long_query_seconds", "ALGOKG_LONG_QUERY_SECONDS", float, 0, True),
    ("max_query_body", "ALGOKG_MAX_QUERY_BODY", int, 1, True),
    ("max_upload_body", "ALGOKG_MAX_UPLOAD_BODY", int, 1, True),
    ("max_validate_body", "ALGOKG_MAX_VALIDATE_BODY", int, 1, True),
    ("max_other_body", "ALGOKG_MAX_OTHER_BODY", int, 1, True),
    ("header_timeout", "ALGOKG_HEADER_TIMEOUT", float, 0, False),
    ("body_timeout", "ALGOKG_BODY_TIMEOUT", float, 0, False),
    ("body_min_rate", "ALGOKG_BODY_MIN_RATE", float, 0, False),
)


def _bounds_from_environment() -> dict[str, object]:
    from sparql_api.clients import parse_networks

    found: dict[str, object] = {}
    for name, variable, kind, least, least_allowed in _BOUNDS:
        if value := os.environ.get(variable):
            found[name] = _number(variable, value, kind, least, least_allowed)
    if proxies := os.environ.get("ALGOKG_TRUSTED_PROXIES"):
        found["trusted_proxies"] = parse_networks(proxies)
    try:  # read by the loader's readers in the request-body workers: checked here, before any request
        found["max_nesting"] = input_limits().nesting  # one nesting limit for the loader and request bodies
    except AlgokgError as error:
        raise ValueError(error.message) from None
    return found


def _number(variable: str, raw: str, kind: type, least: float, least_allowed: bool) -> float | int:
    """`raw` as a `kind` of at least `least` (above it unless `least_allowed`); ValueError naming `variable`."""
    whole = kind is int
    expected = f"{'a whole number' if whole else 'a number'} {'of' if least_allowed else 'above'} {least:g}"
    expected += " or more" if least_allowed else ""
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ValueError(f"{variable} must be {expected}, not {raw!r}") from None
    if not math.isfinite(value) or value < least or (value == least and not least_allowed):
        raise ValueError(f"{variable} must be {expected}, not {raw!r}")
    return value
