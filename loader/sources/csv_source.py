"""The register's CSV export (``/api/downloads/{NLD|ENG}?filetype=csv``), read row by row into typed records.

What the export is (MinBZK/Algoritmeregister ``backend/app/controllers/file_download.py``): pandas
``to_csv(encoding="utf-8-sig")`` of all published records, one frame per standard version concatenated,
so the columns are the union of the versions' field names (field keys, not Dutch titles, in both the
NLD and the ENG export; only the Excel download gets Dutch titles) and a row leaves the other versions'
columns empty; ``lars`` is renamed ``algorithm_id``; HTML tags are stripped; lists are flattened
(see :mod:`loader.sources.grouped`). The ENG export has translated *values* under the same names.

Each row gets the model of its own ``standard_version``. Memory stays bounded: lines are read in pieces
of at most the field-size limit (:mod:`loader.sources.limits`, the same for every format), and a field
over it is a located error.
"""

from collections.abc import Iterator
from pathlib import Path

from loader.sources.build import build_record, choose_model
from loader.sources.csv_rows import rows
from loader.sources.records import PublishedRecord, SourceRef

REQUIRED_COLUMNS = ("name", "organization", "standard_version")
ALIASES = {"lars": "algorithm_id"}


def read(
    path: Path | None = None, *, data: bytes | None = None, name: str = "<data>", language: str | None = None
) -> Iterator[PublishedRecord]:
    """Records of a register CSV export, in file order.

    :param path: the file to read (give ``path`` or ``data``, not both)
    :param data: the export's bytes, reported under ``name``
    :param language: the export's language (``NLD``/``ENG``), known from where it was downloaded
    :raises SourceError: not UTF-8, a truncated file or unterminated quote, missing required columns,
        a row with the wrong number of fields, a field over the field-size limit, an unknown standard version
    """
    label = str(path) if path is not None else name
    found = rows(
        path,
        data=data,
        name=name,
        required=REQUIRED_COLUMNS,
        aliases=ALIASES,
        encoding_hint="the register exports UTF-8 with BOM",
    )
    for row in found:
        source = SourceRef(file=label, index=row.index, line=row.line)
        model = choose_model(row.values.get("standard_version"), source=source)
        yield build_record(model, row.values, source=source, language=language)
