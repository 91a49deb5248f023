"""Download a pinned reference file once, check it, keep it in a cache, and fall back to it offline."""

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from loader.errors import AlgokgError


class ReconcileError(AlgokgError):
    """A reference list could not be fetched, verified or read."""


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
class Fetched:
    """Where a pinned file now is, and whether it came from the network or from the cache."""

    path: Path
    from_cache: bool
    sha256: str


def default_cache_dir() -> Path:
    """``$ALGOKG_CACHE`` when set, else ``~/.cache/algokg`` (read at call time, never at import)."""
    configured = os.environ.get("ALGOKG_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "algokg"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(pin: Pin, *, cache_dir: Path | None = None, refresh: bool = False, timeout: float = 30.0) -> Fetched:
    """Return a local copy of ``pin``: the cached file, or a fresh download when absent or ``refresh``.

    A download is checked against ``pin.sha256`` before it replaces the cached copy. When the
    network fails, a cached copy (that still matches the pin) is used instead.

    :raises ReconcileError: the download does not match its pin, or there is neither network nor cache.
    """
    directory = cache_dir if cache_dir is not None else default_cache_dir()
    target = directory / pin.name
    if target.exists() and not refresh:
        cached = _digest(target.read_bytes())
        if pin.sha256 is None or cached == pin.sha256:
            return Fetched(path=target, from_cache=True, sha256=cached)
    try:
        request = urllib.request.Request(pin.url, headers={"User-Agent": "algokg (reference list fetch)"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError) as err:
        if target.exists():
            cached = _digest(target.read_bytes())
            if pin.sha256 is None or cached == pin.sha256:
                return Fetched(path=target, from_cache=True, sha256=cached)
        raise ReconcileError(f"cannot download {pin.url} ({err}) and no usable cached copy", path=target) from err
    digest = _digest(data)
    if pin.sha256 is not None and digest != pin.sha256:
        raise ReconcileError(
            f"download of {pin.url} has sha256 {digest}, but the pin expects {pin.sha256}; "
            "the publisher changed the file: check it and update the pin",
            path=target,
            link=pin.url,
        )
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)
    return Fetched(path=target, from_cache=False, sha256=digest)
