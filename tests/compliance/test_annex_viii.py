"""Annex VIII registration data (sections B and C) exported from a real on-disk store, as JSON and JSON-LD, and
checked against the annex-viii-{b,c} SHACL profiles (the fictitious algorithms of annex-viii-fixture.ttl)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat, Store, parse
from rdflib import Graph

from compliance.annex_viii import AnnexVIIIError, export, rdflib_term
from loader.cli import cli
from loader.store import build_store, open_store
from loader.validation import validate

FIXTURE = Path(__file__).parent / "annex-viii-fixture.ttl"
SHAPES = "https://w3id.org/algokg/shapes/annex-viii-"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("annex-viii-store")
    build_store(directory, datasets=[("annex-viii-fixture", FIXTURE)])
    return directory


@pytest.fixture(scope="module")
def store(store_dir: Path) -> Store:
    return open_store(store_dir)


def _violations(payload: dict) -> set[str]:
    return {item["shape"].removeprefix(SHAPES) for item in payload["violations"]}


def test_section_c_complete_record(store: Store) -> None:
    payload = export(store, "90000101", "c").to_json()
    assert (payload["section"], payload["applies"], payload["valid"]) == ("C", True, True)
    items = {item["point"]: item["values"] for item in payload["items"]}
    assert [deployer["name"] for deployer in items[1]["deployer"]] == [["Gemeente Voorbeeldstad"]]
    assert items[1]["contact"] == ["algoritmes@voorbeeldstad.example"]
    assert items[2]["registrationSubmitter"][0]["name"] == ["Functionaris AI, gemeente Voorbeeldstad"]
    assert items[3]["euDatabaseEntry"] == ["https://example.org/eu-database/entry/ai-2027-000101"]
    assert items[4]["friaSummary"][0].startswith("Risico op ongelijke behandeling")
    assert items[5]["dpiaSummary"][0].startswith("Verwerking op grond van een wettelijke taak")
    # The provider is not part of section C.
    assert "Voorbeeldleverancier" not in json.dumps(payload)


def test_section_c_incomplete_record_names_the_missing_items(store: Store) -> None:
    payload = export(store, "90000102", "c").to_json()
    assert (payload["applies"], payload["valid"]) == (True, False)
    assert _violations(payload) == {"c#C2Submitter", "c#C4FriaSummary"}
    assert all("Annex VIII, section C" in item["message_en"] for item in payload["violations"])
    assert {item["point"] for item in payload["items"] if not item["values"]} == {2, 4}


def test_section_b_complete_and_incomplete(store: Store) -> None:
    complete = export(store, "90000103", "b").to_json()
    assert (complete["section"], complete["applies"], complete["valid"]) == ("B", True, True)
    items = {item["point"]: item["values"] for item in complete["items"]}
    assert items[1]["provider"][0]["contact"] == ["ai-registratie@voorbeeldleverancier.example"]
    assert items[6]["art6_3Condition"] == ["https://w3id.org/algokg/id/aiact-art-6-3/a"]
    assert items[9]["availableInMemberState"] == ["http://publications.europa.eu/resource/authority/country/NLD"]
    assert not items[2] and not items[3]  # no submitter, no authorised representative: "where applicable"
    incomplete = export(store, "90000104", "b").to_json()
    assert (incomplete["applies"], incomplete["valid"]) == (True, False)
    assert _violations(incomplete) == {"b#B7Grounds", "b#B9MemberState"}
    # Its intended purpose is a short description, which item 5 accepts.
    assert {item["point"]: item["values"] for item in incomplete["items"]}[5] == {
        "shortDescription": ["Sorteert binnenkomende post per afdeling."]
    }


def test_sections_that_do_not_apply(store: Store) -> None:
    for algorithm, section in (("90000105", "c"), ("90000105", "b"), ("90000103", "c"), ("90000101", "b")):
        record = export(store, algorithm, section)
        assert (record.applies, record.valid) == (False, True), (algorithm, section)


@pytest.mark.parametrize(
    ("algorithm", "section", "conforms"),
    [("90000101", "c", True), ("90000102", "c", False), ("90000103", "b", True), ("90000104", "b", False)],
)
def test_jsonld_export_validates_against_its_shape(store: Store, algorithm: str, section: str, conforms: bool) -> None:
    document = export(store, algorithm, section).to_jsonld()
    assert document["@context"]["akg"] == "https://w3id.org/algokg/def#"
    # Parsed by another JSON-LD implementation (Oxigraph's) than the one that wrote it (rdflib's).
    parsed = Graph()
    for quad in parse(json.dumps(document).encode(), format=RdfFormat.JSON_LD):
        parsed.add(tuple(rdflib_term(term) for term in (quad.subject, quad.predicate, quad.object)))
    assert len(parsed) == len(export(store, algorithm, section).graph)
    assert validate(parsed, profiles=[f"annex-viii-{section}"]).conforms is conforms


def test_unknown_algorithm_and_section(store: Store) -> None:
    with pytest.raises(AnnexVIIIError, match="no algorithm"):
        export(store, "99999999", "c")
    with pytest.raises(AnnexVIIIError, match="choose b or c"):
        export(store, "90000101", "a")


def test_cli(store_dir: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["annex-viii", "--store", str(store_dir), "90000101", "--format", "jsonld"])
    assert done.exit_code == 0, done.output
    assert '"akg:friaSummary"' in done.stdout
    incomplete = runner.invoke(cli, ["annex-viii", "--store", str(store_dir), "90000104", "--section", "b"])
    assert incomplete.exit_code == 1
    assert json.loads(incomplete.stdout)["valid"] is False
    assert "Annex VIII, section B, point 7" in incomplete.stderr
    unknown = runner.invoke(cli, ["annex-viii", "--store", str(store_dir), "99999999"])
    assert unknown.exit_code == 2
