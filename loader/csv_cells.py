"""CSV that a spreadsheet opens as data: cells it would evaluate as a formula are written as text.

Every CSV algokg writes (REST `?format=csv`, `/dumps/algorithms.csv`, `algokg export --format csv`,
`algokg report` and `/api/reports…` CSV, `algokg validate --format csv` and `POST /api/validate` CSV) passes
its cells through :func:`safe_cell`. A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab, a carriage
return or NUL (OWASP "CSV Injection"; ASVS 5 1.2.10) gets a leading ``'``, which spreadsheets read as
"this is text" and do not show. Plain numbers are kept as they are, so ``-3`` and ``+1.5e3`` stay numbers
(a spreadsheet evaluates them to themselves; nothing else runs). The register's texts are written by many
hands and end up in supervisors' spreadsheets, so the rule holds for every cell, whatever its column.

Not applied: SPARQL results as ``text/csv`` (`/sparql`, `algokg query --format csv`). That is the standard
SPARQL 1.1 CSV results format, written by pyoxigraph, whose values must round-trip exactly.

>>> safe_cell("=1+1"), safe_cell("@SUM(A1)")
("'=1+1", "'@SUM(A1)")
>>> safe_cell("-12.5"), safe_cell("-1+2"), safe_cell(None), safe_cell(7)
('-12.5', "'-1+2", '', '7')
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> str:
    """The text of one CSV cell, prefixed with ``'`` when a spreadsheet would evaluate it.

    :param value: any value; None is the empty cell, everything else its ``str``.
    """
    text = "" if value is None else str(value)
    if text.startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(row: Mapping[str, object]) -> dict[str, str]:
    """Every cell of a `csv.DictWriter` row made safe."""
    return {key: safe_cell(value) for key, value in row.items()}


def csv_table(columns: Sequence[str], rows: Iterable[Mapping[str, object]], *, lineterminator: str = "\r\n") -> str:
    """A CSV table with exactly `columns` as header (absent cells empty, extra keys ignored), every cell safe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator=lineterminator, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()


def safe_csv(data: bytes) -> bytes:
    """A whole CSV document (UTF-8, e.g. SPARQL CSV results made into a download) with every cell made safe.

    The header row is kept; quoting follows RFC 4180 (fields quoted only where needed), lines end in CRLF.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(rows, None)
    if header is not None:
        writer.writerow(header)
        writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8")


__all__ = ["TRIGGERS", "csv_table", "safe_cell", "safe_csv", "safe_row"]
