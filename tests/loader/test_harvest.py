"""`algokg harvest` against a real local HTTP server standing in for the register and the TOOI repository.

The server serves the shared samples under the register's own paths; the first path segment picks how
it behaves (``/ok``, ``/chunked``, ``/500``, ``/truncated``, ...), so each test's base URL is
``http://127.0.0.1:PORT/<mode>``. Nothing here touches the internet.
"""

import csv
import hashlib
import json
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from benchmarks.generate import generate
from loader.errors import AlgokgError
from loader.harvest import (
    HarvestError,
    NetworkUnavailable,
    ReferenceListsUnavailable,
    export_path,
    harvest,
    harvest_and_load,
    network_available,
    tooi_lists,
)
from loader.reconcile.cache import Pin, ReconcileError, default_cache_dir
from loader.reconcile.tooi import TOOI_VALUE_LISTS, read_tooi_jsonld, tooi_iri, tooi_pins
from loader.sources import read
from tests.conftest import shared_path
from tests.http_stub import serving

DAY = date(2026, 11, 28)
ONT = "https://identifier.overheid.nl/tooi/def/ont/"
ENG = "/api/downloads/ENG?filetype=csv"
NLD = "/api/downloads/NLD?filetype=csv"
SITE_DATA = "/api/downloads/site-data/json"
ETAG = '"export-2026-11-28"'
LAST_MODIFIED = "Sat, 28 Nov 2026 04:00:00 GMT"
# The shared register lists, as the TOOI value lists they stand for (the rest are served empty).
SHARED_AS_TOOI = {
    "rwc_gemeenten_compleet": "Gemeenten_tooi_codes.csv",
    "rwc_provincies_compleet": "Provincies_tooi_codes.csv",
    "rwc_waterschappen_compleet": "Waterschappen_tooi_codes.csv",
}


def _as_tooi_jsonld(register_list: Path) -> bytes:
    """A register ``name;identifier;org_id`` list in the expanded JSON-LD form of a TOOI value list."""
    with register_list.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    nodes = [
        {
            "@id": tooi_iri(row["org_id"]),
            ONT + "organisatiecode": [{"@value": row["org_id"]}],
            ONT + "officieleNaamInclSoort": [{"@value": row["name"]}],
        }
        for row in rows
    ]
    return json.dumps(nodes).encode()


class _Register(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[str, bytes]]] = {}
    requests: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        self.requests[self.path] += 1
        mode, _, rest = self.path[1:].partition("/")
        found = self.routes.get("/" + rest)
        if mode == "500":
            self._send(500, "text/plain", b"Internal Server Error")
        elif found is None or mode == "404":
            self._send(404, "application/json", b'{"detail":"NO_DATA_FOUND"}')
        elif mode in {"html", "markup", "json", "empty"}:
            kind, body = {
                "html": ("text/html; charset=utf-8", b"<html><body>Onderhoud</body></html>"),
                "markup": ("text/csv", b"\xef\xbb\xbf<!DOCTYPE html><html>Onderhoud</html>"),
                "json": ("application/json", b'{"detail":"rate limited"}'),
                "empty": ("text/csv", b""),
            }[mode]
            self._send(200, kind, body)
        elif mode == "truncated":  # announces more than it sends, then hangs up
            self._send(200, found[0], found[1][:500], length=len(found[1]))
            self.close_connection = True
        elif mode in {"chunked", "chunked-broken"}:  # as the register streams: no Content-Length
            self._send_chunked(found, whole=mode == "chunked")
        else:
            self._send(200, *found)

    def do_HEAD(self) -> None:
        self._send(405, "text/plain", b"")

    def _send(self, status: int, kind: str, body: bytes, *, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("ETag", ETAG)
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.end_headers()
        self.wfile.write(body)

    def _send_chunked(self, found: tuple[str, bytes], *, whole: bool) -> None:
        kind, body = found
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunks = [body[i : i + 50_000] for i in range(0, len(body), 50_000)]
        for chunk in chunks if whole else chunks[:1]:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        if whole:
            self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:PORT``: the register's downloads and a TOOI repository mirror."""
    dutch = generate(5, tmp_path_factory.mktemp("nld") / "nld.csv").read_bytes()
    organisations = shared_path("reference", "organisations")
    _Register.routes = {
        ENG: ("text/csv", shared_path("samples", "register_export_v1.0_ENG_sample.csv").read_bytes()),
        NLD: ("text/csv", dutch),
        SITE_DATA: ("json", shared_path("samples", "register-minbzk", "etl_data_2024-11.json").read_bytes()),
    }
    for pin, (name, _) in zip(tooi_pins("/waardelijsten"), TOOI_VALUE_LISTS, strict=True):
        shared = SHARED_AS_TOOI.get(name)
        _Register.routes[pin.url] = (
            "application/ld+json",
            _as_tooi_jsonld(organisations / shared) if shared else b"[]",
        )
    with serving(_Register) as stub:
        yield stub.base


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _files(directory: Path) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file())


def _mirror_pins(server: str, *, sha256: bool = True) -> tuple[Pin, ...]:
    pins = tooi_pins(f"{server}/ok/waardelijsten")
    if not sha256:
        return pins
    digests = [hashlib.sha256(_Register.routes[pin.url.removeprefix(server + "/ok")][1]).hexdigest() for pin in pins]
    return tuple(Pin(pin.name, pin.url, digest) for pin, digest in zip(pins, digests, strict=True))


# --- exports -------------------------------------------------------------------------------------------


def test_harvest_downloads_records_and_reuses_todays_export(server: str, tmp_path: Path) -> None:
    base, sample = f"{server}/ok", shared_path("samples", "register_export_v1.0_ENG_sample.csv").read_bytes()
    first = harvest(base_url=base, languages=("ENG",), cache_dir=tmp_path, reference_pins=(), today=DAY)
    done = first.downloads["ENG"]
    assert done.path == tmp_path / "register" / "register-ENG-2026-11-28.csv" == first.exports["ENG"]
    assert (done.url, done.status, done.from_cache) == (base + ENG, 200, False)
    assert (done.sha256, done.size) == (hashlib.sha256(sample).hexdigest(), len(sample))
    assert (done.etag, done.last_modified, done.content_type) == (ETAG, LAST_MODIFIED, "text/csv")
    assert done.path.read_bytes() == sample and first.problems == []
    assert len(list(read(done.path, language="ENG"))) == 120
    assert _files(tmp_path) == [
        "register/register-ENG-2026-11-28.csv",
        "register/register-ENG-2026-11-28.csv.meta.json",
    ]

    before = _Register.requests[f"/ok{ENG}"]
    again = harvest(base_url=base, languages=("ENG",), cache_dir=tmp_path, reference_pins=(), today=DAY)
    assert _Register.requests[f"/ok{ENG}"] == before  # the same day: no request
    assert again.downloads["ENG"] == done.cached()

    harvest(base_url=base, languages=("ENG",), cache_dir=tmp_path, reference_pins=(), today=DAY, refresh=True)
    harvest(base_url=base, languages=("ENG",), cache_dir=tmp_path, reference_pins=(), today=date(2026, 11, 29))
    assert _Register.requests[f"/ok{ENG}"] == before + 2  # refresh, and a new day
    assert export_path(tmp_path, "ENG", date(2026, 11, 29)).exists()


def test_streamed_export_without_content_length_and_site_data(server: str, tmp_path: Path) -> None:
    result = harvest(base_url=f"{server}/chunked", cache_dir=tmp_path, reference_pins=(), site_data=True, today=DAY)
    assert sorted(result.exports) == ["ENG", "NLD"]
    assert len(list(read(result.exports["NLD"], language="NLD"))) == 5
    assert result.site_data is not None and result.site_data.path.name == "site-data-2026-11-28.json"
    assert len(list(read(result.site_data.path, format="site-data"))) == 4


def test_a_record_lost_from_the_cache_is_rebuilt_from_the_file(server: str, tmp_path: Path) -> None:
    done = harvest(base_url=f"{server}/ok", languages=("ENG",), cache_dir=tmp_path, reference_pins=(), today=DAY)
    meta = tmp_path / "register" / "register-ENG-2026-11-28.csv.meta.json"
    meta.unlink()
    again = harvest(base_url=f"{server}/ok", languages=("ENG",), cache_dir=tmp_path, reference_pins=(), today=DAY)
    original, cached = done.downloads["ENG"], again.downloads["ENG"]
    assert (cached.sha256, cached.size, cached.from_cache) == (original.sha256, original.size, True)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("404", "HTTP 404 Not Found"),
        ("500", "HTTP 500 Internal Server Error"),
        ("truncated", "the transfer stopped after 500 of 416280 bytes (Content-Length)"),
        ("chunked-broken", "the transfer broke off after"),
        ("html", "sent a web page (text/html; charset=utf-8), not a CSV export"),
        ("markup", "sent markup (an HTML or XML page), not a CSV export"),
        ("json", "sent JSON, not a CSV export"),
        ("empty", "sent an empty body"),
    ],
)
def test_a_failed_export_says_where_and_why_and_leaves_no_file(
    server: str, tmp_path: Path, mode: str, expected: str
) -> None:
    (tmp_path / "register").mkdir()
    with pytest.raises(HarvestError) as caught:
        harvest(base_url=f"{server}/{mode}", languages=("ENG",), cache_dir=tmp_path, reference_pins=(), timeout=5)
    assert not isinstance(caught.value, NetworkUnavailable)  # a server that answers is not "offline"
    url = f"{server}/{mode}{ENG}"
    assert caught.value.path == url and str(caught.value).startswith(f"{url}: ")
    assert expected in caught.value.message
    assert _files(tmp_path) == []  # no half file, no temporary file


def test_unreachable_register_without_cache_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(NetworkUnavailable) as caught:
        harvest(base_url=url, languages=("NLD",), cache_dir=tmp_path, reference_pins=(), timeout=2)
    assert isinstance(caught.value, AlgokgError)
    message = str(caught.value)
    assert message.startswith(f"{url}{NLD}: cannot reach the server")
    assert "nothing is cached" in message and "EXAMPLE dataset" in message
    assert _files(tmp_path) == []


def test_unreachable_register_falls_back_to_the_newest_cached_export(server: str, tmp_path: Path) -> None:
    for day in (date(2026, 11, 26), date(2026, 11, 27)):
        harvest(base_url=f"{server}/ok", languages=("ENG",), cache_dir=tmp_path, reference_pins=(), today=day)
    offline = f"http://127.0.0.1:{_closed_port()}"
    result = harvest(base_url=offline, languages=("ENG",), cache_dir=tmp_path, reference_pins=(), timeout=2, today=DAY)
    assert result.exports["ENG"].name == "register-ENG-2026-11-27.csv"
    assert result.downloads["ENG"].from_cache and result.downloads["ENG"].url == f"{server}/ok{ENG}"
    assert len(result.problems) == 1 and "register-ENG-2026-11-27.csv" in result.problems[0]
    with pytest.raises(NetworkUnavailable, match="offline use is off"):
        harvest(
            base_url=offline, languages=("ENG",), cache_dir=tmp_path, reference_pins=(), timeout=2, offline_ok=False
        )


def test_network_check(server: str) -> None:
    assert network_available(server, timeout=2)  # any answer counts, even 405 to HEAD
    assert not network_available(f"http://127.0.0.1:{_closed_port()}", timeout=2)


def test_cache_dir_follows_algokg_cache_then_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ALGOKG_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "algokg"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_cache_dir() == Path.home() / ".cache" / "algokg"
    monkeypatch.setenv("ALGOKG_CACHE", str(tmp_path / "own"))
    assert default_cache_dir() == tmp_path / "own"


# --- pinned TOOI lists ---------------------------------------------------------------------------------


def test_tooi_lists_are_verified_cached_and_readable(server: str, tmp_path: Path) -> None:
    pins = _mirror_pins(server)
    paths = tooi_lists(tmp_path, pins=pins)
    assert [path.name for path in paths] == [pin.name for pin in pins]
    assert all(path.parent == tmp_path and path.name.startswith("tooi-") for path in paths)  # where reference.py looks
    assert len(read_tooi_jsonld(tmp_path / "tooi-rwc_provincies_compleet-1.json")) == 12
    assert len(read_tooi_jsonld(tmp_path / "tooi-rwc_gemeenten_compleet-5.json")) > 300
    before = sum(_Register.requests.values())
    assert tooi_lists(tmp_path, pins=pins) == paths
    assert sum(_Register.requests.values()) == before  # pinned and cached: no request
    tooi_lists(tmp_path, refresh=True, pins=pins)
    assert sum(_Register.requests.values()) == before + len(pins)


def test_tooi_list_with_another_sha256_is_refused(server: str, tmp_path: Path) -> None:
    pin = _mirror_pins(server)[1]
    with pytest.raises(ReconcileError, match="the pin expects 0000") as caught:
        tooi_lists(tmp_path, pins=(Pin(pin.name, pin.url, "0" * 64),))
    assert caught.value.link == pin.url
    assert _files(tmp_path) == []


def test_tooi_lists_offline_use_the_cache_or_say_what_is_missing(server: str, tmp_path: Path) -> None:
    online = _mirror_pins(server)
    tooi_lists(tmp_path, pins=online[:2])
    offline = tooi_pins(f"http://127.0.0.1:{_closed_port()}/waardelijsten")
    assert tooi_lists(tmp_path, refresh=True, pins=offline[:2], timeout=2) == [
        tmp_path / pin.name for pin in online[:2]
    ]
    with pytest.raises(ReferenceListsUnavailable) as caught:
        tooi_lists(tmp_path, pins=offline, timeout=2)
    error = caught.value
    assert isinstance(error, AlgokgError)
    assert error.fetched == [tmp_path / pin.name for pin in online[:2]]
    assert len(error.failures) == len(offline) - 2
    assert "no usable cached copy" in error.failures[0]  # the first miss tried the network
    assert all("did not answer" in failure for failure in error.failures[1:])  # the others did not wait again
    assert "TOOI list snapshots and national bodies that ship" in str(error)


def test_unreachable_reference_lists_are_reported_not_fatal(server: str, tmp_path: Path) -> None:
    pins = (Pin(name="tooi-unreachable.json", url=f"http://127.0.0.1:{_closed_port()}/tooi.json"),)
    result = harvest(
        base_url=f"{server}/ok", cache_dir=tmp_path, reference_pins=pins, languages=("NLD",), timeout=2, today=DAY
    )
    assert result.exports["NLD"].exists() and result.reference_lists == []
    assert len(result.problems) == 1 and "tooi.json" in result.problems[0]


# --- harvest and load ----------------------------------------------------------------------------------


def test_harvest_and_load_reconciles_against_the_fetched_lists(server: str, tmp_path: Path) -> None:
    from loader.stats import store_stats
    from loader.store import open_store

    cache, store_dir = tmp_path / "cache", tmp_path / "store"
    base = f"{server}/ok"
    report = harvest_and_load(store_dir, base_url=base, cache_dir=cache, reference_pins=_mirror_pins(server))
    assert [source.records for source in report.sources] == [5, 120]
    # The shared municipality, province and water-board lists served as TOOI lists are what reconciles
    # most names (91 of 120 when written; 9 with the bundled national bodies alone).
    assert report.sources[1].organisations_matched > 60
    assert report.problems == []
    store = open_store(store_dir)
    assert store_stats(store)["registrations"] == 125
    sources = {
        row["url"].value
        for row in store.query(
            "SELECT ?url WHERE { GRAPH <https://w3id.org/algokg/graph/provenance> "
            "{ ?s <http://purl.org/dc/terms/source> ?url } }"
        )
    }
    assert sources == {base + NLD, base + ENG}
    # The same day again: the cached exports are used and nothing new is loaded.
    before = _Register.requests[f"/ok{ENG}"]
    again = harvest_and_load(store_dir, base_url=base, cache_dir=cache, reference_pins=_mirror_pins(server))
    assert all(source.skipped for source in again.sources)
    assert _Register.requests[f"/ok{ENG}"] == before
