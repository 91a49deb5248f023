"""Dates as the register publishes them, read into a date with its precision, the original kept.

The standard asks for ``YYYY-MM`` (begin and end dates) but the register holds every form people
typed: ``2023-05``, ``05-2023``, ``2022-1``, ``12 2024``, ``2019``, ``2021\\t``, ``-``, full dates,
timestamps, month names and, in the 2022 test data, spreadsheet serial day numbers (``44495``).
Nothing here raises: what cannot be read keeps its original text and says why in ``problem``.

>>> parse_date("05-2023").value, parse_date("05-2023").precision
(datetime.date(2023, 5, 1), 'month')
>>> parse_date("Maart").problem
'a month name without a year'
"""

import re
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

Precision = Literal["year", "month", "day"]

# Placeholders that mean "no date given" rather than a bad date.
_BLANKS = frozenset({"", "-", "--", "n.v.t.", "nvt", "n/a", "onbekend", "unknown"})

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "feb"),
            ("maart", "march", "mrt", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("augustus", "august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

_SEP = r"\s*[-/. ]\s*"
_YEAR_MONTH_DAY = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})(?:[T ]\d{{1,2}}:\d{{2}}\S*)?")
_DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}})")
_YEAR_MONTH = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}})")
_MONTH_YEAR = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{4}})")
_YEAR = re.compile(r"(\d{4})")
_MONTH_NAME_YEAR = re.compile(r"([a-z]+)\.?\s+(\d{4})")
_TWO_DIGIT_YEAR = re.compile(rf"\d{{1,2}}{_SEP}\d{{2}}")
# Spreadsheet serial day numbers (1900 system): 20000 is 1954-10-03, 80000 is 2119-01-10.
_SERIAL = re.compile(r"[2-7]\d{4}")
_SPREADSHEET_EPOCH = date(1899, 12, 30)


class NormalisedDate(BaseModel):
    """A published date: the text as published, the date it denotes (first day of its period) and how precise it is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    original: str
    value: date | None
    precision: Precision | None
    problem: str | None


def parse_date(text: str) -> NormalisedDate:
    """Read a published date in any form seen in the register.

    :param text: the value as published (surrounding whitespace is ignored, not removed from ``original``)
    :returns: the date with precision ``year``/``month``/``day``, or ``value=None`` with a ``problem``
        (``problem`` stays ``None`` for an empty value or a placeholder such as ``-``)

    >>> parse_date("2021\\t").precision
    'year'
    >>> parse_date("2023-13").problem
    'month 13 does not exist'
    """
    cleaned = text.strip().lower()
    if cleaned in _BLANKS:
        return NormalisedDate(original=text, value=None, precision=None, problem=None)
    if match := _YEAR_MONTH_DAY.fullmatch(cleaned):
        return _build(text, int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_MONTH_YEAR.fullmatch(cleaned):
        return _build(text, int(match[3]), int(match[2]), int(match[1]))
    if match := _YEAR_MONTH.fullmatch(cleaned):
        return _build(text, int(match[1]), int(match[2]), None)
    if match := _MONTH_YEAR.fullmatch(cleaned):
        return _build(text, int(match[2]), int(match[1]), None)
    if _YEAR.fullmatch(cleaned):
        return NormalisedDate(original=text, value=date(int(cleaned), 1, 1), precision="year", problem=None)
    if (match := _MONTH_NAME_YEAR.fullmatch(cleaned)) and match[1] in _MONTHS:
        return _build(text, int(match[2]), _MONTHS[match[1]], None)
    if _SERIAL.fullmatch(cleaned):
        day = _SPREADSHEET_EPOCH + timedelta(days=int(cleaned))
        problem = f"spreadsheet serial day number, read as {day.isoformat()}"
        return NormalisedDate(original=text, value=day, precision="day", problem=problem)
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        return NormalisedDate(original=text, value=None, precision=None, problem=_why_unreadable(cleaned))
    return NormalisedDate(original=text, value=stamp.date(), precision="day", problem=None)


def _build(original: str, year: int, month: int, day: int | None) -> NormalisedDate:
    if not 1 <= month <= 12:
        return NormalisedDate(original=original, value=None, precision=None, problem=f"month {month} does not exist")
    try:
        value = date(year, month, day or 1)
    except ValueError as exc:
        return NormalisedDate(original=original, value=None, precision=None, problem=str(exc))
    return NormalisedDate(original=original, value=value, precision="day" if day else "month", problem=None)


def _why_unreadable(cleaned: str) -> str:
    if cleaned in _MONTHS:
        return "a month name without a year"
    if _TWO_DIGIT_YEAR.fullmatch(cleaned):
        return "a two-digit year is ambiguous"
    return "not a date in any form the register uses (expected YYYY-MM)"
