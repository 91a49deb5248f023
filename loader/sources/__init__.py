"""Typed readers for every register input format; one module per format, each with ``read(path) -> Iterator[Record]``.

>>> from loader.sources import InputFormat
>>> InputFormat("csv")
<InputFormat.CSV: 'csv'>
"""

from collections.abc import Iterator
from pathlib import Path

from loader.sources import csv_source, json_source
from loader.sources.formats import JSON_FLAVOURS, InputFormat, format_for
from loader.sources.records import Record

__all__ = ["InputFormat", "Record", "read"]


def read(path: Path, *, format: str | InputFormat | None = None, language: str | None = None) -> Iterator[Record]:
    """Records of a register file, in the format ``format`` names or the file extension implies.

    :param format: a ``--format`` value (``csv``, ``json``, ``site-data``, ``standard-json``, ``scrape``,
        ``testdata-v0.1``); ``None`` uses the extension
    :param language: the CSV export's language (``NLD``/``ENG``); JSON flavours carry their own
    :raises SourceError: see :func:`loader.sources.csv_source.read` and :func:`loader.sources.json_source.read`
    """
    chosen = format_for(path, explicit=format)
    if chosen is InputFormat.CSV:
        return csv_source.read(path, language=language)
    return json_source.read(path, flavour=chosen if chosen in JSON_FLAVOURS else InputFormat.JSON)
