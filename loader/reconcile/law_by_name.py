"""Laws the records name unambiguously but whose identifier (BWB id, CELEX) no source algokg can cite gives.

They are listed, each with its source, in the bundled table ``data/laws_by_name.csv``; each gets an id minted
from its normalised official name, ``name:{slug}``, and a node ``https://w3id.org/algokg/id/law/name/{slug}``
typed ``akg:LawByName`` (:mod:`loader.mapping.law_nodes`), so a record citing it is linked and "which
algorithms rely on this law" has an answer. Only the names of this table are matched, never words of a record.

A minted law gives way to an identified one (:meth:`loader.reconcile.law_gazetteer.Gazetteer.successor`):
once another feed (the BWB list of ``algokg harvest``, a row of ``laws.csv``) names a law by the same
official title, its names resolve to that law's identifier and new loads link the BWB node; a source loaded
again replaces its graph, so the minted node leaves the store with the old load.
"""

import re
from pathlib import Path

from loader.reconcile.cache import ReconcileError
from loader.reconcile.law_gazetteer import LawEntry, entry_from_row, minted_id, read_rows

COLUMNS = ("title_nl", "title_en", "names", "abbreviations", "english", "context", "same_as", "source", "snapshot")
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def by_name_path() -> Path:
    """The project's table of laws known by name only."""
    return Path(__file__).resolve().parent / "data" / "laws_by_name.csv"


def read_by_name(path: Path) -> list[LawEntry]:
    """Read ``laws_by_name.csv`` (``#`` lines are comments): one law a row, its id minted from its Dutch title
    (else its English one).

    :raises ReconcileError: a row lacks a title or a source, repeats a law, or gives a ``same_as`` that is no
        http(s) IRI (file, line and field).
    """
    entries: list[LawEntry] = []
    seen: set[str] = set()
    for line, value in read_rows(path, COLUMNS):
        title = value["title_nl"] or value["title_en"]
        if not title or not value["source"]:
            raise ReconcileError("a row needs a title and a source", path=path, line=line)
        law_id = minted_id(title)
        if law_id == "name:":
            raise ReconcileError(
                f"the title {title!r} has no letters or digits", path=path, line=line, field="title_nl"
            )
        if law_id in seen:
            raise ReconcileError(f"{title!r} is listed twice", path=path, line=line, field="title_nl")
        if value["same_as"] and not _IRI.fullmatch(value["same_as"]):
            raise ReconcileError(f"not an http(s) IRI: {value['same_as']!r}", path=path, line=line, field="same_as")
        seen.add(law_id)
        entries.append(entry_from_row(law_id, value, path))
    return entries
