"""What the register's records say, loaded as it is said: assessment statuses from their text, the AI Act
category the register declares, every organisation a node (one per body across languages), entities decoded,
file names without paths, and stats that count organisation nodes and every input format's law links."""

import csv
import json
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store

from loader.pipeline import load_paths
from loader.reference import ReferenceData, reference_data
from loader.stats import store_stats
from loader.store import open_store
from tests.conftest import shared_path

AKG = "https://w3id.org/algokg/def#"
PREFIXES = "PREFIX akg: <https://w3id.org/algokg/def#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
COLUMNS = [
    "name", "organization", "description_short", "status", "standard_version", "lang", "publication_category",
    "impacttoetsen_grouping", "impacttoetsen", "lawful_basis", "algorithm_id",
]  # fmt: skip


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> ReferenceData:
    """No flags: what ships with the package, nothing harvested."""
    return reference_data(cache_dir=tmp_path_factory.mktemp("empty-cache"))


def _export(path: Path, *rows: dict[str, str]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        for row in rows:
            writer.writerow({"standard_version": "1.0", "lang": "nld", "status": "In gebruik", **row})
    return path


def _select(store: Store, query: str) -> list[tuple[str, ...]]:
    results = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [variable.value for variable in results.variables]
    return sorted(tuple(row[name].value if row[name] is not None else "" for name in names) for row in results)


def test_assessment_statuses_are_read_from_what_the_record_says(tmp_path: Path, reference: ReferenceData) -> None:
    items = {
        "10000001": "1: IAMA, volgt",
        "10000002": "1: DPIA, Nog niet beschikbaar",
        "10000003": "1: LINK OPNEMEN NAAR DPIA",
        "10000004": "1: Nee,",
        "10000005": "1: Zie verwerkingsregister",
        "10000006": "1: Data Protection Impact Assessment (DPIA), Pre-DPIA toets: geen DPIA nodig",
        "10000007": "1: DPIA, uitgevoerd, https://example.org/dpia.pdf",
        "10000008": "1: DPIA, niet van toepassing",
        "10000010": "1: DPIA, geen DPIA nodig",
    }
    rows = [{"algorithm_id": key, "name": f"A {key}", "organization": "Gemeente Utrecht", "impacttoetsen_grouping": value}
            for key, value in items.items()]  # fmt: skip
    rows.append(
        {"algorithm_id": "10000009", "name": "A 9", "organization": "Gemeente Utrecht",
         "impacttoetsen_grouping": "1: Data Protection Impact Assessment (DPIA)",
         "impacttoetsen": "De DPIA wordt nog afgerond. DPIA pending the DPO's opinion."}
    )  # fmt: skip
    load_paths(tmp_path / "store", [_export(tmp_path / "export_NLD.csv", *rows)], reference=reference)
    found = _select(
        open_store(tmp_path / "store"),
        """SELECT ?id ?instrument ?status ?title WHERE {
            ?r a akg:Registration ; akg:registers/akg:algorithmId ?id ; akg:hasAssessment ?a .
            ?a akg:instrument/skos:notation ?instrument ; akg:assessmentStatus/skos:notation ?status ;
               akg:titleAsPublished ?title }""",
    )
    assert [row[:3] for row in found] == [
        ("10000001", "iama", "planned"),
        ("10000002", "dpia", "planned"),
        ("10000003", "dpia", "unknown"),
        ("10000006", "pre-scan-dpia", "performed"),  # a pre-scan is a pre-scan; what it concluded is in its title
        ("10000007", "dpia", "performed"),
        ("10000008", "dpia", "not-needed"),
        ("10000009", "dpia", "planned"),  # the explanation says so of the item's instrument
        ("10000010", "dpia", "not-needed"),
    ]
    assert ("10000001", "iama", "planned", "IAMA, volgt") in found  # the text it was read from is kept
    # "Nee," and a pointer to the processing register are no assessments: their text is kept as published.
    kept = _select(
        open_store(tmp_path / "store"),
        """SELECT ?id ?value WHERE { ?r akg:registers/akg:algorithmId ?id ; akg:hasUnmappedValue ?u .
            ?u akg:valueAsPublished ?value }""",
    )
    assert kept == [("10000004", "Nee,"), ("10000005", "Zie verwerkingsregister")]


def test_the_register_declared_high_risk_category_is_the_ai_act_category_as_declared(
    tmp_path: Path, reference: ReferenceData
) -> None:
    rows = [
        {"algorithm_id": "20000001", "name": "H", "organization": "Gemeente Utrecht",
         "publication_category": "Hoog-risico AI-systeem"},
        {"algorithm_id": "20000002", "name": "I", "organization": "Gemeente Utrecht",
         "publication_category": "Impactvolle algoritmes"},
    ]  # fmt: skip
    load_paths(tmp_path / "store", [_export(tmp_path / "export_NLD.csv", *rows)], reference=reference)
    store = open_store(tmp_path / "store")
    declared = _select(store, "SELECT ?id ?level WHERE { ?a akg:algorithmId ?id ; akg:riskLevel/skos:notation ?level }")
    assert declared == [("20000001", "high-risk")]
    # A statement of the registration (and so of the current state), not a decision-tree classification.
    assert not _select(store, "SELECT ?c WHERE { ?c a akg:Classification }")
    assert _select(store, "SELECT ?r WHERE { ?r a akg:Registration ; akg:riskLevel ?level }")


def test_every_organisation_is_a_typed_node_and_one_body_one_node_in_both_languages(
    tmp_path: Path, reference: ReferenceData
) -> None:
    dutch = _export(
        tmp_path / "export_NLD.csv",
        {"algorithm_id": "30000001", "name": "N", "organization": "Stichting Voorbeeldhulp"},
        {"algorithm_id": "30000002", "name": "U", "organization": "Gemeente Utrecht"},
    )
    english = _export(
        tmp_path / "export_ENG.csv",
        {"algorithm_id": "30000001", "name": "N", "organization": "Example Aid Foundation"},
        {"algorithm_id": "30000002", "name": "U", "organization": "Municipality of Utrecht"},
    )
    load_paths(tmp_path / "store", [dutch, english], reference=reference)
    store = open_store(tmp_path / "store")
    nodes = _select(
        store,
        """SELECT DISTINCT ?id ?org ?type WHERE { ?r a akg:Registration ; akg:registers/akg:algorithmId ?id ;
            akg:organisation ?org . ?org akg:organisationType/skos:notation ?type }""",
    )
    assert nodes == [
        ("30000001", "https://w3id.org/algokg/id/organisation/stichting-voorbeeldhulp", "stichting"),
        ("30000002", "https://identifier.overheid.nl/tooi/id/gemeente/gm0344", "gemeente"),
    ]
    labels = _select(
        store,
        """SELECT DISTINCT ?label (LANG(?label) AS ?language) WHERE {
            <https://w3id.org/algokg/id/organisation/stichting-voorbeeldhulp> a akg:UnreconciledOrganisation ;
                skos:prefLabel ?label }""",
    )
    assert labels == [("Example Aid Foundation", "en"), ("Stichting Voorbeeldhulp", "nl")]


def _loaded_from_deep(tmp_path: Path, reference: ReferenceData) -> Store:
    deep = tmp_path / "private" / "home" / "someone"
    deep.mkdir(parents=True)
    export = _export(
        deep / "export_NLD.csv",
        {"algorithm_id": "40000001", "name": "Search &amp; Find", "organization": "Gemeente Utrecht",
         "description_short": "Flevoland &amp; Gooi &amp; Vecht &lt;regio&gt;"},
    )  # fmt: skip
    load_paths(tmp_path / "store", [export], reference=reference)
    return open_store(tmp_path / "store")


def test_html_entities_of_the_source_are_decoded(tmp_path: Path, reference: ReferenceData) -> None:
    store = _loaded_from_deep(tmp_path, reference)
    literals = [quad.object.value for quad in store if isinstance(quad.object, Literal)]
    assert "Search & Find" in literals and "Flevoland & Gooi & Vecht <regio>" in literals
    assert not [value for value in literals if "&amp;" in value or "&lt;" in value]


def test_files_are_named_never_located(tmp_path: Path, reference: ReferenceData) -> None:
    store = _loaded_from_deep(tmp_path, reference)
    literals = [quad.object.value for quad in store if isinstance(quad.object, Literal)]
    # Provenance names the file and its sha256; where it lay on this machine is no one's business.
    assert not [value for value in literals if str(tmp_path) in value]
    assert not [quad for quad in store if str(tmp_path) in quad.subject.value or str(tmp_path) in quad.object.value]
    assert "export_NLD.csv" in literals
    assert _select(store, "SELECT ?file WHERE { ?r akg:sourceFile ?file }") == [("export_NLD.csv",)]


def test_stats_count_organisation_nodes_and_the_listing_law_links(tmp_path: Path, reference: ReferenceData) -> None:
    listing = shared_path("samples", "register_scrape_NLD_sample.json")
    load_paths(tmp_path / "store", [listing], reference=reference, run_validation=False)
    stats = store_stats(open_store(tmp_path / "store"))
    assert (stats["organisations"], stats["organisations_tooi"], stats["organisation_names"]) == (44, 41, 44)
    assert stats["law_links"] == stats["law_links_resolved"] > 0  # the listing cites law only in its text
    fidelity = stats["fidelity"]
    assert isinstance(fidelity, dict) and fidelity["records"] == 60
    assert fidelity["assessment_status"] == {"not-performed": 1, "performed": 31, "unknown": 28}
    assert json.loads(json.dumps(stats)) == stats  # plain JSON, as `algokg stats --json` prints it


def test_a_listing_answer_is_an_assessment_with_its_status(tmp_path: Path, reference: ReferenceData) -> None:
    document = {
        "count": 3,
        "algoritmes": [
            {"id": "50000001", "title": "J", "organisatie": "Gemeente Utrecht", "impactassessment": "Ja"},
            {"id": "50000002", "title": "N", "organisatie": "Gemeente Utrecht", "impactassessment": "Nee"},
            {"id": "50000003", "title": "O", "organisatie": "Gemeente Utrecht", "impactassessment": "Onbekend"},
        ],
    }
    listing = tmp_path / "listing.json"
    listing.write_text(json.dumps(document), encoding="utf-8")
    load_paths(tmp_path / "store", [listing], reference=reference)
    found = _select(
        open_store(tmp_path / "store"),
        """SELECT ?id ?instrument ?status ?answer WHERE { ?r akg:registers/akg:algorithmId ?id ;
            akg:hasAssessment ?a . ?a akg:instrument/skos:notation ?instrument ;
            akg:assessmentStatus/skos:notation ?status ; akg:valueAsPublished ?answer }""",
    )
    assert found == [
        ("50000001", "unspecified", "performed", "Ja"),
        ("50000002", "unspecified", "not-performed", "Nee"),
        ("50000003", "unspecified", "unknown", "Onbekend"),
    ]
    assert NamedNode(AKG + "listedImpactAssessment")  # the boolean stays for Ja/Nee (older queries read it)
