"""The laws the model's law data describes (``ontology/law``), as gazetteer entries, and the nodes it already names.

A law is a subject with ``akg:bwbId`` or an EU act's ELI (``http://data.europa.eu/eli/reg/2016/679/oj``); its
names are its ``eli:title``, ``akg:shortTitle`` and ``akg:citationAlias`` values. Short names without spaces
(``Awb``, ``Gw``, ``AVG``) are abbreviations, matched only as written or in capitals.
"""

from functools import cache

from rdflib import Graph, Literal, Namespace, URIRef

from loader.reconcile.law_gazetteer import LawEntry, celex_from_eli, is_abbreviation
from ontology import law_files

AKG = Namespace("https://w3id.org/algokg/def#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


@cache
def model_law_graph() -> Graph:
    graph = Graph()
    for path in law_files():
        graph.parse(path, format="turtle")
    return graph


@cache
def model_law_entries() -> tuple[LawEntry, ...]:
    graph = model_law_graph()
    entries = []
    for subject in sorted(
        {s for p in (AKG.bwbId, AKG.shortTitle, AKG.citationAlias) for s in graph.subjects(p, None)}, key=str
    ):
        if not isinstance(subject, URIRef):
            continue
        bwb = graph.value(subject, AKG.bwbId)
        law_id = str(bwb) if bwb else celex_from_eli(str(subject))
        if law_id is None:
            continue
        names = [str(o) for p in (ELI.title, AKG.shortTitle, AKG.citationAlias) for o in graph.objects(subject, p)]
        entries.append(
            LawEntry(
                law_id=law_id,
                source=f"model: ontology/law ({subject})",
                title_nl=_label(graph, subject, "nl"),
                title_en=_label(graph, subject, "en"),
                names=tuple(dict.fromkeys(n for n in names if not is_abbreviation(n))),
                abbreviations=tuple(dict.fromkeys(n for n in names if is_abbreviation(n))),
                in_model=True,
            )
        )
    return tuple(entries)


@cache
def model_subjects() -> frozenset[str]:
    """Every law and subdivision node the model describes (its labels need not be written again)."""
    graph = model_law_graph()
    return frozenset(str(s) for s in graph.subjects(RDFS_LABEL, None) if isinstance(s, URIRef))


def _label(graph: Graph, subject: URIRef, language: str) -> str | None:
    for predicate in (RDFS_LABEL, ELI.title):
        for value in graph.objects(subject, predicate):
            if isinstance(value, Literal) and value.language == language:
                return str(value)
    return None
