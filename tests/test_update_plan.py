"""`sparql_api.update_plan`: the graphs an update may change, read in one linear pass, checked against what
pyoxigraph actually changes; the screen (nesting, LOAD, SERVICE). The nesting of JSON and XML bodies is the
loader's (`tests/loader/test_nesting_scans.py`)."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from sparql_api.query_scan import check_nesting
from sparql_api.update_plan import UpdateRejected, plan_update, screen, with_protocol_dataset

BASE = "http://example.org/base/update"
G = [NamedNode(f"http://example.org/g{i}") for i in range(4)]
P = NamedNode("http://example.org/p")


def _store() -> Store:
    """Two triples in the default graph and in each of four named graphs."""
    store = Store()
    for graph in [DefaultGraph(), *G]:
        for number in range(2):
            store.add(Quad(NamedNode(f"http://example.org/s{number}"), P, Literal(number), graph))
    return store


def _changed(update: str) -> set[NamedNode | DefaultGraph] | None:
    """The graphs `update` changes on `_store()`, by comparing every quad before and after; None if it fails."""
    store = _store()
    before = set(store)
    graphs_before = set(store.named_graphs())
    try:
        store.update(update, base_iri=BASE)
    except (OSError, SyntaxError, ValueError, RuntimeError):
        return None
    after = set(store)
    return {q.graph_name for q in before ^ after} | (graphs_before ^ set(store.named_graphs()))  # type: ignore[misc]


def _assert_sound(update: str) -> None:
    screen(update, 100)
    changed = _changed(update)
    if changed is None:
        return
    plan = plan_update(update, BASE)
    if plan.scope is not None:
        assert changed <= set(plan.scope), (update, changed, plan.scope)


CORPUS = [
    # the forms of the SPARQL 1.1 Update grammar, with the odd spellings the lexer must read right
    "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }",
    "insert data { GRAPH <http://example.org/g1> { <http://example.org/s> <http://example.org/p> 'x' } }",
    "PREFIX ex: <http://example.org/> INSERT DATA { ex:s ex:p 1 . GRAPH ex:g2 { ex:s ex:p 2 } . ex:s ex:p 3 }",
    "BASE <http://example.org/x/> INSERT DATA { GRAPH <../g3> { <s> <p> 1 } }",
    "INSERT DATA { GRAPH <g0> { <s> <p> 1 } }",  # relative to the endpoint
    'INSERT DATA { GRAPH <http://example.org/g1> { <http://example.org/s> <http://example.org/p> "GRAPH <x> { }" } }',
    "INSERT DATA { GRAPH <http://example.org/g\\u0031> { <http://example.org/s> <http://example.org/p> 7 } }",
    "PREFIX ex: <http://example.org/> INSERT DATA { GRAPH ex:g\\-1 { ex:s ex:p 1 } }",
    "INSERT DATA { # GRAPH <http://example.org/g2> {\n <http://example.org/s> <http://example.org/p> 9 }",
    'INSERT DATA { GRAPH <http://example.org/g1> { <http://example.org/s> <http://example.org/p> """a } b""" } }',
    "INSERT DATA { [ <http://example.org/p> 1 ] <http://example.org/p> ( 1 2 [ <http://example.org/p> 3 ] ) }",
    "DELETE DATA { GRAPH <http://example.org/g1> { <http://example.org/s0> <http://example.org/p> 0 } }",
    "DELETE WHERE { GRAPH <http://example.org/g2> { ?s ?p ?o } }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE WHERE { GRAPH ?g { ?s ?p 1 } }",
    "WITH <http://example.org/g1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "WITH <http://example.org/g1> INSERT { ?s ?p 5 } WHERE { GRAPH <http://example.org/g2> { ?s ?p ?o } }",
    "DELETE { GRAPH <http://example.org/g1> { ?s ?p ?o } } INSERT { GRAPH <http://example.org/g3> { ?s ?p ?o } }"
    " USING NAMED <http://example.org/g1> WHERE { GRAPH ?g { ?s ?p ?o FILTER(?o < 1 && STR(?s) != '}') } }",
    "INSERT { GRAPH ?g { ?s ?p 8 } } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "INSERT { ?s ?p 8 } WHERE { { ?s ?p ?o } UNION { OPTIONAL { GRAPH ?g { ?s ?p ?o MINUS { ?s ?p 2 } } } } }",
    "CLEAR GRAPH <http://example.org/g1>",
    "CLEAR SILENT DEFAULT",
    "CLEAR NAMED",
    "DROP ALL",
    "DROP SILENT GRAPH <http://example.org/none>",
    "CREATE GRAPH <http://example.org/new>",
    "ADD <http://example.org/g1> TO <http://example.org/g2>",
    "COPY DEFAULT TO GRAPH <http://example.org/g3>",
    "MOVE SILENT GRAPH <http://example.org/g1> TO DEFAULT",
    "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 } ; PREFIX e: <http://example.org/>"
    " DELETE DATA { GRAPH e:g2 { e:s0 e:p 0 } } ; BASE <http://example.org/> CLEAR GRAPH <g3>",
]


@pytest.mark.parametrize("update", CORPUS)
def test_the_scope_holds_every_graph_the_update_changes(update: str) -> None:
    _assert_sound(update)


def test_what_the_plan_says_of_the_grammar_forms() -> None:
    assert plan_update(CORPUS[2], BASE).scope == {DefaultGraph(), G[2]}
    assert plan_update(CORPUS[3], BASE).scope == {G[3]}
    assert plan_update(CORPUS[4], BASE).scope == {NamedNode("http://example.org/base/g0")}
    assert plan_update(CORPUS[6], BASE).scope == {G[1]}
    assert plan_update(CORPUS[7], BASE).scope == {NamedNode("http://example.org/g-1")}
    assert plan_update(CORPUS[8], BASE).scope == {DefaultGraph()}  # the GRAPH is in a comment
    assert plan_update("DELETE WHERE { GRAPH ?g { ?s ?p 1 } }", BASE).scope is None
    assert plan_update("ADD <http://example.org/g1> TO <http://example.org/g2>", BASE).scope == {G[2]}
    assert plan_update("MOVE <http://example.org/g1> TO DEFAULT", BASE).scope == {G[1], DefaultGraph()}
    for every in ("CLEAR ALL", "DROP SILENT NAMED", "INSERT DATA { <a:s> <a:p> 1 } ; CLEAR NAMED"):
        plan = plan_update(every, BASE)
        assert plan.scope is None and plan.whole is not None and plan.whole.endswith(("ALL", "NAMED"))
    assert plan_update(CORPUS[15], BASE).names_dataset and plan_update(CORPUS[17], BASE).names_dataset
    assert not plan_update(CORPUS[18], BASE).names_dataset


# -- generated updates ------------------------------------------------------------------------------------------

_GRAPH_NAMES = st.sampled_from(
    ["<http://example.org/g1>", "ex:g2", "<g3>", "<http://example.org/g\\u0030>", "ex:g\\-1", "<http://example.org/n>"]
)
_TERMS = st.sampled_from(["ex:s0", "<http://example.org/s1>", "_:b", "[ ex:p 1 ]", "( 1 ex:s0 )"])
_OBJECTS = st.sampled_from(["0", "1", '"}"', "'GRAPH <x> {'", '"""a\n{ b"""', "ex:s0", "true", '"x"@en'])
_SPACE = st.sampled_from([" ", "\n", "\t", " # } GRAPH <http://example.org/g3> {\n"])


@st.composite
def _triples(draw: st.DrawFn, variables: bool) -> str:
    subject = draw(st.sampled_from(["?s", "ex:s0"]) if variables else _TERMS)
    obj = draw(st.sampled_from(["?o", "1"]) if variables else _OBJECTS)
    return f"{subject} ex:p {obj}"


@st.composite
def _template(draw: st.DrawFn, variables: bool) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        space = draw(_SPACE)
        if draw(st.booleans()):
            name = "?g" if variables and draw(st.integers(0, 4)) == 0 else draw(_GRAPH_NAMES)
            parts.append(f"GRAPH{space}{name} {{ {draw(_triples(variables))} }}")
        else:
            parts.append(draw(_triples(variables)) + " .")
    return "{" + draw(_SPACE) + " ".join(parts) + draw(_SPACE) + "}"


_WHERE = st.sampled_from(
    [
        "{ ?s ex:p ?o }",
        "{ GRAPH ?g { ?s ex:p ?o } }",
        "{ { ?s ex:p ?o } UNION { GRAPH <http://example.org/g1> { ?s ex:p ?o FILTER(?o < 2) } } }",
        "{ ?s ex:p ?o OPTIONAL { ?s ex:q '}' } }",
    ]
)


@st.composite
def _operation(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["insert data", "delete data", "delete where", "modify", "graph op"]))
    if kind == "insert data":
        return "INSERT DATA " + draw(_template(False)).replace("_:b", "_:x")
    if kind == "delete data":
        return "DELETE DATA " + draw(_template(False)).replace("_:b", "ex:s1").replace("[ ex:p 1 ]", "ex:s0")
    if kind == "delete where":
        return "DELETE WHERE " + draw(_template(True))
    if kind == "modify":
        with_graph = f"WITH {draw(_GRAPH_NAMES)} " if draw(st.booleans()) else ""
        clauses = draw(st.sampled_from(["DELETE", "INSERT", "DELETE INSERT"])).split()
        templates = " ".join(f"{clause} {draw(_template(True))}" for clause in clauses)
        using = f" USING {draw(_GRAPH_NAMES)}" if draw(st.booleans()) else ""
        return f"{with_graph}{templates}{using} WHERE {draw(_WHERE)}"
    verb = draw(st.sampled_from(["CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"]))
    silent = " SILENT" if draw(st.booleans()) else ""
    if verb in ("CLEAR", "DROP", "CREATE"):
        target = "DEFAULT" if verb != "CREATE" and draw(st.booleans()) else f"GRAPH {draw(_GRAPH_NAMES)}"
        return f"{verb}{silent} {target}"
    source, target = (draw(st.sampled_from(["DEFAULT", "GRAPH <http://example.org/g1>", "ex:g2"])) for _ in "st")
    return f"{verb}{silent} {source} TO {target}"


@st.composite
def _updates(draw: st.DrawFn) -> str:
    operations = [draw(_operation()) for _ in range(draw(st.integers(1, 3)))]
    prologue = "PREFIX ex: <http://example.org/>\nBASE <http://example.org/>\n"
    return prologue + " ;\n".join(operations)


@settings(
    max_examples=400, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(update=_updates())
def test_generated_updates_change_only_graphs_in_their_scope(update: str) -> None:
    _assert_sound(update)


# -- the screen and the protocol's dataset ----------------------------------------------------------------------


def test_deep_nesting_is_refused_at_the_first_bracket_too_many() -> None:
    update = "INSERT { <a:s> <a:p> 1 }\nWHERE { " + "{" * 20_000 + "}" * 20_000 + " }"
    with pytest.raises(UpdateRejected) as refused:
        screen(update, 100)
    assert "nested too deeply" in refused.value.message
    assert (refused.value.line, refused.value.column) == (2, 108)  # the 101st bracket: "{" at 7, 99 more from 9
    screen("INSERT { <a:s> <a:p> 1 } WHERE { " + "{" * 99 + "}" * 99 + " }", 100)  # 100 deep is allowed
    # Brackets in strings and comments do not count (a "#" in an IRI starts no comment).
    assert check_nesting("SELECT * { ?s ?p \"{{{{\" , '''(((''' . ?s ?p <a:b#c> # {{{{\n }", 1) == 1
    assert check_nesting("SELECT * { ?s ?p <a:b#c> { } }", 2) == 2


@pytest.mark.parametrize(
    "update, refused",
    [
        ("LOAD <http://127.0.0.1:9/x.ttl>", "LOAD"),
        ("INSERT DATA { <a:s> <a:p> 1 } ;\n load <http://x/y> INTO GRAPH <a:g>", "LOAD"),
        ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
        ("INSERT { ?s ?p ?o } WHERE { service silent <http://10.0.0.1/> { ?s ?p ?o } }", "SERVICE"),
    ],
)
def test_load_and_service_are_refused(update: str, refused: str) -> None:
    with pytest.raises(UpdateRejected) as error:
        screen(update, 100)
    assert error.value.message.startswith(refused) and error.value.line is not None


def test_the_words_load_and_service_elsewhere_are_no_operations() -> None:
    screen('PREFIX ex: <http://example.org/LOAD/> INSERT DATA { ex:SERVICE ex:load "LOAD SERVICE" } # LOAD', 100)
    screen("INSERT { ?s ?p ?download } WHERE { ?s ?p ?download }", 100)


def test_the_protocol_dataset_goes_before_each_where_but_delete_where() -> None:
    update = "INSERT { ?s ?p ?o } WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p ?o } ; DELETE { ?s ?p 'WHERE' } WHERE {}"
    assert with_protocol_dataset(update, ["a:x"], ["a:y"]) == (
        "INSERT { ?s ?p ?o } USING <a:x> USING NAMED <a:y> WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p ?o } ;"
        " DELETE { ?s ?p 'WHERE' } USING <a:x> USING NAMED <a:y> WHERE {}"
    )
    with pytest.raises(UpdateRejected):
        with_protocol_dataset(update, ["not an iri"], [])


# -- linear time ------------------------------------------------------------------------------------------------


def test_a_10000_triple_insert_is_read_in_linear_time() -> None:
    """rdflib's parser, used before, took 650 s for this (issue 12, point 4); this reading takes ~0.05 s."""
    lines = [f'<http://example.org/s{i}> <http://example.org/p> "value {i}"@nl .' for i in range(10_000)]
    update = "INSERT DATA { GRAPH <http://example.org/bulk> {\n" + "\n".join(lines) + "\n} }"
    started = time.perf_counter()
    screen(update, 100)
    plan = plan_update(update, BASE)
    assert time.perf_counter() - started < 5.0  # generous: a busy machine, and 100 times below the old time
    assert plan.scope == {NamedNode("http://example.org/bulk")}
