"""Parse the register's legal-basis links into law and article identifiers (BWB, ELI, CELEX, CVDR, LiDO).

Register links are messy: dated wetten.overheid.nl versions, Juriconnect references, EUR-Lex
pages in several forms, local regulations, and a missing or broken scheme (``ttps://``,
``www.``). :func:`parse_law_link` never raises; what it does not recognise is kind ``'other'``.
"""

import re
import urllib.parse
from dataclasses import dataclass
from typing import Literal

__all__ = ["LawReference", "find_links", "parse_law_link", "repair_link_text"]

Kind = Literal["bwb", "eli", "celex", "oj", "cvdr", "lido", "other"]

_BWB = r"BWB[RV]\d{7}"
_DATE = r"\d{4}-\d{2}-\d{2}"
_JCI = re.compile(rf"jci1\.\d+:[a-z]:(?P<bwb>{_BWB})(?P<params>[^\s#]*)", re.IGNORECASE)
_WETTEN = re.compile(rf"wetten\.overheid\.nl/(?P<bwb>{_BWB})(?:/(?P<date>{_DATE}))?[^#]*(?:#(?P<fragment>\S*))?", re.I)
_LIDO = re.compile(rf"linkeddata\.overheid\.nl/terms/bwb/id/(?P<bwb>{_BWB})", re.IGNORECASE)
_CVDR = re.compile(r"lokaleregelgeving\.overheid\.nl/(?P<cvdr>CVDR\d+)", re.IGNORECASE)
_ELI = re.compile(r"/eli/(?P<path>[a-z_]+/\d{4}/\d+)(?:/oj)?", re.IGNORECASE)
_CELEX = re.compile(r"CELEX(?::|%3A)(?P<celex>\d[0-9A-Z()]+(?:-\d{8})?)", re.IGNORECASE)
_OJ = re.compile(r"uri=OJ:(?P<oj>[A-Z]_\d+)", re.IGNORECASE)
_ELI_TYPE_BY_CELEX_LETTER = {"R": "reg", "L": "dir", "D": "dec"}
_LINK = re.compile(r"(?:h?ttps?://|www\.|jci1\.\d+:)[^\s,;]+", re.IGNORECASE)
# A link broken by a space after a hyphen, slash or equals sign, its rest a path (``legal- content/NL/…``).
_SPLIT_LINK = re.compile(r"^((?:h?ttps?://|www\.)\S*?[-/=])\s+(\S*[/=?]\S*)$", re.IGNORECASE)


@dataclass(frozen=True)
class LawReference:
    """What one link identifies.

    :param kind: ``bwb`` (wetten.overheid.nl, Juriconnect), ``eli`` or ``celex`` or ``oj`` (EUR-Lex),
        ``cvdr`` (local regulation), ``lido`` (Linked Data Overheid) or ``other``.
    :param article: the article number as Juriconnect writes it (``3:40``, ``13b``), when the link names one.
    :param version_date: the version the link points at (``YYYY-MM-DD``), when dated.
    :param eli: the act's ELI (``http://data.europa.eu/eli/reg/2016/679/oj``), given or derived from CELEX.
    :param oj: an Official Journal id such as ``L_202401689`` (post-2023 OJ numbering).
    :param original: the link exactly as found.
    """

    kind: Kind
    original: str
    url: str | None = None
    bwb_id: str | None = None
    article: str | None = None
    version_date: str | None = None
    eli: str | None = None
    celex: str | None = None
    oj: str | None = None
    cvdr_id: str | None = None


def repair_link_text(text: str) -> tuple[str, list[str]]:
    """A usable URL for a link as published, and what was repaired (nothing: an empty list).

    Obvious damage only: a space inside the address (``legal- content``), a missing or broken scheme,
    trailing punctuation.

    >>> repair_link_text("https://eur-lex.europa.eu/legal- content/NL/TXT/?uri=CELEX:32016R0679.")
    ('https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:32016R0679', ['removed a space inside the link', 'removed trailing punctuation'])
    """
    repairs: list[str] = []
    link = text.strip()
    joined = _SPLIT_LINK.sub(r"\1\2", link)
    if joined != link:
        repairs.append("removed a space inside the link")
        link = joined
    trimmed = link.rstrip(".,;:)")
    if trimmed != link and not (link.endswith(")") and "(" in trimmed):
        repairs.append("removed trailing punctuation")
        link = trimmed
    fixed = repair_url(link)
    if re.match(r"(?i)^ttps?://", link):
        repairs.append("repaired a broken scheme (ttps://)")
    elif fixed != link:
        repairs.append("added the missing https:// scheme")
    return fixed, repairs


def law_id(reference: "LawReference") -> str | None:
    """The law a link identifies: its BWB id or the CELEX number of its EU act."""
    if reference.bwb_id:
        return reference.bwb_id
    if reference.eli and (
        match := re.fullmatch(r"http://data\.europa\.eu/eli/(reg|dir|dec)/(\d{4})/(\d+)/oj", reference.eli)
    ):
        kind, year, number = match.groups()
        return f"3{year}{ {'reg': 'R', 'dir': 'L', 'dec': 'D'}[kind] }{int(number):04d}"
    return None


def find_links(text: str) -> list[str]:
    """The links in a free-text field such as ``lawful_basis_grouping`` (``1: title, link. 2: ...``).

    >>> find_links("1: Awb, https://wetten.overheid.nl/BWBR0005537. 2: Woo, www.example.nl/woo")
    ['https://wetten.overheid.nl/BWBR0005537', 'www.example.nl/woo']
    """
    return [match.group(0).rstrip(".") for match in _LINK.finditer(text)]


def repair_url(link: str) -> str:
    """Give a link a usable https scheme (``ttps://`` and bare ``www.`` or host names occur in the register).

    >>> repair_url("ttps://wetten.overheid.nl/BWBR0002320/")
    'https://wetten.overheid.nl/BWBR0002320/'
    """
    link = link.strip().rstrip(".")
    if re.match(r"(?i)^ttps?://", link):
        return "h" + link
    if re.match(r"(?i)^https?://", link):
        return link
    if link.lower().startswith("jci"):  # a bare Juriconnect reference resolves on wetten.overheid.nl
        return "https://wetten.overheid.nl/" + link
    return "https://" + link.lstrip("/")


def parse_law_link(link: str) -> LawReference:
    """Parse one link; unknown links come back as kind ``'other'`` with the repaired URL.

    >>> ref = parse_law_link("https://wetten.overheid.nl/BWBR0005537/2024-01-01#Hoofdstuk3_Artikel3:40")
    >>> (ref.kind, ref.bwb_id, ref.version_date, ref.article)
    ('bwb', 'BWBR0005537', '2024-01-01', '3:40')
    """
    original = link
    url = repair_url(link)
    if jci := _JCI.search(url):
        params = urllib.parse.parse_qs(jci.group("params").lstrip("&").replace("&amp;", "&"))
        date = (params.get("g") or params.get("z") or [None])[0]
        article = (params.get("artikel") or [None])[0]
        return LawReference("bwb", original, url, bwb_id=jci.group("bwb").upper(), article=article, version_date=date)
    if wetten := _WETTEN.search(url):
        article = _article_from_fragment(wetten.group("fragment") or "")
        return LawReference(
            "bwb", original, url, bwb_id=wetten.group("bwb").upper(), article=article, version_date=wetten.group("date")
        )
    if lido := _LIDO.search(url):
        return LawReference("lido", original, url, bwb_id=lido.group("bwb").upper())
    if cvdr := _CVDR.search(url):
        return LawReference("cvdr", original, url, cvdr_id=cvdr.group("cvdr").upper())
    if "europa.eu" in url.lower():
        return _parse_eu(original, url)
    return LawReference("other", original, url)


def _article_from_fragment(fragment: str) -> str | None:
    """``Hoofdstuk3_Artikel3:40`` -> ``3:40``; wetten.overheid.nl anchors name the article last."""
    match = re.search(r"Artikel(\d[0-9A-Za-z:.]*)$", fragment)  # an article number starts with a digit
    return match.group(1) if match else None


def _parse_eu(original: str, url: str) -> LawReference:
    if eli := _ELI.search(url):
        return LawReference("eli", original, url, eli=f"http://data.europa.eu/eli/{eli.group('path').lower()}/oj")
    if celex := _CELEX.search(url):
        number = celex.group("celex").upper()
        consolidated = re.search(r"-(\d{4})(\d{2})(\d{2})$", number)
        version = "-".join(consolidated.groups()) if consolidated else None
        return LawReference("celex", original, url, celex=number, eli=eli_from_celex(number), version_date=version)
    if oj := _OJ.search(url):
        return LawReference("oj", original, url, oj=oj.group("oj").upper())
    return LawReference("other", original, url)


def eli_from_celex(celex: str) -> str | None:
    """The ELI of a regulation, directive or decision from its CELEX number (sector 3, or 0 for a consolidation).

    >>> eli_from_celex("32016R0679"), eli_from_celex("02010R0904-20240101")
    ('http://data.europa.eu/eli/reg/2016/679/oj', 'http://data.europa.eu/eli/reg/2010/904/oj')
    """
    # Sector 3 is the act itself; sector 0 a consolidated version of it (``02010R0904-20240101``).
    match = re.fullmatch(r"[03](\d{4})([RLD])(\d{4,})(?:-\d{8})?", celex)
    if not match:
        return None
    year, letter, number = match.groups()
    return f"http://data.europa.eu/eli/{_ELI_TYPE_BY_CELEX_LETTER[letter]}/{year}/{int(number)}/oj"
