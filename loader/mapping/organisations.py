"""A record's organisation -> an organisation node with a type, whether or not its name was reconciled.

A name reconciled to TOOI gives the TOOI IRI; any other name gives an algokg organisation node
(``akg:UnreconciledOrganisation``) whose IRI is minted from the normalised name, so filters, pages and
queries by organisation work for it too. The Dutch and the English name of one body are one node: the
register's language pairs (the same algorithm in the Dutch and the English export) name the Dutch form,
and the node is minted from it. Each node gets the names the records give it (per language), and a type:
the one its TOOI list gives, else the one its name reliably says ("Stichting …", "… B.V.", "GGD …"), else
``onbekend``.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Quad

from loader.mapping import terms as t
from loader.mapping.concepts import ConceptIndex
from loader.reconcile.name_forms import clean, fold, parse
from loader.reconcile.organisations import OrganisationMatch, OrganisationMatcher
from loader.reconcile.tooi import TOOI_ID
from loader.sources.records import Record

ORGANISATION_BASE = f"{t.ID}organisation/"
UNKNOWN_TYPE = "onbekend"
_LANGUAGES = {"NLD": "nl", "ENG": "en"}
SKOS = "http://www.w3.org/2004/02/skos/core#"
# Names that say what kind of body it is although no list has it; the first that fits wins.
_NAME_PATTERNS = (
    (re.compile(r"\b(stichting|foundation)\b"), "stichting"),
    (re.compile(r"\b(b ?v|n ?v)$"), "vennootschap"),
    (
        re.compile(r"\b(ggd|gr|mgr|gemeenschappelijke regeling|samenwerkingsverband|samenwerking|werkorganisatie)\b"),
        "so",
    ),
    (re.compile(r"^[a-z]{2,5} organisatie\b"), "so"),  # "ABG-organisatie", "SED Organisatie": a work organisation
)


def minted_iri(name: str) -> NamedNode:
    """The algokg IRI of an organisation no list names, from its normalised name.

    >>> minted_iri("Stichting Inlichtingenbureau").value
    'https://w3id.org/algokg/id/organisation/stichting-inlichtingenbureau'
    """
    return NamedNode(ORGANISATION_BASE + "-".join(fold(clean(name)).split()))


def type_from_name(name: str, match: OrganisationMatch | None = None) -> str:
    """The organisation type a name says, when no list gives one: its type words, a legal form, else unknown.

    >>> type_from_name("Stichting Bureau Informatiediensten Nederland"), type_from_name("Liander N.V.")
    ('stichting', 'vennootschap')
    >>> type_from_name("GGD IJsselland"), type_from_name("Werkom")
    ('so', 'onbekend')
    """
    implied = (match.kind if match else None) or parse(name).kind
    if implied:
        return implied
    folded = fold(clean(name))
    return next((kind for pattern, kind in _NAME_PATTERNS if pattern.search(folded)), UNKNOWN_TYPE)


def language_pairs(files: Iterable[tuple[Iterable[Record], str | None]]) -> dict[str, str]:
    """English organisation name -> Dutch name, from algorithms a load has in both the Dutch and English export.

    :param files: each file's records with the language the file is in (``nl``/``en``), for records that
        do not say theirs.

    A pair counts only when each language gives the algorithm one name, and an English name is kept only
    when every algorithm pairs it with the same Dutch name.
    """
    names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for records, file_language in files:
        for record in records:
            organisation = getattr(record, "organization", None)
            language = _LANGUAGES.get((record.language or "").upper(), file_language)
            if record.algorithm_id and organisation and language in ("nl", "en"):
                names[record.algorithm_id][language].add(clean(organisation))
    found: dict[str, set[str]] = defaultdict(set)
    for by_language in names.values():
        dutch, english = by_language.get("nl", set()), by_language.get("en", set())
        if len(dutch) == 1 and len(english) == 1 and dutch != english:
            found[next(iter(english))].add(next(iter(dutch)))
    return {english: next(iter(dutch)) for english, dutch in found.items() if len(dutch) == 1}


@dataclass
class OrganisationNodes:
    """The organisation nodes a load makes, each described once per source graph."""

    matcher: OrganisationMatcher | None
    concepts: ConceptIndex
    pairs: dict[str, str] = field(default_factory=dict)  # English name (case-folded) -> Dutch name
    _described: set[tuple[str, str, str]] = field(default_factory=set)

    def type_iri(self, notation: str) -> NamedNode:
        """The organisation-type concept with this notation (``so`` is samenwerkingsorganisatie), else unknown."""
        found = self.concepts.find("organisation-type", notation) or self.concepts.find(
            "organisation-type", UNKNOWN_TYPE
        )
        assert found is not None, "the organisation-type scheme lacks onbekend"
        return NamedNode(found.iri)

    def node(self, name: str, match: OrganisationMatch) -> NamedNode:
        """The organisation a name stands for: the TOOI IRI of its match, else the node minted from its Dutch name."""
        if match.iri:
            return NamedNode(match.iri)
        return minted_iri(self.dutch_name(name, match) or name)

    def dutch_name(self, name: str, match: OrganisationMatch) -> str | None:
        """The Dutch name an English one stands for (a language pair of this load, else a table), if any."""
        return self.pairs.get(clean(name).casefold()) or match.dutch_name

    def quads(
        self, node: NamedNode, name: str, match: OrganisationMatch, language: str | None, graph: NamedNode
    ) -> list[Quad]:
        """The node's type, kind and names, once per source graph and published name."""
        key = (graph.value, node.value, f"{language}\n{name}")
        if key in self._described:
            return []
        self._described.add(key)
        reconciled = node.value.startswith(TOOI_ID)
        kind = (self.matcher.kind_of(node.value) if reconciled and self.matcher else None) or match.kind
        triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
            (node, t.RDF_TYPE, t.ORG_ORGANIZATION),
            (node, t.akg("organisationType"), self.type_iri(kind or type_from_name(name, match))),
        ]
        published = t.text(clean(name), language)
        if reconciled:
            label = self.matcher.label(node.value) if self.matcher else None
            if label:
                triples.append((node, t.SKOS_PREF_LABEL, Literal(label, language="nl")))
            if label != clean(name):
                triples.append((node, NamedNode(SKOS + "altLabel"), published))
            triples.append((node, t.akg("tooiCode"), Literal(node.value.rsplit("/", 1)[-1])))
        else:
            triples.append((node, t.RDF_TYPE, t.akg("UnreconciledOrganisation")))
            triples.append((node, t.SKOS_PREF_LABEL, published))
            dutch = self.dutch_name(name, match)
            if dutch and dutch != clean(name):
                triples.append((node, t.SKOS_PREF_LABEL, Literal(dutch, language="nl")))
        return [Quad(s, p, o, graph) for s, p, o in triples]
