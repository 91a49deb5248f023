"""The comparison, the candidate links and the register/country filter over HTTP (a real `algokg serve` on the store
with every register), and the pages in a real browser (Debian's chromium)."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from tests.server.conftest import Server, start_server

US = "https://w3id.org/algokg/id/catalog/us-federal-ai-inventory"
KNOWN = ("https://w3id.org/algokg/id/algorithm/22789541", "https://w3id.org/algokg/id/algorithm/ai-watch/90086")


@pytest.fixture(scope="module")
def server(linked_store: Path) -> Iterator[Server]:
    with start_server(linked_store, log_dir=linked_store.parent) as running:
        yield running


def test_the_comparison_report_as_csv(server: Server) -> None:
    answer = httpx.get(server.url("/api/comparison?format=csv&lang=en"), timeout=60)
    assert answer.status_code == 200, answer.text
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(rows[0]) == ["figure", "register", "registerLabel", "value", "valueLabel", "count", "total", "share"]
    high = next(row for row in rows if row["figure"] == "declared-high" and row["register"] == US)
    assert (high["count"], high["total"]) == ("445", "3611")
    vendors = {row["value"] for row in rows if row["figure"] == "vendors"}
    assert (
        "https://w3id.org/algokg/id/organisation/vendor/microsoft" in vendors
    )  # the US inventory and the Dutch register
    assert {row["figure"] for row in rows} == {
        "status",
        "declared-high",
        "impact-assessed",
        "privacy-assessed",
        "vendors",
        "sectors",
    }


def test_every_figure_carries_its_sparql(server: Server) -> None:
    body = httpx.get(server.url("/api/comparison"), headers={"Accept": "application/ld+json"}, timeout=60).json()
    assert all(figure["sparql"] and "SELECT" in figure["sparql"][0]["text"] for figure in body["figures"])


def test_the_links_view(server: Server) -> None:
    body = httpx.get(server.url("/api/links"), headers={"Accept": "application/ld+json"}, timeout=60).json()
    pairs = {(link["source"], link["target"]) for link in body["member"]}
    assert KNOWN in pairs and body["totalItems"] == len(body["member"])
    assert all(link["evidence"] and 0 < link["score"] <= 1 for link in body["member"])


def test_register_and_country_filters_and_facets(server: Server) -> None:
    answer = httpx.get(server.url("/api/algorithms?register=us-federal-ai-inventory&size=1&facets=country"), timeout=60)
    body = answer.json()
    assert body["totalItems"] == 3611
    (facet,) = body["facets"]
    assert [(value["value"].rsplit("/", 1)[-1], value["count"]) for value in facet["values"]] == [("USA", 3611)]
    finnish = httpx.get(server.url("/api/algorithms?country=FIN&size=1"), timeout=60).json()
    assert finnish["totalItems"] == 12  # 7 services of AI Watch and the Helsinki register's 5


def test_the_pages_in_a_browser(server: Server, browser: Browser) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        page.goto(server.url("/comparison?lang=en"))
        figure = page.get_by_test_id("figure-declared-high")
        assert "Federal Agency AI Use Case Inventory (US)" in figure.inner_text()
        figure.get_by_text("Show the SPARQL").click()
        assert "declared-high-impact" in figure.locator("pre").inner_text()
        page.goto(server.url("/links?lang=en"))
        assert page.get_by_role("link", name="Residential burglary predictor").is_visible()
        page.goto(server.url("/algorithms?country=FIN&lang=en"))
        assert page.get_by_role("heading", level=1).is_visible()
    finally:
        context.close()
