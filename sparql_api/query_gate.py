"""The gate every public query passes (`/sparql`, the `/query` page) before any store sees it.

Two steps:
1. **A linear scan in the server process** (`scan`, on `sparql_api.query_scan` tokens; no recursion, no
   parser): the length (`ALGOKG_MAX_QUERY_CHARS`) and the nesting of `{ ( [` and `<< >>`
   (`ALGOKG_MAX_QUERY_DEPTH`: parsers recurse per level and crash some thousand levels down, or take cubic time
   on nested `[ ]`) are bounded; a SPARQL Update keyword outside strings, IRIs and comments means the text is
   an update, refused naming `/update`; `SERVICE` must name an endpoint IRI (resolved through PREFIX and BASE)
   that `ALGOKG_SERVICE_ALLOW` lists; IRIs in Virtuoso's `bif:` and `sql:` namespaces (its built-in procedures,
   `bif:http_get` among them) are refused. SPARQL lets `\\uXXXX` escapes stand for any character anywhere;
   pyoxigraph reads them only in strings and IRIs, so the text is scanned as written and, where it holds
   escapes, once more decoded — a keyword hidden by escapes is found under either reading.
2. **A real parse outside the server process.** On the embedded store the query worker parses the query as
   it runs it (one round trip). With a remote store (`serve --remote`), `QueryGate.admit` first sends the text
   to a worker process for a parse-only request (`sparql_api.query_worker.parse_only`, which cannot open a
   socket or file meanwhile); a parser crash on extreme input costs that worker, and the client gets 400.
   Only text that pyoxigraph parsed as a query, and that passed the scan, is forwarded.

Refusals are `QueryRefused` (400, or 503 when an allowed endpoint's host cannot be resolved now), answered as
problem+json by the caller.
"""

import functools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from starlette.concurrency import run_in_threadpool

from sparql_api import clients, outbound
from sparql_api.queries import QueryOverloaded, QueryTimeout, syntax_error
from sparql_api.query_scan import CLOSING, OPENING, Token, decode_escapes, iri_value, position, split_pname, tokens
from sparql_api.settings import Settings
from sparql_api.worker_pool import WorkerDied, WorkerPool, WorkersBusy, WorkerStopped, WorkerTimedOut

# Keywords that begin (or, USING, belong to) a SPARQL 1.1 Update operation; none can stand as a keyword in a query.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
)
# Virtuoso calls its built-in procedures through IRIs of these schemes (bif:http_get fetches any URL).
FORBIDDEN_SCHEMES = ("bif:", "sql:")
CELLAR = "http://publications.europa.eu/webapi/rdf/sparql"
PARSE = "parse"  # the parse-only request kind of `sparql_api.query_worker`
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class QueryRefused(Exception):
    """The query may not run here; `status`, `title` and `detail` are the problem+json answer."""

    def __init__(self, title: str, detail: str, status: int = 400, **extra: Any) -> None:
        super().__init__(detail)
        self.title, self.detail, self.status = title, detail, status
        self.extra = {key: value for key, value in extra.items() if value is not None}


@dataclass(frozen=True)
class GatedQuery:
    """A query that passed the gate: its text (what runs or is forwarded) and the SERVICE endpoints it calls."""

    text: str
    services: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Limits:
    max_chars: int
    max_depth: int
    service_allow: frozenset[str]


# Texts up to this length have their scan remembered (clients repeat queries; ~5% of a point lookup's time).
_REMEMBERED_CHARS = 8192


def scan(text: str, limits: Limits, base_iri: str | None = None) -> GatedQuery:
    """The lexical step of the gate; QueryRefused when the text is too long, too deep, an update, or calls an
    endpoint that is not allowed. A pure function of its arguments: passed texts are remembered (LRU), a
    refusal is scanned again each time (it raises)."""
    if len(text) <= _REMEMBERED_CHARS:
        return _remembered_scan(text, limits, base_iri)
    return _scan_text(text, limits, base_iri)


@functools.lru_cache(maxsize=2048)
def _remembered_scan(text: str, limits: Limits, base_iri: str | None) -> GatedQuery:
    return _scan_text(text, limits, base_iri)


def _scan_text(text: str, limits: Limits, base_iri: str | None) -> GatedQuery:
    if len(text) > limits.max_chars:
        raise QueryRefused(
            "Query too long",
            f"the query has {len(text):,} characters; this endpoint takes at most {limits.max_chars:,} "
            "(an operator sets ALGOKG_MAX_QUERY_CHARS)",
        )
    services = _scan(text, limits, base_iri, decoded=False)
    decoded = decode_escapes(text)
    if decoded != text:
        services += _scan(decoded, limits, base_iri, decoded=True)
    return GatedQuery(text, tuple(dict.fromkeys(services)))


def _scan(text: str, limits: Limits, base_iri: str | None, *, decoded: bool) -> list[str]:
    return _Reading(text, limits, base_iri, decoded=decoded).endpoints()


class _Reading:
    """One reading of the text (as written, or with its escapes decoded) and what the scan keeps track of:
    nesting depth, BASE and PREFIX declarations (to resolve SERVICE endpoints), and what comes next.

    pyoxigraph's parser matches keywords without a word boundary: `SERVICEe:x`, `SERVICESILENT<x>`,
    `PREFIXe: <x>` and `?s ?p trueSERVICE <x> { }` (a triple ending in `true`, then SERVICE) are all read as the
    keyword. So SERVICE is looked for inside words and in the prefix part of prefixed names, and every reading
    of what may follow it must name an allowed endpoint (a prefixed name whose prefix is not declared cannot).
    """

    def __init__(self, text: str, limits: Limits, base_iri: str | None, *, decoded: bool) -> None:
        self.text, self.limits, self.decoded = text, limits, decoded
        self.depth = 0
        self.base, self.prefixes = base_iri, dict[str, str]()
        self.expect, self.declared = "", ""  # what the prologue / SERVICE state machine waits for
        self.services: list[str] = []

    def endpoints(self) -> list[str]:
        previous = Token("space", "", -1)
        for token in tokens(self.text):
            if token.significant:
                paired = self._brackets(token, previous)
                self._keywords(token)
                self._prologue_and_service(token)
                previous = Token("space", "", -1) if paired else token  # `<<<` is one pair and a `<`
            else:
                previous = token
        if self.expect == "service":
            raise QueryRefused("SERVICE not allowed", "SERVICE must be followed by the endpoint's IRI")
        return self.services

    # -- where a refusal points -----------------------------------------------------------------------------

    def where(self, token: Token) -> dict[str, int | None]:
        if self.decoded:  # offsets of the decoded text are not the client's
            return {"line": None, "column": None}
        line, column = position(self.text, token.start)
        return {"line": line, "column": column}

    def at(self, token: Token) -> str:
        if self.decoded:
            return " (reading its \\u escapes)"
        located = self.where(token)
        return f" at line {located['line']}, column {located['column']}"

    # -- the checks ------------------------------------------------------------------------------------------

    def _brackets(self, token: Token, previous: Token) -> bool:
        """Count the nesting; whether `token` closed a `<<` / `>>` pair."""
        if token.kind != "other":
            return False
        paired = previous.kind == "other" and previous.start == token.start - 1 and previous.text == token.text
        if token.text in OPENING or (token.text == "<" and paired):
            self.depth += 1
            if self.depth > self.limits.max_depth:
                raise QueryRefused(
                    "Query nested too deeply",
                    f"the query nests brackets more than {self.limits.max_depth} deep{self.at(token)}; this "
                    "endpoint takes at most that (an operator sets ALGOKG_MAX_QUERY_DEPTH)",
                    **self.where(token),
                )
        elif token.text in CLOSING or (token.text == ">" and paired):
            self.depth = max(0, self.depth - 1)
        return paired and token.text in "<>"

    def _keywords(self, token: Token) -> None:
        if token.keyword in UPDATE_KEYWORDS:
            raise QueryRefused(
                "Not a query",
                f"/sparql answers queries only: {token.keyword}{self.at(token)} is SPARQL Update; updates go to "
                "POST /update with the write token",
                operation=token.keyword,
                **self.where(token),
            )
        if token.kind == "iri" and iri_value(token).lower().startswith(FORBIDDEN_SCHEMES):
            raise QueryRefused(
                "IRI not allowed",
                f"{token.text}{self.at(token)}: IRIs in the bif: and sql: namespaces are refused (a store such as "
                "Virtuoso runs its built-in procedures through them)",
                **self.where(token),
            )

    def _prologue_and_service(self, token: Token) -> None:
        if self.expect == "service":
            self._endpoint(token)
            return
        if self.expect == "prefix-name" and token.kind == "pname":
            self.declared, self.expect = token.text[:-1], "prefix-iri"
        elif self.expect == "prefix-iri" and token.kind == "iri":
            self.prefixes[self.declared], self.expect = _resolve(self.base, iri_value(token)), ""
        elif self.expect == "base" and token.kind == "iri":
            self.base, self.expect = _resolve(self.base, iri_value(token)), ""
        else:
            self.expect = {"PREFIX": "prefix-name", "BASE": "base"}.get(token.keyword, "")
            head = _upper(token.text.partition(":")[0] if token.kind == "pname" else token.text)
            if token.kind == "pname" and token.text.endswith(":") and head.startswith("PREFIX"):
                self.declared, self.expect = token.text[6:-1], "prefix-iri"  # `PREFIXe: <…>`
            elif token.kind in ("word", "pname"):
                self._service_within(token, head)

    def _service_within(self, token: Token, head: str) -> None:
        """SERVICE at any place of a word or a prefixed name's prefix, and what may follow it there."""
        start = head.find("SERVICE")
        while start >= 0:
            rest = token.text[start + len("SERVICE") :]
            for reading in _without_silent(rest):
                if not reading:
                    self.expect = "service"  # the endpoint is the next token
                elif ":" in reading:
                    self._declared_endpoint(reading, token)
            start = head.find("SERVICE", start + 1)

    def _endpoint(self, token: Token) -> None:
        if token.keyword == "SILENT":
            return
        self.expect = ""
        if token.kind in ("word", "pname") and _upper(token.text[:6]) == "SILENT":
            rest = token.text[6:]  # `SILENTe:x` is SILENT and e:x too
            if not rest:
                self.expect = "service"
            elif ":" in rest:
                self._declared_endpoint(rest, token)
        if token.kind == "var":
            self._refuse(f"SERVICE {token.text}{self.at(token)}: the endpoint must be an IRI written in the query, "
                         "not a variable", token)  # fmt: skip
        if token.kind == "iri":
            self._allowed(_resolve(self.base, iri_value(token)), token)
        elif token.kind == "pname" and split_pname(token)[0] in self.prefixes:
            self._declared_endpoint(token.text, token)
        elif self.expect != "service":
            self._refuse(f"SERVICE{self.at(token)} must be followed by the endpoint's IRI", token)

    def _declared_endpoint(self, pname: str, token: Token) -> None:
        """A prefixed name after SERVICE: an endpoint if its prefix is declared (else no parser reads it so)."""
        prefix, local = split_pname(Token("pname", pname, token.start))
        if prefix in self.prefixes:
            self._allowed(self.prefixes[prefix] + local, token)

    def _allowed(self, endpoint: str, token: Token) -> None:
        if endpoint in self.limits.service_allow:
            self.services.append(endpoint)
            return
        at = self.at(token)
        if not self.limits.service_allow:
            detail = (
                f"SERVICE <{endpoint}>{at}: this server sends no requests to other endpoints. An operator allows "
                f"an endpoint by listing its IRI in ALGOKG_SERVICE_ALLOW (comma-separated), e.g. {CELLAR}"
            )
        else:
            allowed = ", ".join(sorted(self.limits.service_allow))
            detail = (
                f"SERVICE <{endpoint}>{at}: not an endpoint this server may call; it calls {allowed} "
                "(an operator lists them in ALGOKG_SERVICE_ALLOW)"
            )
        raise QueryRefused("SERVICE not allowed", detail, endpoint=endpoint, **self.where(token))

    def _refuse(self, detail: str, token: Token) -> None:
        raise QueryRefused("SERVICE not allowed", detail, **self.where(token))


def _without_silent(rest: str) -> list[str]:
    """What follows SERVICE, read with and without a SILENT glued to it."""
    return [rest, rest[6:]] if _upper(rest[:6]) == "SILENT" else [rest]


def _upper(text: str) -> str:
    """ASCII letters upper-cased, nothing else: keywords match so, and offsets stay those of `text`."""
    return text.translate(_ASCII_UPPER)


def _resolve(base: str | None, iri: str) -> str:
    if _SCHEME.match(iri) or not base:
        return iri
    return urljoin(base, iri)


class QueryGate:
    """The gate of one server: its limits, its allow-list (checked at startup), and — with a remote store —
    worker processes that parse queries before they are forwarded."""

    def __init__(self, settings: Settings) -> None:
        allowed = outbound.check_allow_list(settings.service_allow)  # AllowListError: the server does not start
        self.limits = Limits(settings.max_query_chars, settings.max_query_depth, frozenset(allowed))
        self._parser: WorkerPool | None = None
        if settings.remote:
            # Workers that only parse (they never open the cache directory's stores).
            self._parser = WorkerPool(settings.store_dir, settings.query_workers)

    def admit(self, text: str, *, base_iri: str | None, seconds: float) -> GatedQuery:
        """The query as it may run; QueryRefused, QuerySyntaxError (line, column of the client's text) or
        QueryTimeout (the parse overran `seconds`) otherwise. Blocks: call it from a thread (the pages do)."""
        gated = scan(text, self.limits, base_iri)
        for endpoint in gated.services:
            _check_endpoint(endpoint)
        if self._parser is not None:
            with self._parse_failures(seconds):
                reply = self._parser.run(**_parse_request(text, base_iri, seconds))
            _read_parse_reply(reply)
        return gated

    async def admit_async(self, text: str, *, base_iri: str | None, seconds: float) -> GatedQuery:
        """`admit` for the event loop: the scan runs here (linear, bounded by ALGOKG_MAX_QUERY_CHARS), the rare
        name lookups of allowed SERVICE endpoints in a thread, the parse-only request is awaited."""
        gated = scan(text, self.limits, base_iri)
        for endpoint in gated.services:
            await run_in_threadpool(_check_endpoint, endpoint)
        if self._parser is not None:
            with self._parse_failures(seconds):
                reply = await self._parser.run_async(**_parse_request(text, base_iri, seconds))
            _read_parse_reply(reply)
        return gated

    @contextmanager
    def _parse_failures(self, seconds: float) -> Iterator[None]:
        """What went wrong with a parse-only request (a crash, a deadline, busy workers) as the gate's refusal."""
        assert self._parser is not None
        try:
            yield
        except Exception as error:
            raise _parse_failure(error, seconds, self._parser.size) from None

    def close(self) -> None:
        if self._parser is not None:
            self._parser.close()


def _parse_request(text: str, base_iri: str | None, seconds: float) -> dict[str, Any]:
    """The worker pool's arguments for a parse-only request, scheduled as the current client's."""
    client = clients.current_client()
    return {
        "request": (PARSE, text, base_iri),
        "deadline": time.monotonic() + seconds,
        "client": client.key,
        "privileged": client.privileged,
    }


def _check_endpoint(endpoint: str) -> None:
    try:
        outbound.check_endpoint(endpoint)
    except outbound.EndpointRefused as error:
        raise QueryRefused("SERVICE not allowed", error.detail, status=error.status) from None


def _parse_failure(error: Exception, seconds: float, workers: int) -> Exception:
    """What a failed parse-only request means for the client (other errors pass unchanged)."""
    if isinstance(error, WorkersBusy):
        return QueryOverloaded(seconds, workers)
    if isinstance(error, WorkerTimedOut | WorkerStopped):
        return QueryTimeout(seconds)
    if isinstance(error, WorkerDied):
        return QueryRefused(
            "Query too complex",
            "the query parser gave up on this query (nested or chained beyond what it handles); nothing ran",
        )
    return error


def _read_parse_reply(reply: bytes) -> None:
    if reply[:1] == b"S":
        raise syntax_error(reply[1:].decode("utf-8", errors="replace"))


__all__ = ["CELLAR", "UPDATE_KEYWORDS", "GatedQuery", "Limits", "QueryGate", "QueryRefused", "scan"]
