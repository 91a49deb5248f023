"""The UK Algorithmic Transparency Recording Standard (ATRS) record summaries, in the algokg model.

Each record summary (publishing body, tool name, title, GOV.UK page, publication time, description) becomes an
organisation, an algorithm and a registration of that algorithm in the ATRS register (the catalogue
``…/id/catalog/uk-atrs``, described in ``ontology/law/eu-links.ttl``), all in one named graph with PROV-O,
written by ``loader.store.commit``. Algorithms of both registers are ``akg:Algorithm`` and say which register
published them (``akg:inRegister``), so one query spans the Dutch and the UK register.

IRIs (no register id exists: the GOV.UK page slug is the record's stable name): algorithm
``…/id/algorithm/uk-atrs/{slug}``, its registration ``…/registration/{sha256 of the record, 16 hex}``,
organisation ``…/id/organisation/uk/{slug of the publishing body}``. The summaries carry no AI Act category,
theme or assessment; nothing is guessed. Six summaries name no publishing body: their algorithm has no
organisation and the registration keeps an ``akg:UnmappedValue`` saying so. ``listed_organisations`` is the
same for every record (the GOV.UK collection's owners, not the publisher) and is not mapped.

Source for users: the harvest at a pinned commit (:data:`RECORDS_PIN`), downloaded once and cached.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from compliance.algoritmekader import source_load
from loader.errors import AlgokgError, SourceError
from loader.mapping import terms as t
from loader.reconcile.cache import Pin
from loader.sourceload import PROVENANCE_GRAPH, SourceLoad
from loader.sources.json_text import parse_json

__all__ = ["ATRS_CATALOG", "RECORDS_PIN", "AtrsError", "AtrsRecord", "atrs_source", "import_atrs", "read_records"]

REPOSITORY = "fabio-rovai/uk-algorithmic-transparency"
COMMIT = "c10529e94c73ad87fe63c75927fc39d2363ac2c2"
# The digest of data/atrs_records.json at that commit (checked against the copy in ../shared/reference).
RECORDS_PIN = Pin(
    name=f"uk-atrs-records-{COMMIT[:12]}.json",
    url=f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}/data/atrs_records.json",
    sha256="83f15692c2ad971537080888f015b8c8d1caac7dc61f07e75dc7d04a088ec7da",
)
ATRS_CATALOG = NamedNode(f"{t.ID}catalog/uk-atrs")
RECORD_PAGE = "https://www.gov.uk/algorithmic-transparency-records/"
LICENCE = NamedNode("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
GBR = NamedNode("http://publications.europa.eu/resource/authority/country/GBR")
_FIELDS = ("publishing_body", "tool_name", "title", "url", "published", "description")


class AtrsError(AlgokgError):
    """The ATRS file could not be read (with the file and the record)."""


@dataclass(frozen=True)
class AtrsRecord:
    """One record summary as published, with its place in the file (1-based)."""

    index: int
    slug: str
    title: str
    tool_name: str
    publishing_body: str | None
    url: str
    published: str | None
    description: str | None

    @property
    def digest(self) -> str:
        """sha256 of the record's fields: a changed summary is a new registration."""
        text = json.dumps(
            [self.title, self.tool_name, self.publishing_body, self.url, self.published, self.description]
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def read_records(path: Path) -> list[AtrsRecord]:
    """Read the harvest's JSON (``{"meta": …, "records": [...]}``).

    :raises AtrsError: not JSON, no records list, or a record without a GOV.UK record URL or title.
    """
    try:
        document = parse_json(path.read_text(encoding="utf-8"), label=str(path))  # within the input limits
    except (OSError, UnicodeDecodeError) as error:
        raise AtrsError(f"cannot read the ATRS records: {error}", path=path) from error
    except SourceError as error:
        raise AtrsError(f"cannot read the ATRS records: {error.message}", path=path, line=error.line) from None
    records = document.get("records") if isinstance(document, dict) else None
    if not isinstance(records, list):
        raise AtrsError("no 'records' list: expected the ATRS harvest JSON", path=path)
    found = []
    for index, raw in enumerate(records, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
            raise AtrsError(f"record {index}: no 'url'", path=path, field="url")
        url = raw["url"].strip()
        if not url.startswith(RECORD_PAGE) or not url.removeprefix(RECORD_PAGE):
            raise AtrsError(f"record {index}: {url!r} is not a GOV.UK ATRS record page", path=path, field="url")
        title = _text(raw.get("title")) or _text(raw.get("tool_name"))
        if not title:
            raise AtrsError(f"record {index}: no title or tool name", path=path, field="title")
        found.append(
            AtrsRecord(
                index=index,
                slug=url.removeprefix(RECORD_PAGE).strip("/"),
                title=title,
                tool_name=_text(raw.get("tool_name")) or title,
                publishing_body=_text(raw.get("publishing_body")),
                url=url,
                published=_text(raw.get("published")),
                description=_text(raw.get("description")),
            )
        )
    return found


def algorithm_iri(record: AtrsRecord) -> NamedNode:
    return NamedNode(f"{t.ID}algorithm/uk-atrs/{record.slug}")


def organisation_iri(name: str) -> NamedNode:
    return NamedNode(f"{t.ID}organisation/uk/{_slug(name)}")


def record_triples(record: AtrsRecord) -> list[tuple]:
    """An organisation, an algorithm and a registration for one record summary."""
    algorithm = algorithm_iri(record)
    registration = NamedNode(f"{algorithm.value}/registration/{record.digest[:16]}")
    en = Literal  # the summaries are in English
    facts: list[tuple[NamedNode, Literal | NamedNode]] = [
        (t.dct("title"), en(record.title, language="en")),
        (t.akg("registerRecordId"), Literal(record.slug)),
        (t.akg("registerPage"), NamedNode(record.url)),
        (t.akg("inRegister"), ATRS_CATALOG),
        (t.dct("spatial"), GBR),  # the register's jurisdiction, as every register's algorithms say
    ]
    if record.description:
        facts.append((t.akg("shortDescription"), en(record.description, language="en")))
    if record.publishing_body:
        organisation = organisation_iri(record.publishing_body)
        facts += [(t.akg("organisation"), organisation), (t.akg("organisationName"), Literal(record.publishing_body))]
    triples: list[tuple] = [
        (algorithm, t.RDF_TYPE, t.akg("Algorithm")),
        (registration, t.RDF_TYPE, t.akg("Registration")),
    ]
    triples += [(algorithm, p, o) for p, o in facts] + [(registration, p, o) for p, o in facts]
    triples += [
        (algorithm, t.akg("hasRegistration"), registration),
        (algorithm, t.akg("currentRegistration"), registration),
        (registration, t.akg("registers"), algorithm),
        (registration, t.akg("copyLanguage"), Literal("en")),
        (registration, t.akg("sourceIndex"), t.typed(record.index, "integer")),
        (registration, t.akg("sourcePointer"), Literal(f"/records/{record.index - 1}")),
        (registration, t.dct("license"), LICENCE),
    ]
    if record.published:
        triples.append((registration, t.dct("issued"), t.typed(record.published, "dateTime")))
    if record.publishing_body:
        organisation = organisation_iri(record.publishing_body)
        triples += [
            (organisation, t.RDF_TYPE, t.ORG_ORGANIZATION),
            (organisation, t.SKOS_PREF_LABEL, Literal(record.publishing_body, language="en")),
            (organisation, t.dct("spatial"), GBR),
            (organisation, t.akg("isPublicAuthority"), t.typed("true", "boolean")),
        ]
    else:
        unmapped = NamedNode(f"{registration.value}/unmapped/publishing_body")
        triples += [
            (registration, t.akg("hasUnmappedValue"), unmapped),
            (unmapped, t.RDF_TYPE, t.akg("UnmappedValue")),
            (unmapped, t.akg("fieldName"), Literal("publishing_body")),
            (unmapped, t.akg("reason"), Literal("the record summary names no publishing body")),
        ]
    return triples


def atrs_source(records: list[AtrsRecord], sha256: str, name: str) -> SourceLoad:
    """The records as one loaded source (its graph named by the file's sha256), with PROV-O and a record count."""
    started = datetime.now(UTC)
    triples = [triple for record in records for triple in record_triples(record)]
    source = source_load(f"UK ATRS record summaries ({name})", sha256, triples, started, RECORDS_PIN.url)
    count = (source.graph, t.akg("recordCount"), t.typed(len(records), "integer"))
    return SourceLoad(
        name=source.name,
        sha256=source.sha256,
        graph=source.graph,
        quads=source.quads,
        provenance=[*source.provenance, Quad(*count, PROVENANCE_GRAPH)],
    )


@dataclass(frozen=True)
class AtrsLoad:
    """What `algokg import-atrs` did."""

    records: int
    organisations: int
    without_organisation: int
    loaded: list[str]
    skipped: list[str]


def import_atrs(store_dir: Path, path: Path | None = None, *, refresh: bool = False) -> AtrsLoad:
    """Read the ATRS records (``path``, else the pinned download, cached) and commit them as one generation."""
    from loader.reconcile.cache import fetch, file_sha256
    from loader.store import commit

    source_path = path if path is not None else fetch(RECORDS_PIN, refresh=refresh).path
    records = read_records(source_path)
    result = commit(store_dir, [atrs_source(records, file_sha256(source_path), source_path.name)])
    bodies = {record.publishing_body for record in records if record.publishing_body}
    missing = sum(1 for record in records if not record.publishing_body)
    return AtrsLoad(len(records), len(bodies), missing, result.loaded, result.skipped)
