"""One real `algokg serve` (uvicorn on loopback) for the web tests, and a page of the shared chromium.

The browser fixture lives in tests/conftest.py. Screenshots go to `tests/artifacts/web/` (gitignored), kept after the run.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from loader.store import build_store
from tests.conftest import REPO
from tests.server.conftest import Server, start_server

ARTIFACTS = REPO / "tests" / "artifacts" / "web"


@pytest.fixture(scope="package")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server on a store of the model and the example dataset, shared by every test of this package."""
    store_dir = tmp_path_factory.mktemp("web-store") / "store"
    build_store(store_dir)
    with start_server(store_dir, log_dir=store_dir.parent) as server:
        yield server


@pytest.fixture(scope="module")
def sample_server(register_samples_store: Path) -> Iterator[Server]:
    """A server on the register's samples (tests/conftest.py), one per module; skipped without ../shared."""
    with start_server(register_samples_store) as server:
        yield server


@pytest.fixture
def page(browser: Browser, web_server: Server) -> Iterator[Page]:
    """A fresh page; every request it makes is recorded, and one leaving the test server fails the test."""
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith((web_server.base, "data:", "blob:", "about:")) else None
        ),
    )
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()
    assert not outside, f"the page asked for something outside the app (no CDNs, no network): {outside}"


def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact; its path is printed (pytest -s / -rA shows it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
