"""`algokg harvest` against a real local HTTP server standing in for the register and TOOI."""

import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from benchmarks.generate import generate
from loader.harvest import HarvestError, download, harvest, harvest_and_load, network_available
from loader.reconcile.cache import Pin
from loader.stats import store_stats
from loader.store import open_store
from tests.conftest import shared_path

AMSTERDAM = "https://identifier.overheid.nl/tooi/id/gemeente/gm0363"
ONT = "https://identifier.overheid.nl/tooi/def/ont/"


def _tooi_list() -> bytes:
    node = {
        "@id": AMSTERDAM,
        ONT + "organisatiecode": [{"@value": "0363"}],
        ONT + "officieleNaamInclSoort": [{"@value": "Gemeente Amsterdam"}],
    }
    return json.dumps([node]).encode()


class _Register(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}
    requests: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        self.requests[self.path] += 1
        if self.path == "/truncated.csv":
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'"name","organization"\n"half')
            self.close_connection = True
            return
        status, kind, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    dutch = generate(5, tmp_path_factory.mktemp("nld") / "nld.csv").read_bytes()
    _Register.routes = {
        "/api/downloads/NLD?filetype=csv": (200, "text/csv; charset=utf-8", dutch),
        "/api/downloads/ENG?filetype=csv": (
            200,
            "text/csv; charset=utf-8",
            shared_path("samples", "register_export_v1.0_ENG_sample.csv").read_bytes(),
        ),
        "/tooi/gemeenten.json": (200, "application/ld+json", _tooi_list()),
        "/error.csv": (500, "text/plain", b"boom"),
        "/page.csv": (200, "text/html", b"<html>Onderhoud</html>"),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Register)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _pins(base: str) -> tuple[Pin, ...]:
    return (Pin(name="tooi-gemeenten-test.json", url=f"{base}/tooi/gemeenten.json"),)


def test_harvest_downloads_caches_and_loads(register: str, tmp_path: Path) -> None:
    cache, store_dir = tmp_path / "cache", tmp_path / "store"
    report = harvest_and_load(store_dir, base_url=register, cache_dir=cache, reference_pins=_pins(register))
    assert [source.records for source in report.sources] == [5, 120]
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
    assert sources == {f"{register}/api/downloads/NLD?filetype=csv", f"{register}/api/downloads/ENG?filetype=csv"}
    assert (cache / "tooi-gemeenten-test.json").exists()
    # The same day again: the cached exports are used and nothing new is loaded.
    before = Counter(_Register.requests)
    again = harvest_and_load(store_dir, base_url=register, cache_dir=cache, reference_pins=_pins(register))
    assert all(source.skipped for source in again.sources)
    assert _Register.requests["/api/downloads/ENG?filetype=csv"] == before["/api/downloads/ENG?filetype=csv"]
    # refresh fetches again.
    harvest(base_url=register, cache_dir=cache, refresh=True, reference_pins=_pins(register), languages=("ENG",))
    assert _Register.requests["/api/downloads/ENG?filetype=csv"] == before["/api/downloads/ENG?filetype=csv"] + 1


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/missing.csv", "HTTP 404"),
        ("/error.csv", "HTTP 500"),
        ("/page.csv", "web page"),
        ("/truncated.csv", "stopped at"),
    ],
)
def test_a_failed_download_says_why_and_leaves_no_file(register: str, tmp_path: Path, path: str, expected: str) -> None:
    target = tmp_path / "export.csv"
    with pytest.raises(HarvestError) as caught:
        download(register + path, target, timeout=5)
    assert expected in str(caught.value) and register + path in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_reference_lists_are_reported_not_fatal(register: str, tmp_path: Path) -> None:
    closed = _closed_port()
    pins = (Pin(name="tooi-unreachable.json", url=f"http://127.0.0.1:{closed}/tooi.json"),)
    result = harvest(base_url=register, cache_dir=tmp_path, reference_pins=pins, languages=("NLD",))
    assert result.exports["NLD"].exists()
    assert len(result.problems) == 1 and "tooi.json" in result.problems[0]


def test_network_check(register: str) -> None:
    assert network_available(register, timeout=2)
    assert not network_available(f"http://127.0.0.1:{_closed_port()}", timeout=2)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
