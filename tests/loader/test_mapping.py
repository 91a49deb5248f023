"""Register records -> quads: identity, versions, concepts, dates, legal bases, assessments, nothing dropped."""

import csv
import io

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from loader.mapping import MappingContext, RecordMapping, default_concept_index, map_record
from loader.mapping.assessments import instrument_for
from loader.mapping.laws import resolve_link
from loader.reconcile.organisations import OrganisationMatcher
from loader.reconcile.tooi import OrganisationEntry
from loader.reference import default_gazetteer
from loader.sources import csv_source

GRAPH = NamedNode("https://w3id.org/algokg/graph/source/test")
AKG = "https://w3id.org/algokg/def#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ALG = "https://w3id.org/algokg/id/algorithm/"
GM_UTRECHT = "https://identifier.overheid.nl/tooi/id/gemeente/gm0344"
COLUMNS = [
    "name", "organization", "description_short", "category", "status", "standard_version", "lang", "begin_date",
    "end_date", "publication_category", "lawful_basis", "lawful_basis_grouping", "impacttoetsen_grouping",
    "website", "algorithm_id",
]  # fmt: skip


def _records(*rows: dict[str, str]) -> list:
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for row in rows:
        writer.writerow({"standard_version": "1.0", "lang": "nld", **row})
    return list(csv_source.read(data=handle.getvalue().encode(), name="export.csv", language="NLD"))


@pytest.fixture(scope="module")
def context() -> MappingContext:
    matcher = OrganisationMatcher([OrganisationEntry(name="Gemeente Utrecht", iri=GM_UTRECHT, source="test")])
    return MappingContext(
        graph=GRAPH, concepts=default_concept_index(), law_names=default_gazetteer(), organisations=matcher
    )


def _objects(mapped: RecordMapping, subject: NamedNode, predicate: str) -> list[object]:
    return sorted(
        (q.object for q in mapped.quads if q.subject == subject and q.predicate == NamedNode(predicate)), key=str
    )


def test_a_record_becomes_an_algorithm_and_a_registration(context: MappingContext) -> None:
    (record,) = _records(
        {
            "algorithm_id": "12345678",
            "name": "Parkeerscan",
            "organization": "Gemeente Utrecht",
            "category": "Verkeer, Openbare orde en veiligheid",
            "status": "In gebruik",
            "publication_category": "Impactvolle algoritmes",
            "begin_date": "05-2023",
            "end_date": "Maart",
        }
    )
    mapped = map_record(record, context)
    registration = mapped.registration
    assert mapped.algorithm == NamedNode(ALG + "12345678")
    assert registration.value.startswith(ALG + "12345678/registration/")
    assert all(quad.graph_name == GRAPH for quad in mapped.quads)
    types = {q.object.value for q in mapped.quads if q.subject == registration and q.predicate.value.endswith("#type")}
    assert types == {AKG + "Registration", AKG + "Registration_1_0"}
    assert _objects(mapped, registration, DCT + "title") == [Literal("Parkeerscan", language="nl")]
    assert _objects(mapped, registration, AKG + "organisation") == [NamedNode(GM_UTRECHT)]
    assert [o.value for o in _objects(mapped, registration, AKG + "theme")] == [
        "https://w3id.org/algokg/id/register-theme/openbare-orde-en-veiligheid",
        "https://w3id.org/algokg/id/register-theme/verkeer",
    ]
    assert _objects(mapped, registration, AKG + "status")[0].value.endswith("/register-status/in-gebruik")
    assert _objects(mapped, registration, AKG + "publicationCategory")[0].value.endswith("/publication-category/B")
    begin = _objects(mapped, registration, AKG + "beginDate")
    assert [(o.value, o.datatype.value) for o in begin] == [("2023-05", "http://www.w3.org/2001/XMLSchema#gYearMonth")]
    assert _objects(mapped, registration, AKG + "beginDateAsPublished") == [Literal("05-2023")]
    # An unreadable date keeps its text and says so; no normalised value is invented.
    assert _objects(mapped, registration, AKG + "endDate") == []
    assert _objects(mapped, registration, AKG + "endDateAsPublished") == [Literal("Maart")]
    assert [(f.field, f.severity, f.line) for f in mapped.findings] == [("end_date", "warning", 2)]
    assert _objects(mapped, registration, AKG + "sourceLine") == [
        Literal("2", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    ]


def test_the_same_content_is_the_same_version_and_a_change_is_a_new_one(context: MappingContext) -> None:
    first, same, changed = _records(
        {"algorithm_id": "12345678", "name": "Parkeerscan"},
        {"algorithm_id": "12345678", "name": "Parkeerscan"},
        {"algorithm_id": "12345678", "name": "Parkeerscan 2"},
    )
    assert map_record(first, context).registration == map_record(same, context).registration
    assert map_record(first, context).registration != map_record(changed, context).registration


def test_nothing_is_dropped(context: MappingContext) -> None:
    (record,) = _records(
        {"algorithm_id": "12345678", "name": "x", "status": "Half af", "website": "zie intranet", "category": "Sport"}
    )
    mapped = map_record(record, context)
    unmapped = {
        (q.subject.value.rsplit("/", 1)[-1], q.object.value)
        for q in mapped.quads
        if q.predicate == NamedNode(AKG + "valueAsPublished")
    }
    assert unmapped == {("status", "Half af"), ("website", "zie intranet"), ("category", "Sport")}
    assert {(f.field, f.severity) for f in mapped.findings} == {
        ("status", "warning"),
        ("website", "info"),
        ("category", "warning"),
    }


def test_an_unknown_organisation_is_listed_with_candidates_not_guessed(context: MappingContext) -> None:
    (record,) = _records({"algorithm_id": "12345678", "name": "x", "organization": "Gemeente Utrecht-Zuid"})
    mapped = map_record(record, context)
    # Not guessed, but a node all the same: minted from its name, typed by its words, marked unreconciled.
    node = NamedNode("https://w3id.org/algokg/id/organisation/gemeente-utrecht-zuid")
    assert _objects(mapped, mapped.registration, AKG + "organisation") == [node]
    assert NamedNode(AKG + "UnreconciledOrganisation") in _objects(mapped, node, RDF_TYPE)
    assert _objects(mapped, node, AKG + "organisationType") == [
        NamedNode("https://w3id.org/algokg/id/organisation-type/gemeente")
    ]
    assert _objects(mapped, mapped.registration, AKG + "organisationName") == [Literal("Gemeente Utrecht-Zuid")]
    (note,) = mapped.findings
    assert (note.field, note.severity, note.line) == ("organization", "warning", 2)
    assert "Gemeente Utrecht" in note.message
    reconciliation = NamedNode(mapped.registration.value + "/reconciliation/organization")
    assert _objects(mapped, reconciliation, AKG + "matchMethod") == [Literal("none")]
    assert _objects(mapped, reconciliation, AKG + "candidate") == [NamedNode(GM_UTRECHT)]


def test_legal_bases_resolve_links_and_citations(context: MappingContext) -> None:
    (record,) = _records(
        {
            "algorithm_id": "12345678",
            "name": "x",
            "lawful_basis": "Op grond van artikel 3:40 Awb en de Participatiewet art. 17.",
            "lawful_basis_grouping": (
                "1: Wegenverkeerswet 1994, https://wetten.overheid.nl/BWBR0006622/2024-01-01#Hoofdstuk5_Artikel130. "
                "2: AI-verordening, https://eur-lex.europa.eu/legal-content/NL/TXT/PDF/?uri=OJ:L_202401689. "
                "3: Beleid, https://www.example.nl/beleid"
            ),
        }
    )
    mapped = map_record(record, context)
    store = Store()
    store.extend(mapped.quads)
    rows = store.query(
        """PREFIX akg: <https://w3id.org/algokg/def#>
        SELECT ?b ?law ?date WHERE { GRAPH ?g { ?r akg:hasStatutoryBasis ?b .
          OPTIONAL { ?b akg:legalResource ?law } OPTIONAL { ?b akg:citedVersionDate ?date } } } ORDER BY ?b"""
    )
    found = [
        (r["b"].value.rsplit("/", 1)[-1], r["law"].value if r["law"] else None, r["date"].value if r["date"] else None)
        for r in rows
    ]
    base = "https://w3id.org/algokg/id/law/bwb/"
    assert found == [
        ("1", base + "BWBR0006622/artikel/130", "2024-01-01"),
        ("2", "http://data.europa.eu/eli/reg/2024/1689/oj", None),
        ("3", None, None),
        ("text-1", base + "BWBR0005537/artikel/3:40", None),
        ("text-2", base + "BWBR0015703/artikel/17", None),
    ]
    assert (mapped.law_links, mapped.law_links_resolved) == (3, 2)
    assert [(f.field, f.value) for f in mapped.findings] == [("lawful_basis_grouping", "https://www.example.nl/beleid")]
    article = Quad(
        NamedNode(base + "BWBR0006622/artikel/130"),
        NamedNode("http://data.europa.eu/eli/ontology#is_part_of"),
        NamedNode(base + "BWBR0006622"),
        GRAPH,
    )
    assert article in mapped.quads


@pytest.mark.parametrize(
    ("link", "law", "article"),
    [
        ("https://eur-lex.europa.eu/legal-content/NL/TXT/HTML/?uri=CELEX:02010R0904-20240101", "32010R0904", None),
        ("https://eur-lex.europa.eu/eli/reg/2016/679/oj", "32016R0679", None),
        ("https://eur-lex.europa.eu/legal-content/NL/TXT/PDF/?uri=OJ:L_202401689", "32024R1689", None),
        ("jci1.3:c:BWBR0005537&artikel=4:8", "BWBR0005537", "4:8"),
    ],
)
def test_link_forms(link: str, law: str, article: str | None) -> None:
    reference, identified = resolve_link(link)
    assert (identified, reference.article) == (law, article)


def test_cvdr_link_is_a_local_regulation(context: MappingContext) -> None:
    (record,) = _records(
        {
            "algorithm_id": "12345678",
            "name": "x",
            "lawful_basis_grouping": "1: APV, https://lokaleregelgeving.overheid.nl/CVDR123456/1",
        }
    )
    mapped = map_record(record, context)
    node = NamedNode("https://w3id.org/algokg/id/law/cvdr/CVDR123456")
    assert NamedNode(AKG + "LocalRegulation") in _objects(
        mapped, node, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    )


@pytest.mark.parametrize(
    ("title", "code", "method"),
    [
        ("Data Protection Impact Assessment (DPIA)", "dpia", "label"),
        ("Data Protection Impact Asssesment (DPIA)", "dpia", "label"),
        # A pre-scan is a pre-scan, whatever instrument it prepares.
        (
            "Data Protection Impact Assessment (DPIA), Pre-DPIA toets of er sprake is van een hoog risico",
            "pre-scan-dpia",
            "pre-scan",
        ),
        ("Data Protection Impact Assessment (DPIA), anonimisering", "dpia", "prefix"),
        ("DPIA, uitgevoerd in 2023", "dpia", "prefix"),
        ("Uitgevoerd: een DPIA (2023)", "dpia", "acronym"),
        ("Impact Assessment Mensenrechten en Algoritmes (IAMA)", "iama", "label"),
        ("Utrechts Uthiek Assessment", "utrecht-uthiek", "label"),
        ("Eigen ethische toets", "other", "none"),
    ],
)
def test_assessment_titles_are_normalised(title: str, code: str, method: str) -> None:
    instrument, how = instrument_for(title, default_concept_index())
    assert (instrument.value.rsplit("/", 1)[-1], how) == (code, method)
