"""The pinned upstream files as the default source (from a local HTTP server standing in for the repository, never
the internet), and bad input: located errors with exit code 2, nothing written."""

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from loader.cli import cli
from loader.importers.ai_watch_import import FILES as AI_WATCH_FILES
from loader.importers.ai_watch_import import import_ai_watch
from loader.importers.us_import import COTS, USE_CASES, import_us_inventory
from loader.store import build_store, open_store
from tests.registers.conftest import ai_watch_dir, us_files


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served on loopback, laid out as the upstream repositories' raw files."""
    root = tmp_path / "mirror"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _place(root: Path, source: Path, path: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def test_the_pinned_files_are_the_default(mirror: tuple[Path, str], tmp_path: Path) -> None:
    root, base = mirror
    use_cases, cots = us_files()
    _place(root, use_cases, USE_CASES[0])
    _place(root, cots, COTS[0])
    for local, (path, _) in AI_WATCH_FILES.items():
        _place(root, ai_watch_dir() / local, path)
    store_dir, cache = tmp_path / "store", tmp_path / "cache"
    build_store(store_dir, datasets=())
    done = import_us_inventory(store_dir, base_url=base, cache_dir=cache)
    assert len(done.loaded) == 2 and [report.records for report in done.reports] == [3611, 900]
    watched = import_ai_watch(store_dir, base_url=base, cache_dir=cache)
    assert sum(report.records for report in watched.reports if "services" in report.name) == 143 + 3 + 5
    sources = open_store(store_dir).query(
        "SELECT ?source WHERE { ?g <http://purl.org/dc/terms/source> ?source }", use_default_graph_as_union=True
    )
    assert {row["source"].value for row in sources} >= {f"{base}/{USE_CASES[0]}", f"{base}/data/services.json"}
    shutil.rmtree(root)  # offline now: the cached copies stand in, and the same bytes change nothing
    assert import_us_inventory(store_dir, base_url=base, cache_dir=cache).loaded == []


def test_a_file_that_is_not_the_pinned_one_is_refused(mirror: tuple[Path, str], tmp_path: Path) -> None:
    root, base = mirror
    (root / "Data").mkdir()
    (root / USE_CASES[0]).write_text("agency,id\nX,1\n", encoding="utf-8")
    store_dir = tmp_path / "store"
    build_store(store_dir, datasets=())
    before = (store_dir / "current").resolve()
    done = CliRunner().invoke(
        cli,
        ["import-us-inventory", "--store", str(store_dir), "--base-url", base],
        env={"ALGOKG_CACHE": str(tmp_path / "c")},
    )
    assert done.exit_code == 2 and "sha256" in done.output, done.output
    assert (store_dir / "current").resolve() == before


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "cases.csv",
            "agency,agency_name,id,use_case_name\nX,Y,1,Z\n",
            "cases.csv:1: field 'agency_bureau': missing required column(s)",
        ),
        (
            "cases.csv",
            "agency,agency_name,id,use_case_name,agency_bureau,development_stage,is_high_impact\nX,Y,1\n",
            "cases.csv:2",
        ),
        (
            "cases.csv",
            "agency,agency_name,id,use_case_name,agency_bureau,development_stage,is_high_impact\nX,Y,1,Z,B,Pilot,\xe9\n",
            "not UTF-8",
        ),
    ],
)
def test_a_bad_use_case_file_is_a_located_error(tmp_path: Path, name: str, text: str, expected: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(text.encode("latin-1"))
    store_dir = tmp_path / "store"
    build_store(store_dir, datasets=())
    before = (store_dir / "current").resolve()
    done = CliRunner().invoke(cli, ["import-us-inventory", "--store", str(store_dir), str(bad)])
    assert done.exit_code == 2 and expected in done.output, done.output
    assert (store_dir / "current").resolve() == before


def test_a_bad_services_file_is_a_located_error(tmp_path: Path) -> None:
    folder = tmp_path / "ai-watch"
    shutil.copytree(ai_watch_dir(), folder)
    (folder / "services.json").write_text('[{"id": 1, "cid": 10009, "name": "x"},\n' + "[" * 100 + "]" * 100 + "]")
    store_dir = tmp_path / "store"
    build_store(store_dir, datasets=())
    done = CliRunner().invoke(cli, ["import-ai-watch", "--store", str(store_dir), str(folder)])
    assert done.exit_code == 2 and "services.json:2: invalid JSON at column" in done.output, done.output
