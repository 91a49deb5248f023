"""Writes against a real `algokg serve`: the token, the SHACL gate, the Graph Store Protocol basics, the lock."""

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from sparql_api.writes import WRITE_LOCK_WAIT
from tests.server.conftest import Server, store_copy

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "https://w3id.org/algokg/id/example/"
PREFIXES = """
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX ex: <https://w3id.org/algokg/id/example/>
"""
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def writable(
    running_server: Callable[..., Server], example_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Server:
    """A server with a write token on a private copy of the example store."""
    store_dir = store_copy(example_store, tmp_path_factory.mktemp("writable"))
    return running_server(store_dir, env={"ALGOKG_WRITE_TOKEN": TOKEN})


def _update(server: Server, update: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        server.url("/update"),
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", **(AUTH if headers is None else headers)},
        timeout=60,
    )


def _select_one(base: str, query: str) -> str:
    response = httpx.post(f"{base}/sparql", data={"query": query}, headers={"Accept": "text/csv"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.text.splitlines()[1]


def _state(server: Server) -> tuple[str, str, list[str]]:
    """The current generation, the number of quads, and the generation directories."""
    generations = sorted(p.name for p in server.store_dir.glob("gen-*"))
    return os.readlink(server.store_dir / "current"), _select_one(server.base, COUNT_ALL), generations


# -- who may write -----------------------------------------------------------------------------------------------


def test_without_a_configured_token_writes_are_403_and_reads_work(server: str) -> None:
    update = httpx.post(f"{server}/update", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert update.status_code == 403
    assert update.headers["content-type"].startswith("application/problem+json")
    assert "read-only" in update.json()["detail"]
    put = httpx.put(f"{server}/store?graph=http://example.org/g", content=b"", headers={"Content-Type": "text/turtle"})
    assert put.status_code == 403
    # Reads need no token.
    ontology = "https://w3id.org/algokg/graph/model/ontology/algokg"
    assert httpx.head(f"{server}/store", params={"graph": ontology}).status_code == 200


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic dXNlcjpwYXNz"])
def test_a_missing_or_wrong_token_is_401_with_a_bearer_challenge(writable: Server, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    before = _state(writable)
    response = _update(writable, "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }", headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401
    delete = httpx.delete(writable.url("/store"), params={"graph": EX + "x"}, headers=headers)
    assert delete.status_code == 401
    assert _state(writable) == before


# -- the SHACL gate ----------------------------------------------------------------------------------------------


def test_a_record_missing_required_fields_is_refused_and_the_store_is_unchanged(writable: Server) -> None:
    before = _state(writable)
    response = _update(
        writable,
        PREFIXES
        + """INSERT DATA { GRAPH <http://example.org/edits> {
            ex:registration-new a akg:Registration , akg:Registration_1_0 ;
                akg:registers <https://w3id.org/algokg/id/algorithm/00000001> ; akg:standardVersion "1.0" } }""",
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["violations"] >= 1
    record = problem["report"]["records"][0]
    assert record["record"] == EX + "registration-new"
    assert record["algorithm_id"] == "00000001"
    fields = {group["field"] for group in record["fields"]}
    assert {"name", "description_short", "contact_email"} <= fields
    assert "Naam" in problem["report_text"]["nl"] and "Name" in problem["report_text"]["en"]
    # Nothing written: same generation, same data, and the refused generation is gone.
    assert _state(writable) == before


def test_removing_a_required_field_is_refused(writable: Server) -> None:
    before = _state(writable)
    response = _update(writable, PREFIXES + "DELETE WHERE { GRAPH ?g { ex:registration-1b dct:title ?title } }")
    assert response.status_code == 422, response.text
    [record] = response.json()["report"]["records"]
    assert record["record"] == EX + "registration-1b"
    assert [group["field"] for group in record["fields"]] == ["name"]
    assert _state(writable) == before


def test_a_valid_record_is_written_visible_and_has_provenance(writable: Server) -> None:
    generation, count, _ = _state(writable)
    # A new registration with every field of a valid one, in its own graph.
    response = _update(
        writable,
        PREFIXES
        + """INSERT { GRAPH <http://example.org/edits> { ex:registration-copy ?p ?o } }
             WHERE { GRAPH ?g { ex:registration-1b ?p ?o } }""",
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["changed"] and result["graphs"] == ["http://example.org/edits"] and result["added"] > 5
    after_generation, after_count, _ = _state(writable)
    assert after_generation != generation and after_generation == result["generation"]
    assert int(after_count) > int(count)
    title = _select_one(writable.base, PREFIXES + "SELECT ?t WHERE { ex:registration-copy dct:title ?t }")
    assert title == "Signalering bijstandsaanvragen (voorbeeld)"
    provenance = f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?label WHERE {{ GRAPH <https://w3id.org/algokg/graph/provenance> {{
            <{result["provenance"]}> a prov:Activity ; prov:startedAtTime ?t ; rdfs:label ?label ;
                prov:wasAssociatedWith <https://w3id.org/algokg/id/agent/write-token-holder> .
            <http://example.org/edits> prov:wasInfluencedBy <{result["provenance"]}> }} }}"""
    provenance = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + provenance
    assert _select_one(writable.base, provenance).startswith("SPARQL Update: ")


def test_a_write_that_changes_nothing_makes_no_generation(writable: Server) -> None:
    before = _state(writable)
    response = _update(writable, "DELETE DATA { <http://example.org/none> <http://example.org/p> 1 }")
    assert response.status_code == 200
    assert response.json()["changed"] is False
    assert _state(writable) == before


def test_update_errors_are_located_400s(writable: Server) -> None:
    syntax = _update(writable, "INSERT DATA {\n  <http://example.org/s> <http://example.org/p> }")
    assert syntax.status_code == 400
    assert syntax.json()["line"] == 2
    load = _update(writable, "LOAD <http://127.0.0.1:9/data.ttl>")
    assert load.status_code == 400 and "LOAD" in load.json()["detail"]
    missing = _update(writable, "DROP GRAPH <http://example.org/never-there>")
    assert missing.status_code == 400 and "does not exist" in missing.json()["detail"]
    assert httpx.get(writable.url("/update"), params={"update": "CLEAR ALL"}).status_code == 405


# -- Graph Store Protocol ----------------------------------------------------------------------------------------

GRAPH = "http://example.org/gsp/person"
PERSON = NamedNode("http://example.org/person/1")
NAME = NamedNode("http://xmlns.com/foaf/0.1/name")


def _graph(server: Server, accept: str = "text/turtle") -> set[Triple]:
    response = httpx.get(server.url("/store"), params={"graph": GRAPH}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    media_format = RdfFormat.from_media_type(accept)
    return {q.triple for q in parse(response.content, format=media_format, base_iri=GRAPH)}


def _put(server: Server, turtle: str, method: str = "PUT") -> httpx.Response:
    return httpx.request(
        method,
        server.url("/store"),
        params={"graph": GRAPH},
        content=turtle.encode(),
        headers={"Content-Type": "text/turtle", **AUTH},
        timeout=60,
    )


def test_graph_store_put_post_get_delete(writable: Server) -> None:
    assert httpx.get(writable.url("/store"), params={"graph": GRAPH}).status_code == 404
    assert httpx.head(writable.url("/store"), params={"graph": GRAPH}).status_code == 404

    assert _put(writable, '<http://example.org/person/1> <http://xmlns.com/foaf/0.1/name> "John" .').status_code == 201
    assert _graph(writable) == {Triple(PERSON, NAME, Literal("John"))}
    # PUT replaces.
    assert _put(writable, '<http://example.org/person/1> <http://xmlns.com/foaf/0.1/name> "Jane" .').status_code == 204
    assert _graph(writable) == {Triple(PERSON, NAME, Literal("Jane"))}
    # POST merges.
    merged = _put(writable, '<http://example.org/person/1> <http://xmlns.com/foaf/0.1/nick> "J" .', method="POST")
    assert merged.status_code == 200 and merged.json()["added"] == 1
    expected = {
        Triple(PERSON, NAME, Literal("Jane")),
        Triple(PERSON, NamedNode("http://xmlns.com/foaf/0.1/nick"), Literal("J")),
    }
    for accept in ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"):
        assert _graph(writable, accept) == expected
    head = httpx.head(writable.url("/store"), params={"graph": GRAPH})
    assert head.status_code == 200 and head.headers["content-type"].startswith("text/turtle") and not head.content
    # DELETE removes; a second DELETE finds nothing.
    deleted = httpx.delete(writable.url("/store"), params={"graph": GRAPH}, headers=AUTH, timeout=60)
    assert deleted.status_code == 200 and deleted.json()["removed"] == 2
    assert httpx.get(writable.url("/store"), params={"graph": GRAPH}).status_code == 404
    assert httpx.delete(writable.url("/store"), params={"graph": GRAPH}, headers=AUTH).status_code == 404


def test_graph_store_refuses_what_it_cannot_read(writable: Server) -> None:
    before = _state(writable)
    broken = _put(writable, "<http://example.org/s> <http://example.org/p> .\n")
    assert broken.status_code == 400 and broken.json()["line"] == 1
    wrong_type = httpx.put(
        writable.url("/store"), params={"graph": GRAPH}, content=b"{}", headers={"Content-Type": "image/png", **AUTH}
    )
    assert wrong_type.status_code == 415
    both = httpx.get(writable.url("/store"), params={"graph": GRAPH, "default": ""})
    assert both.status_code == 400
    assert (
        httpx.get(writable.url("/store"), params={"graph": GRAPH}, headers={"Accept": "image/png"}).status_code == 406
    )
    assert _state(writable) == before


def test_a_graph_store_write_passes_the_shacl_gate_too(writable: Server) -> None:
    before = _state(writable)
    response = httpx.post(
        writable.url("/store"),
        params={"graph": "http://example.org/gsp/records"},
        content=f"<{EX}registration-gsp> a <https://w3id.org/algokg/def#Registration_1_0> .".encode(),
        headers={"Content-Type": "text/turtle", **AUTH},
        timeout=60,
    )
    assert response.status_code == 422
    assert response.json()["report"]["records"][0]["record"] == EX + "registration-gsp"
    assert _state(writable) == before


# -- one writer at a time ----------------------------------------------------------------------------------------


def test_a_write_while_another_writer_holds_the_lock_waits_then_503(writable: Server) -> None:
    before = _state(writable)
    with (writable.store_dir / ".lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another writer: this test process
        started = time.monotonic()
        response = _update(writable, "INSERT DATA { <http://example.org/s> <http://example.org/p> 2 }")
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert waited >= WRITE_LOCK_WAIT
    assert _state(writable) == before
    # The lock is free again: the same write goes through.
    assert _update(writable, "INSERT DATA { <http://example.org/s> <http://example.org/p> 2 }").status_code == 200


def test_the_default_graph_is_the_unnamed_graph_even_where_a_named_graph_repeats_a_triple(writable: Server) -> None:
    triple = '<http://example.org/person/9> <http://xmlns.com/foaf/0.1/name> "Both" .'
    put_default = httpx.put(
        writable.url("/store"), params={"default": ""}, content=triple.encode(),
        headers={"Content-Type": "text/turtle", **AUTH}, timeout=60,
    )  # fmt: skip
    assert put_default.status_code in {201, 204}, put_default.text
    assert _put(writable, triple).status_code == 201  # the same triple in a named graph as well
    response = httpx.get(writable.url("/store"), params={"default": ""}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    read = {q.triple for q in parse(response.content, format=RdfFormat.N_TRIPLES)}
    assert Triple(NamedNode("http://example.org/person/9"), NAME, Literal("Both")) in read
    assert not any(t.subject == PERSON for t in read), "named graphs' triples stay out of the default graph"
    for params in ({"graph": GRAPH}, {"default": ""}):
        assert httpx.delete(writable.url("/store"), params=params, headers=AUTH, timeout=60).status_code == 200


def test_a_written_registration_becomes_the_current_state(writable: Server) -> None:
    """Current state is derived data: a write that adds or edits a registration recomputes it."""
    current = (
        PREFIXES
        + """SELECT ?t WHERE { GRAPH ?state {
            ?alg akg:currentRegistration ex:registration-edit ; dct:title ?t } }"""
    )
    inserted = _update(
        writable,
        PREFIXES
        + """INSERT { GRAPH <http://example.org/edits-2> { ex:registration-edit ?p ?o } }
             WHERE { GRAPH ?g { ex:registration-1b ?p ?o } }""",
    )
    assert inserted.status_code == 200, inserted.text
    assert _select_one(writable.base, current) == "Signalering bijstandsaanvragen (voorbeeld)"
    edited = _update(
        writable,
        PREFIXES
        + """WITH <http://example.org/edits-2>
             DELETE { ex:registration-edit dct:title ?old } INSERT { ex:registration-edit dct:title "Nieuwe titel"@nl }
             WHERE { ex:registration-edit dct:title ?old }""",
    )
    assert edited.status_code == 200, edited.text
    assert _select_one(writable.base, current) == "Nieuwe titel"
