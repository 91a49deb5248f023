"""What every import of another register shares: one source graph per file (named by its sha256) with PROV-O
and its SHACL results, located remarks, and one atomic commit of all files (`loader.store.commit`).

The guarantees are the Dutch loader's: nothing is written until every file is read, mapped and validated; the
commit swaps a new generation in or leaves the store as it was; a file whose bytes are already loaded is
skipped (re-importing the same bytes changes nothing); current state is derived from the registrations as for
the Dutch register, so a newer inventory adds versions and the algorithm carries the newest.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from loader import store as stores
from loader.current_state import current_state_quads
from loader.errors import SourceError
from loader.provenance import provenance_quads
from loader.sourceload import Registration, SourceLoad, source_graph, validation_graph

__all__ = ["ImportReport", "Remark", "SourceFile", "commit_sources", "read_source", "source_load"]


@dataclass(frozen=True)
class SourceFile:
    """One input file as read: its bytes, digest and the name it is reported and recorded under."""

    path: Path
    data: bytes
    sha256: str

    @property
    def label(self) -> str:
        return str(self.path)


def read_source(path: Path) -> SourceFile:
    """The bytes of one input file.

    :raises SourceError: the file cannot be read (located)
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read the file: {error.strerror or error}", path=path) from error
    return SourceFile(path, data, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class Remark:
    """A located warning or note about one value of one row (the value is kept as published)."""

    path: str
    line: int | None
    field: str | None
    severity: str
    message: str

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.path, self.line) if part is not None)
        column = f"field {self.field!r}: " if self.field else ""
        return f"{where}: {column}{self.severity}: {self.message}"


@dataclass
class ImportReport:
    """What one file gave: records, remarks, SHACL results (by severity) and whether it was already loaded."""

    name: str
    records: int
    remarks: list[Remark] = field(default_factory=list)
    violations: int = 0
    warnings: int = 0
    skipped: bool = False


def source_load(
    source: SourceFile,
    quads: list[Quad],
    *,
    title: str,
    records: int,
    started: datetime,
    source_url: str | None,
    registrations: list[Registration] | None,
    profiles: Sequence[str],
    report: ImportReport,
    validator: str = "sparql",
) -> SourceLoad:
    """One file's mapped quads as a loaded source: PROV-O of the file and the SHACL results of ``profiles``."""
    from loader import validation as shacl  # rdflib and the shapes: only when validating

    # A graph is a set: a quad mapped twice (the same organisation or vendor on many rows) would only cost
    # validation and the commit time again. First occurrence kept, so the order is the mapping's.
    quads = list(dict.fromkeys(quads))
    validation: list[Quad] = []
    if profiles and validator != "none":  # "none": no SHACL run (benchmarks, very large loads)
        outcome = shacl.validate_quads(quads, profiles=profiles, engine=validator)
        validation = shacl.results_as_quads(outcome, validation_graph(source.sha256))
        report.violations = sum(1 for item in outcome.results if item.severity == "Violation")
        report.warnings = sum(1 for item in outcome.results if item.severity == "Warning")
    provenance = provenance_quads(
        source_graph(source.sha256),
        name=title,
        sha256=source.sha256,
        size=len(source.data),
        records=records,
        started=started,
        ended=datetime.now(UTC),
        source_url=source_url,
        media_type=_media_type(source.path),
    )
    return SourceLoad(
        name=source.label,
        sha256=source.sha256,
        graph=source_graph(source.sha256),
        quads=quads,
        provenance=provenance,
        validation=validation,
        registrations=registrations,
    )


def _media_type(path: Path) -> str | None:
    return {".csv": "text/csv", ".json": "application/json"}.get(path.suffix.lower())


def commit_sources(
    store_dir: Path, loads: Sequence[SourceLoad], reports: Iterable[ImportReport]
) -> "stores.CommitResult":
    """All the files in one new generation (current state derived as for the Dutch register), or nothing."""
    result = stores.commit(store_dir, loads, derive=current_state_quads)
    skipped = set(result.skipped)
    for report in reports:
        report.skipped = report.name in skipped
    return result


def now() -> datetime:
    return datetime.now(UTC)


def graph_of(source: SourceFile) -> NamedNode:
    return source_graph(source.sha256)
