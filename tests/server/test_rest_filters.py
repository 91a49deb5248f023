"""Negation and combination filters of /api/algorithms and the list page, on a real server over a generated
register (benchmarks.generate, 160 records loaded into a real store): every answer's total is checked against
the SPARQL the answer shows (`?explain=sparql`, run on `/sparql`), so the index and the query must agree."""

import csv
import io
import re
from collections.abc import Callable

import httpx
import pytest

from benchmarks.http import build_store
from tests.server.conftest import Server

SIZE = 160


@pytest.fixture(scope="module")
def api(running_server: Callable[..., Server], tmp_path_factory: pytest.TempPathFactory) -> str:
    store_dir = build_store(SIZE, tmp_path_factory.mktemp("filters"))
    return running_server(store_dir).base


def get(api: str, path: str, params: list[tuple[str, str]] | dict[str, str]) -> httpx.Response:
    return httpx.get(f"{api}{path}", params=params, timeout=60)


def sparql_total(api: str, shown: dict[str, object]) -> int:
    """The count query an answer shows, run on /sparql with its bound terms written in (test side only)."""
    text = str(shown["text"])
    bindings = shown["bindings"]
    assert isinstance(bindings, dict)
    for name, term in bindings.items():
        text = re.sub(rf"(SELECT[^\n{{]*?)\s\${name}\b", r"\1", text)  # a block's projection of it
        text = re.sub(rf"\${name}\b", term, text)  # its uses
        text = re.sub(rf"\?{name}\b", "", text)  # the projections and GROUP BY of the outer levels
    text = re.sub(r"GROUP BY\s*$", "", text, flags=re.MULTILINE)
    response = httpx.post(
        f"{api}/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"}, timeout=60
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["total"]["value"])


def checked(api: str, params: list[tuple[str, str]]) -> dict[str, object]:
    """The answer for `params`, after checking its total equals its SPARQL's."""
    response = get(api, "/api/algorithms", [*params, ("explain", "sparql"), ("size", "500")])
    assert response.status_code == 200, response.text
    body = response.json()
    (count,) = [shown for shown in body["sparql"] if shown["query"] == "algorithms-count"]
    assert body["totalItems"] == sparql_total(api, count), params
    assert len(body["member"]) == body["totalItems"]
    return body


@pytest.fixture(scope="module")
def word(api: str) -> str:
    """A word of some algorithm's title (the generated texts are made of a small vocabulary)."""
    title = get(api, "/api/algorithms", {"size": "1"}).json()["member"][0]["title"]
    return max(re.findall(r"\w+", title), key=len).lower()


@pytest.fixture(scope="module")
def facets(api: str) -> dict[str, list[dict[str, object]]]:
    body = get(api, "/api/algorithms", {"facets": "all"}).json()
    return {facet["name"]: facet["values"] for facet in body["facets"]}


def test_several_values_or_within_and_across(api: str, facets: dict[str, list[dict[str, object]]]) -> None:
    first, second = facets["theme"][0]["value"], facets["theme"][1]["value"]
    one = checked(api, [("theme", str(first))])
    both = checked(api, [("theme", str(first)), ("theme", str(second))])
    assert both["totalItems"] > one["totalItems"] > 0
    ids = {m["@id"] for m in both["member"]}
    assert {m["@id"] for m in one["member"]} <= ids
    status = str(facets["status"][0]["value"])
    narrowed = checked(api, [("theme", str(first)), ("theme", str(second)), ("status", status)])
    assert 0 < narrowed["totalItems"] < both["totalItems"]
    assert all(m["status"]["@id"] == status for m in narrowed["member"])
    # the SPARQL shows one block per value: theme and theme_2
    (count,) = [s for s in narrowed["sparql"] if s["query"] == "algorithms-count"]
    assert {"theme", "theme_2", "status"} <= set(count["bindings"]) and "UNION" in count["text"]


def test_each_filter_agrees_with_its_sparql(api: str, facets: dict[str, list[dict[str, object]]], word: str) -> None:
    for name in ("organisation", "organisationType", "publicationCategory", "aiActCategory", "law", "instrument"):
        values = [str(v["value"]) for v in facets[name][:2]]
        assert values, name
        checked(api, [(name, values[0])])
        checked(api, [(name, value) for value in values])
    assert checked(api, [("q", word)])["totalItems"] > 0
    checked(api, [("q", word), ("theme", str(facets["theme"][0]["value"]))])


def test_law_or_any_of_its_articles(api: str, facets: dict[str, list[dict[str, object]]]) -> None:
    law = str(facets["law"][0]["value"])
    by_law = checked(api, [("law", law)])
    articles = get(api, "/api/articles", {"law": law, "size": "500"}).json()["member"]
    cited = set()
    for article in articles[:5]:
        body = checked(api, [("article", article["@id"])])
        cited |= {m["@id"] for m in body["member"]}
    assert cited <= {m["@id"] for m in by_law["member"]}


def test_missing_is_absence_and_repeats_mean_and(api: str) -> None:
    everything = get(api, "/api/algorithms", {}).json()["totalItems"]
    no_dpia = checked(api, [("missing", "dpia")])
    no_basis = checked(api, [("missing", "legal-basis")])
    neither = checked(api, [("missing", "dpia"), ("missing", "legal-basis")])
    assert 0 < no_dpia["totalItems"] <= everything
    assert neither["totalItems"] <= min(no_dpia["totalItems"], no_basis["totalItems"])
    assert {m["@id"] for m in neither["member"]} == {m["@id"] for m in no_dpia["member"]} & {
        m["@id"] for m in no_basis["member"]
    }
    performed = get(api, "/api/algorithms", [("instrument", "dpia")]).json()["totalItems"]
    assert no_dpia["totalItems"] >= everything - performed  # listed but not performed also lacks one
    for fria in ("fria", "iama"):
        checked(api, [("missing", fria)])


def test_published_range(api: str) -> None:
    everything = get(api, "/api/algorithms", {}).json()["totalItems"]
    early = checked(api, [("published-to", "2023-12-31")])
    late = checked(api, [("published-from", "2024-01-01")])
    assert early["totalItems"] + late["totalItems"] <= everything
    checked(api, [("published-from", "2023-01-01"), ("published-to", "2024-06-30")])


def test_facets_under_the_other_filters(api: str, facets: dict[str, list[dict[str, object]]]) -> None:
    theme = str(facets["theme"][0]["value"])
    body = get(api, "/api/algorithms", {"theme": theme, "facets": "theme,status"}).json()
    by_name = {facet["name"]: facet for facet in body["facets"]}
    # the theme facet ignores the theme filter: every theme keeps its count, to be added (OR)
    assert {v["value"]: v["count"] for v in by_name["theme"]["values"]} == {
        v["value"]: v["count"] for v in facets["theme"]
    }
    # the status facet is under the theme filter: it adds up to the selection
    status = by_name["status"]
    assert sum(v["count"] for v in status["values"]) + status["missing"] == body["totalItems"]


def test_unknown_values_are_located_400s(api: str) -> None:
    for params, parameter in (
        ({"theme": "no-such-theme"}, "theme"),
        ({"missing": "privacy"}, "missing"),
        ({"published-from": "2024-13-01"}, "published-from"),
        ({"organisation": "Gemeente Nergenshuizen"}, "organisation"),
        ({"law": "BWBR9999999"}, "law"),
        ({"size": "501"}, "size"),
    ):
        response = get(api, "/api/algorithms", params)
        assert response.status_code == 400, (params, response.text)
        problem = response.json()
        assert problem["parameter"] == parameter and parameter in problem["detail"], problem


def test_csv_is_the_whole_selection(api: str, facets: dict[str, list[dict[str, object]]]) -> None:
    theme = str(facets["theme"][0]["value"])
    total = get(api, "/api/algorithms", {"theme": theme}).json()["totalItems"]
    response = get(api, "/api/algorithms", {"theme": theme, "format": "csv", "size": "1"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == total == int(response.headers["x-total-count"])
    assert len({row["id"] for row in rows}) == total
    columns = {"law", "article", "organisation", "organisationType", "dpia", "iama", "fria", "assessmentStatus"}
    assert columns <= set(rows[0])
    assert any(row["dpia"] for row in rows) and any(row["article"] for row in rows)
    statuses = {"performed", "planned", "not-performed", "not-needed", "unknown"}
    assert all(set(row["dpia"].split(" | ")) <= statuses for row in rows if row["dpia"])
    everything = list(csv.DictReader(io.StringIO(get(api, "/api/algorithms", {"format": "csv"}).text)))
    assert len(everything) == SIZE


def test_facet_counts_as_csv(api: str) -> None:
    response = get(api, "/api/algorithms/facets", {"names": "status,theme", "format": "csv", "missing": "dpia"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {row["facet"] for row in rows} == {"status", "theme"}
    total = get(api, "/api/algorithms", {"missing": "dpia"}).json()["totalItems"]
    assert sum(int(row["count"]) for row in rows if row["facet"] == "status") == total


def test_list_page_clean_urls_and_downloads(api: str, facets: dict[str, list[dict[str, object]]], word: str) -> None:
    response = httpx.get(f"{api}/algorithms", params=[("q", word), ("theme", ""), ("sort", "")])
    assert response.status_code == 303 and response.headers["location"] == f"/algorithms?q={word}"
    page = httpx.get(f"{api}/algorithms", params={"q": word}).text
    assert "size=500" not in page and "/dumps/algorithms.csv" in page and "/api/algorithms/facets?" in page
    api_first = get(api, "/api/algorithms", {"q": word}).json()["member"][0]["@id"]
    assert api_first.rsplit("/", 1)[-1] in page.split('class="cards"')[1].split("</li>")[0]  # relevance first
    theme = [("theme", str(v["value"])) for v in facets["theme"][:2]]
    page = httpx.get(f"{api}/algorithms", params=[*theme, ("missing", "dpia")]).text
    total = get(api, "/api/algorithms", [*theme, ("missing", "dpia")]).json()["totalItems"]
    assert f"{total} algoritmes" in page
    assert page.count(" selected>") >= 2 and 'value="dpia" checked' in page


def test_index_dimension_queries_shown(api: str) -> None:
    body = get(api, "/api/algorithms", {"facets": "theme", "missing": "dpia", "explain": "sparql"}).json()
    names = {shown["query"] for shown in body["sparql"]}
    assert {"algorithms-count", "selection#algorithms", "selection#performed", "selection#facet:theme"} <= names
