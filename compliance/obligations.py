"""The AI Act obligations an algorithm owes, each with the articles it rests on and the one date it applies from.

Nothing here knows a date or a rule of the AI Act: the SPARQL files in ``queries/compliance/`` read the algorithm's
AI Act position (:mod:`compliance.position`: its newest classification wins over what is declared), its facts
(Annex III point, Art 6(3) claim, profiling, interaction with people) and the model's obligations and dated
applicabilities (``ontology/law/aiact-*.ttl``); :func:`compliance.dates.derive` turns each obligation's dates and the
system's facts into the one governing date. For every obligation all its dates are kept, superseded ones included,
so the original date and the one set by an amending act (Regulation (EU) 2026/1744) are shown side by side with
their sources.

An obligation whose finer categories (Annex III points, Art 50 cases, Art 5(1) practices) the graph cannot check
because the algorithm records none of that kind — the decision tree does not ask which point or practice — is
returned as conditional (:attr:`Obligation.depends_on`): it applies if the system falls under one of them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pyoxigraph import Literal, NamedNode, Store

from compliance.dates import Alternative, DatedApplicability, Derived, Divergence, SystemFacts, derive
from compliance.position import Position, position_of
from compliance.sparql import Row, Select, compliance_query, store_select
from loader.errors import AlgokgError
from loader.mapping import terms as t

__all__ = [
    "AlgorithmFacts",
    "Article",
    "DatedApplicability",
    "Obligation",
    "ObligationError",
    "algorithm_facts",
    "compliance_query",
    "obligations_for",
]

AKG = t.AKG


class ObligationError(AlgokgError):
    """The algorithm is not in the store, or a date in the model cannot be read."""


@dataclass(frozen=True)
class Article:
    """A legal provision an obligation rests on: the model's node, its label and its ELI subdivision."""

    iri: str
    label: str | None
    eli: str | None

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "eli": self.eli}


@dataclass(frozen=True)
class Obligation:
    """An obligation one role owes for one algorithm, with the organisations holding that role.

    :param levels: the categories of the algorithm's position the obligation matched (after the Art 6(3) rule).
    :param derived: its one date for this system (:func:`compliance.dates.derive`), with the dates behind it.
    :param depends_on: schemes of finer categories (Annex III points, Art 50 cases, Art 5(1) practices) the
        obligation is limited to and the algorithm records none of: it applies if the system is in one of them.
    :param part_of: the umbrella obligation it is part of; ``own_date_reason`` why the law dates it apart.
    """

    iri: str
    label: str | None
    definition: str | None
    role: str
    role_holders: tuple[str, ...]
    levels: tuple[str, ...]
    articles: tuple[Article, ...]
    derived: Derived
    verification_note: str | None = None
    public_authorities_only: bool = False
    depends_on: tuple[str, ...] = ()
    part_of: str | None = None
    own_date_reason: str | None = None

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    @property
    def applies_from(self) -> date | None:
        return self.derived.applies_from

    @property
    def dates(self) -> tuple[DatedApplicability, ...]:
        return self.derived.dates

    @property
    def alternatives(self) -> tuple[Alternative, ...]:
        return self.derived.alternatives

    @property
    def divergences(self) -> tuple[Divergence, ...]:
        return self.derived.divergences

    @property
    def transitional_from(self) -> date | None:
        """When the begin date is unknown: the first transitional date that would govern instead."""
        return next((a.applies_from for a in self.alternatives if a.applies_from is not None), None)

    @property
    def transitional_cut_off(self) -> date | None:
        return next((a.cut_off for a in self.alternatives if a.applies_from is not None), None)

    def applies_on(self, day: date) -> bool:
        """Whether the governing date is on or before ``day`` (never for a duty that waits for a significant change)."""
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
            "depends_on": list(self.depends_on),
            "part_of": self.part_of,
            "own_date_reason": self.own_date_reason,
            "articles": [article.to_json() for article in self.articles],
            "applies_from": _iso(self.applies_from),
            "only_after_significant_change": self.derived.significant_change,
            "not_before": _iso(self.derived.not_before),
            "transitional_from": _iso(self.transitional_from),
            "transitional_cut_off": _iso(self.transitional_cut_off),
            "alternatives": [item.to_json() for item in self.alternatives],
            "divergent_readings": [item.to_json() for item in self.divergences],
            "dates": [item.to_json() for item in self.dates],
            "verification_note": self.verification_note,
        }


@dataclass(frozen=True)
class AlgorithmFacts:
    """The algorithm's AI Act facts as the graph states them (property local name -> values) and its position."""

    iri: str
    facts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    position: Position | None = None

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
        """Art 6(3), last subparagraph: an Annex III system that profiles natural persons is always high-risk
        (judged on what is declared, when no classification counts)."""
        if self.position is not None and self.position.classified is not None:
            return False
        claimed = bool(self.values("art6_3Condition")) or any(
            level.endswith("/not-high-risk-art-6-3") for level in self.values("riskLevel")
        )
        return claimed and "true" in self.values("profilesNaturalPersons")


Source = Store | Select


def _selector(source: Source) -> Select:
    return store_select(source) if isinstance(source, Store) else source


def algorithm_facts(source: Source, algorithm: NamedNode | str) -> AlgorithmFacts:
    """The algorithm's AI Act facts and its position.

    :raises ObligationError: the store holds no ``akg:Algorithm`` with this IRI.
    """
    select = _selector(source)
    node = _node(algorithm)
    rows = select(compliance_query("algorithm-aiact-facts"), {"algorithm": node})
    if not rows:
        raise ObligationError(f"no algorithm {node.value} in the store", field="algorithm")
    facts: dict[str, list[str]] = {}
    for row in rows:
        if row.get("property") is None:
            continue
        name = row["property"].value.removeprefix(AKG).removeprefix(t.DCT)
        facts.setdefault(name, []).append(row["value"].value)
    return AlgorithmFacts(
        node.value, {name: tuple(values) for name, values in facts.items()}, position_of(select, node.value)
    )


def obligations_for(
    source: Source,
    algorithm: NamedNode | str,
    on: date | None = None,
    *,
    language: str = "en",
    facts: AlgorithmFacts | None = None,
    model: dict[Any, tuple[Any, ...]] | None = None,
) -> list[Obligation]:
    """The AI Act obligations the role holders of the algorithm's position owe, ordered by obligation and role.

    :param source: a pyoxigraph store or a :data:`compliance.sparql.Select`.
    :param on: keep only the obligations whose governing date is on or before this day.
    :param language: language of the labels (``en`` or ``nl``).
    :param model: what the model says of each obligation (label, articles, dates), filled as it is read; pass the
        same dict for many algorithms (a report) to read it once.
    :raises ObligationError: the algorithm is unknown, or a date in the model is not ``YYYY-MM-DD``.
    """
    select = _selector(source)
    facts = facts or algorithm_facts(select, algorithm)
    node = NamedNode(facts.iri)
    position = facts.position or Position(facts.iri)
    levels = [row["level"] for row in select(compliance_query("aiact-levels"), {"algorithm": node}) if "level" in row]
    grouped: dict[tuple[str, str], tuple[list[str], list[str], list[str]]] = {}
    query = compliance_query("obligations")
    for level in levels:
        for role in position.roles:
            bindings = {
                "algorithm": node,
                "level": level,
                "role": NamedNode(role.role),
                "roleHolder": NamedNode(role.holder),
            }
            for row in select(query, bindings):
                holders, matched, depends = grouped.setdefault((row["obligation"].value, role.role), ([], [], []))
                for value, into in (
                    (role.holder, holders),
                    (level.value, matched),
                    (_text(row.get("dependsOn")), depends),
                ):
                    if value is not None and value not in into:
                        into.append(value)
    cache = model if model is not None else {}
    found = [
        _obligation(
            select, cache, obligation, role, tuple(holders), tuple(levels), tuple(depends), facts, position, language
        )
        for (obligation, role), (holders, levels, depends) in sorted(grouped.items())
    ]
    return [item for item in found if on is None or item.applies_on(on)]


def _obligation(
    select: Select,
    cache: dict[Any, tuple[Any, ...]],
    iri: str,
    role: str,
    holders: tuple[str, ...],
    levels: tuple[str, ...],
    depends_on: tuple[str, ...],
    facts: AlgorithmFacts,
    position: Position,
    language: str,
) -> Obligation:
    if (iri, language) not in cache:
        node, lang = NamedNode(iri), Literal(language)
        about = next(iter(select(compliance_query("obligation"), {"obligation": node, "lang": lang})), {})
        articles = tuple(
            Article(row["article"].value, _text(row.get("label")), _text(row.get("eli")))
            for row in select(compliance_query("obligation-articles"), {"obligation": node, "lang": lang})
        )
        rows = tuple(
            _dated(row) for row in select(compliance_query("obligation-dates"), {"obligation": node, "lang": lang})
        )
        cache[iri, language] = (about, articles, rows)
    about, articles, rows = cache[iri, language]
    system = SystemFacts(frozenset(levels), facts.begin, position.intended_for_public_authorities, _in_use_on(position))
    return Obligation(
        iri=iri,
        label=_text(about.get("label")),
        definition=_text(about.get("definition")),
        role=role,
        role_holders=holders,
        levels=levels,
        articles=articles,
        derived=derive(rows, system),
        verification_note=_text(about.get("note")),
        public_authorities_only=_text(about.get("onlyForPublicAuthorities")) == "true",
        depends_on=depends_on,
        part_of=_text(about.get("partOf")),
        own_date_reason=_text(about.get("ownDateReason")),
    )


def _in_use_on(position: Position) -> date | None:
    """The day a classification answered that the system was already in use (question 1.3, "in gebruik")."""
    classified = position.classified
    if classified is None or "in gebruik" not in classified.labels:
        return None
    try:
        return date.fromisoformat(classified.classified_at[:10])
    except ValueError:
        return None


def _dated(row: Row) -> DatedApplicability:
    """One row of obligation-dates.rq, as the model states it (judged for a system by :func:`derive`)."""
    return DatedApplicability(
        iri=row["applicability"].value,
        applies_from=_date(row.get("appliesFrom")) or date.min,
        label=_text(row.get("label")),
        stated_in=_text(row.get("statedIn")),
        stated_in_label=_text(row.get("statedInLabel")),
        sources=_words(row.get("sources")),
        supersedes=_text(row.get("supersedes")),
        superseded_by=_words(row.get("supersededBy")),
        limited_to=_words(row.get("limits")),
        only_for_systems_placed_before=_date(row.get("cutOff")),
        verification_note=_text(row.get("note")),
        for_public=_flag(row.get("forPublic")),
        significant_change=_flag(row.get("significantChange")) is True,
        diverges_from=_text(row.get("divergesFrom")),
        not_followed_because=_text(row.get("notFollowedBecause")),
    )


def _node(algorithm: NamedNode | str) -> NamedNode:
    if isinstance(algorithm, NamedNode):
        return algorithm
    return NamedNode(algorithm) if ":" in algorithm else t.algorithm_iri(algorithm)


def _words(term: Any) -> tuple[str, ...]:
    """The IRIs of a GROUP_CONCAT column, sorted."""
    return tuple(sorted(filter(None, (_text(term) or "").split(" "))))


def _text(term: Any) -> str | None:
    return None if term is None else term.value


def _flag(term: Any) -> bool | None:
    return None if term is None else term.value in ("true", "1")


def _date(term: Any) -> date | None:
    if term is None:
        return None
    try:
        return date.fromisoformat(term.value)
    except ValueError:
        raise ObligationError(f"not a date (YYYY-MM-DD) in the model: {term.value!r}") from None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def by_key(found: Iterable[Obligation]) -> Mapping[tuple[str, str], Obligation]:
    """Obligations by (slug, role name)."""
    return {(item.slug, item.role.rsplit("/", 1)[-1]): item for item in found}
