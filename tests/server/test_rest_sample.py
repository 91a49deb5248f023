"""The REST API on a store loaded from the register's real 120-record CSV sample (../shared; skipped without)."""

import csv
import io
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

from tests.conftest import REPO
from tests.server.conftest import Server

SAMPLE = REPO.parent / "shared" / "samples" / "register_export_v1.0_ENG_sample.csv"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason=f"the register sample is not at {SAMPLE}")


@pytest.fixture(scope="module")
def api(running_server: Callable[..., Server], tmp_path_factory: pytest.TempPathFactory) -> str:
    store_dir = tmp_path_factory.mktemp("sample") / "store"
    subprocess.run(
        [sys.executable, "-m", "loader.cli", "load", "--store", str(store_dir), str(SAMPLE)],
        check=True,
        capture_output=True,
    )
    return running_server(store_dir).base


def count(api: str, where: str) -> int:
    query = f"PREFIX akg: <https://w3id.org/algokg/def#> SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ {where} }}"
    response = httpx.post(f"{api}/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_totals_match_sparql(api: str) -> None:
    assert httpx.get(f"{api}/api/algorithms").json()["totalItems"] == count(api, "?a a akg:Algorithm") == 120
    gdpr = "http://data.europa.eu/eli/reg/2016/679/oj"
    body = httpx.get(f"{api}/api/algorithms", params={"law": gdpr, "size": 100}).json()
    expected = count(
        api,
        f"?a a akg:Algorithm ; akg:hasStatutoryBasis/akg:legalResource/<http://data.europa.eu/eli/ontology#is_part_of>* <{gdpr}>",
    )
    assert body["totalItems"] == expected == len(body["member"]) > 0


def test_every_page_once(api: str) -> None:
    seen: list[str] = []
    url: str | None = f"{api}/api/algorithms?size=25&sort=id"
    while url:
        body = httpx.get(url).json()
        seen += [m["@id"] for m in body["member"]]
        url = body["view"].get("next")
    assert len(seen) == len(set(seen)) == 120
    assert seen == sorted(seen)


def test_facets_sum(api: str) -> None:
    body = httpx.get(f"{api}/api/algorithms", params={"facets": "status,publicationCategory"}).json()
    for facet in body["facets"]:
        assert sum(v["count"] for v in facet["values"]) + facet["missing"] == 120


def test_law_view_csv(api: str) -> None:
    response = httpx.get(f"{api}/api/law", params={"id": "BWBR0045754", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    view = httpx.get(f"{api}/api/law", params={"id": "BWBR0045754"}).json()
    assert len(rows) == view["total"] == sum(group["count"] for group in view["groups"]) > 0


def test_search_typo(api: str) -> None:
    hits = httpx.get(f"{api}/api/search", params={"q": "data brech"}).json()["member"]
    assert hits and hits[0]["label"] == "Advising on data breach notification"


def test_organisation_completeness(api: str) -> None:
    view = httpx.get(f"{api}/api/organisation", params={"id": "Municipality of Delft"}).json()
    assert view["total"] >= 1 and 0 < view["averageShare"] <= 1
    assert all(a["filled"] + len(a["missing"]) == a["fields"] for a in view["algorithms"])
