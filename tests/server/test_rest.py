"""The REST API (/api/…) against a real `algokg serve` on the example store: totals, paging, filters,
facets, supervisor views, CSV, JSON-LD context, conditional GET, the SPARQL behind an answer."""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import Server, store_copy

ALG = "https://w3id.org/algokg/id/algorithm/"
COUNT = """PREFIX akg: <https://w3id.org/algokg/def#>
SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a akg:Algorithm ; akg:status <https://w3id.org/algokg/id/register-status/in-gebruik> }"""


@pytest.fixture(scope="module")
def api(running_server: Callable[..., Server], example_store: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    # A private copy: the search index is written beside the store on first use.
    return running_server(store_copy(example_store, tmp_path_factory.mktemp("rest"))).base


def get(api: str, path: str, **params: object) -> httpx.Response:
    return httpx.get(f"{api}{path}", params=params, timeout=30)  # type: ignore[arg-type]


def sparql_count(api: str, query: str) -> int:
    response = httpx.post(f"{api}/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_total_is_exact_and_matches_sparql(api: str) -> None:
    body = get(api, "/api/algorithms", status="in-gebruik").json()
    assert body["totalItems"] == sparql_count(api, COUNT) == 2
    assert body["@type"] == "Collection"
    assert {m["identifier"] for m in body["member"]} == {"00000001", "00000002"}


def test_pagination_is_consistent(api: str) -> None:
    seen = []
    response = get(api, "/api/algorithms", size=2, sort="id")
    assert 'rel="next"' in response.headers["link"] and 'rel="last"' in response.headers["link"]
    body = response.json()
    assert body["view"]["@type"] == "PartialCollectionView" and "previous" not in body["view"]
    seen += [m["identifier"] for m in body["member"]]
    second = httpx.get(body["view"]["next"]).json()
    seen += [m["identifier"] for m in second["member"]]
    assert second["view"]["@id"] == body["view"]["last"] and "next" not in second["view"]
    assert seen == ["00000001", "00000002", "00000003"]
    descending = get(api, "/api/algorithms", sort="-id").json()
    assert [m["identifier"] for m in descending["member"]] == ["00000003", "00000002", "00000001"]


def test_filters_combine(api: str) -> None:
    assert get(api, "/api/algorithms", theme="sociale-zekerheid").json()["totalItems"] == 1
    both = get(api, "/api/algorithms", theme="sociale-zekerheid", status="buiten-gebruik").json()
    assert both["totalItems"] == 0 and both["member"] == []
    law = get(api, "/api/algorithms", law="http://data.europa.eu/eli/reg/2016/679/oj", instrument="iama").json()
    assert [m["identifier"] for m in law["member"]] == ["00000002"]
    risk = get(api, "/api/algorithms", aiActCategory="annex-iii/5").json()  # the area counts its points
    assert [m["identifier"] for m in risk["member"]] == ["00000001"]


def test_bad_filter_is_a_located_problem(api: str) -> None:
    response = get(api, "/api/algorithms", law="not a law")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["parameter"] == "law"
    assert get(api, "/api/algorithms", sort="colour").status_code == 400


def test_facets_sum_to_the_total(api: str) -> None:
    body = get(api, "/api/algorithms", facets="all").json()
    facets = {facet["name"]: facet for facet in body["facets"]}
    for single in ("status", "publicationCategory", "aiActCategory"):
        facet = facets[single]
        assert sum(v["count"] for v in facet["values"]) + facet["missing"] == body["totalItems"], single
    assert {v["label"]: v["count"] for v in facets["status"]["values"]} == {"In gebruik": 2, "Buiten gebruik": 1}
    # A facet is counted under the *other* filters: its own filter leaves the siblings to add (OR) ...
    narrowed = get(api, "/api/algorithms/facets", names="status", status="in-gebruik").json()["facets"][0]
    assert [v["count"] for v in narrowed["values"]] == [2, 1]
    # ... and another filter narrows it.
    narrowed = get(api, "/api/algorithms/facets", names="publicationCategory", status="in-gebruik").json()
    assert sum(v["count"] for v in narrowed["facets"][0]["values"]) + narrowed["facets"][0]["missing"] == 2


def test_search_finds_a_typo(api: str) -> None:
    hits = get(api, "/api/search", q="bijstandsaanvrgen").json()["member"]
    assert hits[0]["@id"] == ALG + "00000001" and hits[0]["score"] > 0
    found = get(api, "/api/algorithms", q="parkeerdruk").json()
    assert [m["identifier"] for m in found["member"]] == ["00000003"] and found["sort"] == "relevance"


def test_text_score_in_sparql(api: str) -> None:
    query = """PREFIX akg: <https://w3id.org/algokg/def#>
    SELECT (COUNT(?a) AS ?n) WHERE { ?a a akg:Algorithm . FILTER (akg:textScore(?a, "afvalinzamling") > 0) }"""
    assert sparql_count(api, query) == 1


def test_csv_parses(api: str) -> None:
    response = get(api, "/api/algorithms", format="csv", sort="id")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["identifier"] for row in rows] == ["00000001", "00000002", "00000003"]
    assert response.headers["x-total-count"] == "3"


def test_conditional_get(api: str) -> None:
    first = get(api, "/api/laws")
    assert first.status_code == 200 and first.headers["etag"].startswith('"gen-')
    again = httpx.get(f"{api}/api/laws", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = httpx.get(f"{api}/api/laws", headers={"If-None-Match": first.headers["etag"], "Accept": "text/csv"})
    assert other.status_code == 200  # another representation, another tag


def test_law_supervisor_view_and_csv(api: str) -> None:
    view = get(api, "/api/law", id="BWBR0005537").json()
    assert view["@type"] == "Law" and view["total"] == 1
    group = view["groups"][0]
    assert group["riskGroups"][0]["riskLevel"]["@id"].endswith("high-risk-annex-iii")
    assert view["articles"][0]["@id"].endswith("/artikel/3:2")
    article = get(api, "/api/law", id="BWBR0005537/artikel/3:2").json()
    assert article["@type"] == "Article" and article["total"] == 1
    rows = list(csv.DictReader(io.StringIO(get(api, "/api/law", id="BWBR0005537", format="csv").text)))
    assert [row["identifier"] for row in rows] == ["00000001"]
    assert get(api, "/api/law", id="BWBR9999999").status_code == 404


def test_organisation_completeness(api: str) -> None:
    view = get(api, "/api/organisation", id="https://w3id.org/algokg/id/example/noorderhaaks").json()
    assert view["total"] == 3 and view["reconciled"] is False  # a fictitious example organisation: no TOOI IRI
    shares = {a["identifier"]: a["share"] for a in view["algorithms"]}
    assert 0 < shares["00000003"] < shares["00000001"] <= 1
    assert all(a["filled"] + len(a["missing"]) == a["fields"] for a in view["algorithms"])


def test_collections(api: str) -> None:
    organisations = get(api, "/api/organisations").json()
    assert organisations["member"][0]["algorithms"] == 3
    laws = {law["@id"]: law["algorithms"] for law in get(api, "/api/laws").json()["member"]}
    assert laws["http://data.europa.eu/eli/reg/2016/679/oj"] == 1
    assessments = get(api, "/api/assessments", instrument="dpia").json()
    assert assessments["totalItems"] == 1 and assessments["member"][0]["performed"] is True
    categories = {c["@id"]: c["algorithms"] for c in get(api, "/api/aiact-categories", size=200).json()["member"]}
    assert categories["https://w3id.org/algokg/id/annex-iii/5-a"] == 1
    assert get(api, "/api/values").json()["totalItems"] > 0


def test_explain_shows_the_sparql_and_bindings(api: str) -> None:
    body = get(api, "/api/algorithms", theme="verkeer", explain="sparql").json()
    count = body["sparql"][0]
    assert count["query"] == "algorithms-count" and "$theme" in count["text"]
    assert count["bindings"] == {"theme": "<https://w3id.org/algokg/id/register-theme/verkeer>"}
    assert "sparql" not in get(api, "/api/algorithms").json()


def test_context_is_published(api: str) -> None:
    body = get(api, "/api/algorithms").json()
    context = httpx.get(body["@context"])
    assert context.status_code == 200 and context.headers["content-type"].startswith("application/ld+json")
    terms = context.json()["@context"]
    assert {"member", "totalItems", "view", "title"} <= set(terms)


def test_openapi_lists_the_routes(api: str) -> None:
    paths = get(api, "/openapi.json").json()["paths"]
    assert {"/api/algorithms", "/api/search", "/api/law", "/api/validate"} <= set(paths)
