"""`algokg harvest`: download the live register's exports and the TOOI lists, then load the exports.

The exports (``/api/downloads/{NLD|ENG}?filetype=csv``) change daily, so they are cached per day
(``register-NLD-2026-11-28.csv``) and fetched again only with ``refresh``. The TOOI value lists
and the register's English translations are pinned (`loader.reconcile.tooi`) and cached until
their pin changes. Downloads are written to a temporary file and renamed, so a broken transfer
never leaves a half file in the cache.
"""

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from loader.errors import AlgokgError, SourceError
from loader.reconcile.cache import Pin, default_cache_dir, fetch
from loader.reconcile.tooi import TOOI_PINS, TRANSLATION_PIN

if TYPE_CHECKING:
    from loader.pipeline import LoadReport

REGISTER_BASE_URL = "https://algoritmes.overheid.nl"
LANGUAGES = ("NLD", "ENG")
_USER_AGENT = "algokg harvest (https://w3id.org/algokg)"


class HarvestError(SourceError):
    """A download failed: the URL, what came back and what to do."""


@dataclass
class HarvestResult:
    exports: dict[str, Path] = field(default_factory=dict)  # language -> cached export
    urls: dict[str, str] = field(default_factory=dict)  # language -> where it came from
    reference_lists: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # reference lists that could not be fetched


def export_url(base_url: str, language: str) -> str:
    return f"{base_url.rstrip('/')}/api/downloads/{language}?filetype=csv"


def network_available(url: str = REGISTER_BASE_URL, timeout: float = 3.0) -> bool:
    """Whether the host of ``url`` answers at all (any HTTP status counts)."""
    try:
        request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": _USER_AGENT})
        with urllib.request.urlopen(request, timeout=timeout):
            return True
    except urllib.error.HTTPError as error:
        error.close()
        return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def download(url: str, target: Path, *, timeout: float = 60.0) -> Path:
    """Fetch ``url`` into ``target`` atomically; refuse HTML error pages and truncated transfers.

    :raises HarvestError: HTTP error, network error, wrong content or a short body (nothing is written).
    """
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    partial = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get("Content-Type", "")
            if "html" in kind.lower():
                raise HarvestError(f"{url} answered with a web page ({kind}), not an export", path=url)
            expected = response.headers.get("Content-Length")
            data = response.read()
    except http.client.IncompleteRead as error:
        raise HarvestError(
            f"{url}: the transfer stopped at {len(error.partial)} of {expected} bytes", path=url
        ) from None
    except urllib.error.HTTPError as error:
        error.close()  # it holds the response and its socket
        raise HarvestError(f"{url} answered HTTP {error.code} {error.reason}", path=url) from None
    except (urllib.error.URLError, OSError) as error:
        raise HarvestError(f"cannot download {url}: {getattr(error, 'reason', error)}", path=url) from None
    if expected is not None and int(expected) != len(data):
        raise HarvestError(f"{url}: the transfer stopped at {len(data)} of {expected} bytes", path=url)
    if data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        raise HarvestError(f"{url} sent markup, not a CSV export", path=url)
    partial.write_bytes(data)
    partial.replace(target)
    return target


def harvest(
    *,
    base_url: str = REGISTER_BASE_URL,
    languages: tuple[str, ...] = LANGUAGES,
    cache_dir: Path | None = None,
    refresh: bool = False,
    reference_pins: tuple[Pin, ...] = (*TOOI_PINS, TRANSLATION_PIN),
    today: str | None = None,
) -> HarvestResult:
    """Download today's exports (or reuse today's cached copies) and the pinned reference lists."""
    cache = cache_dir or default_cache_dir()
    day = today or datetime.now(UTC).date().isoformat()
    result = HarvestResult()
    for language in languages:
        url = export_url(base_url, language)
        target = cache / "register" / f"register-{language}-{day}.csv"
        result.exports[language] = target if target.exists() and not refresh else download(url, target)
        result.urls[language] = url
    for pin in reference_pins:
        try:
            result.reference_lists.append(fetch(pin, cache_dir=cache, refresh=refresh).path)
        except AlgokgError as error:  # reconciliation degrades to the bundled national bodies
            result.problems.append(str(error))
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
) -> "LoadReport":
    """Harvest, then load the exports in one atomic commit (see :func:`loader.pipeline.load_paths`)."""
    from loader.pipeline import load_paths
    from loader.reference import reference_data

    cache = cache_dir or default_cache_dir()
    result = harvest(
        base_url=base_url or REGISTER_BASE_URL,
        languages=languages or LANGUAGES,
        cache_dir=cache,
        refresh=refresh,
        reference_pins=reference_pins if reference_pins is not None else (*TOOI_PINS, TRANSLATION_PIN),
    )
    reference = reference_data(cache_dir=cache)
    paths = [result.exports[language] for language in result.exports]
    urls = {result.exports[language]: result.urls[language] for language in result.exports}
    report = load_paths(store_dir, paths, strict=strict, reference=reference, source_urls=urls)
    report.problems = result.problems
    return report
