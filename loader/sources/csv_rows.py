"""CSV text -> rows within the input limits (:mod:`loader.sources.limits`), each with its line, and located errors.

`rows` is the CSV reader of every importer (the register's export, the US AI use case inventory, the AI Watch
source catalogues): UTF-8 (with or without BOM), a header row, every row as wide as the header. Memory stays
bounded: lines are read in pieces of at most the field-size limit, and a field over it is a located error, as
are bytes that are not UTF-8, a truncated file, an unterminated quote, a missing or repeated column. `dict_rows`
reads the small lists a user gives (an organisation list, a table of norms; `;`-separated), rows shorter than the
header allowed.
"""

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from loader.errors import SourceError
from loader.sources.limits import ENVIRONMENT, allow_csv_fields, input_limits

__all__ = ["CsvRow", "dict_rows", "rows"]


@dataclass(frozen=True)
class CsvRow:
    """One data row: its place (1-based among data rows), the physical line it starts on, its values by column."""

    index: int
    line: int
    values: dict[str, str]


def rows(
    path: Path | None = None,
    *,
    data: bytes | None = None,
    name: str = "<data>",
    required: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
    encoding_hint: str = "the file should be UTF-8",
) -> Iterator[CsvRow]:
    """The data rows of a CSV file, in file order; blank lines are skipped.

    :param path: the file to read (give ``path`` or ``data``, not both)
    :param data: the file's bytes, reported under ``name``
    :param required: columns the header must have (after ``aliases`` renamed its cells)
    :param encoding_hint: what the error for bytes that are not UTF-8 adds (where the file comes from)
    :raises SourceError: not UTF-8, a truncated file or unterminated quote, a missing or repeated column, a row
        with the wrong number of fields, a field over the field-size limit; located by file, line and column
    """
    if (path is None) == (data is None):
        raise TypeError("give exactly one of path= or data=")
    label = str(path) if path is not None else name
    opened: BinaryIO = path.open("rb") if path is not None else io.BytesIO(data or b"")
    limit = input_limits().field_chars
    allow_csv_fields(limit)  # the csv module's limit may be higher (another read's): each row is checked too
    with opened, io.TextIOWrapper(opened, encoding="utf-8-sig", newline="") as text:
        yield from _rows(
            text,
            label=label,
            path=path,
            data=data,
            limit=limit,
            required=required,
            aliases=aliases or {},
            hint=encoding_hint,
        )


def _rows(
    text: TextIO,
    *,
    label: str,
    path: Path | None,
    data: bytes | None,
    limit: int,
    required: Sequence[str],
    aliases: Mapping[str, str],
    hint: str,
) -> Iterator[CsvRow]:
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
            raise _encoding_error(label, path=path, data=data, header=header, hint=hint) from None
        except csv.Error as exc:
            raise _csv_error(exc, label, line=start_line, path=path, data=data, header=header, limit=limit) from None
        if header is None:
            header = _header(row, label=label, required=required, aliases=aliases)
            continue
        if not row:
            continue
        if pieces.cut:
            field = header[min(len(row), len(header)) - 1]
            raise SourceError(_over_limit(limit), path=label, line=start_line, field=field)
        if (over := next((number for number, value in enumerate(row) if len(value) > limit), None)) is not None:
            field = header[over] if over < len(header) else None
            raise SourceError(_over_limit(limit), path=label, line=start_line, field=field)
        if len(row) != len(header):
            raise _width_error(row, header, label=label, line=start_line, at_end=pieces.exhausted)
        index += 1
        yield CsvRow(index, start_line, dict(zip(header, row, strict=True)))
    if header is None:
        raise SourceError("empty file: no header row", path=label, line=1)


def _header(row: list[str], *, label: str, required: Sequence[str], aliases: Mapping[str, str]) -> list[str]:
    header = [aliases.get(cell.strip(), cell.strip()) for cell in row]
    missing = [column for column in required if column not in header]
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
    return f"a field over {limit:,} characters ({ENVIRONMENT['field_chars']})"


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


def _encoding_error(
    label: str, *, path: Path | None, data: bytes | None, header: list[str] | None, hint: str
) -> SourceError:
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
    rows = list(csv.reader(io.StringIO(prefix.decode("utf-8-sig", errors="replace"), newline="")))
    columns = header or ([cell.strip() for cell in rows[0]] if len(rows) > 1 else None)
    field = None
    if columns:
        last = rows[-1] if rows and not prefix.endswith((b"\n", b"\r")) else []
        field = columns[min(max(len(last) - 1, 0), len(columns) - 1)]
    return SourceError(
        f"not UTF-8: byte 0x{bad.hex()} at byte offset {offset} (is it Latin-1 or Windows-1252? {hint})",
        path=label,
        line=line,
        field=field,
    )


def _open(path: Path | None, data: bytes | None) -> BinaryIO:
    return path.open("rb") if path is not None else io.BytesIO(data or b"")


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
