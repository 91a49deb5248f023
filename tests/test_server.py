"""`algokg serve` as a real uvicorn process on loopback, answering SPARQL."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

SELECT_ANNEX_III_POINTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT (COUNT(?c) AS ?n) WHERE {
  ?c skos:inScheme <https://w3id.org/algokg/id/scheme/annex-iii> ; skos:broader ?area .
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store_dir: Path = tmp_path_factory.mktemp("store")
    port = _free_port()
    command = [sys.executable, "-m", "loader.cli", "serve", "--offline", "--store", str(store_dir), "--port", str(port)]
    log_path = store_dir.parent / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start within 60 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_select_as_sparql_json(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": SELECT_ANNEX_III_POINTS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.headers["vary"] == "Accept"
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "24"  # 25 points; area 2 is its own point


def test_post_form_and_csv(server: str) -> None:
    response = httpx.post(f"{server}/sparql", data={"query": SELECT_ANNEX_III_POINTS}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.text.splitlines() == ["n", "24"]


def test_syntax_error_is_400(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT WHERE {"})
    assert response.status_code == 400
    assert "syntax" in response.text.lower()


def test_unservable_accept_is_406(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": SELECT_ANNEX_III_POINTS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["status"] == 406
