"""The pages and the API on the register's real samples: the English 1.0 export and the Dutch listing, loaded
together with no flags (../shared; skipped without), in a real browser against a real server.

What a reader sees must be what the graph holds: the lawful-basis text where no law is linked, the
assessment status the record states, the high-risk AI systems the register declares, one current state per
language (each law once, one current version, Dutch text on the Dutch page), text with its entities decoded,
and every organisation as an organisation with a type.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.server.conftest import Server
from tests.web.conftest import screenshot

BOTH_LANGUAGES = "/id/algorithm/99577647"  # in the English export and in the Dutch listing
LAWFUL_TEXT_ONLY = "/id/algorithm/35229357"  # listing: a lawful-basis text that names no law; "Onbekend"
ENTITIES = "/id/algorithm/28915384"  # "Prevention &amp; enforcement: SWAN algorithm" in the export
AUDIT = (Path(__file__).parent / "audit.js").read_text(encoding="utf-8")


@pytest.fixture
def sample_page(browser: Browser, sample_server: Server) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def _section(page: Page, heading: str) -> str:
    # The innermost section with that heading (the legal basis and assessments sit in a group of the record).
    return page.locator("section", has=page.get_by_role("heading", name=heading, exact=True)).last.inner_text()


def test_a_lawful_basis_text_without_a_linked_law_is_shown(sample_page: Page, sample_server: Server) -> None:
    sample_page.goto(sample_server.url(LAWFUL_TEXT_ONLY))
    legal = _section(sample_page, "Wettelijke grondslag")
    assert "De Provincie Noord-Holland zorgt voor een vlot en veilig verloop van het verkeer." in legal
    assert "noemt geen wettelijke grondslag" not in legal
    screenshot(sample_page, "register-lawful-basis-text")


def test_the_assessment_status_the_listing_states_is_shown(sample_page: Page, sample_server: Server) -> None:
    sample_page.goto(sample_server.url(LAWFUL_TEXT_ONLY))
    assessments = _section(sample_page, "Toetsen en beoordelingen")
    assert "Impacttoets (instrument niet genoemd): onbekend" in assessments
    assert "antwoord in het register: Onbekend" in assessments
    assert "noemt geen toetsen" not in assessments
    sample_page.goto(sample_server.url(BOTH_LANGUAGES))
    assert "Impacttoets (instrument niet genoemd): uitgevoerd" in _section(sample_page, "Toetsen en beoordelingen")


def test_two_languages_give_one_current_state_per_language(sample_page: Page, sample_server: Server) -> None:
    sample_page.goto(sample_server.url(BOTH_LANGUAGES))
    history = _section(sample_page, "Geschiedenis van de registratie")
    assert history.count("huidige versie") == 1
    laws = sample_page.locator("ul.legal > li > a:first-child").all_inner_texts()
    assert laws and len(laws) == len(set(laws)), laws  # each law once
    # The Dutch page prefers Dutch text: the listing's goal in Dutch; the short description only the English
    # export has is shown marked as English.
    goal = sample_page.locator("dd[data-field=purpose_and_impact] p").first
    assert goal.inner_text().startswith("De meeste ondernemingen doen aangifte voor de omzetbelasting")
    assert goal.get_attribute("lang") is None
    assert sample_page.locator("p.lead").get_attribute("lang") == "en"
    assert sample_page.get_by_role("heading", level=1).inner_text() == "Signaalmodel OB Carrouselfraude (OBCF)"
    screenshot(sample_page, "register-two-languages-nl")
    sample_page.goto(sample_server.url(BOTH_LANGUAGES + "?lang=en"))
    assert _section(sample_page, "History of the registration").count("current version") == 1
    assert sample_page.get_by_role("heading", level=1).inner_text() != "Signaalmodel OB Carrouselfraude (OBCF)"


def test_html_entities_of_the_source_are_decoded(sample_page: Page, sample_server: Server) -> None:
    sample_page.goto(sample_server.url(ENTITIES + "?lang=en"))
    assert sample_page.get_by_role("heading", level=1).inner_text() == "Prevention & enforcement: SWAN algorithm"
    assert "&amp;" not in sample_page.inner_text("main")


def test_the_declared_high_risk_systems_are_counted(sample_page: Page, sample_server: Server) -> None:
    sample_page.goto(sample_server.url("/"))
    assert re.search(r"\b5\s+hoog-risico AI-systemen", sample_page.inner_text("main"))
    categories = httpx.get(sample_server.url("/api/aiact-categories"), params={"size": 100}).json()["member"]
    counts = {item["@id"].rsplit("/", 1)[-1]: item["algorithms"] for item in categories}
    assert counts["high-risk"] == 5
    facets = httpx.get(sample_server.url("/api/algorithms"), params={"facets": "aiActCategory"}).json()["facets"]
    assert {value["value"].rsplit("/", 1)[-1]: value["count"] for value in facets[0]["values"]} == {"high-risk": 5}


def test_every_organisation_is_a_typed_node(sample_server: Server) -> None:
    facets = httpx.get(sample_server.url("/api/algorithms"), params={"facets": "organisationType"}).json()["facets"]
    (types,) = facets
    assert types["missing"] == 0  # every algorithm's organisation has a type
    assert {value["value"].rsplit("/", 1)[-1] for value in types["values"]} >= {"gemeente", "zbo", "stichting"}
    # A body no list has is an organisation all the same: an IRI (never a bare name), its filter, its page.
    ictu = "https://w3id.org/algokg/id/organisation/ictu"
    body = httpx.get(sample_server.url("/api/algorithms"), params={"organisation": ictu}).json()
    assert body["totalItems"] == 1 and body["member"][0]["organisation"]["@id"] == ictu
    page = httpx.get(sample_server.url("/organisation"), params={"id": ictu}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "staat in geen TOOI-lijst" in page.text


def test_the_dashboard_says_what_the_listing_says(sample_server: Server) -> None:
    text = httpx.get(sample_server.url("/dashboard"), headers={"Accept": "text/html"}).text
    assert "impacttoets gedaan, instrument niet genoemd" in text and "status van de toets onbekend" in text
    assert "zonder waarde" not in text.split("Algoritmes per soort organisatie", 1)[1].split("</figure>", 1)[0]


@pytest.mark.parametrize("path", [BOTH_LANGUAGES, LAWFUL_TEXT_ONLY + "?lang=en", "/dashboard"])
def test_accessibility_basics_on_real_records(sample_page: Page, sample_server: Server, path: str) -> None:
    sample_page.goto(sample_server.url(path))
    assert sample_page.evaluate(AUDIT) == [], path
