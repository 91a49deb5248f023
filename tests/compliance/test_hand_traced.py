"""Answer sets traced by hand through the published decision tree (aiact-hand-traced.yaml: the path followed is
written down with each), run through algokg: the conclusion, the category, the roles, and the obligations that
apply on two days, as worked out by hand from the AI Act data and each case's facts.

The classification and the case's facts are written into a real pyoxigraph store on disk with the model; the
obligations come from the same code as `algokg obligations` (the position rule, the derived dates).
"""

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

from compliance.answer_files import AnswerSheet
from compliance.classification import classification_triples, classify, tree_triples
from compliance.decision_tree import DecisionTree, read_tree
from compliance.obligations import Obligation, obligations_for
from loader.mapping import terms as t
from ontology import model_files
from tests.conftest import shared_path

CASES_FILE = Path(__file__).parent / "aiact-hand-traced.yaml"
DOCUMENT = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
CASES = {case["name"]: case for case in DOCUMENT["cases"]}
AT = datetime.fromisoformat(DOCUMENT["answered_at"]).astimezone(UTC)
GRAPH = NamedNode("https://example.org/hand-traced/graph")
ID = "https://w3id.org/algokg/id/"


def test_at_least_twenty_cases_each_with_its_path() -> None:
    assert len(CASES) == len(DOCUMENT["cases"]) >= 20
    for case in CASES.values():
        assert case["path"].strip() and case["story"] and case["expected"]["conclusion"], case["name"]
        assert set(case["expected"]["obligations_on"]) == set(DOCUMENT["days"]), case["name"]


@pytest.fixture(scope="module")
def tree() -> DecisionTree:
    return read_tree(shared_path("reference", "aiact", "beslishulp", "decision-tree.yaml"))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, tree: DecisionTree) -> Store:
    store = Store(str(tmp_path_factory.mktemp("hand-traced")))
    for path in model_files():
        store.bulk_load(
            path=path, format=RdfFormat.TURTLE, to_graph=NamedNode(f"https://example.org/model/{path.name}")
        )
    store.extend(Quad(*triple, GRAPH) for triple in tree_triples(tree))
    return store


def _facts(algorithm: NamedNode, organisation: NamedNode, facts: dict[str, Any]) -> list[tuple]:
    triples: list[tuple] = [
        (algorithm, t.RDF_TYPE, t.akg("Algorithm")),
        (algorithm, t.akg("organisation"), organisation),
        (organisation, t.RDF_TYPE, NamedNode("http://www.w3.org/ns/org#Organization")),
        (organisation, t.akg("isPublicAuthority"), t.typed(str(facts["public"]).lower(), "boolean")),
    ]
    if "begin" in facts:
        triples.append((algorithm, t.akg("beginDate"), t.typed(facts["begin"], "gYearMonth")))
    for key, predicate, scheme in (
        ("point", "annexIIIPoint", "annex-iii"),
        ("practice", "prohibitedPractice", "aiact-prohibited-practice"),
        ("case", "transparencyCase", "aiact-art-50"),
    ):
        if key in facts:
            triples.append((algorithm, t.akg(predicate), NamedNode(f"{ID}{scheme}/{facts[key]}")))
    if facts.get("interacts"):
        triples.append((algorithm, t.akg("interactsWithNaturalPersons"), t.typed("true", "boolean")))
    return triples


def _keys(found: list[Obligation], test: Any = lambda item: True) -> set[str]:
    return {f"{item.slug} {item.role.rsplit('/', 1)[-1]}" for item in found if test(item)}


@pytest.mark.parametrize("name", list(CASES))
def test_hand_traced_case(store: Store, tree: DecisionTree, name: str) -> None:
    case, number = CASES[name], list(CASES).index(name)
    algorithm_id = f"920000{number:02d}"
    algorithm = t.algorithm_iri(algorithm_id)
    organisation = NamedNode(f"https://example.org/hand-traced/organisation/{name}")
    sheet = AnswerSheet.of(
        "Hand-traced", AT, {str(k): str(v) for k, v in case["answers"].items()}, source=f"{name}.yaml"
    )
    item = replace(classify(tree, algorithm_id, sheet), holder=organisation.value)
    expected = case["expected"]
    # What the tree concludes, as traced by hand.
    assert item.outcome.conclusion.id == expected["conclusion"]
    assert item.outcome.unused == ()  # every answer written down was on the path
    assert list(item.levels) == expected["levels"]
    assert list(item.roles) == expected["roles"]
    triples = _facts(algorithm, organisation, case["facts"]) + classification_triples(item)
    store.extend(Quad(*triple, GRAPH) for triple in triples)
    if not item.applies:  # no operator role is stored where the AI Act does not apply
        assert not [o for s, p, o in triples if p.value.endswith(("#classifiedRole", "#classifiedRoleAssignment"))]
    for day in DOCUMENT["days"]:
        found = obligations_for(store, algorithm, date.fromisoformat(day))
        assert _keys(found) == set(expected["obligations_on"][day]), day
    everything = obligations_for(store, algorithm)
    assert _keys(everything, lambda item: bool(item.depends_on)) == set(expected.get("conditional", []))
    assert _keys(everything, lambda item: item.derived.significant_change) == set(
        expected.get("significant_change", [])
    )
    # One duty, one date: no obligation is owed twice by one role.
    assert len(_keys(everything)) == len(everything)
    assert all(isinstance(value, Literal | NamedNode) for triple in triples for value in triple)
