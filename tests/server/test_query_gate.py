"""The query gate's scan (`sparql_api.query_gate.scan`), the parse-only worker request and the SERVICE address
rules (`sparql_api.outbound`), without a server: tables of tricky queries, pyoxigraph as the judge of what is a
query, and a seeded fuzz run against pyoxigraph's own behaviour (does it try to open a connection?)."""

import errno
import multiprocessing
import random
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from ipaddress import ip_address
from pathlib import Path

import pytest
from pyoxigraph import QueryBoolean, Store

from sparql_api.outbound import AllowListError, EndpointRefused, check_allow_list, check_endpoint, is_public
from sparql_api.query_gate import CELLAR, Limits, QueryRefused, scan
from sparql_api.query_worker import PARSE, _no_new_descriptors
from sparql_api.worker_pool import WorkerDied, WorkerPool

OFF = Limits(max_chars=100_000, max_depth=64, service_allow=frozenset())
CELLAR_ONLY = Limits(max_chars=100_000, max_depth=64, service_allow=frozenset({CELLAR}))
LOOPBACK = "http://127.0.0.1:8899/sparql"


def _verdict(text: str, limits: Limits = OFF, base: str | None = "http://127.0.0.1:8000/sparql") -> str:
    """ "pass" or the refusal's title."""
    try:
        scan(text, limits, base)
    except QueryRefused as refused:
        assert refused.status == 400
        return refused.title
    return "pass"


@pytest.fixture(scope="module")
def parser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerPool]:
    """One query worker that only gets parse-only requests (as `serve --remote` uses them)."""
    pool = WorkerPool(tmp_path_factory.mktemp("parse-only"), 1)
    yield pool
    pool.close()


def _parses(pool: WorkerPool, text: str) -> bool:
    return pool.run((PARSE, text, None), time.monotonic() + 30).startswith(b"P")


# Real queries that mention update keywords, SERVICE and bif: where they are no keyword: each must pass, and
# pyoxigraph must parse each (so the table holds queries, not near-misses).
QUERIES = [
    'SELECT * WHERE { ?s ?p "INSERT DATA { <a:a> <a:b> <a:c> }" }',
    "SELECT * WHERE { ?s ?p 'DELETE WHERE { ?s ?p ?o }' }",
    'SELECT * WHERE { ?s ?p """multi\nline DROP ALL ; LOAD <http://127.0.0.1/>""" }',
    "SELECT * WHERE { ?s ?p '''CLEAR\r\nALL''' }",
    "SELECT * WHERE { ?s <http://example.org/insert/delete#drop> ?o }",
    "SELECT * WHERE { ?s ?p ?o } # DELETE WHERE { ?s ?p ?o }",
    "# INSERT DATA\nSELECT * WHERE { ?s ?p ?o }",
    "PREFIX insert: <http://example.org/> SELECT * WHERE { ?s insert:delete ?o . ?o insert:with insert:service }",
    "PREFIX : <http://example.org/> SELECT * WHERE { ?s :LOAD :CLEAR }",
    "SELECT ?insert ?delete ?with WHERE { ?insert ?delete ?with }",
    "SELECT * WHERE { ?s ?p 'x'@delete }",
    "SELECT * WHERE { _:insert ?p ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a\\#b ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a\\'b ?o }",
    "select * where { ?s ?p ?o } limit 1",
    'SELECT * WHERE { ?s ?p ?o FILTER (CONTAINS(STR(?o), "SERVICE <http://127.0.0.1:8899/>")) }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:8899/> { }",
    "SELECT * WHERE { ?s ?p ?o FILTER (?o < 3 && ?o > 1) }",
    "SELECT * WHERE { ?a ?b ?c FILTER(?a<?b&&?c>?a) }",
    'SELECT ("\\u0041" AS ?x) WHERE {}',
    'SELECT * WHERE { ?s ?p "bif:http_get" }',
    "SELECT (<http://www.w3.org/2001/XMLSchema#string>(1) AS ?x) WHERE {}",
    "SELECT * WHERE { << ?s ?p ?o >> ?q ?r }",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DESCRIBE <http://example.org/a>",
    "SELECT * WHERE " + "{ " * 64 + "}" * 64,
    "PREFIX myservice: <http://example.org/> SELECT * WHERE { ?s myservice:name ?o . ?o ?p true }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o ; ex:serviceSILENT 1e5 }",
]


@pytest.mark.parametrize("text", QUERIES)
def test_queries_pass_whatever_words_they_hold(text: str, parser: WorkerPool) -> None:
    assert _parses(parser, text), text
    assert _verdict(text) == "pass"


UPDATES = [
    "INSERT DATA { <a:a> <a:b> <a:c> }",
    "insert data { <a:a> <a:b> <a:c> }",
    "InSeRt DaTa { <a:a> <a:b> <a:c> }",
    'WITH <https://w3id.org/algokg/graph/derived/current/en> DELETE { ?a ?p ?t } INSERT { ?a ?p "DEFACED" } '
    "WHERE { ?a ?p ?t }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:8899/x>",
    "CLEAR ALL",
    "DROP GRAPH <a:g>",
    "CREATE GRAPH <a:g>",
    "ADD <a:g> TO <a:h>",
    "MOVE DEFAULT TO <a:h>",
    "COPY <a:g> TO <a:h>",
    "PREFIX x: <a:> INSERT DATA { x:a x:b x:c }",
    "# a comment\nDROP ALL",
    "SELECT * WHERE { ?s ?p ?o } # a comment that ends at CR\rDROP ALL",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "\\u0049NSERT DATA { <a:a> <a:b> <a:c> }",  # SPARQL escapes stand for any character, keywords included
    'SELECT * WHERE { ?s ?p "\\u0022 } ; DROP ALL ; #" }',  # a parser that decodes first reads DROP as code
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a\\#b ?o } DELETE",  # `\#` does not start a comment
]


@pytest.mark.parametrize("text", UPDATES)
def test_updates_are_refused_naming_update(text: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        scan(text, OFF)
    assert refused.value.title == "Not a query" and "POST /update" in refused.value.detail


def test_a_refusal_says_where() -> None:
    with pytest.raises(QueryRefused) as refused:
        scan("SELECT * WHERE { ?s ?p ?o }\n  # fine\n  DELETE WHERE { ?s ?p ?o }", OFF)
    assert refused.value.extra == {"operation": "DELETE", "line": 3, "column": 3}


SERVICES_REFUSED = [
    f"SELECT * WHERE {{ SERVICE <{LOOPBACK}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent <{LOOPBACK}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "PREFIX e: <http://127.0.0.1:8899/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http:\\u002F\\u002F127.0.0.1:8899/sparql> { ?s ?p ?o } }",
    f"SELECT * WHERE {{ SERV\\u0049CE <{LOOPBACK}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE { SERVICE <x> { ?s ?p ?o } }",  # relative: the server's own address
    f"SELECT * WHERE {{ SERVICE <{CELLAR}/more> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICE <{CELLAR.upper()}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE { SERVICE 1 { ?s ?p ?o } }",
    # pyoxigraph reads keywords without a word boundary (each of these calls the loopback endpoint there):
    "PREFIX e: <http://127.0.0.1:8899/> SELECT * WHERE { SERVICEe:sparql { ?s ?p ?o } }",
    f"SELECT * WHERE {{ SERVICESILENT<{LOOPBACK}> {{ ?s ?p ?o }} }}",
    "PREFIX e: <http://127.0.0.1:8899/> SELECT * WHERE { SERVICE SILENTe:sparql { ?s ?p ?o } }",
    "PREFIX e: <http://127.0.0.1:8899/> SELECT * WHERE { ?s ?p trueSERVICE e:sparql { ?s ?p ?o } }",
    f"SELECT * WHERE {{ ?s ?p 1e5SERVICE <{LOOPBACK}> {{ ?s ?p ?o }} }}",
    "PREFIX c: <http://publications.europa.eu/webapi/rdf/> PREFIXc: <http://127.0.0.1:8899/> "
    "SELECT * WHERE { SERVICE c:sparql { ?s ?p ?o } }",
    "PREFIX : <http://publications.europa.eu/webapi/rdf/> PREFIX: <http://127.0.0.1:8899/> "
    "SELECT * WHERE { SERVICE :sparql { ?s ?p ?o } }",
]


@pytest.mark.parametrize("text", SERVICES_REFUSED)
def test_service_is_refused_unless_listed(text: str) -> None:
    assert _verdict(text) == "SERVICE not allowed"
    assert _verdict(text, CELLAR_ONLY) == "SERVICE not allowed"


def test_refused_service_says_how_an_operator_allows_one() -> None:
    with pytest.raises(QueryRefused) as refused:
        scan(SERVICES_REFUSED[0], OFF)
    assert "ALGOKG_SERVICE_ALLOW" in refused.value.detail and CELLAR in refused.value.detail
    with pytest.raises(QueryRefused) as listed:
        scan(SERVICES_REFUSED[0], CELLAR_ONLY)
    assert CELLAR in listed.value.detail and listed.value.extra["endpoint"] == LOOPBACK


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT * WHERE {{ SERVICE <{CELLAR}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{CELLAR}> {{ ?s ?p ?o }} }}",
        "PREFIX c: <http://publications.europa.eu/webapi/rdf/> SELECT * WHERE { SERVICE c:sparql { ?s ?p ?o } }",
        "BASE <http://publications.europa.eu/webapi/rdf/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    ],
)
def test_a_listed_endpoint_passes_however_it_is_written(text: str) -> None:
    assert scan(text, CELLAR_ONLY).services == (CELLAR,)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT (<bif:http_get>("http://127.0.0.1:8899/") AS ?x) WHERE {}',
        'PREFIX bif: <bif:> SELECT (bif:http_get("http://127.0.0.1:8899/") AS ?x) WHERE {}',
        "SELECT * WHERE { ?s <BIF:contains> ?o }",
        'SELECT (<sql:DB.DBA.USER_CREATE>("u", "p") AS ?x) WHERE {}',
        "BASE <bif:x> SELECT (<http_get>(1) AS ?x) WHERE {}",
        'SELECT (<b\\u0069f:http_get>("x") AS ?x) WHERE {}',
    ],
)
def test_virtuoso_procedure_iris_are_refused(text: str) -> None:
    assert _verdict(text) == "IRI not allowed"


def test_length_and_depth_are_bounded() -> None:
    limits = Limits(max_chars=1_000, max_depth=8, service_allow=frozenset())
    assert _verdict("ASK { " + " " * 994 + "}", limits) == "Query too long"
    assert _verdict("ASK { " + " " * 993 + "}", limits) == "pass"
    assert _verdict("SELECT * WHERE " + "{" * 8 + "}" * 8, limits) == "pass"
    assert _verdict("SELECT * WHERE " + "{" * 9 + "}" * 9, limits) == "Query nested too deeply"
    assert _verdict("SELECT * WHERE { FILTER(" + "(" * 8 + "1" + ")" * 8 + ") }", limits) == "Query nested too deeply"
    assert (
        _verdict("SELECT * WHERE { ?s ?p " + "[ <a:p> " * 8 + "1" + "]" * 8 + " }", limits) == "Query nested too deeply"
    )
    assert (
        _verdict("SELECT * WHERE { " + "<< " * 8 + "?s ?p ?o" + " >>" * 8 + " ?q ?r }", limits)
        == "Query nested too deeply"
    )
    # Closing brackets first do not buy depth later.
    assert _verdict("SELECT * WHERE " + "}" * 20 + "{" * 9, limits) == "Query nested too deeply"
    # Escaped brackets count under the reading that decodes them.
    assert _verdict("SELECT * WHERE " + "\\u007B" * 9, limits) == "Query nested too deeply"


def test_the_scan_is_linear() -> None:
    """Inputs that make backtracking tokenisers quadratic: unterminated strings and IRIs, escapes, quotes."""
    for text in ('"\\"' * 30_000, "<a" * 40_000, "'''" + "'\\" * 40_000, "\\u0022" * 15_000, "#\\" * 40_000):
        started = time.perf_counter()
        _verdict(text)
        assert time.perf_counter() - started < 5, text[:20]  # linear: ~0.1 s; quadratic: minutes


def test_parse_only_costs_a_worker_not_the_server(parser: WorkerPool) -> None:
    """pyoxigraph segfaults on 20,000 nested groups: in the worker, which the pool replaces."""
    pid = parser.pids
    with pytest.raises(WorkerDied):
        parser.run((PARSE, "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000, None), time.monotonic() + 60)
    assert parser.pids != pid
    assert _parses(parser, "ASK {}")
    reply = parser.run((PARSE, "SELECT * WHERE {\n  ?s ?p\n}", None), time.monotonic() + 30)
    assert reply.startswith(b"S") and b"3:" in reply  # pyoxigraph's message with line and column


def test_parse_only_sends_nothing(parser: WorkerPool, tmp_path: Path) -> None:
    """Parsing with `Store.query` starts evaluating it: a SERVICE would be called, but cannot open a socket."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.5)
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        for form in ("SELECT *", "ASK", "CONSTRUCT { ?s ?p ?o }", "DESCRIBE ?s"):
            assert _parses(parser, f"{form} WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}")
        with pytest.raises(TimeoutError):
            listener.accept()


# -- SERVICE endpoints: public addresses only -----------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1",
        "224.0.0.251", "240.0.0.1", "255.255.255.255", "192.0.2.1", "::1", "::", "fe80::1", "fc00::1", "fec0::1",
        "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::", "2001:db8::1",
    ],
)  # fmt: skip
def test_local_private_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public(ip_address(address))


@pytest.mark.parametrize("address", ["192.88.99.2", "8.8.8.8", "2a00:1450:4001::1"])
def test_global_addresses_are_public(address: str) -> None:
    assert is_public(ip_address(address))


@pytest.mark.parametrize(
    "entry",
    [
        "http://127.0.0.1:7878/query", "http://localhost:7878/query", "http://[::1]/sparql", "http://10.0.0.2/sparql",
        "http://169.254.169.254/latest", "http://store.localhost/sparql", "ftp://example.org/sparql", "example.org",
        "http://[::ffff:192.168.0.1]/sparql", "http://0x7f000001/sparql", "http://2130706433/sparql",
    ],
)  # fmt: skip
def test_local_entries_stop_the_allow_list(entry: str) -> None:
    if entry.startswith(("http://0x", "http://2130")):
        # Not IP literals to Python, but names; at query time they resolve (or not) and are checked then.
        with pytest.raises(EndpointRefused):
            check_endpoint(entry)
        return
    with pytest.raises(AllowListError, match="ALGOKG_SERVICE_ALLOW"):
        check_allow_list((CELLAR, entry))


def test_endpoints_are_checked_by_what_their_host_resolves_to() -> None:
    check_allow_list((CELLAR, "https://query.wikidata.org/sparql"))
    check_endpoint("http://192.88.99.2:7878/query")  # a global address literal: nothing to resolve
    with pytest.raises(EndpointRefused, match="not public"):
        check_endpoint("http://localhost.:7878/query")  # a name (trailing dot) that resolves to loopback
    with pytest.raises(EndpointRefused, match="not public"):
        check_endpoint("http://127.1/sparql")


# -- fuzz: the gate against pyoxigraph ----------------------------------------------------------------------------

_FRAGMENTS = [
    "SERVICE", "service", "SeRvIcE", "SILENT", "SERV\\u0049CE", "<http://127.0.0.1:8899/s>", "<x>", "e:s",
    "PREFIX e: <http://127.0.0.1:8899/> ", "BASE <http://127.0.0.1:8899/> ", "?e", "{", "}", "(", ")", "[", "]",
    '"', "'", '"""', "'''", "#", "\n", "\r", "\\", "\\u0022", "\\u0027", "\\u0023", "\\u003C", "\\u007B", "<", ">",
    "ex:a\\#", "ex:a\\'", "ex:", "INSERT", "DATA", "DELETE", "WITH", "DROP ALL", ";", ".", " ", "@en", "_:b",
    "<bif:x>", "1", "?s ?p ?o", "SELECT", "ASK", "WHERE", "FILTER", "<<", ">>", "true", "false", "1e5",
    "PREFIXe: <http://127.0.0.1:8899/> ", "PREFIX e: <http://publications.europa.eu/webapi/rdf/> ", "SILENTe:s",
]  # fmt: skip
_SEEDS = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:8899/s> { ?s ?p ?o } }",
    "PREFIX e: <http://127.0.0.1:8899/> ASK { SERVICE e:s { ?s ?p ?o } }",
    'PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:p "SERVICE <http://127.0.0.1:8899/s> { }" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:8899/s> { ?s ?p ?o }",
    "INSERT DATA { <a:a> <a:b> <a:c> }",
    "PREFIX e: <http://127.0.0.1:8899/> SELECT * WHERE { ?s ?p true SERVICE e:s { ?s ?p ?o } }",
]


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(text))
        choice = rng.random()
        if choice < 0.6:
            text = text[:at] + rng.choice(_FRAGMENTS) + text[at:]
        elif choice < 0.8:
            text = text[:at] + text[at + rng.randint(1, 8) :]
        else:
            end = min(len(text), at + rng.randint(1, 20))
            text = text[:end] + text[at:end] + text[end:]
    return text


def pyoxigraph_reads(text: str) -> str:
    """How pyoxigraph takes `text` on an empty store, nothing able to open a socket: "syntax", "outbound" (it
    tried to open a connection: a SERVICE it evaluated) or "query"."""
    store = Store()
    with _no_new_descriptors():
        try:
            results = store.query(text)
            if not isinstance(results, QueryBoolean):
                next(iter(results), None)  # evaluation is lazy: the first solution runs what it needs
        except SyntaxError:
            return "syntax"
        except OSError as error:
            return "outbound" if error.errno == errno.EMFILE or "os error 24" in str(error) else "query"
        except Exception:
            return "query"
    return "query"


def test_fuzz_the_gate_against_pyoxigraph() -> None:
    """Seeded, ~10 s: no exception but a 400 refusal leaves the gate; a text that makes pyoxigraph open a
    connection is never passed; a text refused as an update is never one pyoxigraph runs as a query."""
    rng = random.Random(12_1212)
    deadline = time.monotonic() + 10
    checked = outbound = 0
    context = multiprocessing.get_context("spawn")  # no fork of a process that may run threads
    executor = ProcessPoolExecutor(1, mp_context=context)
    try:
        while time.monotonic() < deadline:
            text = _mutate(rng, rng.choice(_SEEDS))
            verdict = _verdict(text)  # raises on anything but a QueryRefused with status 400
            try:
                read = executor.submit(pyoxigraph_reads, text).result(timeout=30)
            except BrokenProcessPool:  # pyoxigraph crashed on it: nothing it ran
                executor = ProcessPoolExecutor(1, mp_context=context)
                continue
            checked += 1
            if read == "outbound":
                outbound += 1
                assert verdict != "pass", text
            if verdict == "Not a query" and read != "syntax":
                # Only the reading with escapes decoded may refuse a text pyoxigraph runs (safe side).
                assert "\\u" in text or "\\U" in text, text
    finally:
        executor.shutdown(cancel_futures=True)
    assert checked > 300 and outbound > 20, (checked, outbound)
