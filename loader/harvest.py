"""`algokg harvest`: download the live register's exports and the pinned reference lists, then load the exports.

The register publishes (MinBZK/Algoritmeregister, ``backend/app/routers/public/downloads.py``, mounted
under ``/api`` in ``backend/app/main.py``):

- ``/api/downloads/{NLD|ENG}?filetype=csv`` the published descriptions of all standard versions in one
  CSV (UTF-8 with BOM, columns are the field keys in both languages), streamed without Content-Length;
- ``/api/downloads/site-data/json`` the site-data JSON dump (``loader.sources`` flavour ``site-data``).

Both change daily and carry no version, so they are cached per local day
(``<cache>/register/register-NLD-2026-11-28.csv`` with a ``.meta.json`` record of URL, time, HTTP status,
sha256, size, Last-Modified and ETag) and fetched again only with ``refresh`` or on a new day. The TOOI
value lists and the register's English translations are pinned (`loader.reconcile.tooi`) and cached
flat in ``<cache>`` (``tooi-*.json``, where `loader.reference` finds them) until their pin changes; they rank
above the snapshots that ship with the package, so a harvest refreshes what a load reconciles against. The official list of
Dutch regulations (``bwb-idlist.xml.zip``, `loader.reconcile.bwb_list`), which names every law for the law
gazetteer, is cached there too, kept until ``--refresh``.
Every download goes through :func:`loader.reconcile.cache.download_to`: temporary file, fsync, rename.
"""

import json
import re
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from loader.errors import SourceError
from loader.reconcile.bwb_list import BWB_LIST_PIN
from loader.reconcile.cache import (
    ChecksumMismatch,
    ContentCheck,
    Download,
    DownloadError,
    Pin,
    ReconcileError,
    default_cache_dir,
    download_to,
    fetch,
    file_sha256,
)
from loader.reconcile.tooi import TOOI_PINS, TRANSLATION_PIN
from loader.sources.json_text import parse_json

if TYPE_CHECKING:
    from loader.pipeline import LoadReport

REGISTER_BASE_URL = "https://algoritmes.overheid.nl"
LANGUAGES = ("NLD", "ENG")
REFERENCE_PINS = (*TOOI_PINS, TRANSLATION_PIN, BWB_LIST_PIN)
_FALLBACK_HINT = (
    "harvest again when online, load a local export with `algokg load FILE`, "
    "or use the bundled EXAMPLE dataset (`algokg serve --offline`)"
)


class HarvestError(SourceError):
    """A download failed: the URL (as the error's path), what came back and what to do."""


class NetworkUnavailable(HarvestError):
    """No server answered and there is no cached copy to use instead."""


class ReferenceListsUnavailable(HarvestError):
    """Some pinned reference lists could neither be downloaded nor found in the cache.

    :param fetched: the lists that are available all the same.
    :param failures: one located message per missing list.
    """

    def __init__(self, failures: list[str], fetched: list[Path]) -> None:
        super().__init__(
            f"{len(failures)} reference list(s) could not be downloaded and are not cached; loads still "
            "reconcile against the TOOI list snapshots and national bodies that ship with algokg and lists given "
            "with --organisations:\n  " + "\n  ".join(failures)
        )
        self.failures = failures
        self.fetched = fetched


@dataclass
class HarvestResult:
    """What a harvest produced: per language the cached export and its download record."""

    exports: dict[str, Path] = field(default_factory=dict)  # language -> cached export
    urls: dict[str, str] = field(default_factory=dict)  # language -> where it came from
    downloads: dict[str, Download] = field(default_factory=dict)  # language -> URL, time, sha256, headers
    site_data: Download | None = None
    reference_lists: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # non-fatal: stale exports, missing reference lists


def export_url(base_url: str, language: str) -> str:
    return f"{base_url.rstrip('/')}/api/downloads/{language}?filetype=csv"


def site_data_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/api/downloads/site-data/json"


def network_available(url: str = REGISTER_BASE_URL, timeout: float = 3.0) -> bool:
    """Whether the host of ``url`` answers at all (any HTTP status counts)."""
    try:
        request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "algokg (network check)"})
        with urllib.request.urlopen(request, timeout=timeout):
            return True
    except urllib.error.HTTPError as error:
        error.close()  # it holds the response and its socket
        return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def csv_check(head: bytes, content_type: str | None) -> str | None:
    """Why a response is not a CSV export (an error page, JSON, nothing), or ``None``."""
    if content_type and "html" in content_type.lower():
        return f"the server sent a web page ({content_type}), not a CSV export"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text:
        return "the server sent an empty body, not a CSV export"
    if text.startswith(b"<"):
        return "the server sent markup (an HTML or XML page), not a CSV export"
    if text.startswith((b"{", b"[")):
        return "the server sent JSON, not a CSV export"
    header = text.split(b"\n", 1)[0]
    if b"\n" in text and b"," not in header:
        return f"the first line is not a CSV header: {header[:80].decode('utf-8', 'replace')!r}"
    return None


def json_check(head: bytes, content_type: str | None) -> str | None:
    """Why a response is not the site-data JSON object, or ``None``."""
    if content_type and "html" in content_type.lower():
        return f"the server sent a web page ({content_type}), not JSON"
    if not head.lstrip().startswith(b"{"):
        return "the server did not send a JSON object"
    return None


def download(url: str, target: Path, *, timeout: float = 30.0, check: ContentCheck = csv_check) -> Download:
    """Fetch ``url`` into ``target`` atomically; refuse error statuses, wrong content and short transfers.

    :raises NetworkUnavailable: no server answered.
    :raises HarvestError: HTTP error status, wrong content or a broken transfer (nothing is written).
    """
    try:
        return download_to(url, target, timeout=timeout, check=check)
    except DownloadError as error:
        kind = NetworkUnavailable if error.unreachable else HarvestError
        raise kind(error.message, path=url) from error


def export_path(cache_dir: Path, language: str, day: date) -> Path:
    return cache_dir / "register" / f"register-{language}-{day.isoformat()}.csv"


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def _write_meta(done: Download) -> None:
    record = {**asdict(done), "path": done.path.name}
    record.pop("from_cache")
    meta = _meta_path(done.path)
    partial = meta.with_name("." + meta.name + ".part")
    partial.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    partial.replace(meta)


def cached_download(path: Path, url: str) -> Download:
    """The record of an earlier download kept at ``path`` (re-derived from the file if its record is lost)."""
    try:
        record = parse_json(_meta_path(path).read_text(encoding="utf-8"), label=str(_meta_path(path)))
        return Download(**{**record, "path": path, "from_cache": True})
    except (OSError, ValueError, TypeError, SourceError):
        # Only a whole 2xx response is ever renamed into place, so the file itself is trustworthy.
        modified = datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat(timespec="seconds")
        size = path.stat().st_size
        return Download(url, path, 200, file_sha256(path), size, modified, from_cache=True)


def _latest_cached(target: Path) -> Path | None:
    """The newest cached copy of the same daily file (any day), for use when offline."""
    pattern = re.sub(r"\d{4}-\d{2}-\d{2}", "????-??-??", target.name)
    candidates = sorted(target.parent.glob(pattern))  # ISO dates sort as days do
    return candidates[-1] if candidates else None


def fetch_daily(
    url: str,
    target: Path,
    *,
    refresh: bool = False,
    timeout: float = 30.0,
    offline_ok: bool = True,
    check: ContentCheck = csv_check,
) -> tuple[Download, str | None]:
    """Today's copy of a daily file: the cached one, or a download; offline, the newest cached one.

    :returns: the download record and, when an older copy stands in, a note saying so.
    :raises NetworkUnavailable: no server answered and nothing is cached (or ``offline_ok`` is false).
    :raises HarvestError: the server answered with an error or wrong content.
    """
    if target.exists() and not refresh:
        return cached_download(target, url), None
    try:
        done = download(url, target, timeout=timeout, check=check)
    except NetworkUnavailable as error:
        stale = _latest_cached(target) if offline_ok else None
        if stale is None:
            where = f"nothing is cached in {target.parent}" if offline_ok else "offline use is off"
            raise NetworkUnavailable(f"{error.message}; {where}: {_FALLBACK_HINT}", path=url) from error
        note = f"{url}: {error.message}; using the copy cached as {stale}"
        return cached_download(stale, url), note
    _write_meta(done)
    return done, None


def _host(url: str) -> str:
    return urlsplit(url).netloc


def tooi_lists(
    cache_dir: Path | None = None,
    refresh: bool = False,
    *,
    pins: tuple[Pin, ...] = TOOI_PINS,
    timeout: float = 30.0,
) -> list[Path]:
    """Local copies of pinned reference lists (by default the TOOI value lists the matcher reads).

    Each is taken from the cache unless absent or ``refresh``; a download is checked against its pin's
    sha256. When a host does not answer, the cached copies stand in and its other lists are not tried.

    :raises ReferenceListsUnavailable: some lists are neither downloadable nor cached (it carries the rest).
    :raises ReconcileError: a download does not match its pin.
    """
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    fetched: list[Path] = []
    failures: list[str] = []
    unreachable: set[str] = set()
    for pin in pins:
        if _host(pin.url) in unreachable:  # do not wait for the same silent host again
            cached = cache / pin.name
            if cached.exists():
                fetched.append(cached)
            else:
                failures.append(f"{pin.url}: its host did not answer and it is not cached in {cache}")
            continue
        try:
            fetched.append(fetch(pin, cache_dir=cache, refresh=refresh, timeout=timeout).path)
        except ReconcileError as error:
            cause = error.__cause__
            if not isinstance(cause, DownloadError) or isinstance(cause, ChecksumMismatch):
                raise  # the publisher changed the file: someone must look
            if cause.unreachable:
                unreachable.add(_host(pin.url))
            failures.append(str(error))
    if failures:
        raise ReferenceListsUnavailable(failures, fetched)
    return fetched


def harvest(
    *,
    base_url: str = REGISTER_BASE_URL,
    languages: tuple[str, ...] = LANGUAGES,
    cache_dir: Path | None = None,
    refresh: bool = False,
    timeout: float = 30.0,
    offline_ok: bool = True,
    site_data: bool = False,
    reference_pins: tuple[Pin, ...] = REFERENCE_PINS,
    today: date | None = None,
) -> HarvestResult:
    """Download today's exports (or reuse today's cached copies) and the pinned reference lists.

    :param offline_ok: when the register does not answer, use the newest cached export (noted in
        ``problems``) instead of failing.
    :param site_data: also fetch the site-data JSON dump (not loaded by :func:`harvest_and_load`).
    :param today: the day the cache is keyed on (default: the local date).
    :raises NetworkUnavailable: the register does not answer and nothing usable is cached.
    :raises HarvestError: the register answered with an error, a broken transfer or not a CSV export.
    """
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    day = today or datetime.now().astimezone().date()
    result = HarvestResult()
    options = {"refresh": refresh, "timeout": timeout, "offline_ok": offline_ok}
    for language in languages:
        url = export_url(base_url, language)
        done, note = fetch_daily(url, export_path(cache, language, day), **options)
        result.exports[language], result.urls[language], result.downloads[language] = done.path, url, done
        result.problems.extend([note] if note else [])
    if site_data:
        target = cache / "register" / f"site-data-{day.isoformat()}.json"
        result.site_data, note = fetch_daily(site_data_url(base_url), target, check=json_check, **options)
        result.problems.extend([note] if note else [])
    try:
        result.reference_lists = tooi_lists(cache, refresh, pins=reference_pins, timeout=timeout)
    except ReferenceListsUnavailable as error:  # reconciliation falls back to the shipped snapshots
        result.reference_lists = error.fetched
        result.problems.extend(error.failures)
    return result


def harvest_and_load(
    store_dir: Path,
    *,
    base_url: str | None = None,
    languages: tuple[str, ...] | None = None,
    refresh: bool = False,
    strict: bool = False,
    cache_dir: Path | None = None,
    reference_pins: tuple[Pin, ...] | None = None,
    timeout: float = 30.0,
    offline_ok: bool = True,
) -> "LoadReport":
    """Harvest, then load the exports in one atomic commit (see :func:`loader.pipeline.load_paths`)."""
    from loader.pipeline import load_paths
    from loader.reference import reference_data

    cache = cache_dir if cache_dir is not None else default_cache_dir()
    result = harvest(
        base_url=base_url or REGISTER_BASE_URL,
        languages=languages or LANGUAGES,
        cache_dir=cache,
        refresh=refresh,
        timeout=timeout,
        offline_ok=offline_ok,
        reference_pins=reference_pins if reference_pins is not None else REFERENCE_PINS,
    )
    reference = reference_data(cache_dir=cache)
    paths = list(result.exports.values())
    urls = {result.exports[language]: result.urls[language] for language in result.exports}
    report = load_paths(store_dir, paths, strict=strict, reference=reference, source_urls=urls)
    report.problems = result.problems
    return report
