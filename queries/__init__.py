"""The SPARQL files of algokg as package data: the REST API's queries and the competency questions.

The `.rq` files beside this module are the source of truth; code reads them through these functions so an
installed wheel and a checkout read the same text.
"""

from functools import cache
from importlib.resources import files
from pathlib import Path

__all__ = ["QUERY_DIR", "competency_files", "rest_query"]

QUERY_DIR = Path(str(files(__name__)))


@cache
def rest_query(name: str) -> str:
    """The text of `rest/{name}.rq` (read once)."""
    return (QUERY_DIR / "rest" / f"{name}.rq").read_text(encoding="utf-8")


def competency_files() -> list[Path]:
    """The competency questions, sorted by file name."""
    return sorted((QUERY_DIR / "competency").glob("*.rq"))
