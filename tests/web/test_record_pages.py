"""Issue 16: the whole record on the algorithm page, and plain words for every code on the pages.

On a store loaded from the register's shared samples (the English 1.0 export and the Dutch listing, ../shared;
skipped without), in a real browser against a real server: every field of the publication standard the record
has appears with the source's value, in the standard's group, in the page's language where the record has it;
the register's own page is linked only when the source gives it; completeness is the share of the standard's
required fields and names the missing ones; the report pages show no raw codes. On the example dataset: the
home page and the footer say the data are fictitious.
"""

import csv
import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page

from sparql_api.rest import record_fields
from tests.conftest import shared_path
from tests.server.conftest import Server

BOTH_LANGUAGES = "99577647"  # in the English export and in the Dutch listing (which gives the register's page)
EXPORT_ONLY = "38748497"  # only in the English export: begin date, source code link and search terms filled
HTML = {"Accept": "text/html"}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _visible(body: str) -> str:
    """What a reader sees of a page: its text without the SPARQL it shows (per finding and at the end)."""
    body = re.sub(r"<details>.*?</details>", " ", body, flags=re.S)
    body = re.sub(r'<section class="sparql".*?</section>', " ", body, flags=re.S)
    return _flat(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def export_rows() -> dict[str, dict[str, str]]:
    path = shared_path("samples", "register_export_v1.0_ENG_sample.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["algorithm_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def record_page(browser: Browser, sample_server: Server) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def _fields(page: Page) -> dict[str, tuple[str, str, str]]:
    """Each shown field: key -> (its group, its label, its text)."""
    found = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('section[data-group] dd[data-field]')].map(dd =>
            [dd.dataset.field, [dd.closest('section[data-group]').dataset.group,
                                dd.previousElementSibling.innerText, dd.innerText]]))"""
    )
    return {key: tuple(value) for key, value in found.items()}


def test_every_field_the_export_gives_appears_with_its_value_in_its_group(
    record_page: Page, sample_server: Server, export_rows: dict[str, dict[str, str]]
) -> None:
    row = export_rows[EXPORT_ONLY]
    record_page.goto(sample_server.url(f"/id/algorithm/{EXPORT_ONLY}?lang=en"))
    shown = _fields(record_page)
    expected = {  # standard field -> CSV column, for the fields shown as published
        "description_short": "description_short",
        "organization": "organization",  # as the English export names it, not only TOOI's Dutch name
        "purpose_and_impact": "goal",
        "considerations": "proportionality",
        "human_intervention": "human_intervention",
        "risk_management": "risks",
        "data": "source_data",
        "technical_operation": "methods_and_models",
        "supplier": "provider",
        "contact": "contact_email",
        "link": "website",
        "source_link": "url",
        "source_code_link": "publiccode",
        "start_date": "begin_date",
    }
    for key, column in expected.items():
        if not row[column].strip():
            assert key not in shown, key  # "none" means the source has none
            continue
        spec = record_fields.BY_KEY[key]
        group, label, text = shown[key]
        assert (group, label) == (spec.group, spec.en), key
        assert _flat(row[column]) in _flat(text), key
    assert shown["lars"][2] == EXPORT_ONLY
    assert shown["status"][2] == row["status"] and shown["publication_category"][2] == row["publication_category"]
    for tag in filter(None, (tag.strip() for tag in row["tags"].split(","))):
        assert tag in shown["search_terms"][2]
    groups = record_page.locator("section[data-group] > h2").all_inner_texts()
    assert groups == ["General information", "Responsible use", "Operation", "Metadata"]
    # Not shown twice: each field once, its label once, the short description once.
    labels = record_page.locator("section[data-group] dt").all_inner_texts()
    assert len(labels) == len(set(labels)), labels
    assert record_page.locator("p.lead").count() == 1  # the short description, once (no second "lead")
    # Only in the English export: no link to the register's own page (the export does not give it).
    assert record_page.get_by_test_id("register-page").count() == 0


def test_the_dutch_page_takes_each_field_in_dutch_where_the_record_has_it(
    record_page: Page, sample_server: Server, export_rows: dict[str, dict[str, str]]
) -> None:
    record_page.goto(sample_server.url(f"/id/algorithm/{BOTH_LANGUAGES}"))
    shown = _fields(record_page)
    goal = record_page.locator("dd[data-field=purpose_and_impact] p").first
    assert goal.inner_text().startswith("De meeste ondernemingen doen aangifte voor de omzetbelasting")
    assert goal.get_attribute("lang") is None  # Dutch, as the page
    assert shown["purpose_and_impact"][:2] == ("responsible", "Doel en impact")
    # Only the English export has the proportionality text: shown, marked as English.
    proportionality = record_page.locator("dd[data-field=considerations] p").first
    assert proportionality.get_attribute("lang") == "en"
    assert _flat(export_rows[BOTH_LANGUAGES]["proportionality"]) in _flat(proportionality.inner_text())
    assert "alleen in het Engels" in shown["considerations"][2]
    assert shown["supplier"][:2] == ("operation", "Leverancier")
    assert shown["status"][2] == "In gebruik"
    link = record_page.get_by_test_id("register-page")
    assert link.get_attribute("href") == f"https://algoritmes.overheid.nl/nl/algoritme/{BOTH_LANGUAGES}"
    # Legal bases and assessments are in their group, with the assessment explanation of the English export.
    responsible = record_page.locator("section[data-group=responsible]")
    assert responsible.get_by_role("heading", name="Wettelijke grondslag", exact=True).count() == 1
    assessments = responsible.locator(
        "section", has=record_page.get_by_role("heading", name="Toetsen en beoordelingen")
    )
    assert "Impacttoets (instrument niet genoemd): uitgevoerd" in assessments.inner_text()
    assert _flat(export_rows[BOTH_LANGUAGES]["impacttoetsen"])[:60] in _flat(assessments.inner_text())


def test_completeness_is_the_share_of_the_standards_required_fields(sample_server: Server) -> None:
    # The English export leaves begin_date empty; the listing and the export fill every other required field.
    body = httpx.get(sample_server.url(f"/id/algorithm/{BOTH_LANGUAGES}"), headers=HTML).text
    sentence = _flat(re.sub(r"<[^>]+>", " ", body.split('data-testid="completeness">', 1)[1].split("</p>", 1)[0]))
    total = len(record_fields.REQUIRED)
    assert sentence == f"{total - 1} van de {total} verplichte velden van de publicatiestandaard zijn ingevuld " + (
        f"({round((total - 1) / total * 100)} %). Ontbreekt: Begindatum."
    )
    # The organisation page uses the same measure and names what is missing in words, never a property name.
    organisation = _visible(
        httpx.get(
            sample_server.url("/organisation"),
            params={"id": "https://identifier.overheid.nl/tooi/id/oorg/oorg12368", "lang": "en"},
            headers=HTML,
        ).text
    )
    assert "publication standard" in organisation and "Start date" in organisation
    assert "shortDescription" not in organisation and "conforms" not in organisation
    view = httpx.get(
        sample_server.url("/api/organisation"), params={"id": "https://identifier.overheid.nl/tooi/id/oorg/oorg12368"}
    ).json()
    assert view["algorithms"] and all(item["fields"] == total for item in view["algorithms"])
    assert all(set(item["missing"]) <= set(record_fields.BY_KEY) for item in view["algorithms"])


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("report", ["fria-missing", "assessment-gaps", "stale-law-links"])
def test_report_pages_show_no_raw_codes(sample_server: Server, report: str, lang: str) -> None:
    body = httpx.get(sample_server.url(f"/reports/{report}"), params={"lang": lang}, headers=HTML).text
    visible = _visible(body)
    kinds = re.findall(r'data-kind="([^"]+)">([^<]*)<', body)
    assert report == "stale-law-links" or kinds, "the samples give findings"
    for code, label in kinds:
        assert label and code not in label, (code, label)  # "fria" is a code, "FRIA" a word
    for name, label, value in re.findall(r'data-detail="(\w+)">([^:<]*): (.*?)</span>', body):
        assert label and label != name, name  # "why", "basis", "deployer" are names in the data, not words
        assert _flat(re.sub(r"<[^>]+>", "", value)) not in ("stated", "classified", "presumed"), (name, value)
    for code in ("statutory-basis", "why:", "uncheckedLinks", "basis:", "deployer:", " iama ", " dpia "):
        assert code not in visible, code
    assert not re.search(r"\bpresumed \d", visible)  # a note is a sentence, not "presumed 15"
    assert "https://w3id.org/algokg/id/" not in visible  # IRIs are shown by their labels
    if report == "stale-law-links":
        assert re.search(r"\d+ (gedateerde verwijzingen|dated links)", visible)


def test_the_register_samples_are_not_called_fictitious(sample_server: Server) -> None:
    for lang in ("nl", "en"):
        body = httpx.get(sample_server.url("/"), params={"lang": lang}, headers=HTML).text
        assert 'data-testid="fictitious"' not in body
    assert (
        "Gegevens: Algoritmeregister van de Nederlandse overheid."
        in httpx.get(sample_server.url("/"), headers=HTML).text
    )


def test_the_example_dataset_says_it_is_fictitious(web_server: Server) -> None:
    words = {
        "nl": ("Deze gegevens zijn fictief", "fictieve voorbeeldgegevens, niet het Algoritmeregister"),
        "en": ("These data are fictitious", "fictitious example data, not the Algorithm Register"),
    }
    for lang, (home, footer) in words.items():
        body = httpx.get(web_server.url("/"), params={"lang": lang}, headers=HTML).text
        note = body.split('data-testid="fictitious">', 1)[1].split("</p>", 1)[0]
        assert home in note
        credit = body.split('data-testid="footer-data">', 1)[1].split("</p>", 1)[0]
        assert footer in credit and "Nederlandse overheid" not in credit and "Dutch government" not in credit


def test_the_example_record_names_role_holders_and_is_complete_as_far_as_it_goes(web_server: Server) -> None:
    body = _visible(httpx.get(web_server.url("/id/algorithm/00000001"), headers=HTML).text)
    assert "gebruiksverantwoordelijke: Gemeente Noorderhaaks (fictief voorbeeld)" in body
    assert "https://w3id.org/algokg/id/example/noorderhaaks" not in body  # a holder by name, never by IRI
    # The example's current registration states the language and the standard version: not missing.
    completeness = body.split("verplichte velden", 1)[1].split(".", 2)[1]
    assert "Ontbreekt: Doel en impact" in completeness and "Taal" not in completeness
