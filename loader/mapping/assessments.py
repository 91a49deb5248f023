"""Impact assessments of a record -> akg:Assessment nodes with the instrument normalised.

A title is matched to the assessment-instrument scheme by, in order: a label (hidden labels hold
the typos seen in the register), a label the title starts with ("Data Protection Impact
Assessment (DPIA), Pre-DPIA toets …"), or exactly one instrument acronym in it ("DPIA, uitgevoerd").
Otherwise the instrument is ``other``. The title as published is always kept.
"""

from pyoxigraph import Literal, NamedNode, Quad

from loader.mapping import terms as t
from loader.mapping.concepts import ConceptIndex, fold

SCHEME = "assessment-instrument"
OTHER = t.concept_iri(SCHEME, "other")
_NO = {"nee", "no", "niet", "n", "false"}
_YES = {"ja", "yes", "j", "y", "true"}


def instrument_for(title: str, concepts: ConceptIndex) -> tuple[NamedNode, str]:
    """The instrument a title names and how it was found (``label``, ``prefix``, ``acronym``, ``none``)."""
    match = concepts.find(SCHEME, title)
    if match:
        return NamedNode(match.iri), "label"
    folded = fold(title)
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


def assessment_quads(
    node: NamedNode,
    *,
    title: str,
    link: str | None,
    performed: bool | None,
    description: str | None,
    language: str | None,
    concepts: ConceptIndex,
    graph: NamedNode,
) -> list[Quad]:
    """The assessment ``node`` (the registration links to it, see ``loader.mapping.records``)."""
    instrument, _ = instrument_for(title, concepts)
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (node, t.RDF_TYPE, t.akg("Assessment")),
        (node, t.akg("instrument"), instrument),
        (node, t.akg("titleAsPublished"), Literal(title)),
    ]
    if performed is not None:
        triples.append((node, t.akg("wasPerformed"), t.typed(str(performed).lower(), "boolean")))
    if link:
        triples.append((node, t.akg("link"), t.typed(link, "anyURI")))
    if description:
        predicate = t.akg("notPerformedReason") if performed is False else t.dct("description")
        triples.append((node, predicate, t.text(description, language)))
    return [Quad(s, p, o, graph) for s, p, o in triples]


def yes_no(value: str | None) -> bool | None:
    """``ja``/``nee`` (and English) as a boolean; anything else is not an answer."""
    folded = fold(value or "")
    return True if folded in _YES else False if folded in _NO else None
