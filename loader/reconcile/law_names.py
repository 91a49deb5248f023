"""Find law citations in free text ("artikel 3:40 Awb", "AVG artikel 6 lid 1 sub e") with a law-name table.

The table comes from the model's law data (``akg:shortTitle``, ``akg:citationAlias``, ``eli:title``
with ``akg:bwbId`` or an ELI subject) plus the project's ``data/law_names.csv`` of Dutch laws the
register cites that the model does not describe.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Namespace, URIRef

from loader.reconcile.cache import ReconcileError

AKG = Namespace("https://w3id.org/algokg/def#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
_ELI_ACT = re.compile(r"^http://data\.europa\.eu/eli/[a-z_]+/\d{4}/\d+/oj$")
_ORDINALS = {"eerste": "1", "tweede": "2", "derde": "3", "vierde": "4", "vijfde": "5", "zesde": "6", "zevende": "7"}
_ARTICLE = re.compile(
    r"\b(?:artikel|art\.?)\s*(?P<article>\d+(?::\d+)?[a-z]{0,2}(?:\.\d+)*)"
    r"(?:(?:\s*,\s*|\s+)(?:lid\s+(?P<lid>\d+)|(?P<lidword>" + "|".join(_ORDINALS) + r")\s+lid))?"
    r"(?:(?:\s*,\s*|\s+)(?:sub|onder)\s+(?P<point>[a-z]|\d+)\b)?",
    re.IGNORECASE,
)
_BEFORE_NAME = re.compile(r"^[\s,]*(?:van\s+(?:de|het)\s+)?$", re.IGNORECASE)
_AFTER_NAME = re.compile(r"^\s*,?\s*$")


@dataclass(frozen=True)
class LawName:
    """One name or abbreviation of a law, with the law's BWB id or ELI and where the pairing comes from."""

    name: str
    source: str
    bwb_id: str | None = None
    eli: str | None = None


@dataclass(frozen=True)
class Citation:
    """A law cited in text, optionally at an article, paragraph (lid) and point (sub/onder)."""

    law_name: str
    text: str
    start: int
    end: int
    bwb_id: str | None = None
    eli: str | None = None
    article: str | None = None
    paragraph: str | None = None
    point: str | None = None


class LawNameTable:
    """Law names (case-insensitive, whole words) mapped to their law."""

    def __init__(self, names: Iterable[LawName]) -> None:
        self._by_name: dict[str, LawName] = {}
        for law in names:
            if law.bwb_id is None and law.eli is None:
                raise ReconcileError(f"law name {law.name!r} has neither a BWB id nor an ELI", path=law.source)
            self._by_name.setdefault(law.name.casefold(), law)
        alternatives = sorted(self._by_name, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(name) for name in alternatives) + r")(?!\w)", re.IGNORECASE
        )

    @classmethod
    def from_rows(cls, rows: Iterable[LawName]) -> "LawNameTable":
        """A table from explicit rows (tests, and data not in the model)."""
        return cls(rows)

    @classmethod
    def from_graph(cls, graph: Graph, *, extra: Iterable[LawName] = ()) -> "LawNameTable":
        """A table from the model's laws: subjects with ``akg:bwbId``, or ELI acts with a short title or alias."""
        rows = list(extra)
        for subject in (
            set(graph.subjects(AKG.shortTitle, None))
            | set(graph.subjects(AKG.citationAlias, None))
            | set(graph.subjects(AKG.bwbId, None))
        ):
            if not isinstance(subject, URIRef):
                continue
            bwb = graph.value(subject, AKG.bwbId)
            eli = str(subject) if _ELI_ACT.match(str(subject)) else None
            if bwb is None and eli is None:
                continue
            for predicate in (AKG.shortTitle, AKG.citationAlias, ELI.title):
                for name in graph.objects(subject, predicate):
                    rows.append(LawName(str(name), str(subject), bwb_id=str(bwb) if bwb else None, eli=eli))
        return cls(rows)

    def lookup(self, name: str) -> LawName | None:
        """The law a name refers to, if the table knows it."""
        return self._by_name.get(" ".join(name.split()).casefold())

    def finditer(self, text: str) -> Iterable[re.Match[str]]:
        """Every non-overlapping law name in ``text``, longest names first at each position."""
        return self._pattern.finditer(text)


def read_law_names(path: Path) -> list[LawName]:
    """Read a ``name;bwb_id;source_url`` table.

    :raises ReconcileError: a row lacks a field or the BWB id is malformed (with file and line).
    """
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        for row in reader:
            name, bwb, source = (row.get(key, "").strip() for key in ("name", "bwb_id", "source_url"))
            if not name or not re.fullmatch(r"BWB[RV]\d{7}", bwb) or not source:
                raise ReconcileError("row needs name, a BWB id and a source_url", path=path, line=reader.line_num)
            rows.append(LawName(name, source, bwb_id=bwb))
    return rows


def law_names_path() -> Path:
    """The project-owned table of Dutch laws cited in the register."""
    return Path(__file__).resolve().parent / "data" / "law_names.csv"


def scan_citations(text: str, table: LawNameTable) -> list[Citation]:
    """Every law the table knows that ``text`` names, with the article reference next to it, if any.

    An article reference before the name ("artikel 3:40 Awb", "artikel 4:81 van de Algemene wet
    bestuursrecht") is preferred; otherwise one right after it ("Participatiewet art. 17").
    """
    names = list(table.finditer(text))
    articles = list(_ARTICLE.finditer(text))
    used: set[int] = set()
    chosen: dict[int, re.Match[str]] = {}
    for index, name in enumerate(names):
        for position, article in enumerate(articles):
            gap = text[article.end() : name.start()]
            if position not in used and article.end() <= name.start() and _BEFORE_NAME.match(gap):
                chosen[index] = article
                used.add(position)
                break
    for index, name in enumerate(names):
        if index in chosen:
            continue
        for position, article in enumerate(articles):
            if position not in used and article.start() >= name.end():
                if _AFTER_NAME.match(text[name.end() : article.start()]):
                    chosen[index] = article
                    used.add(position)
                break
    citations = []
    for index, name in enumerate(names):
        law = table.lookup(name.group(0))
        if law is None:  # cannot happen: the pattern only matches names in the table
            continue
        article = chosen.get(index)
        start = min(name.start(), article.start()) if article else name.start()
        end = max(name.end(), article.end()) if article else name.end()
        paragraph = None
        if article:
            paragraph = article.group("lid") or _ORDINALS.get((article.group("lidword") or "").lower())
        citations.append(
            Citation(
                law_name=name.group(0),
                text=text[start:end],
                start=start,
                end=end,
                bwb_id=law.bwb_id,
                eli=law.eli,
                article=article.group("article") if article else None,
                paragraph=paragraph,
                point=article.group("point") if article else None,
            )
        )
    return citations
