"""The Algoritmekader as a graph: read from the index and from the repository's pages, linked to the
model's articles (with a report of what is not), tags that select requirements, a real store and server."""

import io
import tarfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from compliance.algoritmekader import (
    COMMIT,
    INSTRUMENT_BASE,
    Kader,
    applicable_requirements,
    kader_triples,
    load_kader,
    read_archive,
    read_index,
    read_markdown,
    read_norms,
)
from compliance.legal_refs import Resolver, units
from loader.store import build_store, open_store
from tests.conftest import shared_path
from tests.server.conftest import start_server

AK = ("reference", "algoritmekader")
ELI_AIACT = "https://w3id.org/algokg/id/law/eli/reg/2024/1689/"
AKG = "https://w3id.org/algokg/def#"


@pytest.fixture(scope="module")
def kader() -> Kader:
    found = read_index(shared_path(*AK, "algoritmekader_index.json"))
    found.norms = read_norms(shared_path(*AK, "maatregelen-adr-ark.csv"))
    return found


@pytest.fixture(scope="module")
def mapped(kader: Kader) -> tuple[list[tuple], object]:
    return kader_triples(kader, Resolver())


def _objects(triples: list[tuple], subject: str, predicate: str) -> set[str]:
    return {o.value for s, p, o in triples if s.value == subject and p.value == AKG + predicate}


def test_counts_and_identifiers(kader: Kader) -> None:
    assert (len(kader.requirements), len(kader.measures), len(kader.instruments)) == (63, 108, 28)
    assert kader.commit == COMMIT
    urns = [page.urn for page in (*kader.requirements, *kader.measures)]
    assert len(set(urns)) == 171 and all(u.startswith(("urn:nl:ak:ver:", "urn:nl:ak:mtr:")) for u in urns)
    assert {page.iri.value for page in kader.instruments} >= {f"{INSTRUMENT_BASE}iama", f"{INSTRUMENT_BASE}dpia"}


def test_requirements_rest_on_the_models_articles(mapped: tuple) -> None:
    triples, _ = mapped
    assert _objects(triples, "urn:nl:ak:ver:aia-27", "groundedIn") == {
        f"{ELI_AIACT}art_27/par_1",
        f"{ELI_AIACT}art_6/par_2",
        f"{ELI_AIACT}anx_III/pnt_2",
        f"{ELI_AIACT}anx_III/pnt_5",
    }
    grounded = {s.value for s, p, _ in triples if p.value == AKG + "groundedIn"}
    requirements = {s.value for s, p, o in triples if p.value.endswith("#type") and o.value == AKG + "Requirement"}
    # awb-01 cites only Awb divisions (afdelingen), bzk-01 no law: reported, not linked
    assert requirements - grounded == {"urn:nl:ak:ver:awb-01", "urn:nl:ak:ver:bzk-01"}


def test_citations_not_resolved_to_an_article_are_reported(mapped: tuple) -> None:
    _, report = mapped
    statuses = Counter(resolution.status for _, resolution in report.citations)
    assert statuses == {"exact": 46, "broader": 14, "act": 68, "unresolved": 15}
    unresolved = {resolution.label for _, resolution in report.citations if resolution.status == "unresolved"}
    assert "Overweging 29 - 44 AI-Verordening" in unresolved  # recitals are not in the model
    assert "Afdeling 3.2 Algemene wet bestuursrecht" in unresolved  # nor Awb divisions
    assert "Artikel 4, lid 3, DSM-auteursrechtrichtlijn" in unresolved  # nor Directive (EU) 2019/790
    acts = {resolution.label for _, resolution in report.citations if resolution.status == "act"}
    assert "Artikel 7 Databankrichtlijn" in acts  # Directive 96/9/EC is in the model (eu-links), not its articles
    assert any("aia-09-menselijke-toezicht" in line for line in report.dangling)  # a measure cites a missing page


def test_measures_serve_requirements_with_phase_role_topic_and_norms(mapped: tuple) -> None:
    triples, _ = mapped
    bias = "urn:nl:ak:mtr:ver-03"
    assert "urn:nl:ak:ver:grw-02" in _objects(triples, bias, "servesRequirement")
    assert _objects(triples, bias, "lifecyclePhase") >= {"https://w3id.org/algokg/id/ak-lifecycle-phase/ontwerp"}
    assert "https://w3id.org/algokg/id/ak-topic/bias-en-non-discriminatie" in _objects(triples, bias, "topic")
    norms = _objects(triples, bias, "auditNorm")
    assert "https://w3id.org/algokg/id/adr-onderzoekskader/DM.16" in norms
    assert "https://w3id.org/algokg/id/ark-toetsingskader/3.08" in norms
    definitions = {s.value: o.value for s, p, o in triples if p.value.endswith("#definition")}
    assert definitions["https://w3id.org/algokg/id/adr-onderzoekskader/DM.16"].startswith("De definitie van de")


def test_instruments_support_measures_and_requirements(mapped: tuple) -> None:
    triples, _ = mapped
    iama = f"{INSTRUMENT_BASE}iama"
    assert _objects(triples, iama, "supportsMeasure") == {"urn:nl:ak:mtr:owp-07"}
    assert _objects(triples, iama, "supportsRequirement") == {"urn:nl:ak:ver:aia-27", "urn:nl:ak:ver:grw-01"}


def test_concepts_used_are_in_the_models_schemes(mapped: tuple, model_graph) -> None:
    from rdflib import URIRef
    from rdflib.namespace import RDF, SKOS

    triples, _ = mapped
    used = {
        o.value for _, p, o in triples if p.value in {AKG + "lifecyclePhase", AKG + "topic", AKG + "responsibleRole"}
    }
    missing = sorted(iri for iri in used if (URIRef(iri), RDF.type, SKOS.Concept) not in model_graph)
    assert missing == []


def test_the_pages_read_like_the_index(kader: Kader) -> None:
    by_slug = kader.by_slug()
    for name, kind in (
        ("aia-27-beoordelen-gevolgen-grondrechten", "requirement"),
        ("5-ver-03-biasanalyse", "measure"),
        ("IAMA", "instrument"),
    ):
        text = shared_path(*AK, "sample", f"{name}.md").read_text(encoding="utf-8")
        page = read_markdown(kind, f"docs/voldoen-aan-wetten-en-regels/x/{name}.md", text)
        indexed = by_slug[name]
        assert (page.urn, page.title, page.tags, page.lifecycle, page.norms, page.requirements, page.measures) == (
            indexed.urn,
            indexed.title,
            indexed.tags,
            indexed.lifecycle,
            indexed.norms,
            indexed.requirements,
            indexed.measures,
        )
        assert [link.url for link in page.sources if "eur-lex" in (link.url or "")] == [
            link.url for link in indexed.sources if "eur-lex" in (link.url or "")
        ]


def test_an_archive_of_the_repository_is_read(tmp_path: Path) -> None:
    # The layout GitHub serves for a commit: {repo}-{commit}/docs/voldoen-aan-wetten-en-regels/{kind}/{page}.md
    archive = tmp_path / "ak.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for kind, name in (
            ("vereisten", "aia-27-beoordelen-gevolgen-grondrechten"),
            ("maatregelen", "5-ver-03-biasanalyse"),
            ("hulpmiddelen", "IAMA"),
            ("vereisten", "index"),
        ):
            data = shared_path(*AK, "sample", f"{name if name != 'index' else 'IAMA'}.md").read_bytes()
            info = tarfile.TarInfo(f"Algoritmekader-{COMMIT}/docs/voldoen-aan-wetten-en-regels/{kind}/{name}.md")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    found = read_archive(archive)
    assert [p.urn for p in found.requirements] == ["urn:nl:ak:ver:aia-27"]  # index.md is not a page
    assert [p.urn for p in found.measures] == ["urn:nl:ak:mtr:ver-03"]
    assert [p.iri.value for p in found.instruments] == [f"{INSTRUMENT_BASE}iama"]


def test_tags_select_the_requirements_that_apply(kader: Kader) -> None:
    deployer_high_risk = frozenset(
        {
            "rol-ai-act-gebruiksverantwoordelijke",
            "soort-toepassing-ai-systeem",
            "risicogroep-hoog-risico-ai-systeem",
            "transparantieverplichting-geen-transparantieverplichting",
            "systeemrisico-niet-van-toepassing",
            "open-source-niet-van-toepassing",
        }
    )
    selected = {page.urn for page in applicable_requirements(kader, deployer_high_risk)}
    assert {"urn:nl:ak:ver:aia-27", "urn:nl:ak:ver:aia-20", "urn:nl:ak:ver:aia-01", "urn:nl:ak:ver:avg-13"} <= selected
    assert not {"urn:nl:ak:ver:aia-03", "urn:nl:ak:ver:aia-00", "urn:nl:ak:ver:aia-29"} & selected
    exempt = frozenset(
        {
            "rol-ai-act-aanbieder",
            "soort-toepassing-ai-systeem",
            "risicogroep-uitzondering-van-toepassing",
            "transparantieverplichting-niet-van-toepassing",
            "systeemrisico-niet-van-toepassing",
            "open-source-niet-van-toepassing",
        }
    )
    exempt_selected = {page.urn for page in applicable_requirements(kader, exempt)}
    assert exempt_selected and not any(urn.startswith("urn:nl:ak:ver:aia-") for urn in exempt_selected)
    # The open-source exclusion: an open-source, non-high-risk system without transparency duty drops aia-01.
    open_source = frozenset(
        {
            "rol-ai-act-aanbieder",
            "soort-toepassing-ai-systeem",
            "risicogroep-geen-hoog-risico-ai-systeem",
            "transparantieverplichting-geen-transparantieverplichting",
            "open-source-open-source",
            "systeemrisico-niet-van-toepassing",
        }
    )
    assert "urn:nl:ak:ver:aia-01" not in {page.urn for page in applicable_requirements(kader, open_source)}


def test_citation_texts_are_read() -> None:
    assert [(u.number, u.paragraph, u.point) for u in units("Artikel 5 lid 1 onder a en b AVG")] == [
        ("5", "1", "a"),
        ("5", "1", "b"),
    ]
    assert [(u.kind, u.number, u.point) for u in units("Bijlage III, onderdeel 2 en 5, AI-verordening")] == [
        ("annex", "III", "2"),
        ("annex", "III", "5"),
    ]
    assert [u.number for u in units("Artikel 3:46 en 3:47 Awb")] == ["3:46", "3:47"]
    assert units("Handreiking Algoritmeregister") == []


@pytest.fixture(scope="module")
def store_with_kader(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("kader") / "store"
    build_store(store)
    loaded = load_kader(
        store,
        index=shared_path(*AK, "algoritmekader_index.json"),
        norms=shared_path(*AK, "maatregelen-adr-ark.csv"),
        tree=shared_path("reference", "aiact", "beslishulp", "decision-tree.yaml"),
    )
    assert (loaded.requirements, loaded.measures, loaded.instruments) == (63, 108, 28) and len(loaded.loaded) == 2
    return store


def test_loading_again_changes_nothing(store_with_kader: Path) -> None:
    generation = (store_with_kader / "current").resolve()
    again = load_kader(
        store_with_kader,
        index=shared_path(*AK, "algoritmekader_index.json"),
        norms=shared_path(*AK, "maatregelen-adr-ark.csv"),
    )
    assert again.loaded == [] and (store_with_kader / "current").resolve() == generation


@pytest.fixture(scope="module")
def server(store_with_kader: Path) -> Iterator[str]:
    with start_server(store_with_kader) as running:
        yield running.base


COUNTS = """PREFIX akg: <https://w3id.org/algokg/def#>
SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES ?class { akg:Requirement akg:Measure akg:FrameworkInstrument akg:Conclusion }
  ?x a ?class } GROUP BY ?class ORDER BY ?class"""

FRIA_ARTICLES = """PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT DISTINCT ?article WHERE { <urn:nl:ak:ver:aia-27> akg:groundedIn ?article . ?article a eli:LegalResourceSubdivision }
ORDER BY ?article"""


def test_the_graph_is_served_over_sparql(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": COUNTS}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    rows = dict(line.split(",") for line in response.text.splitlines()[1:])
    assert rows == {
        f"{AKG}Conclusion": "50",
        f"{AKG}FrameworkInstrument": "28",
        f"{AKG}Measure": "108",
        f"{AKG}Requirement": "63",
    }
    articles = httpx.get(f"{server}/sparql", params={"query": FRIA_ARTICLES}, headers={"Accept": "text/csv"})
    assert articles.text.splitlines()[1:] == [
        f"{ELI_AIACT}{p}" for p in ("anx_III/pnt_2", "anx_III/pnt_5", "art_27/par_1", "art_6/par_2")
    ]


def test_the_store_holds_the_provenance_of_the_load(store_with_kader: Path) -> None:
    rows = list(
        open_store(store_with_kader).query(
            """SELECT ?title WHERE { GRAPH <https://w3id.org/algokg/graph/provenance> {
             ?g <http://purl.org/dc/terms/title> ?title ; <http://purl.org/dc/terms/source> ?src } }"""
        )
    )
    assert any(str(row["title"].value).startswith("Algoritmekader 46917ceafa4a") for row in rows)
