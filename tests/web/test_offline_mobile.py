"""Works offline, works on a phone (issue 16): against a real server in a real browser (Debian's chromium).

- No page scrolls sideways at 375 px: every page kind, with its "show the SPARQL" sections opened (long IRIs
  and tables wrap or scroll inside their own box).
- `/docs` renders with the network cut off (every request that is not to the test server is aborted):
  Swagger UI from the vendored build (`make web`) when it is there, else the server-rendered endpoint list;
  either way under the strict page policy, with no Content-Security-Policy violation.
- Error pages: a browser gets an HTML page on every route, also where the route answers its own problem
  (`/id/…`, `/api/…`); a program keeps problem+json. A page past the last of a list is a 404.
"""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from sparql_api.headers import PAGE_POLICY
from sparql_api.web.apidocs import swagger_version
from tests.server.conftest import Server
from tests.web.conftest import screenshot
from tests.web.test_browser import AUDIT, CSP_LISTENER

PHONE = {"width": 375, "height": 800}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGE_KINDS = {
    "home": "/",
    "algorithms": "/algorithms",
    "algorithm": "/id/algorithm/00000001",
    "laws": "/laws",
    "law": "/id/law/bwb/BWBR0005537",
    "article": "/id/law/bwb/BWBR0005537/artikel/3:2",
    "organisations": "/organisations",
    "organisation": "/organisation?id=https://w3id.org/algokg/id/example/noorderhaaks",
    "dashboard": "/dashboard",
    "reports": "/reports",
    "report": "/reports/assessment-gaps",
    "report-fria": "/reports/fria-missing",
    "query": "/query",
    "query-plain": "/query?editor=plain&query=SELECT+%3Fs+%3Fp+%3Fo+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D+LIMIT+20",
    "entity": "/id/register-theme/verkeer",
    "comparison": "/comparison",
    "links": "/links",
    "docs": "/docs",
    "docs-plain": "/docs?view=plain",
    "error": "/id/unknown",
}
# Everything outside the page's own box: elements whose right edge passes the viewport and that no ancestor
# scrolls or clips within it (what a reader would have to scroll sideways for).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let parent = element.parentElement, contained = false;
    for (; parent; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (['auto', 'scroll', 'hidden'].includes(style.overflowX) && parent.getBoundingClientRect().right <= width + 1) {
        contained = true; break;
      }
    }
    if (!contained) found.push(`${element.tagName.toLowerCase()}.${element.className} ends at ${Math.round(box.right)} px`);
  }
  return found.slice(0, 5);
}"""


@pytest.fixture(scope="module")
def offline(browser: Browser, web_server: Server) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A phone-sized browser context that cannot reach anything but the test server (the requests it tried)."""
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    tried: list[str] = []

    def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):  # the test servers (loopback) only
            route.continue_()
        else:
            tried.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", only_local)
    yield context, tried
    context.close()


def _open(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """A new page at `url`; the console errors it logs (a CSP violation is one) are collected."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page, errors


@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_page_scrolls_sideways_on_a_phone(
    offline: tuple[BrowserContext, list[str]], web_server: Server, kind: str
) -> None:
    context, tried = offline
    page, _ = _open(context, web_server.url(PAGE_KINDS[kind]))
    try:
        if kind == "docs" and swagger_version():
            page.wait_for_selector(".swagger-ui .opblock")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        width = page.evaluate("document.documentElement.scrollWidth")
        outside = page.evaluate(OVERFLOWING)
        if width > PHONE["width"] or outside:
            screenshot(page, f"phone-{kind}")
        assert width <= PHONE["width"], f"{PAGE_KINDS[kind]} is {width} px wide at 375 px: {outside}"
        assert not outside, f"{PAGE_KINDS[kind]}: {outside}"
    finally:
        page.close()
    assert not tried, f"the page asked for something outside the app: {tried}"


# The widest pages of the register's real samples before the fix (px at a 375 px viewport, main at 448a52e).
REAL_PAGES = {
    "/id/algorithm/55824545": 1111,
    "/id/law/bwb/BWBR0048156": 490,
    "/organisation?id=https://identifier.overheid.nl/tooi/id/ministerie/mnre1090": 643,
    "/reports/assessment-gaps": 689,
    "/comparison": 651,
    "/algorithms?page=9": 375,
}


def test_real_register_pages_fit_a_phone(offline: tuple[BrowserContext, list[str]], sample_server: Server) -> None:
    context, tried = offline
    for path in REAL_PAGES:
        page, _ = _open(context, sample_server.url(path))
        try:
            page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide at 375 px: {page.evaluate(OVERFLOWING)}"
        finally:
            page.close()
    assert not tried
    past = httpx.get(sample_server.url("/algorithms"), params={"page": 10, "lang": "en"}, headers={"Accept": BROWSER})
    assert past.status_code == 404 and "this list has 9 page(s)" in past.text


def test_docs_render_with_the_network_off(offline: tuple[BrowserContext, list[str]], web_server: Server) -> None:
    context, tried = offline
    page, errors = _open(context, web_server.url("/docs?lang=en"))
    try:
        assert page.locator("main > h1").inner_text() == "API documentation"
        if swagger_version():
            # Swagger UI from /assets/vendor/, on this server's OpenAPI document: an operation opens.
            page.wait_for_selector(".swagger-ui .opblock")
            assert page.locator("#plain-endpoints").is_hidden()
            operation = page.locator(".opblock-summary-path", has_text="/api/algorithms").first
            operation.click()
            page.wait_for_selector(".opblock-body")
        else:
            # The build is absent (no npm): the list of endpoints, rendered by the server, is the page.
            assert page.get_by_text("Swagger UI is not installed on this server").is_visible()
            assert page.locator("#plain-endpoints code", has_text="/api/algorithms").first.is_visible()
        screenshot(page, "phone-docs-offline")
    finally:
        page.close()
    assert not tried, f"/docs asked for something outside the app: {tried}"
    assert not errors, f"/docs logged errors (a CSP violation is one): {errors}"


@pytest.mark.parametrize("path", ["/docs", "/docs?view=plain"])
def test_docs_pass_the_audit_under_the_policy(
    offline: tuple[BrowserContext, list[str]], web_server: Server, path: str
) -> None:
    context, _ = offline
    page = context.new_page()
    try:
        page.add_init_script(CSP_LISTENER)
        page.goto(web_server.url(path))
        if path == "/docs" and swagger_version():
            page.wait_for_selector(".swagger-ui .opblock")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__cspViolations") == []
        if path.endswith("plain") or not swagger_version():  # Swagger UI's own markup fails the audit (contrast
            assert page.evaluate(AUDIT) == [], path  # of its method badges, unnamed buttons): the list is the way
    finally:
        page.close()


def test_docs_plain_list_comes_from_the_openapi_document(web_server: Server) -> None:
    response = httpx.get(web_server.url("/docs"), params={"view": "plain", "lang": "en"}, headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-security-policy"] == PAGE_POLICY
    paths = httpx.get(web_server.url("/openapi.json")).json()["paths"]
    assert "/api/algorithms" in paths and "/api/law" in paths
    listed = [path for path in paths if f'<code class="iri">{path}</code>' in response.text]
    assert listed == list(paths)  # every path of the document, in its order
    assert "<script" not in response.text  # the plain list needs no JavaScript
    assert "cdn." not in response.text and "https://" not in response.headers["content-security-policy"]


def test_docs_keeps_the_strict_policy_and_no_cdn_pages(web_server: Server) -> None:
    response = httpx.get(web_server.url("/docs"), headers={"Accept": BROWSER})
    assert response.headers["content-security-policy"] == PAGE_POLICY  # no inline script, nothing from elsewhere
    assert "cdn.jsdelivr.net" not in response.text
    if swagger_version():
        assert '/assets/vendor/swagger-ui/swagger-ui-bundle.js"' in response.text
        bundle = httpx.get(web_server.url("/assets/vendor/swagger-ui/swagger-ui-bundle.js"))
        assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
    assert httpx.get(web_server.url("/redoc"), headers={"Accept": BROWSER}).status_code == 404  # not vendored


ERRORS = [
    ("/id/unknown", 404),
    ("/id/algorithm/99999999", 404),
    ("/api/unknown", 404),
    ("/api/algorithms/99999999", 404),
    ("/laws/unknown-law", 404),
    ("/no/such/path", 404),
    ("/algorithms?page=999", 404),
    ("/algorithms?q=bijstand&page=2", 404),
    ("/id/law/bwb/BWBR0005537?page=999", 404),  # the supervisor's table on the law page
    ("/organisation?id=https://w3id.org/algokg/id/example/noorderhaaks&page=2", 404),
    ("/algorithms?page=abc", 400),
    ("/api/law?id=x", 400),
    ("/sparql?query=SELEC", 400),
]


@pytest.mark.parametrize(("path", "status"), ERRORS)
def test_a_browser_gets_an_error_page(web_server: Server, path: str, status: int) -> None:
    response = httpx.get(web_server.url(path), headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert response.status_code == status and response.headers["content-type"].startswith("text/html")
    assert '<p role="alert">' in response.text and "Home</a>" in response.text
    assert response.headers["content-security-policy"] == PAGE_POLICY
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(("path", "status"), [(p, s) for p, s in ERRORS if "page=" not in p])  # pages: HTML only
def test_a_program_keeps_problem_json(web_server: Server, path: str, status: int) -> None:
    for accept in (None, "*/*"):  # a program: no Accept, or anything
        response = httpx.get(web_server.url(path), headers={"Accept": accept} if accept else {})
        assert response.status_code == status, accept
        assert response.headers["content-type"].startswith("application/problem+json"), accept
        assert response.json()["status"] == status


def test_a_page_past_the_last_is_not_found(web_server: Server) -> None:
    last = httpx.get(web_server.url("/algorithms"), params={"page": 1, "lang": "en"})
    assert last.status_code == 200 and "Page 1 of 1" in last.text
    past = httpx.get(web_server.url("/algorithms"), params={"page": 999, "lang": "en"})
    assert past.status_code == 404 and "There is no page 999: this list has 1 page(s)." in past.text
    assert "Page 999 of" not in past.text
