"""The law gazetteer: every law algokg can name, with its identifier, titles, abbreviations and where each comes from.

Four feeds are merged, the first to name a law's title winning for its label:

1. the official list of Dutch regulations (BWBIdList, ``algokg harvest`` keeps it in the download cache;
   :mod:`loader.reconcile.bwb_list`): official titles, citation titles and abbreviations of every BWB id;
2. the project's bundled table ``data/laws.csv``: the laws government algorithms cite most, with the English
   names the register's English export uses, each row with its source;
3. the model's law data (``ontology/law``: titles, short titles and aliases of the laws it describes);
4. pairs the register itself teaches (a grouped item's title and the law its link identifies;
   :mod:`loader.reconcile.register_pairs`).

A name that belongs to more than one law, or is listed as a context name (``GW`` for the Gemeentewet, while
``Gw`` is also the Grondwet), is ambiguous: the citation grammar resolves it only when the record cites one
of its laws unambiguously elsewhere.

A law the records name but whose identifier no citable source gives has a name-minted id, ``name:{slug}``
(:mod:`loader.reconcile.law_by_name`). It gives way to an identified law: when another feed names a law by
its official title, every name of the minted law resolves to that law's identifier instead.
"""

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from loader.reconcile.cache import ReconcileError
from loader.reconcile.name_index import NameIndex, NameMatch

_BWB_ID = re.compile(r"BWB[RV]\d{7}")
_CELEX = re.compile(r"[1-9]\d{4}[A-Z]\d{4}")
_MINTED = re.compile(r"name:[0-9a-z]+(?:-[0-9a-z]+)*")
_ELI_ACT = re.compile(r"^http://data\.europa\.eu/eli/(reg|dir|dec)/(\d{4})/(\d+)/oj$")
_CELEX_LETTER = {"reg": "R", "dir": "L", "dec": "D"}
_ELI_KIND = {letter: kind for kind, letter in _CELEX_LETTER.items()}
_COLUMNS = (
    "law_id", "title_nl", "title_en", "names", "abbreviations", "english", "context", "article_style", "repealed",
    "source", "snapshot",
)  # fmt: skip


@dataclass(frozen=True)
class LawEntry:
    """One law as a feed knows it.

    :param law_id: a BWB id (``BWBR0005537``) or a CELEX number (``32016R0679``).
    :param names: names matched whatever their case (titles, citation titles, English names).
    :param abbreviations: matched as written or in capitals (``Woo``, ``WOO``), never in lower case.
    :param context: names that resolve to this law only when the record cites it elsewhere too.
    :param article_style: ``colon`` when the law numbers its articles chapter:number (``5.20`` means ``5:20``).
    :param repealed: the date the law stopped applying, when a source says so.
    :param in_model: the model's law data describes it (labels need not be written again).
    :param same_as: an IRI a source gives for the law where algokg has no BWB id or CELEX for it (an ELI).
    """

    law_id: str
    source: str
    title_nl: str | None = None
    title_en: str | None = None
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    article_style: str | None = None
    repealed: str | None = None
    snapshot: str | None = None
    in_model: bool = False
    same_as: str | None = None

    @property
    def is_eu(self) -> bool:
        return _CELEX.fullmatch(self.law_id) is not None

    @property
    def is_minted(self) -> bool:
        return is_minted(self.law_id)


def celex_from_eli(eli: str) -> str | None:
    """``http://data.europa.eu/eli/reg/2016/679/oj`` -> ``32016R0679``.

    >>> celex_from_eli("http://data.europa.eu/eli/dir/1995/46/oj")
    '31995L0046'
    """
    match = _ELI_ACT.match(eli)
    if not match:
        return None
    kind, year, number = match.groups()
    return f"3{year}{_CELEX_LETTER[kind]}{int(number):04d}"


def eli_from_law_id(law_id: str) -> str | None:
    """The ELI of an EU act from its CELEX number; ``None`` for a BWB id.

    >>> eli_from_law_id("32016R0679")
    'http://data.europa.eu/eli/reg/2016/679/oj'
    """
    match = re.fullmatch(r"3(\d{4})([RLD])(\d{4,})", law_id)
    if not match:
        return None
    year, letter, number = match.groups()
    return f"http://data.europa.eu/eli/{_ELI_KIND[letter]}/{year}/{int(number)}/oj"


def is_law_id(value: str) -> bool:
    """A BWB id or CELEX number (what a citable source gives); never a name-minted id."""
    return bool(_BWB_ID.fullmatch(value) or _CELEX.fullmatch(value))


def name_slug(name: str) -> str:
    """A law's name as its minted id and IRI spell it: accents, case and punctuation do not count.

    >>> name_slug("Ministeriële regeling landelijke aanpak adreskwaliteit")
    'ministeriele-regeling-landelijke-aanpak-adreskwaliteit'
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "-", plain.casefold()).strip("-")


def minted_id(title: str) -> str:
    """The id of a law known only by its official name: ``name:{slug}``."""
    return f"name:{name_slug(title)}"


def is_minted(law_id: str) -> bool:
    return _MINTED.fullmatch(law_id) is not None


def read_bundled(path: Path) -> list[LawEntry]:
    """Read the project's ``laws.csv`` (``#`` lines are comments).

    :raises ReconcileError: a row lacks an identifier, a title or a source, or repeats a law (file and line).
    """
    entries: list[LawEntry] = []
    seen: set[str] = set()
    for line, value in read_rows(path, _COLUMNS):
        law_id = value["law_id"]
        if not is_law_id(law_id):
            raise ReconcileError(f"not a BWB id or CELEX number: {law_id!r}", path=path, line=line, field="law_id")
        if not (value["title_nl"] or value["title_en"]) or not value["source"]:
            raise ReconcileError("a row needs a title and a source", path=path, line=line)
        if law_id in seen:
            raise ReconcileError(f"{law_id} is listed twice", path=path, line=line, field="law_id")
        seen.add(law_id)
        entries.append(entry_from_row(law_id, value, path))
    return entries


def read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, stripped values) of each row of a ``;``-separated table with ``#`` comment lines.

    :raises ReconcileError: the header is not ``columns``, or a row has more fields than columns (file and line).
    """
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [(number, line) for number, line in enumerate(handle, 1) if not line.startswith("#")]
    reader = csv.DictReader((line for _, line in lines), delimiter=";")
    if tuple(reader.fieldnames or ()) != columns:
        raise ReconcileError(f"expected the columns {';'.join(columns)}", path=path, line=lines[0][0] if lines else 1)
    for index, row in enumerate(reader, 1):
        line = lines[index][0]
        if None in row:
            raise ReconcileError("more fields than columns: a value holds the delimiter ';'", path=path, line=line)
        yield line, {key: (row.get(key) or "").strip() for key in columns}


def entry_from_row(law_id: str, value: dict[str, str], path: Path) -> LawEntry:
    """A law entry from a table row (a title that is an abbreviation is matched as one)."""
    return LawEntry(
        law_id=law_id,
        source=f"{path.name}: {value['source']}",
        title_nl=value["title_nl"] or None,
        title_en=value["title_en"] or None,
        names=_split(*_unless_abbreviation(value["title_nl"]), value["names"], value["english"]),
        abbreviations=_split(value["abbreviations"], *_if_abbreviation(value["title_nl"])),
        context=_split(value["context"]),
        article_style=value.get("article_style") or None,
        repealed=value.get("repealed") or None,
        snapshot=value["snapshot"] or None,
        same_as=value.get("same_as") or None,
    )


def is_abbreviation(name: str) -> bool:
    """``WEB``, ``Awb``, ``Gw``: a short form matched only as written or in capitals (never ``web``)."""
    return " " not in name.strip() and (sum(char.isupper() for char in name) >= 2 or len(name.strip()) <= 4)


def _unless_abbreviation(name: str) -> tuple[str, ...]:
    return () if is_abbreviation(name) else (name,)


def _if_abbreviation(name: str) -> tuple[str, ...]:
    return (name,) if name and is_abbreviation(name) else ()


def _split(*values: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for value in values for part in value.split("|") if part.strip()))


def bundled_path() -> Path:
    """The project's table of the laws government algorithms cite most."""
    return Path(__file__).resolve().parent / "data" / "laws.csv"


@dataclass
class Gazetteer:
    """Laws by identifier, and an index of their names for the citation grammar."""

    entries: dict[str, LawEntry] = field(default_factory=dict)
    cited_titles: dict[str, str] = field(default_factory=dict)  # law id -> the title the register cites most

    def __post_init__(self) -> None:
        self._index: NameIndex | None = None
        self._identified_names: dict[str, set[str]] | None = None  # name slug -> identified laws (successor)
        self.descriptions: dict[str, object] = {}  # law id -> its triples, made once (loader.mapping.laws)

    @classmethod
    def merged(cls, *feeds: Iterable[LawEntry]) -> "Gazetteer":
        """One gazetteer from feeds in order of precedence (the first title wins; names accumulate)."""
        gazetteer = cls()
        for feed in feeds:
            for entry in feed:
                gazetteer.add(entry)
        return gazetteer

    def add(self, entry: LawEntry) -> None:
        known = self.entries.get(entry.law_id)
        if known is None:
            self.entries[entry.law_id] = entry
        else:
            self.entries[entry.law_id] = replace(
                known,
                source=known.source if entry.source in known.source else f"{known.source}; {entry.source}",
                title_nl=known.title_nl or entry.title_nl,
                title_en=known.title_en or entry.title_en,
                names=_split(*known.names, *entry.names),
                abbreviations=_split(*known.abbreviations, *entry.abbreviations),
                context=_split(*known.context, *entry.context),
                article_style=known.article_style or entry.article_style,
                repealed=known.repealed or entry.repealed,
                snapshot=known.snapshot or entry.snapshot,
                in_model=known.in_model or entry.in_model,
                same_as=known.same_as or entry.same_as,
            )
        self._index = None
        self._identified_names = None
        self.descriptions = {}

    def with_pairs(self, names: dict[str, str], cited_titles: dict[str, str]) -> "Gazetteer":
        """A copy that also knows titles the register pairs with a law (``title -> law id``)."""
        copy = Gazetteer(dict(self.entries), {**cited_titles, **self.cited_titles})
        for title, law_id in names.items():
            copy.add(LawEntry(law_id=law_id, source="register: title paired with a link", names=(title,)))
        return copy

    def __contains__(self, law_id: str) -> bool:
        return law_id in self.entries

    def get(self, law_id: str) -> LawEntry | None:
        return self.entries.get(law_id)

    @property
    def index(self) -> NameIndex:
        if self._index is None:
            index = NameIndex()
            for entry in self.entries.values():
                law_id = self.successor(entry.law_id)
                for name in entry.names:
                    index.add(name, law_id, "name")
                for name in entry.abbreviations:
                    index.add(name, law_id, "abbreviation")
                for name in entry.context:
                    index.add(name, law_id, "context")
            self._index = index
        return self._index

    def successor(self, law_id: str) -> str:
        """The law a name-minted law is: the one identified law another feed names by its official title, if any.

        A minted law gives way so that, once ``algokg harvest`` has fetched the BWB list, new loads link the BWB
        node and not the minted one; identified laws and minted laws no feed identifies are their own.
        """
        entry = self.entries.get(law_id)
        if entry is None or not entry.is_minted:
            return law_id
        if self._identified_names is None:
            names: dict[str, set[str]] = {}
            for known in self.entries.values():
                if not known.is_minted:
                    for name in (*known.names, *known.abbreviations):
                        names.setdefault(name_slug(name), set()).add(known.law_id)
            self._identified_names = names
        titles = {name_slug(title) for title in (entry.title_nl, entry.title_en) if title}
        laws = {law for title in titles for law in self._identified_names.get(title, ())}
        return next(iter(laws)) if len(laws) == 1 else law_id

    def scan(self, text: str) -> Iterator[NameMatch]:
        """Every law name in ``text``, longest first at each position, without overlaps."""
        return self.index.scan(text)

    def lookup(self, name: str) -> frozenset[str]:
        """The laws a whole name (not a text) refers to, unambiguous names only."""
        matches = [match for match in self.index.scan(name) if match.start == 0 and match.end == len(name.strip())]
        return frozenset(matches[0].laws) if matches and not matches[0].ambiguous else frozenset()

    def labels(self, law_id: str) -> tuple[str | None, str | None, str]:
        """(Dutch label, English label, where the name comes from: ``gazetteer``, ``register`` or ``identifier``)."""
        entry = self.entries.get(law_id)
        if entry is not None and (entry.title_nl or entry.title_en):
            return entry.title_nl, entry.title_en, "gazetteer"
        if law_id in self.cited_titles:
            return self.cited_titles[law_id], None, "register"
        return None, None, "identifier"
