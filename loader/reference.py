"""The reference data a load reconciles against: concept schemes, law names and organisation lists.

Organisation lists come from, in order: the files the user names (`--organisations`, register CSV
lists ``name;identifier;org_id`` or TOOI JSON-LD value lists), the TOOI lists and the register's
English translations in the download cache (`algokg harvest` puts them there), and the project's
own table of national bodies. Nothing is downloaded here: a load works offline.
"""

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph

from loader.mapping.concepts import ConceptIndex, default_concept_index
from loader.reconcile.cache import default_cache_dir
from loader.reconcile.law_names import LawNameTable, law_names_path, read_law_names
from loader.reconcile.organisations import OrganisationMatcher
from loader.reconcile.tooi import (
    TRANSLATION_PIN,
    OrganisationEntry,
    english_names_path,
    national_bodies_path,
    read_english_names,
    read_national_bodies,
    read_register_csv,
    read_tooi_jsonld,
    read_translations,
)
from ontology import law_files

ORGANISATIONS_ENV = "ALGOKG_ORGANISATIONS"


@dataclass(frozen=True)
class ReferenceData:
    concepts: ConceptIndex
    law_names: LawNameTable
    organisations: OrganisationMatcher
    organisation_sources: tuple[str, ...]


@cache
def default_law_names() -> LawNameTable:
    graph = Graph()
    for path in law_files():
        graph.parse(path, format="turtle")
    return LawNameTable.from_graph(graph, extra=read_law_names(law_names_path()))


def organisation_entries(path: Path) -> list[OrganisationEntry]:
    """Entries of one organisation list, by its form (JSON-LD value list or register CSV)."""
    return read_tooi_jsonld(path) if path.suffix.lower() in {".json", ".jsonld"} else read_register_csv(path)


def configured_lists() -> list[Path]:
    """Organisation lists named in ``$ALGOKG_ORGANISATIONS`` (separated like PATH)."""
    value = os.environ.get(ORGANISATIONS_ENV, "")
    return [Path(part) for part in value.split(os.pathsep) if part]


def reference_data(
    organisation_lists: list[Path] | None = None,
    *,
    translations: Path | None = None,
    cache_dir: Path | None = None,
) -> ReferenceData:
    cache_dir = cache_dir or default_cache_dir()
    lists = [*(organisation_lists or []), *configured_lists(), *sorted(cache_dir.glob("tooi-*.json"))]
    entries = [entry for path in lists for entry in organisation_entries(path)]
    entries += read_national_bodies(national_bodies_path())
    cached_translations = cache_dir / TRANSLATION_PIN.name
    translation_file = translations or (cached_translations if cached_translations.exists() else None)
    matcher = OrganisationMatcher(
        entries,
        translations=read_translations(translation_file) if translation_file else None,
        english_names=read_english_names(english_names_path()),
    )
    sources = (*(str(path) for path in lists), str(national_bodies_path()))
    return ReferenceData(default_concept_index(), default_law_names(), matcher, sources)
