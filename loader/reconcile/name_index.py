"""Find law names in text by whole words, longest name first, with the case rules of abbreviations.

A word trie over normalised tokens, so that tens of thousands of names (the BWB list) cost one pass over
the text. Words join with hyphens (``WOZ-beschikking`` is one word, so ``WOZ`` does not match in it).
An abbreviation matches as written or in capitals (``Woo``, ``WOO``), never in lower case (``woo``) or in
another mixed case (``Web`` is not ``WEB``), and one of two letters only as written (``Sr``, not ``SR``); other
names match whatever their case, except that a one-word name that may be an ordinary word needs its capital
(``Constitution``, not ``constitution``; ``wegenverkeerswet`` is fine).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["name", "abbreviation", "context"]
_LAW_SUFFIXES = ("wet", "besluit", "regeling", "reglement", "verordening", "wetboek")
_TOKEN = re.compile(r"\w+(?:[-'\u2019]\w+)*|[^\w\s]")


def tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def _key(token: str) -> str:
    return token.casefold().replace("\u2019", "'")


@dataclass
class _Node:
    children: dict[str, "_Node"] = field(default_factory=dict)
    ends: list[tuple[str, Kind, str]] = field(default_factory=list)  # (law id, kind, name as listed)


@dataclass(frozen=True)
class NameMatch:
    """A law name found in a text.

    :param laws: the laws the name may refer to; more than one, or only context names, make it ambiguous.
    :param ambiguous: the name alone does not decide the law.
    """

    start: int
    end: int
    text: str
    laws: frozenset[str]
    ambiguous: bool


class NameIndex:
    def __init__(self) -> None:
        self._root = _Node()

    def add(self, name: str, law_id: str, kind: Kind) -> None:
        words = [match.group(0) for match in tokens(name)]
        if not words:
            return
        node = self._root
        for word in words:
            node = node.children.setdefault(_key(word), _Node())
        node.ends.append((law_id, kind, name))

    def scan(self, text: str) -> Iterator[NameMatch]:
        found = tokens(text)
        position = 0
        while position < len(found):
            match = self._longest(text, found, position)
            if match is None:
                position += 1
                continue
            span, end_position = match
            yield span
            position = end_position

    def _longest(self, text: str, found: list[re.Match[str]], start: int) -> tuple[NameMatch, int] | None:
        node, best = self._root, None
        for position in range(start, len(found)):
            node = node.children.get(_key(found[position].group(0)))  # type: ignore[assignment]
            if node is None:
                break
            if not node.ends:
                continue
            surface = text[found[start].start() : found[position].end()]
            ends = [(law, kind) for law, kind, name in node.ends if _case_fits(surface, name, kind)]
            if ends:
                best = (ends, found[start].start(), found[position].end(), position + 1)
        if best is None:
            return None
        ends, begin, end, after = best
        laws = frozenset(law for law, _ in ends)
        plain = frozenset(law for law, kind in ends if kind != "context")
        ambiguous = len(laws) > 1 or not plain
        return NameMatch(begin, end, text[begin:end], laws, ambiguous), after


def _case_fits(surface: str, name: str, kind: Kind) -> bool:
    if kind == "name":
        # A one-word name that is an ordinary word too ("Constitution") needs its capital; a Dutch law's
        # compound ("wegenverkeerswet") is no ordinary word and may be written in lower case.
        one_word = " " not in name.strip()
        return not one_word or surface[:1].isupper() or name.casefold().endswith(_LAW_SUFFIXES)
    written, listed = surface.split(), name.split()
    if len(written) != len(listed):
        return False
    if len(listed) == 1:
        return _word_fits(written[0], listed[0])
    # "Wet BRP": the capitals of an abbreviation count, the ordinary words around it do not.
    return all(
        _word_fits(word, form) if sum(char.isupper() for char in form) >= 2 else word.casefold() == form.casefold()
        for word, form in zip(written, listed, strict=True)
    )


def _word_fits(word: str, form: str) -> bool:
    if len(form) <= 2:  # "Sr", "Sv", "Rv": two letters are too often something else in capitals (SV, RV)
        return word == form
    return word == form or (word == word.upper() and word.upper() == form.upper())
