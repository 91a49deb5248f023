"""The letter as data (motions, actions, instruments) and the EU identifier links, read from a real store built
from the model alone; every fact carries a source, and the links reach the rest of the graph."""

import re
from pathlib import Path

import pytest
from pyoxigraph import Store

from compliance.motions import actions
from loader.store import build_store, open_store

AKG = "https://w3id.org/algokg/def#"
PREFIXES = f"""PREFIX akg: <{AKG}> PREFIX dct: <http://purl.org/dc/terms/>
PREFIX eli: <http://data.europa.eu/eli/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> """
KST = "https://w3id.org/algokg/id/kamerstuk/"
REGISTER = "https://w3id.org/algokg/id/catalog/algoritmeregister"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    directory: Path = tmp_path_factory.mktemp("motions-store")
    build_store(directory, datasets=[])
    return open_store(directory)


def _rows(store: Store, query: str) -> list[dict[str, str | None]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [variable.value for variable in result.variables]
    return [{name: (row[name].value if row[name] is not None else None) for name in names} for row in result]


def test_register_action_responds_to_the_motion_and_produced_the_register(store: Store) -> None:
    found = {action.iri.rsplit("/", 1)[-1]: action for action in actions(store)}
    register = found["algoritmeregister"]
    assert [(m.number, m.iri) for m in register.motions] == [("35925-VII-26", f"{KST}35925-VII-26")]
    assert register.instruments == [REGISTER]
    assert register.letters == [f"{KST}26643-1394", f"{KST}26643-950"]
    assert register.notes, "the unverified link to the motion must say so"
    assert {m.number for m in found["motie-21"].motions} == {"35510-21", "35510-16"}
    assert found["cio-toezicht"].letters == [f"{KST}26643-924"]
    assert found["cio-toezicht"].instruments == ["https://w3id.org/algokg/id/instrument/cio-oordeel"]
    assert found["algoritmeregister"].to_json()["motions"][0]["kamerstuk"] == "35925-VII-26"


def test_every_paper_has_a_kamerstuk_number_and_a_source(store: Store) -> None:
    rows = _rows(
        store,
        """SELECT ?paper ?number ?source WHERE {
        { ?paper a akg:Motion . OPTIONAL { ?paper akg:kamerstukNumber ?number } }
        UNION { ?paper a akg:KamerLetter . OPTIONAL { ?paper dct:identifier ?number } }
        OPTIONAL { ?paper dct:source ?source } }""",
    )
    papers = {row["paper"] for row in rows}
    assert len(papers) >= 10
    for row in rows:
        assert row["number"] and re.fullmatch(r"\d{5}(-[IVX]+)?-\d+", row["number"]), row
        assert row["paper"] == KST + row["number"]
        assert row["source"] and row["source"].startswith("https://"), row


def test_every_action_is_reported_and_its_instruments_are_instruments(store: Store) -> None:
    assert not _rows(store, "SELECT ?a WHERE { ?a a akg:GovernmentAction FILTER NOT EXISTS { ?a akg:reportedIn ?l } }")
    assert not _rows(store, "SELECT ?i WHERE { ?a akg:produced ?i FILTER NOT EXISTS { ?i a akg:Instrument } }")
    assert not _rows(store, "SELECT ?m WHERE { ?a akg:respondsTo ?m FILTER NOT EXISTS { ?m a akg:Motion } }")
    # The IAMA instrument links to the assessment-instrument concept the register's assessments use.
    linked = _rows(
        store, "SELECT ?c WHERE { <https://w3id.org/algokg/id/instrument/iama> dct:relation ?c . ?c skos:inScheme ?s }"
    )
    assert [row["c"] for row in linked] == ["https://w3id.org/algokg/id/assessment-instrument/iama"]


def test_eu_identifiers_of_laws(store: Store) -> None:
    rows = _rows(
        store,
        """SELECT ?act ?celex ?cellar WHERE { ?act akg:celexNumber ?celex .
        OPTIONAL { ?act skos:exactMatch ?cellar FILTER STRSTARTS(STR(?cellar), "http://publications.europa.eu/resource/celex/") } }""",
    )
    by_act = {row["act"]: row for row in rows}
    assert by_act["http://data.europa.eu/eli/reg/2024/1689/oj"]["celex"] == "32024R1689"
    for row in rows:
        assert row["cellar"] == f"http://publications.europa.eu/resource/celex/{row['celex']}", row
    uavg = _rows(
        store, "SELECT ?eu WHERE { <https://w3id.org/algokg/id/law/bwb/BWBR0040940> eli:ensures_implementation_of ?eu }"
    )
    assert [row["eu"] for row in uavg] == ["http://data.europa.eu/eli/reg/2016/679/oj"]
    transposed = _rows(
        store,
        "SELECT ?nl ?dir ?note WHERE { ?nl eli:transposes ?dir . ?dir akg:celexNumber ?c . OPTIONAL { ?nl akg:verificationNote ?note } }",
    )
    assert transposed and all(row["note"] for row in transposed)
    legislators = _rows(
        store, "SELECT ?body WHERE { <http://data.europa.eu/eli/reg/2024/1689/oj> eli:passed_by ?body }"
    )
    assert {row["body"].rsplit("/", 1)[-1] for row in legislators} == {"EP", "CONSIL"}
