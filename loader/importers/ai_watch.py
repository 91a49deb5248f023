"""The EU JRC AI Watch inventory (AI-Watch/AI-watch-T6-X): harmonised service records and source catalogues.

Read from a directory laid out as the repository is (``services.json``, ``catalogs.json``; ``src/N-catalog-*.csv``
and ``src/N-services-*.csv`` per source catalogue N, columns of the README's data schema), or from the pinned
downloads. The JSON files go through the project's JSON reader (:mod:`loader.sources.json_text`, input limits,
line/column or JSON-pointer errors), the CSV files through its CSV reader. The explorer numbers catalogues
10000+N and services N x 10000+i (services.json: catalogue 10009, services 90001…); a source catalogue's services
are numbered the same way, so every service has one id across the explorer. Which source catalogues are imported
is data: those the model lists as registers with an ``akg:sourceCatalogNumber`` (the Amsterdam and Helsinki
registers, ``ontology/registers/registers.ttl``); the others (blockchain, API and IoT surveys) describe no algorithms.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from loader.errors import SourceError
from loader.importers.common import SourceFile, read_source
from loader.sources.csv_rows import rows
from loader.sources.json_text import parse_json

__all__ = ["CatalogRecord", "ServiceRecord", "read_catalogs", "read_services", "read_source_catalog", "source_files"]

SERVICE_COLUMNS = ("id", "name", "geocoverage")
CATALOG_COLUMNS = ("c_name",)


@dataclass(frozen=True)
class ServiceRecord:
    """One service as published, where it is in its file (line for CSV, JSON pointer for JSON)."""

    service_id: int
    catalog_id: int
    values: dict[str, object]
    file: str
    line: int | None = None
    pointer: str | None = None

    def text(self, key: str) -> str:
        value = self.values.get(key)
        return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class CatalogRecord:
    catalog_id: int
    values: dict[str, str]
    file: str


def _integer(value: object, *, file: str, where: str, field: str, line: int | None = None) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise SourceError(f"{where}: expected a whole number, found {value!r}", path=file, line=line, field=field)


def _json_list(source: SourceFile) -> list[object]:
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"not UTF-8: byte offset {error.start}", path=source.label) from None
    document = parse_json(text, label=source.label)
    if not isinstance(document, list):
        raise SourceError("expected a JSON array of records", path=source.label)
    return document


def read_services(path: Path) -> tuple[SourceFile, list[ServiceRecord]]:
    """The harmonised records of ``services.json``.

    :raises SourceError: not JSON, out of the input limits, a record that is not an object or has no id,
        catalogue id or name (located by JSON pointer)
    """
    source = read_source(path)
    found = []
    for position, raw in enumerate(_json_list(source)):
        pointer = f"/{position}"
        if not isinstance(raw, dict):
            raise SourceError(f"at {pointer}: expected a service object", path=source.label)
        for key in ("id", "cid", "name"):
            if key not in raw:
                raise SourceError(f"at {pointer}: no {key!r}", path=source.label, field=key)
        service = _integer(raw["id"], file=source.label, where=f"at {pointer}/id", field="id")
        catalog = _integer(raw["cid"], file=source.label, where=f"at {pointer}/cid", field="cid")
        found.append(ServiceRecord(service, catalog, raw, source.label, pointer=pointer))
    return source, found


def read_catalogs(path: Path) -> tuple[SourceFile, list[CatalogRecord]]:
    """The catalogues of ``catalogs.json`` (``c_id``, ``c_name``, …)."""
    source = read_source(path)
    found = []
    for position, raw in enumerate(_json_list(source)):
        if not isinstance(raw, dict) or "c_id" not in raw:
            raise SourceError(f"at /{position}: expected a catalogue object with 'c_id'", path=source.label)
        number = _integer(raw["c_id"], file=source.label, where=f"at /{position}/c_id", field="c_id")
        values = {key: value.strip() for key, value in raw.items() if isinstance(value, str)}
        found.append(CatalogRecord(number, values, source.label))
    return source, found


def read_source_catalog(
    catalog: Path, services: Path, number: int
) -> tuple[SourceFile, SourceFile, CatalogRecord, list[ServiceRecord]]:
    """A source catalogue N: its one-row catalogue CSV and its services CSV (ids numbered N x 10000 + id)."""
    catalog_source = read_source(catalog)
    described = list(rows(catalog, required=CATALOG_COLUMNS))
    if len(described) != 1:
        raise SourceError(f"expected one catalogue row, found {len(described)}", path=catalog_source.label)
    record = CatalogRecord(10000 + number, {k: v.strip() for k, v in described[0].values.items()}, catalog_source.label)
    services_source = read_source(services)
    found = []
    for row in rows(services, required=SERVICE_COLUMNS):
        local = _integer(
            row.values["id"], file=services_source.label, where=f"row {row.index}", field="id", line=row.line
        )
        values: dict[str, object] = {key: value for key, value in row.values.items()}
        found.append(
            ServiceRecord(number * 10000 + local, 10000 + number, values, services_source.label, line=row.line)
        )
    return catalog_source, services_source, record, found


def source_files(directory: Path, number: int) -> tuple[Path, Path]:
    """``src/N-catalog-*.csv`` and ``src/N-services-*.csv`` of catalogue ``number`` in a copy of the repository.

    :raises SourceError: either is missing or not unique
    """
    found = []
    for kind in ("catalog", "services"):
        pattern = re.compile(rf"^{number}-{kind}-[^/]+\.csv$")
        matches = sorted(
            path for path in (directory / "src").glob(f"{number}-{kind}-*.csv") if pattern.match(path.name)
        )
        if len(matches) != 1:
            raise SourceError(
                f"expected one src/{number}-{kind}-*.csv for source catalogue {number}, found {len(matches)}",
                path=directory,
            )
        found.append(matches[0])
    return found[0], found[1]
