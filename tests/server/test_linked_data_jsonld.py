"""JSON-LD of dereferenced IRIs (`/id/…`, `/graph/…`): compacted with the REST API's context inline (issue 16).

An integrator goes from an IRI to JSON-LD that reads like `/api/…` (`title`, `organisation`, `Algorithm`) and
needs nothing remote. Checked against a real `algokg serve`: the context is the published one (embedded, never a
URL), and the document means exactly what the Turtle of the same IRI means, read by pyoxigraph and by rdflib.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse, serialize
from rdflib import Graph
from rdflib.compare import isomorphic

from sparql_api.jsonld_context import CONTEXT_FILE, compact_document
from sparql_api.linked_data import PREFIXES
from tests.server.conftest import Server
from tests.server.test_linked_data import ALGORITHM, EXAMPLE_GRAPH, _example_iris, _path

# rdflib's JSON-LD parser builds a ConjunctiveGraph, which rdflib itself deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

JSON_LD = "application/ld+json"
AKG = "https://w3id.org/algokg/def#"
REST_CONTEXT = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


@pytest.fixture(scope="module")
def server(running_server: Callable[..., Server], example_store: Path) -> Server:
    return running_server(example_store)


def _get(server: Server, iri: str, **params: str) -> httpx.Response:
    headers = {} if params else {"Accept": JSON_LD}
    response = httpx.get(server.url(_path(iri)), headers=headers, params=params)
    assert response.status_code == 200, response.text[:300]
    return response


def _triples(body: bytes, rdf_format: RdfFormat) -> set[Triple]:
    return {Triple(q.subject, q.predicate, q.object) for q in parse(body, rdf_format)}


def test_entity_is_compacted_with_the_rest_context_inline(server: Server) -> None:
    response = _get(server, ALGORITHM)
    assert response.headers["content-type"].startswith(JSON_LD)
    assert "accept" in response.headers["vary"].lower()
    document = response.json()
    context = document["@context"]
    assert isinstance(context, list) and all(isinstance(part, dict) for part in context), "no remote context"
    assert context[0] == REST_CONTEXT
    assert {"prov", "sh", "dcat"} <= set(context[1])  # the linked-data prefixes the REST context lacks
    node = document["@graph"][0]
    assert node["@id"] == ALGORITHM
    assert node["@type"] == "Algorithm"
    assert node["identifier"] == "00000001"
    assert node["title"] == {"@value": "Signalering bijstandsaanvragen (voorbeeld)", "@language": "nl"}
    assert node["organisation"] == "https://w3id.org/algokg/id/example/noorderhaaks"
    assert "prov:wasDerivedFrom" in node
    assert not any(key.startswith("http") for key in node), "every property a term or a compact IRI"
    as_turtle = httpx.get(server.url(_path(ALGORITHM)), headers={"Accept": "text/turtle"}).text
    # rdflib reads it too, from the document alone (a remote context would fail: no network in tests).
    assert isomorphic(Graph().parse(data=response.text, format="json-ld"), Graph().parse(data=as_turtle))


def test_each_kind_of_iri_means_what_its_turtle_means(server: Server) -> None:
    # One IRI of each kind the example data uses (`…/id/{kind}/…`; each describe costs the server ~0.1 s), and
    # every record of the example dataset itself (registrations, assessments, roles: the richest descriptions).
    kinds = {iri.split("/id/")[1].split("/")[0]: iri for iri in reversed(_example_iris())}
    records = [iri for iri in _example_iris() if "/id/example/" in iri]
    assert len(kinds) > 5 and len(records) > 5
    for iri in sorted({*kinds.values(), *records, EXAMPLE_GRAPH}):
        turtle = httpx.get(server.url(_path(iri)), headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, iri
        document = _get(server, iri)
        assert isinstance(document.json()["@context"], list), iri
        expected = _triples(turtle.content, RdfFormat.TURTLE)
        if any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in expected):
            as_turtle = Graph().parse(data=turtle.text, format="turtle")
            assert isomorphic(Graph().parse(data=document.text, format="json-ld"), as_turtle), iri
        else:
            assert _triples(document.content, RdfFormat.JSON_LD) == expected, iri


@pytest.mark.parametrize("value", ["jsonld", "json-ld", JSON_LD])
def test_format_parameter_gives_the_compacted_document(server: Server, value: str) -> None:
    response = _get(server, ALGORITHM, format=value)
    assert response.headers["content-type"].startswith(JSON_LD)
    assert response.json()["@context"][0] == REST_CONTEXT


def test_the_same_data_gives_the_same_bytes(server: Server) -> None:
    assert _get(server, ALGORITHM).content == _get(server, ALGORITHM).content


# -- the compaction rules, on statements the example data does not have -----------------------------------------


def _compact(triples: list[Triple]) -> dict[str, Any]:
    document = compact_document(triples, PREFIXES)
    body = json.dumps(document)
    assert len(_triples(body.encode(), RdfFormat.JSON_LD)) == len(triples)
    given = Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    assert isomorphic(Graph().parse(data=body, format="json-ld"), given), "it reads back as the triples given"
    node: dict[str, Any] = document["@graph"][0]
    return node


def test_terms_are_used_only_where_they_mean_the_same_rdf() -> None:
    subject = NamedNode("https://w3id.org/algokg/id/x")
    node = _compact(
        [
            Triple(subject, NamedNode(f"{AKG}organisation"), Literal("a name, not an IRI")),  # `organisation`: @id
            Triple(subject, NamedNode(f"{AKG}group"), NamedNode("https://w3id.org/algokg/id/g")),  # `groups`: @list
            Triple(subject, NamedNode(f"{AKG}sparql"), Literal("{}")),  # `sparql`: @json
            Triple(subject, NamedNode(f"{AKG}citedArticle"), NamedNode("https://w3id.org/algokg/id/a")),  # @set
            Triple(subject, NamedNode("http://example.org/p"), Literal("3", datatype=NamedNode(f"{AKG}Unknown"))),
        ]
    )
    assert node["akg:organisation"] == "a name, not an IRI"
    assert node["akg:group"] == {"@id": "https://w3id.org/algokg/id/g"}
    assert node["akg:sparql"] == "{}"
    assert node["articles"] == {"@id": "https://w3id.org/algokg/id/a"}
    assert node["http://example.org/p"] == {"@value": "3", "@type": "akg:Unknown"}


def test_blank_nodes_and_mixed_values() -> None:
    subject, blank = NamedNode("https://w3id.org/algokg/id/y"), BlankNode("b1")
    _compact(
        [
            Triple(subject, NamedNode(f"{AKG}theme"), NamedNode("https://w3id.org/algokg/id/t")),
            Triple(subject, NamedNode(f"{AKG}theme"), Literal("free text", language="nl")),
            Triple(subject, NamedNode(f"{AKG}hasRoleAssignment"), blank),
            Triple(blank, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(f"{AKG}Role")),
        ]
    )
