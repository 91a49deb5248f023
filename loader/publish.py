"""Publishing the store's current generation to a remote store: only the graphs that changed, all or nothing.

The loader keeps building generations on disk as always (validation, current state, provenance, the writer
lock); `publish` then makes the remote store hold exactly the current generation's named graphs. It compares a
digest per graph with the digests the remote's control graph lists and sends only the graphs that differ.

How the change becomes visible depends on the store (`loader.remote.Dialect`):
- one transaction (Oxigraph): every dropped and changed graph and the control graph in ONE update request —
  readers see the old version or the new one, and a failure leaves the old one (a change too large for one
  request is first staged graph by graph, then moved into place by one request);
- operation by operation (Virtuoso): the control graph first names the version being published (the API
  answers 503 with Retry-After while it does), then each graph is replaced by Graph Store `PUT`, then one
  operation sets the new version. A failure half-way leaves the marker, so readers get 503, never a mix;
  running `publish` again completes it (the local generation still holds everything).
"""

import hashlib
import os
import time
from collections.abc import Collection, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from loader.graphs import GRAPH_BASE
from loader.remote import CONTROL_GRAPH, ControlState, RemoteStore, RemoteStoreError, control_triples, graph_digest
from loader.store import current_path, open_store, writer_lock

# The store's unnamed graph (e.g. SPARQL Update without GRAPH) is published under this name: a remote store's
# "default graph" means something different in every product.
UNNAMED_GRAPH = f"{GRAPH_BASE}unnamed"


@dataclass
class PublishResult:
    """What a publish did.

    :param version: the data version the remote store now answers from.
    :param sent: graphs whose content was sent (changed or new); `triples` how many triples they hold.
    :param dropped: graphs removed from the remote (no longer in the generation).
    :param unchanged: graphs left alone (same digest).
    """

    version: str
    sent: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0
    triples: int = 0
    seconds: float = 0.0


def publish(store_dir: Path, remote: RemoteStore, *, lock_timeout: float = 30.0) -> PublishResult:
    """Make `remote` hold the current generation of `store_dir`.

    :raises StoreError: no store here, or another writer holds the lock for longer than `lock_timeout`.
    :raises RemoteStoreError: the remote refused a request; with one-transaction stores nothing changed, with
        the others readers answer 503 until `publish` runs again.
    """
    started = time.monotonic()
    with writer_lock(store_dir, lock_timeout):
        generation = current_path(store_dir).resolve()
        store = open_store(store_dir)
        version = generation.name
        modified = datetime.fromtimestamp(int(os.stat(generation).st_mtime), UTC)
        local = dict(_graphs(store))
        before = remote.control()
        result = PublishResult(version=version)
        changed = {name: body for name, (digest, body) in local.items() if before.graphs.get(name) != digest}
        result.dropped = sorted(set(before.graphs) - set(local))
        result.sent = sorted(changed)
        result.unchanged = len(local) - len(changed)
        result.triples = sum(body.count(b"\n") for body in changed.values())
        digests = {name: digest for name, (digest, _) in local.items()}
        if before.version == version and not changed and not result.dropped and before.publishing is None:
            result.seconds = time.monotonic() - started
            return result
        if remote.dialect.transactional_updates:
            if sum(len(body) for body in changed.values()) <= remote.dialect.max_update_bytes:
                remote.update(_one_transaction(changed, result.dropped, version, modified, digests))
            else:
                _staged(remote, changed, result.dropped, version, modified, digests, before.graphs)
        else:
            _operation_by_operation(remote, before, changed, result.dropped, version, modified, digests)
        result.seconds = time.monotonic() - started
        return result


def _graphs(store: Store) -> Iterator[tuple[str, tuple[str, bytes]]]:
    """Every non-empty graph of the generation as (IRI, (digest, N-Triples))."""
    names: list[NamedNode | DefaultGraph] = [*store.named_graphs(), DefaultGraph()]  # type: ignore[list-item]
    for graph in names:
        triples = [Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]
        if not triples:
            continue
        body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        name = UNNAMED_GRAPH if isinstance(graph, DefaultGraph) else graph.value
        if name == CONTROL_GRAPH.value:
            raise RemoteStoreError(f"the store holds the remote control graph <{name}> itself; remove it first")
        yield name, (_digest(triples, body), body)


def _digest(triples: list[Triple], body: bytes) -> str:
    """The graph's digest; blank nodes renamed canonically first, or every commit (which writes the model
    graphs afresh, with new blank node ids) would look like a change of the model."""
    if not any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples):
        return graph_digest(body)
    dataset = Dataset(Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)  # stable for the pinned pyoxigraph
    canonical = [Triple(q.subject, q.predicate, q.object) for q in dataset]
    return graph_digest(serialize(canonical, format=RdfFormat.N_TRIPLES) or b"")


def _one_transaction(
    changed: dict[str, bytes], dropped: list[str], version: str, modified: datetime, digests: dict[str, str]
) -> str:
    """One update request: drop what goes or changes, insert the new content, then the control graph."""
    operations = [f"DROP SILENT GRAPH <{name}>" for name in [*dropped, *sorted(changed)]]
    if changed:
        # One INSERT DATA for all graphs: blank nodes shared between graphs stay one node.
        blocks = "\n".join(f"GRAPH <{name}> {{\n{body.decode()}}}" for name, body in sorted(changed.items()))
        operations.append(f"INSERT DATA {{\n{blocks}\n}}")
    operations += _new_version(version, modified, digests)
    return " ;\n".join(operations)


def _new_version(version: str, modified: datetime, digests: dict[str, str]) -> list[str]:
    """The update operations that make readers see `version`: the control graph replaced (the last step of
    a transaction; readers query the graphs it lists)."""
    control = control_triples(version, modified, None, digests)
    return [
        f"DROP SILENT GRAPH <{CONTROL_GRAPH.value}>",
        f"INSERT DATA {{ GRAPH <{CONTROL_GRAPH.value}> {{\n{control}}} }}",
    ]


def _staged(
    remote: RemoteStore,
    changed: dict[str, bytes],
    dropped: list[str],
    version: str,
    modified: datetime,
    digests: dict[str, str],
    published: Collection[str],
) -> None:
    """Too large for one request (Oxigraph takes 128 MiB): each changed graph goes by Graph Store `PUT` first,
    then ONE update request moves them into place, drops what went and replaces the control graph — still one
    transaction. Readers query the graphs the control graph lists, so a graph it does not list yet (a new
    source, the whole register on a first publish) is written under its own name at once; only graphs readers
    see now go to a staging graph and are moved."""
    staging = {
        name: f"{GRAPH_BASE}staging/{version}/{hashlib.sha256(name.encode()).hexdigest()[:16]}"
        for name in changed
        if name in published
    }
    try:
        for name, body in sorted(changed.items()):
            remote.put_graph(staging.get(name, name), body)
        operations = [f"DROP SILENT GRAPH <{name}>" for name in dropped]
        operations += [f"MOVE SILENT GRAPH <{staging[name]}> TO GRAPH <{name}>" for name in sorted(staging)]
        operations += _new_version(version, modified, digests)
        remote.update(" ;\n".join(operations))
    except RemoteStoreError:
        for graph in staging.values():  # best effort: the published version is untouched either way
            with suppress(RemoteStoreError):
                remote.delete_graph(graph)
        raise


def _operation_by_operation(
    remote: RemoteStore,
    before: ControlState,
    changed: dict[str, bytes],
    dropped: list[str],
    version: str,
    modified: datetime,
    digests: dict[str, str],
) -> None:
    """Announce, replace graph by graph, then switch the version — each step one operation. Graphs go by Graph
    Store `PUT`: Virtuoso's parser runs out of memory on `INSERT DATA` of a few thousand triples."""
    # Graph Store PUT replaces the control graph in one request (Virtuoso runs no DELETE/INSERT with a ground
    # template over an empty graph).
    remote.put_graph(
        CONTROL_GRAPH.value, control_triples(before.version, before.modified, version, before.graphs).encode()
    )
    try:
        for name in dropped:
            remote.delete_graph(name)
        for name, body in sorted(changed.items()):
            remote.put_graph(name, body)
    except RemoteStoreError as error:
        raise RemoteStoreError(
            f"{error}\nthe publish of {version} stopped half-way: readers answer 503 until `algokg publish` "
            "runs again (the store directory still holds the whole generation)"
        ) from None
    remote.put_graph(CONTROL_GRAPH.value, control_triples(version, modified, None, digests).encode())


__all__ = ["UNNAMED_GRAPH", "PublishResult", "publish"]
