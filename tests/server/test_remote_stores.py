"""The API on remote stores: `oxigraph serve` and Virtuoso, each filled by `algokg publish`, answer like the
embedded store, and take from the public no more than queries.

One source store (the example dataset plus the register's 120-record sample from ../shared; without it the
tests that need it skip) is served embedded and published to each remote store — Virtuoso set up as
`docs/scale-out.md` says, `algokg publish` writing as its own account; a server started with `--remote`
answers from that store. Every request of the suite goes to both and the answers are compared: status, media
type and body (JSON as data, RDF as sorted lines). Where Virtuoso evaluates a query differently (its own SPARQL
quirks, measured here), the case is an expected failure that names the quirk — checked to still differ in the
known way, so a fix shows up as a failure asking to remove the quirk.
"""

import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from benchmarks.remote_stores import (
    ANONYMOUS_READS_ONLY,
    ANONYMOUS_UPDATES,
    NO_VIRTUOSO,
    VIRTUOSO,
    oxigraph_server,
    publisher_url,
    virtuoso_server,
    virtuoso_sql,
)
from loader.publish import publish
from loader.remote import CONTROL_GRAPH, RemoteStore, RemoteStoreError, control_triples
from loader.store import open_store
from tests.conftest import shared_path
from tests.http_stub import counting
from tests.server.conftest import Server, start_server, store_copy

REPO = Path(__file__).resolve().parents[2]
BACKENDS = ["oxigraph", "virtuoso"]
CURRENT_EN = "https://w3id.org/algokg/graph/derived/current/en"
TITLE = "http://purl.org/dc/terms/title"

# Virtuoso 7.2.5 (Debian) answers these differently from the SPARQL 1.1 semantics Oxigraph follows; each
# was traced to one construct, so the REST query can be reformulated once there is a portable form.
VIRTUOSO_QUIRKS = {
    "describe": "DESCRIBE: what it returns is up to the store (SPARQL 1.1 §16.4); Virtuoso adds other statements",
    "gaps": "judges performed assessments wrongly through `akg:instrument/skos:broader* ?missing` inside FILTER"
    " NOT EXISTS, with ?missing from an outer VALUES: plan-dependent, 104 to 119 findings for the same data across"
    " fresh instances (the embedded store: 104), and in some instances IAMA gaps left out",
}

PATHS = [
    ("/api/algorithms?size=5", None),
    ("/api/algorithms?size=5&page=3&sort=-id", None),
    ("/api/algorithms/facets", None),
    ("/api/algorithms?format=csv&size=10", None),
    ("/api/algorithms?q=risk&size=5", None),
    ("/api/search?q=parking", None),
    ("/api/search?q=risk&kind=algorithm", None),
    ("/api/organisations", None),
    ("/api/laws", None),
    ("/api/articles", None),
    ("/api/assessments", None),
    ("/api/aiact-categories", None),
    ("/api/values", None),
    ("/api/reports", None),
    ("/api/reports/assessment-gaps", "gaps"),
    ("/api/reports/fria-missing", None),
    ("/api/reports/stale-law-links", None),
    ("/", None),
    ("/dashboard", None),
    ("/.well-known/void", None),
    ("/def", None),
    ("/algorithms?size=5", None),
]
QUERIES = [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "PREFIX akg: <https://w3id.org/algokg/def#> SELECT ?a ?id WHERE { ?a a akg:Algorithm ; akg:algorithmId ?id }"
    " ORDER BY ?id LIMIT 20",
    "ASK { ?s a <https://w3id.org/algokg/def#Algorithm> }",
    "PREFIX akg: <https://w3id.org/algokg/def#> CONSTRUCT { ?a akg:algorithmId ?id } WHERE { ?a akg:algorithmId ?id }",
    "DESCRIBE <https://w3id.org/algokg/def#Algorithm>",
]
ACCEPTS = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml", "text/turtle"]


# -- the stores and servers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source_store(tmp_path_factory: pytest.TempPathFactory, example_store: Path) -> Path:
    """The example dataset and the register's sample: what the comparisons were measured on (skip without it)."""
    sample = shared_path("samples", "register_export_v1.0_ENG_sample.csv")
    store_dir = store_copy(example_store, tmp_path_factory.mktemp("remote-source"))
    load = [sys.executable, "-m", "loader.cli", "load", "--store", str(store_dir), str(sample)]
    subprocess.run(load, check=True, capture_output=True, cwd=REPO)
    return store_dir


@pytest.fixture(scope="module")
def embedded(running_server: Callable[..., Server], source_store: Path) -> Server:
    return running_server(source_store)


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(name, query endpoint URL) of a running remote store, empty."""
    if request.param == "virtuoso" and VIRTUOSO is None:
        pytest.skip(NO_VIRTUOSO)
    start = oxigraph_server if request.param == "oxigraph" else virtuoso_server
    with start(tmp_path_factory.mktemp(request.param)) as url:
        yield request.param, url


@pytest.fixture(scope="module")
def published(backend: tuple[str, str], source_store: Path) -> tuple[str, str]:
    remote = RemoteStore(publisher_url(backend[1]))  # Virtuoso: the publishing account, not the readers' one
    try:
        publish(source_store, remote)
    finally:
        remote.close()
    return backend


@pytest.fixture(scope="module")
def remote_api(
    published: tuple[str, str], running_server: Callable[..., Server], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Server]:
    cache = tmp_path_factory.mktemp("remote-cache") / "cache"
    return published[0], running_server(cache, env={"ALGOKG_REMOTE_REFRESH": "0"}, args=["--remote", published[1]])


# -- comparing answers -----------------------------------------------------------------------------------------

_FRACTION = re.compile(r"(\.\d*?)0+(Z|[+-]\d\d:\d\d)\"")


def _normal(text: str, base: str) -> str:
    """The body with the server's own address taken out and xsd:dateTime fractions without trailing zeros
    (Virtuoso stores date-times as values and writes `.388250Z` for `.38825Z`: the same value)."""
    text = text.replace(base, "BASE")
    return _FRACTION.sub(lambda m: (m[1].rstrip(".") if m[1] != "." else "") + m[2] + '"', text)


def _body(response: httpx.Response, base: str) -> object:
    text = _normal(response.text, base)
    media = response.headers.get("content-type", "").partition(";")[0]
    if media.endswith("json"):
        return json.loads(text)
    if media in ("text/turtle", "application/n-triples", "text/csv", "application/sparql-results+xml"):
        return sorted(text.splitlines())  # same statements/rows; stores may order unordered answers differently
    return text


def _answer(server: Server, path: str, **arguments: object) -> tuple[int, str, object]:
    response = httpx.get(server.url(path), timeout=60, **arguments)  # type: ignore[arg-type]
    return response.status_code, response.headers.get("content-type", ""), _body(response, server.base)


def _same(embedded: Server, remote: tuple[str, Server], path: str, quirk: str | None, **arguments: object) -> None:
    name, server = remote
    expected = _answer(embedded, path, **arguments)
    assert expected[0] == 200, expected
    answer = _answer(server, path, **arguments)
    if name == "virtuoso" and quirk == "gaps":
        # Virtuoso's plan decides whether it answers alike; when it does not, it errs only in the known construct.
        if answer != expected:
            _only_assessment_findings_differ(expected, answer)
            pytest.xfail(f"Virtuoso {VIRTUOSO_QUIRKS[quirk]}")
    elif name == "virtuoso" and quirk is not None:
        # Strict: the day Virtuoso answers alike, this fails and the quirk comes off the list.
        assert answer != expected, f"Virtuoso now answers {path} alike: remove the quirk {quirk!r}"
        pytest.xfail(f"Virtuoso {VIRTUOSO_QUIRKS[quirk]}")
    assert answer == expected


def _only_assessment_findings_differ(expected: tuple[int, str, object], answer: tuple[int, str, object]) -> None:
    """The findings differ only in IAMA/DPIA gaps, the quirk's construct: Virtuoso's plan decides whether it sees
    a performed assessment (an extra gap, or in some instances a gap left out: 3-5 IAMA gaps missing in ~1
    of 5 fresh instances, 6 December) and the reason of one not performed (inside the same OPTIONAL); every other
    finding is the same, and so is everything around the findings."""
    assert answer[:2] == expected[:2]
    assert isinstance(expected[2], dict) and isinstance(answer[2], dict)
    ours, theirs = expected[2]["member"], answer[2]["member"]
    only_ours = [finding for finding in ours if finding not in theirs]
    only_theirs = [finding for finding in theirs if finding not in ours]
    assert {finding["kind"] for finding in only_ours + only_theirs} <= {"iama", "dpia"}, (only_ours, only_theirs)
    assert {k: v for k, v in answer[2].items() if k not in ("member", "totalItems")} == {
        k: v for k, v in expected[2].items() if k not in ("member", "totalItems")
    }


def _load_one_more_source(store_dir: Path, tmp_path: Path) -> None:
    """A new generation with one more (tiny) source graph, as a new export would add."""
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n", encoding="utf-8")
    load = [sys.executable, "-m", "loader.cli", "load", "--store", str(store_dir), "--no-validate", str(extra)]
    subprocess.run(load, check=True, capture_output=True, cwd=REPO)


def _graph_sizes(store_dir: Path) -> dict[str, int]:
    """Triples per named graph of the store's current generation."""
    store = open_store(store_dir)
    return {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in store.named_graphs()}


def _remote_graph_sizes(remote: RemoteStore, graphs: list[str] | None = None) -> dict[str, int]:
    """Triples per named graph of the remote store (only `graphs`, when given)."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    dataset = {} if graphs is None else {"default_graphs": graphs, "named_graphs": graphs}
    return {row["g"].value: int(row["n"].value) for row in remote.select(query, **dataset)}


# -- publishing -----------------------------------------------------------------------------------------------


def test_publish_sends_every_graph_then_only_changes(published: tuple[str, str], source_store: Path) -> None:
    remote = RemoteStore(published[1])
    try:
        state = remote.control()
        assert state.version == (source_store / "current").resolve().name
        assert state.publishing is None
        again = publish(source_store, remote)
        assert (again.sent, again.dropped) == ([], []) and again.unchanged == len(state.graphs)
        counts = _remote_graph_sizes(remote, list(state.graphs))
    finally:
        remote.close()
    assert counts == _graph_sizes(source_store)


def test_a_new_load_publishes_only_the_graphs_it_changed(source_store: Path, tmp_path: Path) -> None:
    changed = store_copy(source_store, tmp_path)
    with oxigraph_server(tmp_path) as url:
        remote = RemoteStore(url)
        try:
            first = publish(changed, remote)
            _load_one_more_source(changed, tmp_path)
            second = publish(changed, remote)
            new_graph = next(g for g in second.sent if "/graph/source/" in g)
            rows = remote.select(f"SELECT * WHERE {{ GRAPH <{new_graph}> {{ ?s ?p ?o }} }}", named_graphs=[new_graph])
            assert [row["o"].value for row in rows] == ["https://example.org/c"]
        finally:
            remote.close()
    assert len(first.sent) == first.unchanged + len(first.sent) and first.triples > 1000
    # The new source's graph and the provenance graph that lists it; every other graph stays as it was.
    assert sorted(second.sent) == sorted([new_graph, "https://w3id.org/algokg/graph/provenance"])
    assert second.unchanged == len(first.sent) - 1 and second.dropped == []


def test_a_change_too_large_for_one_request_is_staged_then_moved_in_one(source_store: Path, tmp_path: Path) -> None:
    """Oxigraph server takes update bodies up to 128 MiB (10k algorithms are ~200 MB): larger changes go by
    Graph Store PUT first — graphs readers see now into staging graphs — then one request moves them in."""
    changed = store_copy(source_store, tmp_path)
    with oxigraph_server(tmp_path) as url:
        remote = RemoteStore(url)
        try:
            publish(changed, remote)
            _load_one_more_source(changed, tmp_path)
            remote.dialect = dataclasses.replace(remote.dialect, max_update_bytes=1_000)
            result = publish(changed, remote)
            counts = _remote_graph_sizes(remote)
            version = remote.control().version
        finally:
            remote.close()
    assert "https://w3id.org/algokg/graph/provenance" in result.sent  # published before: staged, then moved
    assert version == (changed / "current").resolve().name
    assert not any("/staging/" in graph for graph in counts)
    assert {g: n for g, n in counts.items() if g != CONTROL_GRAPH.value} == _graph_sizes(changed)


def test_oxigraph_applies_one_update_request_whole_or_not_at_all(backend: tuple[str, str]) -> None:
    """The publish relies on it: a request whose last operation fails leaves the store as it was."""
    if backend[0] != "oxigraph":
        pytest.skip("Virtuoso applies the operations of one request one by one (publish announces itself there)")
    remote = RemoteStore(backend[1])
    try:
        before = remote.control()
        doomed = "INSERT DATA { GRAPH <urn:test:half> { <urn:a> <urn:b> <urn:c> } } ; LOAD <http://127.0.0.1:9/nothing>"
        with pytest.raises(RemoteStoreError, match="answered"):
            remote.update(doomed)
        left = remote.select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=["urn:test:half"])
        assert list(left) == []
        assert remote.control() == before
    finally:
        remote.close()


def test_interrupted_publish_answers_503_until_published_again(
    source_store: Path, published: tuple[str, str], running_server: Callable[..., Server], tmp_path: Path
) -> None:
    """Virtuoso's publish announces itself in the control graph before it replaces graphs one by one; a
    publish stopped half-way (a killed loader) leaves that mark, and readers get 503, never half a version."""
    name, url = published
    if name != "virtuoso":
        pytest.skip("Oxigraph publishes in one transaction: nothing is ever half-way")
    server = running_server(tmp_path / "cache", env={"ALGOKG_REMOTE_REFRESH": "0"}, args=["--remote", url])
    remote = RemoteStore(publisher_url(url))
    try:
        state = remote.control()
        # What the first step of a publish of the next generation writes (loader.publish), and nothing after it.
        mark = control_triples(state.version, state.modified, "gen-999999", state.graphs)
        remote.put_graph(CONTROL_GRAPH.value, mark.encode())
        response = httpx.get(server.url("/api/laws"), timeout=30)
        assert response.status_code == 503 and "Retry-After" in response.headers
        assert "being updated to gen-999999" in response.json()["detail"]
        # Publishing again completes it: the store directory still holds the whole generation.
        publish(source_store, remote)
        assert remote.control().publishing is None
        assert httpx.get(server.url("/api/laws"), timeout=30).status_code == 200
    finally:
        remote.close()


# -- the API suite --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "quirk"), PATHS, ids=[p for p, _ in PATHS])
def test_rest_and_pages_answer_alike(
    embedded: Server, remote_api: tuple[str, Server], path: str, quirk: str | None
) -> None:
    _same(embedded, remote_api, path, quirk)


def test_views_of_single_things_answer_alike(embedded: Server, remote_api: tuple[str, Server]) -> None:
    listed = httpx.get(embedded.url("/api/organisations?size=3"), timeout=30).json()["member"]
    for organisation in listed:
        _same(embedded, remote_api, f"/api/organisation?id={quote(organisation['@id'], safe='')}", None)
    algorithms = httpx.get(embedded.url("/api/algorithms?size=3"), timeout=30).json()["member"]
    for algorithm in algorithms:
        _same(embedded, remote_api, f"/api/algorithms/{algorithm['identifier']}", None)
        _same(embedded, remote_api, algorithm["@id"].removeprefix("https://w3id.org/algokg"), None)


def test_law_view_answers_alike(embedded: Server, remote_api: tuple[str, Server]) -> None:
    """A law and the algorithms relying on it or on any of its parts (the supervisor's view)."""
    law = httpx.get(embedded.url("/api/laws?size=1"), timeout=30).json()["member"][0]
    assert law["algorithms"] > 0, law  # a law that algorithms rely on, directly or through its articles
    _same(embedded, remote_api, f"/api/law?id={quote(law['@id'], safe='')}", None)


def _formats(query: str) -> list[str]:
    graph = query.split("{")[0].upper()
    return ["text/turtle"] if "CONSTRUCT" in graph or "DESCRIBE" in graph else ACCEPTS[:-1]


@pytest.mark.parametrize(("query", "accept"), [(q, a) for q in QUERIES for a in _formats(q)])
def test_sparql_endpoint_answers_alike(
    embedded: Server, remote_api: tuple[str, Server], query: str, accept: str
) -> None:
    quirk = "describe" if query.startswith("DESCRIBE") else None
    _same(embedded, remote_api, "/sparql", quirk, params={"query": query}, headers={"Accept": accept})


def test_sparql_errors_and_limits(remote_api: tuple[str, Server]) -> None:
    _, server = remote_api
    wrong = httpx.get(server.url("/sparql"), params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30)
    assert wrong.status_code == 400 and wrong.headers["content-type"].startswith("application/problem+json")
    # A cartesian product of the whole graph with itself, twice: stopped at the deadline.
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    stopped = httpx.get(server.url("/sparql"), params={"query": slow, "timeout": "1"}, timeout=30)
    assert stopped.status_code == 503 and "Retry-After" in stopped.headers
    assert httpx.get(server.url("/sparql"), params={"query": "ASK {}"}, timeout=30).status_code == 200


def test_writes_are_refused_with_the_way_to_write(remote_api: tuple[str, Server]) -> None:
    _, server = remote_api
    response = httpx.post(server.url("/update"), data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, timeout=30)
    assert response.status_code == 403
    assert "algokg publish" in response.json()["detail"]


def test_service_description_names_no_extension_function(embedded: Server, remote_api: tuple[str, Server]) -> None:
    """akg:textScore runs beside the API (rewritten into inline data), not in the remote store."""
    _, server = remote_api
    accept = {"Accept": "text/turtle"}
    assert "textScore" in httpx.get(embedded.url("/sparql"), headers=accept, timeout=30).text
    assert "textScore" not in httpx.get(server.url("/sparql"), headers=accept, timeout=30).text


def test_dump_holds_the_published_graphs(embedded: Server, remote_api: tuple[str, Server]) -> None:
    """The N-Quads dump of a remote store: the same quads (blank node labels aside) as the embedded one."""
    import gzip

    def quads(server: Server) -> list[str]:
        body = httpx.get(server.url("/dumps/algokg.nq.gz"), timeout=120).content
        lines = gzip.decompress(body).decode().splitlines()
        return sorted(re.sub(r"_:\S+", "_:b", _normal(line, server.base)) for line in lines if line.strip())

    remote = quads(remote_api[1])
    assert remote == [q for q in quads(embedded) if f"<{CONTROL_GRAPH.value}>" not in q]


# -- only queries reach the store (issue 12, point 1) and no outbound request through it (point 2) -----------


@contextmanager
def _anonymous_updates(name: str, url: str) -> Iterator[None]:
    """The store as an operator following the old docs left it: anyone who can send it a SPARQL request may
    write (Virtuoso: GRANT SPARQL_UPDATE TO "SPARQL"; Oxigraph server has no accounts: always so)."""
    if name == "virtuoso":
        virtuoso_sql(url, ANONYMOUS_UPDATES)
    try:
        yield
    finally:
        if name == "virtuoso":
            virtuoso_sql(url, ANONYMOUS_READS_ONLY)


def _anonymous_update(name: str, url: str, update: str) -> httpx.Response:
    """An update sent straight to the store as the anonymous user (Virtuoso takes it on /sparql)."""
    if name == "virtuoso":
        return httpx.post(url, data={"query": update}, timeout=60)
    return httpx.post(url.removesuffix("/query") + "/update", data={"update": update}, timeout=60)


def test_public_updates_never_reach_the_store(remote_api: tuple[str, Server], published: tuple[str, str]) -> None:
    """Even when the store lets anonymous requests write, `/sparql` forwards only queries: an update through
    it answers 400 naming /update, and the store and the pages are as they were."""
    name, server = remote_api
    url = published[1]
    algorithm = httpx.get(server.url("/api/algorithms?size=1"), timeout=60).json()["member"][0]["@id"]
    page = algorithm.removeprefix("https://w3id.org/algokg")
    remote = RemoteStore(url)
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CURRENT_EN}> {{ ?s ?p ?o }} }}"
    defaced = 'SELECT ?g WHERE { GRAPH ?g { ?s ?p "DEFACED" } }'
    try:
        before = next(remote.select(count, named_graphs=[CURRENT_EN]))["n"].value
        with _anonymous_updates(name, url):
            # The store really takes anonymous writes now: the gate is all that stands in the way.
            scratch = "INSERT DATA { GRAPH <urn:test:scratch> { <urn:a> <urn:b> <urn:c> } }"
            assert _anonymous_update(name, url, scratch).is_success
            assert _anonymous_update(name, url, "DROP SILENT GRAPH <urn:test:scratch>").is_success
            deface = (
                f'WITH <{CURRENT_EN}> DELETE {{ <{algorithm}> <{TITLE}> ?t }} INSERT {{ <{algorithm}> <{TITLE}> "DEFACED" }} '
                f"WHERE {{ <{algorithm}> <{TITLE}> ?t }}"
            )
            for update in (deface, 'INSERT DATA { GRAPH <urn:test:evil> { <urn:a> <urn:b> "DEFACED" } }'):
                for response in (
                    httpx.get(server.url("/sparql"), params={"query": update}, timeout=60),
                    httpx.post(server.url("/sparql"), data={"query": update}, timeout=60),
                    httpx.post(
                        server.url("/sparql"), content=update, headers={"Content-Type": "application/sparql-query"}
                    ),
                ):
                    assert response.status_code == 400, response.text
                    assert response.headers["content-type"].startswith("application/problem+json")
                    assert "POST /update" in response.json()["detail"]
        assert next(remote.select(count, named_graphs=[CURRENT_EN]))["n"].value == before
        assert list(remote.select(defaced)) == []
    finally:
        remote.close()
    shown = httpx.get(server.url(page), headers={"Accept": "text/html", "Accept-Language": "en"}, timeout=60)
    assert shown.status_code == 200 and "DEFACED" not in shown.text


def test_the_documented_virtuoso_setup_refuses_anonymous_writes(published: tuple[str, str]) -> None:
    """docs/scale-out.md: readers' anonymous account reads only; `algokg publish` has its own (it published
    this store through /sparql-auth)."""
    name, url = published
    if name != "virtuoso":
        pytest.skip("Oxigraph server has no accounts: it is kept behind a network boundary (docs/scale-out.md)")
    update = "INSERT DATA { GRAPH <urn:test:anonymous> { <urn:a> <urn:b> <urn:c> } }"
    assert _anonymous_update(name, url, update).status_code >= 400
    put = httpx.put(
        url.removesuffix("/sparql") + "/sparql-graph-crud",
        params={"graph": "urn:test:anonymous"},
        content=b"<urn:a> <urn:b> <urn:c> .",
        headers={"Content-Type": "text/turtle"},
    )
    assert put.status_code in (401, 403)
    remote = RemoteStore(url)
    try:
        query = "SELECT * WHERE { GRAPH <urn:test:anonymous> { ?s ?p ?o } }"
        assert list(remote.select(query, named_graphs=["urn:test:anonymous"])) == []
        assert remote.control().version is not None  # what the publishing account wrote, readable anonymously
    finally:
        remote.close()


def test_no_outbound_request_through_the_remote_store(remote_api: tuple[str, Server]) -> None:
    """The remote store runs SERVICE (and Virtuoso its bif:http_get) itself: the gate refuses both first."""
    _, server = remote_api
    with counting(200, b"SECRET") as target:  # a SERVICE target, a bif:http_get target
        url = f"{target.base}/x"
        for query in (
            f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f'SELECT (<bif:http_get>("{url}") AS ?x) WHERE {{}}',
            f'PREFIX b: <bif:> SELECT * WHERE {{ BIND (b:http_get("{url}") AS ?x) }}',
        ):
            response = httpx.get(server.url("/sparql"), params={"query": query}, timeout=60)
            assert response.status_code == 400 and "SECRET" not in response.text, response.text
        assert target.hits == []


def test_syntax_errors_are_located_in_the_clients_query(embedded: Server, remote_api: tuple[str, Server]) -> None:
    """Parsed here before it is forwarded: line and column of the query as sent, as on the embedded store."""
    wrong = {"query": "PREFIX ex: <http://example.org/>\nSELECT ?s WHERE {\n  ?s ?p \n}"}
    expected = httpx.get(embedded.url("/sparql"), params=wrong, timeout=60).json()
    assert httpx.get(remote_api[1].url("/sparql"), params=wrong, timeout=60).json() == expected
    assert (expected["line"], expected["column"]) == (4, 2)


def test_what_crashes_a_parser_costs_a_worker_of_the_api(remote_api: tuple[str, Server]) -> None:
    """A query pyoxigraph (and so Oxigraph server) overflows its stack on is parsed in a worker of the API first:
    400, and the store never sees it."""
    _, server = remote_api
    chained = "SELECT * WHERE { ?s " + "/".join(["<urn:p>"] * 10_000) + " ?o }"
    response = httpx.post(server.url("/sparql"), data={"query": chained}, timeout=60)
    assert response.status_code == 400 and response.json()["title"] == "Query too complex", response.text
    assert httpx.get(server.url("/sparql"), params={"query": "ASK {}"}, timeout=60).status_code == 200


def test_a_store_that_fails_is_not_quoted(source_store: Path, tmp_path: Path) -> None:
    """What the store (or the network) says stays in the log: no address, port or message of it in an answer."""
    with ExitStack() as store_running:
        url = store_running.enter_context(oxigraph_server(tmp_path))
        remote = RemoteStore(url)
        publish(source_store, remote)
        remote.close()
        cache = tmp_path / "cache"
        with start_server(cache, env={"ALGOKG_REMOTE_REFRESH": "0"}, args=["--remote", url]) as api:
            assert httpx.get(api.url("/api/laws"), timeout=60).status_code == 200
            store_running.close()  # the store goes away; the API stays
            port = url.split(":")[2].split("/")[0]
            for path in ("/api/laws", "/sparql?query=ASK%7B%7D"):
                response = httpx.get(api.url(path), timeout=60)
                assert response.status_code >= 500, response.text
                assert response.headers["content-type"].startswith("application/problem+json")
                assert port not in response.text and "reached" not in response.text, response.text
            assert "cannot be reached" in api.log()  # the operator learns why
