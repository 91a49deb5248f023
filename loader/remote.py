"""A remote triple store spoken to over the SPARQL 1.1 Protocol and the Graph Store Protocol.

The store behind the loader and the API can be a server instead of the embedded pyoxigraph: Oxigraph server
(`oxigraph serve`) or OpenLink Virtuoso, or any store with the two protocols. Stores differ in where their
endpoints are and in what one update request guarantees, so a `Dialect` names both; it is recognised from the
server's `Server` header. Everything else here is plain protocol: queries are POSTed form-encoded (the dataset
travels as `default-graph-uri` / `named-graph-uri`), graphs are replaced with GSP `PUT`.

The store's published state lives in one control graph (`CONTROL_GRAPH`): the data version (the name of the
loader's generation it came from), when it was published, a digest per graph, and — while a publish that cannot
be one transaction is under way — the version being published (`loader.publish` writes it, the API reads it).
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import httpx
from pyoxigraph import NamedNode, QueryResultsFormat, QuerySolutions, parse_query_results

from loader.errors import StoreError
from loader.graphs import GRAPH_BASE

CONTROL_GRAPH = NamedNode(f"{GRAPH_BASE}control")
_AKG = "https://w3id.org/algokg/def#"
_CONTROL_SUBJECT = f"<{GRAPH_BASE}control#store>"
_DCT_MODIFIED = "http://purl.org/dc/terms/modified"
_XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


class RemoteStoreError(StoreError):
    """The remote store refused a request or could not be reached; the message says which and why.

    :param status: the HTTP status the store answered with (None when it was not reached); `answer` its text.
    """

    def __init__(self, message: str, status: int | None = None, answer: str = "") -> None:
        super().__init__(message)
        self.status, self.answer = status, answer


class RemoteTimeout(RemoteStoreError):
    """The remote store did not answer within the deadline."""


@dataclass(frozen=True)
class Dialect:
    """What differs between stores: default endpoint paths and whether one update request is one transaction.

    :param transactional_updates: every operation of one SPARQL Update request is applied or none is
        (Oxigraph); when False (Virtuoso applies operations one by one), a publish announces itself in the
        control graph first and readers answer 503 until it is complete.
    :param lateral: the query engine understands `LATERAL` (SEP-0006); otherwise it is rewritten to a join.
    :param max_update_bytes: the largest update request to send (Oxigraph server refuses bodies over 128 MiB).
    :param authenticated_paths: (query, update, Graph Store) paths that take credentials, used for writes when
        the URL carries them (Virtuoso: an account other than the anonymous one readers use, `docs/scale-out.md`).
    """

    name: str
    query_path: str
    update_path: str
    store_path: str
    transactional_updates: bool
    lateral: bool
    max_update_bytes: int = 64 * 1024 * 1024
    authenticated_paths: tuple[str, str, str] | None = None


OXIGRAPH = Dialect("oxigraph", "/query", "/update", "/store", transactional_updates=True, lateral=True)
VIRTUOSO = Dialect(
    "virtuoso",
    "/sparql",
    "/sparql",
    "/sparql-graph-crud",
    transactional_updates=False,
    lateral=False,
    authenticated_paths=("/sparql-auth", "/sparql-auth", "/sparql-graph-crud-auth"),
)
GENERIC = Dialect("generic", "", "", "", transactional_updates=False, lateral=False)
DIALECTS = {dialect.name: dialect for dialect in (OXIGRAPH, VIRTUOSO, GENERIC)}


@dataclass(frozen=True)
class ControlState:
    """The published state, as the control graph says.

    :param version: the data version readers answer from (None: nothing published yet).
    :param publishing: the version a non-transactional publish is writing now (None when none is under way).
    :param graphs: graph IRI → sha256 of its content, for every published graph.
    """

    version: str | None
    modified: datetime | None
    publishing: str | None
    graphs: Mapping[str, str]


class RemoteStore:
    """One remote store: its three endpoints, its dialect and an HTTP client (safe to share between threads).

    :param query_url: the SPARQL query endpoint, e.g. `http://127.0.0.1:7878/query` (Oxigraph) or
        `http://127.0.0.1:8890/sparql` (Virtuoso). User info in the URL (`http://user:secret@host/…`) is sent as
        HTTP Digest (Virtuoso) or Basic credentials and never shown in messages.
    :param dialect: one of `DIALECTS`; None recognises it from the server's `Server` header.
    :param update_url: / :param store_url: the update and Graph Store endpoints; the dialect's paths by default.
    :param timeout: seconds a query may take; `write_timeout` an update or a graph upload (a publish of a large
        register moves hundreds of MB).
    """

    def __init__(
        self,
        query_url: str,
        *,
        dialect: str | None = None,
        update_url: str | None = None,
        store_url: str | None = None,
        timeout: float = 60.0,
        write_timeout: float = 3600.0,
    ) -> None:
        self.query_url, auth = _without_credentials(query_url)
        self.write_timeout = write_timeout
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)
        self.dialect = DIALECTS[dialect] if dialect else self._recognise()
        if auth is not None:
            user, secret = auth
            self._client.auth = httpx.DigestAuth(user, secret) if self.dialect is VIRTUOSO else (user, secret)
        base = _base(self.query_url, self.dialect)
        _, update_path, store_path = self.dialect.authenticated_paths or (None, None, None)
        if auth is None or update_path is None or store_path is None:  # anonymous writes (or no such paths)
            update_path, store_path = self.dialect.update_path, self.dialect.store_path
        self.update_url = _without_credentials(update_url)[0] if update_url else base + update_path
        self.store_url = _without_credentials(store_url)[0] if store_url else base + store_path
        if self.dialect is GENERIC and not (update_url and store_url):
            raise RemoteStoreError(
                f"{self.query_url}: the store's kind is not known (not Oxigraph, not Virtuoso); give its update "
                "and Graph Store endpoints too (ALGOKG_REMOTE_UPDATE, ALGOKG_REMOTE_STORE)"
            )

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r}, dialect={self.dialect.name!r})"

    def close(self) -> None:
        self._client.close()

    # -- queries ---------------------------------------------------------------------------------------------

    def query(
        self,
        query: str,
        accept: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> tuple[bytes, str]:
        """POST a query; the body and its media type. The dataset lists, when given, replace the query's."""
        form: list[tuple[str, str]] = [("query", query)]
        form += [("default-graph-uri", iri) for iri in default_graphs or ()]
        form += [("named-graph-uri", iri) for iri in named_graphs or ()]
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        response = self._send("POST", self.query_url, content=urlencode(form), headers=headers, timeout=timeout)
        return response.content, response.headers.get("content-type", "").partition(";")[0].strip()

    def select(self, query: str, *, timeout: float | None = None, **dataset: Any) -> QuerySolutions:
        body, _ = self.query(query, "application/sparql-results+json", timeout=timeout, **dataset)
        results = parse_query_results(body, format=QueryResultsFormat.JSON)
        if not isinstance(results, QuerySolutions):
            raise RemoteStoreError(f"{self.query_url}: a SELECT query got no solutions back")
        return results

    # -- writes ----------------------------------------------------------------------------------------------

    def update(self, update: str, *, timeout: float | None = None) -> None:
        self._send("POST", self.update_url, data={"update": update}, timeout=timeout or self.write_timeout)

    def put_graph(self, graph: str, turtle: bytes, *, timeout: float | None = None) -> None:
        """Replace one graph with the given Turtle (N-Triples is Turtle) by Graph Store `PUT`."""
        self._send(
            "PUT",
            self.store_url,
            params={"graph": graph},
            content=turtle,
            headers={"Content-Type": "text/turtle; charset=utf-8"},
            timeout=timeout or self.write_timeout,
        )

    def delete_graph(self, graph: str, *, timeout: float | None = None) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>", timeout=timeout)

    # -- the control graph -----------------------------------------------------------------------------------

    def control(self, *, timeout: float | None = None) -> ControlState:
        rows = self.select(
            f"""SELECT ?version ?modified ?publishing ?graph ?digest WHERE {{ GRAPH <{CONTROL_GRAPH.value}> {{
                  {{ {_CONTROL_SUBJECT} <{_AKG}dataVersion> ?version .
                     OPTIONAL {{ {_CONTROL_SUBJECT} <{_DCT_MODIFIED}> ?modified }} }}
                  UNION {{ {_CONTROL_SUBJECT} <{_AKG}publishing> ?publishing }}
                  UNION {{ ?graph <{_AKG}sha256> ?digest }} }} }}""",
            timeout=timeout,
        )
        version = modified = publishing = None
        graphs: dict[str, str] = {}
        for row in rows:
            if row["version"] is not None:
                version = row["version"].value
                if row["modified"] is not None:
                    modified = datetime.fromisoformat(row["modified"].value.replace("Z", "+00:00"))
            if row["publishing"] is not None:
                publishing = row["publishing"].value
            if row["graph"] is not None and row["digest"] is not None:
                graphs[row["graph"].value] = row["digest"].value
        return ControlState(version, modified, publishing, graphs)

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, timeout: float | None = None, **arguments: Any) -> httpx.Response:
        try:
            response = self._client.request(method, url, timeout=timeout or httpx.USE_CLIENT_DEFAULT, **arguments)
        except httpx.TimeoutException:
            raise RemoteTimeout(f"{method} {url}: no answer within {timeout or self._client.timeout.read} s") from None
        except httpx.HTTPError as error:
            raise RemoteStoreError(f"{method} {url}: the remote store cannot be reached ({error})") from None
        if response.status_code >= 400:
            text = response.text.strip().replace("\n", " ")[:500]
            raise RemoteStoreError(
                f"{method} {url}: the remote store answered {response.status_code}: {text}", response.status_code, text
            )
        return response

    def _recognise(self) -> Dialect:
        try:
            response = self._client.get(self.query_url, params={"query": "ASK {}"})
        except httpx.HTTPError as error:
            raise RemoteStoreError(f"{self.query_url}: the remote store cannot be reached ({error})") from None
        server = response.headers.get("server", "").lower()
        if "oxigraph" in server:
            return OXIGRAPH
        if "virtuoso" in server:
            return VIRTUOSO
        return GENERIC


def graph_digest(ntriples: bytes) -> str:
    """sha256 of a graph's N-Triples lines in sorted order (equal graphs without blank nodes, equal digests)."""
    lines = sorted(line for line in ntriples.split(b"\n") if line.strip())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def control_triples(
    version: str | None, modified: datetime | None, publishing: str | None, graphs: Mapping[str, str]
) -> str:
    """The control graph's content as N-Triples (sent by `PUT`, or inside one update request)."""
    lines = []
    if version is not None:
        lines.append(f'{_CONTROL_SUBJECT} <{_AKG}dataVersion> "{version}" .')
    if modified is not None:
        stamp = modified.isoformat().replace("+00:00", "Z")
        lines.append(f'{_CONTROL_SUBJECT} <{_DCT_MODIFIED}> "{stamp}"^^<{_XSD_DATETIME}> .')
    if publishing is not None:
        lines.append(f'{_CONTROL_SUBJECT} <{_AKG}publishing> "{publishing}" .')
    lines += [f'<{graph}> <{_AKG}sha256> "{digest}" .' for graph, digest in sorted(graphs.items())]
    return "\n".join(lines) + "\n"


def _without_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    plain = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return plain, (unquote(parts.username), unquote(parts.password or ""))


def _base(query_url: str, dialect: Dialect) -> str:
    """The server's root: the query URL without the dialect's (anonymous or authenticated) query path."""
    url = query_url.rstrip("/")
    for path in (dialect.query_path, (dialect.authenticated_paths or ("",))[0]):
        if path and url.endswith(path):
            return url[: -len(path)]
    return url


__all__ = [
    "CONTROL_GRAPH",
    "DIALECTS",
    "ControlState",
    "Dialect",
    "RemoteStore",
    "RemoteStoreError",
    "RemoteTimeout",
    "control_triples",
    "graph_digest",
]
