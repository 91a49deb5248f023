"""The list while the algorithm index of a data version is not built (`sparql_api.rest.selection`), on real
servers over a generated register (benchmarks.generate, 40 records loaded into a real store): one whose index cannot be built (every build query gets a deadline of a
microsecond, `ALGOKG_INDEX_BUILD_TIMEOUT`, so it stays "not ready"; no mock of the store), one with default
settings. A request with a path that needs no index (the unfiltered list without facets) is answered from the
store, the same as the index answers it; the list page shows its list with a note instead of the filters' counts;
what needs the index is a 503 with Retry-After that says the list is being prepared. The default server builds
its index at start, before any list request."""

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from benchmarks.http import build_store
from tests.server.conftest import Server, store_copy

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(40, tmp_path_factory.mktemp("index-building"))


@pytest.fixture(scope="module")
def building(running_server: Callable[..., Server], store: Path) -> str:
    """A server whose index never gets built (each build query over its deadline of a microsecond)."""
    return running_server(store, env={"ALGOKG_INDEX_BUILD_TIMEOUT": "0.000001"}).base


@pytest.fixture(scope="module")
def built(running_server: Callable[..., Server], store: Path) -> str:
    """A server with default settings, its index ready (built at start, no list request needed)."""
    base = running_server(store).base
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        index = httpx.get(f"{base}/ready", timeout=30).json()["index"]
        if index["state"] == "ready":
            return base
        time.sleep(0.2)
    raise AssertionError(f"the index was not built at start: {index}")


def test_ready_reports_the_index_without_depending_on_it(building: str, built: str) -> None:
    response = httpx.get(f"{building}/ready", timeout=30)
    assert response.status_code == 200  # the store answers: ready, whatever the index's state
    assert response.json()["index"]["state"] in ("building", "failed")
    assert httpx.get(f"{building}/health", timeout=30).status_code == 200
    index = httpx.get(f"{built}/ready", timeout=30).json()["index"]
    assert index["state"] == "ready" and index["algorithms"] > 0 and index["failed"] == []
    assert index["dimensions"] >= 10  # the list page's facets and sort key, and every filter's dimension


@pytest.mark.parametrize("sort", [None, "title", "-beginDate", "id", "organisation"])
def test_unfiltered_list_from_the_store_matches_the_index(building: str, built: str, sort: str | None) -> None:
    for page in (1, 2):
        params = {"size": "7", "page": str(page), **({"sort": sort} if sort else {})}
        without = httpx.get(f"{building}/api/algorithms", params=params, timeout=30)
        assert without.status_code == 200, without.text
        indexed = httpx.get(f"{built}/api/algorithms", params=params, timeout=30).json()
        got = without.json()
        assert got["totalItems"] == indexed["totalItems"] == 40
        assert [m["@id"] for m in got["member"]] == [m["@id"] for m in indexed["member"]], (sort, page)
        assert got["member"] == indexed["member"]


def test_what_needs_the_index_is_a_503_with_retry_after(building: str) -> None:
    for params in ({"facets": "theme"}, {"q": "gemeente"}, {"status": "in-gebruik"}):
        response = httpx.get(f"{building}/api/algorithms", params=params, timeout=60)
        assert response.status_code == 503, (params, response.text)
        assert response.headers["Retry-After"].isdigit()
        assert "index of this data version is being built" in response.json()["detail"]


def test_list_page_shows_the_list_and_says_the_filters_are_being_prepared(building: str, built: str) -> None:
    response = httpx.get(f"{building}/algorithms", params={"lang": "en"}, headers=HTML, timeout=30)
    assert response.status_code == 200
    assert 'id="list-preparing"' in response.text and "being prepared" in response.text
    assert 'id="filter-theme"' not in response.text  # no counts to show yet
    first = httpx.get(f"{built}/api/algorithms", params={"size": "1", "lang": "en"}, timeout=30).json()
    assert first["member"][0]["title"] in response.text
    ready = httpx.get(f"{built}/algorithms", params={"lang": "en"}, headers=HTML, timeout=30)
    assert ready.status_code == 200 and 'id="list-preparing"' not in ready.text and 'id="filter-theme"' in ready.text


def test_filtered_list_page_is_a_503_saying_the_list_is_being_prepared(building: str) -> None:
    response = httpx.get(f"{building}/algorithms", params={"q": "gemeente", "lang": "en"}, headers=HTML, timeout=60)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "The list is being prepared" in response.text


def test_a_new_data_version_gets_its_index_without_a_list_request(
    running_server: Callable[..., Server], store: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A write makes a new data version: the server builds its index in the background (no request for it)."""
    token = "index-test-token"
    server = running_server(
        store_copy(store, tmp_path_factory.mktemp("index-writes")), env={"ALGOKG_WRITE_TOKEN": token}
    )
    before = _ready_index(server.base)
    insert = "INSERT DATA { GRAPH <urn:test:index> { <http://example.org/s> <http://example.org/p> 1 } }"
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"}
    written = httpx.post(f"{server.base}/update", content=insert.encode(), headers=headers, timeout=60)
    assert written.is_success, written.text
    after = _ready_index(server.base, other_than=before["version"])
    assert after["algorithms"] == before["algorithms"] == 40
    assert after["version"] == httpx.get(f"{server.base}/ready", timeout=30).json()["data_version"]


def _ready_index(base: str, other_than: str | None = None) -> dict[str, object]:
    """/ready's index once it is ready (for a data version other than `other_than`), polled for at most 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        index = httpx.get(f"{base}/ready", timeout=30).json()["index"]
        if index["state"] == "ready" and index["version"] != other_than:
            return index
        time.sleep(0.2)
    raise AssertionError(f"no ready index for a new data version: {index}")
