"""Grouped fields (title + link lists) as the CSV export flattens them, read back into items.

The register writes each item as ``", ".join(non-empty values of {title, link})`` numbered
``"{n}: "`` and joins items with ``". "`` (MinBZK/Algoritmeregister ``backend/app/util/stringify.py``),
so ``1: Participatiewet, https://wetten.overheid.nl/BWBR0015703. 2: Gemeentewet, https://…``.
What the samples show and this module copes with:

- titles with commas and dots (``Regeling domeinlijsten …, Domein 1.``): an item ends only at
  ``". {n+1}: "`` with the next number in sequence, and the link is the last comma-part only if
  it looks like a link;
- an empty link is dropped by the register, so an item can be a bare title;
- some items carry the link first (``https://…, Douanewetboek van de Unie``);
- links without (a full) scheme: ``ttps://…``, ``www.…``, ``avgregister.rijksweb.nl/…``;
- trailing and doubled spaces, non-breaking spaces.

A non-link text in the link slot (``DPIA, uitgevoerd``) cannot be told apart from a comma in a
title, so such an item stays one title; nothing is dropped, and every item keeps its text.

>>> [(item.title, item.link) for item in parse_grouped("1: AVG, https://x.nl/a. 2: Woo")]
[('AVG', 'https://x.nl/a'), ('Woo', None)]
"""

import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

_FIRST_ITEM = re.compile(r"\s*1:\s*")
_PART_SEPARATOR = re.compile(r",\s+")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_GOOD_SCHEME = re.compile(r"(?:https?|ftps?)://", re.IGNORECASE)
_BROKEN_SCHEME = re.compile(r"(?:h?t?tps?|hhttps?)(?::/{0,2}|//)", re.IGNORECASE)
_HOST_PATH = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:[/:?#]\S*)?", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


class TitledLink(BaseModel):
    """One item of a grouped field: its title and link as published, the link made usable, and the item's text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    link: str | None = None
    url: str | None = None
    original: str
    problem: str | None = None


def parse_grouped(text: str) -> list[TitledLink]:
    """Read a flattened grouped field (``1: title, link. 2: title, link``) into its items.

    :param text: the cell as exported; an empty cell gives no items
    :returns: the items in order; a cell without ``1:`` is read as one item (with a ``problem``)

    >>> parse_grouped("1: https://wetten.overheid.nl/BWBR0007286, Wet voorkoming misbruik chemicaliën")[0].title
    'Wet voorkoming misbruik chemicaliën'
    >>> parse_grouped("1: Awr, ttps://wetten.overheid.nl/BWBR0002320/")[0].url
    'https://wetten.overheid.nl/BWBR0002320/'
    """
    if not text.strip():
        return []
    start = _FIRST_ITEM.match(text)
    if start is None:
        item = parse_item(text)
        return [item.model_copy(update={"problem": _join(item.problem, "not numbered as '1: …'")})]
    items: list[TitledLink] = []
    position, number = start.end(), 1
    while True:
        separator = re.compile(rf"\.\s+{number + 1}:\s*").search(text, position)
        if separator is None:
            items.append(parse_item(text[position:]))
            return items
        items.append(parse_item(text[position : separator.start()]))
        position, number = separator.end(), number + 1


def parse_item(text: str) -> TitledLink:
    """Read one item (``title, link``, ``link, title``, ``title`` or ``link``) without its number.

    >>> parse_item("Artikel 18 lid 1 WvW 1994 , https://wetten.overheid.nl/BWBR0006622").title
    'Artikel 18 lid 1 WvW 1994'
    """
    original = text.strip()
    separators = list(_PART_SEPARATOR.finditer(original))
    if not separators:
        if looks_like_link(original):
            return _item(title="", link=original, original=original, problem="a link without a title")
        return TitledLink(title=original, original=original)
    last, first = separators[-1], separators[0]
    if looks_like_link(original[last.end() :]):
        return _item(title=original[: last.start()], link=original[last.end() :], original=original)
    if looks_like_link(original[: first.start()]):
        return _item(
            title=original[first.end() :],
            link=original[: first.start()],
            original=original,
            problem="the link comes before the title",
        )
    tail = original[last.end() :]
    if found := _URL_IN_TEXT.search(tail):
        item = _item(title=original[: last.start()], link=tail, original=original)
        return item.model_copy(
            update={"url": repair_link(found[0].rstrip(".,;)"))[0], "problem": "the link slot holds text around a link"}
        )
    return TitledLink(title=original, original=original)


def from_mapping(value: Mapping[str, object]) -> TitledLink:
    """An item given as ``{"title": …, "link": …}`` (the JSON dumps), read like an exported one.

    >>> from_mapping({"title": "Gemeentewet", "link": "wetten.overheid.nl/BWBR0005416"}).url
    'https://wetten.overheid.nl/BWBR0005416'
    """
    title = str(value.get("title") or "").strip()
    link = str(value.get("link") or "").strip() or None
    original = ", ".join(part for part in (title, link) if part)
    if link is None:
        return TitledLink(title=title, original=original)
    return _item(title=title, link=link, original=original)


def looks_like_link(text: str) -> bool:
    """Whether a comma-part is a link: one word with a scheme (possibly mangled), ``www.`` or a host with a path.

    >>> looks_like_link("avgregister.rijksweb.nl/AvgVerantwoordelijke"), looks_like_link("Archiefwet 1995.")
    (True, False)
    """
    candidate = text.strip()
    if not candidate or any(char.isspace() for char in candidate):
        return False
    if _SCHEME.match(candidate) or _BROKEN_SCHEME.match(candidate):
        return True
    return _HOST_PATH.fullmatch(candidate) is not None and not candidate.replace(".", "").isdigit()


def repair_link(link: str) -> tuple[str, str | None]:
    """A usable URL for a published link, and what was repaired (``None`` when nothing was).

    >>> repair_link("www.crow.nl")
    ('https://www.crow.nl', 'no scheme; https:// assumed')
    """
    candidate = link.strip()
    if _GOOD_SCHEME.match(candidate):
        return candidate, None
    if broken := _BROKEN_SCHEME.match(candidate):
        secure = "s" in broken[0].lower().split(":")[0].split("/")[0]
        fixed = ("https://" if secure else "http://") + candidate[broken.end() :].lstrip("/")
        return fixed, f"broken scheme {broken[0]!r} repaired"
    if _SCHEME.match(candidate):
        return candidate, None
    return "https://" + candidate, "no scheme; https:// assumed"


def _item(*, title: str, link: str, original: str, problem: str | None = None) -> TitledLink:
    link = link.strip()
    url, repaired = repair_link(link)
    return TitledLink(title=title.strip(), link=link, url=url, original=original, problem=_join(problem, repaired))


def _join(*problems: str | None) -> str | None:
    return "; ".join(problem for problem in problems if problem) or None
