"""`algokg import-ai-watch`: the AI Watch inventory and the registers among its source catalogues, atomically.

From a directory laid out as the repository (``services.json``, ``catalogs.json``, ``src/``), else the pinned
upstream files (the repository at :data:`COMMIT`, each checked against its sha256) downloaded once into the cache.
Every file is one source graph with PROV-O and SHACL results (profiles ``integrity`` and ``ai-watch``): the
harmonised services and catalogues, and per register catalogue (Amsterdam, Helsinki) its catalogue and services.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from loader.importers.ai_watch import ServiceRecord, read_catalogs, read_services, read_source_catalog, source_files
from loader.importers.ai_watch_mapping import ServiceContext, catalog_iri, catalog_triples, map_service
from loader.importers.common import ImportReport, SourceFile, commit_sources, graph_of, now, source_load
from loader.importers.vocabulary import Vocabulary, vocabulary
from loader.reconcile.cache import Pin, default_cache_dir, fetch
from loader.sourceload import SourceLoad

__all__ = ["COMMIT", "UPSTREAM", "AiWatchImport", "ai_watch_pins", "import_ai_watch", "prepare_ai_watch"]

REPOSITORY = "AI-Watch/AI-watch-T6-X"
COMMIT = "61f6fd44be84"  # the commit ../shared was taken at; the sha256 of every file below pins the content
UPSTREAM = f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}"
FILES = {
    "services.json": ("data/services.json", "16a9293feacd128d8f9b8c0dc702aee5a8d75d858fce60a7c7691990eaa17271"),
    "catalogs.json": ("data/catalogs.json", "4444eab0e235c286ee8b170ffe508e8c8c7168535bcb8864be6e9cd3c6ec5d33"),
    "src/11-catalog-amsterdam-algorithm-register.csv": (
        "src/11-catalog-amsterdam-algorithm-register.csv",
        "ff2861f9702af04e51fa9c96abba256cff63f1a05e1a9a446d653f423bbd736f",
    ),
    "src/11-services-amsterdam-algorithm-register.csv": (
        "src/11-services-amsterdam-algorithm-register.csv",
        "bf2f4ee3188b2ce66595b68c5318f96c9a8bdc4a89a8a223ffafddd2431341d9",
    ),
    "src/12-catalog-helsinki-ai-register.csv": (
        "src/12-catalog-helsinki-ai-register.csv",
        "98b76325ff6af3a0c47275012c7e15fdb375e28b22e82a6c1a0811683ceccae1",
    ),
    "src/12-services-helsinki-ai-register.csv": (
        "src/12-services-helsinki-ai-register.csv",
        "e6601f090d51b1d6b19a341bf0559b8a7bd003becbd9ab35dace17a53220432e",
    ),
}
PROFILES = ("integrity", "ai-watch")


def ai_watch_pins(base_url: str = UPSTREAM) -> dict[str, Pin]:
    """The files at the pinned commit, by their place in the local layout (``base_url``: raw root or a mirror)."""
    return {
        local: Pin(name=f"ai-watch-{COMMIT}/{local}", url=f"{base_url}/{path}", sha256=digest)
        for local, (path, digest) in FILES.items()
    }


def _digest(values: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _organisation_matcher() -> Callable[[str], str | None]:
    from loader.reference import reference_data

    organisations = reference_data().organisations

    def match(name: str) -> str | None:
        return organisations.match(name).iri

    return match


class _LazyMatcher:
    """The TOOI matcher, built on first use (only Dutch services need it)."""

    def __init__(self) -> None:
        self._match: Callable[[str], str | None] | None = None

    def __call__(self, name: str) -> str | None:
        if self._match is None:
            self._match = _organisation_matcher()
        return self._match(name)


def _catalog_load(
    source: SourceFile, triples: list[tuple], title: str, urls: dict[Path, str], report: ImportReport
) -> SourceLoad:
    graph = graph_of(source)
    quads = [Quad(s, p, o, graph) for s, p, o in triples]
    return source_load(
        source, quads, title=title, records=report.records, started=now(), source_url=urls.get(source.path),
        registrations=None, profiles=(), report=report,
    )  # fmt: skip


def _services_load(
    source: SourceFile,
    services: list[ServiceRecord],
    catalog_of: Callable[[ServiceRecord], NamedNode],
    publisher: NamedNode | None,
    *,
    words: Vocabulary,
    matcher: Callable[[str], str | None],
    title: str,
    urls: dict[Path, str],
    validator: str,
) -> tuple[SourceLoad, ImportReport]:
    started, report = now(), ImportReport(source.label, len(services))
    dates = Counter(service.text("start_date") for service in services)
    placeholders = frozenset(d for d, n in dates.items() if d and n == len(services) and n > 10)
    quads, registrations = [], []
    for service in services:
        context = ServiceContext(graph_of(source), catalog_of(service), words, matcher, publisher, placeholders)
        mapped = map_service(service, _digest(service.values), context)
        quads += mapped.quads
        registrations.append(mapped.as_registration())
        report.remarks += mapped.remarks
    load = source_load(
        source, quads, title=title, records=len(services), started=started, source_url=urls.get(source.path),
        registrations=registrations, profiles=PROFILES, report=report, validator=validator,
    )  # fmt: skip
    return load, report


def prepare_ai_watch(
    directory: Path, *, urls: dict[Path, str] | None = None, validator: str = "sparql"
) -> list[tuple[SourceLoad, ImportReport]]:
    """Read, map and validate every file of a copy of the repository; nothing is written."""
    urls, words, matcher = urls or {}, vocabulary(), _LazyMatcher()
    prepared = []
    catalogs_source, catalogs = read_catalogs(directory / "catalogs.json")
    triples = [t for record in catalogs for t in catalog_triples(record, catalog_iri(record.catalog_id - 10000, words))]
    report = ImportReport(catalogs_source.label, len(catalogs))
    prepared.append(
        (_catalog_load(catalogs_source, triples, "AI Watch catalogues (catalogs.json)", urls, report), report)
    )
    services_source, services = read_services(directory / "services.json")
    load, report = _services_load(
        services_source, services, lambda service: catalog_iri(service.catalog_id - 10000, words), None,
        words=words, matcher=matcher, title="AI Watch harmonised services (services.json)", urls=urls,
        validator=validator,
    )  # fmt: skip
    prepared.append((load, report))
    harmonised = {service.catalog_id - 10000 for service in services}
    for number in sorted(set(words.catalogs) - harmonised):
        catalog_path, services_path = source_files(directory, number)
        catalog_source, services_file, described, found = read_source_catalog(catalog_path, services_path, number)
        catalog = catalog_iri(number, words)
        report = ImportReport(catalog_source.label, 1)
        title = f"AI Watch source catalogue {number} ({catalog_path.name})"
        prepared.append(
            (_catalog_load(catalog_source, catalog_triples(described, catalog), title, urls, report), report)
        )
        title = f"AI Watch source catalogue {number}: services ({services_path.name})"
        publisher = words.publishers.get(number)
        load, report = _services_load(
            services_file, found, lambda _, catalog=catalog: catalog, publisher, words=words, matcher=matcher,
            title=title, urls=urls, validator=validator,
        )  # fmt: skip
        prepared.append((load, report))
    return prepared


@dataclass(frozen=True)
class AiWatchImport:
    """What `algokg import-ai-watch` did."""

    reports: list[ImportReport]
    loaded: list[str]
    skipped: list[str]


def import_ai_watch(
    store_dir: Path,
    directory: Path | None = None,
    *,
    refresh: bool = False,
    base_url: str = UPSTREAM,
    cache_dir: Path | None = None,
    validator: str = "sparql",
) -> AiWatchImport:
    """Import a copy of the AI Watch repository (else the pinned downloads) in one commit.

    :raises SourceError: a file cannot be read (nothing written); :raises ReconcileError: no download and no cache;
    :raises StoreError: the store could not be written (it is as before)
    """
    urls: dict[Path, str] = {}
    if directory is None:
        pins = ai_watch_pins(base_url)
        for pin in pins.values():
            fetched = fetch(pin, cache_dir=cache_dir, refresh=refresh)
            urls[fetched.path] = pin.url
        directory = (cache_dir or default_cache_dir()) / f"ai-watch-{COMMIT}"
    prepared = prepare_ai_watch(directory, urls=urls, validator=validator)
    reports = [report for _, report in prepared]
    result = commit_sources(store_dir, [load for load, _ in prepared], reports)
    return AiWatchImport(reports, result.loaded, result.skipped)
