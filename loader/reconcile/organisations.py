"""Reconcile the register's organisation names to TOOI IRIs: exact, normalised, translated, then fuzzy.

Translation looks an English name up in the register's own fixed translations first, then in the
project's cited table of the English names bodies use for themselves (``english_names.csv``); generic
forms such as "Municipality of X" need no table, their type words are normalised away. Nothing is
machine-translated and nothing is guessed silently: a name that only resembles a known organisation
below the threshold stays unmatched, and its best candidates are returned so a person can decide.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from loader.reconcile.tooi import TOOI_ID, OrganisationEntry

Method = Literal["exact", "normalised", "translation", "fuzzy"]

# Words that only say what kind of body it is, mapped to the TOOI type they imply.
_TYPE_WORDS = (
    ("municipality of", "gemeente"),
    ("gemeente", "gemeente"),
    ("city council", "gemeente"),
    ("province of", "provincie"),
    ("provincie", "provincie"),
    ("hoogheemraadschap van", "waterschap"),
    ("hoogheemraadschap", "waterschap"),
    ("waterschap", "waterschap"),
    ("water board", "waterschap"),
    ("ministerie van", "ministerie"),
    ("ministry of", "ministerie"),
)
# Other spellings of the same place, after normalisation (official name <-> common name).
_PLACE_ALIASES = {"s gravenhage": "den haag", "the hague": "den haag", "den bosch": "s hertogenbosch"}
_LEADING_ARTICLES = ("de ", "the ", "het ")


@dataclass(frozen=True)
class Candidate:
    """A known organisation a name may refer to, with a similarity score in [0, 1]."""

    name: str
    iri: str
    score: float


@dataclass(frozen=True)
class OrganisationMatch:
    """The outcome for one name: an IRI and how it was found, or ``None`` with the best candidates."""

    name: str
    iri: str | None
    method: Method | None
    confidence: float
    candidates: tuple[Candidate, ...] = ()


def _tooi_type(iri: str) -> str:
    return iri.removeprefix(TOOI_ID).split("/", 1)[0]


def normalise(name: str) -> tuple[str | None, str]:
    """Split a name into the organisation type its wording implies (or ``None``) and a normalised core.

    >>> normalise("Municipality of The Hague")
    ('gemeente', 'den haag')
    >>> normalise("Gemeente 's-Gravenhage")
    ('gemeente', 'den haag')
    >>> normalise("Súdwest-Fryslân (gemeente)")
    ('gemeente', 'sudwest fryslan')
    >>> normalise("CIZ Centrum Indicatiestelling Zorg")
    (None, 'centrum indicatiestelling zorg')
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    kind = None
    for parenthesised in re.findall(r"\(([^)]*)\)", text):
        kind = kind or dict(_TYPE_WORDS).get(parenthesised.strip())
    text = re.sub(r"\([^)]*\)", " ", text)
    words = re.sub(r"[^\w]+", " ", text).split()
    if len(words) > 2 and words[0] == "".join(word[0] for word in words[1:]):
        words = words[1:]  # "CIZ Centrum Indicatiestelling Zorg": the acronym repeats the name
    text = " ".join(words)
    for word, implied in _TYPE_WORDS:
        if text.startswith(word + " ") or text.endswith(" " + word):
            kind = kind or implied
            text = text.removeprefix(word + " ").removesuffix(" " + word).strip()
            break
    if text in _PLACE_ALIASES:
        return kind, _PLACE_ALIASES[text]
    for article in _LEADING_ARTICLES:
        if text.startswith(article) and len(text) > len(article):
            text = text[len(article) :]
            break
    return kind, _PLACE_ALIASES.get(text, text)


class OrganisationMatcher:
    """Matches names against known TOOI organisations.

    :param entries: known names with their IRIs (value lists, national bodies).
    :param translations: English name -> Dutch name (the register's fixed translations).
    :param english_names: English name -> Dutch name from the project's cited table, consulted after
        ``translations``; looked up both as written and in normalised form ("(CvdM)" and case ignored).
    :param threshold: the lowest fuzzy score accepted as a match.
    :param max_candidates: how many candidates to keep for an unmatched or fuzzy name.
    """

    def __init__(
        self,
        entries: Iterable[OrganisationEntry],
        *,
        translations: Mapping[str, str] | None = None,
        english_names: Mapping[str, str] | None = None,
        threshold: float = 0.9,
        max_candidates: int = 3,
    ) -> None:
        self._entries = tuple(entries)
        self._threshold = threshold
        self._max_candidates = max_candidates
        self._exact: dict[str, set[str]] = {}
        self._normalised: dict[str, set[str]] = {}
        self._label: dict[str, str] = {}
        for entry in self._entries:
            self._exact.setdefault(entry.name, set()).add(entry.iri)
            _, core = normalise(entry.name)
            self._normalised.setdefault(core, set()).add(entry.iri)
            self._label.setdefault(entry.iri, entry.name)
        self._translations = {english.casefold(): dutch for english, dutch in (translations or {}).items()}
        self._english_names: dict[tuple[str | None, str], set[str]] = {}
        for english, dutch in (english_names or {}).items():
            self._english_names.setdefault(normalise(english), set()).add(dutch)

    def match(self, name: str) -> OrganisationMatch:
        """Match one name; see the module docstring for the order of the methods."""
        cleaned = " ".join(name.split())
        found = self._unique(self._exact.get(cleaned, set()), None)
        if found:
            return OrganisationMatch(cleaned, found, "exact", 1.0)
        found = self._by_normalised(cleaned)
        if found:
            return OrganisationMatch(cleaned, found, "normalised", 1.0)
        dutch_names = self._dutch_names(cleaned)
        for dutch in dutch_names:
            found = self._unique(self._exact.get(dutch, set()), None) or self._by_normalised(dutch)
            if found:
                return OrganisationMatch(cleaned, found, "translation", 1.0)
        return self._fuzzy(cleaned, dutch_names[0] if dutch_names else None)

    def _dutch_names(self, name: str) -> list[str]:
        """The Dutch names an English name stands for: the register's translation, then the cited table."""
        found = [self._translations.get(name.casefold())]
        table = self._english_names.get(normalise(name), set())
        found.append(next(iter(table)) if len(table) == 1 else None)
        return [dutch for dutch in dict.fromkeys(found) if dutch]

    def _unique(self, iris: set[str], kind: str | None) -> str | None:
        chosen = {iri for iri in iris if kind is None or _tooi_type(iri) == kind}
        return next(iter(chosen)) if len(chosen) == 1 else None

    def _by_normalised(self, name: str) -> str | None:
        kind, core = normalise(name)
        return self._unique(self._normalised.get(core, set()), kind)

    def _fuzzy(self, name: str, dutch: str | None) -> OrganisationMatch:
        kind, core = normalise(dutch or name)
        best: dict[str, float] = {}
        floor = 0.0  # the current k-th best score: a name that cannot beat it is not compared in full
        for known, iris in self._normalised.items():
            eligible = [iri for iri in iris if kind is None or _tooi_type(iri) == kind]
            if not eligible:
                continue
            matcher = SequenceMatcher(None, core, known)
            # Cheap upper bounds first: on a full TOOI list most names are skipped here.
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            score = matcher.ratio()
            raised = False
            for iri in eligible:
                if score > best.get(iri, 0.0):
                    best[iri] = score
                    raised = True
            if raised and len(best) >= self._max_candidates:
                floor = sorted(best.values(), reverse=True)[self._max_candidates - 1]
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[: self._max_candidates]
        candidates = tuple(Candidate(self._label[iri], iri, round(score, 3)) for iri, score in ranked)
        if candidates and candidates[0].score >= self._threshold:
            runner_up = candidates[1].score if len(candidates) > 1 else 0.0
            if runner_up < candidates[0].score:
                return OrganisationMatch(name, candidates[0].iri, "fuzzy", candidates[0].score, candidates)
        return OrganisationMatch(name, None, None, candidates[0].score if candidates else 0.0, candidates)
