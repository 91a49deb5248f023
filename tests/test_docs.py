"""The generated reference documentation matches the model and shapes it documents."""

import pytest

from docs.generate import REFERENCE, render

# pyLODE opens its stylesheet without closing it; the leak is theirs and harmless here.
pytestmark = pytest.mark.filterwarnings("ignore:Exception ignored in.*pylode:pytest.PytestUnraisableExceptionWarning")


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render()


@pytest.mark.parametrize("name", ["ontology.html", "schemes.md", "shapes.md"])
def test_reference_docs_are_current(pages: dict[str, str], name: str) -> None:
    committed = (REFERENCE / name).read_text(encoding="utf-8")
    assert committed == pages[name], f"docs/reference/{name} is stale: run `make docs`"


def test_ontology_page_documents_the_core_classes(pages: dict[str, str]) -> None:
    for term in ("algorithm", "registration", "statutorybasis", "assessment", "obligation", "applicability"):
        assert f'id="{term}"' in pages["ontology.html"], term
