"""The AI Act obligations an algorithm owes, each with the articles it rests on and the dates it applies from.

Nothing here knows a date or a rule of the AI Act: the SPARQL files in ``queries/compliance/`` read the
algorithm's facts (role holders, risk level, Annex III point, Art 6(3) claim, profiling, interaction with people)
and the model's obligations and dated applicabilities (``ontology/law/aiact-*.ttl``); this module only puts the
rows together. For every obligation all its dates are kept, superseded ones included, so the original date
and the one set by an amending act (Regulation (EU) 2026/1744) are shown side by side with their sources.

Which date governs (:attr:`Obligation.applies_from`): the earliest date in force (not superseded) that is not
limited to other categories; a transitional date (``akg:onlyForSystemsPlacedBefore``, Art 111) replaces it
when the algorithm was taken into use before the cut-off, is dropped when it was taken into use on or after
it, and is reported beside it when the begin date is unknown.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from pyoxigraph import Literal, NamedNode, Store, Variable

from loader.errors import AlgokgError
from loader.mapping import terms as t
from queries import QUERY_DIR

__all__ = [
    "AlgorithmFacts",
    "Article",
    "DatedApplicability",
    "Obligation",
    "ObligationError",
    "algorithm_facts",
    "obligations_for",
]

AKG = t.AKG
DCT_TITLE = f"{t.DCT}title"


class ObligationError(AlgokgError):
    """The algorithm is not in the store, or a date in the model cannot be read."""


@cache
def compliance_query(name: str) -> str:
    """The text of ``queries/compliance/{name}.rq`` (read once)."""
    return (QUERY_DIR / "compliance" / f"{name}.rq").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Article:
    """A legal provision an obligation rests on: the model's node, its label and its ELI subdivision."""

    iri: str
    label: str | None
    eli: str | None

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "eli": self.eli}


@dataclass(frozen=True)
class DatedApplicability:
    """One dated statement of when an obligation applies, as the model holds it, judged for one algorithm.

    :param in_force: no other applicability supersedes it.
    :param relevant: it is not limited to categories the algorithm lacks, and not a transitional date whose
        cut-off the algorithm's begin date is on or after.
    :param transitional: ``True`` when the algorithm was taken into use before the cut-off, ``False`` when on
        or after it, ``None`` when there is no cut-off or the begin date is unknown.
    """

    iri: str
    applies_from: date
    label: str | None
    stated_in: str | None
    stated_in_label: str | None
    sources: tuple[str, ...]
    supersedes: str | None
    superseded_by: tuple[str, ...]
    limited_to: tuple[str, ...]
    only_for_systems_placed_before: date | None
    verification_note: str | None
    relevant: bool
    transitional: bool | None

    @property
    def in_force(self) -> bool:
        return not self.superseded_by

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "applies_from": self.applies_from.isoformat(),
            "label": self.label,
            "stated_in": self.stated_in,
            "stated_in_label": self.stated_in_label,
            "sources": list(self.sources),
            "supersedes": self.supersedes,
            "superseded_by": list(self.superseded_by),
            "in_force": self.in_force,
            "limited_to": list(self.limited_to),
            "only_for_systems_placed_before": _iso(self.only_for_systems_placed_before),
            "transitional": self.transitional,
            "verification_note": self.verification_note,
        }


@dataclass(frozen=True)
class Obligation:
    """An obligation one role owes for one algorithm, with the organisations holding that role.

    :param levels: the algorithm's risk levels the obligation matched (after the Art 6(3) profiling rule).
    :param dates: every applicability of the obligation that concerns the algorithm, superseded ones
        included, oldest first.
    :param applies_from: the date that governs for this algorithm (see the module docstring).
    :param transitional_from: when the begin date is unknown, the transitional date that governs instead if
        the system was placed on the market before ``transitional_cut_off``.
    """

    iri: str
    label: str | None
    definition: str | None
    role: str
    role_holders: tuple[str, ...]
    levels: tuple[str, ...]
    articles: tuple[Article, ...]
    dates: tuple[DatedApplicability, ...]
    applies_from: date | None
    transitional_from: date | None = None
    transitional_cut_off: date | None = None
    verification_note: str | None = None
    public_authorities_only: bool = False

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    def applies_on(self, day: date) -> bool:
        """Whether the governing date is on or before ``day``."""
        return self.applies_from is not None and self.applies_from <= day

    def to_json(self) -> dict[str, Any]:
        return {
            "obligation": self.iri,
            "label": self.label,
            "definition": self.definition,
            "role": self.role,
            "role_holders": list(self.role_holders),
            "levels": list(self.levels),
            "public_authorities_only": self.public_authorities_only,
            "articles": [article.to_json() for article in self.articles],
            "applies_from": _iso(self.applies_from),
            "transitional_from": _iso(self.transitional_from),
            "transitional_cut_off": _iso(self.transitional_cut_off),
            "dates": [item.to_json() for item in self.dates],
            "verification_note": self.verification_note,
        }


@dataclass(frozen=True)
class AlgorithmFacts:
    """The algorithm's AI Act facts as the graph states them (property local name -> values)."""

    iri: str
    facts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def values(self, name: str) -> tuple[str, ...]:
        return self.facts.get(name, ())

    @property
    def title(self) -> str | None:
        return next(iter(self.values("title")), None)

    @property
    def begin(self) -> str | None:
        return next(iter(self.values("beginDate")), None)

    @property
    def art6_3_claim_void(self) -> bool:
        """Art 6(3), last subparagraph: an Annex III system that profiles natural persons is always high-risk."""
        claimed = bool(self.values("art6_3Condition")) or any(
            level.endswith("/not-high-risk-art-6-3") for level in self.values("riskLevel")
        )
        return claimed and "true" in self.values("profilesNaturalPersons")


def algorithm_facts(store: Store, algorithm: NamedNode | str) -> AlgorithmFacts:
    """The algorithm's AI Act facts.

    :raises ObligationError: the store holds no ``akg:Algorithm`` with this IRI.
    """
    node = _node(algorithm)
    rows = list(_select(store, "algorithm-aiact-facts", algorithm=node))
    if not rows:
        raise ObligationError(f"no algorithm {node.value} in the store", field="algorithm")
    facts: dict[str, list[str]] = {}
    for row in rows:
        if row["property"] is None:
            continue
        name = row["property"].value.removeprefix(AKG).removeprefix(t.DCT)
        facts.setdefault(name, []).append(row["value"].value)
    return AlgorithmFacts(node.value, {name: tuple(values) for name, values in facts.items()})


def obligations_for(
    store: Store, algorithm: NamedNode | str, on: date | None = None, *, language: str = "en"
) -> list[Obligation]:
    """The AI Act obligations the algorithm's role holders owe, ordered by obligation and role.

    :param on: keep only the obligations whose governing date is on or before this day.
    :param language: language of the labels (``en`` or ``nl``).
    :raises ObligationError: the algorithm is unknown, or a date in the model is not ``YYYY-MM-DD``.
    """
    facts = algorithm_facts(store, algorithm)
    node = NamedNode(facts.iri)
    grouped: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for row in _select(store, "obligations", algorithm=node):
        holders, levels = grouped.setdefault((row["obligation"].value, row["role"].value), ([], []))
        for value, into in ((row["roleHolder"].value, holders), (row["level"].value, levels)):
            if value not in into:
                into.append(value)
    found = [
        _obligation(store, obligation, role, tuple(holders), tuple(levels), facts.begin, language)
        for (obligation, role), (holders, levels) in sorted(grouped.items())
    ]
    return [item for item in found if on is None or item.applies_on(on)]


def _obligation(
    store: Store,
    iri: str,
    role: str,
    holders: tuple[str, ...],
    levels: tuple[str, ...],
    begin: str | None,
    language: str,
) -> Obligation:
    node, lang = NamedNode(iri), Literal(language)
    about = next(iter(_select(store, "obligation", obligation=node, lang=lang)), None)
    articles = tuple(
        Article(row["article"].value, _text(row["label"]), _text(row["eli"]))
        for row in _select(store, "obligation-articles", obligation=node, lang=lang)
    )
    rows = list(_select(store, "obligation-dates", obligation=node, lang=lang))
    # A date limited to categories (Annex I / Annex III) tells the obligation's dates apart; where no limit
    # names one of the algorithm's levels (an Art 6(3) duty dated with the Annex III regime) none excludes.
    limits_apply = any(set(_words(row["limits"])) & set(levels) for row in rows)
    dates = tuple(_dated(row, levels if limits_apply else None, begin) for row in rows)
    governing, transitional, cut_off = _governing(dates)
    return Obligation(
        iri=iri,
        label=_text(about["label"]) if about else None,
        definition=_text(about["definition"]) if about else None,
        role=role,
        role_holders=holders,
        levels=levels,
        articles=articles,
        dates=tuple(item for item in dates if item.relevant),
        applies_from=governing,
        transitional_from=transitional,
        transitional_cut_off=cut_off,
        verification_note=_text(about["note"]) if about else None,
        public_authorities_only=bool(about and _text(about["onlyForPublicAuthorities"]) == "true"),
    )


def _dated(row: Any, levels: tuple[str, ...] | None, begin: str | None) -> DatedApplicability:
    """One row of obligation-dates.rq; ``levels`` None: the date's category limits are not applied."""
    limits = _words(row["limits"])
    cut_off = _date(row["cutOff"])
    # Dates compare as ISO text: a begin month "2024-03" sorts before the cut-off day "2026-08-02".
    transitional = None if cut_off is None or not begin else begin < cut_off.isoformat()
    relevant = (levels is None or not limits or bool(set(limits) & set(levels))) and transitional is not False
    return DatedApplicability(
        iri=row["applicability"].value,
        applies_from=_date(row["appliesFrom"]) or date.min,
        label=_text(row["label"]),
        stated_in=_text(row["statedIn"]),
        stated_in_label=_text(row["statedInLabel"]),
        sources=_words(row["sources"]),
        supersedes=_text(row["supersedes"]),
        superseded_by=_words(row["supersededBy"]),
        limited_to=limits,
        only_for_systems_placed_before=cut_off,
        verification_note=_text(row["note"]),
        relevant=relevant,
        transitional=transitional,
    )


def _governing(dates: Iterable[DatedApplicability]) -> tuple[date | None, date | None, date | None]:
    """(governing date, transitional date when the begin date is unknown, its cut-off)."""
    current = [item for item in dates if item.relevant and item.in_force]
    regular = [item.applies_from for item in current if item.only_for_systems_placed_before is None]
    placed_before = [item for item in current if item.transitional]
    if placed_before:  # taken into use before the cut-off: the transitional regime governs (Art 111)
        return max(item.applies_from for item in placed_before), None, None
    unknown = [item for item in current if item.only_for_systems_placed_before and item.transitional is None]
    governing = min(regular) if regular else None
    if unknown:
        first = min(unknown, key=lambda item: item.applies_from)
        if governing is None:
            return first.applies_from, None, None
        return governing, first.applies_from, first.only_for_systems_placed_before
    return governing, None, None


def _select(store: Store, name: str, **bindings: Any) -> Iterable[Any]:
    substitutions = {Variable(name): term for name, term in bindings.items()}
    return store.query(compliance_query(name), substitutions=substitutions, use_default_graph_as_union=True)


def _node(algorithm: NamedNode | str) -> NamedNode:
    if isinstance(algorithm, NamedNode):
        return algorithm
    return NamedNode(algorithm) if ":" in algorithm else t.algorithm_iri(algorithm)


def _words(term: Any) -> tuple[str, ...]:
    """The IRIs of a GROUP_CONCAT column, sorted."""
    return tuple(sorted(filter(None, (_text(term) or "").split(" "))))


def _text(term: Any) -> str | None:
    return None if term is None else term.value


def _date(term: Any) -> date | None:
    if term is None:
        return None
    try:
        return date.fromisoformat(term.value)
    except ValueError:
        raise ObligationError(f"not a date (YYYY-MM-DD) in the model: {term.value!r}") from None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def render_text(facts: AlgorithmFacts, obligations: list[Obligation], on: date | None = None) -> str:
    """What ``algokg obligations`` prints: per obligation the role holders, governing date, articles and dates."""
    lines = [f"{facts.iri}  {facts.title or ''}".rstrip()]
    if facts.art6_3_claim_void:
        lines.append(
            "  the Art 6(3) claim does not hold: the system profiles natural persons (Art 6(3), last subparagraph)"
        )
    if on is not None:
        lines.append(f"  obligations applying on {on.isoformat()}")
    if not obligations:
        lines.append("  no AI Act obligations found (check its risk level, Annex III point and role assignments)")
    for item in obligations:
        role = item.role.rsplit("/", 1)[-1]
        lines.append(f"{item.slug}  {item.label or ''}")
        lines.append(f"  owed by the {role}: {', '.join(item.role_holders)}")
        when = f"  applies from {_iso(item.applies_from) or 'unknown'}"
        if item.transitional_from:
            when += (
                f" (from {item.transitional_from.isoformat()} if placed on the market or put into service"
                f" before {_iso(item.transitional_cut_off)})"
            )
        lines.append(when)
        lines.append(f"  rests on: {'; '.join(article.label or article.iri for article in item.articles)}")
        for dated in item.dates:
            state = "in force" if dated.in_force else "superseded"
            stated = dated.stated_in_label or dated.stated_in or "no source"
            extra = (
                f", only for systems placed before {_iso(dated.only_for_systems_placed_before)}"
                if (dated.only_for_systems_placed_before)
                else ""
            )
            check = "  [to be verified]" if dated.verification_note else ""
            lines.append(f"    {dated.applies_from.isoformat()}  {stated} ({state}{extra}){check}")
    return "\n".join(lines)
