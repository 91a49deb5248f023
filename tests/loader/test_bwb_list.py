"""The BWB identifier list: read from its published form, downloaded by `algokg harvest` from a real local
HTTP server (a small list in that form, ``data/BWBIdList-sample.xml``), kept in the cache, used by a load.

The sample's regulations are real: Wet forensische zorg BWBR0040634, Ziektewet BWBR0001888 (MinBZK regelrecht
migration report), Wegenwet BWBR0001948 and the repealed Wet maatschappelijke ondersteuning BWBR0020031
(statengeneraal/laws-markdown). Nothing here touches the internet.
"""

import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from pyoxigraph import NamedNode

from loader.harvest import harvest
from loader.mapping import MappingContext, map_record
from loader.reconcile.bwb_list import BWB_LIST_PIN, read_bwb_list
from loader.reconcile.cache import Pin, ReconcileError
from loader.reference import reference_data
from loader.sources import csv_source
from tests.http_stub import serving

SAMPLE = Path(__file__).parent / "data" / "BWBIdList-sample.xml"
BWB = "https://w3id.org/algokg/id/law/bwb/"


def _zipped(xml: bytes, name: str = "BWBIdList.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, xml)
    return buffer.getvalue()


class _Service(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}
    requests: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        self.requests[self.path] += 1
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    _Service.routes = {"/BWBIdService/BWBIdList.xml.zip": _zipped(SAMPLE.read_bytes())}
    with serving(_Service) as stub:
        yield stub.base


def test_the_list_is_read_with_titles_abbreviations_and_expiry(tmp_path: Path) -> None:
    archive = tmp_path / "bwb.zip"
    archive.write_bytes(_zipped(SAMPLE.read_bytes()))
    for path in (SAMPLE, archive):
        entries = {entry.law_id: entry for entry in read_bwb_list(path)}
        assert set(entries) == {"BWBR0040634", "BWBR0001888", "BWBR0001948", "BWBR0020031"}
        assert entries["BWBR0040634"].title_nl == "Wet forensische zorg"
        assert entries["BWBR0040634"].abbreviations == ("Wfz",)
        assert entries["BWBR0020031"].repealed == "2015-01-01"


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<x/>', "document type declaration", 2),
        (b"<x><unclosed></x>", "not well-formed XML", 1),
        (b'<list xmlns="urn:other"><RegelingInfoLijst/></list>', "not a BWB list", None),
    ],
)
def test_a_file_that_is_not_the_list_is_a_located_error(
    tmp_path: Path, body: bytes, message: str, line: int | None
) -> None:
    path = tmp_path / "bwb.xml"
    path.write_bytes(body)
    with pytest.raises(ReconcileError) as raised:
        read_bwb_list(path)
    assert message in raised.value.message and raised.value.path == path and raised.value.line == line


def test_a_zip_must_hold_one_xml_file(tmp_path: Path) -> None:
    path = tmp_path / "bwb.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", b"<x/>")
        archive.writestr("b.xml", b"<x/>")
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ReconcileError, match="exactly one XML file"):
        read_bwb_list(path)


def test_harvest_keeps_the_list_and_a_load_names_and_finds_its_laws(service: str, tmp_path: Path) -> None:
    pin = Pin(BWB_LIST_PIN.name, f"{service}/BWBIdService/BWBIdList.xml.zip")
    cache = tmp_path / "cache"
    url = "/BWBIdService/BWBIdList.xml.zip"
    result = harvest(base_url=f"{service}/register", languages=(), cache_dir=cache, reference_pins=(pin,))
    assert result.reference_lists == [cache / BWB_LIST_PIN.name] and result.problems == []
    # Kept in the cache: the next harvest does not download it again unless asked to.
    before = _Service.requests[url]
    harvest(base_url=f"{service}/register", languages=(), cache_dir=cache, reference_pins=(pin,))
    assert _Service.requests[url] == before
    harvest(base_url=f"{service}/register", languages=(), cache_dir=cache, reference_pins=(pin,), refresh=True)
    assert _Service.requests[url] == before + 1

    reference = reference_data(cache_dir=cache)
    assert reference.law_names.labels("BWBR0040634")[0] == "Wet forensische zorg"
    (record,) = csv_source.read(
        data=(
            b'"name","organization","lawful_basis","standard_version","algorithm_id"\n'
            b'"x","Gemeente X","artikel 1.1 Wfz en de Ziektewet","1.0","12345678"\n'
        ),
        name="export.csv",
        language="NLD",
    )
    context = MappingContext(graph=NamedNode("urn:g"), concepts=reference.concepts, law_names=reference.law_names)
    mapped = map_record(record, context)
    resources = {q.object.value for q in mapped.quads if q.predicate.value.endswith("#legalResource")}
    assert resources == {BWB + "BWBR0040634/artikel/1.1", BWB + "BWBR0001888"}
