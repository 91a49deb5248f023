"""Plain words, in Dutch and English, for what the AI Act reasoning finds: conclusions, categories, roles, labels.

A supervisor reads "the AI Act does not apply: an exemption applies", not "conclusion 11.2 (minimal)"; a label of
the decision tree is explained where it was given ("niet van toepassing" at question 2.7.2 means that no
third-party conformity assessment is required, not that something does not apply). The meaning of a conclusion is
written out from its number, which the decision tree uses systematically (11 no role or not applicable; 12
provider, 13 deployer, 14 both, 15 importer, 16 distributor; then the kind of system and its case), and from the
labels the answers gathered.
"""

from collections.abc import Iterable

__all__ = [
    "category",
    "classified_category",
    "conclusion_meaning",
    "label_meaning",
    "level_words",
    "role_words",
    "scheme_condition",
    "text",
]

Words = dict[str, str]

_ROLE_HEADS: dict[str, Words] = {
    "12": {"nl": "aanbieder", "en": "provider"},
    "13": {"nl": "gebruiksverantwoordelijke", "en": "deployer"},
    "14": {"nl": "aanbieder en gebruiksverantwoordelijke", "en": "provider and deployer"},
    "15": {"nl": "importeur", "en": "importer"},
    "16": {"nl": "distributeur", "en": "distributor"},
}
_KINDS: dict[str, Words] = {
    "0": {"nl": "AI-systeem", "en": "AI system"},
    "1": {"nl": "AI-systeem voor algemene doeleinden", "en": "general-purpose AI system"},
    "2": {"nl": "AI-model voor algemene doeleinden", "en": "general-purpose AI model"},
}
# How the case of a conclusion describes the system: "{kind}" is the kind of system in words.
_SYSTEM_CASES: dict[str, Words] = {
    "0": {"nl": "een verboden {kind}", "en": "a prohibited {kind}"},
    "1": {
        "nl": "een {kind} met een hoog risico en transparantieverplichtingen",
        "en": "a high-risk {kind} with transparency obligations",
    },
    "2": {"nl": "een {kind} met een hoog risico", "en": "a high-risk {kind}"},
    "3": {
        "nl": "een {kind} zonder hoog risico, met transparantieverplichtingen",
        "en": "{a} {kind} that is not high-risk, with transparency obligations",
    },
    "4": {"nl": "een {kind} zonder hoog risico", "en": "{a} {kind} that is not high-risk"},
}
_MODEL_CASES: dict[str, Words] = {
    "1": {"nl": "een {kind} met een systeemrisico", "en": "a {kind} with systemic risk"},
    "2": {"nl": "een {kind} onder een open of vrije licentie", "en": "a {kind} under a free and open-source licence"},
    "3": {"nl": "een {kind}", "en": "a {kind}"},
}
_OUT_OF_SCOPE: dict[str, Words] = {
    "11.0": {
        "nl": "De AI-verordening is niet van toepassing: de toepassing bevat geen algoritme.",
        "en": "The AI Act does not apply: the application contains no algorithm.",
    },
    "11.1": {
        "nl": "De AI-verordening is niet van toepassing: het algoritme is geen AI-systeem en geen AI-model.",
        "en": "The AI Act does not apply: the algorithm is neither an AI system nor an AI model.",
    },
    "11.2-exemption": {
        "nl": "De AI-verordening is niet van toepassing: er geldt een uitzondering (artikel 2, bijvoorbeeld "
        "militaire doeleinden of wetenschappelijk onderzoek).",
        "en": "The AI Act does not apply: an exemption applies (Article 2, e.g. military purposes or scientific "
        "research).",
    },
    "11.2-open-source": {
        "nl": "De AI-verordening is niet van toepassing: het systeem is vrijgegeven onder een open of vrije "
        "licentie, heeft geen hoog risico en geen transparantieverplichting (artikel 2, lid 12).",
        "en": "The AI Act does not apply: the system is released under a free and open-source licence, is not "
        "high-risk and has no transparency obligation (Article 2(12)).",
    },
    "11.3": {
        "nl": "De AI-verordening is niet van toepassing: je bent geen aanbieder, gebruiksverantwoordelijke, "
        "importeur of distributeur (ga zorgvuldig na of een van die rollen toch geldt).",
        "en": "The AI Act does not apply: you are not a provider, deployer, importer or distributor (check "
        "carefully whether one of these roles applies after all).",
    },
}
_LEVELS: dict[str, Words] = {
    "prohibited": {"nl": "verboden AI-praktijk (artikel 5)", "en": "prohibited AI practice (Article 5)"},
    "high-risk-annex-i": {"nl": "hoog risico, bijlage I (artikel 6, lid 1)", "en": "high-risk, Annex I (Article 6(1))"},
    "high-risk-annex-iii": {
        "nl": "hoog risico, bijlage III (artikel 6, lid 2)",
        "en": "high-risk, Annex III (Article 6(2))",
    },
    "not-high-risk-art-6-3": {
        "nl": "geen hoog risico: uitzondering van artikel 6, lid 3, op een systeem uit bijlage III",
        "en": "not high-risk: the Article 6(3) exception for an Annex III system",
    },
    "transparency": {"nl": "transparantieverplichtingen (artikel 50)", "en": "transparency obligations (Article 50)"},
    "minimal": {"nl": "minimaal risico", "en": "minimal risk"},
    "gpai": {"nl": "AI-model voor algemene doeleinden (hoofdstuk V)", "en": "general-purpose AI model (Chapter V)"},
    "gpai-systemic": {
        "nl": "AI-model voor algemene doeleinden met een systeemrisico (artikelen 51 en 55)",
        "en": "general-purpose AI model with systemic risk (Articles 51 and 55)",
    },
}
_ROLES: dict[str, Words] = {
    "provider": {"nl": "aanbieder", "en": "provider"},
    "deployer": {"nl": "gebruiksverantwoordelijke", "en": "deployer"},
    "importer": {"nl": "importeur", "en": "importer"},
    "distributor": {"nl": "distributeur", "en": "distributor"},
    "authorised-representative": {"nl": "gemachtigde", "en": "authorised representative"},
    "product-manufacturer": {"nl": "productfabrikant", "en": "product manufacturer"},
}
# (question, label) first, then the label alone: a label means what the question it was given at asked.
_LABELS: dict[tuple[str, str], Words] = {
    ("2.7.1", "niet van toepassing"): {
        "nl": "geen conformiteitsbeoordeling door een derde partij verplicht (bijlage I)",
        "en": "no third-party conformity assessment required (Annex I)",
    },
    ("2.7.2", "niet van toepassing"): {
        "nl": "geen conformiteitsbeoordeling door een derde partij verplicht (bijlage III)",
        "en": "no third-party conformity assessment required (Annex III)",
    },
    ("", "beoordeling door derde partij"): {
        "nl": "conformiteitsbeoordeling door een derde partij verplicht",
        "en": "third-party conformity assessment required",
    },
    ("", "aanbieder"): {"nl": "rol: aanbieder", "en": "role: provider"},
    ("", "gebruiksverantwoordelijke"): {"nl": "rol: gebruiksverantwoordelijke", "en": "role: deployer"},
    ("", "importeur"): {"nl": "rol: importeur", "en": "role: importer"},
    ("", "distributeur"): {"nl": "rol: distributeur", "en": "role: distributor"},
    ("", "in gebruik"): {"nl": "al in gebruik", "en": "already in use"},
    ("", "in ontwikkeling"): {"nl": "in ontwikkeling", "en": "in development"},
    ("", "geen algoritme"): {"nl": "geen algoritme", "en": "not an algorithm"},
    ("", "AI-systeem"): {"nl": "een AI-systeem", "en": "an AI system"},
    ("", "AI-systeem voor algemene doeleinden"): {
        "nl": "een AI-systeem voor algemene doeleinden",
        "en": "a general-purpose AI system",
    },
    ("", "AI-model voor algemene doeleinden"): {
        "nl": "een AI-model voor algemene doeleinden",
        "en": "a general-purpose AI model",
    },
    ("", "uitzondering van toepassing"): {
        "nl": "een uitzondering van artikel 2 geldt (buiten het toepassingsgebied)",
        "en": "an exemption of Article 2 applies (outside the scope)",
    },
    ("", "verboden AI"): {"nl": "verboden AI-praktijk (artikel 5)", "en": "prohibited AI practice (Article 5)"},
    ("2.3", "hoog-risico AI"): {"nl": "hoog risico: bijlage I", "en": "high-risk: Annex I"},
    ("2.5", "hoog-risico AI"): {
        "nl": "hoog risico: profileert natuurlijke personen (artikel 6, lid 3, laatste alinea)",
        "en": "high-risk: profiles natural persons (Article 6(3), last subparagraph)",
    },
    ("2.6", "hoog-risico AI"): {
        "nl": "hoog risico: bijlage III, geen uitzondering van artikel 6, lid 3",
        "en": "high-risk: Annex III, no Article 6(3) exception",
    },
    ("2.4", "geen hoog-risico AI"): {
        "nl": "geen hoog risico: niet in bijlage III",
        "en": "not high-risk: not in Annex III",
    },
    ("2.6", "geen hoog-risico AI"): {
        "nl": "geen hoog risico: uitzondering van artikel 6, lid 3",
        "en": "not high-risk: the Article 6(3) exception",
    },
    ("", "hoog-risico AI"): {"nl": "hoog risico", "en": "high-risk"},
    ("", "geen hoog-risico AI"): {"nl": "geen hoog risico", "en": "not high-risk"},
    ("", "transparantieverplichting"): {
        "nl": "transparantieverplichtingen (artikel 50)",
        "en": "transparency obligations (Article 50)",
    },
    ("2.9", "geen transparantieverplichting"): {
        "nl": "geen transparantieverplichting (artikel 50)",
        "en": "no transparency obligation (Article 50)",
    },
    ("2.10", "geen transparantieverplichting"): {
        "nl": "geen transparantieverplichting: uitzondering voor opsporing en vervolging van strafbare feiten",
        "en": "no transparency obligation: the exception for detecting and prosecuting criminal offences",
    },
    ("", "systeemrisico"): {"nl": "systeemrisico (artikel 51)", "en": "systemic risk (Article 51)"},
    ("", "geen systeemrisico"): {"nl": "geen systeemrisico", "en": "no systemic risk"},
    ("", "open-source"): {"nl": "open of vrije licentie", "en": "free and open-source licence"},
    ("", "geen open-source"): {"nl": "geen open of vrije licentie", "en": "no free and open-source licence"},
}
_SCHEMES: dict[str, Words] = {
    "annex-iii": {
        "nl": "geldt als het systeem onder een van de punten van bijlage III valt die deze verplichting noemt; "
        "het punt is niet vastgelegd (akg:annexIIIPoint)",
        "en": "applies if the system falls under one of the Annex III points this obligation names; the point is "
        "not recorded (akg:annexIIIPoint)",
    },
    "aiact-art-50": {
        "nl": "geldt als het systeem onder dit geval van artikel 50 valt; welk geval is niet vastgelegd "
        "(akg:transparencyCase, akg:interactsWithNaturalPersons)",
        "en": "applies if the system falls under this case of Article 50; which case is not recorded "
        "(akg:transparencyCase, akg:interactsWithNaturalPersons)",
    },
    "aiact-prohibited-practice": {
        "nl": "geldt als de praktijk een van de verboden praktijken is die deze verplichting noemt; de praktijk is "
        "niet vastgelegd (akg:prohibitedPractice)",
        "en": "applies if the practice is one of the prohibited practices this obligation names; the practice is "
        "not recorded (akg:prohibitedPractice)",
    },
}


def text(words: Words, language: str) -> str:
    return words.get(language) or words["en"]


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def level_words(level: str, language: str = "en") -> str:
    """A risk level (IRI or notation) in words."""
    words = _LEVELS.get(_local(level))
    return text(words, language) if words else _local(level)


def role_words(role: str, language: str = "en") -> str:
    """A role (IRI, notation or the tree's Dutch label) in words."""
    key = {"aanbieder": "provider", "gebruiksverantwoordelijke": "deployer"}.get(role, _local(role))
    key = {"importeur": "importer", "distributeur": "distributor"}.get(key, key)
    words = _ROLES.get(key)
    return text(words, language) if words else key


def point_words(point: str, language: str = "en") -> str:
    """An Annex III point notation (``5-a``) as the Act writes it: "Annex III point 5(a)"."""
    number, _, letter = _local(point).partition("-")
    written = f"{number}({letter})" if letter else number
    return f"bijlage III, punt {written}" if language == "nl" else f"Annex III point {written}"


def category(levels: Iterable[str], points: Iterable[str] = (), language: str = "en") -> str:
    """The categories in words, naming the Annex III points recorded for an Annex III system:
    "high-risk, Annex III point 5(a) (Article 6(2))"."""
    order = list(_LEVELS)
    names = sorted({_local(level) for level in levels}, key=lambda name: order.index(name) if name in order else 99)
    if not names:
        return "geen categorie van de AI-verordening" if language == "nl" else "no AI Act category"
    shown = ", ".join(sorted(point_words(point, language) for point in points))
    parts = []
    for name in names:
        words = level_words(name, language)
        if name == "high-risk-annex-iii" and shown:
            words = (
                f"hoog risico, {shown} (artikel 6, lid 2)" if language == "nl" else f"high-risk, {shown} (Article 6(2))"
            )
        elif name == "not-high-risk-art-6-3" and shown:
            words += f" ({shown})"
        parts.append(words)
    return "; ".join(parts)


def classified_category(
    levels: Iterable[str], conclusion: str | None, points: Iterable[str] = (), language: str = "en"
) -> str:
    """A classification's category in words; where it found that the AI Act does not apply, that (and why)."""
    levels = tuple(levels)
    if not levels and conclusion and conclusion.startswith("11."):
        if language == "nl":
            return f"de AI-verordening is niet van toepassing (conclusie {conclusion})"
        return f"the AI Act does not apply (conclusion {conclusion})"
    return category(levels, points, language)


def conclusion_meaning(conclusion: str, labels: Iterable[str], language: str = "en") -> str:
    """What a conclusion of the decision tree means, in a sentence."""
    labels = set(labels)
    if conclusion == "11.2":
        key = "11.2-exemption" if "uitzondering van toepassing" in labels else "11.2-open-source"
        return text(_OUT_OF_SCOPE[key], language)
    if conclusion in _OUT_OF_SCOPE:
        return text(_OUT_OF_SCOPE[conclusion], language)
    head, _, rest = conclusion.partition(".")
    kind, _, case = rest.partition(".")
    if head not in _ROLE_HEADS or kind not in _KINDS:
        return conclusion
    role, thing = text(_ROLE_HEADS[head], language), text(_KINDS[kind], language)
    if kind == "2":  # a model: only providers are told systemic risk or open source
        pattern = _MODEL_CASES.get(case if head in ("12", "14") else "3", _MODEL_CASES["3"])
    elif head in ("15", "16"):  # importers and distributors: high-risk (x.y.1) or not (x.y.3), no transparency
        pattern = _SYSTEM_CASES[{"1": "2", "3": "4"}.get(case, case)]
    else:
        pattern = _SYSTEM_CASES.get(case, _SYSTEM_CASES["4"])
    described = text(pattern, language).format(kind=thing, a="an" if thing[0] in "AEIOU" else "a")
    if language == "nl":
        return f"De AI-verordening is van toepassing: je bent {role} van {described}."
    return f"The AI Act applies: you are the {role} of {described}."


def label_meaning(label: str, question: str, language: str = "en") -> str:
    """What a label means at the question that gave it."""
    words = _LABELS.get((question, label)) or _LABELS.get(("", label))
    return text(words, language) if words else label


def scheme_condition(scheme: str, language: str = "en") -> str:
    """The condition of an obligation limited to finer categories the algorithm does not record."""
    words = _SCHEMES.get(_local(scheme))
    return text(words, language) if words else f"depends on {_local(scheme)}"
