"""Dates as one derivation (compliance.dates): a property test over generated systems on the model's real data,
the decision tree's cut-off kept as a second source and shown as a note, and amended dates unverified until their
source is the Official Journal.

The property, checked for every generated system (category, roles, public or not, begin date known or not, Annex
III point, Art 5 practice, Art 50 case; declared or classified): no duty has two dates — each (obligation, role)
once, with one date or one condition, and alternatives only where a fact is unknown; a part of an umbrella
obligation (akg:partOfObligation) applies from the same date as its umbrella, unless the model says why the law
dates it apart (akg:ownDateReason) — and that is exactly the providers' registration (Art 49(1) in Art 16, Art 49(2)
in Art 6(4)), which applies before its umbrella, never after.

Before, for the Annex III municipality deployer in use since 2024-03, Art 26(9) applied from 2027-12-02 while Art 26
said 2030-08-02; for a new public system of 2026-10, registration before use (Art 26(8) with 49(3)) was deferred to
2027-12-02 while Art 49(3) stayed at 2026-08-02; Art 86 had no Art 111(2) transition.
"""

import itertools
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from compliance.dates import DatedApplicability, SystemFacts, derive, placed_before
from compliance.obligations import Obligation, obligations_for
from loader.mapping import terms as t
from ontology import model_files

ID = "https://w3id.org/algokg/id/"
RISK = f"{ID}aiact-risk-level/"
GRAPH = NamedNode("https://example.org/dates/graph")
LEVELS = [
    ("high-risk-annex-iii",),
    ("high-risk-annex-i",),
    ("not-high-risk-art-6-3",),
    ("transparency",),
    ("minimal",),
    ("prohibited",),
    ("gpai",),
    ("gpai-systemic",),
    ("high-risk-annex-iii", "transparency"),
    ("high-risk-annex-i", "transparency"),
]
POINTS = [None, "2", "1-a", "3-a", "4-b", "5-a", "5-b", "5-c", "6-d", "8-b"]
PRACTICES = [None, "5-1-c", "5-1-h", "5-1-ba"]
CASES = [None, "interacts", "50-2", "50-3", "50-4-deep-fake"]
# The parts the law dates apart from their umbrella, and why (Chapter III Section 5, registration, is not deferred
# for providers): they may apply before it, never after.
OWN_DATES = {("aiact-art-49-1", "aiact-art-16"), ("aiact-art-49-2", "aiact-art-6-4")}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(str(tmp_path_factory.mktemp("dates")))
    for path in model_files():
        store.bulk_load(
            path=path, format=RdfFormat.TURTLE, to_graph=NamedNode(f"https://example.org/model/{path.name}")
        )
    return store


months = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2019, 2029), st.integers(1, 12))
systems = st.fixed_dictionaries(
    {
        "levels": st.sampled_from(LEVELS),
        "roles": st.sampled_from([("provider",), ("deployer",), ("provider", "deployer")]),
        "public": st.sampled_from([True, False, None]),
        "begin": st.none() | months,
        "point": st.sampled_from(POINTS),
        "practice": st.sampled_from(PRACTICES),
        "case": st.sampled_from(CASES),
        "classified": st.booleans(),
        "in_use": st.booleans(),
    }
)
_counter = itertools.count()


def _add(store: Store, system: dict) -> NamedNode:
    """The system as triples: declared on the algorithm, or as its classification."""
    number = next(_counter)
    algorithm = t.algorithm_iri(f"93{number:06d}")
    holder = NamedNode(f"https://example.org/dates/organisation/{number}")
    triples: list[tuple] = [(algorithm, t.RDF_TYPE, t.akg("Algorithm")), (algorithm, t.akg("organisation"), holder)]
    if system["public"] is not None:
        triples.append((holder, t.akg("isPublicAuthority"), t.typed(str(system["public"]).lower(), "boolean")))
    if system["begin"]:
        triples.append((algorithm, t.akg("beginDate"), t.typed(system["begin"], "gYearMonth")))
    for key, predicate, scheme in (
        ("point", "annexIIIPoint", "annex-iii"),
        ("practice", "prohibitedPractice", "aiact-prohibited-practice"),
    ):
        if system[key]:
            triples.append((algorithm, t.akg(predicate), NamedNode(f"{ID}{scheme}/{system[key]}")))
    if system["case"] == "interacts":
        triples.append((algorithm, t.akg("interactsWithNaturalPersons"), t.typed("true", "boolean")))
    elif system["case"]:
        triples.append((algorithm, t.akg("transparencyCase"), NamedNode(f"{ID}aiact-art-50/{system['case']}")))
    source, link = algorithm, t.akg("hasRoleAssignment")
    if system["classified"]:
        source, link = NamedNode(f"{algorithm.value}/classification/generated"), t.akg("classifiedRoleAssignment")
        answerer = NamedNode(f"{source.value}/answerer")
        triples += [
            (algorithm, t.akg("hasClassification"), source),
            (source, t.RDF_TYPE, t.akg("Classification")),
            (source, t.prov("generatedAtTime"), t.typed("2026-05-01T10:00:00+02:00", "dateTime")),
            (source, t.prov("wasAttributedTo"), answerer),
            (answerer, t.prov("actedOnBehalfOf"), holder),
        ]
        if system["in_use"]:
            triples.append((source, t.akg("decisionLabel"), t.text("in gebruik", None)))
    triples += [(source, t.akg("riskLevel"), NamedNode(f"{RISK}{level}")) for level in system["levels"]]
    for role in system["roles"]:
        assignment = NamedNode(f"{source.value}/assignment/{role}")
        triples += [
            (source, link, assignment),
            (assignment, t.akg("aiActRole"), NamedNode(f"{ID}aiact-role/{role}")),
            (assignment, t.akg("roleHolder"), holder),
        ]
    store.extend(Quad(*triple, GRAPH) for triple in triples)
    return algorithm


def _key(item: Obligation) -> tuple[str, str]:
    return item.slug, item.role.rsplit("/", 1)[-1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(system=systems)
def test_no_duty_has_two_dates(store: Store, system: dict) -> None:
    found = obligations_for(store, _add(store, system))
    by_key = {_key(item): item for item in found}
    assert len(by_key) == len(found), "a duty is listed twice"
    in_use_on = date(2026, 5, 1) if system["classified"] and system["in_use"] else None
    for item in found:
        derived = item.derived
        # one date or one condition, never both; a condition keeps the regular date as its floor
        assert (derived.applies_from is None) == derived.significant_change or not derived.dates
        # a second (conditional) date only where a fact it depends on is not known
        for alternative in item.alternatives:
            placed = SystemFacts(begin=system["begin"], in_use_on=in_use_on).placed_before(alternative.cut_off)
            expected = (("begin",) if placed is None else ()) + (
                ("public",) if alternative.for_public is not None and system["public"] is None else ()
            )
            assert alternative.unknown == expected and expected, (item.slug, alternative, system)
            assert placed is not False
        for day in (date(2026, 9, 1), date(2028, 1, 1), date(2031, 1, 1)):
            assert item.applies_on(day) == (derived.applies_from is not None and derived.applies_from <= day)
        umbrella = by_key.get((item.part_of.rsplit("/", 1)[-1] if item.part_of else "", _key(item)[1]))
        if umbrella is None:
            continue
        pair = (item.slug, umbrella.slug)
        if item.own_date_reason:
            assert pair in OWN_DATES, f"{pair} is dated apart from its umbrella without the law saying so"
            # dated apart: never after its umbrella
            if item.applies_from and umbrella.applies_from:
                assert item.applies_from <= umbrella.applies_from, (pair, system)
        else:
            assert derived.key == umbrella.derived.key, (pair, system, derived.key, umbrella.derived.key)
    # The Art 111(2) regime reaches every high-risk duty of the system alike.
    legacy = [item for item in found if any(d.iri.endswith("public-authority-legacy-2024-1689") for d in item.dates)]
    assert len({item.derived.significant_change for item in legacy}) <= 1


def test_exactly_the_registration_duties_are_dated_apart(store: Store) -> None:
    rows = store.query(
        "SELECT ?part ?umbrella WHERE { ?part <https://w3id.org/algokg/def#ownDateReason> ?why ; "
        "<https://w3id.org/algokg/def#partOfObligation> ?umbrella }",
        use_default_graph_as_union=True,
    )
    found = {(row["part"].value.rsplit("/", 1)[-1], row["umbrella"].value.rsplit("/", 1)[-1]) for row in rows}  # type: ignore[index, union-attr]
    assert found == OWN_DATES


def _one(store: Store, **system: object) -> dict[tuple[str, str], Obligation]:
    base = {
        "point": "5-a",
        "practice": None,
        "case": None,
        "classified": False,
        "in_use": False,
        "roles": ("deployer",),
    }
    return {_key(item): item for item in obligations_for(store, _add(store, {**base, **system}))}


def test_the_decision_trees_cut_off_is_a_note_not_the_rule(store: Store) -> None:
    # Between the two cut-offs (2 Aug 2026, the regulation; 2 Dec 2027, the tree's texts): algokg's date stands and
    # the tree's reading is shown with why it is not followed.
    between = _one(store, levels=("high-risk-annex-iii",), public=True, begin="2027-01")
    fria = between[("aiact-art-27", "deployer")]
    assert fria.applies_from == date(2027, 12, 2)
    (note,) = fria.divergences
    assert note.would_apply_from == date(2030, 8, 2) and "beslishulp" in " ".join(note.sources)
    assert note.not_followed_because and "Article 111(2) of Regulation (EU) 2024/1689" in note.not_followed_because
    # a private system: by the tree's reading only after a significant change
    private = _one(store, levels=("high-risk-annex-iii",), public=False, begin="2027-01")[("aiact-art-26", "deployer")]
    assert private.applies_from == date(2027, 12, 2) and private.divergences[0].would_need_significant_change
    # Where both readings agree nothing is said.
    for begin in ("2024-03", "2028-02"):
        agreed = _one(store, levels=("high-risk-annex-iii",), public=True, begin=begin)[("aiact-art-27", "deployer")]
        assert agreed.divergences == ()


def test_the_tree_reading_in_the_text_output(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from loader.cli import cli
    from loader.store import build_store

    fixture = tmp_path / "between.ttl"
    fixture.write_text(
        "@prefix akg: <https://w3id.org/algokg/def#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/algokg/id/algorithm/93999999> a akg:Algorithm ;\n"
        "  akg:riskLevel <https://w3id.org/algokg/id/aiact-risk-level/high-risk-annex-iii> ;\n"
        "  akg:annexIIIPoint <https://w3id.org/algokg/id/annex-iii/5-a> ; akg:beginDate '2027-01'^^xsd:gYearMonth ;\n"
        "  akg:hasRoleAssignment [ akg:aiActRole <https://w3id.org/algokg/id/aiact-role/deployer> ;\n"
        "    akg:roleHolder <https://example.org/dates/municipality> ] .\n"
        "<https://example.org/dates/municipality> akg:isPublicAuthority true .\n",
        encoding="utf-8",
    )
    build_store(tmp_path / "store", datasets=[("between", fixture)])
    result = CliRunner().invoke(cli, ["obligations", "93999999", "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "note: AI Act as the decision tree's texts read Article 111(2)" in result.stdout
    assert "by that reading it would apply from 2030-08-02; algokg follows Article 111(2)" in result.stdout
    dutch = CliRunner().invoke(cli, ["obligations", "93999999", "--store", str(tmp_path / "store"), "--language", "nl"])
    assert (
        "let op: AI-verordening zoals de teksten van de beslishulp" in dutch.stdout and "algokg volgt" in dutch.stdout
    )


def test_amended_dates_stay_unverified_until_their_source_is_the_official_journal(store: Store) -> None:
    found = _one(store, levels=("high-risk-annex-iii",), public=True, begin="2026-10")
    dates = {d.applies_from.isoformat(): d for d in found[("aiact-art-27", "deployer")].dates}
    assert dates["2026-08-02"].verified  # Art 113 of Regulation (EU) 2024/1689, the Official Journal
    assert not dates["2027-12-02"].verified  # read from an unofficial consolidation
    # The rule: an Official Journal source and nothing left to verify.
    day = date(2027, 12, 2)
    oj = "http://data.europa.eu/eli/reg/2026/1744/oj"
    assert DatedApplicability("x", day, sources=(oj,)).verified
    assert not DatedApplicability("x", day, sources=(oj,), verification_note="to be verified").verified
    assert not DatedApplicability("x", day, sources=("https://w3id.org/algokg/id/source/x",)).verified


def test_begin_dates_against_a_cut_off() -> None:
    cut_off = date(2026, 8, 2)
    assert placed_before("2026-07", cut_off) is True and placed_before("2026-09", cut_off) is False
    assert placed_before("2026-08", cut_off) is None  # the day decides and is not known
    assert placed_before("2026-08-01", cut_off) is True and placed_before("2026", cut_off) is None
    assert placed_before(None, cut_off) is None
    # "in gebruik" when answered before the cut-off places the system before it when no begin date is known
    facts = SystemFacts(begin=None, in_use_on=date(2026, 5, 1))
    assert facts.placed_before(cut_off) is True
    assert SystemFacts(begin=None, in_use_on=date(2026, 9, 1)).placed_before(cut_off) is None
    legacy = DatedApplicability("legacy", date(2030, 8, 2), only_for_systems_placed_before=cut_off, for_public=True)
    regular = DatedApplicability("regular", date(2027, 12, 2))
    assert derive([regular, legacy], SystemFacts(begin="2024-03", public=True)).applies_from == date(2030, 8, 2)
    unknown = derive([regular, legacy], SystemFacts(begin="2024-03", public=None))
    assert unknown.applies_from == date(2027, 12, 2) and unknown.alternatives[0].unknown == ("public",)
