"""The pages in a real browser (Debian's chromium through playwright) against a real server.

A reader's path: search → algorithm page → law page → query page (run a query, see the results), with
the plain editor and, when the front-end build is there, with YASGUI; keyboard-only use; an axe-like
check of each page (labels, alt text, lang, landmarks, headings, contrast). Screenshots are kept in
`tests/artifacts/web/`. No request may leave the test server (the `page` fixture fails the test if one does).
"""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page

from sparql_api.web.render import yasgui_version
from tests.server.conftest import Server
from tests.web.conftest import screenshot

AUDIT = (Path(__file__).parent / "audit.js").read_text(encoding="utf-8")
PAGES = [
    "/",
    "/algorithms",
    "/algorithms?q=bijstand&lang=en",
    "/id/algorithm/00000001",
    "/id/law/bwb/BWBR0005537",
    "/organisations",
    "/organisation?id=https://w3id.org/algokg/id/example/noorderhaaks",
    "/laws?lang=en",
    "/dashboard",
    "/query?editor=plain",
    "/query?editor=plain&query=SELECT+%3Fs+WHERE+%7B",
    "/id/register-theme/verkeer",
]


def wait_until(page: Page, expression: str, seconds: float = 15.0) -> None:
    """Poll `expression` until it is true. Not `page.wait_for_function`: that evaluates a string inside the page,
    which the pages' Content-Security-Policy forbids (no 'unsafe-eval'); `page.evaluate` is not bound by it."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            pytest.fail(f"still false after {seconds:g} s: {expression}")
        page.wait_for_timeout(100)


def test_search_algorithm_law_and_query(page: Page, web_server: Server) -> None:
    page.goto(web_server.url("/"))
    page.get_by_label("Zoek algoritmes").fill("bijstand")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url(re.compile(r"/algorithms\?q=bijstand"))
    screenshot(page, "1-search-results")
    page.get_by_role("link", name="Signalering bijstandsaanvragen (voorbeeld)").click()
    page.wait_for_url(re.compile(r"/id/algorithm/00000001"))
    assert page.get_by_role("heading", level=1).inner_text() == "Signalering bijstandsaanvragen (voorbeeld)"
    assert page.get_by_role("heading", name="Wettelijke grondslag").is_visible()
    screenshot(page, "2-algorithm")
    page.get_by_role("link", name="Algemene wet bestuursrecht").first.click()
    page.wait_for_url(re.compile(r"/id/law/bwb/BWBR0005537$"))
    assert page.get_by_role("heading", name="Algoritmes die op deze wet steunen").is_visible()
    assert page.get_by_role("link", name="Signalering bijstandsaanvragen (voorbeeld)").is_visible()
    screenshot(page, "3-law")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="SPARQL-query").click()
    page.wait_for_url(re.compile(r"/query"))
    screenshot(page, "4-query")


def test_plain_editor_runs_a_query(page: Page, web_server: Server) -> None:
    page.goto(web_server.url("/query?editor=plain&lang=en"))
    editor = page.get_by_label("Query", exact=True)
    editor.fill("SELECT ?title WHERE { ?a a akg:Algorithm ; dct:title ?title } ORDER BY ?title")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_selector("table.results tbody tr")
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 3
    assert rows.first.inner_text().startswith("Route-optimalisatie afvalinzameling (voorbeeld)")
    assert "Prefixes added automatically: akg, dct" in page.inner_text("main")
    screenshot(page, "5-plain-editor-results")
    # an error shows where it is
    page.get_by_label("Query", exact=True).fill("SELECT ?s WHERE {\n  ?s ?p\n}")
    page.get_by_role("button", name="Run query").click()
    alert = page.get_by_role("alert")
    assert re.search(r"line 3, column \d+", alert.inner_text())
    screenshot(page, "6-plain-editor-error")


def test_yasgui_editor_runs_a_query(page: Page, web_server: Server) -> None:
    if yasgui_version() is None:
        pytest.skip("the YASGUI build is absent (make web needs npm); the plain editor is tested instead")
    page.goto(web_server.url("/query?lang=en"))
    wait_until(page, "window.algokgYasgui !== undefined")
    page.wait_for_selector(".yasqe .CodeMirror")
    # Typing a prefixed name adds its PREFIX declaration (the editor's automatic prefixes).
    page.evaluate(
        "window.algokgYasgui.getTab().getYasqe().setValue("
        "'SELECT ?title WHERE { ?a a akg:Algorithm ; dct:title ?title } ORDER BY ?title')"
    )
    wait_until(page, "window.algokgYasgui.getTab().getYasqe().getValue().includes('PREFIX akg:')")
    page.locator(".yasqe_queryButton").click()
    page.wait_for_selector(".yasr table tbody tr")
    text = page.inner_text(".yasr")
    assert "Route-optimalisatie afvalinzameling (voorbeeld)" in text
    screenshot(page, "7-yasgui-results")


def test_keyboard_only(page: Page, web_server: Server) -> None:
    page.goto(web_server.url("/"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.evaluate("JSON.stringify(document.activeElement.getBoundingClientRect())")
    assert '"y":' in box and page.locator("a.skip-link").is_visible()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # visible focus
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # From the main content, Tab reaches the search field; typing and Enter searches.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "home-q":
            break
    else:
        pytest.fail("Tab never reached the search field")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("parkeerdruk")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/algorithms\?q=parkeerdruk"))
    # Tab through the result page until the first result link, and follow it with Enter (past the filters: a
    # select per facet, the absence checkboxes, two date fields of three parts each, the download links).
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href') || ''").startswith("/id/algorithm/"):
            break
    else:
        pytest.fail("Tab never reached a result")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/id/algorithm/00000003"))
    screenshot(page, "8-keyboard")


@pytest.mark.parametrize("path", PAGES)
def test_accessibility_basics(page: Page, web_server: Server, path: str) -> None:
    page.goto(web_server.url(path))
    screenshot(page, "page-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"))
    problems = page.evaluate(AUDIT)
    assert problems == [], f"{path}: {problems}"


def test_audit_can_fail(page: Page, web_server: Server) -> None:
    """The audit finds what it looks for (a check that cannot fail proves nothing)."""
    page.goto(web_server.url("/"))
    page.evaluate(
        """() => {
        document.querySelector('label[for=home-q]').remove();
        document.documentElement.lang = '';
        document.body.insertAdjacentHTML('beforeend', '<img src="data:,">');
        document.querySelector('h2').outerHTML = '<h4>skipped</h4>';
        document.querySelector('.lead').style.color = '#bbbbbb';
    }"""
    )
    problems = " | ".join(page.evaluate(AUDIT))
    for expected in ("html lang", "form control without a label", "img without alt", "heading level skips", "contrast"):
        assert expected in problems, problems


# -- Content-Security-Policy: every kind of page works under it ---------------------------------------------------

# Each kind of page the server makes: the template pages, entity pages, generic and error pages, the query page
# with the plain editor and with YASGUI, the ontology reference (pyLODE) and a SHACL profile as a page.
PAGE_KINDS = [
    "/",
    "/algorithms?q=bijstand",
    "/id/algorithm/00000001",
    "/id/law/bwb/BWBR0005537",
    "/organisation?id=https://w3id.org/algokg/id/example/noorderhaaks",
    "/laws",
    "/organisations",
    "/dashboard",
    "/reports",
    "/reports/assessment-gaps",
    "/resource?iri=https://w3id.org/algokg/id/register-theme/verkeer&view=all",
    "/query?editor=plain&query=SELECT+%3Fs+WHERE+%7B+%3Fs+a+akg%3AAlgorithm+%7D",
    "/query",
    "/def",
    "/shapes/integrity",
    "/no/such/page",
    "/algorithms?page=99999999999999999999999",
]
# Collected before any script of the page runs; the browser reports every blocked load, script or style here.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
});
"""


def _violations(page: Page, path: str, web_server: Server) -> list[str]:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(CSP_LISTENER)
    response = page.goto(web_server.url(path))
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy and response.headers.get("x-content-type-options") == "nosniff", path
    if path == "/query" and yasgui_version() is not None:  # run a query: YASGUI's editor and results table
        wait_until(page, "window.algokgYasgui !== undefined")
        page.evaluate("window.algokgYasgui.getTab().getYasqe().setValue('SELECT * WHERE { ?s ?p ?o } LIMIT 3')")
        page.locator(".yasqe_queryButton").click()
        page.wait_for_selector(".yasr table tbody tr")
    page.wait_for_load_state("networkidle")
    reported = page.evaluate("window.__cspViolations")
    return reported + [text for text in console if "Content Security Policy" in text]


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_pages_work_under_the_content_security_policy(page: Page, web_server: Server, path: str) -> None:
    assert _violations(page, path, web_server) == [], path


def test_a_csp_violation_is_noticed(page: Page, web_server: Server) -> None:
    """The listener sees what the policy blocks (an inline script a page must never contain)."""
    page.add_init_script(CSP_LISTENER)
    page.goto(web_server.url("/"))
    page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.injected = true';
        document.body.appendChild(script);
    }""")
    wait_until(page, "window.__cspViolations.length > 0")
    assert page.evaluate("window.injected === undefined")
    assert "script-src" in page.evaluate("window.__cspViolations.join(' ')")
