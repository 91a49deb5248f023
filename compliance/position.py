"""One AI Act position per algorithm, with its basis: what is declared, what a classification found, what counts.

The rule (``queries/compliance/position-rule.rq`` and ``position-roles.rq``, run inside every compliance query that
needs it): a classification made with the AI Act decision tree — the newest, by when it was answered, with who
answered and for which organisation — wins over what the register (or other loaded data) declares
(``akg:riskLevel``, ``akg:hasRoleAssignment`` on the algorithm). The classification's roles are those of the
organisation it was made for; roles declared for other organisations stay, unless the classification found that
the AI Act does not apply to the system at all. Both positions stay in the graph and are shown; where their
categories differ, that is a finding for the supervisor (the ``aiact-disagreement`` report).

Two categories agree when each main category (everything but the transparency level, or the transparency level
when that is all) of one is equal to, broader than or narrower than (skos:broader+ in the risk-level scheme) one of
the other's: the register cannot say "high-risk with transparency obligations", and "general-purpose AI model"
agrees with "... with systemic risk".
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pyoxigraph import NamedNode

from compliance.sparql import compliance_query
from loader.mapping import terms as t

__all__ = ["Classified", "Position", "Role", "position_of", "positions"]

RISK = f"{t.ID}aiact-risk-level/"
TRANSPARENCY = f"{RISK}transparency"
DEPLOYER = f"{t.ID}aiact-role/deployer"


@dataclass(frozen=True)
class Role:
    """A role an organisation holds for the algorithm; ``source`` says whether it was classified or declared."""

    role: str
    holder: str
    public: bool | None = None
    source: str = "declared"

    @property
    def name(self) -> str:
        return self.role.rsplit("/", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "holder": self.holder, "public_authority": self.public, "from": self.source}


@dataclass(frozen=True)
class Classified:
    """The newest classification: when, which conclusion, who answered for whom, and the categories it found."""

    iri: str
    classified_at: str
    conclusion: str | None = None
    conclusion_id: str | None = None
    answered_by: str | None = None
    on_behalf_of: str | None = None
    applies_to_system: bool | None = None
    tree: str | None = None
    levels: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    @property
    def out_of_scope(self) -> bool:
        """The AI Act does not apply (conclusions 11.x: no algorithm, no AI system, an exemption, no role)."""
        return bool(self.conclusion_id and self.conclusion_id.startswith("11."))

    def to_json(self) -> dict[str, Any]:
        return {
            "classification": self.iri,
            "answered_at": self.classified_at,
            "conclusion": self.conclusion,
            "conclusion_id": self.conclusion_id,
            "answered_by": self.answered_by,
            "on_behalf_of": self.on_behalf_of,
            "ai_act_applies_to_system": self.applies_to_system,
            "decision_tree": self.tree,
            "levels": list(self.levels),
            "labels": list(self.labels),
        }


@dataclass(frozen=True)
class Position:
    """An algorithm's AI Act position: the declared one, the newest classification, and what counts."""

    algorithm: str
    declared_levels: tuple[str, ...] = ()
    declared_roles: tuple[Role, ...] = ()
    classified: Classified | None = None
    roles: tuple[Role, ...] = ()
    organisation: str | None = None
    organisation_public: bool | None = None
    broader: tuple[tuple[str, str], ...] = ()  # (level, a broader level) from the risk-level scheme (skos:broader+)

    @property
    def basis(self) -> str | None:
        """``classification``, ``declaration`` or None (nothing is known)."""
        if self.classified is not None:
            return "classification"
        return "declaration" if self.declared_levels or self.declared_roles else None

    @property
    def levels(self) -> tuple[str, ...]:
        """The categories that count."""
        return self.classified.levels if self.classified is not None else self.declared_levels

    @property
    def disagrees(self) -> bool:
        """A classification and a declared category exist, and they differ (see the module docstring)."""
        if self.classified is None or not self.declared_levels:
            return False
        return not _agree(self.declared_levels, self.classified.levels, self.broader)

    @property
    def intended_for_public_authorities(self) -> bool | None:
        """True when the publishing organisation or a deployer that counts is a public authority; False when all
        of them are known not to be; None when it is not known."""
        flags = [self.organisation_public] + [role.public for role in self.roles if role.role == DEPLOYER]
        if True in flags:
            return True
        known = [flag for flag in flags if flag is not None]
        return False if known and len(known) == len(flags) else None

    def to_json(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "basis": self.basis,
            "levels": list(self.levels),
            "roles": [role.to_json() for role in self.roles],
            "declared": {"levels": list(self.declared_levels), "roles": [r.to_json() for r in self.declared_roles]},
            "classification": self.classified.to_json() if self.classified else None,
            "disagreement": self.disagrees,
            "intended_for_public_authorities": self.intended_for_public_authorities,
        }


def _main(levels: Iterable[str]) -> set[str]:
    found = set(levels)
    return found - {TRANSPARENCY} if found - {TRANSPARENCY} else found


def _family(level: str, broader: Iterable[tuple[str, str]]) -> set[str]:
    """The level with the levels broader and narrower than it."""
    return {level} | {b for n, b in broader if n == level} | {n for n, b in broader if b == level}


def _agree(declared: Iterable[str], classified: Iterable[str], broader: Iterable[tuple[str, str]]) -> bool:
    ours, theirs, broader = _main(declared), _main(classified), tuple(broader)
    if not ours or not theirs:
        return not ours and not theirs
    return all(_family(level, broader) & theirs for level in ours) and all(
        _family(level, broader) & ours for level in theirs
    )


# -- reading ----------------------------------------------------------------------------------------------------

Row = Mapping[str, Any]


def positions(fact_rows: Iterable[Row], role_rows: Iterable[Row]) -> dict[str, Position]:
    """Positions per algorithm from the rows of ``aiact-position.rq`` and ``aiact-position-roles.rq``."""
    found: dict[str, dict[str, Any]] = {}
    for row in fact_rows:
        entry = _entry(found, row)
        if (position := _value(row, "position")) and _value(row, "classifiedAt") and entry["classified"] is None:
            entry["classified"] = {
                "iri": position,
                "classified_at": _value(row, "classifiedAt"),
                "conclusion": _value(row, "conclusion"),
                "conclusion_id": _value(row, "conclusionId"),
                "answered_by": _value(row, "answeredBy"),
                "on_behalf_of": _value(row, "onBehalfOf"),
                "applies_to_system": _bool(_value(row, "appliesToSystem")),
                "tree": _value(row, "tree"),
            }
        fact, value = _value(row, "fact"), _value(row, "value")
        if fact == "declaredLevel":
            _add(entry["declared_levels"], value)
        elif fact == "classifiedLevel":
            _add(entry["classified_levels"], value)
        elif fact == "label":
            _add(entry["labels"], value)
        elif fact == "declaredRole" and value:
            _add(entry["declared_roles"], Role(value, _value(row, "holder") or "", _bool(_value(row, "public"))))
        elif fact == "organisation":
            entry["organisation"] = _value(row, "holder")
            entry["organisation_public"] = _bool(_value(row, "public"))
        elif fact == "broader" and value and (broad := _value(row, "broader")):
            _add(entry["broader"], (value, broad))
    for row in role_rows:
        entry = _entry(found, row)
        role = Role(
            _value(row, "role") or "",
            _value(row, "roleHolder") or "",
            _bool(_value(row, "public")),
            _value(row, "from") or "declared",
        )
        _add(entry["roles"], role)
    return {algorithm: _position(algorithm, entry) for algorithm, entry in found.items()}


def _entry(found: dict[str, dict[str, Any]], row: Row) -> dict[str, Any]:
    algorithm = _value(row, "algorithm") or ""
    return found.setdefault(
        algorithm,
        {
            "classified": None,
            "declared_levels": [],
            "classified_levels": [],
            "labels": [],
            "declared_roles": [],
            "roles": [],
            "organisation": None,
            "organisation_public": None,
            "broader": [],
        },
    )


def _position(algorithm: str, entry: dict[str, Any]) -> Position:
    classified = entry["classified"]
    return Position(
        algorithm=algorithm,
        declared_levels=tuple(sorted(entry["declared_levels"])),
        declared_roles=tuple(sorted(entry["declared_roles"], key=lambda r: (r.role, r.holder))),
        classified=Classified(
            **classified, levels=tuple(sorted(entry["classified_levels"])), labels=tuple(sorted(entry["labels"]))
        )
        if classified
        else None,
        roles=tuple(sorted(entry["roles"], key=lambda r: (r.role, r.holder))),
        organisation=entry["organisation"],
        organisation_public=entry["organisation_public"],
        broader=tuple(sorted(entry["broader"])),
    )


def _add(values: list[Any], value: Any) -> None:
    if value is not None and value not in values:
        values.append(value)


def _value(row: Row, name: str) -> str | None:
    term = row.get(name) if hasattr(row, "get") else row[name]
    return None if term is None else term.value


def _bool(text: str | None) -> bool | None:
    return None if text is None else text in ("true", "1")


def position_of(select: Callable[[str, Mapping[str, Any]], Iterable[Row]], algorithm: str) -> Position:
    """The position of one algorithm (IRI) through a :data:`compliance.sparql.Select`; an algorithm without any AI
    Act fact gets an empty position."""
    bindings = {"algorithm": NamedNode(algorithm)}
    found = positions(
        select(compliance_query("aiact-position"), bindings), select(compliance_query("aiact-position-roles"), bindings)
    )
    return found.get(algorithm, Position(algorithm))
