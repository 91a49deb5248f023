"""Mutated SPARQL queries (anonymous `/sparql`), updates (`/update` with the token) and `POST /api/validate`
bodies against a real server: no 5xx but 503, no traceback in a body or the log, the server alive, the
store unchanged by a refused write; and minimal reproductions of what the fuzz found."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from loader.store import build_store
from tests.fuzz.server_fuzz import ServerFuzz
from tests.server.conftest import Server, start_server

SEED = 20261203
INPUTS = {"queries": 80, "updates": 50, "validations": 60}  # `make fuzz` runs 1,000 of each
TOKEN = "fuzz-token-0123456789abcdef"
DEEP_QUERY = "SELECT * WHERE " + "{" * 5_000 + " ?s ?p ?o " + "}" * 5_000
DEEP_UPDATE = "DELETE { ?s ?p ?o } WHERE " + "{" * 5_000 + " ?s <http://example.org/none> ?o " + "}" * 5_000
SERVICE_QUERY = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
HUGE_INTEGER_UPDATE = "INSERT DATA { <http://example.org/s> <http://example.org/p> " + "9" * 4_400 + " }"
BAD_GRAPH_UPDATES = [
    f'{verb} DATA {{ GRAPH <h,tp://example.org/edits> {{ <http://example.org/s> <http://example.org/p> "o" }} }}'
    for verb in ("INSERT", "DELETE")
] + ['DELETE DATA { GRAPH <htt\u2028p://example.org/edits> { <http://example.org/s> <http://example.org/p> "o" } }']


def _server(work: Path) -> Iterator[Server]:
    build_store(work / "store")
    env = {"ALGOKG_WRITE_TOKEN": TOKEN, "ALGOKG_CACHE": str(work / "cache")}
    with start_server(work / "store", env=env, args=["--query-timeout", "5"], log_dir=work) as server:
        yield server


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerFuzz]:
    for server in _server(tmp_path_factory.mktemp("server-fuzz")):
        fuzz = ServerFuzz(server, TOKEN, seed=SEED)
        yield fuzz
        fuzz.close()


@pytest.mark.parametrize("target", list(INPUTS))
def test_mutated_requests_are_answered_cleanly(fuzz: ServerFuzz, target: str) -> None:
    tally = getattr(fuzz, target)(INPUTS[target])
    assert tally.inputs == INPUTS[target] and tally.rejected > 0 and tally.accepted > 0
    assert tally.bad == 0, "\n".join(tally.failures)
    assert fuzz.alive()


# -- found by the fuzz (each failed before the query gate and the write workers): minimal reproductions --------


def test_a_query_nesting_5000_groups_is_a_400(fuzz: ServerFuzz) -> None:
    response = httpx.post(
        fuzz.server.url("/sparql"),
        content=DEEP_QUERY.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=120,
    )
    assert response.status_code == 400, response.text[:300]


def test_an_update_nesting_5000_groups_is_a_400_and_the_server_lives(tmp_path: Path) -> None:
    for server in _server(tmp_path):  # its own server: this one may die
        before = (server.store_dir / "current").readlink()
        try:
            response = httpx.post(
                server.url("/update"),
                content=DEEP_UPDATE.encode(),
                headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
                timeout=120,
            )
        except httpx.TransportError as error:
            pytest.fail(f"no answer: {error}; server exit code {server.process.poll()}")
        assert response.status_code == 400, response.text[:300]
        assert server.process.poll() is None and (server.store_dir / "current").readlink() == before


def test_a_service_call_to_a_refused_port_is_not_a_500(fuzz: ServerFuzz) -> None:
    response = httpx.post(
        fuzz.server.url("/sparql"),
        content=SERVICE_QUERY.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=120,
    )
    assert response.status_code < 500 and "OSError" not in response.text, response.text[:300]


@pytest.mark.parametrize("update", BAD_GRAPH_UPDATES, ids=["insert", "delete", "line-separator"])
def test_an_update_naming_a_graph_pyoxigraph_refuses_is_a_400(fuzz: ServerFuzz, update: str) -> None:
    log_size = len(fuzz.server.log())
    try:
        response = httpx.post(
            fuzz.server.url("/update"),
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
    except httpx.TransportError as error:
        pytest.fail(f"no answer: {error}")
    finally:
        fuzz.log_offset = len(fuzz.server.log())  # what this case logged is not the random fuzz's
    assert response.status_code == 400, response.text[:300]
    assert "Traceback" not in fuzz.server.log()[log_size:]


def test_an_update_with_a_huge_integer_logs_no_traceback(fuzz: ServerFuzz) -> None:
    # Found by the fuzz: rdflib logged a ValueError traceback (4,300-digit limit) converting the literal; every
    # algokg command, `serve` included, now drops rdflib's ill-typed-literal warnings (the SHACL report has them).
    log_size = len(fuzz.server.log())
    response = httpx.post(
        fuzz.server.url("/update"),
        content=HUGE_INTEGER_UPDATE.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )
    fuzz.log_offset = len(fuzz.server.log())
    assert response.status_code < 500, response.text[:300]
    assert "Traceback" not in fuzz.server.log()[log_size:]
