"""Pinned snapshots of TOOI value lists, shipped with the package so a load reconciles with no flags and no network.

A snapshot is the project's own CSV (``;``-separated, UTF-8), one row per name a list gives an organisation::

    name;tooi_iri;type;list;version;sha256;source_url

``type`` is the organisation-type notation the list implies (``gemeente``, ``omgevingsdienst`` …); ``list``,
``version``, ``sha256`` and ``source_url`` say which published list the row comes from: its file name, the
commit or version it was taken at, the sha256 of that file's bytes and where it is published. The facts
(names, TOOI codes) are rewritten in this form; the published files are not copied.

Refresh them from newer lists with::

    python -m loader.reconcile.snapshots DIRECTORY_WITH_THE_REGISTER_LISTS

Lists that ``algokg harvest`` downloads later (the official TOOI value lists) rank above these snapshots:
a newer list wins where the two disagree (:mod:`loader.reference`).
"""

import csv
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loader.reconcile.cache import ReconcileError
from loader.reconcile.tooi import TOOI_ID, OrganisationEntry, read_register_csv

SNAPSHOT_DIR = Path(__file__).resolve().parent / "data" / "tooi"
COLUMNS = ("name", "tooi_iri", "type", "list", "version", "sha256", "source_url")
# Where the register's lists are published: MinBZK/Algoritmeregister at the commit they were taken from.
REGISTER_COMMIT = "4885a0537d142638732f7d83676800a701411e93"
REGISTER_SOURCE = f"https://github.com/MinBZK/Algoritmeregister/tree/{REGISTER_COMMIT}"


@dataclass(frozen=True)
class ListSource:
    """A published list a snapshot is made from: its file name, the snapshot's name and the organisation type."""

    file: str
    snapshot: str
    kind: str


REGISTER_LISTS = (
    ListSource("Gemeenten_tooi_codes.csv", "gemeenten.csv", "gemeente"),
    ListSource("Provincies_tooi_codes.csv", "provincies.csv", "provincie"),
    ListSource("Waterschappen_tooi_codes.csv", "waterschappen.csv", "waterschap"),
    ListSource("Omgevingsdiensten_tooi_codes.csv", "omgevingsdiensten.csv", "omgevingsdienst"),
    ListSource("Veiligheidsregios_tooi_codes.csv", "veiligheidsregios.csv", "veiligheidsregio"),
)


def write_snapshot(source: Path, target: Path, *, kind: str, version: str, source_url: str) -> int:
    """Rewrite a register list (``name;identifier;org_id``) as a snapshot; returns the number of rows.

    :raises ReconcileError: the list has a row without a name or with an unknown code (file and line).
    """
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    entries = read_register_csv(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(COLUMNS)
        for entry in entries:
            writer.writerow((entry.name, entry.iri, kind, source.name, version, digest, source_url))
    return len(entries)


def read_snapshot(path: Path, *, rank: int = 0) -> list[OrganisationEntry]:
    """The entries of one snapshot; each keeps the list file and version it came from as its source.

    :raises ReconcileError: a missing column, or a row without a name, a TOOI IRI, a type or its provenance.
    """
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ReconcileError(f"snapshot lacks column(s) {', '.join(missing)}", path=path, line=1)
        for row in reader:
            values = {column: (row.get(column) or "").strip() for column in COLUMNS}
            if not all(values.values()) or not values["tooi_iri"].startswith(TOOI_ID):
                empty = next((column for column, value in values.items() if not value), "tooi_iri")
                raise ReconcileError(
                    "row needs a name, a TOOI IRI, a type and the list, version, sha256 and source_url it comes from",
                    path=path,
                    line=reader.line_num,
                    field=empty,
                )
            source = f"{values['list']}@{values['version'][:12]} ({values['source_url']})"
            entries.append(OrganisationEntry(values["name"], values["tooi_iri"], source, values["type"], rank))
    return entries


def snapshot_paths() -> list[Path]:
    """The snapshots shipped with the package."""
    return sorted(SNAPSHOT_DIR.glob("*.csv"))


def bundled_snapshot_entries(*, rank: int = 0) -> list[OrganisationEntry]:
    """Every entry of every shipped snapshot."""
    return [entry for path in snapshot_paths() for entry in read_snapshot(path, rank=rank)]


def main(argv: Sequence[str] | None = None) -> None:
    """Rewrite the shipped snapshots from a directory holding the register's list files."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 1:
        raise SystemExit("usage: python -m loader.reconcile.snapshots DIRECTORY_WITH_THE_REGISTER_LISTS")
    directory = Path(arguments[0])
    for listed in REGISTER_LISTS:
        rows = write_snapshot(
            directory / listed.file,
            SNAPSHOT_DIR / listed.snapshot,
            kind=listed.kind,
            version=REGISTER_COMMIT,
            source_url=REGISTER_SOURCE,
        )
        print(f"{listed.snapshot}: {rows} rows from {listed.file}")


if __name__ == "__main__":
    main()
