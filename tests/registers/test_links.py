"""Candidate links between registers on the real data: the known pairs are found with their scores and evidence,
stored as reified skos:closeMatch candidates (never owl:sameAs), a review file decides, bad review files are
located errors."""

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Store

from loader.cli import cli
from loader.store import open_store

AKG = "https://w3id.org/algokg/def#"
KNOWN = Path(__file__).parent / "data" / "known-pairs.csv"


def _pairs(store: Store) -> dict[frozenset[str], float]:
    query = f"""PREFIX akg: <{AKG}> SELECT ?a ?b ?score WHERE {{
        ?l a akg:CandidateLink ; akg:linkFrom ?a ; akg:linkTo ?b ; akg:score ?score }}"""
    rows = store.query(query, use_default_graph_as_union=True)
    return {frozenset((row["a"].value, row["b"].value)): float(row["score"].value) for row in rows}


def test_the_known_pairs_are_found(linked_store: Path) -> None:
    store = open_store(linked_store)
    found = _pairs(store)
    with KNOWN.open(encoding="utf-8") as handle:
        known = [frozenset((row["from"], row["to"])) for row in csv.DictReader(handle)]
    assert len(known) == 3
    missing = [sorted(pair) for pair in known if pair not in found]
    assert not missing
    assert all(0.3 <= found[pair] <= 1 for pair in known)
    same_as = "ASK { ?a <http://www.w3.org/2002/07/owl#sameAs> ?b }"
    assert not store.query(same_as, use_default_graph_as_union=True)  # no register names the other's page
    unreviewed = "ASK { ?a <http://www.w3.org/2004/02/skos/core#closeMatch> ?b FILTER (STRSTARTS(STR(?a), 'https://w3id.org/algokg/id/algorithm/')) }"
    assert not store.query(unreviewed, use_default_graph_as_union=True)  # only an accepted link is asserted


def test_a_review_file_accepts_a_link(linked_store: Path, tmp_path: Path) -> None:
    from tests.server.conftest import store_copy

    copy = store_copy(linked_store, tmp_path)
    reviews = tmp_path / "reviews.csv"
    reviews.write_text(
        "from,to,decision,reviewer\n"
        "https://w3id.org/algokg/id/algorithm/22789541,https://w3id.org/algokg/id/algorithm/ai-watch/90086,accepted,test\n",
        encoding="utf-8",
    )
    done = CliRunner().invoke(cli, ["link-registers", "--store", str(copy), "--reviews", str(reviews)])
    assert done.exit_code == 0 and "(1 reviewed)" in done.output, done.output
    store = open_store(copy)
    asserted = "ASK { <https://w3id.org/algokg/id/algorithm/22789541> <http://www.w3.org/2004/02/skos/core#closeMatch> <https://w3id.org/algokg/id/algorithm/ai-watch/90086> }"
    assert store.query(asserted, use_default_graph_as_union=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from,to\nx,y\n", "missing required column(s) decision"),
        ("from,to,decision\nhttps://a/1,https://a/2,maybe\n", "reviews.csv:2: field 'decision'"),
    ],
)
def test_a_bad_review_file_is_a_located_error(linked_store: Path, tmp_path: Path, text: str, expected: str) -> None:
    reviews = tmp_path / "reviews.csv"
    reviews.write_text(text, encoding="utf-8")
    done = CliRunner().invoke(cli, ["link-registers", "--store", str(linked_store), "--reviews", str(reviews)])
    assert done.exit_code == 2 and expected in done.output, done.output
