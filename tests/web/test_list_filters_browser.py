"""The list page's filters in a real browser: several values of one filter, an absence, a search; the URL the
form leads to is clean (no empty parameters, no sort unless chosen) and the page says what the API says."""

import re
from urllib.parse import parse_qsl, urlsplit

import httpx
from playwright.sync_api import Page

from tests.server.conftest import Server
from tests.web.conftest import screenshot

STATUS = "https://w3id.org/algokg/id/register-status/"


def test_several_values_absence_and_search_give_clean_urls(page: Page, web_server: Server) -> None:
    page.goto(web_server.url("/algorithms"))
    page.locator("#filter-status").select_option([STATUS + "in-gebruik", STATUS + "buiten-gebruik"])
    page.get_by_label("DPIA").check()
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url(re.compile(r"/algorithms\?.*missing=dpia"))
    pairs = parse_qsl(urlsplit(page.url).query, keep_blank_values=True)
    assert all(value for _, value in pairs), page.url  # no empty parameter
    assert sorted(value for name, value in pairs if name == "status") == [
        STATUS + "buiten-gebruik",
        STATUS + "in-gebruik",
    ]
    assert {name for name, _ in pairs} == {"status", "missing"}
    expected = httpx.get(web_server.url("/api/algorithms"), params=pairs, timeout=30).json()["totalItems"]
    assert page.get_by_role("status").inner_text().startswith(f"{expected} algoritmes")
    assert page.locator("#filter-status option:checked").count() == 2
    screenshot(page, "list-filters")
    # a search from the list: relevance order (no sort sent), the filters kept
    page.get_by_label("DPIA").uncheck()
    page.get_by_label("Zoek").first.fill("parkeerdruk")
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url(re.compile(r"q=parkeerdruk"))
    names = [name for name, _ in parse_qsl(urlsplit(page.url).query, keep_blank_values=True)]
    assert "sort" not in names and "missing" not in names
    assert page.locator("#filter-sort").input_value() == ""
    assert "Voorspelling parkeerdruk (voorbeeld)" in page.locator("ol.cards").inner_text()
