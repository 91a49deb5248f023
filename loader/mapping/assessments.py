"""Impact assessments of a record -> akg:Assessment nodes with the instrument normalised and the status read.

A title is matched to the assessment-instrument scheme by, in order: a label (hidden labels hold
the typos seen in the register), a label the title starts with ("Data Protection Impact Assessment (DPIA),
Pre-DPIA toets …"), or exactly one instrument acronym in it ("DPIA, uitgevoerd"). A pre-scan is a pre-scan,
whatever instrument it prepares ("Pre-DPIA toets" is the DPIA pre-scan, not a DPIA). Otherwise the
instrument is ``other``. The title as published is always kept.

The status (performed, planned, not performed, not needed, unknown) is read from what the record says:
an item of the register's list of assessments is one that was done (the standard asks for the assessments
carried out) unless its text says it is still to come ("volgt", "nog niet beschikbaar"), not done, not
needed, or only a placeholder ("LINK OPNEMEN NAAR DPIA"); the record's explanation can say the same of an
item's instrument ("DPIA pending the final opinion of the DPO"). Some items are no assessment at all ("Nee,",
"Zie verwerkingsregister"): :func:`status_of` returns ``None`` for them and the caller keeps the text.
"""

import re

from pyoxigraph import Literal, NamedNode, Quad

from loader.mapping import terms as t
from loader.mapping.concepts import ConceptIndex, fold

SCHEME = "assessment-instrument"
OTHER = t.concept_iri(SCHEME, "other")
PRE_SCAN = t.concept_iri(SCHEME, "pre-scan-dpia")
UNSPECIFIED = t.concept_iri(SCHEME, "unspecified")
STATUS_SCHEME = "assessment-status"
PERFORMED, PLANNED, NOT_PERFORMED, NOT_NEEDED, UNKNOWN = (
    "performed", "planned", "not-performed", "not-needed", "unknown"
)  # fmt: skip
_NO = {"nee", "no", "niet", "n", "false"}
_YES = {"ja", "yes", "j", "y", "true"}
# Item texts that name no assessment: a bare no, or a pointer elsewhere.
_NO_ASSESSMENT = re.compile(r"^(nee|no|geen|none|nvt|n v t|niet van toepassing|not applicable)$|^(zie|see)\b.*regist")
_PRE_SCAN = re.compile(r"\b(pre ?scan|pre dpia|quick ?scan|voortoets)\b")
# Cues, tried in this order; each is a phrase of the folded text (case, accents and punctuation aside).
_CUES = (
    (UNKNOWN, r"\blink opnemen\b|\blink invoegen\b|\bnog in te vullen\b|\btbd\b|\btodo\b"),
    (PLANNED, r"\bvolgt\b|\bnog niet\b|\bin voorbereiding\b|\bwordt (uitgevoerd|opgesteld|gemaakt)\b|\bin uitvoering\b"
     r"|\bgepland\b|\bbinnenkort\b|\bplanned\b|\bpending\b|\bto follow\b|\bnot yet\b|\bin progress\b|\bwill be\b"
     r"|\bunder ?way\b|\bstill in talks\b"),
    (NOT_NEEDED, r"\bniet (nodig|noodzakelijk|vereist|verplicht|van toepassing)\b|\bn v t\b"
     r"|\bgeen (dpia|iama|fria|aiia|impacttoets) (nodig|noodzakelijk|vereist)\b"
     r"|\bnot (necessary|needed|required|applicable)\b"),
    (NOT_PERFORMED, r"\bniet (uitgevoerd|gedaan)\b|\bnot (performed|carried out|conducted|done)\b"
     r"|\bmaar niet (over|voor|op) (deze|dit|het)\b|\bbut not (for|on|of) (this|the)\b"
     r"|\b(geen|no) (dpia|iama|fria|aiia|impacttoets|impact assessment)\b"),
)  # fmt: skip
_SENTENCE = re.compile(r"[.!?;\n]+")


def instrument_for(title: str, concepts: ConceptIndex) -> tuple[NamedNode, str]:
    """The instrument a title names and how it was found (``label``, ``pre-scan``, ``prefix``, ``acronym``, ``none``)."""
    match = concepts.find(SCHEME, title)
    if match:
        return NamedNode(match.iri), "label"
    folded = fold(title)
    if _PRE_SCAN.search(folded):
        return PRE_SCAN, "pre-scan"
    labels = concepts.labels(SCHEME)
    prefixes = [(len(label), iris) for label, iris in labels.items() if folded.startswith(label + " ")]
    if prefixes:
        _, iris = max(prefixes, key=lambda item: item[0])
        if len(iris) == 1:
            return NamedNode(next(iter(iris))), "prefix"
    words = set(folded.split())
    acronyms = {iri for label, iris in labels.items() if " " not in label and label in words for iri in iris}
    if len(acronyms) == 1:
        return NamedNode(acronyms.pop()), "acronym"
    return OTHER, "none"


def _cue(text: str) -> str | None:
    folded = fold(text)
    return next((status for status, pattern in _CUES if re.search(pattern, folded)), None)


def status_of(text: str, *, instrument: NamedNode, explanation: str | None = None) -> str | None:
    """The status an item of the record's list of assessments states; ``None``: the item is no assessment.

    >>> dpia = t.concept_iri(SCHEME, "dpia")
    >>> status_of("IAMA, volgt", instrument=t.concept_iri(SCHEME, "iama")), status_of("Nee,", instrument=OTHER)
    ('planned', None)
    >>> status_of("Data Protection Impact Assessment (DPIA)", instrument=dpia, explanation="DPIA pending the DPO.")
    'planned'
    """
    folded = fold(text)
    if not folded or _NO_ASSESSMENT.search(folded):
        return None
    found = _cue(text)
    if instrument == PRE_SCAN:
        # A pre-scan that concluded no DPIA is needed was done: its conclusion stays in its title.
        return found if found in (PLANNED, UNKNOWN) else PERFORMED
    if found:
        return found
    acronym = instrument.value.rsplit("/", 1)[-1]
    if explanation and instrument not in (OTHER, PRE_SCAN) and "-" not in acronym:
        # A sentence of the explanation about this item's instrument that says it is not done (yet).
        for sentence in _SENTENCE.split(explanation):
            if acronym in fold(sentence).split() and (found := _cue(sentence)):
                return found
    return PERFORMED


def answer_status(answer: str | None) -> str:
    """The status a yes/no answer states (older standards' iama/dpia fields; the listing's impactassessment)."""
    performed = yes_no(answer)
    if performed is None:
        return UNKNOWN
    return PERFORMED if performed else NOT_PERFORMED


def assessment_quads(
    node: NamedNode,
    *,
    title: str,
    link: str | None,
    status: str,
    description: str | None,
    language: str | None,
    concepts: ConceptIndex,
    graph: NamedNode,
    instrument: NamedNode | None = None,
    answer: str | None = None,
) -> list[Quad]:
    """The assessment ``node`` (the registration links to it, see ``loader.mapping.records``).

    :param status: a notation of the assessment-status scheme; ``akg:wasPerformed`` follows from it.
    :param answer: the yes/no (or Ja/Nee/Onbekend) answer as published, kept as ``akg:valueAsPublished``.
    """
    instrument = instrument or instrument_for(title, concepts)[0]
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (node, t.RDF_TYPE, t.akg("Assessment")),
        (node, t.akg("instrument"), instrument),
        (node, t.akg("titleAsPublished"), Literal(title)),
        (node, t.akg("assessmentStatus"), t.concept_iri(STATUS_SCHEME, status)),
    ]
    if status != UNKNOWN:
        triples.append((node, t.akg("wasPerformed"), t.typed(str(status == PERFORMED).lower(), "boolean")))
    if answer:
        triples.append((node, t.akg("valueAsPublished"), Literal(answer)))
    if link:
        triples.append((node, t.akg("link"), t.typed(link, "anyURI")))
    if description:
        predicate = t.akg("notPerformedReason") if status in (NOT_PERFORMED, NOT_NEEDED) else t.dct("description")
        triples.append((node, predicate, t.text(description, language)))
    return [Quad(s, p, o, graph) for s, p, o in triples]


def yes_no(value: str | None) -> bool | None:
    """``ja``/``nee`` (and English) as a boolean; anything else is not an answer."""
    folded = fold(value or "")
    return True if folded in _YES else False if folded in _NO else None
