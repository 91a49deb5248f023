"""`algokg import-us-inventory`: the US federal AI use case inventory (both files) into the store, atomically.

Files given, or else the pinned upstream files (the repository at :data:`COMMIT`, each checked against its sha256)
downloaded once into the cache and read from there offline. Each file is one source graph with PROV-O and its
SHACL results (profiles ``integrity`` and ``us-inventory``); both are committed in one generation or not at all.
"""

from dataclasses import dataclass
from pathlib import Path

from loader.importers.common import ImportReport, SourceFile, commit_sources, graph_of, now, read_source, source_load
from loader.importers.us_cots import map_cots, read_cots
from loader.importers.us_inventory import read_use_cases
from loader.importers.us_mapping import map_use_case
from loader.importers.vocabulary import vocabulary
from loader.reconcile.cache import Pin, fetch
from loader.sourceload import SourceLoad

__all__ = ["COMMIT", "UPSTREAM", "UsImport", "import_us_inventory", "prepare_cots", "prepare_use_cases", "us_pins"]

REPOSITORY = "ombegov/2025-Federal-Agency-AI-Use-Case-Inventory"
COMMIT = "62329235dc3847672bc4fdc7bf64d850a2d6d0fe"
UPSTREAM = f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}"
USE_CASES = (
    "Data/2025_individually_reported_AI_use_cases.csv",
    "a62721202ca4b110ce3c53ffdb688d05ad27a35971a7afda4f1179b2493e31d0",
)
COTS = (
    "Data/2025_consolidated_COTS_AI_use_cases.csv",
    "bd18984bdc41f8fc818c9d145de78ebe2563ee0ffab29fe7e96de4c223c8ba17",
)
PROFILES = ("integrity", "us-inventory")


def us_pins(base_url: str = UPSTREAM) -> tuple[Pin, Pin]:
    """The two files at the pinned commit (``base_url``: the repository's raw root, or a mirror of it)."""
    return tuple(  # type: ignore[return-value]
        Pin(name=f"us-inventory-{COMMIT[:12]}-{Path(path).name}", url=f"{base_url}/{path}", sha256=digest)
        for path, digest in (USE_CASES, COTS)
    )


def prepare_use_cases(
    path: Path, *, source_url: str | None = None, validator: str = "sparql", profiles: tuple[str, ...] = PROFILES
) -> tuple[SourceLoad, ImportReport]:
    """Read, map and validate the use case file; nothing is written."""
    started, source = now(), read_source(path)
    use_cases = read_use_cases(path)
    report = ImportReport(source.label, len(use_cases))
    words = vocabulary()
    quads, registrations = [], []
    graph = graph_of(source)
    described: set[tuple[str, ...]] = set()  # agencies, bureaus, vendors: described once per file
    for row in use_cases:
        digest = _row_digest(source, row.values)
        mapped = map_use_case(row, graph=graph, file=source.label, digest=digest, vocabulary=words, described=described)
        quads += mapped.quads
        registrations.append(mapped.as_registration())
        report.remarks += mapped.remarks
    title = f"US federal AI use case inventory: individually reported use cases ({path.name})"
    load = source_load(
        source, quads, title=title, records=len(use_cases), started=started, source_url=source_url,
        registrations=registrations, profiles=profiles, report=report, validator=validator,
    )  # fmt: skip
    return load, report


def prepare_cots(
    path: Path, *, source_url: str | None = None, validator: str = "sparql", profiles: tuple[str, ...] = PROFILES
) -> tuple[SourceLoad, ImportReport]:
    """Read and map the COTS file; nothing is written."""
    started, source = now(), read_source(path)
    found = read_cots(path)
    report = ImportReport(source.label, len(found))
    mapped = map_cots(found, graph=graph_of(source), file=source.label, digest=source.sha256)
    report.remarks += mapped.remarks
    title = f"US federal AI use case inventory: consolidated COTS use cases ({path.name})"
    load = source_load(
        source, mapped.quads, title=title, records=len(found), started=started, source_url=source_url,
        registrations=None, profiles=profiles, report=report, validator=validator,
    )  # fmt: skip
    return load, report


def _row_digest(source: SourceFile, values: dict[str, str]) -> str:
    import hashlib
    import json

    # A changed row is a new registration; an unchanged row in a newer file is the same one.
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class UsImport:
    """What `algokg import-us-inventory` did."""

    reports: list[ImportReport]
    loaded: list[str]
    skipped: list[str]


def import_us_inventory(
    store_dir: Path,
    use_cases: Path | None = None,
    cots: Path | None = None,
    *,
    refresh: bool = False,
    base_url: str = UPSTREAM,
    cache_dir: Path | None = None,
    validator: str = "sparql",
) -> UsImport:
    """Import the use case file and the COTS file (given, else the pinned downloads) in one commit.

    :raises SourceError: a file cannot be read (nothing written); :raises ReconcileError: no download and no cache;
    :raises StoreError: the store could not be written (it is as before)
    """
    pins = us_pins(base_url)
    urls: dict[Path, str | None] = {}
    if use_cases is None and cots is None:
        fetched = [fetch(pin, cache_dir=cache_dir, refresh=refresh) for pin in pins]
        use_cases, cots = fetched[0].path, fetched[1].path
        urls = {use_cases: pins[0].url, cots: pins[1].url}
    prepared = []
    if use_cases is not None:
        prepared.append(prepare_use_cases(use_cases, source_url=urls.get(use_cases), validator=validator))
    if cots is not None:
        prepared.append(prepare_cots(cots, source_url=urls.get(cots), validator=validator))
    reports = [report for _, report in prepared]
    result = commit_sources(store_dir, [load for load, _ in prepared], reports)
    return UsImport(reports, result.loaded, result.skipped)
