"""Request bodies the server parses as RDF or register JSON: nothing a body says can make it expand,
recurse or crash (issue 12, points 6 and 11), against a real server and store."""

import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import Server, store_copy

TOKEN = "test-token-parser-hardening"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "http://example.org/hardening"
BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY e0 "dddddddddd">\n'
    + "\n".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10))
    + '\n]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="http://example.org/a"><rdf:value>&e9;</rdf:value></rdf:Description></rdf:RDF>'
)
DEEP_JSON_LD = '{"@id": "http://example.org/a", "http://example.org/p": ' + '{"http://example.org/p": ' * 10_000
DEEP_JSON_LD += '"x"' + "}" * 10_001


@pytest.fixture(scope="module")
def writable(
    running_server: Callable[..., Server], example_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Server:
    store_dir = store_copy(example_store, tmp_path_factory.mktemp("hardening"))
    return running_server(store_dir, env={"ALGOKG_WRITE_TOKEN": TOKEN})


def _generation(server: Server) -> str:
    return os.readlink(server.store_dir / "current")


def _alive(server: Server) -> bool:
    return server.process.poll() is None and httpx.get(server.url("/health"), timeout=30).status_code == 200


def test_put_store_refuses_rdfxml_entity_expansion(writable: Server) -> None:
    before = _generation(writable)
    response = httpx.put(
        writable.url(f"/store?graph={GRAPH}"),
        content=BOMB.encode(),
        headers={"Content-Type": "application/rdf+xml", **AUTH},
        timeout=120,
    )
    assert response.status_code == 400, response.text[:300]
    problem = response.json()
    assert problem["line"] == 4 and "refers to other entities" in problem["detail"]
    assert _generation(writable) == before and _alive(writable)


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_deep_json_ld_is_a_400_not_a_dead_server(writable: Server, method: str) -> None:
    # 10,000 nested objects overflowed pyoxigraph's JSON-LD parser in the server process: it died.
    before = _generation(writable)
    response = httpx.request(
        method,
        writable.url(f"/store?graph={GRAPH}"),
        content=DEEP_JSON_LD.encode(),
        headers={"Content-Type": "application/ld+json", **AUTH},
        timeout=120,
    )
    assert response.status_code == 400, response.text[:300]
    assert "nested deeper than 64" in response.json()["detail"]
    assert _generation(writable) == before and _alive(writable)


@pytest.mark.parametrize(
    ("media_type", "body", "expected"),
    [
        ("application/json", '{"schema": "1.0", "name": ' + "[" * 50_000 + "]" * 50_000 + "}", "nested deeper"),
        ("application/ld+json", DEEP_JSON_LD, "nested deeper"),
        ("application/json", '{"schema": "1.0", "name": "x", "n": ' + "9" * 5000 + "}", "a number of 5,000"),
        ("application/json", '{"schema": "1.0", "name": "\\ud800"}', "lone surrogate"),
    ],
    ids=["json-50000-deep", "json-ld-10000-deep", "huge-int", "lone-surrogate"],
)
def test_validate_answers_unreadable_bodies_with_a_located_422(
    writable: Server, media_type: str, body: str, expected: str
) -> None:
    # The 50,000-deep JSON was a plain-text 500 on this public endpoint.
    response = httpx.post(
        writable.url("/api/validate"), content=body.encode(), headers={"Content-Type": media_type}, timeout=120
    )
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert expected in response.json()["detail"]
    assert _alive(writable)
    assert "Traceback" not in writable.log()
