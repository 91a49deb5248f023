"""The US inventory and AI Watch, imported beside the Dutch and UK registers into one real store: every row kept,
counts per agency, stage, high-impact value and country equal to counts computed with the csv and json modules."""

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import Store

from loader.importers.us_inventory import read_use_cases
from loader.store import open_store
from tests.registers.conftest import ai_watch_dir, invoke, us_files

AKG = "https://w3id.org/algokg/def#"
PREFIXES = f"""PREFIX akg: <{AKG}> PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"""
US = "https://w3id.org/algokg/id/catalog/us-federal-ai-inventory"
HIGH_IMPACT = {
    "High-impact": "high-impact",
    "Presumed High-Impact, but Not High-impact": "presumed-not-high-impact",
    "Not High-impact": "not-high-impact",
}


@pytest.fixture(scope="module")
def store(registers_store: Path) -> Store:
    return open_store(registers_store)


@pytest.fixture(scope="module")
def us_rows() -> list[dict[str, str]]:
    with us_files()[0].open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _counts(store: Store, query: str) -> Counter[str]:
    rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return Counter({row["key"].value if row["key"] is not None else "": int(row["n"].value) for row in rows})


def test_every_us_use_case_is_an_algorithm_of_its_own(store: Store, us_rows: list[dict[str, str]]) -> None:
    assert len(us_rows) == 3611
    pairs = {(row["agency"], row["id"]) for row in us_rows}
    assert len(pairs) == 2910  # ids are not unique: the IRIs must not merge rows
    iris = {use_case.iri.value for use_case in read_use_cases(us_files()[0])}
    assert len(iris) == 3611
    found = _counts(
        store, f"SELECT ('' AS ?key) (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a akg:inRegister <{US}> ; a akg:Algorithm }}"
    )
    assert found[""] == 3611


def test_counts_per_agency_stage_and_high_impact(store: Store, us_rows: list[dict[str, str]]) -> None:
    by_agency = Counter(row["agency_name"] for row in us_rows)
    stored = _counts(
        store,
        f"""SELECT ?key (COUNT(DISTINCT ?a) AS ?n) WHERE {{
            ?a akg:inRegister <{US}> ; akg:currentRegistration ?r . ?r akg:organisationName ?key }} GROUP BY ?key""",
    )
    assert stored == by_agency and len(by_agency) == 41
    by_stage = Counter(row["development_stage"] for row in us_rows)
    stored = _counts(
        store,
        f"""SELECT ?key (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a akg:inRegister <{US}> ; akg:currentRegistration ?r .
            OPTIONAL {{ ?r akg:status/skos:prefLabel ?key FILTER (LANG(?key) = "en") }} }} GROUP BY ?key""",
    )
    assert stored == by_stage
    by_impact = Counter(HIGH_IMPACT.get(row["is_high_impact"], "") for row in us_rows)
    stored = _counts(
        store,
        f"""SELECT ?key (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a akg:inRegister <{US}> ; akg:currentRegistration ?r .
            OPTIONAL {{ ?r akg:registerRiskCategory/skos:notation ?key }} }} GROUP BY ?key""",
    )
    assert stored == by_impact and by_impact["high-impact"] == 445


def test_the_cots_rows_are_products_in_use_per_agency(store: Store) -> None:
    with us_files()[1].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 900
    stored = _counts(
        store, "SELECT ?key (COUNT(?u) AS ?n) WHERE { ?u a akg:ProductUse ; akg:organisationName ?key } GROUP BY ?key"
    )
    assert stored == Counter(row["Agency"] for row in rows)
    used = _counts(store, "SELECT ?key (COUNT(?u) AS ?n) WHERE { ?u a akg:ProductUse ; akg:inUse ?key } GROUP BY ?key")
    expected = Counter(row["Agency Use (Y/N)?"] for row in rows)
    assert (used["true"], used["false"]) == (expected["Y"], expected["N"])


def test_ai_watch_services_per_country(store: Store) -> None:
    services = json.loads((ai_watch_dir() / "services.json").read_text(encoding="utf-8"))
    assert len(services) == 143
    expected = Counter(code for service in services for code in service["geocoverage_codes"])
    stored = _counts(
        store,
        """SELECT ?key (COUNT(DISTINCT ?a) AS ?n) WHERE {
            ?a akg:inRegister <https://w3id.org/algokg/id/catalog/ai-watch-10009> ; akg:currentRegistration/dct:spatial ?c .
            ?c skos:notation ?key FILTER (STRLEN(?key) = 2) } GROUP BY ?key""",
    )
    assert stored == expected


def test_registers_side_by_side_in_one_store(store: Store) -> None:
    stored = _counts(
        store, "SELECT ?key (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a akg:Algorithm ; akg:inRegister ?key } GROUP BY ?key"
    )
    base = "https://w3id.org/algokg/id/catalog/"
    assert stored[f"{base}us-federal-ai-inventory"] == 3611
    assert stored[f"{base}ai-watch-10009"] == 143
    assert stored[f"{base}amsterdam-algoritmeregister"] == 3
    assert stored[f"{base}helsinki-ai-register"] == 5
    assert stored[f"{base}uk-atrs"] == 136
    assert stored[f"{base}algoritmeregister"] > 100  # the Dutch sample: 120 records
    jurisdictions = _counts(
        store,
        "SELECT ?key (COUNT(?c) AS ?n) WHERE { ?c a <http://www.w3.org/ns/dcat#Catalog> ; dct:spatial ?key } GROUP BY ?key",
    )
    assert jurisdictions["http://publications.europa.eu/resource/authority/country/USA"] == 1


def test_reimport_of_the_same_bytes_changes_nothing(registers_store: Path) -> None:
    before = (registers_store / "current").resolve()
    use_cases, cots = us_files()
    output = invoke("import-us-inventory", "--store", str(registers_store), str(use_cases), str(cots))
    assert output.strip().endswith("already loaded: nothing changed")
    invoke("import-ai-watch", "--store", str(registers_store), str(ai_watch_dir()))
    assert (registers_store / "current").resolve() == before
