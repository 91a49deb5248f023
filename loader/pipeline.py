"""load -> validate -> store: every input file becomes one source graph, all committed at once or not at all."""

import gc
import hashlib
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Quad, RdfFormat, Store, Triple, serialize
from rdflib import Graph

from loader import store as stores
from loader.current_state import current_state_quads
from loader.errors import AlgokgError, SourceError, UncheckedInputError
from loader.graphs import dataset_graph
from loader.mapping import Finding, MappingContext, map_record
from loader.mapping.concepts import ConceptIndex
from loader.mapping.laws import link_pairs
from loader.mapping.organisations import language_pairs
from loader.provenance import provenance_quads
from loader.rdf_source import rdf_format_for, read_rdf
from loader.reconcile.register_pairs import learn, pairs_in_store
from loader.reference import ReferenceData, reference_data
from loader.sourceload import Registration, SourceLoad, source_graph, validation_graph
from loader.sources import read as read_records
from loader.sources.records import Record

if TYPE_CHECKING:
    from loader.validation import ValidationReport

Progress = Callable[[str, int, int], None]  # (file name, records done, records in the file)
_LANGUAGE_IN_NAME = re.compile(r"(?:^|[^A-Za-z])(NLD|ENG)(?:[^A-Za-z]|$)")


@dataclass
class SourceReport:
    """What one file gave: counts, reconciliation shares, findings and the SHACL report."""

    name: str
    sha256: str
    records: int = 0
    quads: int = 0
    algorithms: int = 0
    organisations: int = 0
    organisations_matched: int = 0
    law_links: int = 0
    law_links_resolved: int = 0
    findings: list[Finding] = field(default_factory=list)
    validation: "ValidationReport | None" = None
    skipped: bool = False

    @property
    def violations(self) -> int:
        if self.validation is None:
            return 0
        return sum(1 for result in self.validation.results if result.severity == "Violation")

    @property
    def blocking(self) -> list[str]:
        """Why ``--strict`` refuses this source: violations and values that could not be reconciled."""
        reasons = [str(item) for item in self.findings if item.severity in ("error", "warning")]
        for result in self.validation.results if self.validation else []:
            if result.severity == "Violation":
                algorithm = f" (algorithm {result.algorithm_id})" if result.algorithm_id else ""
                reasons.append(f"{result.location}{algorithm}, field {result.field!r}: violation: {result.message_en}")
        return reasons


@dataclass
class LoadReport:
    sources: list[SourceReport]
    commit: "stores.CommitResult | None" = None
    rejected: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # reference data that could not be fetched


class LoadRejected(AlgokgError):
    """``--strict`` refused the load; nothing was written. The report says why."""

    def __init__(self, report: LoadReport) -> None:
        reasons = [reason for source in report.sources for reason in source.blocking]
        shown = "\n  ".join(reasons[:20]) + (f"\n  … and {len(reasons) - 20} more" if len(reasons) > 20 else "")
        super().__init__(f"load rejected by --strict; nothing was written:\n  {shown}")
        self.report = report


def detect_language(path: Path, records: Sequence[Record], concepts: ConceptIndex) -> str | None:
    """The language of an export whose records do not say: from the file name, else from its status labels."""
    if named := _LANGUAGE_IN_NAME.search(path.name.upper()):
        return {"NLD": "nl", "ENG": "en"}[named.group(1)]
    votes: Counter[str] = Counter()
    for record in records:
        status = getattr(record, "status", None)
        match = concepts.find("register-status", status) if status else None
        if match and match.language:
            votes[match.language] += 1
    return votes.most_common(1)[0][0] if votes else None


def prepare(
    path: Path,
    *,
    reference: ReferenceData,
    input_format: str | None = None,
    language: str | None = None,
    source_url: str | None = None,
    run_validation: bool = True,
    progress: Progress | None = None,
    validator: str = "sparql",
    records: Sequence[Record] | None = None,
    organisation_pairs: Mapping[str, str] | None = None,
) -> tuple[SourceLoad, SourceReport]:
    """Read, map and validate one file into a :class:`SourceLoad`; nothing is written.

    :param validator: the SHACL engine, ``sparql`` (compiled, on a pyoxigraph store) or ``pyshacl``.
    :param records: the file's records when the caller read them already (:func:`read_register`).
    :param organisation_pairs: English organisation name -> Dutch name, the load's language pairs.

    :raises SourceError: the file cannot be read (encoding, syntax, columns, sizes), located.
    """
    started = datetime.now(UTC)
    if not _is_text(str(path)):
        # The name goes into the graph (provenance, every record's source): it must be Unicode text.
        shown = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise SourceError("the file name is not UTF-8 text: rename the file", path=shown)
    if source_url is not None and not _is_text(source_url):
        raise SourceError("--source-url is not UTF-8 text", path=path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read the file: {error.strerror}", path=path) from error
    sha256 = hashlib.sha256(data).hexdigest()
    graph = source_graph(sha256)
    report = SourceReport(name=str(path), sha256=sha256)
    rdf_format = rdf_format_for(path, input_format)
    records: int | None = None
    registrations: list[Registration] | None = None
    with _located(path):
        if rdf_format is not None:
            quads = read_rdf(data, rdf_format=rdf_format, label=str(path), graph=graph)
        else:
            if records is None:
                records = read_register(path, input_format=input_format, language=language)
            pairs = dict(organisation_pairs or {})
            quads, registrations = _map_register_file(path, reference, records, graph, report, progress, pairs)
            records = report.records
    report.quads = len(quads)
    validation: list[Quad] = []
    if run_validation:
        from loader import validation as shacl  # rdflib and the shapes: only when validating

        with _located(path):
            report.validation = shacl.validate_quads(quads, engine=validator)
            validation = shacl.results_as_quads(report.validation, validation_graph(sha256))
    with _located(path):
        provenance = provenance_quads(
            graph,
            name=path.name,
            sha256=sha256,
            size=len(data),
            records=records,
            started=started,
            ended=datetime.now(UTC),
            source_url=source_url,
            media_type=rdf_format.media_type if rdf_format else None,
        )
    load = SourceLoad(
        name=str(path),
        sha256=sha256,
        graph=graph,
        quads=quads,
        provenance=provenance,
        validation=validation,
        registrations=registrations,
    )
    return load, report


def read_register(path: Path, *, input_format: str | None = None, language: str | None = None) -> list[Record]:
    """The records of one register file (CSV or JSON); see :func:`loader.sources.read`.

    :raises SourceError: the file cannot be opened or read (located).
    """
    with _located(path):
        try:
            return list(read_records(path, format=input_format, language=language))
        except OSError as error:
            raise SourceError(f"cannot read the file: {error.strerror or error}", path=path) from error


def _map_register_file(
    path: Path,
    reference: ReferenceData,
    records: Sequence[Record],
    graph: object,
    report: SourceReport,
    progress: Progress | None,
    pairs: dict[str, str],
) -> tuple[list[Quad], list[Registration]]:
    items = (item for record in records for item in record.__dict__.get("lawful_basis_grouping") or ())
    law_names = learn(link_pairs(items), reference.law_names).apply(reference.law_names)
    matcher = reference.organisations.with_pairs(pairs) if pairs else reference.organisations
    context = MappingContext(
        graph=graph,  # type: ignore[arg-type]
        concepts=reference.concepts,
        law_names=law_names,
        organisations=matcher,
        language=detect_language(path, records, reference.concepts),
        organisation_pairs=pairs,
    )
    quads: list[Quad] = []
    registrations: list[Registration] = []
    algorithms = set()
    for done, record in enumerate(records, 1):
        if progress and (done % 500 == 0 or done == len(records)):
            progress(path.name, done, len(records))
        with _located(path, record):
            mapped = map_record(record, context)
        quads += mapped.quads
        registrations.append(
            Registration(mapped.registration, mapped.algorithm, mapped.language or "", mapped.statements)
        )
        algorithms.add(mapped.algorithm.value)
        report.findings += mapped.findings
        report.law_links += mapped.law_links
        report.law_links_resolved += mapped.law_links_resolved
        if mapped.organisation is not None:
            report.organisations += 1
            report.organisations_matched += mapped.organisation.iri is not None
    report.records = len(records)
    report.algorithms = len(algorithms)
    # Every record citing a law repeats the law's (and its articles') description: ~19% of a register's quads
    # at 10k. The store keeps one of each anyway; dropping them here spares validation and loading the copies.
    return list(dict.fromkeys(quads)), registrations


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@contextmanager
def _located(path: Path, record: Record | None = None) -> Iterator[None]:
    """Any failure without a located error of its own becomes one (file, record): never a traceback."""
    try:
        yield
    except AlgokgError:
        raise
    except Exception as error:  # the last line of defence; the fuzz suite finds these
        where, line = "", None
        if record is not None:
            pointer = f" at {record.source.pointer}" if record.source.pointer else ""
            where, line = f"record {record.source.index}{pointer}: ", record.source.line
        message = f"{where}cannot be read ({type(error).__name__}: {error})"
        text = message.encode("utf-8", "backslashreplace").decode()[:500]
        raise UncheckedInputError(text, path=path, line=line) from error


def _as_rdflib(quads: list[Quad]) -> Graph:
    """One source's data as an rdflib graph for pyshacl (small: one file; the store is never parsed so)."""
    triples = (Triple(quad.subject, quad.predicate, quad.object) for quad in quads)
    return Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")


def _derive(store: Store, new: Sequence[SourceLoad]) -> Iterable[Quad]:
    # The example dataset only stands in for real data: the first real load replaces it.
    store.remove_graph(dataset_graph("example"))
    return current_state_quads(store, new)


def load_paths(
    store_dir: Path,
    paths: Sequence[Path],
    *,
    input_format: str | None = None,
    language: str | None = None,
    strict: bool = False,
    run_validation: bool = True,
    reference: ReferenceData | None = None,
    source_url: str | None = None,
    progress: Progress | None = None,
    source_urls: Mapping[Path, str] | None = None,
    validator: str = "sparql",
) -> LoadReport:
    """Load files into the store as one atomic commit.

    :param validator: the SHACL engine, ``sparql`` (default) or ``pyshacl`` (the reference).

    :raises SourceError: a file cannot be read; nothing is written.
    :raises LoadRejected: ``strict`` and a file has violations or unreconciled values; nothing is written.
    :raises StoreError: the store could not be written; it is as before.
    """
    started = time.perf_counter()
    reference = reference or reference_data()
    if stored := pairs_in_store(store_dir):  # law titles the register taught in earlier loads
        reference = replace(reference, law_names=learn(stored, reference.law_names).apply(reference.law_names))
    with _without_cyclic_gc():
        return _load(
            store_dir,
            paths,
            started=started,
            reference=reference,
            input_format=input_format,
            language=language,
            strict=strict,
            run_validation=run_validation,
            source_url=source_url,
            progress=progress,
            source_urls=source_urls,
            validator=validator,
        )


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    # A load makes millions of small objects (quads, terms) with no reference cycles; the cyclic
    # collector would rescan them again and again (10% of a 10k load, more as it grows).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(
    store_dir: Path,
    paths: Sequence[Path],
    *,
    started: float,
    reference: ReferenceData,
    input_format: str | None,
    language: str | None,
    strict: bool,
    run_validation: bool,
    source_url: str | None,
    progress: Progress | None,
    source_urls: Mapping[Path, str] | None,
    validator: str = "sparql",
) -> LoadReport:
    # Every register file is read first: the same algorithm in the Dutch and the English export names its
    # organisation in both languages, and those pairs reconcile (and join) the English names.
    read = {
        path: read_register(path, input_format=input_format, language=language)
        for path in paths
        if rdf_format_for(path, input_format) is None
    }
    pairs = language_pairs(
        (records, detect_language(path, records, reference.concepts)) for path, records in read.items()
    )
    prepared = [
        prepare(
            path,
            reference=reference,
            input_format=input_format,
            language=language,
            source_url=(source_urls or {}).get(path, source_url),
            run_validation=run_validation,
            progress=progress,
            validator=validator,
            records=read.get(path),
            organisation_pairs=pairs,
        )
        for path in paths
    ]
    report = LoadReport(sources=[source for _, source in prepared])
    if strict and any(source.blocking for source in report.sources):
        report.rejected = True
        raise LoadRejected(report)
    loads = [load for load, _ in prepared]
    report.commit = stores.commit(store_dir, loads, derive=_derive)
    skipped = set(report.commit.skipped)
    for source in report.sources:
        source.skipped = source.name in skipped
    report.seconds = time.perf_counter() - started
    return report
