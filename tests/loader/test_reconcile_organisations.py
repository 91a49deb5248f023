"""Organisation names from the register samples reconcile to TOOI IRIs, or stay unmatched with candidates."""

import csv
import functools
import hashlib
import http.server
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from loader.reconcile.cache import Pin, ReconcileError, fetch
from loader.reconcile.organisations import OrganisationMatcher, normalise
from loader.reconcile.tooi import (
    OrganisationEntry,
    bundled_entries,
    english_names_path,
    national_bodies_path,
    read_english_names,
    read_national_bodies,
    read_register_csv,
    read_tooi_jsonld,
    read_translations,
    tooi_iri,
)
from loader.reference import reference_data
from tests.conftest import shared_path
from tests.http_stub import Stub, serving

TOOI = "https://identifier.overheid.nl/tooi/id/"
GM = TOOI + "gemeente/"


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> OrganisationMatcher:
    """What a load uses with no flags and nothing harvested: the lists and tables that ship with the package."""
    return reference_data(cache_dir=tmp_path_factory.mktemp("empty-cache")).organisations


@pytest.fixture(scope="module")
def matcher_with_shared_lists() -> OrganisationMatcher:
    """The register's own list files and translations given by hand, as `--organisations` would."""
    lists = sorted(shared_path("reference", "organisations").glob("*.csv"))
    entries = bundled_entries(lists) + read_national_bodies(national_bodies_path())
    translations = read_translations(shared_path("reference", "register-standard", "translation_spec_en.json"))
    return OrganisationMatcher(
        entries, translations=translations, english_names=read_english_names(english_names_path())
    )


def _export_names() -> list[str]:
    path = shared_path("samples", "register_export_v1.0_ENG_sample.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sorted({row["organization"] for row in csv.DictReader(handle)})


def _scrape_names() -> list[str]:
    data = json.loads(shared_path("samples", "register_scrape_NLD_sample.json").read_text(encoding="utf-8"))
    return sorted({item["organisatie"] for item in data["algoritmes"]})


def test_export_sample_names(matcher: OrganisationMatcher) -> None:
    names = _export_names()
    results = [matcher.match(name) for name in names]
    assert len(names) == 80
    # With no flags: only the two bodies no list has stay unmatched (a foundation, and ICTU, also one).
    assert sorted(result.name for result in results if result.iri is None) == ["ICTU", "Stichting Inlichtingenbureau"]
    # Nothing in any list is like them: no candidate is named rather than a far-fetched one.
    assert [result.candidates for result in results if result.iri is None] == [(), ()]
    assert {result.method for result in results} >= {"exact", "normalised", "translation", "english", "alias"}


def test_scrape_sample_names(matcher: OrganisationMatcher) -> None:
    names = _scrape_names()
    results = [matcher.match(name) for name in names]
    assert len(names) == 44
    # Private foundations (Stichting ...) with no TOOI id in any value list.
    assert sorted(result.name for result in results if result.iri is None) == [
        "Reclassering Nederland",
        "Stichting Bureau Informatiediensten Nederland",
        "Stichting Leger des Heils Jeugdbescherming & Reclassering",
    ]


def test_the_register_lists_given_by_hand_match_no_less(matcher_with_shared_lists: OrganisationMatcher) -> None:
    results = [matcher_with_shared_lists.match(name) for name in _export_names()]
    assert sum(result.iri is not None for result in results) >= 70


@pytest.mark.parametrize(
    ("name", "iri", "method"),
    [
        ("Gemeente Amsterdam", GM + "gm0363", "exact"),
        ("Municipality of The Hague", GM + "gm0518", "normalised"),
        ("Municipality of Bergen Op Zoom", GM + "gm0748", "normalised"),
        ("Gemeente 's-Gravenhage", GM + "gm0518", "normalised"),
        ("gemeente den haag", GM + "gm0518", "normalised"),
        ("Haarlem city council", GM + "gm0392", "normalised"),
        ("Súdwest-Fryslân (gemeente)", GM + "gm1900", "normalised"),
        ("Province of Groningen", "https://identifier.overheid.nl/tooi/id/provincie/pv20", "normalised"),
        ("Municipality of Groningen", GM + "gm0014", "normalised"),
        ("Province of South Holland", "https://identifier.overheid.nl/tooi/id/provincie/pv28", "translation"),
        (
            "Dutch Tax and Customs Administration",
            "https://identifier.overheid.nl/tooi/id/oorg/oorg12368",
            "translation",
        ),
        ("Ministerie van Financiën", "https://identifier.overheid.nl/tooi/id/ministerie/mnre1090", "exact"),
        ("Wetterskip Fryslân", "https://identifier.overheid.nl/tooi/id/waterschap/ws0653", "exact"),
        ("Dienst Uitvoering Onderwijs", TOOI + "oorg/oorg10148", "exact"),
        ("Politie", TOOI + "oorg/oorg10264", "exact"),
        ("Dienst Toeslagen", TOOI + "oorg/oorg12369", "exact"),
        ("Nederlandse Zorgautoriteit (NZa)", TOOI + "zbo/zb000158", "normalised"),
        ("CIZ Centrum Indicatiestelling Zorg", TOOI + "zbo/zb000207", "normalised"),
        ("College van Toezicht Auteursrechten (CvTA)", TOOI + "zbo/zb000202", "normalised"),
        ("Zeeuws Archief", TOOI + "so/so0567", "normalised"),
        ("Samenwerking Kempengemeenten", TOOI + "so/so0665", "exact"),
        ("Employee Insurance Agency", TOOI + "zbo/zb000117", "translation"),
        ("Inspectorate of Education", TOOI + "oorg/oorg12355", "translation"),
        ("Netherlands Enterprise Agency", TOOI + "oorg/oorg10005", "translation"),
        ("Ministry of Finance", TOOI + "ministerie/mnre1090", "translation"),
        ("Ministry of Infrastructure and Water Management", TOOI + "ministerie/mnre1130", "translation"),
        ("Dutch Media Authority (CvdM)", TOOI + "zbo/zb000197", "alias"),
        ("Legal Aid Board", TOOI + "zbo/zb000150", "translation"),
        ("Customs", TOOI + "oorg/oorg12370", "translation"),
        # The issue's cases: a qualifier kept apart, English renderings, abbreviations, old names.
        ("Bergen (L)", GM + "gm0893", "normalised"),
        ("Gemeente Bergen (NH)", GM + "gm0373", "normalised"),
        ("Municipality of Central Groningen", GM + "gm1952", "english"),
        ("Municipality of Aa and Hunze", GM + "gm1680", "english"),
        ("Province of North Holland", "https://identifier.overheid.nl/tooi/id/provincie/pv27", "english"),
        ("Flevoland province", "https://identifier.overheid.nl/tooi/id/provincie/pv24", "normalised"),
        ("Safety region Zuid-Holland Zuid", TOOI + "so/so0660", "normalised"),
        ("Cooperation Kempen municipalities", TOOI + "so/so0665", "english"),
        ("Groningen Mining Damage Institute", TOOI + "zbo/zb000312", "english"),
        ("Utrecht region environmental department", TOOI + "so/so0697", "english"),
        ("Police", TOOI + "oorg/oorg10264", "english"),
        ("Service Surcharges", TOOI + "oorg/oorg12369", "english"),
        ("National Authority for Identity Data", TOOI + "oorg/oorg10103", "translation"),
        ("Ministerie SZW", TOOI + "ministerie/mnre1073", "alias"),
        ("Ministerie JenV", TOOI + "ministerie/mnre1058", "alias"),
        ("Kadaster", TOOI + "zbo/zb000195", "alias"),
        ("Land Registry", TOOI + "zbo/zb000195", "translation"),
        ("Advisory Committee on Public Access and Information Management (ACOI)", TOOI + "oorg/oorg10236", "alias"),
        ("Flevoland &amp; Gooi en Vechtstreek (omgevingsdienst)", TOOI + "so/so0696", "normalised"),
    ],
)
def test_specific_matches(matcher: OrganisationMatcher, name: str, iri: str, method: str) -> None:
    result = matcher.match(name)
    assert (result.iri, result.method, result.confidence) == (iri, method, 1.0)


def test_fuzzy_typo_is_matched_with_its_confidence(matcher: OrganisationMatcher) -> None:
    result = matcher.match("Gemeente Amsterdm")
    assert (result.iri, result.method, result.confidence) == (GM + "gm0363", "fuzzy", 0.941)


def test_bare_place_name_shared_by_two_bodies_is_not_guessed(matcher: OrganisationMatcher) -> None:
    result = matcher.match("Groningen")
    assert (result.iri, result.ambiguous) == (None, True)
    assert {GM + "gm0014", "https://identifier.overheid.nl/tooi/id/provincie/pv20"} <= {
        candidate.iri for candidate in result.candidates
    }


def test_a_name_two_bodies_share_is_refused_and_the_warning_names_both(matcher: OrganisationMatcher) -> None:
    for name in ("Gemeente Bergen", "Bergen (Limburg)"):
        result = matcher.match(name)
        assert (result.iri, result.ambiguous) == (None, True), name
        assert [candidate.name for candidate in result.candidates] == ["Gemeente Bergen (NH.)", "Gemeente Bergen (L.)"]


def test_a_qualifier_the_only_candidate_contradicts_is_refused() -> None:
    only = OrganisationMatcher([OrganisationEntry("Gemeente Bergen (L.)", GM + "gm0893", "test", "gemeente")])
    assert only.match("Bergen (L)").iri == GM + "gm0893"
    refused = only.match("Bergen (NH)")
    assert (refused.iri, refused.ambiguous, [c.iri for c in refused.candidates]) == (None, True, [GM + "gm0893"])


def test_a_newer_list_wins_where_two_disagree(tmp_path: Path) -> None:
    older = OrganisationEntry("Gemeente Voorbeeld", GM + "gm0001", "snapshot", "gemeente", rank=0)
    newer = OrganisationEntry("Gemeente Voorbeeld", GM + "gm0002", "harvested", "gemeente", rank=1)
    assert OrganisationMatcher([older, newer]).match("Gemeente Voorbeeld").iri == GM + "gm0002"
    assert OrganisationMatcher([older, newer]).label(GM + "gm0002") == "Gemeente Voorbeeld"
    same_rank = OrganisationMatcher([older, OrganisationEntry("Gemeente Voorbeeld", GM + "gm0002", "x", "gemeente")])
    assert same_rank.match("Gemeente Voorbeeld").ambiguous


def test_the_register_language_pairs_name_the_dutch_body(matcher: OrganisationMatcher) -> None:
    assert matcher.match("Municipal Tax Office Voorbeeld").iri is None
    paired = matcher.with_pairs({"Municipal Tax Office Voorbeeld": "Gemeente Amsterdam"})
    result = paired.match("Municipal Tax Office Voorbeeld")
    assert (result.iri, result.method, result.dutch_name) == (GM + "gm0363", "pair", "Gemeente Amsterdam")


def test_english_renderings_are_read_word_by_word_and_never_guessed(matcher: OrganisationMatcher) -> None:
    acm = TOOI + "zbo/zb000217"
    assert matcher.match("Netherlands Authority for Consumers and Markets").iri == acm  # the cited table
    # The register's own rendering: glossary words, in English order, are the words of one listed body.
    result = matcher.match("Consumer and Market Authority")
    assert (result.iri, result.method) == (acm, "english")
    assert matcher.match("Ministry of Magic").iri is None


def test_unknown_organisation_stays_unmatched_with_candidates(matcher: OrganisationMatcher) -> None:
    result = matcher.match("Municipality of Amstelveen-Zuid")
    assert (result.iri, result.method, result.ambiguous) == (None, None, False)
    assert result.candidates[0].name == "Gemeente Amstelveen"
    assert result.candidates[0].score == result.confidence < 0.9


def test_normalise_strips_type_words_diacritics_and_articles() -> None:
    assert normalise("Hoogheemraadschap van Delfland") == ("waterschap", "delfland")
    assert normalise("Provincie Fryslân") == ("provincie", "fryslan")
    assert normalise("Gemeente De Bilt") == ("gemeente", "bilt")


def test_tooi_iri_rejects_unknown_codes() -> None:
    assert tooi_iri("so0697") == "https://identifier.overheid.nl/tooi/id/so/so0697"
    with pytest.raises(ReconcileError, match="not a TOOI organisation code"):
        tooi_iri("xx12")


def test_bad_register_row_reports_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("name;identifier;org_id\nGemeente A;GM0001;gm0001\nGemeente B;XX;xx\n", encoding="utf-8")
    with pytest.raises(ReconcileError) as caught:
        read_register_csv(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (path, 3, "org_id")


def test_national_bodies_table_cites_every_row() -> None:
    entries = read_national_bodies(national_bodies_path())
    assert len(entries) == 104
    assert len({entry.name for entry in entries}) == len(entries)
    # A published value list, or a file pinned at a commit that shows the identifier.
    pinned = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+/blob/[0-9a-f]{40}/")
    assert all(
        entry.source.startswith("https://repository.officiele-overheidspublicaties.nl/waardelijsten/")
        or pinned.match(entry.source)
        for entry in entries
    )


def test_every_english_name_in_the_table_names_the_body_its_dutch_name_does(matcher: OrganisationMatcher) -> None:
    names = read_english_names(english_names_path())
    assert len(names) == 55
    for english, dutch in names.items():
        assert matcher.match(english).iri == matcher.match(dutch).iri, english
    # The SED work organisation is in no list: its English and Dutch names both stay unmatched.
    assert matcher.match("SED Organization (Municipalities Stede Broec, Enkhuizen, Drechterland)").iri is None


def test_english_name_with_two_dutch_names_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "english.csv"
    path.write_text(
        "english;dutch;source_url\nCustoms;Douane;https://a\ncustoms;Belastingdienst;https://b\n", encoding="utf-8"
    )
    with pytest.raises(ReconcileError, match="two Dutch names") as caught:
        read_english_names(path)
    assert (caught.value.path, caught.value.line) == (path, 3)


def test_tooi_jsonld_reader_takes_current_and_historical_names(tmp_path: Path) -> None:
    ont = "https://identifier.overheid.nl/tooi/def/ont/"
    iri = "https://identifier.overheid.nl/tooi/id/ministerie/mnre1045"
    nodes = [
        {"@id": "https://identifier.overheid.nl/tooi/set/rwc_ministeries_compleet/6"},
        {
            "@id": iri,
            ont + "organisatiecode": [{"@value": "mnre1045"}],
            ont + "officieleNaamInclSoort": [{"@value": "ministerie van Economische Zaken en Klimaat"}],
            ont + "afkorting": [{"@value": "EZK"}],
        },
        {
            "@id": "https://identifier.overheid.nl/tooi/id/ministerie/hv_05434137",
            "http://www.w3.org/ns/prov#specializationOf": [{"@id": iri}],
            ont + "organisatiecode": [{"@value": "mnre1045"}],
            ont + "officieleNaamInclSoort": [{"@value": "ministerie van Economische Zaken"}],
        },
    ]
    path = tmp_path / "ministeries.json"
    path.write_text(json.dumps(nodes), encoding="utf-8")
    entries = read_tooi_jsonld(path)
    assert [(entry.name, entry.iri) for entry in entries] == [
        ("ministerie van Economische Zaken en Klimaat", iri),
        ("EZK", iri),
        ("ministerie van Economische Zaken", iri),
    ]
    assert OrganisationMatcher(entries).match("Ministerie van Economische Zaken").iri == iri


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, bytes, Stub]]:
    """A local HTTP server serving a copy of one shared value list (never the internet)."""
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(shared_path("reference", "organisations", "Provincies_tooi_codes.csv"), root / "provincies.csv")
    with serving(functools.partial(_QuietHandler, directory=str(root))) as stub:
        yield f"{stub.base}/provincies.csv", (root / "provincies.csv").read_bytes(), stub


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_download_checks_sha256_caches_and_falls_back_offline(served, tmp_path: Path) -> None:
    url, body, stub = served
    pin = Pin(name="provincies.csv", url=url, sha256=hashlib.sha256(body).hexdigest())
    cache = tmp_path / "cache"
    first = fetch(pin, cache_dir=cache)
    assert (first.from_cache, first.path.read_bytes()) == (False, body)
    assert len(read_register_csv(first.path)) == 12
    stub.stop()
    offline = fetch(pin, cache_dir=cache, refresh=True, timeout=2)
    assert (offline.from_cache, offline.path) == (True, first.path)


def test_download_with_wrong_sha256_is_refused(served, tmp_path: Path) -> None:
    url, _, _ = served
    with pytest.raises(ReconcileError, match="the pin expects") as caught:
        fetch(Pin(name="p.csv", url=url, sha256="0" * 64), cache_dir=tmp_path / "cache")
    assert caught.value.link == url
    assert not (tmp_path / "cache" / "p.csv").exists()


def test_download_without_network_or_cache_fails_with_location(tmp_path: Path) -> None:
    pin = Pin(name="gone.csv", url="http://127.0.0.1:9/gone.csv")
    with pytest.raises(ReconcileError, match="no usable cached copy") as caught:
        fetch(pin, cache_dir=tmp_path, timeout=2)
    assert caught.value.path == tmp_path / "gone.csv"


def test_cache_dir_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from loader.reconcile.cache import default_cache_dir

    monkeypatch.setenv("ALGOKG_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path


def test_the_shipped_snapshots_hold_the_register_lists_with_their_provenance() -> None:
    from loader.reconcile.snapshots import REGISTER_LISTS, SNAPSHOT_DIR, read_snapshot

    for listed in REGISTER_LISTS:
        source = shared_path("reference", "organisations", listed.file)
        with (SNAPSHOT_DIR / listed.snapshot).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        # Every row says which list it comes from, at which version, with that file's sha256 and where it lives.
        assert {(row["list"], row["sha256"]) for row in rows} == {
            (listed.file, hashlib.sha256(source.read_bytes()).hexdigest())
        }
        assert all(row["version"] and row["source_url"].startswith("https://github.com/MinBZK/") for row in rows)
        assert {(entry.name, entry.iri) for entry in read_snapshot(SNAPSHOT_DIR / listed.snapshot)} == {
            (entry.name, entry.iri) for entry in read_register_csv(source)
        }


def test_a_snapshot_row_without_provenance_is_refused_with_its_place(tmp_path: Path) -> None:
    from loader.reconcile.snapshots import read_snapshot

    path = tmp_path / "snapshot.csv"
    path.write_text(
        "name;tooi_iri;type;list;version;sha256;source_url\n"
        f"Gemeente A;{GM}gm0001;gemeente;l.csv;1;ab;https://x\n"
        f"Gemeente B;{GM}gm0002;gemeente;l.csv;1;;https://x\n",
        encoding="utf-8",
    )
    with pytest.raises(ReconcileError, match="sha256") as caught:
        read_snapshot(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (path, 3, "sha256")


def test_a_harvested_list_wins_over_the_shipped_snapshot(tmp_path: Path) -> None:
    """`algokg harvest` puts newer TOOI lists in the cache; where they disagree with what ships, they win."""
    ont = "https://identifier.overheid.nl/tooi/def/ont/"
    renamed = f"{GM}gm9999"  # a fictitious successor under a shipped municipality's name
    node = {"@id": renamed, ont + "organisatiecode": [{"@value": "gm9999"}]}
    node[ont + "officieleNaamInclSoort"] = [{"@value": "Gemeente Aalten"}]
    (tmp_path / "tooi-rwc_gemeenten_compleet-9.json").write_text(json.dumps([node]), encoding="utf-8")
    assert reference_data(cache_dir=tmp_path).organisations.match("Gemeente Aalten").iri == renamed
    shipped = reference_data(cache_dir=tmp_path / "empty").organisations.match("Gemeente Aalten")
    assert shipped.iri == GM + "gm0197"
