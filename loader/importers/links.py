"""Candidate links between registers: the same system described in two registers, found by similarity.

For every pair of algorithms of different registers whose countries overlap (or are unknown), three pieces of
evidence are scored from 0 to 1: the names (TF-IDF cosine of their words), the descriptions (title, description and
goal together) and the organisations (the same node: 1; else the overlap of their names' words). A pair sharing no
uncommon word is never compared. The score is 0.45 name + 0.35 description + 0.2 organisation; pairs at
:data:`THRESHOLD` or above are candidates, at most :data:`PER_ALGORITHM` per algorithm. Each is an
``akg:CandidateLink`` (the reified ``skos:closeMatch`` it proposes, score, evidence in words, review status) in the
derived graph ``…/graph/derived/links``, which every run replaces. A review file (CSV: ``from,to,decision`` with
``accepted`` or ``rejected``, optional ``reviewer,date,note``) marks links reviewed; only an accepted link is
asserted as ``skos:closeMatch``. ``owl:sameAs`` only when both sides say so: each one's page is the other's.
"""

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store

from loader.errors import SourceError
from loader.importers.vendors import vendor_iri, vendor_names, vendor_triples
from loader.mapping import terms as t
from loader.provenance import tool_agent
from loader.sources.csv_rows import rows
from loader.store import commit_change

__all__ = ["LINKS_GRAPH", "Candidate", "find_candidates", "link_registers", "read_reviews"]

LINKS_GRAPH = NamedNode("https://w3id.org/algokg/graph/derived/links")
THRESHOLD = 0.3
PER_ALGORITHM = 3
COMMON = 0.05  # a word in more than this share of all descriptions does not make two of them candidates
SKOS_CLOSE = NamedNode("http://www.w3.org/2004/02/skos/core#closeMatch")
OWL_SAME = NamedNode("http://www.w3.org/2002/07/owl#sameAs")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = set(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "are",
        "was",
        "were",
        "which",
        "when",
        "will",
        "can",
        "has",
        "have",
        "its",
        "into",
        "use",
        "used",
        "using",
        "based",
        "also",
        "not",
        "all",
        "any",
        "more",
        "other",
        "such",
        "their",
        "they",
        "them",
        "these",
        "than",
        "then",
        "there",
        "been",
        "being",
        "our",
        "your",
        "per",
        "via",
        "about",
        "een",
        "het",
        "van",
        "voor",
        "met",
        "dat",
        "die",
        "door",
        "bij",
        "aan",
        "zijn",
        "wordt",
        "worden",
        "deze",
        "ook",
        "niet",
        "naar",
        "als",
        "uit",
    ]
)
_ALGORITHMS = """
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?a ?register ?title ?text ?organisation ?orgName ?country ?page WHERE {
  ?a a akg:Algorithm ; akg:inRegister ?register .
  OPTIONAL { ?a dct:title ?title }
  OPTIONAL { ?a dct:description|akg:shortDescription|akg:goal ?text }
  OPTIONAL { ?a akg:organisation ?organisation OPTIONAL { ?organisation skos:prefLabel|rdfs:label ?orgName } }
  OPTIONAL { ?a akg:organisationName ?orgName }
  OPTIONAL { ?a dct:spatial ?country }
  OPTIONAL { ?a akg:registerPage|rdfs:seeAlso|akg:publicPage ?page }
}
"""


@dataclass
class _Doc:
    iri: str
    register: str
    titles: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    org_names: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Candidate:
    """Two algorithms of different registers that may describe the same system."""

    source: str
    target: str
    score: float
    evidence: tuple[str, ...]
    same_as: bool = False


def _words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.casefold()) if word not in _STOP]


def _vectors(docs: list[list[str]]) -> tuple[list[dict[str, float]], Counter[str]]:
    frequency: Counter[str] = Counter(word for doc in docs for word in set(doc))
    total = len(docs)
    vectors = []
    for doc in docs:
        counts = Counter(doc)
        vector = {word: (1 + math.log(n)) * math.log((1 + total) / (1 + frequency[word])) for word, n in counts.items()}
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors.append({word: value / norm for word, value in vector.items()})
    return vectors, frequency


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(word, 0.0) for word, value in a.items())


def _read(store: Store) -> list[_Doc]:
    docs: dict[str, _Doc] = {}
    for row in store.query(_ALGORITHMS, use_default_graph_as_union=True):
        iri = row["a"].value
        doc = docs.setdefault(iri, _Doc(iri, row["register"].value))
        for key, bag in (("title", doc.titles), ("text", doc.texts), ("orgName", doc.org_names)):
            if row[key] is not None:
                bag.add(row[key].value)
        for key, bag in (("organisation", doc.organisations), ("country", doc.countries), ("page", doc.pages)):
            if row[key] is not None:
                bag.add(row[key].value)
    return sorted(docs.values(), key=lambda doc: doc.iri)


def find_candidates(store: Store) -> list[Candidate]:
    """Every candidate pair of the store's algorithms (see the module docstring), best first."""
    docs = _read(store)
    names, _ = _vectors([_words(" ".join(sorted(doc.titles))) for doc in docs])
    full_words = [_words(" ".join(sorted(doc.titles | doc.texts))) for doc in docs]
    texts, frequency = _vectors(full_words)
    common = max(2, int(COMMON * len(docs)))
    postings: dict[str, list[int]] = defaultdict(list)
    for index, words in enumerate(full_words):
        for word in set(words):
            if frequency[word] <= common:
                postings[word].append(index)
    found: dict[int, list[Candidate]] = defaultdict(list)
    for index, doc in enumerate(docs):
        others = {other for word in set(full_words[index]) for other in postings.get(word, ()) if other > index}
        for other in others:
            peer = docs[other]
            if peer.register == doc.register:
                continue
            if doc.countries and peer.countries and not doc.countries & peer.countries:
                continue
            candidate = _score(doc, peer, _cosine(names[index], names[other]), _cosine(texts[index], texts[other]))
            if candidate.score >= THRESHOLD:
                found[index].append(candidate)
                found[other].append(candidate)
    kept: dict[tuple[str, str], Candidate] = {}
    for candidates in found.values():
        for candidate in sorted(candidates, key=lambda c: -c.score)[:PER_ALGORITHM]:
            kept[(candidate.source, candidate.target)] = candidate
    return sorted(kept.values(), key=lambda c: (-c.score, c.source, c.target))


def _organisation_score(a: _Doc, b: _Doc) -> tuple[float, str]:
    if a.organisations & b.organisations:
        return 1.0, "the same organisation"
    words_a = {w for name in a.org_names for w in _words(name)}
    words_b = {w for name in b.org_names for w in _words(name)}
    if not words_a or not words_b:
        return 0.0, "organisation unknown on one side"
    overlap = len(words_a & words_b) / len(words_a | words_b)
    return overlap, f"organisation names share {len(words_a & words_b)} of {len(words_a | words_b)} words"


def _score(a: _Doc, b: _Doc, name: float, text: float) -> Candidate:
    organisation, said = _organisation_score(a, b)
    score = 0.45 * name + 0.35 * text + 0.2 * organisation
    evidence = [
        f"name similarity {name:.2f}",
        f"description similarity {text:.2f}",
        f"organisation {organisation:.2f}: {said}",
    ]
    if a.countries & b.countries:
        evidence.append("same country")
    same_as = bool(a.pages & b.pages) and bool(a.pages) and a.pages == b.pages
    return Candidate(a.iri, b.iri, round(min(score, 1.0), 3), tuple(evidence), same_as)


@dataclass(frozen=True)
class Review:
    source: str
    target: str
    accepted: bool
    reviewer: str | None
    date: str | None
    note: str | None


def read_reviews(path: Path) -> dict[frozenset[str], Review]:
    """A review file: ``from,to,decision`` (``accepted``/``rejected``), optional ``reviewer,date,note``.

    :raises SourceError: not that CSV, or a decision that is neither, located
    """
    reviews = {}
    for row in rows(path, required=("from", "to", "decision")):
        decision = row.values["decision"].strip().casefold()
        if decision not in ("accepted", "rejected"):
            raise SourceError(
                f"decision {decision!r}: expected accepted or rejected", path=path, line=row.line, field="decision"
            )
        source, target = row.values["from"].strip(), row.values["to"].strip()
        if not (t.is_iri(source) and t.is_iri(target)):
            raise SourceError("from and to must be algorithm IRIs", path=path, line=row.line, field="from")
        reviews[frozenset((source, target))] = Review(
            source, target, decision == "accepted", row.values.get("reviewer") or None, row.values.get("date") or None,
            row.values.get("note") or None,
        )  # fmt: skip
    return reviews


def link_quads(candidates: Iterable[Candidate], reviews: dict[frozenset[str], Review], started: datetime) -> list[Quad]:
    """The links graph: each candidate reified, reviewed ones with their decision, the run's provenance."""
    activity = NamedNode(f"{LINKS_GRAPH.value}/run")
    triples: list[tuple] = [
        (LINKS_GRAPH, t.RDF_TYPE, t.prov("Entity")),
        (LINKS_GRAPH, t.prov("wasGeneratedBy"), activity),
        (activity, t.RDF_TYPE, t.prov("Activity")),
        (activity, t.prov("startedAtTime"), t.typed(started.isoformat(), "dateTime")),
        (activity, t.prov("endedAtTime"), t.typed(datetime.now(UTC).isoformat(), "dateTime")),
        (activity, t.prov("wasAssociatedWith"), tool_agent()),
        (
            activity,
            t.dct("description"),
            Literal(f"algokg link-registers: threshold {THRESHOLD}, at most {PER_ALGORITHM} per algorithm"),
        ),
    ]
    for candidate in candidates:
        a, b = NamedNode(candidate.source), NamedNode(candidate.target)
        node = NamedNode(f"{t.ID}link/{hashlib.sha256(f'{a.value} {b.value}'.encode()).hexdigest()[:16]}")
        review = reviews.get(frozenset((a.value, b.value)))
        status = "unreviewed" if review is None else ("accepted" if review.accepted else "rejected")
        triples += [
            (node, t.RDF_TYPE, t.akg("CandidateLink")),
            (node, NamedNode(f"{RDF}type"), NamedNode(f"{RDF}Statement")),
            (node, NamedNode(f"{RDF}subject"), a),
            (node, NamedNode(f"{RDF}predicate"), SKOS_CLOSE),
            (node, NamedNode(f"{RDF}object"), b),
            (node, t.akg("linkFrom"), a),
            (node, t.akg("linkTo"), b),
            (node, t.akg("score"), t.typed(f"{candidate.score:.3f}", "decimal")),
            (node, t.akg("reviewStatus"), t.concept_iri("link-review-status", status)),
            (node, t.prov("wasGeneratedBy"), activity),
        ]
        triples += [(node, t.akg("evidence"), Literal(text)) for text in candidate.evidence]
        if review is not None:
            triples += [(node, t.dct("description"), Literal(review.note))] if review.note else []
            triples += [(node, t.prov("wasAttributedTo"), Literal(review.reviewer))] if review.reviewer else []
            if review.accepted:
                triples.append((a, SKOS_CLOSE, b))
        if candidate.same_as:
            triples.append((a, OWL_SAME, b))
            triples.append((node, t.akg("evidence"), Literal("both records name the same page: both sides say so")))
    return [Quad(s, p, o, LINKS_GRAPH) for s, p, o in triples]


_NAMED_ONLY = """
PREFIX akg: <https://w3id.org/algokg/def#>
SELECT DISTINCT ?a ?name WHERE {
  ?a a akg:Algorithm ; akg:supplierName ?name FILTER NOT EXISTS { ?a akg:supplier ?any }
}
"""


def vendor_quads(store: Store) -> list[Quad]:
    """Supplier nodes for algorithms whose register names its vendor only as text (the Algoritmeregister's
    ``provider``): the same vendor node a register with a vendor column gets (``loader.importers.vendors``), so a
    vendor is counted across registers; derived, in the links graph."""
    triples: list[tuple] = []
    for row in store.query(_NAMED_ONLY, use_default_graph_as_union=True):
        for name in vendor_names(row["name"].value):
            triples.append((row["a"], t.akg("supplier"), vendor_iri(name)))
            triples += vendor_triples(name)
    return [Quad(s, p, o, LINKS_GRAPH) for s, p, o in triples]


@dataclass(frozen=True)
class LinkRun:
    candidates: list[Candidate]
    reviewed: int


def link_registers(store_dir: Path, reviews: Path | None = None) -> LinkRun:
    """Find the candidates in the current generation and replace the links graph with them (one atomic write)."""
    started = datetime.now(UTC)
    decided = read_reviews(reviews) if reviews is not None else {}
    found: list[Candidate] = []

    def change(store: Store, _current: Path) -> bool:
        found.extend(find_candidates(store))
        store.remove_graph(LINKS_GRAPH)
        store.bulk_extend(link_quads(found, decided, started) + vendor_quads(store))
        return True

    commit_change(store_dir, change, what="link registers")
    return LinkRun(found, sum(1 for c in found if frozenset((c.source, c.target)) in decided))
