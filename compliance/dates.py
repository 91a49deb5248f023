"""From when one AI Act obligation applies to one system: one derivation from the dated data and the system's facts.

The model states dates as data (``ontology/law/aiact-applicability.ttl``): each :class:`DatedApplicability` says
from when, where it is stated and where it was read, which date it supersedes, which categories it is limited to
(Annex I / Annex III) and, for a transitional date (Art 111), the cut-off, whether it concerns systems intended
for public authorities or the others, and whether it applies only after a significant change. :func:`derive` turns
an obligation's dates and a system's facts (:class:`SystemFacts`: its categories, when it was taken into use,
whether it is intended for public authorities) into one :class:`Derived` answer; every command, report and page
uses it, so a duty never gets two dates.

The rule, in order:

1. Dates superseded by a newer one (an amending act) are not in force; dates limited to categories the system lacks
   do not concern it (where no limit names one of its categories, none excludes: an Art 6(3) duty dated with the
   Annex III regime).
2. The regular date is the earliest in force without a cut-off.
3. A transitional date holds when the system was placed on the market or put into service before its cut-off and,
   where it says so, is (or is not) intended for public authorities. One that holds replaces the regular date
   (Art 111(2)-(4)); one that "applies only after a significant change" (Art 111(2), first sentence) leaves no
   date: the duty applies once the design changes significantly, not before the regular date.
4. Where a fact is unknown (no begin date; not known whether intended for public authorities), the regular date
   governs and each transitional date that might hold is given as an :class:`Alternative` with its condition.
5. Another source's reading of a date (``akg:divergesFrom``, e.g. the decision tree's cut-off of 2 December 2027)
   is never used; where it would give this system another answer it is a :class:`Divergence` (shown as a note).

A date counts as verified only when one of its sources is the Official Journal (an ELI ending in ``/oj``) and no
verification note is left: the amended dates read from an unofficial consolidation stay unverified until then.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

__all__ = ["Alternative", "DatedApplicability", "Derived", "Divergence", "SystemFacts", "derive", "placed_before"]

_OFFICIAL_JOURNAL = re.compile(r"^https?://data\.europa\.eu/eli/[^ ]+/oj$")


@dataclass(frozen=True)
class DatedApplicability:
    """One dated statement of when an obligation applies, as the model holds it.

    :param for_public: a transitional date for systems intended for public authorities (True), for the others
        (False), or for both (None).
    :param diverges_from: set on another source's reading of a date (never followed): the date it diverges from.
    :param relevant: it concerns the system (set by :func:`derive`).
    :param transitional: whether the system falls under the cut-off (set by :func:`derive`; None: not known or no
        cut-off).
    """

    iri: str
    applies_from: date
    label: str | None = None
    stated_in: str | None = None
    stated_in_label: str | None = None
    sources: tuple[str, ...] = ()
    supersedes: str | None = None
    superseded_by: tuple[str, ...] = ()
    limited_to: tuple[str, ...] = ()
    only_for_systems_placed_before: date | None = None
    verification_note: str | None = None
    for_public: bool | None = None
    significant_change: bool = False
    diverges_from: str | None = None
    not_followed_because: str | None = None
    relevant: bool = True
    transitional: bool | None = None

    @property
    def in_force(self) -> bool:
        return not self.superseded_by

    @property
    def verified(self) -> bool:
        """A source is the Official Journal and nothing is left to verify."""
        return not self.verification_note and any(_OFFICIAL_JOURNAL.match(source) for source in self.sources)

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
            "for_systems_intended_for_public_authorities": self.for_public,
            "only_after_significant_change": self.significant_change,
            "transitional": self.transitional,
            "verified": self.verified,
            "verification_note": self.verification_note,
        }


@dataclass(frozen=True)
class SystemFacts:
    """What the dates depend on: the system's categories (risk-level IRIs), when it was placed on the market or put
    into service (``YYYY-MM`` or ``YYYY-MM-DD``; None: unknown), a day it was known to be in use already (the
    decision tree's answer "in gebruik", when it was answered) and whether it is intended for public authorities."""

    levels: frozenset[str] = frozenset()
    begin: str | None = None
    public: bool | None = None
    in_use_on: date | None = None

    def placed_before(self, cut_off: date) -> bool | None:
        """Placed on the market or put into service before the cut-off: by the begin date, else by a day it was in
        use before the cut-off; None when neither tells."""
        known = placed_before(self.begin, cut_off)
        if known is None and self.in_use_on is not None and self.in_use_on < cut_off:
            return True
        return known


@dataclass(frozen=True)
class Alternative:
    """A transitional date that holds if an unknown fact turns out so: placed before ``cut_off`` (when the begin
    date is unknown) and intended (or not) for public authorities (when that is unknown)."""

    applies_from: date | None  # None: only after a significant change
    cut_off: date
    for_public: bool | None
    unknown: tuple[str, ...]  # "begin", "public"
    applicability: str

    def to_json(self) -> dict[str, Any]:
        return {
            "applies_from": _iso(self.applies_from),
            "only_after_significant_change": self.applies_from is None,
            "if_placed_before": self.cut_off.isoformat(),
            "if_intended_for_public_authorities": self.for_public,
            "unknown": list(self.unknown),
            "applicability": self.applicability,
        }


@dataclass(frozen=True)
class Divergence:
    """Another source's reading that would give this system another answer; algokg does not follow it."""

    applicability: str
    label: str | None
    sources: tuple[str, ...]
    would_apply_from: date | None
    would_need_significant_change: bool
    not_followed_because: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability,
            "label": self.label,
            "sources": list(self.sources),
            "would_apply_from": _iso(self.would_apply_from),
            "would_need_significant_change": self.would_need_significant_change,
            "not_followed_because": self.not_followed_because,
        }


@dataclass(frozen=True)
class Derived:
    """The one answer for one obligation and one system.

    :param applies_from: the governing date; None when the obligation applies only after a significant change in
        the system's design (``significant_change``) or no date concerns the system.
    :param not_before: with ``significant_change``: the regular date, before which it does not apply either.
    :param dates: the dates that concern the system (superseded ones included, for showing the history).
    """

    applies_from: date | None
    significant_change: bool = False
    not_before: date | None = None
    alternatives: tuple[Alternative, ...] = ()
    dates: tuple[DatedApplicability, ...] = ()
    divergences: tuple[Divergence, ...] = ()

    @property
    def key(self) -> tuple[date | None, bool, tuple[tuple[date | None, date, bool | None], ...]]:
        """What must agree between two duties that are one duty: date, condition and alternatives."""
        return (
            self.applies_from,
            self.significant_change,
            tuple((a.applies_from, a.cut_off, a.for_public) for a in self.alternatives),
        )


def placed_before(begin: str | None, cut_off: date) -> bool | None:
    """Whether a begin date (``YYYY``, ``YYYY-MM`` or a full date) lies before the cut-off; None when unknown or when
    the year or month is the cut-off's own and the cut-off is not its first day (the day decides and is not known)."""
    if not begin:
        return None
    text = begin.strip()
    for pattern, length in ((r"\d{4}", 4), (r"\d{4}-\d{2}", 7)):
        if re.fullmatch(pattern, text):
            period = cut_off.isoformat()[:length]
            if text != period:
                return text < period
            starts_period = cut_off.day == 1 and (length == 7 or cut_off.month == 1)
            return False if starts_period else None
    try:
        return date.fromisoformat(text[:10]) < cut_off
    except ValueError:
        return None


def derive(rows: Sequence[DatedApplicability], facts: SystemFacts) -> Derived:
    """The governing date of one obligation for one system (the rule is in the module docstring)."""
    followed = [row for row in rows if row.diverges_from is None]
    result = _derive(followed, facts)
    divergences = []
    for reading in (row for row in rows if row.diverges_from is not None):
        swapped = [
            replace(reading, diverges_from=None) if row.iri == reading.diverges_from else row for row in followed
        ]
        if not any(row.iri == reading.diverges_from for row in followed):
            continue
        other = _derive(swapped, facts)
        if (other.applies_from, other.significant_change) != (result.applies_from, result.significant_change):
            divergences.append(
                Divergence(
                    reading.iri,
                    reading.label,
                    reading.sources,
                    other.applies_from,
                    other.significant_change,
                    reading.not_followed_because,
                )
            )
    return replace(result, divergences=tuple(divergences))


def _derive(rows: Iterable[DatedApplicability], facts: SystemFacts) -> Derived:
    rows = list(rows)
    limits_apply = any(set(row.limited_to) & facts.levels for row in rows)
    judged = []
    for row in rows:
        concerns = not limits_apply or not row.limited_to or bool(set(row.limited_to) & facts.levels)
        holds = _holds(row, facts) if row.only_for_systems_placed_before else None
        judged.append(replace(row, relevant=concerns and holds is not False, transitional=holds))
    current = [row for row in judged if row.relevant and row.in_force]
    regular = min((row.applies_from for row in current if row.only_for_systems_placed_before is None), default=None)
    transitional = [row for row in current if row.only_for_systems_placed_before is not None]
    holding = [row for row in transitional if row.transitional is True]
    unknown = [row for row in transitional if row.transitional is None]
    dates = tuple(row for row in judged if row.relevant)
    if any(row.significant_change for row in holding):
        return Derived(None, significant_change=True, not_before=regular, dates=dates)
    if holding:  # placed before the cut-off: the transitional regime governs (Art 111)
        return Derived(max(row.applies_from for row in holding), dates=dates)
    alternatives = tuple(
        Alternative(
            None if row.significant_change else row.applies_from,
            row.only_for_systems_placed_before,  # type: ignore[arg-type]
            row.for_public,
            _unknowns(row, facts),
            row.iri,
        )
        for row in sorted(unknown, key=lambda row: (row.applies_from, row.iri))
    )
    if regular is None and alternatives:
        first = next((alt for alt in alternatives if alt.applies_from is not None), None)
        if first is not None:
            return Derived(
                first.applies_from, alternatives=tuple(a for a in alternatives if a is not first), dates=dates
            )
    return Derived(regular, alternatives=alternatives, dates=dates)


def _holds(row: DatedApplicability, facts: SystemFacts) -> bool | None:
    """Three-valued: does the transitional date concern the system (placed before the cut-off, public or not)?"""
    before = facts.placed_before(row.only_for_systems_placed_before)  # type: ignore[arg-type]
    public = True if row.for_public is None else (None if facts.public is None else facts.public == row.for_public)
    if before is False or public is False:
        return False
    if before is None or public is None:
        return None
    return True


def _unknowns(row: DatedApplicability, facts: SystemFacts) -> tuple[str, ...]:
    found = []
    if facts.placed_before(row.only_for_systems_placed_before) is None:  # type: ignore[arg-type]
        found.append("begin")
    if row.for_public is not None and facts.public is None:
        found.append("public")
    return tuple(found)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
