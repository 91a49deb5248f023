"""POST /api/validate: a record in, the SHACL report out, nothing stored."""

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import Server

RECORD = {
    "schema": "1.0",
    "name": "Voorbeeld",
    "organization": "Gemeente Noorderhaaks",
    "status": "in gebruik",
    "description_short": "Een korte omschrijving.",
    "publication_category": "onbekende categorie",
}


@pytest.fixture(scope="module")
def api(running_server: Callable[..., Server], example_store: Path) -> str:
    return running_server(example_store).base


def test_a_bad_record_is_rejected_with_a_located_message(api: str) -> None:
    response = httpx.post(
        f"{api}/api/validate", content=json.dumps(RECORD), headers={"Content-Type": "application/json"}, timeout=60
    )
    assert response.status_code == 200
    report = response.json()
    assert report["conforms"] is False and report["counts"]["Violation"] > 0
    fields = {field["field"] for record in report["records"] for field in record["fields"]}
    assert "publication_category" in fields
    text = httpx.post(
        f"{api}/api/validate",
        content=json.dumps(RECORD),
        headers={"Content-Type": "application/json", "Accept": "text/plain"},
        timeout=60,
    )
    assert text.headers["content-type"].startswith("text/plain") and "publication" in text.text.lower()


def test_unreadable_and_unsupported_bodies(api: str) -> None:
    unversioned = {key: value for key, value in RECORD.items() if key != "schema"}
    response = httpx.post(f"{api}/api/validate", json=unversioned, timeout=60)
    assert response.status_code == 422 and response.json()["field"] == "standard_version"
    broken = httpx.post(f"{api}/api/validate", content=b"<a> <b> .", headers={"Content-Type": "text/turtle"})
    assert broken.status_code == 422 and broken.headers["content-type"].startswith("application/problem+json")
    assert httpx.post(f"{api}/api/validate", content=b"x", headers={"Content-Type": "image/png"}).status_code == 415


def test_json_nested_50000_deep_is_a_located_422_not_a_crash(api: str) -> None:
    """Read in a worker within the loader's limits, as `algokg load` reads it: before, the JSON parser's
    RecursionError was a plain-text 500."""
    body = b'{"schema": "1.0", "name":\n  ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = httpx.post(f"{api}/api/validate", content=body, headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    # The 65th bracket (the default limit is 64): the record's "{" is the 1st.
    assert "at column 66: arrays and objects nested deeper than 64 (ALGOKG_MAX_NESTING)" in problem["detail"]
    assert problem["line"] == 2
    assert httpx.get(f"{api}/health", timeout=10).status_code == 200


@pytest.mark.parametrize("answer", ["text/csv", "application/json", "text/plain", "text/turtle"])
def test_reports_name_the_request_body_not_a_path_of_the_server(api: str, answer: str) -> None:
    """The report named the worker's temporary file (`/tmp/algokg-validate-…/record.json`) in CSV, text and Turtle."""
    response = httpx.post(
        f"{api}/api/validate",
        content=json.dumps(RECORD),
        headers={"Content-Type": "application/json", "Accept": answer},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert "algokg-validate-" not in response.text and "/tmp" not in response.text
    if answer == "text/csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows and {row["file"] for row in rows} == {"the request body"}
    elif answer == "application/json":
        assert {record["file"] for record in response.json()["records"]} == {"the request body"}
    else:
        assert "the request body" in response.text
