"""Local regulations named in text: ``APV``, ``Algemene Plaatselijke Verordening 2008``, ``Huisvestingsverordening
2023``, ``Verordening op de heffing en invordering van parkeerbelastingen 2024``, ``Hague Housing Ordinance 2023``.

A local regulation is the publishing organisation's own (a municipality's APV, a water board's
verordening): :mod:`loader.mapping.laws` makes it a node of that organisation. EU regulations
(``Verordening (EU) …``, the AVG, the AI-verordening) are national or EU law: the caller drops mentions that
overlap a law name or an EU citation.
"""

import re
from dataclasses import dataclass

_APV = re.compile(r"(?<![\w-])APV(?:\s+(\d{4}))?(?![\w-])")
_APV_FULL = re.compile(r"(?<![\w-])algemene\s+plaatselijke\s+verordening(?:\s+(\d{4}))?(?![\w-])", re.I)
# One word holding "verordening" (Huisvestingsverordening, Verordening, legesverordening), not a plural.
_DUTCH = re.compile(r"(?<![\w-])([A-Za-z]*[Vv]erordening)(?![\w-])")
_DUTCH_TAIL = re.compile(
    r"(?:\s+(?!(?:is|wordt|zijn|worden|die|dat|waarin)(?![\w-]))[\w'\u2019-]+){1,12}?\s+(\d{4})(?![\w/-])"
)
_YEAR = re.compile(r"\s+(\d{4})(?![\w/-])")
_NAME_AFTER = re.compile(r"((?:\s+[A-Z][\w'\u2019-]*){1,4})(?:\s+(\d{4}))?(?![\w-])")
_ENGLISH = re.compile(
    r"(?<![\w-])((?:[A-Z][\w'\u2019-]*\s+(?:(?:and|of|on|for|the)\s+)?){1,6})Ordinance(?:\s+(\d{4}))?(?![\w-])"
)
_EU = re.compile(r"^\s*\((?:EU|EG|EC|EEG|EEC)\)", re.I)


@dataclass(frozen=True)
class LocalMention:
    """A local regulation named in text, with a title to name its node by."""

    start: int
    end: int
    text: str
    title: str


def local_mentions(text: str) -> list[LocalMention]:
    """Local regulations named in ``text``, in order and without overlaps.

    >>> [m.title for m in local_mentions("Gemeentewet, Wegenwet, Wet milieubeheer, APV")]
    ['Algemene plaatselijke verordening']
    """
    found: list[LocalMention] = []
    for match in _APV.finditer(text):
        found.append(_mention(text, match.start(), match.end(), _apv_title(match.group(1))))
    for match in _APV_FULL.finditer(text):
        found.append(_mention(text, match.start(), match.end(), _apv_title(match.group(1))))
    for match in _DUTCH.finditer(text):
        word = match.group(1)
        if _EU.match(text, match.end()) or word.lower() in {"uitvoeringsverordening", "kwikverordening"}:
            continue
        end = match.end()
        if word.lower() == "verordening":
            # A bare "Verordening" needs its title: "op de heffing … 2024" or "Parkeren en Parkeerbelastingen Arnhem 2024".
            tail = _DUTCH_TAIL.match(text, end) or _NAME_AFTER.match(text, end)
            if tail is None:
                continue
            end = tail.end()
        elif year := _YEAR.match(text, end):
            end = year.end()
        title = " ".join(text[match.start() : end].split())
        found.append(_mention(text, match.start(), end, title[0].upper() + title[1:]))
    for match in _ENGLISH.finditer(text):
        found.append(_mention(text, match.start(), match.end(), " ".join(match.group(0).split())))
    return _without_overlaps(found)


def _apv_title(year: str | None) -> str:
    return "Algemene plaatselijke verordening" + (f" {year}" if year else "")


def _mention(text: str, start: int, end: int, title: str) -> LocalMention:
    return LocalMention(start, end, text[start:end], title)


def _without_overlaps(found: list[LocalMention]) -> list[LocalMention]:
    kept: list[LocalMention] = []
    for mention in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def title_key(title: str) -> str:
    """A title as a node is named by: case, spacing, a leading article and ``APV`` do not count.

    >>> title_key("de APV 2008"), title_key("Algemene Plaatselijke Verordening 2008")
    ('algemene-plaatselijke-verordening-2008', 'algemene-plaatselijke-verordening-2008')
    """
    text = re.sub(r"(?<![\w-])apv(?![\w-])", "algemene plaatselijke verordening", title.casefold())
    text = re.sub(r"^(?:de|het|the)\s+", "", " ".join(text.split()))
    return re.sub(r"[^0-9a-z]+", "-", text).strip("-")
