"""Organisation names from the register samples reconcile to TOOI IRIs, or stay unmatched with candidates."""

import csv
import functools
import hashlib
import http.server
import json
import re
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from loader.reconcile.cache import Pin, ReconcileError, fetch
from loader.reconcile.organisations import OrganisationMatcher, normalise
from loader.reconcile.tooi import (
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
from tests.conftest import shared_path

TOOI = "https://identifier.overheid.nl/tooi/id/"
GM = TOOI + "gemeente/"


@pytest.fixture(scope="module")
def matcher() -> OrganisationMatcher:
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
    assert Counter(result.method for result in results) == Counter(
        {"normalised": 56, "translation": 13, "exact": 1, None: 10}
    )
    # Each stays unmatched for a stated reason: no cited English name for a body that has a TOOI id
    # (ACOI, ACM, Kempengemeenten, IMG, RvIG, Politie, ODRU, Midden-Groningen), or no TOOI id at all
    # (Stichting ICTU and Stichting Inlichtingenbureau are private foundations).
    assert sorted(result.name for result in results if result.iri is None) == [
        "Advisory Committee on Public Access and Information Management (ACOI)",
        "Consumer and Market Authority",
        "Cooperation Kempen municipalities",
        "Groningen Mining Damage Institute",
        "ICTU",
        "Municipality of Central Groningen",
        "National Authority for Identity Data",
        "Police",
        "Stichting Inlichtingenbureau",
        "Utrecht region environmental department",
    ]
    assert all(result.candidates for result in results if result.iri is None)


def test_scrape_sample_names(matcher: OrganisationMatcher) -> None:
    names = _scrape_names()
    results = [matcher.match(name) for name in names]
    assert len(names) == 44
    assert Counter(result.method for result in results) == Counter({"exact": 37, "normalised": 4, None: 3})
    # Private foundations (Stichting ...) with no TOOI id in any value list.
    assert sorted(result.name for result in results if result.iri is None) == [
        "Reclassering Nederland",
        "Stichting Bureau Informatiediensten Nederland",
        "Stichting Leger des Heils Jeugdbescherming & Reclassering",
    ]


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
        ("Dutch Media Authority (CvdM)", TOOI + "zbo/zb000197", "translation"),
        ("Legal Aid Board", TOOI + "zbo/zb000150", "translation"),
        ("Customs", TOOI + "oorg/oorg12370", "translation"),
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
    assert result.iri is None
    assert {candidate.iri for candidate in result.candidates[:2]} == {
        GM + "gm0014",
        "https://identifier.overheid.nl/tooi/id/provincie/pv20",
    }


def test_english_names_come_from_the_cited_table_not_from_translating(matcher: OrganisationMatcher) -> None:
    acm = TOOI + "zbo/zb000217"
    assert matcher.match("Netherlands Authority for Consumers and Markets").iri == acm
    # The register's own rendering is not the name ACM uses, so it is not guessed.
    assert (matcher.match("Consumer and Market Authority").iri, matcher.match("Ministry of Magic").iri) == (None, None)


def test_unknown_organisation_stays_unmatched_with_candidates(matcher: OrganisationMatcher) -> None:
    result = matcher.match("Municipality of Central Groningen")
    assert (result.iri, result.method) == (None, None)
    assert result.candidates[0].name == "Gemeente Midden-Groningen"
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
    assert len(entries) == 44
    assert len({entry.name for entry in entries}) == len(entries)
    # A published value list, or a file pinned at a commit that shows the identifier.
    pinned = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+/blob/[0-9a-f]{40}/")
    assert all(
        entry.source.startswith("https://repository.officiele-overheidspublicaties.nl/waardelijsten/")
        or pinned.match(entry.source)
        for entry in entries
    )


def test_every_english_name_in_the_table_resolves(matcher: OrganisationMatcher) -> None:
    names = read_english_names(english_names_path())
    assert len(names) == 9
    results = {english: matcher.match(english) for english in names}
    assert {english: result.method for english, result in results.items()} == dict.fromkeys(names, "translation")


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
def served(tmp_path: Path) -> Iterator[tuple[str, bytes, http.server.HTTPServer]]:
    """A local HTTP server serving a copy of one shared value list (never the internet)."""
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(shared_path("reference", "organisations", "Provincies_tooi_codes.csv"), root / "provincies.csv")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/provincies.csv"
    try:
        yield url, (root / "provincies.csv").read_bytes(), server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_download_checks_sha256_caches_and_falls_back_offline(served, tmp_path: Path) -> None:
    url, body, server = served
    pin = Pin(name="provincies.csv", url=url, sha256=hashlib.sha256(body).hexdigest())
    cache = tmp_path / "cache"
    first = fetch(pin, cache_dir=cache)
    assert (first.from_cache, first.path.read_bytes()) == (False, body)
    assert len(read_register_csv(first.path)) == 12
    server.shutdown()
    server.server_close()
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
