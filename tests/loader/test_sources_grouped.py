"""Flattened grouped fields read back into items; a seeded property test round-trips the register's own join rule."""

import random

import pytest

from loader.sources.grouped import TitledLink, parse_grouped, parse_item, repair_link


def flatten(items: list[tuple[str, str | None]]) -> str:
    """The register's rule (backend/app/util/stringify.py): ``", ".join(filter(None, values))``, numbered, ``". "``."""
    return ". ".join(f"{n}: {', '.join(filter(None, pair))}" for n, pair in enumerate(items, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (
            "1: Participatiewet, https://wetten.overheid.nl/BWBR0015703/",
            [("Participatiewet", "https://wetten.overheid.nl/BWBR0015703/")],
        ),
        (
            "1: Regeling domeinlijsten buitengewoon opsporingsambtenaar, Domein 1., https://wetten.overheid.nl/BWBR0041447. 2: Gemeentewet , https://x.nl/a ",
            [
                (
                    "Regeling domeinlijsten buitengewoon opsporingsambtenaar, Domein 1.",
                    "https://wetten.overheid.nl/BWBR0041447",
                ),
                ("Gemeentewet", "https://x.nl/a"),
            ],
        ),
        (
            "1: Data Protection Impact Assessment (DPIA). 2: IAMA",
            [("Data Protection Impact Assessment (DPIA)", None), ("IAMA", None)],
        ),
        (
            "1: Archiefwet 1995., https://wetten.overheid.nl/BWBR0007376/",
            [("Archiefwet 1995.", "https://wetten.overheid.nl/BWBR0007376/")],
        ),
        ("1:  Titel VF. Vastleggen, https://a.nl/b. 2: X", [("Titel VF. Vastleggen", "https://a.nl/b"), ("X", None)]),
    ],
)
def test_examples(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(item.title, item.link) for item in parse_grouped(text)] == expected


def test_link_first_and_schemeless() -> None:
    item = parse_item("www.belastingdienst.nl/voertuigcriminaliteit.html, Voertuigcriminaliteit")
    assert (item.title, item.link, item.url) == (
        "Voertuigcriminaliteit",
        "www.belastingdienst.nl/voertuigcriminaliteit.html",
        "https://www.belastingdienst.nl/voertuigcriminaliteit.html",
    )
    assert item.problem == "the link comes before the title; no scheme; https:// assumed"
    assert repair_link("ttps://wetten.overheid.nl/BWBR0002320/")[0] == "https://wetten.overheid.nl/BWBR0002320/"


def test_unnumbered_text_is_one_item_with_a_problem() -> None:
    (item,) = parse_grouped("Wet BRP, https://wetten.overheid.nl/BWBR0033715")
    assert (item.title, item.problem) == ("Wet BRP", "not numbered as '1: …'")


def test_non_link_text_in_the_link_slot_stays_in_the_title() -> None:
    (item,) = parse_grouped("1: DPIA, uitgevoerd")
    assert item == TitledLink(title="DPIA, uitgevoerd", original="DPIA, uitgevoerd")


WORDS = [
    "Wet",
    "Artikel 2",
    "lid 3.",
    "AVG",
    "(UAVG)",
    "Domein 1.",
    "Besluit",
    "1995",
    "sub a, onder 3",
    "Woo",
    "Gemeentewet",
]
LINKS = [
    "https://wetten.overheid.nl/BWBR0005537",
    "https://wetten.overheid.nl/BWBR0005416/2024-01-31/0",
    "https://eur-lex.europa.eu/legal-content/NL/TXT/HTML/?uri=CELEX:32016R0679&qid=1#d1e3423-1-1",
    "http://lokaleregelgeving.overheid.nl/CVDR705828/",
    "www.crow.nl",
    "ttps://wetten.overheid.nl/BWBR0002320/",
]


@pytest.mark.parametrize("seed", range(20))
def test_round_trip_of_the_register_rule(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        items = []
        for _ in range(rng.randint(1, 9)):
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
            link = rng.choice([*LINKS, None])
            items.append((title + rng.choice(["", " ", "  "]), link))
        parsed = parse_grouped(flatten(items))
        assert [(item.title, item.link) for item in parsed] == [(title.strip(), link) for title, link in items]
        assert all(item.url is None or item.url.startswith(("https://", "http://")) for item in parsed)
