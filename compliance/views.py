"""What ``algokg obligations`` shows, as text and JSON, in Dutch or English: the algorithm's AI Act position with
its basis, notes a supervisor needs (in the output itself, never only on stderr) and every obligation with its one
date, its conditions and the dates behind it."""

from datetime import date
from typing import Any

from compliance.obligations import AlgorithmFacts, Obligation
from compliance.position import Position
from compliance.wording import category, classified_category, conclusion_meaning, role_words, scheme_condition

__all__ = ["notes", "obligations_json", "obligations_text", "position_lines"]

_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "position": "AI Act position: {category}",
        "from_classification": "  basis: the classification of {at} by {who}{whom} (conclusion {conclusion}: {meaning})",
        "from_register": "  basis: as declared (the register or other loaded data); no classification with the decision tree",
        "none": "  basis: nothing known; classify it with the decision tree (algokg classify)",
        "declared": "  declared: {category}",
        "for": " for {organisation}",
        "disagree": "the declared category ({declared}) and the classification ({classified}) differ: the "
        "classification counts; a finding for the supervisor (algokg report aiact-disagreement)",
        "out_of_scope": "by the classification the AI Act does not apply (conclusion {conclusion}): no obligations",
        "no_roles": "no organisation holds an AI Act role for this algorithm: declare its roles or classify it",
        "not_modelled": "the duties of {roles} (Articles 23-24) are not in algokg's obligation data; only providers' "
        "and deployers' are",
        "void": "the Art 6(3) claim does not hold: the system profiles natural persons (Art 6(3), last subparagraph)",
        "on": "  obligations applying on {day}",
        "nothing": "  no AI Act obligations found",
        "owed": "  owed by the {role}: {holders}",
        "applies": "  applies from {day}",
        "significant": "  applies only once the system's design changes significantly (Art 111(2), first sentence), "
        "not before {day}",
        "unknown": "unknown",
        "alternative": " (from {day} if placed on the market or put into service before {cut_off}{public})",
        "alternative_change": " (only after a significant change if placed on the market or put into service before "
        "{cut_off}{public})",
        "if_public": " and intended for public authorities",
        "if_not_public": " and not intended for public authorities",
        "condition": "  condition: {text}",
        "part_of": "  part of {umbrella}; dated apart from it: {reason}",
        "rests_on": "  rests on: {articles}",
        "in_force": "in force",
        "superseded": "superseded",
        "placed_before": ", only for systems placed before {day}",
        "no_source": "no source",
        "to_verify": "  [to be verified]",
        "divergence": "  note: {label}: by that reading {outcome}; {why}",
        "would_apply": "it would apply from {day}",
        "would_change": "it would apply only after a significant change",
    },
    "nl": {
        "position": "Positie onder de AI-verordening: {category}",
        "from_classification": "  grond: de classificatie van {at} door {who}{whom} (conclusie {conclusion}: {meaning})",
        "from_register": "  grond: zoals opgegeven (het register of andere geladen gegevens); geen classificatie met de beslishulp",
        "none": "  grond: niets bekend; classificeer het met de beslishulp (algokg classify)",
        "declared": "  opgegeven: {category}",
        "for": " voor {organisation}",
        "disagree": "de opgegeven categorie ({declared}) en de classificatie ({classified}) verschillen: de "
        "classificatie telt; een bevinding voor de toezichthouder (algokg report aiact-disagreement)",
        "out_of_scope": "volgens de classificatie is de AI-verordening niet van toepassing (conclusie {conclusion}): "
        "geen verplichtingen",
        "no_roles": "geen organisatie heeft een rol onder de AI-verordening voor dit algoritme: leg de rollen vast of "
        "classificeer het",
        "not_modelled": "de plichten van {roles} (artikelen 23-24) staan niet in de verplichtingen van algokg; alleen die "
        "van aanbieders en gebruiksverantwoordelijken",
        "void": "het beroep op artikel 6, lid 3, houdt geen stand: het systeem profileert natuurlijke personen",
        "on": "  verplichtingen die gelden op {day}",
        "nothing": "  geen verplichtingen uit de AI-verordening gevonden",
        "owed": "  geldt voor de {role}: {holders}",
        "applies": "  geldt vanaf {day}",
        "significant": "  geldt pas als het ontwerp van het systeem ingrijpend wordt gewijzigd (artikel 111, lid 2, "
        "eerste zin), niet vóór {day}",
        "unknown": "onbekend",
        "alternative": " (vanaf {day} als het vóór {cut_off} in de handel is gebracht of in gebruik gesteld{public})",
        "alternative_change": " (pas na een ingrijpende wijziging als het vóór {cut_off} in de handel is gebracht of in "
        "gebruik gesteld{public})",
        "if_public": " en bestemd is voor overheidsinstanties",
        "if_not_public": " en niet bestemd is voor overheidsinstanties",
        "condition": "  voorwaarde: {text}",
        "part_of": "  onderdeel van {umbrella}; met een eigen datum: {reason}",
        "rests_on": "  berust op: {articles}",
        "in_force": "geldend",
        "superseded": "vervangen",
        "placed_before": ", alleen voor systemen geplaatst vóór {day}",
        "no_source": "geen bron",
        "to_verify": "  [te controleren]",
        "divergence": "  let op: {label}: volgens die lezing {outcome}; {why}",
        "would_apply": "zou het gelden vanaf {day}",
        "would_change": "zou het pas na een ingrijpende wijziging gelden",
    },
}


def _say(language: str, key: str, **values: object) -> str:
    return _PHRASES.get(language, _PHRASES["en"])[key].format(**values)


def position_lines(facts: AlgorithmFacts, language: str = "en") -> list[str]:
    """The position and its basis, in lines."""
    position = facts.position or Position(facts.iri)
    points = facts.values("annexIIIPoint")
    classified = position.classified
    words = (
        classified_category(classified.levels, classified.conclusion_id, points, language)
        if classified is not None
        else category(position.levels, points, language)
    )
    lines = [_say(language, "position", category=words)]
    if classified is not None:
        whom = _say(language, "for", organisation=classified.on_behalf_of) if classified.on_behalf_of else ""
        meaning = conclusion_meaning(classified.conclusion_id or "", classified.labels, language)
        lines.append(
            _say(
                language,
                "from_classification",
                at=classified.classified_at,
                who=classified.answered_by or "?",
                whom=whom,
                conclusion=classified.conclusion_id or "?",
                meaning=meaning,
            )
        )
        if position.declared_levels:
            lines.append(_say(language, "declared", category=category(position.declared_levels, points, language)))
    elif position.basis == "declaration":
        lines.append(_say(language, "from_register"))
    else:
        lines.append(_say(language, "none"))
    return lines


def notes(facts: AlgorithmFacts, obligations: list[Obligation], language: str = "en") -> list[str]:
    """What a supervisor must know to read the obligations right."""
    position = facts.position or Position(facts.iri)
    found = []
    points = facts.values("annexIIIPoint")
    if position.disagrees and position.classified is not None:
        found.append(
            _say(
                language,
                "disagree",
                declared=category(position.declared_levels, points, language),
                classified=classified_category(
                    position.classified.levels, position.classified.conclusion_id, points, language
                ),
            )
        )
    if position.classified is not None and position.classified.out_of_scope:
        found.append(_say(language, "out_of_scope", conclusion=position.classified.conclusion_id))
    elif not position.roles:
        found.append(_say(language, "no_roles"))
    others = sorted({role.name for role in position.roles if role.name in ("importer", "distributor")})
    if others:
        found.append(_say(language, "not_modelled", roles=", ".join(role_words(name, language) for name in others)))
    if facts.art6_3_claim_void:
        found.append(_say(language, "void"))
    return found


def obligations_text(
    facts: AlgorithmFacts, obligations: list[Obligation], on: date | None = None, language: str = "en"
) -> str:
    """What ``algokg obligations`` prints."""
    lines = [f"{facts.iri}  {facts.title or ''}".rstrip()]
    lines += [f"  {line}" if not line.startswith("  ") else line for line in position_lines(facts, language)]
    lines += [
        f"  note: {note}" if language == "en" else f"  let op: {note}" for note in notes(facts, obligations, language)
    ]
    if on is not None:
        lines.append(_say(language, "on", day=on.isoformat()))
    if not obligations:
        lines.append(_say(language, "nothing"))
    for item in obligations:
        lines += _obligation_lines(item, language)
    return "\n".join(lines)


def _obligation_lines(item: Obligation, language: str) -> list[str]:
    role = role_words(item.role, language)
    lines = [
        f"{item.slug}  {item.label or ''}",
        _say(language, "owed", role=role, holders=", ".join(item.role_holders)),
    ]
    derived = item.derived
    if derived.significant_change:
        lines.append(_say(language, "significant", day=_iso(derived.not_before) or _say(language, "unknown")))
    else:
        when = _say(language, "applies", day=_iso(item.applies_from) or _say(language, "unknown"))
        for alternative in item.alternatives:
            public = {True: "if_public", False: "if_not_public"}.get(alternative.for_public)  # type: ignore[arg-type]
            extra = _say(language, public) if public and "public" in alternative.unknown else ""
            if alternative.applies_from is None:
                when += _say(language, "alternative_change", cut_off=alternative.cut_off.isoformat(), public=extra)
            else:
                when += _say(
                    language,
                    "alternative",
                    day=alternative.applies_from.isoformat(),
                    cut_off=alternative.cut_off.isoformat(),
                    public=extra,
                )
        lines.append(when)
    lines += [_say(language, "condition", text=scheme_condition(scheme, language)) for scheme in item.depends_on]
    if item.part_of and item.own_date_reason:
        lines.append(_say(language, "part_of", umbrella=item.part_of.rsplit("/", 1)[-1], reason=item.own_date_reason))
    lines.append(
        _say(language, "rests_on", articles="; ".join(article.label or article.iri for article in item.articles))
    )
    for dated in item.dates:
        state = _say(language, "in_force" if dated.in_force else "superseded")
        stated = dated.stated_in_label or dated.stated_in or _say(language, "no_source")
        extra = (
            _say(language, "placed_before", day=_iso(dated.only_for_systems_placed_before))
            if dated.only_for_systems_placed_before
            else ""
        )
        check = _say(language, "to_verify") if not dated.verified else ""
        lines.append(f"    {dated.applies_from.isoformat()}  {stated} ({state}{extra}){check}")
    for divergence in item.divergences:
        outcome = (
            _say(language, "would_change")
            if divergence.would_need_significant_change
            else _say(language, "would_apply", day=_iso(divergence.would_apply_from))
        )
        lines.append(
            _say(
                language,
                "divergence",
                label=divergence.label or divergence.applicability,
                outcome=outcome,
                why=divergence.not_followed_because or "",
            )
        )
    return lines


def obligations_json(
    facts: AlgorithmFacts, obligations: list[Obligation], on: date | None = None, language: str = "en"
) -> dict[str, Any]:
    """What ``algokg obligations --json`` prints: the position, the notes and the obligations."""
    position = facts.position or Position(facts.iri)
    return {
        "algorithm": facts.iri,
        "on": on.isoformat() if on else None,
        "language": language,
        "position": position.to_json(),
        "position_text": [line.strip() for line in position_lines(facts, language)],
        "notes": notes(facts, obligations, language),
        "obligations": [item.to_json() for item in obligations],
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
