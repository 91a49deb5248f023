"""Legal-basis links from the register samples parse into law and article identifiers; damaged links are repaired."""

import csv
from collections import Counter

import pytest

from loader.reconcile.law_links import LawReference, find_links, parse_law_link, repair_link_text
from tests.conftest import shared_path

GDPR = "http://data.europa.eu/eli/reg/2016/679/oj"
AI_ACT = "http://data.europa.eu/eli/reg/2024/1689/oj"


def _sample_links() -> list[str]:
    path = shared_path("samples", "register_export_v1.0_ENG_sample.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [link for row in csv.DictReader(handle) for link in find_links(row["lawful_basis_grouping"])]


def test_every_sample_link_parses() -> None:
    references = [parse_law_link(link) for link in _sample_links()]
    assert len(references) == 181
    assert Counter(ref.kind for ref in references) == Counter({"bwb": 153, "celex": 16, "other": 7, "cvdr": 4, "oj": 1})
    # 71 dated wetten.overheid.nl links and one consolidated CELEX (02010R0904-20240101).
    assert sum(ref.version_date is not None for ref in references) == 72
    assert sorted({ref.original for ref in references if ref.kind == "other"}) == [
        "https://rijksoverheid.nl/documenten/regelingen/2023/05/01/ministeriele-regeling-landelijke-aanpak-adreskwaliteit-laa",
        "https://www.crow.nl/",
        "https://www.rijksfinancien.nl/memorie-van-toelichting/2022/OWB/IX/onderdeel/1075511",
        "https://www.rijksoverheid.nl/documenten/regelingen/2023/05/01/ministeriele-regeling-landelijke-aanpak-adreskwaliteit-laa",
        "https://zoek.officielebekendmakingen.nl/gmb-2023-39609.html",
        "www.belastingdienst.nl/bibliotheek/handboeken/html/boeken/HVGEM/voertuigcriminaliteit.html",
    ]
    assert all(ref.bwb_id for ref in references if ref.kind == "bwb")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://wetten.overheid.nl/BWBR0008659/2022-01-01", ("bwb", "BWBR0008659", None, "2022-01-01")),
        (
            "https://wetten.overheid.nl/BWBR0005537/2024-01-01#Hoofdstuk3_Artikel3:40",
            ("bwb", "BWBR0005537", "3:40", "2024-01-01"),
        ),
        ("https://wetten.overheid.nl/BWBR0002320/", ("bwb", "BWBR0002320", None, None)),
        ("ttps://wetten.overheid.nl/BWBR0002320/", ("bwb", "BWBR0002320", None, None)),
        ("wetten.overheid.nl/BWBR0001941/2024-04-16/0", ("bwb", "BWBR0001941", None, "2024-04-16")),
        ("jci1.3:c:BWBR0005537&artikel=3:46", ("bwb", "BWBR0005537", "3:46", None)),
        (
            "https://wetten.overheid.nl/jci1.3:c:BWBR0006622&hoofdstuk=II&paragraaf=2&artikel=18&z=2024-06-19&g=2024-06-19",
            ("bwb", "BWBR0006622", "18", "2024-06-19"),
        ),
        ("http://linkeddata.overheid.nl/terms/bwb/id/BWBR0005537", ("lido", "BWBR0005537", None, None)),
    ],
)
def test_dutch_links(link: str, expected: tuple[str, str, str | None, str | None]) -> None:
    ref = parse_law_link(link)
    assert (ref.kind, ref.bwb_id, ref.article, ref.version_date) == expected
    assert ref.original == link
    assert ref.url is not None and ref.url.startswith("http")


def test_local_regulation_link() -> None:
    ref = parse_law_link("https://lokaleregelgeving.overheid.nl/CVDR123456")
    assert (ref.kind, ref.cvdr_id) == ("cvdr", "CVDR123456")


def test_eur_lex_links() -> None:
    assert parse_law_link("https://eur-lex.europa.eu/eli/reg/2024/1689/oj") == LawReference(
        "eli",
        "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        eli=AI_ACT,
    )
    celex = parse_law_link("https://eur-lex.europa.eu/legal-content/NL/TXT/HTML/?uri=CELEX:32016R0679")
    assert (celex.kind, celex.celex, celex.eli) == ("celex", "32016R0679", GDPR)
    oj = parse_law_link("https://eur-lex.europa.eu/legal-content/NL/TXT/PDF/?uri=OJ:L_202401689")
    assert (oj.kind, oj.oj, oj.eli) == ("oj", "L_202401689", None)
    directive = parse_law_link("eur-lex.europa.eu/legal-content/NL/TXT/HTML/?uri=CELEX:31995L0046")
    assert directive.eli == "http://data.europa.eu/eli/dir/1995/46/oj"


def test_www_link_gets_a_scheme_and_stays_other() -> None:
    ref = parse_law_link("www.crow.nl/")
    assert (ref.kind, ref.url) == ("other", "https://www.crow.nl/")


@pytest.mark.parametrize(
    ("published", "repaired", "repairs"),
    [
        (
            "https://eur-lex.europa.eu/legal- content/NL/TXT/HTML/?uri=CELEX:32016R0679",
            "https://eur-lex.europa.eu/legal-content/NL/TXT/HTML/?uri=CELEX:32016R0679",
            ["removed a space inside the link"],
        ),
        (
            "ttps://wetten.overheid.nl/BWBR0002320/",
            "https://wetten.overheid.nl/BWBR0002320/",
            ["repaired a broken scheme (ttps://)"],
        ),
        (
            "wetten.overheid.nl/BWBR0005416.",
            "https://wetten.overheid.nl/BWBR0005416",
            ["removed trailing punctuation", "added the missing https:// scheme"],
        ),
        ("https://wetten.overheid.nl/BWBR0005416/", "https://wetten.overheid.nl/BWBR0005416/", []),
    ],
)
def test_obvious_link_damage_is_repaired_and_said(published: str, repaired: str, repairs: list[str]) -> None:
    assert repair_link_text(published) == (repaired, repairs)
    assert parse_law_link(repaired).kind in {"bwb", "celex"}


def test_an_anchor_that_is_no_article_number_is_no_article() -> None:
    # "#HoofdstukaIA_Artikela4c" (a register link) names no article: article numbers start with a digit.
    ref = parse_law_link("https://wetten.overheid.nl/BWBR0006622/2024-06-19/#HoofdstukaIA_Artikela4c")
    assert (ref.bwb_id, ref.article) == ("BWBR0006622", None)
