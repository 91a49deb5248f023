"""The Algoritmekader (requirements, measures, instruments) read from its published source and mapped to RDF.

Sources, in the same shape after reading:

* the repository MinBZK/Algoritmekader at a pinned commit (:data:`ARCHIVE_PIN`, a tar.gz): the YAML front
  matter and the "## Bronnen" links of ``docs/voldoen-aan-wetten-en-regels/{vereisten,maatregelen,
  hulpmiddelen}/*.md`` (:func:`read_archive`);
* an index JSON of those pages (``algoritmekader_index.json``: the same front matter fields plus
  ``bronnen``, as kept in ``../shared/reference/algoritmekader``; :func:`read_index`);
* optionally the ADR / Court of Audit norm texts (``maatregelen-adr-ark.csv``; :func:`read_norms`).

:func:`kader_triples` maps them to the model: requirements and measures are their URNs, instruments
``…/id/ak-instrument/{slug}`` (docs/identifiers.md); requirements are grounded in the model's article
nodes (:mod:`compliance.legal_refs`) and carry the Algoritmekader's AI Act tags, which a classification
matches (:func:`applicable_requirements`).
"""

import hashlib
import re
import tarfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from compliance.conditions import ConditionError, parse
from compliance.decision_tree import TAG_GROUPS
from compliance.legal_refs import Resolution, Resolver
from loader.errors import AlgokgError, SourceError
from loader.mapping import terms as t
from loader.provenance import provenance_quads
from loader.reconcile.cache import Pin
from loader.sourceload import SourceLoad, source_graph
from loader.sources.csv_rows import dict_rows
from loader.sources.json_text import parse_json
from loader.sources.yaml_text import load_yaml

REPOSITORY = "MinBZK/Algoritmekader"
# The commit the model's Algoritmekader schemes cite (ontology/schemes/algoritmekader.ttl).
COMMIT = "46917ceafa4a59870dd828103652dff8a0fd7c9d"
# GitHub builds archives on request and publishes no digest: pin the sha256 after checking a first
# download (as loader.reconcile.tooi does for the TOOI lists); until then the commit fixes the content.
ARCHIVE_PIN = Pin(
    name=f"algoritmekader-{COMMIT[:12]}.tar.gz",
    url=f"https://codeload.github.com/{REPOSITORY}/tar.gz/{COMMIT}",
)
PAGES = "docs/voldoen-aan-wetten-en-regels/"
KINDS = {"vereisten": "requirement", "maatregelen": "measure", "hulpmiddelen": "instrument"}
INSTRUMENT_BASE = f"{t.ID}ak-instrument/"
NORM_SCHEMES = {"ADR": "adr-onderzoekskader", "ARK": "ark-toetsingskader"}
NORM_TITLES = {
    "ADR": "Onderzoekskader algoritmes Auditdienst Rijk",
    "ARK": "Toetsingskader algoritmes Algemene Rekenkamer",
}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")

SKOS = "http://www.w3.org/2004/02/skos/core#"


class KaderError(AlgokgError):
    """The Algoritmekader source could not be read (with the file and page)."""


@dataclass(frozen=True)
class Link:
    label: str
    url: str | None


@dataclass(frozen=True)
class Page:
    """One requirement, measure or instrument page: its front matter, normalised, and its "Bronnen" links."""

    kind: str
    slug: str
    path: str
    title: str
    explanation: str
    urn: str | None
    lifecycle: tuple[str, ...]
    topics: tuple[str, ...]
    roles: tuple[str, ...]
    sources: tuple[Link, ...]
    requirements: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    exclusions: tuple[str, ...] = ()
    norms: tuple[tuple[str, str], ...] = ()

    @property
    def iri(self) -> NamedNode:
        return NamedNode(self.urn) if self.urn else NamedNode(f"{INSTRUMENT_BASE}{self.slug.lower()}")


@dataclass
class Kader:
    """The Algoritmekader as read: pages by kind, where from, and what could not be read or linked."""

    requirements: list[Page]
    measures: list[Page]
    instruments: list[Page]
    source: str
    commit: str | None = None
    norms: dict[tuple[str, str], str] = field(default_factory=dict)

    def by_slug(self) -> dict[str, Page]:
        return {page.slug: page for page in (*self.requirements, *self.measures, *self.instruments)}


@dataclass
class KaderReport:
    """What the mapping could not do exactly: citations not resolved to an article, dangling slugs."""

    citations: list[tuple[str, Resolution]] = field(default_factory=list)
    dangling: list[str] = field(default_factory=list)

    @property
    def unresolved(self) -> list[tuple[str, Resolution]]:
        return [(urn, r) for urn, r in self.citations if r.status != "exact"]

    def lines(self) -> list[str]:
        found = [f"{urn}: {r.status}: {r.label} ({r.note})" for urn, r in self.unresolved]
        return found + [f"dangling: {text}" for text in self.dangling]


def _list(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(item).strip() for item in value if item is not None and str(item).strip())
    return (str(value).strip(),)


def _norms(raw: object) -> tuple[tuple[str, str], ...]:
    """``sources: {ADR: [SV.8], ARK: [2.14]}``; YAML reads ``3.10`` as 3.1, the norms have two decimals."""
    if not isinstance(raw, Mapping):
        return ()
    found = []
    for framework, codes in raw.items():
        for code in codes if isinstance(codes, list) else [codes]:
            text = f"{code:.2f}" if isinstance(code, float) else str(code).strip()
            found.append((str(framework).upper(), text))
    return tuple(found)


def page_from(kind: str, slug: str, path: str, matter: Mapping[str, object], sources: Iterable[Link]) -> Page:
    """A page from its front matter (the fields the Algoritmekader's own validation scripts allow)."""
    tags = frozenset(f"{group}-{value}" for group in TAG_GROUPS for value in _list(matter.get(group)))
    return Page(
        kind=kind,
        slug=slug,
        path=path,
        title=str(matter.get("title") or slug).strip(),
        explanation=str(matter.get("toelichting") or "").strip(),
        urn=str(matter["id"]).strip() if matter.get("id") else None,
        lifecycle=_list(matter.get("levenscyclus")),
        topics=_list(matter.get("onderwerp")),
        roles=_list(matter.get("rollen")),
        sources=tuple(sources),
        requirements=_list(matter.get("vereiste")),
        measures=_list(matter.get("maatregel")),
        categories=_list(matter.get("categorie")),
        tags=tags,
        exclusions=_list(matter.get("uitzondering")),
        norms=_norms(matter.get("sources")),
    )


def read_index(path: Path) -> Kader:
    """Read an ``algoritmekader_index.json`` (``vereisten``, ``maatregelen``, ``hulpmiddelen`` lists of pages)."""
    try:
        document = parse_json(path.read_text(encoding="utf-8"), label=str(path))  # within the input limits
        pages = {kind: [_index_page(KINDS[kind], item) for item in document[kind]] for kind in KINDS}
    except SourceError as error:
        raise KaderError(f"not an Algoritmekader index: {error.message}", path=path, line=error.line) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise KaderError(f"not an Algoritmekader index: {error}", path=path) from error
    return Kader(
        pages["vereisten"], pages["maatregelen"], pages["hulpmiddelen"], source=str(path), commit=document.get("commit")
    )


def _index_page(kind: str, item: Mapping[str, object]) -> Page:
    sources = [Link(str(b.get("label", "")), b.get("url")) for b in item.get("bronnen") or [] if isinstance(b, dict)]
    return page_from(kind, str(item["file"]), str(item.get("path", "")), item, sources)


def read_markdown(kind: str, name: str, text: str) -> Page:
    """One Algoritmekader page: front matter between ``---`` lines, links under ``## Bronnen``."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise KaderError("no YAML front matter", path=name)
    try:
        matter = load_yaml(match.group(1), label=name) or {}
    except SourceError as error:
        line = text.count("\n", 0, match.start(1)) + error.line if error.line else None  # the page's line
        raise KaderError(f"front matter is not YAML: {error.message}", path=name, line=line) from None
    if not isinstance(matter, dict):
        raise KaderError("front matter is not a mapping of fields", path=name)
    slug = Path(name).stem
    return page_from(kind, slug, name, matter, _bronnen(text[match.end() :]))


def _bronnen(body: str) -> list[Link]:
    section = re.search(r"^## Bronnen[^\n]*\n(.*?)(?=^## |\Z)", body, re.MULTILINE | re.DOTALL)
    if not section:
        return []
    return [Link(label.strip(), url.strip()) for label, url in _LINK.findall(section.group(1))]


def read_archive(path: Path, *, commit: str | None = COMMIT) -> Kader:
    """Read the pages from a tar.gz of the Algoritmekader repository (as GitHub serves it for a commit)."""
    pages: dict[str, list[Page]] = {kind: [] for kind in KINDS}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                kind = _kind_of(member.name)
                if kind is None or not member.isfile():
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                text = handle.read().decode("utf-8")
                pages[kind].append(read_markdown(KINDS[kind], member.name.split("/", 1)[-1], text))
    except (OSError, tarfile.TarError, UnicodeDecodeError) as error:
        raise KaderError(f"not a readable Algoritmekader archive: {error}", path=path) from error
    if not pages["vereisten"]:
        raise KaderError(f"no pages under {PAGES} in the archive", path=path)
    ordered = {kind: sorted(found, key=lambda page: page.slug) for kind, found in pages.items()}
    return Kader(ordered["vereisten"], ordered["maatregelen"], ordered["hulpmiddelen"], source=str(path), commit=commit)


def _kind_of(member: str) -> str | None:
    # GitHub archives put everything under "{repo}-{commit}/".
    inner = member.split("/", 1)[-1]
    if not inner.startswith(PAGES) or not inner.endswith(".md") or inner.endswith("/index.md"):
        return None
    parts = inner[len(PAGES) :].split("/")
    return parts[0] if len(parts) == 2 and parts[0] in KINDS else None


def read_norms(path: Path) -> dict[tuple[str, str], str]:
    """``nummer;maatregel;source`` -> {(ADR|ARK, code): text} (the norms measures refer to).

    :raises SourceError: not UTF-8 or not CSV, a field over the field-size limit (file and line).
    :raises KaderError: a row without a number or an ADR or Rekenkamer source (file and line).
    """
    frameworks = {"auditdienst": "ADR", "rekenkamer": "ARK"}
    found = {}
    for line, row in dict_rows(path):
        source = (row.get("source") or "").lower()
        framework = next((code for word, code in frameworks.items() if word in source), None)
        number = (row.get("nummer") or "").strip()
        if framework is None or not number:
            raise KaderError("a norm needs a nummer and an ADR or Rekenkamer source", path=path, line=line)
        found[(framework, number)] = " ".join((row.get("maatregel") or "").split())
    return found


def _triple(subject: NamedNode, predicate: NamedNode, value: "NamedNode | Literal") -> tuple:
    return (subject, predicate, value)


def _concept(scheme: str, slug: str) -> NamedNode:
    return NamedNode(f"{t.ID}{scheme}/{slug}")


def norm_iri(framework: str, code: str) -> NamedNode:
    return _concept(NORM_SCHEMES[framework], code)


def kader_triples(kader: Kader, resolver: Resolver | None = None) -> tuple[list[tuple], KaderReport]:
    """The Algoritmekader as triples, and what could not be linked exactly."""
    resolver = resolver or Resolver()
    report = KaderReport()
    slugs = kader.by_slug()
    triples: list[tuple] = []
    skos = lambda name: NamedNode(f"{SKOS}{name}")  # noqa: E731
    classes = {"requirement": "Requirement", "measure": "Measure", "instrument": "FrameworkInstrument"}
    for page in (*kader.requirements, *kader.measures, *kader.instruments):
        node = page.iri
        triples += [
            (node, t.RDF_TYPE, t.akg(classes[page.kind])),
            (node, t.dct("title"), Literal(page.title, language="nl")),
            (node, t.RDFS_LABEL, Literal(page.title, language="nl")),
        ]
        if page.urn:
            triples.append((node, t.dct("identifier"), Literal(page.urn)))
        if page.explanation:
            triples.append((node, t.dct("description"), Literal(page.explanation, language="nl")))
        if kader.commit and page.path:
            url = f"https://github.com/{REPOSITORY}/blob/{kader.commit}/{page.path}"
            triples.append((node, t.dct("source"), NamedNode(url)))
        triples += [(node, t.akg("lifecyclePhase"), _concept("ak-lifecycle-phase", v)) for v in page.lifecycle]
        triples += [(node, t.akg("topic"), _concept("ak-topic", v)) for v in page.topics]
        triples += [(node, t.akg("responsibleRole"), _concept("ak-role", v)) for v in page.roles]
        triples += [(node, t.dct("type"), Literal(v)) for v in page.categories]
        triples += [(node, t.akg("aiActTag"), Literal(tag)) for tag in sorted(page.tags)]
        for expression in page.exclusions:
            try:
                parse(_exclusion_expression(expression))
            except ConditionError as error:
                report.dangling.append(f"{page.urn or page.slug}: exclusion {expression!r} does not parse: {error}")
                continue
            triples.append((node, t.akg("aiActExclusion"), Literal(expression)))
        for framework, code in page.norms:
            triples.append((node, t.akg("auditNorm"), norm_iri(framework, code)))
        for link in page.sources:
            resolution = resolver.resolve(link.label, link.url)
            if link.url and t.is_iri(link.url):
                triples.append((node, t.RDFS_SEE_ALSO, NamedNode(link.url)))
            if resolution is None or page.kind != "requirement":
                continue
            report.citations.append((page.urn or page.slug, resolution))
            triples += [(node, t.akg("groundedIn"), NamedNode(target)) for target in resolution.targets]
        links = (("servesRequirement", page.requirements), ("supportsMeasure", page.measures))
        for predicate, targets in links:
            if page.kind == "instrument" and predicate == "servesRequirement":
                predicate = "supportsRequirement"
            for slug in targets:
                target = slugs.get(slug)
                if target is None:
                    report.dangling.append(f"{page.urn or page.slug}: {slug!r} is no page of the Algoritmekader")
                    continue
                triples.append((node, t.akg(predicate), target.iri))
    triples += _norm_triples(kader, skos)
    return triples, report


def _norm_triples(kader: Kader, skos: Callable[[str], NamedNode]) -> list[tuple]:
    """The ADR and Court of Audit norms the measures cite, as concepts of two schemes (texts when given)."""
    cited = {(framework, code) for page in kader.measures for framework, code in page.norms}
    triples: list[tuple] = []
    for framework in sorted({framework for framework, _ in cited | set(kader.norms)}):
        scheme = NamedNode(f"{t.ID}scheme/{NORM_SCHEMES[framework]}")
        triples += [
            (scheme, t.RDF_TYPE, skos("ConceptScheme")),
            (scheme, skos("prefLabel"), Literal(NORM_TITLES[framework], language="nl")),
        ]
    for framework, code in sorted(cited | set(kader.norms)):
        node = norm_iri(framework, code)
        scheme = NamedNode(f"{t.ID}scheme/{NORM_SCHEMES[framework]}")
        triples += [
            (node, t.RDF_TYPE, skos("Concept")),
            (node, skos("inScheme"), scheme),
            (node, skos("notation"), Literal(code)),
            (node, skos("prefLabel"), Literal(f"{framework} {code}", language="nl")),
        ]
        if text := kader.norms.get((framework, code)):
            triples.append((node, skos("definition"), Literal(text, language="nl")))
    return triples


def _exclusion_expression(expression: str) -> str:
    # The Algoritmekader writes a lone "risicogroep-uitzondering-van-toepassing" as a bare tag.
    return expression if expression.lstrip().startswith(("(", '"', "!")) else f'"{expression.strip()}"'


def applies(tags: Iterable[str], exclusions: Iterable[str], classification: frozenset[str]) -> bool:
    """Whether a requirement with these AI Act tags and exclusions applies to a classification's tags.

    As on the Algoritmekader's own pages: within a tag group any of the requirement's values matches
    (OR), every group must match (AND), and an exclusion that holds drops the requirement.
    """
    wanted: dict[str, set[str]] = {}
    for tag in tags:
        group = next((g for g in TAG_GROUPS if tag.startswith(f"{g}-")), None)
        if group:
            wanted.setdefault(group, set()).add(tag)
    if not all(values & classification for values in wanted.values()):
        return False
    return not any(parse(_exclusion_expression(e))(classification) for e in exclusions)


def applicable_requirements(kader: Kader, classification: frozenset[str]) -> list[Page]:
    """The requirements whose AI Act tags select ``classification`` (tags as ``group-value``)."""
    return [page for page in kader.requirements if applies(page.tags, page.exclusions, classification)]


def source_load(
    name: str, key: str, triples: list[tuple], started: datetime, source_url: str | None = None
) -> SourceLoad:
    """Triples as one loaded source named by ``key`` (a sha256): the store skips a key it already holds."""
    graph = source_graph(key)
    quads = [Quad(s, p, o, graph) for s, p, o in triples]
    provenance = provenance_quads(
        graph,
        name=name,
        sha256=key,
        size=len(triples),
        records=None,
        started=started,
        ended=datetime.now(UTC),
        source_url=source_url,
    )
    return SourceLoad(name=name, sha256=key, graph=graph, quads=quads, provenance=provenance)


def kader_source(kader: Kader, sha256: str, *, resolver: Resolver | None = None) -> tuple[SourceLoad, KaderReport]:
    """The Algoritmekader graph as a loaded source; ``sha256`` of the file(s) it was read from."""
    started = datetime.now(UTC)
    triples, report = kader_triples(kader, resolver)
    name = f"Algoritmekader {kader.commit[:12] if kader.commit else ''} ({Path(kader.source).name})".replace("  ", " ")
    url = f"https://github.com/{REPOSITORY}/tree/{kader.commit}" if kader.commit else None
    return source_load(name, sha256, triples, started, url), report


@dataclass(frozen=True)
class KaderLoad:
    """What `algokg kader` did: counts, whether the store changed, and the mapping's report."""

    requirements: int
    measures: int
    instruments: int
    loaded: list[str]
    skipped: list[str]
    report: KaderReport


def load_kader(
    store_dir: Path,
    *,
    index: Path | None = None,
    archive: Path | None = None,
    norms: Path | None = None,
    tree: Path | None = None,
    refresh: bool = False,
) -> KaderLoad:
    """Read the Algoritmekader (an index JSON, an archive, or else the pinned archive, downloaded once
    and cached) and the decision tree if given, and commit them as one new store generation."""
    from compliance.classification import tree_source
    from compliance.decision_tree import read_tree
    from loader.reconcile.cache import fetch, file_sha256
    from loader.store import commit

    if index is not None:
        kader, digests = read_index(index), [file_sha256(index)]
    else:
        path = archive if archive is not None else fetch(ARCHIVE_PIN, refresh=refresh).path
        kader, digests = read_archive(path), [file_sha256(path)]
    if norms is not None:
        kader.norms = read_norms(norms)
        digests.append(file_sha256(norms))
    key = digests[0] if len(digests) == 1 else hashlib.sha256("\n".join(digests).encode()).hexdigest()
    source, report = kader_source(kader, key)
    sources = [source] + ([tree_source(read_tree(tree))] if tree is not None else [])
    result = commit(store_dir, sources)
    return KaderLoad(
        len(kader.requirements), len(kader.measures), len(kader.instruments), result.loaded, result.skipped, report
    )
