"""AI Act obligations with their articles and dates, derived over a real on-disk store (hand-checked cases).

The fixture (obligations-fixture.ttl) is fictitious; the obligations and dates are the model's
(ontology/law/aiact-*.ttl). Expected values were worked out by hand from Regulation (EU) 2024/1689 and, for
the amended dates, the unofficial consolidation with Regulation (EU) 2026/1744 that the model cites.
"""

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Store

from compliance.obligations import Obligation, ObligationError, algorithm_facts, obligations_for
from loader.cli import cli
from loader.store import build_store, open_store

FIXTURE = Path(__file__).parent / "obligations-fixture.ttl"
LAW = "https://w3id.org/algokg/id/law/eli/reg/2024/1689/"
AMENDING_ACT = "http://data.europa.eu/eli/reg/2026/1744/oj"
CONSOLIDATION = "https://w3id.org/algokg/id/source/aiact-unofficial-consolidation-2026-1744"
MUNICIPALITY = "https://example.org/obligations-fixture/municipality"
VENDOR = "https://example.org/obligations-fixture/vendor"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("obligations-store")
    build_store(directory, datasets=[("obligations-fixture", FIXTURE)])
    return directory


@pytest.fixture(scope="module")
def store(store_dir: Path) -> Store:
    return open_store(store_dir)


def _by_key(found: list[Obligation]) -> dict[tuple[str, str], Obligation]:
    return {(item.slug, item.role.rsplit("/", 1)[-1]): item for item in found}


def _articles(item: Obligation) -> set[str]:
    return {article.iri.removeprefix(LAW) for article in item.articles}


def _dates(item: Obligation) -> list[tuple[str, str | None, bool]]:
    """(date, stated in, in force), oldest first."""
    return [(d.applies_from.isoformat(), (d.stated_in or "").removeprefix(LAW), d.in_force) for d in item.dates]


def test_municipality_deploying_annex_iii_5a(store: Store) -> None:
    found = _by_key(obligations_for(store, "90000001"))
    assert set(found) == {
        ("aiact-art-4", "deployer"),  # Art 4 AI literacy, providers and deployers
        ("aiact-art-26", "deployer"),  # Art 26(1)-(12) deployers of high-risk systems
        ("aiact-art-26-8", "deployer"),  # Art 26(8): public authorities register before use
        ("aiact-art-26-9", "deployer"),  # Art 26(9): provider information for the DPIA
        ("aiact-art-26-11", "deployer"),  # Art 26(11): inform persons subject to Annex III decisions
        ("aiact-art-27", "deployer"),  # Art 27(1): FRIA by bodies governed by public law
        ("aiact-art-49-3", "deployer"),  # Art 49(3): public deployers register in the EU database
        ("aiact-art-86", "deployer"),  # Art 86(1): right to explanation (Annex III except point 2)
        ("aiact-art-4", "provider"),
        ("aiact-art-16", "provider"),  # Art 16: providers of high-risk systems
        ("aiact-art-49-1", "provider"),  # Art 49(1): providers register Annex III systems
    }
    fria = found[("aiact-art-27", "deployer")]
    assert fria.role_holders == (MUNICIPALITY,)
    assert {"art_27/par_1/pnt_a", "art_27/par_1/pnt_f"} <= _articles(fria)
    # Art 113: 2 August 2026; moved to 2 December 2027 by Regulation (EU) 2026/1744, both shown with sources.
    # The Art 111(2) transitional date is not shown: the system was taken into use after 2 August 2026.
    assert _dates(fria) == [("2026-08-02", "art_113", False), ("2027-12-02", AMENDING_ACT, True)]
    assert fria.applies_from == date(2027, 12, 2)
    amended = fria.dates[1]
    assert amended.supersedes and amended.supersedes.endswith("aiact-annex-iii-2024-1689")
    assert amended.verification_note and "unofficial consolidation" in amended.verification_note
    assert "http://data.europa.eu/eli/reg/2024/1689/oj" in fria.dates[0].sources
    # Only a date with an Official Journal source and nothing left to verify counts as verified.
    assert fria.dates[0].verified and not amended.verified
    assert amended.sources == (CONSOLIDATION,)

    # Art 26 also has Annex I dates (Art 113(c)); they do not concern an Annex III system.
    assert _dates(found[("aiact-art-26", "deployer")]) == [
        ("2026-08-02", "art_113", False),
        ("2027-12-02", AMENDING_ACT, True),
    ]
    # Registration before use is one duty (Art 26(8) with Art 49(3)) with one date: that of Art 26(8), deferred to
    # 2 December 2027 (the reference list gives Section C no date of its own); before, Art 49(3) said 2026-08-02.
    registration = found[("aiact-art-49-3", "deployer")]
    assert _dates(registration) == [("2026-08-02", "art_113", False), ("2027-12-02", AMENDING_ACT, True)]
    assert registration.applies_from == found[("aiact-art-26-8", "deployer")].applies_from == date(2027, 12, 2)
    assert registration.part_of and registration.part_of.endswith("aiact-art-26-8")
    assert {"art_49/par_3", "anx_VIII/sct_C"} <= _articles(registration)
    # The providers' registration (Art 49(1), Section A) is not deferred: it applies before its umbrella Art 16, and
    # the model says why.
    provider_registration = found[("aiact-art-49-1", "provider")]
    assert provider_registration.applies_from == date(2026, 8, 2)
    assert provider_registration.own_date_reason and "Section 5" in provider_registration.own_date_reason
    assert found[("aiact-art-49-1", "provider")].role_holders == (VENDOR,)
    assert found[("aiact-art-16", "provider")].applies_from == date(2027, 12, 2)
    # Art 4 applies from 2 February 2025 (Art 113(a)).
    assert _dates(found[("aiact-art-4", "deployer")]) == [("2025-02-02", "art_113/pnt_a", True)]
    assert found[("aiact-art-86", "deployer")].applies_from == date(2026, 8, 2)


def test_public_authority_duties_need_a_public_deployer(store: Store) -> None:
    private = _by_key(obligations_for(store, "90000002"))
    # Arts 26(8), 27(1) and 49(3) bind public authorities; Arts 26(11) and 86 bind every deployer.
    assert not {("aiact-art-26-8", "deployer"), ("aiact-art-27", "deployer"), ("aiact-art-49-3", "deployer")} & set(
        private
    )
    assert {("aiact-art-26", "deployer"), ("aiact-art-26-11", "deployer"), ("aiact-art-86", "deployer")} <= set(private)
    # Art 27(1): any deployer of Annex III point 5(b) (creditworthiness) owes the FRIA.
    credit = _by_key(obligations_for(store, "90000003"))
    assert ("aiact-art-27", "deployer") in credit
    assert ("aiact-art-26-8", "deployer") not in credit


def test_transitional_date_for_systems_in_use_before_august_2026(store: Store) -> None:
    legacy = _by_key(obligations_for(store, "90000004"))
    fria = legacy[("aiact-art-27", "deployer")]
    # Art 111(2): high-risk systems of public authorities placed before 2 August 2026 comply by 2 August 2030.
    assert fria.applies_from == date(2030, 8, 2)
    assert ("2030-08-02", "art_111/par_2", True) in _dates(fria)
    # One duty, one date: Art 26(9) is part of Art 26 and gets the Art 111(2) date too (before: 2027-12-02 while
    # Art 26 said 2030-08-02), and so does Art 86 (before: 2026-08-02, no transition).
    assert legacy[("aiact-art-26-9", "deployer")].applies_from == date(2030, 8, 2)
    assert legacy[("aiact-art-26", "deployer")].applies_from == date(2030, 8, 2)
    assert legacy[("aiact-art-86", "deployer")].applies_from == date(2030, 8, 2)
    assert legacy[("aiact-art-49-3", "deployer")].applies_from == date(2030, 8, 2)

    unknown = _by_key(obligations_for(store, "90000005"))[("aiact-art-27", "deployer")]
    assert (unknown.applies_from, unknown.transitional_from, unknown.transitional_cut_off) == (
        date(2027, 12, 2),
        date(2030, 8, 2),
        date(2026, 8, 2),
    )


def test_provider_claiming_art_6_3_while_profiling(store: Store) -> None:
    facts = algorithm_facts(store, "90000011")
    assert facts.art6_3_claim_void
    found = _by_key(obligations_for(store, "90000011"))
    # Art 6(3), last subparagraph: a system that profiles natural persons is always high-risk, so the provider
    # owes the Art 16 obligations and the Art 49(1) registration, not the Art 6(4) documentation or Art 49(2).
    assert {("aiact-art-16", "provider"), ("aiact-art-49-1", "provider"), ("aiact-art-4", "provider")} <= set(found)
    assert not {("aiact-art-6-4", "provider"), ("aiact-art-49-2", "provider")} & set(found)
    provider = found[("aiact-art-16", "provider")]
    assert provider.levels == ("https://w3id.org/algokg/id/aiact-risk-level/high-risk-annex-iii",)
    assert _dates(provider) == [("2026-08-02", "art_113", False), ("2027-12-02", AMENDING_ACT, True)]
    assert "art_16" in _articles(provider)
    assert _dates(found[("aiact-art-49-1", "provider")]) == [("2026-08-02", "art_113", True)]
    # As deployer of its own high-risk system the municipality owes the FRIA (Art 27) too.
    assert ("aiact-art-27", "deployer") in found

    holds = _by_key(obligations_for(store, "90000012"))
    assert not algorithm_facts(store, "90000012").art6_3_claim_void
    # Without profiling the claim holds: document the assessment (Art 6(4)) and register (Art 49(2)).
    assert set(holds) == {
        ("aiact-art-4", "deployer"),
        ("aiact-art-4", "provider"),
        ("aiact-art-6-4", "provider"),
        ("aiact-art-49-2", "provider"),
    }
    documentation = holds[("aiact-art-6-4", "provider")]
    assert {"art_6/par_3", "art_6/par_4"} == _articles(documentation)
    # The Art 6(3) conditions were deferred with the Annex III obligations; registration (Art 49(2)) was not.
    assert _dates(documentation) == [("2026-08-02", "art_113", False), ("2027-12-02", AMENDING_ACT, True)]
    assert _dates(holds[("aiact-art-49-2", "provider")]) == [("2026-08-02", "art_113", True)]


def test_chatbot(store: Store) -> None:
    found = _by_key(obligations_for(store, "90000021"))
    # Art 50(1) binds the provider: design the system so people know they talk to an AI system; from the
    # general date of application, 2 August 2026 (Art 113). The deployer owes AI literacy (Art 4) only.
    assert set(found) == {("aiact-art-4", "deployer"), ("aiact-art-4", "provider"), ("aiact-art-50-1", "provider")}
    transparency = found[("aiact-art-50-1", "provider")]
    assert _articles(transparency) == {"art_50/par_1", "art_50/par_5"}
    assert _dates(transparency) == [("2026-08-02", "art_113", True)]
    assert transparency.role_holders == (VENDOR,)


def test_prohibited_practices(store: Store) -> None:
    found = _by_key(obligations_for(store, "90000031"))
    # Art 5(1)(c) social scoring: prohibited for providers and deployers from 2 February 2025 (Art 113(a)).
    assert set(found) == {("aiact-art-5", "deployer"), ("aiact-art-5", "provider")}
    prohibition = found[("aiact-art-5", "deployer")]
    assert _articles(prohibition) == {"art_5", "art_5/par_1"}
    assert _dates(prohibition) == [("2025-02-02", "art_113/pnt_a", True)]

    added = _by_key(obligations_for(store, "90000032"))
    # Art 5(1)(ba), inserted by Regulation (EU) 2026/1744, applies from 2 December 2026 (to be verified).
    assert set(added) == {("aiact-art-5-1-ba-bb", "provider")}
    dated = added[("aiact-art-5-1-ba-bb", "provider")].dates
    assert [(d.applies_from, d.stated_in) for d in dated] == [(date(2026, 12, 2), AMENDING_ACT)]
    assert dated[0].verification_note


def test_general_purpose_ai_models(store: Store) -> None:
    systemic = _by_key(obligations_for(store, "90000041"))
    # Arts 53 and 55 (Chapter V) apply from 2 August 2025 (Art 113(b)); a model placed on the market before
    # then must comply by 2 August 2027 (Art 111(3)). A GPAI model with systemic risk is a GPAI model.
    assert set(systemic) == {("aiact-art-53", "provider"), ("aiact-art-55", "provider")}
    for key in systemic:
        assert _dates(systemic[key]) == [("2025-08-02", "art_113/pnt_b", True), ("2027-08-02", "art_111/par_3", True)]
        assert systemic[key].applies_from == date(2027, 8, 2)
    assert {"art_55", "art_55/par_1"} <= _articles(systemic[("aiact-art-55", "provider")])

    plain = _by_key(obligations_for(store, "90000042"))
    assert set(plain) == {("aiact-art-53", "provider")}
    assert _dates(plain[("aiact-art-53", "provider")]) == [("2025-08-02", "art_113/pnt_b", True)]
    assert plain[("aiact-art-53", "provider")].applies_from == date(2025, 8, 2)


def test_on_a_day_and_unknown_algorithms(store: Store) -> None:
    on = {item.slug for item in obligations_for(store, "90000001", date(2026, 9, 1))}
    assert on == {"aiact-art-4", "aiact-art-49-1", "aiact-art-86"}
    assert obligations_for(store, "90000099") == []
    with pytest.raises(ObligationError, match="no algorithm"):
        obligations_for(store, "90009999")


def test_dutch_labels(store: Store) -> None:
    found = _by_key(obligations_for(store, "90000001", language="nl"))
    assert found[("aiact-art-27", "deployer")].label == "Beoordeling van de gevolgen voor de grondrechten (FRIA)"
    assert found[("aiact-art-27", "deployer")].dates[0].stated_in_label == "Artikel 113 AI-verordening"


def test_cli(store_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["obligations", "90000011", "--store", str(store_dir), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    slugs = {item["obligation"].rsplit("/", 1)[-1] for item in payload["obligations"]}
    assert "aiact-art-16" in slugs and "aiact-art-6-4" not in slugs

    text = runner.invoke(cli, ["obligations", "90000001", "--store", str(store_dir), "--on", "2027-12-02"])
    assert text.exit_code == 0, text.output
    assert "aiact-art-27" in text.output and "2026-08-02  Article 113 AI Act (superseded)" in text.output

    missing = runner.invoke(cli, ["obligations", "90009999", "--store", str(store_dir)])
    assert missing.exit_code == 2 and "no algorithm" in missing.output
