"""Legal-basis links and citations from the register samples parse into law and article identifiers."""

import csv
from collections import Counter

import pytest
from rdflib import Graph

from loader.reconcile.law_links import (
    LawName,
    LawNameTable,
    LawReference,
    find_links,
    parse_law_link,
    scan_citations,
)
from loader.reconcile.law_names import law_names_path, read_law_names
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


@pytest.fixture(scope="module")
def table() -> LawNameTable:
    """The project's Dutch law names plus, until the model has it, the GDPR as an in-test row."""
    return LawNameTable.from_rows([*read_law_names(law_names_path()), LawName("AVG", "test", eli=GDPR)])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("artikel 3:40 Awb", ("BWBR0005537", None, "3:40", None, None)),
        ("Participatiewet art. 17", ("BWBR0015703", None, "17", None, None)),
        ("AVG artikel 6 lid 1 sub e", (None, GDPR, "6", "1", "e")),
        ("art. 6, eerste lid, onder e, AVG", (None, GDPR, "6", "1", "e")),
        ("Wet open overheid", ("BWBR0045754", None, None, None, None)),
        ("Artikel 4:81 van de Algemene wet bestuursrecht", ("BWBR0005537", None, "4:81", None, None)),
    ],
)
def test_scan_citations(table: LawNameTable, text: str, expected: tuple[str | None, ...]) -> None:
    (citation,) = scan_citations(text, table)
    assert (citation.bwb_id, citation.eli, citation.article, citation.paragraph, citation.point) == expected
    assert citation.text == text


def test_scan_finds_several_citations_in_running_text(table: LawNameTable) -> None:
    text = "Op grond van artikel 3:40 Awb en de Wet basisregistratie personen (Wet BRP), zie ook de Woo."
    citations = scan_citations(text, table)
    assert [(c.law_name, c.bwb_id, c.article) for c in citations] == [
        ("Awb", "BWBR0005537", "3:40"),
        ("Wet basisregistratie personen", "BWBR0033715", None),
        ("Wet BRP", "BWBR0033715", None),
        ("Woo", "BWBR0045754", None),
    ]


def test_table_from_graph_reads_model_law_names(model_graph: Graph) -> None:
    table = LawNameTable.from_graph(model_graph, extra=read_law_names(law_names_path()))
    ai_act = table.lookup("AI-verordening")
    assert ai_act is not None and ai_act.eli == AI_ACT
    (citation,) = scan_citations("artikel 27 AI-verordening", table)
    assert (citation.eli, citation.article) == (AI_ACT, "27")
    assert table.lookup("Definities") is None  # subdivision titles are not law names


def test_table_from_inline_graph_with_bwb_id() -> None:
    graph = Graph().parse(
        data="""
        @prefix akg: <https://w3id.org/algokg/def#> .
        @prefix eli: <http://data.europa.eu/eli/ontology#> .
        <https://w3id.org/algokg/id/law/bwb/BWBR0005537> akg:bwbId "BWBR0005537" ;
            akg:shortTitle "Awb"@nl ; eli:title "Algemene wet bestuursrecht"@nl .
        """,
        format="turtle",
    )
    table = LawNameTable.from_graph(graph)
    assert [c.bwb_id for c in scan_citations("art. 1:3 Algemene wet bestuursrecht; Awb", table)] == [
        "BWBR0005537",
        "BWBR0005537",
    ]
