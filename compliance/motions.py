"""The letter as data: parliamentary motions, the government's actions on them and the instruments they produced.

The facts are model data (``ontology/law/letter-motions.ttl``, in every store): motions (``akg:Motion``, by
Kamerstuk number), actions (``akg:GovernmentAction``, ``akg:respondsTo`` a motion, ``akg:reportedIn`` a letter to
parliament, ``akg:produced`` an instrument) and instruments (``akg:Instrument``), each with its source and, where a
link was not read in the paper itself, a verification note. This module reads them back, one query
(``queries/compliance/letter-actions.rq``), as typed rows.
"""

from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, Store, Variable

from compliance.obligations import compliance_query

__all__ = ["Action", "Motion", "actions"]


@dataclass(frozen=True)
class Motion:
    iri: str
    number: str
    label: str | None


@dataclass
class Action:
    """One government action with the motions it responds to, the letters reporting it and what it produced."""

    iri: str
    label: str | None
    motions: list[Motion] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.iri,
            "label": self.label,
            "motions": [{"iri": m.iri, "kamerstuk": m.number, "label": m.label} for m in self.motions],
            "reported_in": self.letters,
            "produced": self.instruments,
            "verification_notes": self.notes,
        }


def _add(values: list[Any], value: Any) -> None:
    if value is not None and value not in values:
        values.append(value)


def actions(store: Store, *, language: str = "en") -> list[Action]:
    """Every government action of the letter data, ordered by IRI, with labels in ``language`` where given."""
    rows = store.query(
        compliance_query("letter-actions"),
        substitutions={Variable("lang"): Literal(language)},
        use_default_graph_as_union=True,
    )
    found: dict[str, Action] = {}
    for row in rows:
        value = {name: (row[name].value if row[name] is not None else None) for name in _COLUMNS}
        action = found.setdefault(value["action"], Action(value["action"], value["label"]))
        if value["motion"]:
            _add(action.motions, Motion(value["motion"], value["number"] or "", value["motionLabel"]))
        _add(action.letters, value["letter"])
        _add(action.instruments, value["instrument"])
        _add(action.notes, value["note"])
    return [found[key] for key in sorted(found)]


_COLUMNS = ("action", "label", "motion", "number", "motionLabel", "letter", "instrument", "note")
