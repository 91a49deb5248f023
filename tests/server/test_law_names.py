"""Laws on the pages and in REST, on a store loaded from the register's real samples (../shared; skipped without):
every law named, the Wet basisregistratie personen's page listing the algorithms citing it and its articles,
local regulations shown as such."""

import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

from tests.conftest import REPO
from tests.server.conftest import Server

SAMPLES = REPO.parent / "shared" / "samples"
ENG, NLD = SAMPLES / "register_export_v1.0_ENG_sample.csv", SAMPLES / "register_scrape_NLD_sample.json"
pytestmark = pytest.mark.skipif(
    not ENG.exists() or not NLD.exists(), reason=f"the register samples are not in {SAMPLES}"
)
BRP = "https://w3id.org/algokg/id/law/bwb/BWBR0033715"
ALGORITHM = "https://w3id.org/algokg/id/algorithm/"


@pytest.fixture(scope="module")
def api(running_server: Callable[..., Server], tmp_path_factory: pytest.TempPathFactory) -> str:
    store_dir = tmp_path_factory.mktemp("samples") / "store"
    subprocess.run(
        [sys.executable, "-m", "loader.cli", "load", "--store", str(store_dir), str(ENG), str(NLD)],
        check=True,
        capture_output=True,
    )
    return running_server(store_dir).base


def test_every_law_in_rest_has_a_name(api: str) -> None:
    laws = httpx.get(f"{api}/api/laws", params={"size": 500, "lang": "en"}).json()["member"]
    cited = [law for law in laws if law["algorithms"] > 0]
    assert [law["@id"] for law in cited if not law.get("label") or law["label"] == law["@id"]] == []
    assert len(cited) > 60
    brp = next(law for law in laws if law["@id"] == BRP)
    assert brp["label"] == "Basic Registration of Persons Act"


def test_local_regulations_are_typed_apart(api: str) -> None:
    laws = httpx.get(f"{api}/api/laws", params={"size": 500}).json()["member"]
    local = {law["@id"]: law for law in laws if law["@type"] == "LocalRegulation"}
    assert "https://w3id.org/algokg/id/law/cvdr/CVDR72510" in local
    assert all(law["label"] for law in local.values())
    page = httpx.get(f"{api}/id/law/cvdr/CVDR72510", params={"lang": "en"}, headers={"Accept": "text/html"})
    assert "Local regulation" in page.text


def test_the_law_facet_shows_names(api: str) -> None:
    body = httpx.get(f"{api}/api/algorithms", params={"facets": "law", "size": 1, "lang": "nl"}).json()
    (facet,) = body["facets"]
    values = {value["value"]: value for value in facet["values"]}
    assert values[BRP]["label"] == "Wet basisregistratie personen"
    assert [v for v, value in values.items() if not value.get("label") or value["label"] == v] == []


def test_the_brp_page_lists_algorithms_citing_the_law_and_its_articles(api: str) -> None:
    view = httpx.get(f"{api}/api/law", params={"id": "BWBR0033715", "lang": "en"}).json()
    cited = {algorithm["@id"]: {ref["@id"] for ref in algorithm["cited"]} for algorithm in view["algorithms"]}
    assert cited[ALGORITHM + "65735246"] == {BRP}  # "Law on basic registration of persons"
    assert cited[ALGORITHM + "18814864"] == {BRP + "/artikel/2.67/lid/4"}  # "BRP Act Art. 2.67 4th paragraph"
    assert cited[ALGORITHM + "72639199"] == {BRP + "/artikel/2.67/lid/4"}  # "Wet BRP art. 2.67 lid 4"
    assert view["total"] >= 15
    page = httpx.get(f"{api}/id/law/bwb/BWBR0033715", params={"lang": "en"}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Basic Registration of Persons Act" in page.text
    assert "cites" in page.text and "Article 2.67(4) of the Basic Registration of Persons Act" in page.text
    listing = httpx.get(f"{api}/laws", params={"lang": "nl"}, headers={"Accept": "text/html"}).text
    assert "Wet basisregistratie personen" in listing
    assert ">https://w3id.org/algokg/id/law/" not in listing  # no law shown as a bare IRI


def test_a_law_known_by_name_is_linked_named_and_shown_as_such(api: str) -> None:
    # Record 27677810 cites the Ministeriële regeling LAA, whose BWB id no citable source gives (14b).
    laa = "https://w3id.org/algokg/id/law/name/ministeriele-regeling-landelijke-aanpak-adreskwaliteit"
    view = httpx.get(f"{api}/api/law", params={"id": laa, "lang": "nl"}).json()
    assert view["byName"] is True and view.get("bwbId") is None
    assert view["label"] == "Ministeriële regeling landelijke aanpak adreskwaliteit"
    assert ALGORITHM + "27677810" in {algorithm["@id"] for algorithm in view["algorithms"]}
    assert httpx.get(f"{api}/api/law", params={"id": BRP}).json()["byName"] is False
    page = httpx.get(
        f"{api}/id/law/name/ministeriele-regeling-landelijke-aanpak-adreskwaliteit",
        params={"lang": "en"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 200 and "known by name only" in page.text
    charter = httpx.get(
        f"{api}/id/law/name/handvest-van-de-grondrechten-van-de-europese-unie",
        params={"lang": "en"},
        headers={"Accept": "text/html"},
    )
    assert "Charter of Fundamental Rights of the European Union" in charter.text
    assert "http://data.europa.eu/eli/treaty/char_2012/oj" in charter.text  # its ELI as the official text
