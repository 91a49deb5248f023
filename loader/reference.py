"""The reference data a load reconciles against: concept schemes, the law gazetteer and organisation lists.

Organisation lists come from, newest first (a newer list wins where two disagree): the files the user names
(`--organisations` or ``$ALGOKG_ORGANISATIONS``: register CSV lists ``name;identifier;org_id`` or TOOI JSON-LD
value lists), the TOOI lists `algokg harvest` put in the download cache, and what ships with the package: pinned
snapshots of the TOOI lists (``loader/reconcile/data/tooi/``) and the project's cited table of national bodies.
English names are read with the register's own translations (shipped, and refreshed by a harvest), the cited
table of English names and the table of abbreviations. Laws come from the BWB list in the download cache
(`algokg harvest`), the project's bundled law table, the model's law data
(:mod:`loader.reconcile.law_gazetteer`) and the bundled table of laws known by name only
(:mod:`loader.reconcile.law_by_name`). Nothing is downloaded here: a load works offline.
"""

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from loader.mapping.concepts import ConceptIndex, default_concept_index
from loader.reconcile.bwb_list import BWB_LIST_PIN, read_bwb_list
from loader.reconcile.cache import default_cache_dir
from loader.reconcile.law_by_name import by_name_path, read_by_name
from loader.reconcile.law_gazetteer import Gazetteer, LawEntry, bundled_path, read_bundled
from loader.reconcile.model_laws import model_law_entries
from loader.reconcile.organisations import OrganisationMatcher
from loader.reconcile.snapshots import bundled_snapshot_entries
from loader.reconcile.tooi import (
    TRANSLATION_PIN,
    OrganisationEntry,
    aliases_path,
    english_names_path,
    national_bodies_path,
    read_aliases,
    read_english_names,
    read_national_bodies,
    read_register_csv,
    read_tooi_jsonld,
    read_translations,
)

ORGANISATIONS_ENV = "ALGOKG_ORGANISATIONS"


@dataclass(frozen=True)
class ReferenceData:
    concepts: ConceptIndex
    law_names: Gazetteer
    organisations: OrganisationMatcher
    organisation_sources: tuple[str, ...]


@cache
def bundled_law_entries() -> tuple[LawEntry, ...]:
    return tuple(read_bundled(bundled_path()))


@cache
def laws_by_name() -> tuple[LawEntry, ...]:
    return tuple(read_by_name(by_name_path()))


@cache
def default_gazetteer() -> Gazetteer:
    """The bundled law tables and the model's laws (no BWB list: what a load knows without a harvest)."""
    return Gazetteer.merged(bundled_law_entries(), model_law_entries(), laws_by_name())


def gazetteer(cache_dir: Path) -> Gazetteer:
    """The default gazetteer, with the cached BWB list first when ``algokg harvest`` has fetched it.

    :raises ReconcileError: the cached BWB list is not readable (with the file and line).
    """
    cached = cache_dir / BWB_LIST_PIN.name
    if not cached.exists():
        return default_gazetteer()
    return Gazetteer.merged(read_bwb_list(cached), bundled_law_entries(), model_law_entries(), laws_by_name())


# Which list wins where two disagree: what the user names, then what a harvest fetched, then what ships.
RANK_GIVEN, RANK_HARVESTED, RANK_BUNDLED = 2, 1, 0


def organisation_entries(path: Path, *, rank: int = RANK_GIVEN) -> list[OrganisationEntry]:
    """Entries of one organisation list, by its form (JSON-LD value list or register CSV)."""
    if path.suffix.lower() in {".json", ".jsonld"}:
        return read_tooi_jsonld(path, rank=rank)
    return read_register_csv(path, rank=rank)


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
    given = [*(organisation_lists or []), *configured_lists()]
    harvested = sorted(cache_dir.glob("tooi-*.json"))
    entries = [entry for path in given for entry in organisation_entries(path, rank=RANK_GIVEN)]
    entries += [entry for path in harvested for entry in organisation_entries(path, rank=RANK_HARVESTED)]
    entries += bundled_snapshot_entries(rank=RANK_BUNDLED)
    entries += read_national_bodies(national_bodies_path())
    cached_translations = cache_dir / TRANSLATION_PIN.name
    translation_file = translations or (cached_translations if cached_translations.exists() else None)
    matcher = OrganisationMatcher(
        entries,
        translations=read_translations(translation_file) if translation_file else None,
        english_names=read_english_names(english_names_path()),
        aliases=read_aliases(aliases_path()),
    )
    # Names only: where a list lies on this machine is nobody else's business (the store is published).
    sources = (*(path.name for path in [*given, *harvested]), "bundled TOOI snapshots", national_bodies_path().name)
    return ReferenceData(default_concept_index(), gazetteer(cache_dir), matcher, sources)
