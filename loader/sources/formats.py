"""Input formats: chosen from an explicit ``--format`` or the file extension, never sniffed from content.

The one exception is JSON, whose flavours share the ``.json`` extension: with ``--format json`` (or a
``.json`` file and no ``--format``) the flavour is told from the document's top-level shape:

=================================  ==========================================================
top level                          flavour
=================================  ==========================================================
object with ``algoritme_versions``  ``site-data``: the register's site-data dump
object with ``algoritmes``          ``scrape``: the search-listing scrape
object with ``records``             ``testdata-v0.1``: the 2022 test data (standard 0.1)
object with ``name``                ``standard-json``: one record per the 1.0 JSON Schema
array (of such objects)             ``standard-json``: several records per the JSON Schema
=================================  ==========================================================

Anything else is an error that lists the keys found. An explicit flavour is checked the same way.
"""

from enum import StrEnum
from pathlib import Path

from loader.errors import SourceError


class InputFormat(StrEnum):
    """A register input format; the value is what ``--format`` accepts."""

    CSV = "csv"
    JSON = "json"
    SITE_DATA = "site-data"
    STANDARD_JSON = "standard-json"
    SCRAPE = "scrape"
    TESTDATA_V0_1 = "testdata-v0.1"


JSON_FLAVOURS = frozenset(
    {InputFormat.SITE_DATA, InputFormat.STANDARD_JSON, InputFormat.SCRAPE, InputFormat.TESTDATA_V0_1}
)

_EXTENSIONS = {".csv": InputFormat.CSV, ".json": InputFormat.JSON}
_TOP_LEVEL_KEYS = (
    ("algoritme_versions", InputFormat.SITE_DATA),
    ("algoritmes", InputFormat.SCRAPE),
    ("records", InputFormat.TESTDATA_V0_1),
    ("name", InputFormat.STANDARD_JSON),
)


def format_for(path: Path, *, explicit: str | InputFormat | None = None) -> InputFormat:
    """The format named by ``explicit``, else the one the extension implies.

    :raises SourceError: an unknown ``--format`` value, or an extension with no format and no ``--format``

    >>> format_for(Path("export.CSV")), format_for(Path("dump.txt"), explicit="site-data")
    (<InputFormat.CSV: 'csv'>, <InputFormat.SITE_DATA: 'site-data'>)
    """
    if explicit is not None:
        try:
            return InputFormat(explicit)
        except ValueError:
            choices = ", ".join(item.value for item in InputFormat)
            raise SourceError(f"unknown --format {explicit!r}; choose one of {choices}", path=path) from None
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise SourceError(
            f"cannot tell the format from the extension {path.suffix or '(none)'!r}: set --format (csv or json)",
            path=path,
        )
    return found


def json_flavour(document: object, *, path: Path | str, expected: InputFormat = InputFormat.JSON) -> InputFormat:
    """The JSON flavour of a parsed document, by its top-level keys (see the module table).

    :param expected: ``InputFormat.JSON`` to accept any flavour, or the one flavour the caller asked for
    :raises SourceError: the shape matches no flavour, or another flavour than ``expected``

    >>> json_flavour({"algoritmes": [], "count": 0}, path="scrape.json")
    <InputFormat.SCRAPE: 'scrape'>
    """
    found: InputFormat | None = None
    if isinstance(document, list):
        found = InputFormat.STANDARD_JSON
    elif isinstance(document, dict):
        found = next((flavour for key, flavour in _TOP_LEVEL_KEYS if key in document), None)
    if found is None:
        shape = sorted(document)[:10] if isinstance(document, dict) else type(document).__name__
        raise SourceError(
            f"not a register JSON flavour (top level: {shape}); expected one of the keys "
            + ", ".join(key for key, _ in _TOP_LEVEL_KEYS)
            + " or an array of records",
            path=path,
        )
    if expected not in (InputFormat.JSON, found):
        raise SourceError(f"--format {expected.value} was asked for, but the document is {found.value}", path=path)
    return found
