"""Issue 16's acceptance: each user walks the job end to end in a real browser, on a real server, on a store
loaded from the register's shared samples (the English 1.0 export and the Dutch listing; skipped without
../shared).

Each journey goes through the pages as a person would (menu, links, filters, download links) and reads the
numbers off the page; they are then checked against truth the test computes itself: from the sample files
(csv/json modules) and the hand-made gold files of tests/gold (written from the samples and the TOOI lists,
never from algokg's output), or against the REST API.

- researcher: counts by organisation type and publication category (dashboard) and by AI Act category (list
  page facet); a selection with two values of one filter and an absence (no DPIA performed), its counts per
  filter on the page and as CSV, and its full CSV (as many rows as the selection's total, the same algorithms).
- supervisor: law → the algorithms relying on it → missing a DPIA → CSV.
- integrator: an algorithm's IRI → JSON-LD with its context inline, saying what the sources say; `/docs` renders
  with every request that is not to the test server cut off.
"""

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Download, Page, Route
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from sparql_api.jsonld_context import CONTEXT_FILE
from sparql_api.web.apidocs import swagger_version
from tests.conftest import REGISTER_SAMPLES, REPO, shared_path
from tests.server.conftest import Server
from tests.web.conftest import screenshot

# rdflib's JSON-LD parser builds a ConjunctiveGraph, which rdflib itself deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

EXPORT, LISTING = REGISTER_SAMPLES
GOLD = REPO / "tests" / "gold"
ALGORITHM = "https://w3id.org/algokg/id/algorithm/"
CATEGORY = "https://w3id.org/algokg/id/publication-category/"
GEMEENTE = "https://w3id.org/algokg/id/organisation-type/gemeente"
HIGH_RISK = "https://w3id.org/algokg/id/aiact-risk-level/high-risk"
# The export's publication categories (as published) → the register's category notation (A, B, C).
CATEGORIES = {"High-Risk AI-system": "A", "Impactful algorithms": "B", "Other algorithms": "C"}
# The gold's organisation-type notations that algokg's scheme spells out.
TYPE_NOTATIONS = {"so": "samenwerkingsorganisatie"}
# Foundations whose names do not say so: the gold knows their legal form, the register does not; tests/gold's
# README counts `onbekend` (algokg's "type unknown") for them as no answer, not a wrong one.
NO_ANSWER = {"ICTU", "Reclassering Nederland"}
UNKNOWN_TYPE = "onbekend"
BRP = "BWBR0033715"  # Wet basisregistratie personen: the law the samples' records cite most
BOTH_LANGUAGES = "99577647"  # in the English export and in the Dutch listing
COUNT = re.compile(r"\((\d+)\)$")


# --- truth from the sample files and the gold files --------------------------------------------------------------


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


@pytest.fixture(scope="module")
def export_rows() -> dict[str, dict[str, str]]:
    return {row["algorithm_id"]: row for row in _rows(shared_path("samples", EXPORT))}


@pytest.fixture(scope="module")
def listing_rows() -> dict[str, dict]:
    document = json.loads(shared_path("samples", LISTING).read_text(encoding="utf-8"))
    return {record["id"]: record for record in document["algoritmes"]}


@pytest.fixture(scope="module")
def organisation_types(export_rows: dict, listing_rows: dict) -> tuple[dict[str, str], set[str]]:
    """algorithm id → its organisation's type: the gold type of the name each sample publishes (the same for an
    algorithm in both samples); and the algorithms of the bodies for which "type unknown" is no wrong answer."""
    gold = {(row["source"], row["organisation"]): row["type"] for row in _rows(GOLD / "organisations.csv", ";")}
    named: dict[str, set[str]] = {}
    unsure: set[str] = set()
    for source, records, field in ((EXPORT, export_rows, "organization"), (LISTING, listing_rows, "organisatie")):
        for identifier, record in records.items():
            kind = gold[(source, record[field])]
            named.setdefault(identifier, set()).add(TYPE_NOTATIONS.get(kind, kind))
            if record[field] in NO_ANSWER:
                unsure.add(identifier)
    assert all(len(kinds) == 1 for kinds in named.values()), "an algorithm in both samples, two organisation types"
    return {identifier: kinds.pop() for identifier, kinds in named.items()}, unsure


def _publication_categories(export_rows: dict) -> dict[str, str]:
    """algorithm id → category notation, for the records that state one (only the export has the field)."""
    return {i: CATEGORIES[row["publication_category"]] for i, row in export_rows.items() if row["publication_category"]}


def _relying_on(law: str) -> tuple[set[str], set[str]]:
    """Algorithms whose legal basis cites the law (or an article of it) per the gold: those that must be found,
    and those that may be (a reading the gold marks ambiguous, as benchmarks/fidelity_laws.py counts them)."""
    rows = [row for row in _rows(GOLD / "legal_bases.csv") if row["law"] == law]
    required = {row["record"] for row in rows if row["status"] != "ambiguous"}
    return required, {row["record"] for row in rows} - required


def _with_a_dpia(sources: tuple[str, ...], performed: bool = False) -> set[str]:
    """Algorithms the gold gives a DPIA in these sources: of any status (planned, not performed…), or performed."""
    rows = _rows(GOLD / "assessments.csv", ";")
    return {
        row["algorithm_id"]
        for row in rows
        if row["source"] in sources and row["instrument"] == "dpia" and (row["status"] == "performed" or not performed)
    }


# --- the server and the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def person(browser: Browser, sample_server: Server) -> Iterator[BrowserContext]:
    """A Dutch-speaking desktop browser that downloads files; a request leaving the test server fails the test."""
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(sample_server.base) else None)
    yield context
    context.close()
    assert not outside, f"the pages asked for something outside the app: {outside}"


@pytest.fixture
def page(person: BrowserContext) -> Iterator[Page]:
    page = person.new_page()
    yield page
    page.close()


def _csv_of(download: Download) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))


def _chart_rows(page: Page, chart: str) -> list[tuple[str | None, str, int]]:
    """A dashboard chart's table as a reader sees it: (the link's target or None, label, count) per row."""
    rows = page.locator(f"#chart-{chart} table.chart-table tbody tr")
    found = []
    for index in range(rows.count()):
        row = rows.nth(index)
        link = row.locator("th a")
        href = link.get_attribute("href") if link.count() else None
        found.append((href, row.locator("th").inner_text().strip(), int(row.locator("td").first.inner_text())))
    return found


def _facet_counts(page: Page, facet: str) -> dict[str, int]:
    """The list page's filter for a facet: option value (an IRI) → the count its label shows, "(N)"."""
    options = page.locator(f"#filter-{facet} option")
    counts = {}
    for index in range(options.count()):
        value = options.nth(index).get_attribute("value") or ""
        if value:  # not the "any" choice
            match = COUNT.search(options.nth(index).inner_text().strip())
            assert match, f"{facet}: an option without its count: {options.nth(index).inner_text()!r}"
            counts[value] = int(match.group(1))
    return counts


def _total(page: Page) -> int:
    """The list page's "N algoritmes · Pagina x van y"."""
    match = re.match(r"(\d+) algoritmes", page.get_by_role("status").inner_text())
    assert match, page.get_by_role("status").inner_text()
    return int(match.group(1))


# --- the journeys ------------------------------------------------------------------------------------------------


def test_researcher_counts_and_the_csv_of_a_selection(
    page: Page,
    sample_server: Server,
    export_rows: dict,
    listing_rows: dict,
    organisation_types: tuple[dict[str, str], set[str]],
) -> None:
    types, unsure = organisation_types
    everyone = set(export_rows) | set(listing_rows)
    categories = _publication_categories(export_rows)
    declared = {i for i, row in export_rows.items() if row["publication_category"] == "High-Risk AI-system"}
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    page.goto(sample_server.url("/"))
    # Counts by AI Act category, from the list page's filter: the high-risk AI systems the export declares.
    menu.get_by_role("link", name="Algoritmes").click()
    page.wait_for_url("**/algorithms")
    assert _total(page) == len(everyone)
    assert _facet_counts(page, "aiActCategory") == {HIGH_RISK: len(declared)}
    menu.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/dashboard**")
    assert f"{len(everyone)} algoritmes" in page.locator("main").inner_text()

    # Counts by organisation type: every algorithm once, by the type of the body the samples name.
    by_type = _chart_rows(page, "organisationType")
    assert all(href for href, _, _ in by_type), "no algorithm without an organisation type"
    shown = Counter({re.sub(r".*organisation-type%2F", "", href or ""): count for href, _, count in by_type})
    assert sum(shown.values()) == len(everyone)
    untyped = shown.pop(UNKNOWN_TYPE, 0)
    assert untyped <= len(unsure), f"{untyped} algorithms of an organisation of unknown type"
    expected, allowance = Counter(types.values()), Counter(types[i] for i in unsure)
    assert set(shown) <= set(expected), f"types the gold does not give: {set(shown) - set(expected)}"
    for kind, count in expected.items():  # exact, but for the bodies whose type may be left unknown
        assert count - allowance[kind] <= shown[kind] <= count, (kind, shown[kind], count)

    # Counts by the register's publication category; the listing has no such field ("zonder waarde").
    by_category = _chart_rows(page, "publicationCategory")
    stated = {(href or "").rsplit("%2F", 1)[-1]: count for href, _, count in by_category if href}
    assert stated == Counter(categories.values())
    assert [count for href, _, count in by_category if not href] == [len(everyone - set(categories))]
    screenshot(page, "journey-researcher-dashboard")

    # From the chart to the list: the municipalities' algorithms.
    page.get_by_role("link", name="Gemeente", exact=True).click()
    page.wait_for_url("**/algorithms?**organisationType=**")
    municipal = {i for i, kind in types.items() if kind == "gemeente"}
    assert not municipal & unsure
    assert _total(page) == len(municipal)
    # The AI Act category within this selection.
    assert _facet_counts(page, "aiActCategory") == (
        {HIGH_RISK: len(declared & municipal)} if declared & municipal else {}
    )

    # Narrow the selection: high-risk or impactful (two values of one filter: either), and no DPIA stated as
    # performed (`missing=dpia` on the list: planned or not performed is missing too); read the total.
    page.locator("#filter-publicationCategory").select_option([CATEGORY + "A", CATEGORY + "B"])
    page.get_by_role("checkbox", name="DPIA", exact=True).check()
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url("**missing=dpia**")
    performed = _with_a_dpia((EXPORT, LISTING), performed=True)
    without = municipal - performed
    selection = {i for i in without if categories.get(i) in ("A", "B")}
    total = _total(page)
    assert total == len(selection) > page.locator("ol.cards > li").count()  # more than one page
    # The filter's counts are under the other filters (municipal, no DPIA performed): each category's share.
    on_page = _facet_counts(page, "publicationCategory")
    expected = Counter(CATEGORY + categories[i] for i in without if i in categories)
    assert on_page == expected
    screenshot(page, "journey-researcher-selection")

    # The counts per filter as CSV: what the page's filters show.
    with page.expect_download() as download:
        page.get_by_role("link", name="Aantallen per filter (CSV)").click()
    facet_rows = _csv_of(download.value)
    for facet in ("publicationCategory", "aiActCategory", "organisationType"):
        in_csv = {row["value"]: int(row["count"]) for row in facet_rows if row["facet"] == facet and row["value"]}
        assert in_csv == _facet_counts(page, facet), facet

    # The selection as CSV: every row, not a page of them.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    rows = _csv_of(download.value)
    assert len(rows) == total, "the CSV is the whole selection, not a page of it"
    assert {row["identifier"] for row in rows} == selection
    assert {row["organisationType"] for row in rows} == {GEMEENTE}
    assert {row["publicationCategory"] for row in rows} <= {CATEGORY + "A", CATEGORY + "B"}
    assert "performed" not in {row["dpia"] for row in rows}
    params = [("organisationType", GEMEENTE), ("publicationCategory", CATEGORY + "A")]
    params += [("publicationCategory", CATEGORY + "B"), ("missing", "dpia")]
    assert httpx.get(sample_server.url("/api/algorithms"), params=params).json()["totalItems"] == total


def test_supervisor_law_to_algorithms_missing_a_dpia(page: Page, sample_server: Server) -> None:
    relying, perhaps = _relying_on(BRP)
    with_dpia = _with_a_dpia((EXPORT, LISTING))
    missing = relying - with_dpia
    assert len(missing) < len(relying), "the samples tell having a DPIA from not"
    page.goto(sample_server.url("/"))
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Wetten").click()
    page.get_by_role("link", name="Wet basisregistratie personen", exact=True).click()
    page.wait_for_url(f"**/id/law/bwb/{BRP}**")
    listed = {href.rsplit("/", 1)[-1] for href in _links(page, "table.supervised-list tbody th a")}
    assert relying <= listed <= relying | perhaps, (relying - listed, listed - relying - perhaps)
    assert int(page.locator("[data-total]").get_attribute("data-total") or "-1") == len(listed)

    page.get_by_role("checkbox", name="DPIA", exact=True).check()
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url("**missing=dpia**")
    assert "zonder DPIA" in page.get_by_role("status").inner_text()
    total = int(page.locator("[data-total]").get_attribute("data-total") or "-1")
    assert total == len(listed - with_dpia)
    screenshot(page, "journey-supervisor-missing-dpia")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download alle {total} rijen als CSV").click()
    rows = _csv_of(download.value)
    assert len(rows) == total
    assert {row["identifier"] for row in rows} == listed - with_dpia
    assert {row["dpia"] for row in rows} == {"missing"}


def _links(page: Page, selector: str) -> list[str]:
    return [href for href in page.locator(selector).evaluate_all("links => links.map(a => a.href)") if href]


def test_integrator_iri_to_json_ld_with_its_context(
    page: Page, sample_server: Server, export_rows: dict, listing_rows: dict
) -> None:
    iri = ALGORITHM + BOTH_LANGUAGES
    # The IRI in the browser is the algorithm's page; it offers the same resource as JSON-LD.
    page.goto(sample_server.url(f"/id/algorithm/{BOTH_LANGUAGES}"))
    link = page.locator("p.formats").get_by_role("link", name="jsonld", exact=True)
    offered = page.request.get(page.url.split("?")[0] + (link.get_attribute("href") or ""))
    assert offered.ok and offered.headers["content-type"].startswith("application/ld+json")
    # A program asks the IRI itself (content negotiation): the same document.
    response = httpx.get(
        sample_server.url(f"/id/algorithm/{BOTH_LANGUAGES}"), headers={"Accept": "application/ld+json"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document == offered.json()

    context = document["@context"]
    assert isinstance(context, list) and all(isinstance(part, dict) for part in context), "the context is inline"
    assert context[0] == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    (node,) = [node for node in document["@graph"] if node["@id"] == iri]
    assert node["@type"] == "Algorithm" and node["identifier"] == BOTH_LANGUAGES
    # What it says is what the sources say: the export's English name, the listing's Dutch title; the same
    # organisation as the REST API's record. Read by rdflib from the document alone (a remote context fails).
    graph = Graph().parse(data=response.text, format="json-ld")
    titles = set(graph.objects(URIRef(iri), DCTERMS.title))
    assert Literal(export_rows[BOTH_LANGUAGES]["name"], lang="en") in titles
    assert Literal(listing_rows[BOTH_LANGUAGES]["title"], lang="nl") in titles
    rest = httpx.get(sample_server.url(f"/api/algorithms/{BOTH_LANGUAGES}")).json()
    assert node["organisation"] == rest["organisation"]["@id"]


def test_integrator_reads_the_docs_with_the_network_off(browser: Browser, sample_server: Server) -> None:
    context = browser.new_context(locale="nl-NL")
    context.set_default_timeout(15_000)
    tried: list[str] = []

    def only_the_server(route: Route) -> None:
        if route.request.url.startswith(sample_server.base):
            route.continue_()
        else:
            tried.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_the_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(sample_server.url("/"))
        page.get_by_role("contentinfo").get_by_role("link", name="API-documentatie").click()  # the footer's link
        page.wait_for_url("**/docs**")
        assert page.locator("main h1").first.inner_text() == "API-documentatie"
        paths = httpx.get(sample_server.url("/openapi.json")).json()["paths"]
        assert "/api/law/algorithms" in paths
        if swagger_version():
            page.wait_for_selector(".swagger-ui .opblock")
            page.locator(".opblock-summary-path", has_text="/api/law/algorithms").first.click()
            page.wait_for_selector(".opblock-body")
        else:
            assert page.get_by_text("Swagger UI is op deze server niet geïnstalleerd").is_visible()
            listed = page.locator("#plain-endpoints code").all_inner_texts()
            assert [path for path in paths if path in listed] == list(paths)
        screenshot(page, "journey-integrator-docs-offline")
    finally:
        context.close()
    assert not tried, f"/docs asked for something outside the app: {tried}"
    assert not errors, errors
