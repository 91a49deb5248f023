"""Download a pinned reference file once, check it, keep it in a cache, and fall back to it offline.

:func:`download_to` is the one HTTP GET of the project: it streams into a temporary file beside the
target, checks the length the server announced (and a sha256 when pinned), fsyncs and renames, so a
broken transfer never leaves a half file where a reader would take it for a whole one.
"""

import contextlib
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from loader.errors import AlgokgError

USER_AGENT = "algokg (https://w3id.org/algokg)"
_CHUNK = 1 << 16
# Inspects the first bytes and the Content-Type of a response; returns why it is not what was asked for.
ContentCheck = Callable[[bytes, str | None], str | None]


class ReconcileError(AlgokgError):
    """A reference list could not be fetched, verified or read."""


class DownloadError(AlgokgError):
    """A GET failed. ``path`` is the URL; ``unreachable`` says no server answered (a cached copy may stand in).

    :param status: the HTTP status when the server answered with an error.
    """

    def __init__(self, message: str, *, url: str, status: int | None = None, unreachable: bool = False) -> None:
        super().__init__(message, path=url)
        self.url = url
        self.status = status
        self.unreachable = unreachable


class ChecksumMismatch(DownloadError):
    """The download is whole but not the pinned file."""


@dataclass(frozen=True)
class Pin:
    """A reference file at a fixed version: where it lives and, when known, its sha256.

    :param name: file name inside the cache directory (unique per pin).
    :param url: where to download it from (a versioned URL, so the content does not drift).
    :param sha256: expected hex digest; ``None`` when the publisher gives none and we have not pinned one yet.
    """

    name: str
    url: str
    sha256: str | None = None


@dataclass(frozen=True)
class Download:
    """One completed GET: what was asked, what came back and where it now is.

    ``fetched_at`` is ISO 8601 UTC; ``last_modified`` and ``etag`` are the server's headers, if sent.
    ``from_cache`` is set when an earlier download is reused instead of fetching again.
    """

    url: str
    path: Path
    status: int
    sha256: str
    size: int
    fetched_at: str
    content_type: str | None = None
    last_modified: str | None = None
    etag: str | None = None
    from_cache: bool = False

    def cached(self) -> "Download":
        return replace(self, from_cache=True)


@dataclass(frozen=True)
class Fetched:
    """Where a pinned file now is, and whether it came from the network or from the cache."""

    path: Path
    from_cache: bool
    sha256: str
    download: Download | None = None


def default_cache_dir() -> Path:
    """``$ALGOKG_CACHE``, else ``$XDG_CACHE_HOME/algokg``, else ``~/.cache/algokg`` (read at call time).

    A relative ``XDG_CACHE_HOME`` is ignored, as the XDG base-directory specification asks.
    """
    configured = os.environ.get("ALGOKG_CACHE")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "algokg"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_to(
    url: str,
    target: Path,
    *,
    timeout: float = 30.0,
    sha256: str | None = None,
    check: ContentCheck | None = None,
) -> Download:
    """GET ``url`` into ``target``, replacing it only when the transfer is whole and passes the checks.

    :param sha256: the expected digest (a pin); a different one raises :class:`ChecksumMismatch`.
    :param check: looks at the first bytes and the Content-Type; a returned reason aborts the download.
    :raises DownloadError: unreachable host, HTTP error status, short or broken transfer, refused content;
        nothing is left in ``target``'s directory.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    except ValueError as error:  # "unknown url type": a --url without http(s)://
        raise DownloadError(f"not a URL that can be downloaded: {error}", url=url) from None
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the response and its socket
        raise DownloadError(
            f"the server answered HTTP {error.code} {error.reason}", url=url, status=error.code
        ) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        raise DownloadError(f"cannot reach the server: {reason}", url=url, unreachable=True) from None
    with response, _temporary_beside(target) as (handle, partial):
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        digest, size = _stream(url, response, handle, check)
        if sha256 is not None and digest != sha256:
            raise ChecksumMismatch(
                f"the download has sha256 {digest}, but the pin expects {sha256}; "
                "the publisher changed the file: check it and update the pin",
                url=url,
                status=response.status,
            )
        handle.flush()
        os.fsync(handle.fileno())
        partial.replace(target)
    _fsync_directory(target.parent)
    headers = response.headers
    return Download(
        url=url,
        path=target,
        status=response.status,
        sha256=digest,
        size=size,
        fetched_at=fetched_at,
        content_type=headers.get("Content-Type"),
        last_modified=headers.get("Last-Modified"),
        etag=headers.get("ETag"),
    )


def _stream(
    url: str,
    response: http.client.HTTPResponse,
    handle: BinaryIO,
    check: ContentCheck | None,
) -> tuple[str, int]:
    """Copy the body into ``handle``; the sha256 and size of what arrived. Checks the announced length."""
    expected = response.headers.get("Content-Length")
    digest, size = hashlib.sha256(), 0
    try:
        for index, chunk in enumerate(iter(lambda: response.read(_CHUNK), b"")):
            if index == 0 and check is not None and (problem := check(chunk, response.headers.get("Content-Type"))):
                raise DownloadError(problem, url=url, status=response.status)
            digest.update(chunk)
            handle.write(chunk)
            size += len(chunk)
    except http.client.IncompleteRead as error:  # a chunked transfer that stopped early
        size += len(error.partial)
        raise DownloadError(f"the transfer broke off after {size} bytes", url=url, status=response.status) from None
    except OSError as error:  # a read timeout or a reset connection mid-transfer
        raise DownloadError(f"the transfer broke off after {size} bytes: {error}", url=url) from None
    if expected is not None and expected.isdigit() and int(expected) != size:
        raise DownloadError(
            f"the transfer stopped after {size} of {expected} bytes (Content-Length)", url=url, status=response.status
        )
    if size == 0 and check is not None and (problem := check(b"", response.headers.get("Content-Type"))):
        raise DownloadError(problem, url=url, status=response.status)
    return digest.hexdigest(), size


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """A temporary file in ``target``'s directory (so the rename is atomic), removed unless renamed.

    Its name starts with a dot, so globs over the cache (``tooi-*.json``) never see it.
    """
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    partial = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle, partial
    finally:
        partial.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform lets a directory be opened for this.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _usable_cached(target: Path, pin: Pin) -> Fetched | None:
    if not target.exists():
        return None
    cached = file_sha256(target)
    if pin.sha256 is None or cached == pin.sha256:
        return Fetched(path=target, from_cache=True, sha256=cached)
    return None


def fetch(pin: Pin, *, cache_dir: Path | None = None, refresh: bool = False, timeout: float = 30.0) -> Fetched:
    """Return a local copy of ``pin``: the cached file, or a fresh download when absent or ``refresh``.

    A download is checked against ``pin.sha256`` before it replaces the cached copy. When the
    download fails (no network, an HTTP error, a broken transfer), a cached copy that still
    matches the pin is used instead.

    :raises ReconcileError: the download does not match its pin, or there is neither download nor cache.
    """
    directory = cache_dir if cache_dir is not None else default_cache_dir()
    target = directory / pin.name
    if not refresh and (cached := _usable_cached(target, pin)):
        return cached
    try:
        done = download_to(pin.url, target, timeout=timeout, sha256=pin.sha256)
    except ChecksumMismatch as error:
        raise ReconcileError(f"download of {pin.url}: {error.message}", path=target, link=pin.url) from error
    except DownloadError as error:
        if cached := _usable_cached(target, pin):
            return cached
        raise ReconcileError(
            f"cannot download {pin.url} ({error.message}) and no usable cached copy", path=target
        ) from error
    return Fetched(path=target, from_cache=False, sha256=done.sha256, download=done)
