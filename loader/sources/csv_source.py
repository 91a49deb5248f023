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

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from loader.errors import SourceError
from loader.sources.build import build_record, choose_model
from loader.sources.limits import ENVIRONMENT, allow_csv_fields, input_limits
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
    if (path is None) == (data is None):
        raise TypeError("give exactly one of path= or data=")
    label = str(path) if path is not None else name
    limit = input_limits().field_chars
    allow_csv_fields(limit)  # the csv module's limit may be higher (another read's): each row is checked too
    opened: BinaryIO = path.open("rb") if path is not None else io.BytesIO(data or b"")
    with opened, io.TextIOWrapper(opened, encoding="utf-8-sig", newline="") as text:
        yield from _records(text, label=label, path=path, data=data, language=language, limit=limit)


class _Pieces:
    """Lines of a text stream in pieces of at most ``size`` characters, counting physical lines."""

    def __init__(self, text: TextIO, size: int) -> None:
        self.text, self.size = text, size
        self.lines_done = 0
        self.cut = False  # the last piece handed out ended mid-line (the line is longer than size)
        self.exhausted = False

    def __iter__(self) -> Iterator[str]:
        while piece := self.text.readline(self.size):
            self.cut = len(piece) == self.size and not piece.endswith(("\n", "\r"))
            if not self.cut:
                self.lines_done += 1
            yield piece
        self.exhausted = True


def _records(
    text: TextIO, *, label: str, path: Path | None, data: bytes | None, language: str | None, limit: int
) -> Iterator[PublishedRecord]:
    pieces = _Pieces(text, limit)
    reader = csv.reader(pieces, strict=False)
    header: list[str] | None = None
    index = 0
    while True:
        start_line = pieces.lines_done + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except UnicodeDecodeError:
            raise _encoding_error(label, path=path, data=data, header=header) from None
        except csv.Error as exc:
            raise _csv_error(exc, label, line=start_line, path=path, data=data, header=header, limit=limit) from None
        if header is None:
            if max(map(len, row), default=0) > limit:
                raise SourceError(_over_limit(limit), path=label, line=start_line)
            header = _header(row, label=label)
            continue
        if not row:
            continue
        if pieces.cut:
            field = header[min(len(row), len(header)) - 1]
            raise SourceError(_over_limit(limit), path=label, line=start_line, field=field)
        if max(map(len, row)) > limit:
            column = next(index for index, value in enumerate(row) if len(value) > limit)
            field = header[column] if column < len(header) else None
            raise SourceError(_over_limit(limit), path=label, line=start_line, field=field)
        if len(row) != len(header):
            raise _width_error(row, header, label=label, line=start_line, at_end=pieces.exhausted)
        index += 1
        values = dict(zip(header, row, strict=True))
        source = SourceRef(file=label, index=index, line=start_line)
        model = choose_model(values.get("standard_version"), source=source)
        yield build_record(model, values, source=source, language=language)
    if header is None:
        raise SourceError("empty file: no header row", path=label, line=1)


def _header(row: list[str], *, label: str) -> list[str]:
    header = [ALIASES.get(cell.strip(), cell.strip()) for cell in row]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise SourceError(
            f"missing required column(s) {', '.join(missing)}; the header has {len(header)} columns",
            path=label,
            line=1,
            field=missing[0],
        )
    duplicates = sorted({column for column in header if header.count(column) > 1})
    if duplicates:
        raise SourceError(f"duplicate column(s) {', '.join(duplicates)}", path=label, line=1, field=duplicates[0])
    return header


def _width_error(row: list[str], header: list[str], *, label: str, line: int, at_end: bool) -> SourceError:
    if len(row) < len(header) and at_end:
        message = (
            f"the file ends inside a record ({len(row)} of {len(header)} fields): "
            "truncated download or an unterminated quote"
        )
    else:
        message = f"record has {len(row)} fields, the header has {len(header)}"
    field = header[len(row) - 1] if len(row) <= len(header) else None
    return SourceError(message, path=label, line=line, field=field)


def _csv_error(
    exc: csv.Error,
    label: str,
    *,
    line: int,
    path: Path | None,
    data: bytes | None,
    header: list[str] | None,
    limit: int,
) -> SourceError:
    if "field larger than field limit" in str(exc):
        column = _column_over_limit(_open(path, data), line=line, limit=limit)
        field = header[column] if header is not None and column is not None and column < len(header) else None
        return SourceError(_over_limit(limit), path=label, line=line, field=field)
    return SourceError(f"not readable as CSV: {exc}", path=label, line=line)


def _over_limit(limit: int) -> str:
    return f"field over {limit:,} characters ({ENVIRONMENT['field_chars']})"


def _column_over_limit(binary: BinaryIO, *, line: int, limit: int) -> int | None:
    """Index of the first field over the limit in the record starting at ``line`` (bounded memory)."""
    with binary, io.TextIOWrapper(binary, encoding="utf-8-sig", newline="", errors="replace") as text:
        pieces = iter(_Pieces(text, 65_536))
        for _ in range(line - 1):
            while (piece := next(pieces, "")) and not piece.endswith(("\n", "\r")):
                pass
        column, length, quoted, after_quote = 0, 0, False, False
        for piece in pieces:
            for char in piece:
                if quoted and char == '"':
                    quoted, after_quote = False, True
                    continue
                if not quoted and char == '"':
                    quoted = after_quote or length == 0
                    after_quote = False
                    if quoted and length > 0:
                        length += 1  # an escaped quote inside a quoted field
                    continue
                after_quote = False
                if not quoted and char == ",":
                    column, length = column + 1, 0
                    continue
                length += 1
                if length > limit:
                    return column
    return None


def _encoding_error(label: str, *, path: Path | None, data: bytes | None, header: list[str] | None) -> SourceError:
    raw = path.read_bytes() if path is not None else (data or b"")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset, bad = exc.start, raw[exc.start : exc.start + 1]
    else:  # pragma: no cover - the wrapper only fails on bytes that fail here too
        offset, bad = len(raw), b""
    prefix = raw[:offset]
    line = prefix.count(b"\n") + 1
    # The decoder reads ahead, so the header may not have been parsed yet: parse what precedes the byte.
    try:
        rows = list(csv.reader(io.StringIO(prefix.decode("utf-8-sig", errors="replace"), newline="")))
    except csv.Error:  # a field over the limit before the byte: the byte's field stays unnamed
        rows = []
    columns = header or ([cell.strip() for cell in rows[0]] if len(rows) > 1 else None)
    field = None
    if columns:
        last = rows[-1] if rows and not prefix.endswith((b"\n", b"\r")) else []
        field = columns[min(max(len(last) - 1, 0), len(columns) - 1)]
    return SourceError(
        f"not UTF-8: byte 0x{bad.hex()} at byte offset {offset} (is it Latin-1 or Windows-1252? "
        "the register exports UTF-8 with BOM)",
        path=label,
        line=line,
        field=field,
    )


def _open(path: Path | None, data: bytes | None) -> BinaryIO:
    return path.open("rb") if path is not None else io.BytesIO(data or b"")
