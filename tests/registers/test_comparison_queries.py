"""Each comparison query on a hand-written fixture (two registers, four algorithms) with its exact expected answer,
the model beside it (collections, close matches): the competency questions of the comparison."""

from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from ontology import model_files
from queries import QUERY_DIR

FIXTURE = Path(__file__).parent / "data" / "comparison-fixture.ttl"
ID = "https://w3id.org/algokg/id/"
NL, US = f"{ID}catalog/algoritmeregister", f"{ID}catalog/us-federal-ai-inventory"
NONE = "urn:algokg:no-value"
EXPECTED = {
    "status": {
        (NL, f"{ID}register-status/in-gebruik", 1, 2), (NL, NONE, 1, 2),
        (US, f"{ID}register-status/in-gebruik", 1, 2), (US, f"{ID}us-development-stage/pilot", 1, 2),
    },
    "declared-high": {(NL, "declared-high", 1, 2), (US, "declared-high", 1, 2)},
    "impact-assessed": {(NL, "impact-assessed", 1, 1), (US, "impact-assessed", 0, 1)},
    "privacy-assessed": {(NL, "privacy-assessed", 1, 2), (US, "privacy-assessed", 1, 2)},
    "vendors": {("", f"{ID}organisation/vendor/acme", 2, 2)},
    "sectors": {
        (NL, f"{ID}cofog/10", 1, 2), (NL, NONE, 1, 2), (US, f"{ID}cofog/10", 1, 2), (US, f"{ID}cofog/04", 1, 2),
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store()
    for path in [*model_files(), FIXTURE]:
        store.load(path=str(path), format=RdfFormat.TURTLE)
    return store


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_comparison_query_on_its_fixture(store: Store, name: str) -> None:
    text = (QUERY_DIR / "registers" / f"compare-{name}.rq").read_text(encoding="utf-8")
    rows = store.query(text, use_default_graph_as_union=True)
    found = {(r["register"].value, r["value"].value, int(r["count"].value), int(r["total"].value)) for r in rows}
    assert found == EXPECTED[name]
