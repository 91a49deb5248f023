"""The pages over HTTP against a real server: content, languages, links, charts, the plain query editor."""

import itertools
import re
import tomllib
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sparql_api.web import i18n, query
from tests.conftest import REPO
from tests.server.conftest import Server

HTML = {"Accept": "text/html"}
ALGORITHM = "/id/algorithm/00000001"


class Page(HTMLParser):
    """Collects what the tests look at: lang, headings, links, elements by tag, the text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang = ""
        self.headings: list[tuple[int, str]] = []
        self.links: list[str] = []
        self.sources: list[str] = []
        self.tags: dict[str, list[dict[str, str | None]]] = {}
        self.text_parts: list[str] = []
        self._heading: list[str] | None = None
        self._level = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.setdefault(tag, []).append(found)
        if tag == "html":
            self.lang = found.get("lang") or ""
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag in {"script", "img"} and found.get("src"):
            self.sources.append(found["src"] or "")
        if tag == "link" and found.get("href"):
            self.sources.append(found["href"] or "")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._level = [], int(tag[1])

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._level, " ".join("".join(self._heading).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        if self._heading is not None:
            self._heading.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def get(server: Server, path: str, **headers: str) -> tuple[httpx.Response, Page]:
    response = httpx.get(server.url(path), headers={**HTML, **headers}, timeout=30)
    return response, Page(response.text)


def test_every_message_exists_in_both_languages() -> None:
    nl, en = set(i18n.MESSAGES["nl"]), set(i18n.MESSAGES["en"])
    assert nl == en, f"only in nl: {sorted(nl - en)}; only in en: {sorted(en - nl)}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, "nl"), ("en-GB,en;q=0.9", "en"), ("de, en;q=0.5, nl;q=0.8", "nl"), ("fr", "nl"), ("en;q=0, nl", "nl")],
)
def test_accept_language(header: str | None, expected: str) -> None:
    assert i18n.from_accept_language(header) == expected


def test_home_in_dutch_by_default_with_headline_numbers(web_server: Server) -> None:
    response, page = get(web_server, "/")
    assert response.status_code == 200
    assert response.headers["content-language"] == "nl"
    assert "Accept-Language" in response.headers["vary"]
    assert page.lang == "nl"
    assert page.headings[0] == (1, "Welke algoritmes gebruikt de overheid?")
    assert "3 algoritmes" in page.text and "1 organisaties" in page.text
    assert "1 met IAMA of DPIA" in page.text  # the DPIA of 00000001; the IAMA of 00000002 was not performed
    assert "1 hoog-risico AI-systemen" in page.text
    search = [form for form in page.tags["form"] if form.get("role") == "search"]
    assert search and search[0]["action"] == "/algorithms"


def test_language_from_accept_language_and_from_the_parameter(web_server: Server) -> None:
    response, page = get(web_server, "/", **{"Accept-Language": "en-US,en;q=0.9"})
    assert page.lang == "en" and page.headings[0][1] == "Which algorithms does the government use?"
    response, page = get(web_server, "/dashboard?lang=en", **{"Accept-Language": "nl"})
    assert page.lang == "en" and response.headers["content-language"] == "en"
    # An explicit choice is kept in the page's own links, and the switch offers the other language.
    assert "/algorithms?lang=en" in page.links
    assert "/dashboard?lang=nl" in page.links


def test_algorithm_list_filters_facets_and_downloads(web_server: Server) -> None:
    response, page = get(web_server, "/algorithms")
    assert response.status_code == 200
    assert "3 algoritmes" in page.text
    selects = {s.get("name") for s in page.tags["select"]}
    assert {"publicationCategory", "theme", "status", "instrument"} <= selects
    assert all(s.get("id") for s in page.tags["select"])
    response, page = get(web_server, "/algorithms?theme=https://w3id.org/algokg/id/register-theme/verkeer&lang=en")
    assert "1 algorithms" in page.text
    assert "Voorspelling parkeerdruk (voorbeeld)" in page.text
    assert "Signalering bijstandsaanvragen" not in page.text
    csv = next(link for link in page.links if link.startswith("/api/algorithms") and "format=csv" in link)
    assert parse_qs(urlsplit(csv).query)["theme"] == ["https://w3id.org/algokg/id/register-theme/verkeer"]
    download = httpx.get(web_server.url(csv), timeout=30)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "parkeerdruk" in download.text and "bijstand" not in download.text


def test_bad_filter_is_a_400_page(web_server: Server) -> None:
    response, page = get(web_server, "/algorithms?law=not%20a%20law")
    assert response.status_code == 400
    assert "law" in page.text and page.lang == "nl"


def test_algorithm_page_summary_law_assessments_aiact_history(web_server: Server) -> None:
    response, page = get(web_server, ALGORITHM)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert page.headings[0] == (1, "Signalering bijstandsaanvragen (voorbeeld)")
    levels = [level for level, _ in page.headings]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), page.headings
    titles = [text for level, text in page.headings if level == 2]
    # the record in the standard's groups; the legal basis and the assessments within "Verantwoord gebruik"
    assert titles[:4] == ["Algemene informatie", "Verantwoord gebruik", "Werking", "Metadata"]
    subtitles = [text for level, text in page.headings if level == 3]
    assert subtitles[:2] == ["Wettelijke grondslag", "Toetsen en beoordelingen"]
    # the plain summary first, then the legal basis with a link to the article's official text
    assert "ordent aanvragen voor bijstand" in page.text
    assert "/id/law/bwb/BWBR0005537/artikel/3:2" in page.links
    assert "/id/law/bwb/BWBR0005537" in page.links
    assert any(link.startswith("https://wetten.overheid.nl/") for link in page.links)
    assert "Gegevensbeschermingseffectbeoordeling (DPIA)" in page.text and "uitgevoerd" in page.text
    assert "AI-systeem met een hoog risico" in page.text and "Annex III" in page.text  # label and meaning
    assert "2025-07-01" in page.text and "2024-03-12" in page.text and "huidige versie" in page.text
    assert "voorbeelddata (fictief)" in page.text  # provenance: the example dataset, and the note
    assert "fictieve voorbeeldgegevens" in page.text
    assert "Controle tegen de standaard" in page.text
    assert "Toon de SPARQL" in page.text and "algorithm-legal" in page.text


def test_show_the_sparql_link_runs_in_the_query_editor(web_server: Server) -> None:
    _, page = get(web_server, ALGORITHM)
    queries = [link for link in page.links if link.startswith("/query?")]
    link = next(link for link in queries if "hasStatutoryBasis" in parse_qs(urlsplit(link).query)["query"][0])
    text = parse_qs(urlsplit(link).query)["query"][0]
    # The record the page shows: the algorithm itself, as the example dataset has no current-state graphs.
    assert "VALUES (?record) { (<https://w3id.org/algokg/id/algorithm/00000001>) }" in text
    response, result = get(web_server, link + "&editor=plain")
    assert response.status_code == 200
    assert "Awb" in result.text  # the legal basis row, found by the query as shown


def test_law_page_lists_every_algorithm_relying_on_it(web_server: Server) -> None:
    response, page = get(web_server, "/id/law/bwb/BWBR0005537?lang=en")
    assert response.status_code == 200
    assert page.headings[0][0] == 1
    assert "Algorithms relying on this law" in page.text
    assert "/id/algorithm/00000001?lang=en" in page.links
    assert "/id/algorithm/00000002?lang=en" not in page.links
    assert any(link.startswith("https://wetten.overheid.nl/") for link in page.links)
    # a law outside algokg's namespace (the GDPR, an ELI) has the same page under /resource
    response, page = get(web_server, "/resource?iri=http://data.europa.eu/eli/reg/2016/679/oj")
    assert response.status_code == 200
    assert "/id/algorithm/00000002" in page.links
    assert any("eur-lex.europa.eu" in link for link in page.links)


def test_organisation_page(web_server: Server) -> None:
    response, page = get(web_server, "/organisation?id=https://w3id.org/algokg/id/example/noorderhaaks")
    assert response.status_code == 200
    assert page.headings[0] == (1, "Gemeente Noorderhaaks (fictief voorbeeld)")
    assert {"/id/algorithm/00000001", "/id/algorithm/00000002", "/id/algorithm/00000003"} <= set(page.links)
    response, _ = get(web_server, "/organisation?id=Gemeente%20Nergenshuizen")
    assert response.status_code == 404


def test_dashboard_charts_are_inline_svg_with_tables(web_server: Server) -> None:
    response, page = get(web_server, "/dashboard")
    assert response.status_code == 200
    svgs = page.tags["svg"]
    assert len(svgs) == 4
    assert all(svg.get("role") == "img" and svg.get("aria-labelledby") for svg in svgs)
    assert len(page.tags["table"]) == 4 and len(page.tags["caption"]) == 4
    assert "Algoritmes per publicatiecategorie" in page.text
    assert "33 %" in page.text  # one of three algorithms with an IAMA or DPIA
    assert not page.tags.get("script"), "charts are drawn on the server, without script"


def test_generic_entity_page_and_404(web_server: Server) -> None:
    response, page = get(web_server, "/id/register-theme/verkeer")
    assert response.status_code == 200 and page.headings[0][0] == 1
    response, page = get(web_server, "/resource?iri=https://example.org/nothing")
    assert response.status_code == 404 and page.lang == "nl"


def test_nothing_is_loaded_from_elsewhere(web_server: Server) -> None:
    for path in ("/", "/algorithms", ALGORITHM, "/dashboard", "/query", "/query?editor=plain"):
        _, page = get(web_server, path)
        assert page.sources, path
        assert all(source.startswith("/") and not source.startswith("//") for source in page.sources), page.sources


def test_assets_stay_inside_static(web_server: Server) -> None:
    assert httpx.get(web_server.url("/assets/site.css")).status_code == 200
    assert httpx.get(web_server.url("/assets/..%2F__init__.py")).status_code == 404
    assert httpx.get(web_server.url("/assets/../pages.py")).status_code == 404


def test_plain_editor_runs_a_query_with_automatic_prefixes(web_server: Server) -> None:
    text = "SELECT ?title WHERE { ?a a akg:Algorithm ; dct:title ?title } ORDER BY ?title"
    response, page = get(web_server, "/query?" + httpx.QueryParams({"query": text, "editor": "plain"}).__str__())
    assert response.status_code == 200
    assert "Automatisch toegevoegde prefixen: akg, dct" in page.text
    assert "3 rijen" in page.text
    assert "Route-optimalisatie afvalinzameling (voorbeeld)" in page.text
    assert page.tags["textarea"][0].get("id") == "query-text"


def test_plain_editor_shows_the_error_position(web_server: Server) -> None:
    text = "SELECT ?s WHERE {\n  ?s a akg:Algorithm .\n  ?s ?p\n}"
    response, page = get(web_server, "/query?" + str(httpx.QueryParams({"query": text, "editor": "plain"})))
    assert response.status_code == 400
    assert "De query bevat een fout" in page.text
    assert re.search(r"regel 4, kolom \d+", page.text), page.text


def test_plain_editor_ask_and_construct(web_server: Server) -> None:
    ask = "ASK { ?a a akg:Algorithm }"
    _, page = get(web_server, "/query?" + str(httpx.QueryParams({"query": ask, "editor": "plain"})))
    assert "Ja (true)" in page.text
    construct = "CONSTRUCT { ?a dct:title ?t } WHERE { ?a a akg:Algorithm ; dct:title ?t }"
    _, page = get(web_server, "/query?" + str(httpx.QueryParams({"query": construct, "editor": "plain"})))
    assert "3 rijen" in page.text and "subject" in page.text


def test_examples_are_the_competency_questions(web_server: Server) -> None:
    _, page = get(web_server, "/query?editor=plain&lang=en")
    examples = [link for link in page.links if "example=" in link]
    assert len(examples) == len(query.examples()) >= 10
    response, page = get(web_server, examples[0])
    assert response.status_code == 200
    assert "SELECT" in page.text and "organisation type T" in page.text  # the file's text in the editor


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("SELECT * WHERE { ?s a akg:Algorithm }", ["akg"]),
        ("PREFIX akg: <https://w3id.org/algokg/def#>\nSELECT * WHERE { ?s a akg:Algorithm }", []),
        ('SELECT * WHERE { ?s rdfs:label "dct:title" } # skos:x', ["rdfs"]),
        ("SELECT * WHERE { ?s <http://x/a:b> ?o ; unknown:p ?o }", []),
    ],
)
def test_missing_prefixes(text: str, missing: list[str]) -> None:
    assert query.missing_prefixes(text) == missing


def test_web_files_are_package_data() -> None:
    """Templates, queries and static files are in the wheel (tests/test_packaging.py checks only .ttl/.csv)."""
    configured = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = configured["package-data"]["sparql_api.web"]
    assert "sparql_api.web" in configured["packages"]
    web = REPO / "sparql_api" / "web"
    files = [p for folder in ("templates", "sparql", "static") for p in (web / folder).rglob("*") if p.is_file()]
    missing = [str(p.relative_to(web)) for p in files if not any(p.relative_to(web).match(pat) for pat in patterns)]
    assert files and not missing, f"not in package-data of sparql_api.web: {missing}"


def test_head_answers_like_get(web_server: Server) -> None:
    for path in ("/", "/algorithms", "/dashboard", "/query"):
        response = httpx.head(web_server.url(path), headers=HTML)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")


def test_a_page_validator_names_its_language(web_server: Server) -> None:
    dutch = httpx.get(f"{web_server.base}{ALGORITHM}", headers={**HTML, "Accept-Language": "nl"})
    english_headers = {**HTML, "Accept-Language": "en", "If-None-Match": dutch.headers["etag"]}
    english = httpx.get(f"{web_server.base}{ALGORITHM}", headers=english_headers)
    assert english.status_code == 200, "a cached Dutch page must not stand in for the English one"
    assert "Accept-Language" in english.headers["vary"]
    again = httpx.get(f"{web_server.base}{ALGORITHM}", headers={**english_headers, "Accept-Language": "nl"})
    assert again.status_code == 304
