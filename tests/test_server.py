"""`algokg serve` as a real uvicorn process on loopback, answering SPARQL."""

from collections.abc import Iterator

import httpx
import pytest

from tests.server.conftest import start_server

SELECT_ANNEX_III_POINTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT (COUNT(?c) AS ?n) WHERE {
  ?c skos:inScheme <https://w3id.org/algokg/id/scheme/annex-iii> ; skos:broader ?area .
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with start_server(tmp_path_factory.mktemp("store")) as running:  # builds the example store first
        yield running.base


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
