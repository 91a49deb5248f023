"""`/api/reports…` and `/reports…` on a real `algokg serve` over the example store (loader/data/example-register.ttl).

Expected findings, counted by hand from the example dataset: 00000001 (category A, Annex III 5(a), public deployer
Gemeente Noorderhaaks, FRIA and DPIA performed, no IAMA, a statutory basis) lacks an IAMA; 00000002 (category B,
IAMA recorded as not performed with a reason, no DPIA, a statutory basis) lacks an IAMA and a DPIA; 00000003 is
out of use. No FRIA is missing. No law has a known current version, so no link is stale and its one dated link
(basis-1, 2024-01-01) is unchecked. Obligations of 00000001 (in use since 2024-03, a public authority's Annex III
system): every high-risk obligation applies from 2030-08-02 (Art 111(2)), Art 86 included; none falls due between
2026-06-01 and 2026-09-01, seven between 2030-06-01 and 2030-09-01.
"""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import Server

ALG = "https://w3id.org/algokg/id/algorithm/"
NOORDERHAAKS = "https://w3id.org/algokg/id/example/noorderhaaks"
GAPS = {("00000001", "iama"), ("00000002", "iama"), ("00000002", "dpia")}
DUE_2030 = (
    "aiact-art-26",
    "aiact-art-26-8",
    "aiact-art-26-9",
    "aiact-art-26-11",
    "aiact-art-27",
    "aiact-art-49-3",
    "aiact-art-86",
)


@pytest.fixture(scope="module")
def api(running_server: Callable[..., Server], example_store: Path) -> str:
    return running_server(example_store).base


def _kinds(body: dict[str, object]) -> set[tuple[str, str]]:
    return {(m["algorithmId"], m["kind"]) for m in body["member"]}  # type: ignore[index,union-attr]


def test_list_of_reports(api: str) -> None:
    response = httpx.get(f"{api}/api/reports", params={"lang": "en"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    body = response.json()
    assert body["@context"] == f"{api}/api/context/v1.jsonld"
    assert [m["name"] for m in body["member"]] == [
        "fria-missing",
        "assessment-gaps",
        "stale-law-links",
        "obligations-due",
        "aiact-disagreement",
    ]
    assert body["member"][3]["parameters"] == ["organisation", "months", "on"]


def test_assessment_gaps_as_json_ld(api: str) -> None:
    response = httpx.get(f"{api}/api/reports/assessment-gaps")
    assert response.status_code == 200 and "ETag" in response.headers
    body = response.json()
    assert body["@context"] == f"{api}/api/context/v1.jsonld" and body["@type"] == "SupervisorReport"
    assert body["totalItems"] == 3 and _kinds(body) == GAPS
    reason = next(m for m in body["member"] if (m["algorithmId"], m["kind"]) == ("00000002", "iama"))
    assert reason["reason"].startswith("Fictief: het algoritme neemt geen besluiten")
    for member in body["member"]:
        (query,) = member["sparql"]
        assert query["query"] == "compliance/report-assessment-gaps.rq" and query["bindings"] == {}
        assert "SELECT DISTINCT ?scope ?lawScope ?algorithm" in query["text"]
    assert httpx.get(f"{api}/api/reports/fria-missing").json()["totalItems"] == 0
    stale = httpx.get(f"{api}/api/reports/stale-law-links").json()
    assert stale["totalItems"] == 0 and stale["notes"] == {"uncheckedLinks": "1"}
    # The context resolves and is the API's.
    assert "@vocab" in httpx.get(body["@context"]).json()["@context"]


def test_per_organisation(api: str) -> None:
    for organisation in (NOORDERHAAKS, "Gemeente Noorderhaaks"):
        body = httpx.get(f"{api}/api/reports/assessment-gaps", params={"organisation": organisation}).json()
        assert _kinds(body) == GAPS and body["organisation"] == organisation
        bindings = {m["sparql"][0]["bindings"]["scope"] for m in body["member"]}
        assert bindings == ({f"<{NOORDERHAAKS}>"} if "://" in organisation else {'"Gemeente Noorderhaaks"'})
    other = httpx.get(f"{api}/api/reports/assessment-gaps", params={"organisation": 'Gemeente "X" } #'}).json()
    assert other["totalItems"] == 0


def test_obligations_due(api: str) -> None:
    params = {"on": "2030-06-01", "months": "3", "lang": "en"}
    body = httpx.get(f"{api}/api/reports/obligations-due", params=params).json()
    assert _kinds(body) == {("00000001", slug) for slug in DUE_2030}
    finding = next(m for m in body["member"] if m["kind"] == "aiact-art-86")
    assert finding["appliesFrom"] == "2030-08-02" and finding["roleHolders"] == NOORDERHAAKS
    assert [q["query"] for q in finding["sparql"]][1:] == [
        "compliance/obligations.rq",
        "compliance/obligation-dates.rq",
    ]
    assert finding["sparql"][1]["bindings"] == {"algorithm": f"<{ALG}00000001>"}
    assert body["parameters"] == {"months": "3", "on": "2030-06-01", "until": "2030-09-01"}
    none = httpx.get(f"{api}/api/reports/obligations-due", params={"on": "2026-06-01", "months": "3"}).json()
    assert none["totalItems"] == 0


def test_csv(api: str) -> None:
    response = httpx.get(f"{api}/api/reports/assessment-gaps", params={"format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {(r["algorithm_id"], r["kind"]) for r in rows} == GAPS
    assert response.headers["X-Total-Count"] == "3"
    assert all(r["sparql_queries"] == "compliance/report-assessment-gaps.rq" for r in rows)
    by_accept = httpx.get(f"{api}/api/reports/assessment-gaps", headers={"Accept": "text/csv"})
    assert by_accept.text == response.text


def test_errors(api: str) -> None:
    missing = httpx.get(f"{api}/api/reports/no-such-report")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    assert httpx.get(f"{api}/api/reports/obligations-due", params={"months": "0"}).status_code == 400  # a parameter
    assert httpx.get(f"{api}/api/reports/assessment-gaps", headers={"Accept": "image/png"}).status_code == 406


def test_pages_in_dutch_and_english(api: str) -> None:
    index = httpx.get(f"{api}/reports", params={"lang": "nl"})
    assert index.status_code == 200 and "Rapportages voor toezicht" in index.text
    assert 'href="/reports?lang=nl"' in httpx.get(f"{api}/", params={"lang": "nl"}).text  # in the menu
    dutch = httpx.get(f"{api}/reports/assessment-gaps", params={"lang": "nl"})
    assert dutch.status_code == 200 and dutch.headers["content-language"] == "nl"
    assert "3 bevindingen" in dutch.text and "Hoog-risico- of impactvolle algoritmes" in dutch.text
    assert "compliance/report-assessment-gaps.rq" in dutch.text and "format=csv" in dutch.text
    english = httpx.get(f"{api}/reports/obligations-due", params={"lang": "en", "on": "2030-06-01", "months": "3"})
    assert "7 findings" in english.text and "aiact-art-86" in english.text
    assert "AI Act obligations falling due" in english.text
    scoped = httpx.get(f"{api}/reports/fria-missing", params={"lang": "en", "organisation": "Gemeente Noorderhaaks"})
    assert "No findings." in scoped.text
    assert httpx.get(f"{api}/reports/nothing").status_code == 404
    assert httpx.get(f"{api}/reports/obligations-due", params={"on": "someday"}).status_code == 400
