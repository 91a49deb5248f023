"""The supervisor's law and organisation lists (`/api/law/algorithms`, `/api/organisation/algorithms`, the law
page) and the assessment-gaps report for a law, against a real `algokg serve`.

A synthetic register of 300 algorithms (benchmarks.generate: seven laws, assessments with every status) gives a
law with enough relying algorithms to page; the register's real samples (../shared; skipped without) check the
states against what the graph says. Every expectation is counted in SPARQL on the same server, not in the code
under test.
"""

import csv
import io
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from benchmarks.generate import generate
from loader.pipeline import load_paths
from loader.reference import reference_data
from tests.server.conftest import Server

BRP = "https://w3id.org/algokg/id/law/bwb/BWBR0033715"  # Wet basisregistratie personen
INSTRUMENT = "https://w3id.org/algokg/id/assessment-instrument/"
STATUS = "https://w3id.org/algokg/id/assessment-status/"
RANK = ("performed", "planned", "not-performed", "not-needed", "unknown", "missing")
COLUMNS = {"dpia": "dpia", "iama": "iama", "fria": "fria", "unspecified": "impactAssessment"}
PREFIXES = """PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@pytest.fixture(scope="module")
def register(running_server: Callable[..., Server], tmp_path_factory: pytest.TempPathFactory) -> Server:
    work = tmp_path_factory.mktemp("supervision")
    cache = work / "cache"
    cache.mkdir()
    source = generate(300, work / "register.csv")
    load_paths(work / "store", [source], reference=reference_data(cache_dir=cache), run_validation=False)
    return running_server(work / "store")


def select(server: Server, query: str) -> list[dict[str, str]]:
    response = httpx.post(
        server.url("/sparql"),
        data={"query": PREFIXES + query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    response.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def relying(server: Server, law: str) -> set[str]:
    rows = select(
        server,
        f"SELECT DISTINCT ?a WHERE {{ ?part eli:is_part_of* <{law}> . "
        "?a akg:hasStatutoryBasis/akg:legalResource ?part ; a akg:Algorithm }",
    )
    return {row["a"] for row in rows}


def expected_states(server: Server, algorithms: set[str]) -> dict[tuple[str, str], str]:
    """(algorithm, instrument notation) -> the best state its assessments with that instrument (or a narrower
    one) state; absent: the graph has none ("missing")."""
    values = " ".join(f"<{a}>" for a in sorted(algorithms))
    rows = select(
        server,
        f"SELECT ?a ?top ?status ?performed WHERE {{ VALUES ?a {{ {values} }} ?a akg:hasAssessment ?x . "
        "?x akg:instrument/skos:broader* ?top OPTIONAL { ?x akg:assessmentStatus ?status } "
        "OPTIONAL { ?x akg:wasPerformed ?performed } }",
    )
    found: dict[tuple[str, str], str] = {}
    for row in rows:
        notation = row["top"].removeprefix(INSTRUMENT)
        if notation not in COLUMNS:
            continue
        if "status" in row:
            state = row["status"].removeprefix(STATUS)
        elif "performed" in row:
            state = "performed" if row["performed"] in ("true", "1") else "not-performed"
        else:
            state = "unknown"
        key = (row["a"], notation)
        found[key] = min(found.get(key, "missing"), state, key=RANK.index)
    return found


def every_member(server: Server, path: str, **params: object) -> Iterator[dict]:
    url: str | None = server.url(path)
    query: dict[str, object] | None = params
    while url:
        body = httpx.get(url, params=query, timeout=60).json()
        yield from body["member"]
        url, query = body["view"].get("next"), None


def test_the_law_list_is_every_relying_algorithm_once_in_pages(register: Server) -> None:
    expected = relying(register, BRP)
    first = httpx.get(register.url("/api/law/algorithms"), params={"id": "BWBR0033715", "size": 40}).json()
    assert first["totalItems"] == len(expected) > 40  # more than one page
    seen = [m["@id"] for m in every_member(register, "/api/law/algorithms", id=BRP, size=40)]
    assert len(seen) == len(set(seen)) and set(seen) == expected
    titles = [m.get("title", "").casefold() for m in every_member(register, "/api/law/algorithms", id=BRP, size=500)]
    assert titles == sorted(titles)
    explained = httpx.get(register.url("/api/law/algorithms"), params={"id": BRP, "explain": "sparql"}).json()
    (query,) = explained["sparql"]
    assert query["query"] == "supervised-algorithms" and query["bindings"] == {"resource": f"<{BRP}>"}
    assert "$resource" in query["text"] and BRP not in query["text"]  # bound as a term, never pasted


def test_columns_say_what_the_graph_says(register: Server) -> None:
    members = list(every_member(register, "/api/law/algorithms", id=BRP, size=500))
    states = expected_states(register, {m["@id"] for m in members})
    counted: Counter[str] = Counter()
    for member in members:
        for notation, column in COLUMNS.items():
            assert member[column] == states.get((member["@id"], notation), "missing"), (member["@id"], notation)
            counted[member[column]] += 1
        assert member["status"]["@id"] and member["organisation"]["label"]
        assert member["cited"] and all(c["@id"].startswith(BRP) for c in member["cited"])
    assert counted["missing"] and counted["performed"]  # the register's rows are not all alike


@pytest.mark.parametrize("sort", ["organisation", "-organisation", "status", "-title"])
def test_sorted_either_way(register: Server, sort: str) -> None:
    members = list(every_member(register, "/api/law/algorithms", id=BRP, size=500, sort=sort))
    key = sort.removeprefix("-")
    labels = [(m.get(key) or {}).get("label") if key != "title" else m.get("title") for m in members]
    known = [label.casefold() for label in labels if label is not None]
    assert known == sorted(known, reverse=sort.startswith("-"))
    assert labels[len(known) :] == [None] * (len(labels) - len(known))  # no value last


def test_missing_dpia_or_iama_is_either_missing(register: Server) -> None:
    everything = list(every_member(register, "/api/law/algorithms", id=BRP, size=500))
    either = {m["@id"] for m in everything if "missing" in (m["dpia"], m["iama"])}
    both = {m["@id"] for m in everything if m["dpia"] == m["iama"] == "missing"}
    assert len(both) < len(either) < len(everything)  # the data tells OR from AND
    body = httpx.get(register.url("/api/law/algorithms"), params=[("id", BRP), ("missing", "dpia"),
                     ("missing", "iama"), ("size", 500)]).json()  # fmt: skip
    assert (
        {m["@id"] for m in body["member"]}
        == either
        == set(m["@id"] for m in every_member(register, "/api/law/algorithms", id=BRP, missing="dpia,iama", size=30))
    )
    assert body["totalItems"] == len(either) and body["missingMatch"] == "any"
    assert body["missingInstruments"] == ["dpia", "iama"]


def test_csv_is_every_row_streamed_as_a_download(register: Server) -> None:
    params = [("id", BRP), ("missing", "dpia"), ("format", "csv"), ("size", 5), ("page", 2)]
    with httpx.stream("GET", register.url("/api/law/algorithms"), params=params) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"] == 'attachment; filename="law-BWBR0033715-algorithms.csv"'
        assert "content-length" not in response.headers  # streamed
        text = response.read().decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    total = httpx.get(register.url("/api/law/algorithms"), params={"id": BRP, "missing": "dpia"}).json()["totalItems"]
    assert len(rows) == total == int(response.headers["x-total-count"]) > 5
    assert {row["dpia"] for row in rows} == {"missing"}
    assert list(rows[0])[:4] == ["id", "type", "identifier", "title"] and "impactAssessment" in rows[0]


def test_the_organisation_list(register: Server) -> None:
    rows = select(register, "SELECT ?o (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a akg:Algorithm ; akg:organisation ?o }"
                  " GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1")  # fmt: skip
    organisation, count = rows[0]["o"], int(rows[0]["n"])
    members = list(every_member(register, "/api/organisation/algorithms", id=organisation, size=2))
    assert len(members) == count > 2
    assert all(m["organisation"]["@id"] == organisation for m in members)
    states = expected_states(register, {m["@id"] for m in members})
    assert all(m["dpia"] == states.get((m["@id"], "dpia"), "missing") for m in members)


@pytest.mark.parametrize(
    ("path", "params", "status", "parameter"),
    [
        ("/api/law/algorithms", {"id": "BWBR9999999"}, 404, None),
        ("/api/law/algorithms", {"id": " "}, 400, "id"),
        ("/api/law/algorithms", {"id": BRP, "missing": "dpai"}, 400, "missing"),
        ("/api/law/algorithms", {"id": BRP, "sort": "date"}, 400, "sort"),
        ("/api/organisation/algorithms", {"id": "Nobody At All"}, 404, None),
    ],
)
def test_bad_requests_are_named(register: Server, path: str, params: dict, status: int, parameter: str | None) -> None:
    response = httpx.get(register.url(path), params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json().get("parameter") == parameter


def test_assessment_gaps_for_a_law(register: Server) -> None:
    law = httpx.get(register.url("/api/reports/assessment-gaps"), params={"law": "BWBR0033715"}).json()
    everyone = httpx.get(register.url("/api/reports/assessment-gaps")).json()
    reliant = relying(register, BRP)
    expected = [(f["algorithm"], f["kind"]) for f in everyone["member"] if f["algorithm"] in reliant]
    assert [(f["algorithm"], f["kind"]) for f in law["member"]] == expected and len(expected) > 0
    assert len(expected) < everyone["totalItems"]
    assert law["parameters"] == {"law": BRP}
    # the command line gives the same findings
    out = subprocess.run(
        [sys.executable, "-m", "loader.cli", "report", "--store", str(register.store_dir), "--law", "BWBR0033715",
         "--format", "csv"], capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert [(r["algorithm"], r["kind"]) for r in csv.DictReader(io.StringIO(out))] == expected
    refused = httpx.get(register.url("/api/reports/stale-law-links"), params={"law": BRP})
    assert refused.status_code == 400 and refused.json()["parameter"] == "law"
    # the law page links to the report for the law, whose page shows the same findings
    law_page = httpx.get(register.url("/id/law/bwb/BWBR0033715"), headers={"Accept": "text/html"}).text
    assert f"/reports/assessment-gaps?law={BRP.replace(':', '%3A').replace('/', '%2F')}&amp;lang=nl" in law_page
    report_page = httpx.get(register.url("/reports/assessment-gaps"), params={"law": BRP})
    assert report_page.status_code == 200 and f'value="{BRP}"' in report_page.text
    assert report_page.text.count("/id/algorithm/") >= len({algorithm for algorithm, _ in expected})


def test_the_law_page_is_paged(register: Server) -> None:
    total = len(relying(register, BRP))
    page = httpx.get(register.url("/id/law/bwb/BWBR0033715"), headers={"Accept": "text/html"}).text
    assert f'data-total="{total}"' in page
    assert page.count('<tr>\n        <th scope="row">') == 50 < total
    second = httpx.get(register.url("/id/law/bwb/BWBR0033715?page=2&sort=-title"), headers={"Accept": "text/html"})
    assert second.status_code == 200 and 'aria-sort="descending"' in second.text
    bad = httpx.get(register.url("/id/law/bwb/BWBR0033715?missing=nothing"), headers={"Accept": "text/html"})
    assert bad.status_code == 400


def test_a_supervisor_downloads_the_algorithms_missing_a_dpia(register: Server, browser: Browser) -> None:
    """Open the law, filter to missing DPIA, download the CSV: as many rows as the page says."""
    context = browser.new_context(locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(register.url("/id/law/bwb/BWBR0033715"))
        page.get_by_role("checkbox", name="DPIA", exact=True).check()
        page.get_by_role("button", name="Filter toepassen").click()
        page.wait_for_url("**missing=dpia**")
        total = int(page.locator("[data-total]").get_attribute("data-total") or "-1")
        shown = page.locator("table.supervised-list tbody tr").count()
        assert "zonder DPIA" in page.get_by_role("status").inner_text()
        with page.expect_download() as download_info:
            page.get_by_role("link", name=f"Download alle {total} rijen als CSV").click()
        path = download_info.value.path()
        rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    finally:
        context.close()
    assert len(rows) == total > 0 and shown == min(total, 50)
    assert {row["dpia"] for row in rows} == {"missing"}


def test_on_the_register_samples(running_server: Callable[..., Server], register_samples_store: Path) -> None:
    """The English export and the Dutch listing together: states as the graph says for the largest law."""
    server = running_server(register_samples_store)
    laws = httpx.get(server.url("/api/laws"), params={"size": 1}, headers={"Accept": "application/json"}).json()
    law = laws["member"][0]["@id"]
    members = list(every_member(server, "/api/law/algorithms", id=law, size=500))
    assert {m["@id"] for m in members} == relying(server, law)
    states = expected_states(server, {m["@id"] for m in members})
    for member in members:
        for notation, column in COLUMNS.items():
            assert member[column] == states.get((member["@id"], notation), "missing"), (member["@id"], notation)
    assert any(member[column] != "missing" for member in members for column in COLUMNS.values())
