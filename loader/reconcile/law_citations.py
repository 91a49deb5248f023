"""The citation grammar: which laws, articles and local regulations a Dutch or English legal-basis text cites.

A text is read into tokens: law names (the gazetteer's, and EU acts by number), local regulations,
names that look like a law but are unknown, and article groups (:mod:`loader.reconcile.law_articles`).
Each article group attaches to the law right before it (``UAVG art. 29``, ``Wetboek van Strafvordering:
artikelen 80, 167``) or right after it (``art. 35 UAVG``, ``artikel 13b van de Opiumwet``, ``Section 3 of the
Passport Act``); when both are close, the run of citations decides: one that starts with an article cites
articles first (``Art. 6(1)(e) AVG, Art. 2(2) Kingdom Act``), one that ends with an article cites laws first
(``Besluit BRP art.35 UAVG art. 29``). An article never attaches across another law's name, known or not,
nor across a ``;`` or the end of a sentence. An abbreviation in brackets after a name is that name's
(``Gemeentewet (GW)`` is the Gemeentewet, whatever else GW may mean) and means it in the rest of the text.
A name that may mean several laws resolves only when the record cites one of them elsewhere; otherwise it
is no match, and a note says why.
"""

import re
from dataclasses import dataclass, field
from typing import Literal

from loader.reconcile.law_articles import ArticleGroup, ArticleRef, article_groups
from loader.reconcile.law_gazetteer import Gazetteer
from loader.reconcile.law_text import eu_acts, is_separator, normalise, unknown_names
from loader.reconcile.local_regulations import LocalMention, local_mentions

TokenKind = Literal["law", "unknown", "local", "articles"]
_PARENTHESIS = re.compile(r"\s?\(\s*([^()\s][^()]{0,14}?)\s*\)")
_ALIAS = re.compile(r"[A-Za-z][\w-]{1,9}(?:\s\d{4})?")
_LEFT_TIGHT = re.compile(
    r"^\s*[:,]?\s*(?:\(\s*(?:including|inclusief|incl\.|o\.a\.|onder andere|met name|namely|in particular|zie)?\s*)?$",
    re.I,
)
_RIGHT_TIGHT = re.compile(r"^\s*,?\s*(?:(?:van|of|in|uit|from|under)\s+(?:de|het|the|dat|die)?\s*)?\(?\s*$", re.I)
_LAW_WORD_AFTER = re.compile(r"\s+(?:Act|Decree|Regulations?|Code)")
_LAW_WORD_BEFORE = re.compile(r"(?:Wet|Besluit|Regeling|Reglement|Uitvoeringsregeling|Uitvoeringsbesluit)\s+")
_BETWEEN_ARTICLES = re.compile(r"^\s*,?\s*(?:en|and|&)?\s*$", re.I)


@dataclass
class Token:
    start: int
    end: int
    kind: TokenKind
    text: str
    laws: frozenset[str] = frozenset()
    ambiguous: bool = False
    group: ArticleGroup | None = None
    local: LocalMention | None = None


@dataclass(frozen=True)
class Citation:
    """A law cited in a text, at its whole (``refs`` empty) or at articles (and their paragraphs and points)."""

    law_id: str
    text: str
    refs: tuple[ArticleRef, ...] = ()
    chapters: tuple[str, ...] = ()


@dataclass
class Reading:
    """What a text cites, and why anything that looked like a citation was not linked."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    local: list[LocalMention] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unattached: list[ArticleGroup] = field(default_factory=list)  # article groups of no law (a title may decide)
    ambiguous: bool = False  # a name may mean several laws and nothing in this text decides

    @property
    def laws(self) -> list[str]:
        return list(dict.fromkeys(citation.law_id for citation in self.citations))


def read_citations(text: str, gazetteer: Gazetteer, *, context: frozenset[str] = frozenset()) -> Reading:
    """Read ``text``; ``context`` holds the laws the record cites unambiguously elsewhere (links, other fields).

    >>> from loader.reference import default_gazetteer
    >>> [(c.law_id, [r.article for r in c.refs]) for c in read_citations("Besluit BRP art.35 UAVG art. 29",
    ...     default_gazetteer()).citations]
    [('BWBR0034306', ['35']), ('BWBR0040940', ['29'])]
    """
    text = normalise(text)
    reading = Reading(text)
    tokens = _law_tokens(text, gazetteer)
    _bracketed_abbreviations(text, tokens, reading)
    _resolve_ambiguous(tokens, context | _plain_laws(tokens), reading)
    tokens += [Token(g.start, g.end, "articles", text[g.start : g.end], group=g) for g in article_groups(text)]
    tokens = _without_overlaps(tokens)
    reading.local = [token.local for token in tokens if token.local is not None]
    attached = _attach(text, tokens)
    for index, token in enumerate(tokens):
        if token.kind == "law" and token.laws and not token.ambiguous:
            reading.citations.append(Citation(next(iter(token.laws)), token.text))
        if token.kind != "articles" or token.group is None:
            continue
        owner = attached.get(index)
        if owner is None:
            reading.unattached.append(token.group)
        elif owner.kind == "unknown":
            reading.notes.append(f"{token.text!r} cites {owner.text!r}, which is not in algokg's law gazetteer")
        elif owner.kind == "law" and owner.laws and not owner.ambiguous:
            reading.citations.append(_with_articles(owner, token.group, gazetteer, text))
    return reading


def _law_tokens(text: str, gazetteer: Gazetteer) -> list[Token]:
    tokens = [
        Token(m.start, m.end, "law", m.text, m.laws, m.ambiguous) for m in gazetteer.scan(text)
    ]  # fmt: skip
    for act in eu_acts(text):
        if not any(t.start <= act.start and act.end <= t.end for t in tokens):
            tokens = [t for t in tokens if not (act.start <= t.start and t.end <= act.end)]
            tokens.append(Token(act.start, act.end, "law", act.text, frozenset({act.celex})))
    tokens = _other_instruments(text, tokens)
    taken = [(t.start, t.end) for t in tokens]
    for mention in local_mentions(text):
        if not any(start < mention.end and mention.start < end for start, end in taken):
            tokens.append(Token(mention.start, mention.end, "local", mention.text, local=mention))
    taken = [(t.start, t.end) for t in tokens]
    tokens += [Token(s.start, s.end, "unknown", s.text) for s in unknown_names(text, taken)]
    return sorted(tokens, key=lambda t: t.start)


def _other_instruments(text: str, tokens: list[Token]) -> list[Token]:
    """``SUWI Regulation``, ``Regeling SUWI``: a law's name inside another instrument's is not that law."""
    for span in unknown_names(text, []):
        inside = [
            t
            for t in tokens
            if span.start <= t.start and t.end <= span.end and (t.start, t.end) != (span.start, span.end)
        ]
        for token in inside:
            after, before = text[token.end : span.end], text[span.start : token.start]
            if (
                before.endswith("(") and before[:-1].strip() and after.startswith(")") and token.laws
            ):  # "… Organisation (SUWI) Act"
                tokens = [t for t in tokens if t is not token]
                tokens.append(Token(span.start, span.end, "law", span.text, token.laws, token.ambiguous))
                break
            if (token.end < span.end and _LAW_WORD_AFTER.fullmatch(after)) or (
                token.start > span.start and _LAW_WORD_BEFORE.fullmatch(before)
            ):
                tokens = [t for t in tokens if t is not token]
                tokens.append(Token(span.start, span.end, "unknown", span.text))
    return sorted(tokens, key=lambda t: t.start)


def _bracketed_abbreviations(text: str, tokens: list[Token], reading: Reading) -> None:
    """``Gemeentewet (GW)``, ``Comptabiliteitswet 2016 (CW)``, ``… Act (IOAW)``: the bracket names its law."""
    aliases: dict[str, Token] = {}
    for token in list(tokens):
        if token.kind not in ("law", "unknown"):
            continue
        bracket = _PARENTHESIS.match(text, token.end)
        if bracket is None:
            continue
        inner = next((t for t in tokens if t.start >= bracket.start(1) and t.end <= bracket.end(1)), None)
        if inner is not None and inner.kind == "law":
            if token.kind == "unknown":  # an unlisted long name followed by a listed abbreviation
                token.kind, token.laws, token.ambiguous = "law", inner.laws, inner.ambiguous
                tokens.remove(inner)
            elif token.laws and not token.ambiguous and next(iter(token.laws)) in inner.laws:
                tokens.remove(inner)  # "Gemeentewet (GW)": the Gemeentewet, not the Grondwet
            elif inner.laws and not inner.ambiguous and token.laws and not token.ambiguous:
                reading.notes.append(f"the name {token.text!r} and the abbreviation {inner.text!r} name different laws")
            continue
        if inner is None and _ALIAS.fullmatch(bracket.group(1)) and any(c.isupper() for c in bracket.group(1)):
            aliases[bracket.group(1)] = token
    for alias, owner in aliases.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text):
            if not any(t.start < match.end() and match.start() < t.end for t in tokens):
                tokens.append(
                    Token(match.start(), match.end(), owner.kind, match.group(0), owner.laws, owner.ambiguous)
                )
    tokens.sort(key=lambda t: t.start)


def _plain_laws(tokens: list[Token]) -> frozenset[str]:
    return frozenset(law for t in tokens if t.kind == "law" and not t.ambiguous for law in t.laws)


def _resolve_ambiguous(tokens: list[Token], known: frozenset[str], reading: Reading) -> None:
    for token in tokens:
        if token.kind != "law" or not token.ambiguous:
            continue
        candidates = token.laws & known
        if len(candidates) == 1:
            token.laws, token.ambiguous = candidates, False
        else:
            reading.ambiguous = True
            names = ", ".join(sorted(token.laws))
            reading.notes.append(f"{token.text!r} may name {names}; nothing else in the record decides: not linked")


def _without_overlaps(tokens: list[Token]) -> list[Token]:
    kept: list[Token] = []
    for token in sorted(tokens, key=lambda t: (t.start, -(t.end - t.start))):
        if kept and token.start < kept[-1].end:
            continue
        kept.append(token)
    return kept


def _attach(text: str, tokens: list[Token]) -> dict[int, Token]:
    """Article group index -> the law token it belongs to (see the module docstring for the rules)."""
    chains = _chains(text, tokens)
    owners: dict[int, Token] = {}
    for index, token in enumerate(tokens):
        if token.kind != "articles":
            continue
        left = _neighbour(text, tokens, index, -1)
        right = _neighbour(text, tokens, index, +1)
        if left is not None and right is not None:
            if _prefer_left(text, tokens, chains[index], left, token, right):
                right = None
            else:
                left = None
        owner = left or right
        if owner is not None:
            owners[index] = owner
    return owners


def _prefer_left(
    text: str, tokens: list[Token], chain: tuple[int, int], left: Token, token: Token, right: Token
) -> bool:
    """An article group close to a law on either side: which one it cites."""
    first, last = chain
    if tokens[first].kind == "articles":  # "art. 5 AVG, art. 6 UAVG": articles first throughout
        return False
    if tokens[last].kind == "articles":  # "Besluit BRP art.35 UAVG art. 29": laws first throughout
        return True
    before, after = text[left.end : token.start], text[token.end : right.start]
    if ":" in before:  # "Wetboek van Strafvordering: artikelen 80, 167"
        return True
    if re.search(r"\b(?:van|of)\b", after, re.I):  # "… artikel 5 van de Wet …"
        return False
    return "," in after  # "Participatiewet art. 17, Gemeentewet"; else the usual order: article, then law


def _neighbour(text: str, tokens: list[Token], index: int, step: int) -> Token | None:
    other = index + step
    if not 0 <= other < len(tokens) or tokens[other].kind == "articles":
        return None
    before, after = (tokens[other], tokens[index]) if step < 0 else (tokens[index], tokens[other])
    gap = text[before.end : after.start]
    if is_separator(gap):
        return None
    tight = _LEFT_TIGHT if step < 0 else _RIGHT_TIGHT
    return tokens[other] if tight.match(gap) else None


def _chains(text: str, tokens: list[Token]) -> dict[int, tuple[int, int]]:
    """For each token, the first and last token of the run of closely written citations it belongs to."""
    chains: dict[int, tuple[int, int]] = {}
    start = 0
    for index in range(len(tokens)):
        if index + 1 == len(tokens) or not _linked(text, tokens[index], tokens[index + 1]):
            for member in range(start, index + 1):
                chains[member] = (start, index)
            start = index + 1
    return chains


def _linked(text: str, before: Token, after: Token) -> bool:
    gap = text[before.end : after.start]
    if is_separator(gap):
        return False
    if before.kind == "articles" and after.kind == "articles":
        return bool(_BETWEEN_ARTICLES.match(gap))
    if after.kind == "articles":
        return bool(_LEFT_TIGHT.match(gap))
    if before.kind == "articles":
        return bool(_RIGHT_TIGHT.match(gap))
    return bool(_BETWEEN_ARTICLES.match(gap))


def _with_articles(owner: Token, group: ArticleGroup, gazetteer: Gazetteer, text: str) -> Citation:
    law_id = next(iter(owner.laws))
    span = text[min(owner.start, group.start) : max(owner.end, group.end)]
    if group.chapter:
        return Citation(law_id, span, chapters=tuple(ref.article for ref in group.refs))
    return Citation(law_id, span, refs=normalise_refs(law_id, group.refs, gazetteer))


def normalise_refs(law_id: str, refs: tuple[ArticleRef, ...], gazetteer: Gazetteer) -> tuple[ArticleRef, ...]:
    """Article numbers as the law writes them: the Awb's ``5.20`` is ``5:20``."""
    entry = gazetteer.get(law_id)
    if entry is None or entry.article_style != "colon":
        return refs
    return tuple(
        ArticleRef(re.sub(r"^(\d+)\.(\d+[a-z]?)$", r"\1:\2", ref.article), ref.paragraph, ref.point) for ref in refs
    )
