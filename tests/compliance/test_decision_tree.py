"""The AI Act decision tree: every conclusion reached by generated answers, labels checked against the
conclusion's own numbering, the tree stored as data, and `algokg classify` on a real on-disk store."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from compliance.classification import (
    AnswerSheet,
    classification_triples,
    classify,
    read_answers,
    risk_level,
    tree_iri,
    tree_triples,
)
from compliance.conditions import ConditionError, parse
from compliance.decision_tree import DecisionTree, DecisionTreeError, Exploration, evaluate, explore, read_tree
from loader.store import open_store
from tests.conftest import shared_path

# No conclusion of the tree as published is out of reach once labels are a set (see Exploration).
UNREACHABLE: set[str] = set()
SYSTEM_TYPES = {"0": "AI-systeem", "1": "AI-systeem voor algemene doeleinden", "2": "AI-model voor algemene doeleinden"}
ROLES = {
    "12": ("aanbieder",),
    "13": ("gebruiksverantwoordelijke",),
    "14": ("aanbieder", "gebruiksverantwoordelijke"),
    "15": ("importeur",),
    "16": ("distributeur",),
}


@pytest.fixture(scope="module")
def tree() -> DecisionTree:
    return read_tree(shared_path("reference", "aiact", "beslishulp", "decision-tree.yaml"))


@pytest.fixture(scope="module")
def exploration(tree: DecisionTree) -> Exploration:
    return explore(tree)


def expected(conclusion: str) -> dict[str, set[tuple[str, ...]]]:
    """What a conclusion's number says about the labels, written out independently of the tree's redirects.

    ``12``-``16`` the role, then the system type, then for systems 0 prohibited, 1/2 high-risk with/without
    transparency, 3/4 not high-risk with/without; for models 1 systemic risk, 2 open source, 3 not.
    Importers and distributors of "high-risk" systems (x.y.1) are also reached through the exception to a
    prohibition (2.2 "Ja"), which adds no risk label; the tree has prohibited conclusions (x.0.0) only for
    AI systems, so a prohibited general-purpose AI system ends there too.
    """
    if conclusion in {"11.0", "11.3"}:  # no algorithm, or no AI Act role: nothing else was asked
        return {"rol-ai-act": {()}, "soort-toepassing": {()}, "risicogroep": {()}}
    if conclusion == "11.1":  # not an AI system or model
        return {"soort-toepassing": {()}, "risicogroep": {()}}
    if conclusion == "11.2":  # an exemption or an open-source, non-high-risk system without transparency duty
        return {"risicogroep": {("uitzondering van toepassing",), ("geen hoog-risico AI",)}}
    head, kind, case = conclusion.split(".")
    groups: dict[str, set[tuple[str, ...]]] = {
        "rol-ai-act": {ROLES[head]},
        "soort-toepassing": {(SYSTEM_TYPES[kind],)},
    }
    if case == "0":
        groups["soort-toepassing"] = {(SYSTEM_TYPES["0"],), (SYSTEM_TYPES["1"],)}
    if kind == "2":
        if head in {"15", "16"}:
            groups["systeemrisico"] = {()}
        else:
            groups["systeemrisico"] = {("systeemrisico",)} if case == "1" else {("geen systeemrisico",)}
            if head == "13":  # a deployer of a model ends here whatever its systemic risk
                groups["systeemrisico"] = {("systeemrisico",), ("geen systeemrisico",)}
        if case in {"2", "3"}:
            groups["open-source"] = {("open-source",) if case == "2" else ("geen open-source",)}
        groups["risicogroep"] = {()}
        return groups
    risk = {"0": ("verboden AI",), "1": ("hoog-risico AI",), "2": ("hoog-risico AI",)}.get(
        case, ("geen hoog-risico AI",)
    )
    groups["risicogroep"] = {risk, ()} if head in {"15", "16"} and case == "1" else {risk}
    if head in {"12", "13", "14"} and case != "0":
        transparent = case in {"1", "3"}
        groups["transparantieverplichting"] = {
            ("transparantieverplichting",) if transparent else ("geen transparantieverplichting",)
        }
    return groups


def test_the_tree_has_its_50_conclusions(tree: DecisionTree) -> None:
    assert (tree.name, tree.version, len(tree.questions), len(tree.conclusions)) == (
        "Beslishulp AI-verordening",
        "1.0.0",
        22,
        50,
    )


def test_unreachable_conclusions_are_exactly_the_known_set(tree: DecisionTree, exploration: Exploration) -> None:
    assert exploration.unreachable(tree) == UNREACHABLE
    assert exploration.dead_ends == []


@pytest.mark.parametrize(
    "conclusion",
    [
        f"{c}"
        for c in [
            "11.0",
            "11.1",
            "11.2",
            "11.3",
            "12.0.0",
            "12.0.1",
            "12.0.2",
            "12.0.3",
            "12.0.4",
            "12.1.1",
            "12.1.2",
            "12.1.3",
            "12.1.4",
            "12.2.1",
            "12.2.2",
            "12.2.3",
            "13.0.0",
            "13.0.1",
            "13.0.2",
            "13.0.3",
            "13.0.4",
            "13.1.1",
            "13.1.2",
            "13.1.3",
            "13.1.4",
            "13.2.1",
            "14.0.0",
            "14.0.1",
            "14.0.2",
            "14.0.3",
            "14.0.4",
            "14.1.1",
            "14.1.2",
            "14.1.3",
            "14.1.4",
            "14.2.1",
            "14.2.2",
            "14.2.3",
            "15.0.0",
            "15.0.1",
            "15.0.3",
            "15.1.1",
            "15.1.3",
            "15.2.1",
            "16.0.0",
            "16.0.1",
            "16.0.3",
            "16.1.1",
            "16.1.3",
            "16.2.1",
        ]
    ],
)
def test_generated_answers_reach_each_conclusion_with_its_labels(
    tree: DecisionTree, exploration: Exploration, conclusion: str
) -> None:
    assert conclusion in tree.conclusions
    if conclusion in UNREACHABLE:
        pytest.skip(f"conclusion {conclusion} is unreachable (asserted above)")
    outcome = evaluate(tree, exploration.reached[conclusion])
    assert outcome.conclusion.id == conclusion
    for group, allowed in expected(conclusion).items():
        assert outcome.group(group) in allowed, (group, outcome.labels)


def test_every_path_ends_where_its_number_says(tree: DecisionTree) -> None:
    # All ~3000 paths, not only the shortest: the labels gathered agree with the conclusion reached.
    from compliance.decision_tree import _walk

    checked = 0
    for answers, ending in _walk(tree, tree.first, {}, frozenset(), frozenset()):
        outcome = evaluate(tree, answers)
        assert outcome.conclusion.id == ending
        for group, allowed in expected(ending).items():
            assert outcome.group(group) in allowed, (ending, group, answers)
        checked += 1
    assert checked > 1000


def test_ak_tags_fill_unsettled_groups_with_not_applicable(tree: DecisionTree, exploration: Exploration) -> None:
    outcome = evaluate(tree, exploration.reached["13.0.2"])
    assert outcome.ak_tags == {
        "rol-ai-act-gebruiksverantwoordelijke",
        "soort-toepassing-ai-systeem",
        "risicogroep-hoog-risico-ai-systeem",
        "transparantieverplichting-geen-transparantieverplichting",
        "systeemrisico-niet-van-toepassing",
        "open-source-niet-van-toepassing",
    }


def test_risk_levels_follow_the_route_to_high_risk(tree: DecisionTree, exploration: Exploration) -> None:
    annex_i = {**exploration.reached["12.0.2"]}
    assert annex_i.get("2.3", "").startswith("Ja") and risk_level(evaluate(tree, annex_i)) == "high-risk-annex-i"
    annex_iii = {
        "1.1": "Ja",
        "1.2": 5,
        "1.3": "In gebruik",
        "1.4.1": 1,
        "1.5": "Nee",
        "2.0": 1,
        "2.1": "Nee",
        "2.3": "Geen van beide",
        "2.4": "Ja",
        "2.7.2": "Nee",
        "2.5": "Nee",
        "2.6": "Ja",
        "2.11": "Nee",
        "2.9": "Ja",
        "2.10": "Nee",
    }
    outcome = evaluate(tree, annex_iii)
    assert (outcome.conclusion.id, risk_level(outcome)) == ("13.0.3", "not-high-risk-art-6-3")
    assert risk_level(evaluate(tree, exploration.reached["12.2.1"])) == "gpai-systemic"
    assert risk_level(evaluate(tree, exploration.reached["13.0.0"])) == "prohibited"


def test_wrong_or_missing_answers_say_which_question_and_the_options(tree: DecisionTree) -> None:
    with pytest.raises(DecisionTreeError) as missing:
        evaluate(tree, {"1.1": "Ja"})
    assert missing.value.field == "1.2" and "We ontwikkelen enkel" in missing.value.message
    with pytest.raises(DecisionTreeError) as wrong:
        evaluate(tree, {"1.1": "Misschien"})
    assert wrong.value.field == "1.1" and "1. Ja; 2. Nee" in wrong.value.message


def test_conditions_are_exact_set_membership() -> None:
    condition = parse('"AI-systeem" in labels && !("open-source" in labels)')
    assert condition({"AI-systeem"}) and not condition({"AI-systeem voor algemene doeleinden"})
    assert not condition({"AI-systeem", "open-source"})
    with pytest.raises(ConditionError):
        parse('"a" in labels &&')


def test_tree_as_data_keeps_every_question_option_and_conclusion(tree: DecisionTree) -> None:
    triples = tree_triples(tree)
    akg = "https://w3id.org/algokg/def#"
    count = lambda cls: sum(1 for _, p, o in triples if p.value.endswith("#type") and o.value == akg + cls)  # noqa: E731
    options = sum(len(q.options) for q in tree.questions.values())
    redirects = sum(len(o.redirects) for q in tree.questions.values() for o in q.options)
    assert (count("Question"), count("AnswerOption"), count("Redirect"), count("Conclusion")) == (
        22,
        options,
        redirects,
        50,
    )


def test_classification_records_who_when_which_tree(tree: DecisionTree, exploration: Exploration) -> None:
    from datetime import UTC, datetime

    sheet = AnswerSheet.of(
        "Team X", datetime(2026, 5, 1, tzinfo=UTC), exploration.reached["13.0.1"], source="x.yaml", sha256="0" * 64
    )
    item = classify(
        tree,
        "00000001",
        sheet,
        [
            (
                "urn:nl:ak:ver:aia-27",
                frozenset({"risicogroep-hoog-risico-ai-systeem", "rol-ai-act-gebruiksverantwoordelijke"}),
                (),
            )
        ],
    )
    assert item.requirements == ("urn:nl:ak:ver:aia-27",)
    triples = {(s.value, p.value, o.value) for s, p, o in classification_triples(item)}
    prov = "http://www.w3.org/ns/prov#"
    assert (item.iri.value, prov + "wasDerivedFrom", tree_iri(tree).value) in triples
    assert (item.iri.value, prov + "generatedAtTime", "2026-05-01T00:00:00+00:00") in triples
    assert (f"{item.iri.value}/answerer", "http://www.w3.org/2000/01/rdf-schema#label", "Team X") in triples


CLASSIFY_ANSWERS = """\
answered_by: Team Data, gemeente Voorbeeld
organisation: https://identifier.overheid.nl/tooi/id/gemeente/gm0363
answered_at: 2026-05-01T10:00:00+02:00
answers:
  "1.1": Ja
  "1.2": We gebruiken een extern ontwikkelde toepassing zonder aanpassingen
  "1.3": In gebruik
  "1.4.1": Ja, het is een AI-systeem
  "1.5": Nee
  "2.0": 1
  "2.1": Nee
  "2.3": Geen van beide
  "2.4": Ja
  "2.7.2": Nee
  "2.5": Ja
  "2.9": Nee
"""


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "loader.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_classify_cli_stores_the_classification_atomically(tmp_path: Path) -> None:
    tree_file = shared_path("reference", "aiact", "beslishulp", "decision-tree.yaml")
    index = shared_path("reference", "algoritmekader", "algoritmekader_index.json")
    store = tmp_path / "store"
    answers = tmp_path / "answers.yaml"
    answers.write_text(CLASSIFY_ANSWERS, encoding="utf-8")
    assert _cli("init", "--store", str(store)).returncode == 0
    kader = _cli("kader", "--store", str(store), "--index", str(index))
    assert kader.returncode == 0, kader.stderr
    done = _cli(
        "classify", "00000001", "--store", str(store), "--answers", str(answers), "--tree", str(tree_file), "--json"
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["conclusion"], summary["risk_level"], summary["role"]) == (
        "13.0.2",
        "high-risk-annex-iii",
        ["gebruiksverantwoordelijke"],
    )
    # A public deployer of a high-risk system: the FRIA and deployer duties apply, provider duties do not.
    assert {"urn:nl:ak:ver:aia-27", "urn:nl:ak:ver:aia-26", "urn:nl:ak:ver:avg-13"} <= set(summary["requirements"])
    assert "urn:nl:ak:ver:aia-03" not in summary["requirements"]
    generation = (store / "current").resolve()
    again = _cli("classify", "00000001", "--store", str(store), "--answers", str(answers), "--tree", str(tree_file))
    assert again.returncode == 0 and (store / "current").resolve() == generation  # same answers: nothing new
    rows = list(
        open_store(store).query(
            """PREFIX akg: <https://w3id.org/algokg/def#> PREFIX prov: <http://www.w3.org/ns/prov#>
           SELECT ?c ?who ?org ?tree WHERE {
             ?a akg:hasClassification ?c . ?c akg:conclusion/<http://purl.org/dc/terms/identifier> "13.0.2" ;
                prov:wasAttributedTo ?agent ; prov:wasDerivedFrom ?tree .
             ?agent <http://www.w3.org/2000/01/rdf-schema#label> ?who ; prov:actedOnBehalfOf ?org .
             ?tree a akg:DecisionTree }""",
            substitutions={},
            use_default_graph_as_union=True,
        )
    )
    assert len(rows) == 1
    assert rows[0]["org"] == NamedNode("https://identifier.overheid.nl/tooi/id/gemeente/gm0363")
    unknown = _cli("classify", "99999999", "--store", str(store), "--answers", str(answers), "--tree", str(tree_file))
    assert unknown.returncode == 2 and "not in the store" in unknown.stderr
    assert (store / "current").resolve() == generation


def test_answers_file_errors_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "a.yaml"
    bad.write_text("answers: {'1.1': Ja}\n", encoding="utf-8")
    with pytest.raises(Exception) as error:
        read_answers(bad)
    assert "answered_by" in str(error.value) and str(bad) in str(error.value)


def test_classify_without_a_tree_uses_the_pinned_tree_from_the_cache(tmp_path: Path) -> None:
    from compliance.decision_tree import TREE_PIN

    tree_file = shared_path("reference", "aiact", "beslishulp", "decision-tree.yaml")
    store, cache = tmp_path / "store", tmp_path / "cache"
    answers = tmp_path / "answers.yaml"
    answers.write_text(CLASSIFY_ANSWERS, encoding="utf-8")
    assert _cli("init", "--store", str(store)).returncode == 0
    generation = (store / "current").resolve()
    # No network here and nothing cached: a located error naming the pinned URL, and nothing written.
    offline = {"ALGOKG_CACHE": str(cache), "ALGOKG_DECISION_TREE": ""}
    missing = _cli("classify", "00000001", "--store", str(store), "--answers", str(answers), env=offline)
    assert missing.returncode == 2 and TREE_PIN.url in missing.stderr, missing.stderr
    assert (store / "current").resolve() == generation
    # A copy in the cache under the pin's name stands in for the download (as after a first harvest).
    cache.mkdir(exist_ok=True)
    (cache / TREE_PIN.name).write_bytes(tree_file.read_bytes())
    done = _cli("classify", "00000001", "--store", str(store), "--answers", str(answers), "--json", env=offline)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["conclusion"] == "13.0.2"
