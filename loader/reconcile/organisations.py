"""Reconcile the register's organisation names to TOOI IRIs; an unsure match is no match.

The steps, in order, each taken only when it names exactly one body (of the type the name's words imply):

1. ``exact``: the name as a list gives it;
2. ``normalised``: case, accents, punctuation and type words aside, keeping a parenthesised qualifier
   ("Bergen (L)" is the list's "Gemeente Bergen (L.)", not "Bergen (NH.)"), then without it, then with the
   words run together ("Noardeast Fryslân" = "Noardeast-Fryslân");
3. ``alias``: an abbreviation or other name from the project's cited table ("Ministerie SZW", "Kadaster");
4. ``translation``: an English name the register's own translations, the cited table of English names or,
   within one load, the register's language pairs (the same algorithm in the Dutch and the English export)
   give a Dutch name for; that name then goes through steps 1-3 (``pair`` when a language pair gave it);
5. ``english``: an English rendering made of type words and glossary words ("Municipality of Central
   Groningen", "Cooperation Kempen municipalities"), its Dutch words compared as a whole, run together, or as
   runs of neighbouring words ("Groningen Mining Damage Institute" = "Instituut Mijnbouwschade Groningen");
6. ``fuzzy``: a near spelling, when one known name is clearly closest.

A step that finds several bodies stops the search: the name stays unmatched and the warning names them
("Gemeente Bergen" fits Bergen (L.) and Bergen (NH.)). Where two lists disagree, the newer (higher-ranked)
list wins. Nothing is machine-translated; the tables cite their sources.
"""

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Literal

from loader.reconcile.name_forms import JOINT_KINDS, ParsedName, clean, composes, normalise, parse, to_dutch
from loader.reconcile.tooi import OrganisationEntry, tooi_path_type

__all__ = ["Candidate", "OrganisationMatch", "OrganisationMatcher", "normalise"]

Method = Literal["exact", "normalised", "alias", "translation", "pair", "english", "fuzzy"]
Ranked = dict[str, int]  # IRI -> the highest rank of a list naming it so


@dataclass(frozen=True)
class Candidate:
    """A known organisation a name may refer to, with a similarity score in [0, 1]."""

    name: str
    iri: str
    score: float


@dataclass(frozen=True)
class OrganisationMatch:
    """The outcome for one name: an IRI and how it was found, or ``None`` with the candidates.

    :param kind: the organisation type of the match (from its list), or the one the name's words imply.
    :param ambiguous: the name fits several bodies equally well (the candidates); none was chosen.
    :param dutch_name: the Dutch name an English one stood for, when a translation or language pair gave one.
    """

    name: str
    iri: str | None
    method: Method | None
    confidence: float
    candidates: tuple[Candidate, ...] = ()
    kind: str | None = None
    ambiguous: bool = False
    dutch_name: str | None = None


class _Ambiguous(Exception):
    def __init__(self, iris: list[str]) -> None:
        self.iris = iris


class OrganisationMatcher:
    """Matches names against known TOOI organisations.

    :param entries: known names with their IRIs, types and ranks (value lists, snapshots, national bodies).
    :param translations: English name -> Dutch name (the register's fixed translations).
    :param english_names: English name -> Dutch name from the project's cited table, after ``translations``.
    :param aliases: abbreviation or other name -> (type or ``None``, the listed name it stands for).
    :param threshold: the lowest fuzzy score accepted as a match.
    :param margin: how far the best fuzzy score must lead the next one.
    :param near: the lowest similarity of a candidate named for an unmatched name.
    :param max_candidates: how many candidates to keep for an unmatched name.
    """

    def __init__(
        self,
        entries: Iterable[OrganisationEntry],
        *,
        translations: Mapping[str, str] | None = None,
        english_names: Mapping[str, str] | None = None,
        aliases: Mapping[str, tuple[str | None, str]] | None = None,
        threshold: float = 0.9,
        margin: float = 0.05,
        near: float = 0.6,
        max_candidates: int = 3,
    ) -> None:
        self._threshold, self._margin, self._max_candidates = threshold, margin, max_candidates
        self._near = near
        self._exact: dict[str, Ranked] = {}
        self._keys: dict[str, dict[str, Ranked]] = {"qualified": {}, "core": {}, "compact": {}}
        self._words: dict[str, list[str]] = {}  # core -> its words, for runs of neighbouring words
        self._anagrams: dict[str, list[str]] = {}  # the letters of a core, sorted -> the cores made of them
        self._label: dict[str, str] = {}
        self._qualifiers: dict[str, set[str]] = {}  # IRI -> its names' qualified keys ("bergen l")
        self._kinds: dict[str, set[str]] = {}
        for entry in sorted(entries, key=lambda item: -item.rank):  # the newest list's name labels the body
            parsed = parse(entry.name)
            _add(self._exact.setdefault(clean(entry.name), {}), entry)
            for name, key in (("qualified", parsed.qualified), ("core", parsed.core), ("compact", parsed.compact)):
                _add(self._keys[name].setdefault(key, {}), entry)
            if parsed.core not in self._words:
                self._words[parsed.core] = parsed.core.split()
                self._anagrams.setdefault(_letters(parsed.core), []).append(parsed.core)
            if parsed.qualified != parsed.core:
                self._qualifiers.setdefault(entry.iri, set()).add(parsed.qualified)
            self._label.setdefault(entry.iri, entry.name)
            self._kinds.setdefault(entry.iri, set()).add(entry.organisation_type)
        self._translations = {english.casefold(): dutch for english, dutch in (translations or {}).items()}
        self._english_names: dict[tuple[str | None, str], set[str]] = {}
        for english, dutch in (english_names or {}).items():
            english_parsed = parse(english)
            self._english_names.setdefault((english_parsed.kind, english_parsed.core), set()).add(dutch)
        self._aliases = {fold_alias(alias): value for alias, value in (aliases or {}).items()}
        self._pairs: dict[str, str] = {}

    def with_pairs(self, pairs: Mapping[str, str]) -> "OrganisationMatcher":
        """This matcher, also knowing the register's language pairs of one load (English name -> Dutch name)."""
        paired = copy.copy(self)
        paired._pairs = {english.casefold(): dutch for english, dutch in pairs.items()}
        return paired

    def label(self, iri: str) -> str | None:
        """The name the highest-ranked list gives the body."""
        return self._label.get(iri)

    def kind_of(self, iri: str) -> str:
        """The body's organisation type: the most specific one a list gives ("omgevingsdienst" over "so")."""
        kinds = self._kinds.get(iri) or {tooi_path_type(iri)}
        specific = sorted(kinds - {tooi_path_type(iri)})
        return specific[0] if specific else next(iter(kinds))

    # -- matching ---------------------------------------------------------------------------------

    def match(self, name: str) -> OrganisationMatch:
        """Match one name; see the module docstring for the steps."""
        cleaned = clean(name)
        parsed = parse(cleaned)
        dutch_names = self._dutch_names(cleaned, parsed)
        # An English name no list has still stands for the Dutch name a table or a pair gives (one node).
        dutch_name = dutch_names[0][1] if dutch_names else None
        try:
            found = self._dutch_steps(cleaned, parsed)
            if found:
                return self._matched(cleaned, found[0], found[1], 1.0)
            for method, dutch in dutch_names:
                found = self._dutch_steps(dutch, parse(dutch))
                if found:
                    return self._matched(cleaned, found[0], method, 1.0, dutch_name=dutch)
            found_iri = self._english(parsed)
            if found_iri:
                return self._matched(cleaned, found_iri, "english", 1.0)
        except _Ambiguous as ambiguous:
            candidates = tuple(Candidate(self._label[iri], iri, 1.0) for iri in sorted(ambiguous.iris))
            return OrganisationMatch(
                cleaned, None, None, 1.0, candidates, kind=parsed.kind, ambiguous=True, dutch_name=dutch_name
            )
        return replace(self._fuzzy(cleaned, parsed), dutch_name=dutch_name)

    def _matched(
        self, name: str, iri: str, method: Method, confidence: float, dutch_name: str | None = None
    ) -> OrganisationMatch:
        return OrganisationMatch(name, iri, method, confidence, kind=self.kind_of(iri), dutch_name=dutch_name)

    def _dutch_steps(self, name: str, parsed: ParsedName) -> tuple[str, Method] | None:
        """Steps 1-3 for one name; raises :class:`_Ambiguous` when a step fits several bodies."""
        found = self._choose(self._exact.get(name, {}), None)
        if found:
            return found, "exact"
        for key, value in (("qualified", parsed.qualified), ("core", parsed.core), ("compact", parsed.compact)):
            found = self._choose(self._keys[key].get(value, {}), parsed.kind)
            if found and key != "qualified" and parsed.qualified != parsed.core:
                # "Bergen (NH)" where the list has only "Bergen (L.)": a qualifier the body's names contradict.
                own = self._qualifiers.get(found, set())
                if own and parsed.qualified not in own:
                    raise _Ambiguous([found])
            if found:
                return found, "normalised"
        for alias in (parsed.core, *(fold_alias(acronym) for acronym in parsed.acronyms)):
            kind, listed = self._aliases.get(fold_alias(alias), (None, None))
            if listed and (kind is None or parsed.kind in (None, kind)):
                target = parse(listed)
                found = self._choose(self._exact.get(clean(listed), {}), None) or self._choose(
                    self._keys["core"].get(target.core, {}), target.kind
                )
                if found:
                    return found, "alias"
        return None

    def _dutch_names(self, name: str, parsed: ParsedName) -> list[tuple[Method, str]]:
        """The Dutch names an English one stands for: the register's translation, the cited table, a pair."""
        found: list[tuple[Method, str]] = []
        if dutch := self._translations.get(name.casefold()):
            found.append(("translation", dutch))
        table = self._english_names.get((parsed.kind, parsed.core), set())
        if len(table) == 1:
            found.append(("translation", next(iter(table))))
        if dutch := self._pairs.get(name.casefold()):
            found.append(("pair", dutch))
        return list(dict.fromkeys(found))

    def _english(self, parsed: ParsedName) -> str | None:
        """Step 5: the name's words in Dutch, compared whole, run together, then as runs of neighbours."""
        dutch = to_dutch(parsed.core)
        if dutch == parsed.core and " " not in dutch:
            return None  # nothing to translate and nothing to regroup
        for key in (dutch, dutch.replace(" ", "")):
            for index in ("core", "compact"):
                found = self._choose(self._keys[index].get(key, {}), parsed.kind)
                if found:
                    return found
        words = dutch.split()
        ranked: Ranked = {}
        for core in self._anagrams.get(_letters(dutch), []):  # runs of the same words have the same letters
            known = self._words[core]
            if len(known) <= len(words) and composes(words, known):
                for iri, rank in self._keys["core"][core].items():
                    ranked[iri] = max(rank, ranked.get(iri, rank))
        return self._choose(ranked, parsed.kind)

    def _choose(self, ranked: Ranked, kind: str | None) -> str | None:
        """The one body of ``ranked`` of a type ``kind`` allows, from the highest-ranked lists; several raise."""
        fitting = {iri: rank for iri, rank in ranked.items() if _fits(kind, self._kinds.get(iri, set()), iri)}
        if not fitting:
            return None
        best = max(fitting.values())
        chosen = sorted(iri for iri, rank in fitting.items() if rank == best)
        if len(chosen) > 1:
            raise _Ambiguous(chosen)
        return chosen[0]

    def _fuzzy(self, name: str, parsed: ParsedName) -> OrganisationMatch:
        core, kind = parsed.core, parsed.kind
        matcher = SequenceMatcher(None)
        matcher.set_seq2(core)  # difflib caches what it learns of the second sequence: the name, once
        bounded = []
        for known, ranked in self._keys["core"].items():
            eligible = [iri for iri in ranked if _fits(kind, self._kinds.get(iri, set()), iri)]
            if eligible:
                matcher.set_seq1(known)
                bounded.append((matcher.real_quick_ratio(), known, eligible))
        # Most promising first (real_quick_ratio bounds the score from above): once the bound falls below the
        # k-th best score found, nothing later can enter the candidates.
        bounded.sort(key=lambda item: (-item[0], item[1]))
        best: dict[str, float] = {}
        floor = self._near  # a name less alike than this is no candidate worth naming
        for bound, known, eligible in bounded:
            if bound < floor:
                break
            matcher.set_seq1(known)
            if matcher.quick_ratio() < floor:
                continue
            score = matcher.ratio()
            if score < self._near:
                continue
            for iri in eligible:
                best[iri] = max(score, best.get(iri, 0.0))
            if len(best) >= self._max_candidates:
                floor = max(floor, sorted(best.values(), reverse=True)[self._max_candidates - 1])
        ranked_best = sorted(best.items(), key=lambda item: (-item[1], item[0]))[: self._max_candidates]
        candidates = tuple(Candidate(self._label[iri], iri, round(score, 3)) for iri, score in ranked_best)
        if candidates and candidates[0].score >= self._threshold:
            runner_up = candidates[1].score if len(candidates) > 1 else 0.0
            if candidates[0].score - runner_up >= self._margin:
                top = candidates[0]
                return OrganisationMatch(name, top.iri, "fuzzy", top.score, candidates, kind=self.kind_of(top.iri))
        score = candidates[0].score if candidates else 0.0
        return OrganisationMatch(name, None, None, score, candidates, kind=kind)


def _letters(words: str) -> str:
    return "".join(sorted(words.replace(" ", "")))


def _add(ranked: Ranked, entry: OrganisationEntry) -> None:
    ranked[entry.iri] = max(entry.rank, ranked.get(entry.iri, entry.rank))


def _fits(kind: str | None, kinds: set[str], iri: str) -> bool:
    """Whether a body listed with ``kinds`` can be what a name implying ``kind`` means."""
    if kind is None:
        return True
    listed = kinds or {tooi_path_type(iri)}
    return kind in listed or (kind in JOINT_KINDS and "so" in listed)


def fold_alias(alias: str) -> str:
    """Aliases compare without case, spaces and punctuation ("JenV", "jen v", "J&V" stay apart only by letters)."""
    return "".join(char for char in alias.casefold() if char.isalnum())
