"""The US federal AI use case inventory (OMB, 2025): the CSV of individually reported use cases, read into rows
with stable, never-merging IRIs.

The file (``2025_individually_reported_AI_use_cases.csv``, UTF-8 with BOM, 36 columns, data dictionary in the
upstream repository's ``Validation/``) is read with the project's CSV reader and input limits
(:mod:`loader.sources.csv_rows`); a missing required column is a located error, nothing is written.

Identifiers. A use case's ``id`` should be unique and stable across years, but agencies may drop the column:
3,611 rows hold 2,910 distinct agency+id pairs (704 rows have no id; three pairs repeat). The IRI is
``…/id/algorithm/us/{agency}/{id}`` when the agency's id is non-blank and names one row of the file; otherwise
(no id, or an id shared by several rows) the row's name and bureau disambiguate:
``…/id/algorithm/us/{agency}/{id or "no-id"}/{first 10 hex of sha256(name, bureau)}``; rows that agree in agency,
id, name and bureau (six in the 2025 file, two of them repeated word for word) are told apart by their order among
those rows (``-2``, ``-3``). So no two rows ever share an IRI, an id that names one use case keeps its IRI from
year to year, and a row without id keeps its IRI as long as its name and bureau stay the same.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode

from loader.mapping import terms as t
from loader.sources.csv_rows import rows

__all__ = ["REQUIRED", "UseCase", "read_use_cases"]

REQUIRED = ("agency", "agency_name", "id", "use_case_name", "agency_bureau", "development_stage", "is_high_impact")


@dataclass(frozen=True)
class UseCase:
    """One row of the inventory: its place in the file, its values by column and its algorithm IRI."""

    index: int
    line: int
    values: dict[str, str]
    iri: NamedNode

    def get(self, column: str) -> str:
        """The value of ``column``, stripped ("" when blank or absent)."""
        return (self.values.get(column) or "").strip()


def slug(text: str) -> str:
    """Lower-case words of letters and digits joined by ``-``: ``"Department of Justice / DEA"`` -> ``department-of-justice-dea``."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "unnamed"


def _id_segment(value: str) -> str:
    # Ids are codes such as DOJ-0357, 35 or TBD: kept as written, unsafe characters percent-encoded.
    return t.segment(value)


def _digest(*parts: str) -> str:
    folded = "\x1f".join(" ".join(part.split()).casefold() for part in parts)
    return hashlib.sha256(folded.encode()).hexdigest()[:10]


def read_use_cases(path: Path) -> list[UseCase]:
    """Every row of the file, in order, each with its IRI (see the module docstring).

    :raises SourceError: the file is not the inventory's CSV (encoding, columns, widths, sizes), located
    """
    found = list(rows(path, required=REQUIRED, encoding_hint="the inventory is UTF-8 with BOM"))
    agency = [slug(row.values["agency"].strip() or row.values["agency_name"]) for row in found]
    ids = [row.values["id"].strip() for row in found]
    base = [f"{t.ID}algorithm/us/{a}/{_id_segment(i)}" if i else "" for a, i in zip(agency, ids, strict=True)]
    shared = Counter(base)
    keyed: list[str] = []
    for row, key, a, i in zip(found, base, agency, ids, strict=True):
        if key and shared[key] == 1:
            keyed.append(key)
            continue
        digest = _digest(row.values["use_case_name"], row.values["agency_bureau"])
        keyed.append(f"{t.ID}algorithm/us/{a}/{_id_segment(i) if i else 'no-id'}/{digest}")
    seen: Counter[str] = Counter()
    use_cases = []
    for row, key in zip(found, keyed, strict=True):
        seen[key] += 1
        iri = key if seen[key] == 1 else f"{key}-{seen[key]}"
        use_cases.append(UseCase(row.index, row.line, row.values, NamedNode(iri)))
    return use_cases
