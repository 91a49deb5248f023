"""What ``algokg classify`` shows, as JSON and text, in Dutch or English: the conclusion with its meaning in words,
the category and roles, every answer as written with the question it answers, each label explained where it was
given, and the notes — in the output itself, never only on stderr."""

from typing import Any

from compliance.classification import Classification
from compliance.wording import category, conclusion_meaning, label_meaning, role_words

__all__ = ["outcome_summary", "outcome_text"]

_NOTES: dict[str, dict[str, str]] = {
    "unused": {
        "en": "the answer to question {question} ({written!r}) was not used: the answers did not lead to that question",
        "nl": "het antwoord op vraag {question} ({written!r}) is niet gebruikt: de antwoorden leidden niet naar die vraag",
    },
    "out-of-scope": {
        "en": "the AI Act does not apply: no operator roles are stored, and only the Algoritmekader requirements that "
        "hold outside the AI Act are selected",
        "nl": "de AI-verordening is niet van toepassing: er worden geen rollen vastgelegd, en alleen de vereisten van "
        "het Algoritmekader die buiten de AI-verordening gelden, zijn geselecteerd",
    },
    "no-kader": {
        "en": "no Algoritmekader in the store, so no requirements were selected: run `algokg kader`",
        "nl": "geen Algoritmekader in de store, dus geen vereisten geselecteerd: voer `algokg kader` uit",
    },
    "cut-off": {
        "en": "the conclusion's text counts systems introduced before 2 December 2027 as existing systems (deadline "
        "2 August 2030); algokg follows Article 111(2) of Regulation (EU) 2024/1689, cut-off 2 August 2026, and "
        "shows the tree's reading beside the obligations it would change (algokg obligations)",
        "nl": "de tekst van de conclusie rekent systemen die vóór 2 december 2027 zijn geïntroduceerd tot bestaande "
        "systemen (uiterlijk 2 augustus 2030); algokg volgt artikel 111, lid 2, van Verordening (EU) 2024/1689, "
        "grens 2 augustus 2026, en toont de lezing van de beslishulp bij de verplichtingen die zij zou veranderen "
        "(algokg obligations)",
    },
}
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "head": "{algorithm}: conclusion {conclusion}: {meaning}",
        "category": "category: {category}",
        "roles": "roles: {roles}",
        "no_roles": "roles: none (the AI Act does not apply)",
        "held": "{role}, held by {holder}",
        "unheld": "{role}",
        "answered": "answered by {who}{whom} on {at}, with {tree} {version} (sha256 {sha})",
        "for": " for {organisation}",
        "answers": "answers:",
        "labels": "labels, explained where they were given:",
        "requirements": "Algoritmekader requirements selected: {count}; stored as {iri}",
        "notes": "notes:",
    },
    "nl": {
        "head": "{algorithm}: conclusie {conclusion}: {meaning}",
        "category": "categorie: {category}",
        "roles": "rollen: {roles}",
        "no_roles": "rollen: geen (de AI-verordening is niet van toepassing)",
        "held": "{role}, gehouden door {holder}",
        "unheld": "{role}",
        "answered": "beantwoord door {who}{whom} op {at}, met {tree} {version} (sha256 {sha})",
        "for": " voor {organisation}",
        "answers": "antwoorden:",
        "labels": "labels, uitgelegd bij de vraag waar ze werden gegeven:",
        "requirements": "geselecteerde vereisten van het Algoritmekader: {count}; vastgelegd als {iri}",
        "notes": "let op:",
    },
}


def _notes(item: Classification, language: str) -> list[str]:
    found = []
    for code in item.notes:
        kind, _, question = code.partition(":")
        if kind in _NOTES:
            written = item.sheet.written(question) if question else None
            found.append(_NOTES[kind][language].format(question=question, written=written))
    if "2 december 2027" in item.outcome.conclusion.obligation:
        found.append(_NOTES["cut-off"][language])
    return found


def outcome_summary(item: Classification, language: str = "en") -> dict[str, Any]:
    """What ``algokg classify --json`` prints."""
    outcome, sheet = item.outcome, item.sheet
    answers = []
    for step in outcome.steps:
        question = item.tree.questions[step.question]
        answers.append(
            {
                "question": step.question,
                "question_text": question.text,
                "as_written": sheet.written(step.question),
                "answer": step.answer,
                "labels": [
                    {"label": label, "meaning": label_meaning(label, step.question, language)} for label in step.labels
                ],
            }
        )
    roles = [{"role": role, "words": role_words(role, language), "holder": item.holder} for role in item.roles]
    return {
        "algorithm": item.algorithm_id,
        "classification": item.iri.value,
        "conclusion": outcome.conclusion.id,
        "meaning": conclusion_meaning(outcome.conclusion.id, outcome.labels, language),
        "conclusion_text": outcome.conclusion.text,
        "ai_act_applies": item.applies,
        "levels": list(item.levels),
        "risk_level": item.risk_level,
        "category": category(item.levels, item.points, language) if item.levels else None,
        "roles": roles,
        "role": list(outcome.group("rol-ai-act")),
        "system_type": list(outcome.group("soort-toepassing")),
        "risk_group": list(outcome.group("risicogroep")),
        "transparency": list(outcome.group("transparantieverplichting")),
        "systemic_risk": list(outcome.group("systeemrisico")),
        "open_source": list(outcome.group("open-source")),
        "labels": list(outcome.labels),
        "answered_by": sheet.answered_by,
        "answered_at": sheet.answered_at.isoformat(),
        "on_behalf_of": item.holder,
        "answers": answers,
        "requirements": list(item.requirements),
        "tree": {"name": item.tree.name, "version": item.tree.version, "sha256": item.tree.sha256},
        "language": language,
        "notes": _notes(item, language),
    }


def outcome_text(summary: dict[str, Any]) -> str:
    """What ``algokg classify`` prints: the summary in lines."""
    language = summary["language"]
    say = _TEXT[language]
    lines = [
        say["head"].format(algorithm=summary["algorithm"], conclusion=summary["conclusion"], meaning=summary["meaning"])
    ]
    if summary["category"]:
        lines.append("  " + say["category"].format(category=summary["category"]))
    if summary["roles"]:
        held = [
            say["held" if role["holder"] else "unheld"].format(role=role["words"], holder=role["holder"])
            for role in summary["roles"]
        ]
        lines.append("  " + say["roles"].format(roles="; ".join(held)))
    elif not summary["ai_act_applies"]:
        lines.append("  " + say["no_roles"])
    whom = say["for"].format(organisation=summary["on_behalf_of"]) if summary["on_behalf_of"] else ""
    tree = summary["tree"]
    lines.append(
        "  "
        + say["answered"].format(
            who=summary["answered_by"],
            whom=whom,
            at=summary["answered_at"],
            tree=tree["name"],
            version=tree["version"],
            sha=tree["sha256"][:12],
        )
    )
    lines.append("  " + say["answers"])
    for answer in summary["answers"]:
        written = answer["as_written"]
        shown = (
            answer["answer"] if written is None or written == answer["answer"] else f"{written} ({answer['answer']})"
        )
        lines.append(f"    {answer['question']}  {answer['question_text']}  → {shown}")
    explained = [(label, answer["question"]) for answer in summary["answers"] for label in answer["labels"]]
    if explained:
        lines.append("  " + say["labels"])
        for label, question in explained:
            lines.append(f"    {label['label']} ({question}): {label['meaning']}")
    lines.append("  " + say["requirements"].format(count=len(summary["requirements"]), iri=summary["classification"]))
    if summary["notes"]:
        lines.append("  " + say["notes"])
        lines += [f"    - {note}" for note in summary["notes"]]
    return "\n".join(lines)
