"""The algorithm page's AI Act part on a real server (`algokg serve` on loopback) over a store in which the example
algorithm 00000001 was classified with the decision tree (`algokg classify`): the position that counts and its
basis, the classification with its answers, and the obligations with their dates; read over HTTP and in a real
browser (Debian's chromium), with the accessibility audit of test_browser.py.

Before, the page showed only the declared categories: no classification, no answers, no obligations or dates.
"""

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page

from loader.cli import cli
from loader.store import build_store
from tests.conftest import shared_path
from tests.server.conftest import Server, start_server
from tests.web.conftest import screenshot
from tests.web.test_browser import AUDIT
from tests.web.test_pages import get

ALGORITHM = "/id/algorithm/00000001"
# 00000001 (example dataset: Annex III 5(a), Gemeente Noorderhaaks deploys it, in use since 2024-03) classified as
# prohibited (2.1 Ja, 2.2 Nee -> 13.0.0): the classification counts; the declared high-risk category is kept and
# shown, and the two differ.
ANSWERS = """\
answered_by: Team Data, gemeente Noorderhaaks
answered_at: 2026-05-01T10:00:00+02:00
answers:
  "1.1": Ja
  "1.2": We gebruiken een extern ontwikkelde toepassing zonder aanpassingen
  "1.3": In gebruik
  "1.4.1": Ja, het is een AI-systeem
  "1.5": Nee
  "2.0": Naar risicogroep bepaling
  "2.1": Ja
  "2.2": Nee
"""


@pytest.fixture(scope="module")
def classified_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tree = shared_path("reference", "aiact", "beslishulp", "decision-tree.yaml")
    directory = tmp_path_factory.mktemp("aiact-page")
    store_dir = directory / "store"
    build_store(store_dir)
    answers = directory / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    arguments = ["classify", "00000001", "--store", str(store_dir), "--answers", str(answers), "--tree", str(tree)]
    done = CliRunner().invoke(cli, [*arguments, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["conclusion"] == "13.0.0"
    with start_server(store_dir, log_dir=directory) as server:
        yield server


def test_page_shows_position_classification_answers_and_obligations(classified_server: Server) -> None:
    response, page = get(classified_server, ALGORITHM + "?lang=en")
    assert response.status_code == 200
    headings = [text for _, text in page.headings]
    assert {"AI Act: position and obligations", "Classification with the decision tree"} <= set(headings)
    assert "Obligations and from when" in headings
    text = page.text
    # the position that counts, its basis (who, for whom, when) and the declaration beside it
    assert "AI Act position: prohibited AI practice (Article 5)" in text
    assert "basis: the classification of 2026-05-01T10:00:00+02:00 by Team Data, gemeente Noorderhaaks" in text
    assert "declared: high-risk, Annex III point 5(a) (Article 6(2))" in text
    assert "the classification counts; a finding for the supervisor" in text
    # the conclusion in words and the answers with their questions, labels explained
    assert "Conclusion 13.0.0 : The AI Act applies: you are the deployer of a prohibited AI system." in text
    assert "2.2 Is er sprake van een van de twee uitzonderingen voor verboden systemen? Nee" in text
    assert "verboden AI : prohibited AI practice (Article 5)" in text
    # the obligations with their dates and conditions
    assert "Prohibition of the AI practices of Article 5(1)(a)-(h)" in text and "2025-02-02" in text
    assert "applies if the practice is one of the prohibited practices" in text
    assert "2026-12-02" in text and "to be verified" in text  # Art 5(1)(ba), (bb): an amended date
    assert "/id/algorithm/00000001/classification/" in " ".join(page.links)
    # the queries behind it are shown
    assert "compliance/aiact-position.rq" in text and "compliance/classification-answers.rq" in text
    dutch = get(classified_server, ALGORITHM + "?lang=nl")[1].text
    assert "AI-verordening: positie en verplichtingen" in dutch and "Positie onder de AI-verordening" in dutch
    assert "je bent gebruiksverantwoordelijke van een verboden AI-systeem" in dutch


def test_unclassified_algorithm_shows_its_declared_position(classified_server: Server) -> None:
    text = get(classified_server, "/id/algorithm/00000002?lang=en")[1].text
    assert "AI Act position: minimal risk" in text
    assert "basis: as declared (the register or other loaded data)" in text
    assert "Classification with the decision tree" not in text
    assert "no organisation holds an AI Act role" in text


@pytest.fixture
def browser_page(browser: Browser, classified_server: Server) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request", lambda r: outside.append(r.url) if not r.url.startswith((classified_server.base, "data:")) else None
    )
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()
    assert not outside, outside


def test_in_a_browser(browser_page: Page, classified_server: Server) -> None:
    browser_page.goto(classified_server.url(ALGORITHM + "?lang=en"))
    section = browser_page.get_by_role("region", name="AI Act: position and obligations")
    assert section.is_visible()
    answers = section.get_by_role("table", name="The answers given")
    assert answers.get_by_role("row").count() == 1 + 8  # header and the eight answers on the path
    obligations = section.get_by_role("table", name=re.compile("AI Act obligations of this algorithm"))
    first = obligations.get_by_role("row").nth(1)
    assert "aiact-art-5" in first.inner_text() and "2025-02-02" in first.inner_text()
    assert browser_page.get_by_role("note").first.is_visible()
    browser_page.get_by_role("link", name="Conclusion 13.0.0").click()
    browser_page.wait_for_url(re.compile(r"/id/algorithm/00000001/classification/"))
    browser_page.go_back()
    screenshot(browser_page, "aiact-position")
    problems = browser_page.evaluate(AUDIT)
    assert problems == [], problems


def test_disagreement_report_over_http(classified_server: Server) -> None:
    body = httpx.get(classified_server.url("/api/reports/aiact-disagreement"), params={"lang": "en"}, timeout=30).json()
    assert [(m["algorithmId"], m["conclusion"]) for m in body["member"]] == [("00000001", "13.0.0")]
    assert body["member"][0]["text"] == (
        "the register says “high-risk, Annex III (Article 6(2))”, the classification says “prohibited AI practice "
        "(Article 5)”"
    )
    page = httpx.get(classified_server.url("/reports/aiact-disagreement"), params={"lang": "nl"}, timeout=30)
    assert page.status_code == 200 and "het register zegt" in page.text
