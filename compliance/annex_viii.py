"""An algorithm's AI Act database registration data (Annex VIII), as JSON and JSON-LD, checked by SHACL.

Section C (Article 49(3)): what a public authority deploying a high-risk Annex III system (not point 2) registers.
Section B (Article 49(2)): what a provider registers when it considers an Annex III system not high-risk under
Article 6(3). The data is read by the CONSTRUCT queries ``queries/compliance/annex-viii-{b,c}.rq``, which also
return the facts that decide whether the section applies, so the record validates on its own against the SHACL
profile ``annex-viii-{b,c}`` (with the model as background): the JSON-LD export parsed back is the same graph.
The AI Act category and roles are those of the algorithm's position (:mod:`compliance.position`: its newest
classification wins over what is declared); the export says which, with notes where the position leaves the
section open (a classification under Annex III without a recorded point) or rules it out.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Variable
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral

from compliance.position import Position, position_of
from compliance.sparql import compliance_query, store_select
from loader.errors import AlgokgError
from loader.mapping import terms as t
from loader.validation import ValidationReport, validate

__all__ = ["CONTEXT", "SECTIONS", "AnnexVIIIError", "AnnexVIIIExport", "export", "record_graph"]

AKG = t.AKG
ID = t.ID
SKOS = "http://www.w3.org/2004/02/skos/core#"
ANNEX_III_2 = f"{ID}annex-iii/2"
ART_6_3 = f"{ID}aiact-risk-level/not-high-risk-art-6-3"
ROLE = f"{ID}aiact-role/"

# The JSON-LD context of the export: the model's own terms, so the document parses back to the queried graph.
CONTEXT: dict[str, Any] = {
    "akg": AKG,
    "dct": t.DCT,
    "skos": SKOS,
    "xsd": t.XSD,
    "id": "@id",
    "type": "@type",
}


class AnnexVIIIError(AlgokgError):
    """The algorithm is not in the store, or the section is not B or C."""


@dataclass(frozen=True)
class Item:
    """One numbered item of a section: its words in the regulation and the model properties that hold it."""

    point: int
    en: str
    nl: str
    properties: tuple[str, ...]


# Item texts abridged from Annex VIII of Regulation (EU) 2024/1689 (English and Dutch language versions).
SECTIONS: dict[str, tuple[Item, ...]] = {
    "c": (
        Item(
            1,
            "The name, address and contact details of the deployer",
            "Naam, adres en contactgegevens van de gebruiksverantwoordelijke",
            ("deployer", "akg:contact"),
        ),
        Item(
            2,
            "The name, address and contact details of the person submitting information on behalf of the deployer",
            "Naam, adres en contactgegevens van de persoon die namens de gebruiksverantwoordelijke informatie indient",
            ("akg:registrationSubmitter",),
        ),
        Item(
            3,
            "The URL of the entry of the AI system in the EU database by its provider",
            "De URL van de registratie van het AI-systeem in de EU-databank door de aanbieder",
            ("akg:euDatabaseEntry",),
        ),
        Item(
            4,
            "A summary of the findings of the fundamental rights impact assessment (Article 27)",
            "Een samenvatting van de bevindingen van de beoordeling van de gevolgen voor de grondrechten (artikel 27)",
            ("akg:friaSummary",),
        ),
        Item(
            5,
            "A summary of the data protection impact assessment (Article 35 GDPR), where applicable",
            "Een samenvatting van de gegevensbeschermingseffectbeoordeling (artikel 35 AVG), indien van toepassing",
            ("akg:dpiaSummary",),
        ),
    ),
    "b": (
        Item(
            1,
            "The name, address and contact details of the provider",
            "Naam, adres en contactgegevens van de aanbieder",
            ("provider",),
        ),
        Item(
            2,
            "Where submission is done by another person on behalf of the provider, that person's name, address and contact details",
            "Indien een andere persoon namens de aanbieder indient: diens naam, adres en contactgegevens",
            ("akg:registrationSubmitter",),
        ),
        Item(
            3,
            "The name, address and contact details of the authorised representative, where applicable",
            "Naam, adres en contactgegevens van de gemachtigde, indien van toepassing",
            ("authorised-representative",),
        ),
        Item(
            4,
            "The AI system trade name and any additional unambiguous reference",
            "De handelsnaam van het AI-systeem en eventuele aanvullende ondubbelzinnige verwijzingen",
            ("dct:title",),
        ),
        Item(
            5,
            "A description of the intended purpose of the AI system",
            "Een beschrijving van het beoogde doel van het AI-systeem",
            ("akg:goal", "akg:shortDescription"),
        ),
        Item(
            6,
            "The condition or conditions under Article 6(3) on which the AI system is considered not high-risk",
            "De voorwaarde(n) van artikel 6, lid 3, op grond waarvan het AI-systeem niet als systeem met een hoog risico wordt beschouwd",
            ("akg:art6_3Condition",),
        ),
        Item(
            7,
            "A short summary of the grounds on which the AI system is considered not high-risk under Article 6(3)",
            "Een korte samenvatting van de gronden waarop het AI-systeem met toepassing van artikel 6, lid 3, niet als systeem met een hoog risico wordt beschouwd",
            ("akg:art6_3Grounds",),
        ),
        Item(8, "The status of the AI system", "De status van het AI-systeem", ("akg:status",)),
        Item(
            9,
            "Any Member State in which the AI system has been placed on the market, put into service or made available",
            "Lidstaten waar het AI-systeem in de handel is gebracht, in gebruik is gesteld of beschikbaar is gemaakt",
            ("akg:availableInMemberState",),
        ),
    ),
}


@dataclass(frozen=True)
class AnnexVIIIExport:
    """One section's registration data of one algorithm: the graph, whether the section applies, the SHACL report."""

    algorithm: str
    section: str
    graph: Graph
    applies: bool
    report: ValidationReport
    position: Position | None = None
    notes: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.report.conforms

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: each numbered item with its words and values (absent items have no values)."""
        items = []
        for item in SECTIONS[self.section]:
            values: dict[str, list[Any]] = {}
            for key in item.properties:
                found = self._role(key) if ":" not in key else self._values(URIRef(self.algorithm), key)
                if found:
                    values[key.removeprefix("akg:").removeprefix("dct:")] = found
            items.append({"point": item.point, "en": item.en, "nl": item.nl, "values": values})
        violations = [
            {"shape": result.shape, "message_en": result.message_en, "message_nl": result.message_nl}
            for result in self.report.results
            if result.severity == "Violation"
        ]
        return {
            "algorithm": self.algorithm,
            "section": self.section.upper(),
            "title": next(iter(self._values(URIRef(self.algorithm), "dct:title")), None),
            "applies": self.applies,
            "valid": self.valid,
            "profile": f"annex-viii-{self.section}",
            "position": self.position.to_json() if self.position else None,
            "notes": list(self.notes),
            "items": items,
            "violations": violations,
        }

    def to_jsonld(self) -> dict[str, Any]:
        """The record graph as compact JSON-LD with :data:`CONTEXT` (parses back to the same triples)."""
        document = json.loads(self.graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True))
        return document if isinstance(document, dict) else {"@context": CONTEXT, "@graph": document}

    def _values(self, subject: URIRef, key: str) -> list[Any]:
        found: list[Any] = []
        for value in self.graph.objects(subject, _expand(key)):
            names = [_plain(name) for name in self.graph.objects(value, _expand("skos:prefLabel"))]
            # A named node (a submitter) is shown with its name; a link (EU database entry) as is.
            found.append({"id": str(value), "name": names} if names else _plain(value))
        return found

    def _role(self, role: str) -> list[dict[str, Any]]:
        """The holders of ``role`` (deployer, provider, authorised-representative) with their name and contact."""
        found = []
        for assignment in self.graph.objects(URIRef(self.algorithm), _expand("akg:hasRoleAssignment")):
            if (assignment, _expand("akg:aiActRole"), URIRef(ROLE + role)) not in self.graph:
                continue
            for holder in self.graph.objects(assignment, _expand("akg:roleHolder")):
                entry: dict[str, Any] = {"id": str(holder), "name": self._values(holder, "skos:prefLabel")}
                for key in ("akg:contact", "akg:isPublicAuthority"):
                    if values := self._values(holder, key):
                        entry[key.removeprefix("akg:")] = values
                found.append(entry)
        return found


def _expand(curie: str) -> URIRef:
    prefix, name = curie.split(":", 1)
    return URIRef(str(CONTEXT[prefix]) + name)


def _plain(value: Any) -> Any:
    if isinstance(value, RdfLiteral):
        python = value.toPython()
        return python if isinstance(python, bool | int) else str(value)
    return str(value)


def _node(algorithm: str) -> NamedNode:
    return NamedNode(algorithm) if ":" in algorithm else t.algorithm_iri(algorithm)


def rdflib_term(term: Any) -> Any:
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        return RdfLiteral(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def record_graph(store: Store, algorithm: str, section: str) -> Graph:
    """The section's registration data of ``algorithm`` (register id or IRI) as an rdflib graph.

    :raises AnnexVIIIError: the section is not ``b`` or ``c``, or the store holds no such algorithm.
    """
    section = section.lower()
    if section not in SECTIONS:
        raise AnnexVIIIError(f"Annex VIII section {section!r}: choose b or c", field="section")
    node = _node(algorithm)
    triples: Iterable[Any] = store.query(
        compliance_query(f"annex-viii-{section}"),
        substitutions={Variable("algorithm"): node},
        use_default_graph_as_union=True,
    )
    graph = Graph()
    for name, namespace in CONTEXT.items():
        if not namespace.startswith("@"):
            graph.bind(name, namespace)
    for triple in triples:
        graph.add((rdflib_term(triple.subject), rdflib_term(triple.predicate), rdflib_term(triple.object)))
    if not len(graph):
        raise AnnexVIIIError(f"no algorithm {node.value} in the store", field="algorithm")
    return graph


def applies(graph: Graph, algorithm: str, section: str) -> bool:
    """Whether the section asks anything of this algorithm, by the conditions the SHACL profile targets."""
    subject = URIRef(algorithm)
    levels = {str(level) for level in graph.objects(subject, _expand("akg:riskLevel"))}
    profiles = any(value.toPython() is True for value in graph.objects(subject, _expand("akg:profilesNaturalPersons")))
    if section == "b":
        return ART_6_3 in levels
    points = {str(point) for point in graph.objects(subject, _expand("akg:annexIIIPoint"))}
    if not points - {ANNEX_III_2} or (ART_6_3 in levels and not profiles):
        return False
    deployer = URIRef(ROLE + "deployer")
    for assignment in graph.objects(subject, _expand("akg:hasRoleAssignment")):
        if (assignment, _expand("akg:aiActRole"), deployer) in graph:
            holders = graph.objects(assignment, _expand("akg:roleHolder"))
            if any((holder, _expand("akg:isPublicAuthority"), RdfLiteral(True)) in graph for holder in holders):
                return True
    return False


def export(store: Store, algorithm: str, section: str = "c") -> AnnexVIIIExport:
    """Read, check and package one section of an algorithm's Annex VIII registration data.

    :raises AnnexVIIIError: unknown section or algorithm.
    """
    section = section.lower()
    graph = record_graph(store, algorithm, section)
    iri = _node(algorithm).value
    report = validate(graph, profiles=[f"annex-viii-{section}"])
    position = position_of(store_select(store), iri)
    points = set(graph.objects(URIRef(iri), _expand("akg:annexIIIPoint")))
    return AnnexVIIIExport(
        iri, section, graph, applies(graph, iri, section), report, position, _notes(position, section, bool(points))
    )


def _notes(position: Position, section: str, has_point: bool) -> tuple[str, ...]:
    """What the position says about the section beyond the SHACL profile."""
    classified = position.classified
    notes = []
    if classified is not None and classified.out_of_scope:
        notes.append(
            f"by the classification ({classified.conclusion_id}) the AI Act does not apply: section "
            f"{section.upper()} asks nothing"
        )
    if position.disagrees:
        notes.append(
            "the declared AI Act category and the classification differ: the classification counts (algokg report "
            "aiact-disagreement)"
        )
    annex_iii = f"{ID}aiact-risk-level/high-risk-annex-iii"
    if section == "c" and classified is not None and annex_iii in classified.levels and not has_point:
        notes.append(
            "the classification says high-risk under Annex III but no Annex III point is recorded (the decision tree "
            "does not ask it): section C applies to a public deployer unless the system falls under point 2 "
            "(critical infrastructure); record akg:annexIIIPoint"
        )
    return tuple(notes)
