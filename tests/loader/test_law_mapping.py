"""Legal bases of real register phrasings -> law, article and local-regulation nodes (issue 14's examples).

These go through the public mapping (``map_record``, ``prepare``, ``load_paths``), so they ran, and failed,
on the code before the law gazetteer and the citation grammar.
"""

import csv
import io
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from loader.mapping import MappingContext, RecordMapping, map_record
from loader.pipeline import load_paths, prepare
from loader.reconcile.organisations import OrganisationMatcher
from loader.reconcile.tooi import OrganisationEntry
from loader.reference import reference_data
from loader.sources import csv_source

GRAPH = NamedNode("https://w3id.org/algokg/graph/source/test")
AKG = "https://w3id.org/algokg/def#"
ELI = "http://data.europa.eu/eli/ontology#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
BWB = "https://w3id.org/algokg/id/law/bwb/"
GDPR = "http://data.europa.eu/eli/reg/2016/679/oj"
GDPR_PARTS = "https://w3id.org/algokg/id/law/eli/reg/2016/679/"
GM_UTRECHT = "https://identifier.overheid.nl/tooi/id/gemeente/gm0344"
COLUMNS = ["name", "organization", "standard_version", "lang", "lawful_basis", "lawful_basis_grouping", "algorithm_id"]


def _csv(*rows: dict[str, str]) -> bytes:
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for number, row in enumerate(rows):
        writer.writerow(
            {"standard_version": "1.0", "lang": "nld", "name": "x", "algorithm_id": f"1234567{number}", **row}
        )
    return handle.getvalue().encode()


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> MappingContext:
    reference = reference_data(cache_dir=tmp_path_factory.mktemp("cache"))
    matcher = OrganisationMatcher([OrganisationEntry(name="Gemeente Utrecht", iri=GM_UTRECHT, source="test")])
    return MappingContext(
        graph=GRAPH, concepts=reference.concepts, law_names=reference.law_names, organisations=matcher
    )


def _map(context: MappingContext, text: str = "", grouping: str = "") -> RecordMapping:
    (record,) = csv_source.read(
        data=_csv({"organization": "Gemeente Utrecht", "lawful_basis": text, "lawful_basis_grouping": grouping}),
        name="export.csv",
        language="NLD",
    )
    return map_record(record, context)


def _resources(mapped: RecordMapping) -> set[str]:
    return {q.object.value for q in mapped.quads if q.predicate == NamedNode(AKG + "legalResource")}


def _objects(mapped: RecordMapping, subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in mapped.quads if q.subject.value == subject and q.predicate.value == predicate}


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        (
            "Gemeentewet, Wegenwet, Wet milieubeheer",
            {BWB + "BWBR0005416", BWB + "BWBR0001948", BWB + "BWBR0003245"},
            set(),
        ),
        ("Gemeentewet (GW)", {BWB + "BWBR0005416"}, {BWB + "BWBR0001840"}),
        (
            "Besluit BRP art.35 UAVG art. 29",
            {BWB + "BWBR0034306/artikel/35", BWB + "BWBR0040940/artikel/29"},
            {BWB + "BWBR0040940/artikel/35"},
        ),
        ("Art. 6(1)(e) AVG, Art. 2(2) Kingdom Act", {GDPR_PARTS + "art_6/par_1/pnt_e"}, {GDPR_PARTS + "art_2"}),
        ("art. 5 en 6 AVG", {GDPR_PARTS + "art_5", GDPR_PARTS + "art_6"}, set()),
        ("Artikel 5 en artikel 25 AVG", {GDPR_PARTS + "art_5", GDPR_PARTS + "art_25"}, set()),
        ("Article 97 of the Constitution", {BWB + "BWBR0001840/artikel/97"}, set()),
        ("Section 3(2) of the Passport Act", {BWB + "BWBR0005212/artikel/3/lid/2"}, set()),
        (
            "artikel 2.43, eerste lid, onder c, van de Omgevingswet",
            {BWB + "BWBR0037885/artikel/2.43/lid/1/onderdeel/c"},
            set(),
        ),
        (
            "Participation Act, Municipalities Act, Road Traffic Act",
            {BWB + "BWBR0015703", BWB + "BWBR0005416", BWB + "BWBR0006622"},
            set(),
        ),
    ],
)
def test_real_phrasings_resolve_to_the_article(
    context: MappingContext, text: str, expected: set[str], absent: set[str]
) -> None:
    found = _resources(_map(context, text))
    assert expected <= found
    assert not absent & found


def test_articles_of_the_title_attach_to_the_grouped_items_law(context: MappingContext) -> None:
    mapped = _map(
        context,
        grouping="1: Artikelen 172, derde lid, 174a en 175 van de Gemeentewet  , https://wetten.overheid.nl/BWBR0005416/2024-01-31/0",
    )
    assert _resources(mapped) == {
        BWB + "BWBR0005416/artikel/172/lid/3",
        BWB + "BWBR0005416/artikel/174a",
        BWB + "BWBR0005416/artikel/175",
    }
    lid = BWB + "BWBR0005416/artikel/172/lid/3"
    assert _objects(mapped, lid, AKG + "juriconnectReference") == {"jci1.3:c:BWBR0005416&artikel=172&lid=3"}
    assert _objects(mapped, lid, ELI + "is_part_of") == {BWB + "BWBR0005416/artikel/172"}


def test_local_regulations_are_nodes_of_the_publishing_organisation(context: MappingContext) -> None:
    mapped = _map(
        context, "Gemeentewet en de APV; de Verordening op de heffing en invordering van parkeerbelastingen 2024."
    )
    local = {iri for iri in _resources(mapped) if "/law/local/" in iri}
    assert local == {
        "https://w3id.org/algokg/id/law/local/gm0344/algemene-plaatselijke-verordening",
        "https://w3id.org/algokg/id/law/local/gm0344/verordening-op-de-heffing-en-invordering-van-parkeerbelastingen-2024",
    }
    for iri in local:
        assert _objects(mapped, iri, str(RDF_TYPE.value)) == {ELI + "LegalResource", AKG + "LocalRegulation"}
        assert _objects(mapped, iri, ELI + "passed_by") == {GM_UTRECHT}


def test_a_title_contradicting_its_link_is_a_located_validation_warning(context: MappingContext) -> None:
    from loader.validation import validate_quads

    mapped = _map(context, grouping="1: AVG, https://eur-lex.europa.eu/legal-content/NL/TXT/HTML/?uri=CELEX:31995L0046")
    basis = mapped.registration.value + "/basis/1"
    assert _objects(mapped, basis, AKG + "legalResource") == {GDPR}
    assert _objects(mapped, basis, AKG + "linkIdentifies") == {"http://data.europa.eu/eli/dir/1995/46/oj"}
    assert _objects(mapped, basis, AKG + "link") == {
        "https://eur-lex.europa.eu/legal-content/NL/TXT/HTML/?uri=CELEX:31995L0046"
    }
    report = validate_quads(mapped.quads)
    (warning,) = [r for r in report.results if "link identifies" in r.message_en]
    assert warning.severity == "Warning"
    assert "title says AVG, link identifies Directive 95/46/EC (repealed 2018-05-25)" in warning.message_en
    assert (warning.field, warning.line, warning.algorithm_id) == ("lawful_basis_grouping", 2, "12345670")


def test_a_damaged_link_is_repaired_and_the_repair_recorded(context: MappingContext) -> None:
    published = "https://eur-lex.europa.eu/legal- content/NL/TXT/HTML/?uri=CELEX:32016R0679"
    mapped = _map(context, grouping=f"1: AVG, {published}")
    basis = mapped.registration.value + "/basis/1"
    assert _objects(mapped, basis, AKG + "legalResource") == {GDPR}
    assert _objects(mapped, basis, AKG + "link") == {published}
    assert _objects(mapped, basis, AKG + "repairedLink") == {published.replace("legal- content", "legal-content")}
    assert _objects(mapped, basis, AKG + "linkRepair") == {"removed a space inside the link"}
    assert any(f.severity == "info" and "link repaired" in f.message for f in mapped.findings)


def test_every_law_node_is_named(context: MappingContext) -> None:
    mapped = _map(
        context,
        "Wet BRP art. 2.67 lid 4; Paspoortwet; Regulation (EU) 2019/1157",
        "1: x, https://wetten.overheid.nl/BWBR0001948",
    )
    laws = {
        q.subject.value
        for q in mapped.quads
        if q.predicate == RDF_TYPE and q.object == NamedNode(ELI + "LegalResource")
    }
    assert {
        BWB + "BWBR0033715",
        BWB + "BWBR0005212",
        "http://data.europa.eu/eli/reg/2019/1157/oj",
        BWB + "BWBR0001948",
    } <= laws
    for law in laws:
        assert _objects(mapped, law, RDFS_LABEL.value), f"{law} has no name"
    assert Literal("Wet basisregistratie personen", language="nl") in {
        q.object for q in mapped.quads if q.subject == NamedNode(BWB + "BWBR0033715") and q.predicate == RDFS_LABEL
    }


def test_titles_the_register_pairs_with_a_link_resolve_elsewhere(tmp_path: Path) -> None:
    # BWBR0040634 is the Wet forensische zorg (MinBZK regelrecht): not in the bundled table, so only the
    # register's own pairing of title and link can teach it.
    teaching = tmp_path / "teaching-NLD.csv"
    teaching.write_bytes(
        _csv({"lawful_basis_grouping": "1: Wet forensische zorg, https://wetten.overheid.nl/BWBR0040634"})
    )
    citing = tmp_path / "citing-NLD.csv"
    citing.write_bytes(_csv({"lawful_basis": "Op grond van artikel 1.1 van de Wet forensische zorg."}))
    reference = reference_data(cache_dir=tmp_path / "cache")
    law = NamedNode(BWB + "BWBR0040634")
    # Learned within one file …
    both = tmp_path / "both-NLD.csv"
    both.write_bytes(
        _csv(
            {"lawful_basis_grouping": "1: Wet forensische zorg, https://wetten.overheid.nl/BWBR0040634"},
            {"lawful_basis": "Op grond van artikel 1.1 van de Wet forensische zorg."},
        )
    )
    load, _ = prepare(both, reference=reference, run_validation=False)
    objects = {q.object for q in load.quads if q.predicate == NamedNode(AKG + "legalResource")}
    assert NamedNode(BWB + "BWBR0040634/artikel/1.1") in objects
    labels = {
        (q.object.value, getattr(q.object, "language", None))
        for q in load.quads
        if q.subject == law and q.predicate == RDFS_LABEL
    }
    assert ("Wet forensische zorg", "nl") in labels
    assert Quad(law, NamedNode(AKG + "nameSource"), Literal("register"), load.graph) in load.quads
    # … and from the sources already in the store.
    store = tmp_path / "store"
    load_paths(store, [teaching], reference=reference, run_validation=False)
    load_paths(store, [citing], reference=reference, run_validation=False)
    from loader.store import open_store

    rows = open_store(store).query("SELECT ?r WHERE { GRAPH ?g { ?b <https://w3id.org/algokg/def#legalResource> ?r } }")
    assert BWB + "BWBR0040634/artikel/1.1" in {row["r"].value for row in rows}


def test_a_law_known_by_name_is_a_node_minted_from_its_name(context: MappingContext) -> None:
    by_name = "https://w3id.org/algokg/id/law/name/"
    laa, charter = (
        by_name + "ministeriele-regeling-landelijke-aanpak-adreskwaliteit",
        by_name + "handvest-van-de-grondrechten-van-de-europese-unie",
    )
    mapped = _map(
        context,
        "Article 8 of the Charter of Fundamental Rights of the European Union",
        "1: Ministeriele regeling LAA, https://rijksoverheid.nl/documenten/regelingen/2023/05/01/"
        "ministeriele-regeling-landelijke-aanpak-adreskwaliteit-laa",
    )
    assert _resources(mapped) == {laa, charter + "/artikel/8"}
    for law in (laa, charter):
        assert _objects(mapped, law, RDF_TYPE.value) == {ELI + "LegalResource", AKG + "LawByName"}
        assert _objects(mapped, law, AKG + "bwbId") == set()
    assert _objects(mapped, laa, RDFS_LABEL.value) == {
        "Ministeriële regeling landelijke aanpak adreskwaliteit",
        "Ministerial Regulation on the National Address Quality Approach",
    }
    eli = "http://data.europa.eu/eli/treaty/char_2012/oj"  # the ELI a source gives (../shared/reference, DPV)
    assert _objects(mapped, charter, "http://www.w3.org/2004/02/skos/core#exactMatch") == {eli}
    assert _objects(mapped, charter, "http://www.w3.org/2000/01/rdf-schema#seeAlso") == {eli}
    article = charter + "/artikel/8"
    assert _objects(mapped, article, ELI + "is_part_of") == {charter}
    assert _objects(mapped, article, AKG + "juriconnectReference") == set()  # no BWB id to refer by
    assert "Article 8 of the Charter of Fundamental Rights of the European Union" in _objects(
        mapped, article, RDFS_LABEL.value
    )
