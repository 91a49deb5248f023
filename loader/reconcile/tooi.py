"""TOOI value lists of government organisations: pinned downloads, and readers for their two formats.

The official lists are the "register ... compleet" value lists of TOOI (standaarden.overheid.nl/tooi),
published per version as JSON-LD, Turtle and RDF/XML at::

    https://repository.officiele-overheidspublicaties.nl/waardelijsten/{set}/{version}/json/{set}_{version}.json

Each organisation node carries ``tooi/def/ont/organisatiecode`` and ``officieleNaamInclSoort``
(historical versions point at the current node with ``prov:specializationOf``). The register's
own export lists (``name;identifier;org_id``, as kept in ``../shared/reference/organisations``)
are read by :func:`read_register_csv`.
"""

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from loader.errors import SourceError
from loader.reconcile.cache import Pin, ReconcileError
from loader.sources.csv_rows import dict_rows
from loader.sources.json_text import parse_json

TOOI_ID = "https://identifier.overheid.nl/tooi/id/"
_ONT = "https://identifier.overheid.nl/tooi/def/ont/"
_PROV_SPECIALIZATION_OF = "http://www.w3.org/ns/prov#specializationOf"
REPOSITORY = "https://repository.officiele-overheidspublicaties.nl/waardelijsten"

# The TOOI path segment for each organisation-code prefix. Samenwerkingsorganisaties live under
# ``/tooi/id/so/`` (e.g. ``.../so/so0697``), as the ``@id``s of rwc_samenwerkingsorganisaties_compleet
# and the ROO export's ``resourceIdentifierTOOI`` show; there is no ``/samenwerkingsorganisatie/`` path.
TYPE_BY_PREFIX = {
    "gm": "gemeente",
    "pv": "provincie",
    "ws": "waterschap",
    "mnre": "ministerie",
    "zb": "zbo",
    "oorg": "oorg",
    "so": "so",
}


@dataclass(frozen=True)
class OrganisationEntry:
    """One name a TOOI organisation is known by, with its IRI and where that pairing comes from.

    :param kind: the organisation type (a notation of the organisation-type scheme: ``gemeente``,
        ``omgevingsdienst`` …) the list says; ``None``: the IRI's TOOI path segment tells it.
    :param rank: which list wins when two name the same words for different bodies: a newer list (a
        harvested TOOI list, a list the user gives) ranks above the bundled snapshots.
    """

    name: str
    iri: str
    source: str
    kind: str | None = None
    rank: int = 0

    @property
    def organisation_type(self) -> str:
        """The organisation-type notation: the list's kind, else the TOOI path segment of the IRI."""
        return self.kind or tooi_path_type(self.iri)


def tooi_path_type(iri: str) -> str:
    """``https://identifier.overheid.nl/tooi/id/gemeente/gm0363`` -> ``gemeente`` (``so`` for joint arrangements)."""
    return iri.removeprefix(TOOI_ID).split("/", 1)[0]


# The register's own list files say by their name which kind of joint arrangement their rows are.
_KIND_BY_LIST_NAME = (("omgevingsdienst", "omgevingsdienst"), ("veiligheidsregio", "veiligheidsregio"))


def list_kind(path: Path) -> str | None:
    """The organisation type a register list file holds, when its name says more than its codes do."""
    name = path.name.casefold()
    return next((kind for prefix, kind in _KIND_BY_LIST_NAME if name.startswith(prefix)), None)


def tooi_iri(code: str) -> str:
    """The TOOI IRI for an organisation code such as ``gm0363`` or ``mnre1034``.

    >>> tooi_iri("GM0363")
    'https://identifier.overheid.nl/tooi/id/gemeente/gm0363'

    :raises ReconcileError: the code has no known type prefix.
    """
    code = code.strip().lower()
    for prefix in sorted(TYPE_BY_PREFIX, key=len, reverse=True):
        if code.startswith(prefix) and code[len(prefix) :].isdigit():
            return f"{TOOI_ID}{TYPE_BY_PREFIX[prefix]}/{code}"
    raise ReconcileError(f"not a TOOI organisation code: {code!r}", field="org_id")


def value_list_pin(set_name: str, version: int, *, sha256: str | None = None, repository: str = REPOSITORY) -> Pin:
    """The pin of one TOOI value list in its JSON-LD form (``repository``: a mirror with the same layout)."""
    url = f"{repository.rstrip('/')}/{set_name}/{version}/json/{set_name}_{version}.json"
    return Pin(name=f"tooi-{set_name}-{version}.json", url=url, sha256=sha256)


# Versions as published on standaarden.overheid.nl/tooi/waardelijsten when this was written. No
# digest is published; pin one (sha256=...) after checking a download, and bump versions deliberately.
TOOI_VALUE_LISTS = (
    ("rwc_gemeenten_compleet", 5),
    ("rwc_provincies_compleet", 1),
    ("rwc_waterschappen_compleet", 2),
    ("rwc_ministeries_compleet", 6),
    ("rwc_zbo_compleet", 6),
    ("rwc_samenwerkingsorganisaties_compleet", 3),
    ("rwc_overige_overheidsorganisaties_compleet", 13),
)


def tooi_pins(repository: str = REPOSITORY) -> tuple[Pin, ...]:
    """The pins of :data:`TOOI_VALUE_LISTS`, at the official repository or a mirror with its layout."""
    return tuple(value_list_pin(name, version, repository=repository) for name, version in TOOI_VALUE_LISTS)


TOOI_PINS = tooi_pins()

# The register's fixed English names (default_translations.organization), from its own repository.
TRANSLATION_PIN = Pin(
    name="algoritmeregister-translation_spec_en.json",
    url="https://raw.githubusercontent.com/MinBZK/Algoritmeregister/main/backend/app/services/translation/translation_spec_en.json",
)


def read_register_csv(path: Path, *, rank: int = 0) -> list[OrganisationEntry]:
    """Read a ``name;identifier;org_id`` list (UTF-8, optional BOM) into entries.

    :raises SourceError: not UTF-8 or not CSV, a field over the field-size limit (with file and line).
    :raises ReconcileError: a row lacks a name or has an unknown ``org_id`` (with file and line).
    """
    entries = []
    kind = list_kind(path)
    for line, row in dict_rows(path):
        name, code = (row.get("name") or "").strip(), (row.get("org_id") or "").strip()
        if not name or not code:
            raise ReconcileError("row needs a name and an org_id", path=path, line=line)
        try:
            iri = tooi_iri(code)
        except ReconcileError as err:
            raise ReconcileError(err.message, path=path, line=line, field="org_id") from err
        entries.append(OrganisationEntry(name=name, iri=iri, source=path.name, kind=kind, rank=rank))
    return entries


def read_tooi_jsonld(path: Path, *, rank: int = 0) -> list[OrganisationEntry]:
    """Read a TOOI value list in expanded JSON-LD: every official, preferred and historical name.

    :raises ReconcileError: the file is not JSON within the input limits, or not a JSON-LD list.
    """
    nodes = _json(path, "not readable as JSON")
    if not isinstance(nodes, list):
        raise ReconcileError("a TOOI value list is a JSON-LD array of nodes", path=path)
    entries = []
    for node in nodes:
        if not isinstance(node, dict) or not _values(node, "organisatiecode"):
            continue
        current = node.get(_PROV_SPECIALIZATION_OF) or [{"@id": node.get("@id", "")}]
        if not isinstance(current, list) or not isinstance(current[0], dict):
            continue  # not the shape of a TOOI node: no name of it is trusted
        iri = str(current[0].get("@id", ""))
        if not iri.startswith(TOOI_ID):
            continue
        names = [
            *_values(node, "officieleNaamInclSoort"),
            *_values(node, "voorkeursnaamInclSoort"),
            *_values(node, "afkorting"),
        ]
        entries.extend(
            OrganisationEntry(name=name, iri=iri, source=path.name, rank=rank) for name in dict.fromkeys(names)
        )
    return entries


def _values(node: Mapping[str, object], key: str) -> list[str]:
    found = node.get(_ONT + key)
    if not isinstance(found, list):
        return []
    return [str(item["@value"]) for item in found if isinstance(item, dict) and item.get("@value")]


def read_national_bodies(path: Path) -> list[OrganisationEntry]:
    """Read the project's ``name;tooi_iri;source_url`` table of national bodies.

    :raises ReconcileError: a row lacks a field or its IRI is not a TOOI IRI.
    """
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        for row in reader:
            name, iri, source = (row.get(key, "").strip() for key in ("name", "tooi_iri", "source_url"))
            if not (name and iri.startswith(TOOI_ID) and source):
                raise ReconcileError("row needs name, a TOOI IRI and a source_url", path=path, line=reader.line_num)
            entries.append(OrganisationEntry(name=name, iri=iri, source=source))
    return entries


def read_translations(path: Path) -> dict[str, str]:
    """English organisation name -> Dutch name, from the register's ``translation_spec_en.json``.

    :raises ReconcileError: the file lacks ``default_translations.organization``.
    """
    spec = _json(path, "no default_translations.organization")
    try:
        dutch_to_english = spec["default_translations"]["organization"]
        return {str(english): str(dutch) for dutch, english in dutch_to_english.items()}
    except (KeyError, TypeError, AttributeError) as err:
        raise ReconcileError(f"no default_translations.organization: {err}", path=path) from err


def _json(path: Path, what: str) -> object:
    """The JSON document of ``path``, within the loader's input limits (nesting, numbers, strings)."""
    try:
        return parse_json(path.read_text(encoding="utf-8"), label=str(path))
    except (OSError, ValueError) as err:
        raise ReconcileError(f"{what}: {err}", path=path) from err
    except SourceError as err:
        raise ReconcileError(f"{what}: {err.message}", path=path, line=err.line, field=err.field) from None


def bundled_entries(paths: Iterable[Path]) -> list[OrganisationEntry]:
    """Entries from several register CSV lists, in order."""
    return [entry for path in paths for entry in read_register_csv(path)]


def national_bodies_path() -> Path:
    """The project-owned table of national bodies (ministries, agencies, ZBOs) with their citations."""
    return Path(__file__).resolve().parent / "data" / "national_bodies.csv"


def read_english_names(path: Path) -> dict[str, str]:
    """English name -> Dutch name, from the project's ``english;dutch;source_url`` table.

    The table holds the English names bodies use for themselves (their own English pages or
    government.nl); it is consulted after the register's fixed translations, never instead of them.

    :raises ReconcileError: a row lacks a field, cites no web source, or repeats an English name
        with another Dutch name (with file and line).
    """
    names: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        for row in reader:
            english, dutch, source = (row.get(key, "").strip() for key in ("english", "dutch", "source_url"))
            if not (english and dutch and source.startswith(("https://", "http://"))):
                raise ReconcileError("row needs english, dutch and a source_url", path=path, line=reader.line_num)
            if names.get(english.casefold(), dutch) != dutch:
                raise ReconcileError(f"{english!r} is given two Dutch names", path=path, line=reader.line_num)
            names[english.casefold()] = dutch
    return names


def english_names_path() -> Path:
    """The project-owned table of English names of national bodies, each with its citation."""
    return Path(__file__).resolve().parent / "data" / "english_names.csv"


def aliases_path() -> Path:
    """The project-owned table of abbreviations and other names of listed bodies, each with its citation."""
    return Path(__file__).resolve().parent / "data" / "aliases.csv"


def read_aliases(path: Path) -> dict[str, tuple[str | None, str]]:
    """Abbreviation or other name -> (the organisation type it implies or ``None``, the listed name it stands for).

    :raises ReconcileError: a row lacks the alias, the name or a web source, or gives one alias two names.
    """
    aliases: dict[str, tuple[str | None, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        for row in reader:
            alias, kind, name, source = (row.get(key, "").strip() for key in ("alias", "type", "name", "source_url"))
            if not (alias and name and source.startswith(("https://", "http://"))):
                raise ReconcileError("row needs alias, name and a source_url", path=path, line=reader.line_num)
            if aliases.get(alias, (kind or None, name)) != (kind or None, name):
                raise ReconcileError(f"{alias!r} is given two names", path=path, line=reader.line_num)
            aliases[alias] = (kind or None, name)
    return aliases
