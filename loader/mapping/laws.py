"""Legal bases of a record -> statutory-basis nodes pointing at laws, articles and local regulations.

Each grouped item (title + link) becomes one ``akg:StatutoryBasis`` with the title and the link as
published; what its link identifies (:mod:`loader.reconcile.law_links`, repaired when obviously damaged:
the repair recorded) and what its title cites (:mod:`loader.reconcile.law_citations`) become its legal
resources. When the title names one law and the link identifies another, the title's law is used, the
link stays as published with ``akg:linkIdentifies``, and ``akg:linkConflict`` says so (a SHACL warning of
the integrity profile, located at the record). Citations found only in the free text become bases of their
own. A dated link keeps its date (``akg:citedVersionDate``) so stale versions can be found.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from pyoxigraph import Literal, NamedNode, Quad

from loader.mapping import terms as t
from loader.mapping.law_nodes import Publisher, Triple, law_iri, law_triples, local_node, part_node, short_name
from loader.reconcile.law_articles import ArticleRef
from loader.reconcile.law_citations import Citation, Reading, normalise_refs, read_citations
from loader.reconcile.law_gazetteer import Gazetteer, celex_from_eli
from loader.reconcile.law_links import LawReference, law_id, parse_law_link, repair_link_text
from loader.reconcile.local_regulations import LocalMention
from loader.sources.grouped import TitledLink
from ontology import law_files

__all__ = ["Publisher", "StatutoryBases", "eu_act_for_oj", "link_pairs", "resolve_link", "statutory_bases"]

_ARTICLE_NUMBER = re.compile(r"^[0-9A-Za-z.:]+$")
Note = tuple[str, str, str, str | None]  # field, severity, message, value


@dataclass(frozen=True)
class Resource:
    """One thing a basis points at: a law (``ref`` and ``chapter`` None), an article or a chapter, or a local regulation."""

    law_id: str | None = None
    ref: ArticleRef | None = None
    chapter: str | None = None
    local_title: str | None = None
    cvdr_id: str | None = None

    def key(self) -> tuple[object, ...]:
        return (self.law_id, self.ref, self.chapter, self.cvdr_id, self.local_title if not self.cvdr_id else None)


@dataclass
class StatutoryBases:
    """A record's statutory-basis nodes (the registration links to them), their quads, and what was noticed."""

    quads: list[Quad]
    bases: list[NamedNode] = field(default_factory=list)
    links: int = 0
    links_resolved: int = 0
    unresolved: list[str] | None = None
    notes: list[Note] = field(default_factory=list)


@cache  # the same links recur thousands of times
def resolve_link(link: str) -> tuple[LawReference, str | None]:
    """What a link identifies, and the law id (BWB id or CELEX) of it, if any."""
    reference = parse_law_link(link)
    identified = law_id(reference)
    if identified is None and reference.oj and (act := eu_act_for_oj(reference.oj)):
        identified = celex_from_eli(act)
    return reference, identified


@cache
def known_eu_acts() -> frozenset[str]:
    """The ELIs of the EU acts in algokg's law data."""
    pattern = re.compile(r"<(http://data\.europa\.eu/eli/[a-z]+/\d{4}/\d+/oj)>")
    return frozenset(match for path in law_files() for match in pattern.findall(path.read_text(encoding="utf-8")))


def eu_act_for_oj(oj: str) -> str | None:
    """``L_202401689`` (the Official Journal's numbering since October 2023) -> the known act (its ELI) with that
    year and number.

    The OJ id does not say whether the act is a regulation, directive or decision, so only acts in
    algokg's law data are resolved.
    """
    match = re.fullmatch(r"L_(\d{4})(\d{5})", oj)
    if not match:
        return None
    year, number = match.group(1), int(match.group(2))
    found = [act for act in known_eu_acts() if act.endswith(f"/{year}/{number}/oj")]
    return found[0] if len(found) == 1 else None


def link_pairs(items: Iterable[TitledLink]) -> Iterator[tuple[str, str]]:
    """(title, law id) of every item whose link identifies a law: what the register teaches (register_pairs)."""
    for item in items:
        if item.title and item.link:
            _, identified = resolve_link(repair_link_text(item.link)[0])
            if identified:
                yield item.title, identified


def statutory_bases(
    registration: NamedNode,
    items: list[TitledLink],
    free_text: str | None,
    *,
    table: Gazetteer,
    graph: NamedNode,
    publisher: Publisher | None = None,
    language: str | None = None,
) -> StatutoryBases:
    """One akg:StatutoryBasis per grouped item, plus one per resource cited only in the free text."""
    builder = _Builder(registration, table, graph, publisher, language)
    return builder.build(items, free_text or "")


@dataclass
class _Item:
    item: TitledLink
    published: str | None
    repaired: str | None
    repairs: list[str]
    reference: LawReference | None
    link_law: str | None
    reading: Reading | None


class _Builder:
    def __init__(
        self,
        registration: NamedNode,
        gazetteer: Gazetteer,
        graph: NamedNode,
        publisher: Publisher | None,
        language: str | None,
    ) -> None:
        self.registration, self.gazetteer, self.graph = registration, gazetteer, graph
        self.publisher, self.language = publisher, language
        self.result = StatutoryBases([], unresolved=[])
        self.triples: list[Triple] = []
        self.cited: set[tuple[object, ...]] = set()

    def build(self, items: list[TitledLink], free_text: str) -> StatutoryBases:
        parsed = [self._parse(item) for item in items]
        text_links = [
            (m.start(), m.group(0).rstrip(".")) for m in re.finditer(r"(?:h?ttps?://|www\.)[^\s,;]+", free_text)
        ]
        for entry in parsed:
            entry.reading = read_citations(entry.item.title, self.gazetteer) if entry.item.title else None
        text = read_citations(free_text, self.gazetteer)
        readings = [entry.reading for entry in parsed if entry.reading] + [text]
        if any(reading.ambiguous for reading in readings):  # read again knowing what the record cites elsewhere
            context = frozenset(p.link_law for p in parsed if p.link_law) | {
                law for reading in readings for law in reading.laws
            }
            for entry in parsed:
                if entry.reading and entry.reading.ambiguous:
                    entry.reading = read_citations(entry.item.title, self.gazetteer, context=context)
            if text.ambiguous:
                text = read_citations(free_text, self.gazetteer, context=context)
        cvdr_titles = [entry.item.title for entry in parsed if entry.reference and entry.reference.cvdr_id]
        for number, entry in enumerate(parsed, 1):
            self._item(number, entry)
        self._free_text(text, [link for _, link in text_links], cvdr_titles)
        self.result.quads += [Quad(s, p, o, self.graph) for s, p, o in dict.fromkeys(self.triples)]
        return self.result

    def _parse(self, item: TitledLink) -> _Item:
        published = item.link or None
        if published is None:
            return _Item(item, None, None, [], None, None, None)
        repaired, repairs = repair_link_text(published)
        reference, link_law = resolve_link(repaired)
        return _Item(item, published, repaired, repairs, reference, link_law, None)

    # -- grouped items ---------------------------------------------------------------------------------

    def _item(self, number: int, entry: _Item) -> None:
        basis = NamedNode(f"{self.registration.value}/basis/{number}")
        self._basis(basis, entry.item.title or None)
        if entry.published:
            self.result.links += 1
            self.triples.append((basis, t.akg("link"), t.typed(entry.published, "anyURI")))
            if entry.repairs and entry.repaired and t.is_iri(entry.repaired):
                self.triples.append((basis, t.akg("repairedLink"), t.typed(entry.repaired, "anyURI")))
                self.triples += [(basis, t.akg("linkRepair"), Literal(repair)) for repair in entry.repairs]
                self.result.notes.append(
                    ("lawful_basis_grouping", "info", f"link repaired ({'; '.join(entry.repairs)})", entry.published)
                )
        reading, reference = entry.reading, entry.reference
        title_laws = reading.laws if reading else []
        resources: list[Resource] = []
        if entry.link_law:
            self.triples.append((basis, t.akg("linkIdentifies"), law_iri(entry.link_law)))
            if reference and reference.version_date:
                self.triples.append((basis, t.akg("citedVersionDate"), t.typed(reference.version_date, "date")))
        if entry.link_law and title_laws and entry.link_law not in title_laws:
            self._conflict(basis, reading, entry.link_law)  # type: ignore[arg-type]
            resources += self._from_reading(reading, sole_law=None)  # type: ignore[arg-type]
        elif entry.link_law:
            resources.append(self._link_resource(entry.link_law, reference))
            if reading:
                resources += self._from_reading(reading, sole_law=entry.link_law, with_local=not reference.cvdr_id)  # type: ignore[union-attr]
        elif reference and reference.cvdr_id:
            title = self._local_title(reading, entry.item.title)
            resources.append(Resource(local_title=title, cvdr_id=reference.cvdr_id))
            if reading:
                resources += self._from_reading(reading, sole_law=None, with_local=False)
        elif reading:
            sole = title_laws[0] if len(title_laws) == 1 else None
            resources += self._from_reading(reading, sole_law=sole)
        if entry.published:
            self.result.links_resolved += bool(entry.link_law or (reference and reference.cvdr_id))
            if not resources:
                self.result.unresolved.append(entry.published)  # type: ignore[union-attr]
        if reading:
            self.result.notes += [
                ("lawful_basis_grouping", "warning", note, entry.item.title) for note in reading.notes
            ]
        for resource in _most_specific(resources):
            self._point(basis, resource)

    def _link_resource(self, law: str, reference: LawReference | None) -> Resource:
        article = reference.article if reference else None
        if article and _ARTICLE_NUMBER.match(article):
            (ref,) = normalise_refs(law, (ArticleRef(article),), self.gazetteer)
            return Resource(law, ref)
        return Resource(law)

    def _from_reading(self, reading: Reading, *, sole_law: str | None, with_local: bool = True) -> list[Resource]:
        resources = [resource for citation in reading.citations for resource in _resources(citation)]
        if sole_law:  # a title's articles of no named law belong to the one law the item is about
            for group in reading.unattached:
                if group.chapter:
                    resources += [Resource(sole_law, chapter=ref.article) for ref in group.refs]
                else:
                    resources += [
                        Resource(sole_law, ref) for ref in normalise_refs(sole_law, group.refs, self.gazetteer)
                    ]
        if with_local:
            resources += [Resource(local_title=mention.title) for mention in reading.local]
        return resources

    def _local_title(self, reading: Reading | None, title: str) -> str:
        if reading and reading.local:
            return reading.local[0].title
        return title.strip() or "lokale regeling"

    def _conflict(self, basis: NamedNode, reading: Reading, link_law: str) -> None:
        named = [
            next((c.text for c in reading.citations if c.law_id == law and not c.refs), None)
            or short_name(law, self.gazetteer)
            for law in reading.laws
        ]
        entry = self.gazetteer.get(link_law)
        repealed_en = f" (repealed {entry.repealed})" if entry and entry.repealed else ""
        repealed_nl = f" (ingetrokken per {entry.repealed})" if entry and entry.repealed else ""
        english = (
            f"title says {' and '.join(named)}, link identifies {short_name(link_law, self.gazetteer, 'en')}{repealed_en}; "
            "the title's law is used, the link is kept as published"
        )
        dutch = (
            f"de titel noemt {' en '.join(named)}, de link verwijst naar {short_name(link_law, self.gazetteer)}{repealed_nl}; "
            "de wet uit de titel is gebruikt, de link staat zoals gepubliceerd"
        )
        self.triples += [
            (basis, t.akg("linkConflict"), Literal(english, language="en")),
            (basis, t.akg("linkConflict"), Literal(dutch, language="nl")),
        ]

    # -- free text -----------------------------------------------------------------------------------

    def _free_text(self, reading: Reading, links: list[str], cvdr_titles: list[str]) -> None:
        resources = [resource for citation in reading.citations for resource in _resources(citation)]
        linked_local: set[int] = set()
        for link in links:
            repaired, _ = repair_link_text(link)
            reference, identified = resolve_link(repaired)
            if identified:
                resources.append(self._link_resource(identified, reference))
            elif reference.cvdr_id:
                position = reading.text.find(link)
                mention = next((m for m in reading.local if 0 <= position - m.end <= 3), None)
                if mention is not None:
                    linked_local.add(id(mention))
                resources.append(
                    Resource(local_title=mention.title if mention else "lokale regeling", cvdr_id=reference.cvdr_id)
                )
        for mention in reading.local:
            if id(mention) not in linked_local and not _same_as_linked(mention, cvdr_titles):
                resources.append(Resource(local_title=mention.title))
        self.result.notes += [("lawful_basis", "warning", note, None) for note in reading.notes]
        counter = 0
        for resource in _most_specific(resources, keep_articles=True):
            if resource.key() in self.cited or (
                resource.ref is None and resource.chapter is None and self._law_cited(resource)
            ):
                continue
            counter += 1
            basis = NamedNode(f"{self.registration.value}/basis/text-{counter}")
            self._basis(basis, _citation_text(resource, reading, self.gazetteer))
            self._point(basis, resource)

    def _law_cited(self, resource: Resource) -> bool:
        return resource.law_id is not None and any(key[0] == resource.law_id for key in self.cited)

    # -- output --------------------------------------------------------------------------------------

    def _basis(self, basis: NamedNode, title: str | None) -> None:
        self.result.bases.append(basis)
        self.triples.append((basis, t.RDF_TYPE, t.akg("StatutoryBasis")))
        if title:
            self.triples.append((basis, t.akg("citationTitle"), Literal(title)))

    def _point(self, basis: NamedNode, resource: Resource) -> None:
        self.cited.add(resource.key())
        if resource.law_id:
            self.triples += _law_description(resource.law_id, self.gazetteer)
            if resource.ref or resource.chapter:
                node, triples = part_node(resource.law_id, self.gazetteer, ref=resource.ref, chapter=resource.chapter)
                self.triples += triples
            else:
                node = law_iri(resource.law_id)
        else:
            node, triples = local_node(
                resource.local_title or "", self.publisher, cvdr_id=resource.cvdr_id, language=self.language
            )
            self.triples += triples
        self.triples.append((basis, t.akg("legalResource"), node))


def _resources(citation: Citation) -> list[Resource]:
    if citation.chapters:
        return [Resource(citation.law_id, chapter=chapter) for chapter in citation.chapters]
    if citation.refs:
        return [Resource(citation.law_id, ref) for ref in citation.refs]
    return [Resource(citation.law_id)]


def _most_specific(resources: list[Resource], *, keep_articles: bool = False) -> list[Resource]:
    """Unique resources; a law is dropped when one of its articles is there, and (unless ``keep_articles``: the
    free text may cite an article and its paragraphs apart) a bare article when a part of it is."""
    unique = list({resource.key(): resource for resource in resources}.values())
    with_parts = {r.law_id for r in unique if r.law_id and (r.ref or r.chapter)}
    detailed = {(r.law_id, r.ref.article) for r in unique if r.ref and (r.ref.paragraph or r.ref.point)}
    kept = []
    for resource in unique:
        if resource.law_id and not resource.ref and not resource.chapter and resource.law_id in with_parts:
            continue
        bare = resource.ref is not None and not (resource.ref.paragraph or resource.ref.point)
        if bare and not keep_articles and (resource.law_id, resource.ref.article) in detailed:  # type: ignore[union-attr]
            continue
        kept.append(resource)
    return kept


def _same_as_linked(mention: LocalMention, cvdr_titles: list[str]) -> bool:
    """A local regulation named in the text that is one a grouped item links (same year in both titles)."""
    year = re.search(r"\b(\d{4})\b", mention.title)
    return bool(year) and any(year.group(1) in title for title in cvdr_titles)  # type: ignore[union-attr]


def _citation_text(resource: Resource, reading: Reading, gazetteer: Gazetteer) -> str | None:
    """The words of the free text that cite a resource (a title of at most 100 characters, as the standard's)."""
    if resource.local_title:
        return resource.local_title
    for citation in reading.citations:
        cites = citation.law_id == resource.law_id and (resource.ref in citation.refs or not resource.ref)
        if cites and len(citation.text) <= 100:
            return citation.text
    name = short_name(resource.law_id, gazetteer) if resource.law_id else None
    return name if name and len(name) <= 100 else None


def _law_description(law: str, gazetteer: Gazetteer) -> list[Triple]:
    """A law's own triples, made once per gazetteer: thousands of records cite each law."""
    if law not in gazetteer.descriptions:
        gazetteer.descriptions[law] = law_triples(law, gazetteer)
    return gazetteer.descriptions[law]  # type: ignore[return-value]
