"""Find a scheme's concept from a value as published: labels in Dutch and English, notations,
and the hidden labels that record the spellings and typos seen in the real register."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ontology import scheme_files

SCHEME_BASE = "https://w3id.org/algokg/id/scheme/"


def fold(value: str) -> str:
    """Case, accents, punctuation and spacing do not tell values apart ("Overheidsfinanciën" = "overheidsfinancien")."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


@dataclass(frozen=True)
class ConceptMatch:
    iri: str
    language: str | None  # language of the label that matched (None: a notation or untagged label)


class ConceptIndex:
    """Every label of every concept, per scheme, folded with :func:`fold`."""

    def __init__(self, graph: Graph) -> None:
        self._by_scheme: dict[str, dict[str, set[tuple[str, str | None]]]] = {}
        self._found: dict[tuple[str, str], ConceptMatch | None] = {}
        self._labels: dict[str, dict[str, set[str]]] = {}
        for concept, scheme in graph.subject_objects(SKOS.inScheme):
            if not isinstance(concept, URIRef):
                continue
            labels = self._by_scheme.setdefault(str(scheme).removeprefix(SCHEME_BASE), {})
            for predicate in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.notation):
                for label in graph.objects(concept, predicate):
                    language = label.language if isinstance(label, Literal) else None
                    labels.setdefault(fold(str(label)), set()).add((str(concept), language))

    def find(self, scheme: str, value: str) -> ConceptMatch | None:
        """The one concept of ``scheme`` the value names, or ``None`` (unknown or ambiguous)."""
        # A register repeats a handful of values (themes, statuses) thousands of times.
        key = (scheme, value)
        if key not in self._found:
            self._found[key] = self._find(scheme, value)
        return self._found[key]

    def _find(self, scheme: str, value: str) -> ConceptMatch | None:
        found = self._by_scheme.get(scheme, {}).get(fold(value), set())
        iris = {iri for iri, _ in found}
        if len(iris) != 1:
            return None
        languages = {language for _, language in found if language}
        return ConceptMatch(next(iter(iris)), languages.pop() if len(languages) == 1 else None)

    def labels(self, scheme: str) -> dict[str, set[str]]:
        """Folded label -> concept IRIs, for prefix and acronym matching (made once per scheme: do not change it)."""
        if scheme not in self._labels:
            found = self._by_scheme.get(scheme, {}).items()
            self._labels[scheme] = {label: {iri for iri, _ in matches} for label, matches in found}
        return self._labels[scheme]


@cache
def default_concept_index() -> ConceptIndex:
    graph = Graph()
    for path in scheme_files():
        graph.parse(path, format="turtle")
    return ConceptIndex(graph)
