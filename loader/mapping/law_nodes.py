"""The nodes a statutory basis points at, with the triples that name them: laws, their articles, paragraphs,
points and chapters, and local regulations of the organisation that published the record.

IRIs follow docs/identifiers.md: ``…/law/bwb/{BWB id}[/artikel/{n}[/lid/{p}][/onderdeel/{x}] | /hoofdstuk/{n}]``
with Juriconnect references (``jci1.3:c:BWBR0015703&artikel=64&lid=1&onderdeel=c``); an EU act is its ELI,
its parts ``…/law/eli/{type}/{year}/{number}/art_{n}[/par_{p}][/pnt_{x}]``; a law known by name only
(:mod:`loader.reconcile.law_by_name`) is ``…/law/name/{slug}`` (``akg:LawByName``), its parts as a BWB law's
without Juriconnect references; a local regulation is its CVDR node, or ``…/law/local/{organisation}/{title}``
when no CVDR link names it. Every law node is named: by the
gazetteer's title, else by the title the register cites most for it (``akg:nameSource "register"``), else by
its identifier (``akg:nameSource "identifier"``). Names the model's law data already gives are not repeated.
"""

import hashlib
from dataclasses import dataclass
from functools import cache

from pyoxigraph import Literal, NamedNode

from loader.mapping import terms as t
from loader.reconcile.law_articles import ArticleRef
from loader.reconcile.law_gazetteer import Gazetteer, eli_from_law_id, is_minted
from loader.reconcile.local_regulations import title_key
from loader.reconcile.model_laws import model_subjects

Triple = tuple[NamedNode, NamedNode, NamedNode | Literal]
RDFS_LABEL = t.RDFS_LABEL
SKOS_EXACT_MATCH = NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
_ORDINAL_NL = {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde", 5: "vijfde", 6: "zesde", 7: "zevende", 8: "achtste"}


@dataclass(frozen=True)
class Publisher:
    """The organisation that published a record: its node (TOOI IRI, else the algokg IRI minted from its name)."""

    iri: str | None = None
    name: str | None = None

    @property
    def key(self) -> str:
        if self.iri:
            return self.iri.rstrip("/").rsplit("/", 1)[-1]
        digest = hashlib.sha256((self.name or "").encode()).hexdigest()[:12]
        return f"name-{digest}"


def law_iri(law_id: str) -> NamedNode:
    if is_minted(law_id):
        return NamedNode(f"{t.ID}law/name/{law_id.removeprefix('name:')}")
    eli = eli_from_law_id(law_id)
    return NamedNode(eli) if eli else t.bwb_law_iri(law_id)


def law_triples(law_id: str, gazetteer: Gazetteer) -> list[Triple]:
    node = law_iri(law_id)
    triples: list[Triple] = [(node, t.RDF_TYPE, t.eli("LegalResource"))]
    if is_minted(law_id):  # no identifier: the node says so, and links what a source gives (an ELI)
        triples.append((node, t.RDF_TYPE, t.akg("LawByName")))
        entry = gazetteer.get(law_id)
        if entry is not None and entry.same_as:
            same_as = NamedNode(entry.same_as)
            triples += [(node, SKOS_EXACT_MATCH, same_as), (node, t.RDFS_SEE_ALSO, same_as)]
    elif eli_from_law_id(law_id):
        triples.append((node, t.akg("celexNumber"), Literal(law_id)))
    else:
        triples += [
            (node, t.akg("bwbId"), Literal(law_id)),
            (node, t.akg("juriconnectReference"), Literal(f"jci1.3:c:{law_id}")),
        ]
    if node.value in model_subjects():
        return triples
    dutch, english, origin = _names(law_id, gazetteer)
    triples += [(node, RDFS_LABEL, Literal(dutch, language="nl")), (node, RDFS_LABEL, Literal(english, language="en"))]
    if origin != "gazetteer":
        triples.append((node, t.akg("nameSource"), Literal(origin)))
    return triples


def short_name(law_id: str, gazetteer: Gazetteer, language: str = "nl") -> str:
    dutch, english, _ = _names(law_id, gazetteer)
    return english if language == "en" else dutch


@cache
def _eu_name(law_id: str) -> tuple[str, str]:
    year, letter, number = law_id[1:5], law_id[5], int(law_id[6:])
    kind_nl, kind_en = {"R": ("Verordening", "Regulation"), "L": ("Richtlijn", "Directive")}.get(
        letter, ("Besluit", "Decision")
    )
    if int(year) >= 2015:
        return f"{kind_nl} (EU) {year}/{number}", f"{kind_en} (EU) {year}/{number}"
    return f"{kind_nl} (EU) nr. {number}/{year}", f"{kind_en} (EU) No {number}/{year}"


def _names(law_id: str, gazetteer: Gazetteer) -> tuple[str, str, str]:
    dutch, english, origin = gazetteer.labels(law_id)
    if origin == "identifier" and eli_from_law_id(law_id):
        dutch, english = _eu_name(law_id)
        origin = "gazetteer"
    if origin == "identifier":
        dutch, english = f"regeling {law_id}", f"regulation {law_id}"
    return dutch or english or law_id, english or dutch or law_id, origin


def part_node(
    law_id: str, gazetteer: Gazetteer, *, ref: ArticleRef | None = None, chapter: str | None = None
) -> tuple[NamedNode, list[Triple]]:
    """The node of an article (with its paragraph and point) or chapter, and the chain of triples up to the law."""
    law = law_iri(law_id)
    if eli_from_law_id(law_id):
        return _eu_part(law, law_id, gazetteer, ref, chapter)
    steps: list[tuple[str, str, str]] = []  # (IRI step, Juriconnect key, value)
    if chapter is not None:
        steps.append((f"hoofdstuk/{chapter}", "hoofdstuk", chapter))
    elif ref is not None:
        steps.append((f"artikel/{ref.article}", "artikel", ref.article))
        if ref.paragraph:
            steps.append((f"lid/{ref.paragraph}", "lid", ref.paragraph))
        if ref.point:
            steps.append((f"onderdeel/{ref.point}", "onderdeel", ref.point))
    triples: list[Triple] = []
    parent, path, jci = law, law.value, f"jci1.3:c:{law_id}"
    for step, key, value in steps:
        path, jci = f"{path}/{step}", f"{jci}&{key}={value}"
        node = NamedNode(path)
        triples += _subdivision(node, parent, value)
        if not is_minted(law_id):
            triples.append((node, t.akg("juriconnectReference"), Literal(jci)))
        if node.value not in model_subjects():
            dutch, english = _part_labels(law_id, gazetteer, steps[: steps.index((step, key, value)) + 1])
            triples += [
                (node, RDFS_LABEL, Literal(dutch, language="nl")),
                (node, RDFS_LABEL, Literal(english, language="en")),
            ]
        parent = node
    return parent, triples


def _eu_part(
    law: NamedNode, law_id: str, gazetteer: Gazetteer, ref: ArticleRef | None, chapter: str | None
) -> tuple[NamedNode, list[Triple]]:
    steps = [f"cpt_{chapter}"] if chapter is not None else []
    if ref is not None and chapter is None:
        steps = [f"art_{ref.article}"] + ([f"par_{ref.paragraph}"] if ref.paragraph else [])
        steps += [f"pnt_{ref.point}"] if ref.point else []
    triples: list[Triple] = []
    parent, eli_path = law, law.value.removesuffix("/oj")
    for index, step in enumerate(steps):
        node = t.eu_subdivision_iri(law.value, "/".join(steps[: index + 1]))
        eli_path = f"{eli_path}/{step}"
        triples += _subdivision(node, parent, step.split("_", 1)[1])
        triples.append((node, t.akg("eliSubdivision"), t.typed(f"{eli_path}/oj", "anyURI")))
        if node.value not in model_subjects():
            dutch, english = _eu_part_labels(law_id, gazetteer, steps[: index + 1])
            triples += [
                (node, RDFS_LABEL, Literal(dutch, language="nl")),
                (node, RDFS_LABEL, Literal(english, language="en")),
            ]
        parent = node
    return parent, triples


def _subdivision(node: NamedNode, parent: NamedNode, number: str) -> list[Triple]:
    return [
        (node, t.RDF_TYPE, t.eli("LegalResourceSubdivision")),
        (node, t.eli("is_part_of"), parent),
        (node, t.eli("number"), Literal(number)),
    ]


def _part_labels(law_id: str, gazetteer: Gazetteer, steps: list[tuple[str, str, str]]) -> tuple[str, str]:
    values = {key: value for _, key, value in steps}
    dutch_law, english_law = short_name(law_id, gazetteer), short_name(law_id, gazetteer, "en")
    if "hoofdstuk" in values:
        return f"hoofdstuk {values['hoofdstuk']} {dutch_law}", f"Chapter {values['hoofdstuk']} of the {english_law}"
    dutch, english = f"artikel {values['artikel']}", f"Article {values['artikel']}"
    if "lid" in values:
        lid = int(values["lid"]) if values["lid"].isdigit() else 0
        dutch += f", {_ORDINAL_NL[lid]} lid" if lid in _ORDINAL_NL else f", lid {values['lid']}"
        english += f"({values['lid']})"
    if "onderdeel" in values:
        dutch += f", onder {values['onderdeel']}"
        english += f"({values['onderdeel']})"
    return f"{dutch}, {dutch_law}", f"{english} of the {english_law}"


def _eu_part_labels(law_id: str, gazetteer: Gazetteer, steps: list[str]) -> tuple[str, str]:
    values = {step.split("_", 1)[0]: step.split("_", 1)[1] for step in steps}
    dutch_law, english_law = short_name(law_id, gazetteer), short_name(law_id, gazetteer, "en")
    if "cpt" in values:
        return f"hoofdstuk {values['cpt']} {dutch_law}", f"Chapter {values['cpt']} of the {english_law}"
    dutch, english = f"artikel {values['art']}", f"Article {values['art']}"
    if "par" in values:
        dutch += f", lid {values['par']}"
        english += f"({values['par']})"
    if "pnt" in values:
        dutch += f", punt {values['pnt']}"
        english += f"({values['pnt']})"
    return f"{dutch}, {dutch_law}", f"{english} of the {english_law}"


def local_node(
    title: str, publisher: Publisher | None, *, cvdr_id: str | None = None, language: str | None = None
) -> tuple[NamedNode, list[Triple]]:
    """A local regulation of the publishing organisation: its CVDR node, or one named by organisation and title."""
    if cvdr_id:
        node = t.cvdr_iri(cvdr_id)
    else:
        key = publisher.key if publisher else "unknown"
        node = NamedNode(f"{t.ID}law/local/{key}/{title_key(title) or 'regeling'}")
    triples: list[Triple] = [
        (node, t.RDF_TYPE, t.eli("LegalResource")),
        (node, t.RDF_TYPE, t.akg("LocalRegulation")),
        (node, RDFS_LABEL, t.text(title, language)),
    ]
    if publisher and publisher.iri:
        triples.append((node, t.eli("passed_by"), NamedNode(publisher.iri)))
    elif publisher and publisher.name:
        triples.append((node, t.akg("organisationName"), Literal(publisher.name)))
    return node, triples
