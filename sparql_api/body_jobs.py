"""What a body worker does with a request body: check it against the limits, parse it and run the write or the
validation it asks for, answering an `Outcome` (the status and body of the response).

Runs in a worker process (`sparql_api.body_worker`), never in the server: a parser that recurses on deep
input (pyoxigraph's SPARQL and JSON-LD parsers overflow their stack at a few thousand levels), a body that is
slow to read or a write that overruns its deadline costs a worker, which the server kills and replaces
(`sparql_api.body_workers`). Nothing here imports the web framework's request or response types: an `Outcome`
is plain data, made into a response by the server.
"""

import json
import time
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store

from loader.errors import AlgokgError, StoreError
from loader.reference import ReferenceData, reference_data
from loader.report import render_csv, render_json, render_text, render_turtle
from loader.store import StoreBusy, open_store
from loader.validation import ValidationReport
from loader.writes import (
    GraphName,
    Scope,
    WriteFailed,
    WriteForbidden,
    WriteRefused,
    WriteResult,
    WriteTimedOut,
    protection,
    write,
)
from sparql_api.incidents import incident
from sparql_api.queries import syntax_error
from sparql_api.update_plan import UpdateRejected, plan_update, screen, with_protocol_dataset

RETRY_AFTER_SECONDS = 5
_RETRY = {"Retry-After": str(RETRY_AFTER_SECONDS)}
_SHOWN = 200  # characters of an update kept in its provenance label
_MAX_FIELDS = 100  # parameters of an update request (update, using-graph-uri, using-named-graph-uri)
BODY_NAME = "the request body"  # what a validation report calls the file it read


@dataclass(frozen=True)
class Outcome:
    """A response as plain data: `body` is JSON (the problem's members when `problem`), or `content` bytes."""

    status: int
    body: Any = None
    problem: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    media_type: str | None = None


def refusal(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Outcome:
    """A problem (RFC 9457) outcome; `extra` members with None values are left out."""
    members = {"title": title, "detail": detail, **{k: v for k, v in extra.items() if v is not None}}
    return Outcome(status, members, problem=True, headers=headers or {})


@dataclass(frozen=True)
class WriteLimits:
    """:param seconds: the write's deadline. :param lock_wait: seconds to wait for another writer."""

    max_nesting: int
    seconds: float
    lock_wait: float


@dataclass(frozen=True)
class UpdateJob:
    """:param body: the request body. :param form: it is a form (`update=`…), else the update itself.
    :param query: the request's query string (the dataset parameters of an update sent as the body)."""

    store_dir: Path
    body: bytes
    form: bool
    query: str
    base: str
    limits: WriteLimits


@dataclass(frozen=True)
class GraphStoreJob:
    """A Graph Store write (PUT, POST, DELETE). :param graph: the graph's IRI, "" the default graph.
    :param body: / :param content_type: the request's (an RDF document or a multipart form of them).
    :param base: the server's public base. :param new: POST to the store itself named the graph."""

    store_dir: Path
    method: str
    graph: str
    body: bytes
    content_type: str
    base: str
    new: bool
    limits: WriteLimits


@dataclass(frozen=True)
class ValidateJob:
    """A `POST /api/validate` body, read as `algokg load` reads a file of that `suffix` (its input limits too)."""

    body: bytes
    suffix: str
    language: str | None
    answer: str
    report_language: str


# -- /update ---------------------------------------------------------------------------------------------------


def run_update(job: UpdateJob) -> Outcome:
    """Read the request, screen, parse and plan the update, then run it as one write."""
    started = time.monotonic()
    try:
        text = job.body.decode("utf-8")
    except UnicodeDecodeError as error:
        return refusal(400, "Not UTF-8", f"the request body is not UTF-8 ({error})")
    try:
        fields = parse_qs(text if job.form else job.query, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:
        return refusal(400, "Too many parameters", f"an update request has at most {_MAX_FIELDS} parameters")
    if job.form:
        updates = fields.get("update", [])
        if len(updates) != 1:
            return refusal(400, "One update expected", f"give exactly one `update` parameter, not {len(updates)}")
        text = updates[0]
    using, using_named = fields.get("using-graph-uri", []), fields.get("using-named-graph-uri", [])
    try:
        screen(text, job.limits.max_nesting)
        check_syntax(text, job.base)
        plan = plan_update(text, job.base)
        if using or using_named:
            if plan.names_dataset:
                raise UpdateRejected(
                    "the update names its dataset (USING or WITH) and the request gives one "
                    "(using-graph-uri / using-named-graph-uri): give it one way only"
                )
            text = with_protocol_dataset(text, using, using_named)
    except UpdateRejected as error:
        return refusal(400, "The update cannot run", error.message, line=error.line, column=error.column)
    if plan.whole:
        protected = [g.value for g in _named_graphs(job.store_dir) if protection(g)]
        return _forbidden(WriteForbidden(protected, plan.whole))
    label = " ".join(text.split())
    operation = f"SPARQL Update: {label[:_SHOWN]}{'…' if len(label) > _SHOWN else ''}"

    def apply(store: Store) -> None:
        store.update(text, base_iri=job.base)

    result = _write(job.store_dir, apply, operation, plan.scope, job.limits, started)
    return result if isinstance(result, Outcome) else Outcome(200, summary(result))


def check_syntax(update: str, base: str) -> None:
    """pyoxigraph's parse of the update (on an empty store in memory: nothing to change, nothing fetched)."""
    try:
        Store().update(update, base_iri=base)
    except SyntaxError as error:
        found = syntax_error(str(error))
        raise UpdateRejected(f"SPARQL update syntax error: {found.message}", found.line, found.column) from None
    except Exception:  # parsed; failed on the empty store (DROP of a missing graph): the write will say why
        pass


def _named_graphs(store_dir: Path) -> list[NamedNode]:
    store = open_store(store_dir)
    try:
        return [g for g in store.named_graphs() if isinstance(g, NamedNode)]
    finally:
        del store


# -- /store ----------------------------------------------------------------------------------------------------


def run_graph_store(job: GraphStoreJob) -> Outcome:
    """Parse the body's documents and replace (PUT), merge into (POST) or remove (DELETE) the graph."""
    from sparql_api.graph_store import BodyRejected, body_documents
    from sparql_api.graph_store import _parse as parse_document  # the Graph Store's one parser

    started = time.monotonic()
    graph: GraphName = NamedNode(job.graph) if job.graph else DefaultGraph()
    quads: list[Quad] = []
    try:
        for data, rdf_format, what in body_documents(job.body, job.content_type) if job.method != "DELETE" else []:
            # Nesting and entities are checked before parsing, as `algokg load` checks them (loader.rdf_guard).
            quads += parse_document(data, rdf_format, _document_base(job), what)
            if time.monotonic() > started + job.limits.seconds:
                return _too_slow(job.limits)
    except BodyRejected as error:
        return refusal(error.status, error.title, error.detail, line=error.line, column=error.column)
    except AlgokgError as error:  # a guard in the parser refused the document
        return refusal(400, "The body cannot be read", error.message, line=error.line)
    label = f"Graph Store {job.method} {job.graph or 'default graph'}"
    was_empty: list[bool] = []
    missing: list[bool] = []

    def change(store: Store) -> None:
        if job.method == "DELETE" and isinstance(graph, NamedNode) and not store.contains_named_graph(graph):
            missing.append(True)  # checked on the copy, under the lock: it cannot go between check and removal
        if job.method == "PUT" and isinstance(graph, DefaultGraph):
            was_empty.append(next(store.quads_for_pattern(None, None, None, graph), None) is None)
        if job.method in ("PUT", "DELETE"):
            if isinstance(graph, NamedNode):
                store.remove_graph(graph)
            else:
                store.clear_graph(graph)
        if job.method in ("PUT", "POST"):
            if isinstance(graph, NamedNode):
                store.add_graph(graph)  # an empty body makes an empty graph
            store.extend(Quad(q.subject, q.predicate, q.object, graph) for q in quads)

    result = _write(job.store_dir, change, label, [graph], job.limits, started)
    if isinstance(result, Outcome):
        return result
    created = bool(job.graph) and job.graph in result.created
    if job.method == "PUT":
        # The default graph always exists: it is "created" when it had no triples.
        return Outcome(201 if created or (was_empty and was_empty[0] and result.added > 0) else 204)
    if job.method == "DELETE":
        if missing:
            return refusal(404, "No such graph", f"the store has no graph <{job.graph}>")
        return Outcome(200, summary(result))
    if job.new:
        return Outcome(201, summary(result), headers={"Location": job.graph})
    return Outcome(201 if created else 200, summary(result))


def _document_base(job: GraphStoreJob) -> str:
    return job.graph or f"{job.base}/store"


# -- writes ----------------------------------------------------------------------------------------------------


def _write(
    store_dir: Path, apply: Any, operation: str, scope: Scope, limits: WriteLimits, started: float
) -> WriteResult | Outcome:
    """`loader.writes.write`, its refusals as outcomes; the deadline counts from `started` (parsing included)."""
    try:
        return write(
            store_dir,
            apply,
            operation=operation,
            scope=scope,
            lock_timeout=limits.lock_wait,
            deadline=started + limits.seconds,
        )
    except WriteForbidden as error:
        return _forbidden(error)
    except WriteRefused as error:
        return report_refusal(error.report, error.message)
    except WriteFailed as error:
        return refusal(400, "The write could not be applied", error.message)
    except StoreBusy:
        detail = f"another writer (a load or a write) held the store's lock for {limits.lock_wait:g} s"
        return refusal(503, "The store is busy", f"{detail}; nothing was written", headers=_RETRY)
    except WriteTimedOut:
        return _too_slow(limits)
    except StoreError as error:  # its message names the store's paths: the log has it, under a reference
        reference = incident(error, operation[:_SHOWN])
        return refusal(
            500, "The store could not be written", f"nothing was written (reference {reference} in the server log)"
        )


def _too_slow(limits: WriteLimits) -> Outcome:
    detail = f"the write did not finish within {limits.seconds:g} s (ALGOKG_WRITE_TIMEOUT); nothing was written"
    return refusal(503, "The write took too long", detail, headers=_RETRY)


def _forbidden(error: WriteForbidden) -> Outcome:
    return refusal(403, "Protected graph", error.message, graphs=list(error.graphs))


def report_refusal(report: ValidationReport, detail: str) -> Outcome:
    """422: the violations the write would add, grouped per record and field like a load's report."""
    return refusal(
        422,
        "The write would add SHACL violations",
        detail,
        violations=report.count("Violation"),
        report=json.loads(render_json(report)),
        report_text={"nl": render_text(report, language="nl"), "en": render_text(report, language="en")},
    )


def summary(result: WriteResult) -> dict[str, Any]:
    """What a write did, as the JSON body of its response."""
    return {
        "generation": result.generation.name if result.generation else None,
        "changed": result.generation is not None,
        "added": result.added,
        "removed": result.removed,
        "graphs": list(result.graphs),
        "provenance": result.activity,
    }


# -- POST /api/validate ----------------------------------------------------------------------------------------


@cache
def _reference() -> ReferenceData:
    # Organisation lists, law names and schemes: read once per worker (as a load would).
    return reference_data()


def run_validate(job: ValidateJob) -> Outcome:
    """The SHACL report of the records in the body, read by the loader's own readers (nothing is stored)."""
    import tempfile

    from loader.pipeline import prepare  # pulls in the mapping: only when validating

    with tempfile.TemporaryDirectory(prefix="algokg-validate-") as folder:
        path = Path(folder) / f"record{job.suffix}"
        path.write_bytes(job.body)
        try:
            _, report = prepare(path, reference=_reference(), language=job.language)
        except AlgokgError as error:
            return refusal(422, "Unreadable record", error.message, line=error.line, field=error.field)
    assert report.validation is not None  # prepare validates unless told not to
    # The temporary file's name means nothing to the client (and is the server's own path): the body is named.
    validation = replace(
        report.validation,
        results=[replace(item, file=BODY_NAME if item.file else None) for item in report.validation.results],
    )
    if job.answer == "text/plain":
        text = render_text(validation, language=job.report_language)
        return Outcome(200, content=text.encode(), media_type="text/plain; charset=utf-8")
    if job.answer == "text/csv":
        return Outcome(200, content=render_csv(validation).encode(), media_type="text/csv; charset=utf-8")
    if job.answer == "text/turtle":
        return Outcome(200, content=render_turtle(validation).encode(), media_type="text/turtle")
    document = json.loads(render_json(validation))
    document["records_read"] = report.records
    document["findings"] = [str(replace(finding, file=BODY_NAME)) for finding in report.findings]
    return Outcome(200, content=json.dumps(document, ensure_ascii=False).encode(), media_type="application/json")
