"""Legal bases of a record -> statutory-basis nodes pointing at law and article nodes.

Links (wetten.overheid.nl with or without a date, Juriconnect, LiDO, CVDR, EUR-Lex ELI/CELEX) are
parsed by :mod:`loader.reconcile.law_links`; titles and free text are scanned for citations
("artikel 3:40 Awb") with the law-name table. A dated link keeps its date (``akg:citedVersionDate``)
so stale versions can be found. A link that names no law is kept as published and reported.
"""

import re
from dataclasses import dataclass, field
from functools import cache

from pyoxigraph import Literal, NamedNode, Quad

from loader.mapping import terms as t
from loader.reconcile.law_links import LawReference, parse_law_link
from loader.reconcile.law_names import Citation, LawNameTable, scan_citations
from loader.sources.grouped import TitledLink
from ontology import law_files

_ARTICLE_NUMBER = re.compile(r"^[0-9A-Za-z.:]+$")


@dataclass(frozen=True)
class ResolvedLaw:
    """The node a reference resolves to and the law/article triples that describe it."""

    resource: NamedNode
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]]
    version_date: str | None = None


@cache  # the same laws are cited by thousands of records; callers must not change the result
def resolve_link(link: str) -> tuple[LawReference, ResolvedLaw | None]:
    reference = parse_law_link(link)
    if reference.bwb_id:
        return reference, _bwb(reference.bwb_id, reference.article, reference.version_date)
    if reference.eli:
        return reference, _eu(reference.eli, reference.article, reference.version_date)
    if reference.oj and (act := eu_act_for_oj(reference.oj)):
        return reference, _eu(act, None)
    if reference.cvdr_id:
        node = t.cvdr_iri(reference.cvdr_id)
        return reference, ResolvedLaw(node, [(node, t.RDF_TYPE, t.eli("LegalResource"))])
    return reference, None


@cache
def known_eu_acts() -> frozenset[str]:
    """The ELIs of the EU acts in algokg's law data."""
    pattern = re.compile(r"<(http://data\.europa\.eu/eli/[a-z]+/\d{4}/\d+/oj)>")
    return frozenset(match for path in law_files() for match in pattern.findall(path.read_text(encoding="utf-8")))


def eu_act_for_oj(oj: str) -> str | None:
    """``L_202401689`` (the Official Journal's numbering since October 2023) -> the known act with that year and number.

    The OJ id does not say whether the act is a regulation, directive or decision, so only acts in
    algokg's law data are resolved.
    """
    match = re.fullmatch(r"L_(\d{4})(\d{5})", oj)
    if not match:
        return None
    year, number = match.group(1), int(match.group(2))
    found = [act for act in known_eu_acts() if act.endswith(f"/{year}/{number}/oj")]
    return found[0] if len(found) == 1 else None


def resolve_citation(citation: Citation) -> ResolvedLaw | None:
    if citation.bwb_id:
        return _bwb(citation.bwb_id, citation.article, None)
    if citation.eli:
        return _eu(citation.eli, citation.article)
    return None


def _bwb(bwb_id: str, article: str | None, version_date: str | None) -> ResolvedLaw:
    law = t.bwb_law_iri(bwb_id)
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (law, t.RDF_TYPE, t.eli("LegalResource")),
        (law, t.akg("bwbId"), Literal(bwb_id)),
    ]
    if article and _ARTICLE_NUMBER.match(article):
        node = t.bwb_article_iri(bwb_id, article)
        return ResolvedLaw(node, triples + _subdivision(node, law, article), version_date)
    return ResolvedLaw(law, triples, version_date)


def _eu(eli_act: str, article: str | None, version_date: str | None = None) -> ResolvedLaw:
    act = NamedNode(eli_act)
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [(act, t.RDF_TYPE, t.eli("LegalResource"))]
    if article and article.isalnum():
        node = t.eu_subdivision_iri(eli_act, f"art_{article}")
        return ResolvedLaw(node, triples + _subdivision(node, act, article), version_date)
    return ResolvedLaw(act, triples, version_date)


def _subdivision(
    node: NamedNode, parent: NamedNode, number: str
) -> list[tuple[NamedNode, NamedNode, NamedNode | Literal]]:
    return [
        (node, t.RDF_TYPE, t.eli("LegalResourceSubdivision")),
        (node, t.eli("is_part_of"), parent),
        (node, t.eli("number"), Literal(number)),
    ]


@dataclass
class StatutoryBases:
    """A record's statutory-basis nodes (the registration links to them), their quads, what could not be resolved."""

    quads: list[Quad]
    bases: list[NamedNode] = field(default_factory=list)
    links: int = 0
    links_resolved: int = 0
    unresolved: list[str] | None = None


def statutory_bases(
    registration: NamedNode,
    items: list[TitledLink],
    free_text: str | None,
    *,
    table: LawNameTable,
    graph: NamedNode,
) -> StatutoryBases:
    """One akg:StatutoryBasis per grouped item, plus one per citation found only in the free text."""
    quads: list[Quad] = []
    result = StatutoryBases(quads, unresolved=[])
    seen: set[str] = set()
    for number, item in enumerate(items, 1):
        basis = NamedNode(f"{registration.value}/basis/{number}")
        link = item.url or item.link
        resolved = resolve_link(link)[1] if link else None
        if resolved is None and item.title:
            # The title may name the law where the link does not ("Awb, https://example.org/awb").
            citations = scan_citations(item.title, table)
            resolved = resolve_citation(citations[0]) if citations else None
        if link:
            result.links += 1
            result.links_resolved += resolved is not None
            if resolved is None:
                result.unresolved.append(link)
        result.bases.append(basis)
        quads += _basis_quads(basis, item.title, item.url or item.link, resolved, graph)
        if resolved:
            seen.add(resolved.resource.value)
    for number, citation in enumerate(scan_citations(free_text or "", table), 1):
        resolved = resolve_citation(citation)
        if resolved is None or resolved.resource.value in seen:
            continue
        seen.add(resolved.resource.value)
        basis = NamedNode(f"{registration.value}/basis/text-{number}")
        result.bases.append(basis)
        quads += _basis_quads(basis, citation.text, None, resolved, graph)
    return result


_DESCRIBED: dict[tuple[NamedNode, tuple[tuple[NamedNode, NamedNode, NamedNode | Literal], ...]], list[Quad]] = {}


def _law_quads(resolved: ResolvedLaw, graph: NamedNode) -> list[Quad]:
    """The law/article quads of a resolved reference, made once per graph: thousands of records cite each law."""
    key = (graph, tuple(resolved.triples))
    if key not in _DESCRIBED:
        if len(_DESCRIBED) > 100_000:  # a long-lived process loading many files: keep it bounded
            _DESCRIBED.clear()
        _DESCRIBED[key] = [Quad(s, p, o, graph) for s, p, o in resolved.triples]
    return _DESCRIBED[key]


def _basis_quads(
    basis: NamedNode, title: str | None, link: str | None, resolved: ResolvedLaw | None, graph: NamedNode
) -> list[Quad]:
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [(basis, t.RDF_TYPE, t.akg("StatutoryBasis"))]
    if title:
        triples.append((basis, t.akg("citationTitle"), Literal(title)))
    if link:
        triples.append((basis, t.akg("link"), t.typed(link, "anyURI")))
    if resolved:
        triples.append((basis, t.akg("legalResource"), resolved.resource))
        if resolved.version_date:
            triples.append((basis, t.akg("citedVersionDate"), t.typed(resolved.version_date, "date")))
    quads = [Quad(s, p, o, graph) for s, p, o in triples]
    return quads + _law_quads(resolved, graph) if resolved else quads
