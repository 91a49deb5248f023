"""Citations such as "Artikel 5 lid 1 onder a en b AVG" or "Bijlage III, onderdeel 2 en 5" -> the model's article nodes.

The Algoritmekader cites law as Markdown links: the link says which act (EUR-Lex CELEX/OJ, wetten.overheid.nl
BWB id), the link text says which article, paragraph or point. :func:`units` reads the text;
:class:`Resolver` turns act + units into IRIs of ``ontology/law/*.ttl`` (docs/identifiers.md), walking up
to the nearest node the model has (point -> paragraph -> article -> act) and saying so.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat, parse

from loader.mapping import terms as t
from loader.mapping.laws import eu_act_for_oj
from loader.reconcile.law_links import parse_law_link
from ontology import law_files

_HEAD = re.compile(r"^\s*(artikel(?:en)?|art\.?|bijlage|overweging(?:en)?|afdeling|hoofdstuk)\s+(.*)$", re.IGNORECASE)
_TOKEN = re.compile(
    r"\s*(?:(?P<paren>\((?P<inner>[^)]*)\))|(?P<lid>lid\s+(?P<lid_n>\d+))|(?P<point>(?:onder|sub)\s+(?P<pnt>[a-z]{1,2})\b)"
    r"|(?P<part>onderdeel\s+)|(?P<range>[-\u2013])|(?P<sep>en\b|,|jo\.?)|(?P<letter>[a-z]\b)"
    r"|(?P<num>\d+(?:[:.]\d+)*[a-z]?\b|[IVX]+\b))",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"^[IVX]+$")


@dataclass(frozen=True)
class Unit:
    """One cited subdivision: ``kind`` article, annex, recital or division, with paragraph and point if given."""

    kind: str
    number: str
    paragraph: str | None = None
    point: str | None = None


@dataclass(frozen=True)
class Resolution:
    """Where one citation points in the model.

    :param status: ``exact`` (the cited node exists), ``broader`` (a parent subdivision stands in),
        ``act`` (only the act is in the model), ``unresolved`` (nothing to link: a recital, an act the
        model lacks, a text without an article).
    """

    label: str
    url: str | None
    status: str
    targets: tuple[str, ...]
    note: str = ""


def units(label: str) -> list[Unit]:
    """The subdivisions a citation text names (empty when it names none).

    >>> units("Artikel 5 lid 1 onder a en b")
    [Unit(kind='article', number='5', paragraph='1', point='a'), Unit(kind='article', number='5', paragraph='1', point='b')]
    >>> [u.number for u in units("Artikel 15 - 21 AVG")]
    ['15', '16', '17', '18', '19', '20', '21']
    """
    head = _HEAD.match(label)
    if not head:
        return []
    word = head.group(1).lower()
    kind = (
        "annex"
        if word.startswith("bijlage")
        else "recital"
        if word.startswith("overweging")
        else "division"
        if word.startswith(("afdeling", "hoofdstuk"))
        else "article"
    )
    found: list[Unit] = []
    pending_range = False
    position, rest = 0, head.group(2)
    while (match := _TOKEN.match(rest, position)) and match.end() > position:
        position = match.end()
        if match.group("num"):
            number = match.group("num")
            if kind != "annex" and _ROMAN.match(number):
                break
            if pending_range and found and found[-1].number.isdigit() and number.isdigit():
                start = int(found[-1].number)
                found.extend(Unit(kind, str(n)) for n in range(start + 1, int(number) + 1))
            elif kind == "annex" and found and not _ROMAN.match(number):
                found = _with(found, point=number)
            else:
                found.append(Unit(kind, number))
            pending_range = False
        elif match.group("range"):
            pending_range = True
        elif match.group("lid") and found:
            found = _with(found, paragraph=match.group("lid_n"))
        elif match.group("point") and found:
            found = _with(found, point=match.group("pnt").lower())
        elif match.group("paren") and found:
            found = _paren(found, match.group("inner"))
        elif match.group("letter") and found and found[-1].point is not None:
            found = _with(found, point=match.group("letter").lower())
        elif match.group("sep") or match.group("part"):
            continue
        else:
            break
    return _dedupe(found)


def _with(found: list[Unit], *, paragraph: str | None = None, point: str | None = None) -> list[Unit]:
    """Give the last cited unit a paragraph or point; a second one after "en" becomes a sibling unit."""
    last = found[-1]
    if paragraph is not None:
        if last.paragraph is None:
            return [*found[:-1], Unit(last.kind, last.number, paragraph, last.point)]
        return [*found, Unit(last.kind, last.number, paragraph)]
    if last.point is None:
        return [*found[:-1], Unit(last.kind, last.number, last.paragraph, point)]
    return [*found, Unit(last.kind, last.number, last.paragraph, point)]


def _paren(found: list[Unit], content: str) -> list[Unit]:
    """``(1)``, ``(c)``, ``(1 sub d)``, ``(1c)``, ``(6 en 8)``, ``(2 sub e en 3)`` after an article or annex."""
    for piece in re.split(r"\s*(?:en|,)\s*", content.strip()):
        match = re.fullmatch(r"(\d+)?\s*(?:sub\s*)?([a-z]{1,2})?", piece.strip(), re.IGNORECASE)
        if not match or not any(match.groups()):
            continue
        number, letter = match.groups()
        if number:
            found = _with(found, paragraph=number) if found[-1].kind == "article" else _with(found, point=number)
        if letter:
            found = _with(found, point=letter.lower())
    return found


def _dedupe(found: list[Unit]) -> list[Unit]:
    return list(dict.fromkeys(found))


def model_subjects(paths: list[Path] | None = None) -> frozenset[str]:
    """Every IRI the reference law of the model describes."""
    subjects = set()
    for path in paths if paths is not None else law_files():
        with path.open("rb") as handle:
            subjects.update(
                triple.subject.value
                for triple in parse(handle, format=RdfFormat.TURTLE)
                if hasattr(triple.subject, "value")
            )
    return frozenset(subjects)


class Resolver:
    """Resolves (link text, URL) pairs against the IRIs the model knows."""

    def __init__(self, known: frozenset[str] | None = None) -> None:
        self.known = known if known is not None else model_subjects()

    def resolve(self, label: str, url: str | None) -> Resolution | None:
        """None when the link is not to law at all (a guide, a web page)."""
        if not url:
            return None
        reference = parse_law_link(url)
        act = None
        if reference.kind == "bwb" and reference.bwb_id:
            act = t.bwb_law_iri(reference.bwb_id).value
        elif reference.eli:
            act = reference.eli
        elif reference.oj:
            act = eu_act_for_oj(reference.oj)
            if act is None:
                return Resolution(
                    label, url, "unresolved", (), f"Official Journal {reference.oj} is no act in the model"
                )
        else:
            return None
        cited = units(label)
        if not cited and reference.kind == "bwb" and reference.article:
            cited = [Unit("article", reference.article)]
        if act not in self.known:
            return Resolution(label, url, "unresolved", (), f"the act {act} is not in the model")
        if not cited:
            return Resolution(label, url, "act", (act,), "the citation names no article")
        statuses, targets, notes = [], [], []
        for unit in cited:
            status, target, note = self._unit(act, reference.kind == "bwb", unit)
            statuses.append(status)
            if target:
                targets.append(target)
            if note:
                notes.append(note)
        order = ["unresolved", "act", "broader", "exact"]
        worst = min(statuses, key=order.index)
        if worst == "unresolved" and targets:
            worst = "broader"
        return Resolution(label, url, worst, tuple(dict.fromkeys(targets)), "; ".join(dict.fromkeys(notes)))

    def _unit(self, act: str, dutch: bool, unit: Unit) -> tuple[str, str | None, str]:
        if unit.kind == "recital":
            return "unresolved", None, "the model has no recitals"
        if unit.kind == "division":
            return "unresolved", None, "the model has no divisions (afdelingen, hoofdstukken)"
        if dutch:
            candidates = [t.bwb_article_iri(act.rsplit("/", 1)[1], unit.number).value]
            precise = unit.paragraph is None and unit.point is None
        else:
            head = f"anx_{unit.number}" if unit.kind == "annex" else f"art_{unit.number}"
            parts = [head]
            if unit.paragraph:
                parts.append(f"par_{unit.paragraph}")
            if unit.point:
                parts.append(f"pnt_{unit.point}")
            candidates = [t.eu_subdivision_iri(act, "/".join(parts[:n])).value for n in range(len(parts), 0, -1)]
            precise = True
        for index, candidate in enumerate(candidates):
            if candidate in self.known:
                exact = index == 0 and precise
                return ("exact" if exact else "broader"), candidate, "" if exact else f"{_name(unit)} -> {candidate}"
        return "act", act, f"{_name(unit)} is not in the model; linked to the act"


def _name(unit: Unit) -> str:
    text = f"{unit.kind} {unit.number}"
    if unit.paragraph:
        text += f"({unit.paragraph})"
    if unit.point:
        text += f"({unit.point})"
    return text
