"""Rows of a small CSV file a user gives (an organisation list, a table of norms), with located errors.

Within the field-size limit (:mod:`loader.sources.limits`) like every reader; a file that is not UTF-8 or not
CSV, or a field over the limit, is a :class:`~loader.errors.SourceError` naming the file and line, never a
traceback. (The register's own CSV export has its reader, :mod:`loader.sources.csv_source`.)
"""

import csv
from collections.abc import Iterator
from pathlib import Path

from loader.errors import SourceError
from loader.sources.limits import ENVIRONMENT, allow_csv_fields, input_limits


def dict_rows(path: Path, *, delimiter: str = ";") -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line, row) for each record of ``path`` (UTF-8, optional BOM; the first line names the columns); a row
    shorter than the header has None for the columns it lacks.

    :raises SourceError: not UTF-8, not CSV, or a field over the field-size limit (file and line).
    """
    limit = input_limits().field_chars
    allow_csv_fields(limit)  # the module's limit may be higher (another read's): each row is checked too
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        try:
            for row in reader:
                if any(len(value) > limit for value in row.values() if isinstance(value, str)):
                    raise SourceError(_over_limit(limit), path=path, line=reader.line_num)
                yield reader.line_num, row  # type: ignore[misc]
        except UnicodeDecodeError:
            raise _not_utf8(path) from None
        except csv.Error as error:
            problem = _over_limit(limit) if "field limit" in str(error) else f"not readable as CSV: {error}"
            raise SourceError(problem, path=path, line=reader.line_num + 1) from None  # the line it failed on


def _not_utf8(path: Path) -> SourceError:
    raw = path.read_bytes()  # the decoder reads ahead: the byte's line is found in the bytes
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return SourceError(f"not UTF-8: byte 0x{raw[error.start]:02x} (save the file as UTF-8)", path=path, line=line)
    return SourceError("not UTF-8", path=path)  # pragma: no cover - the reader failed on these bytes


def _over_limit(limit: int) -> str:
    return f"a field over {limit:,} characters ({ENVIRONMENT['field_chars']})"
