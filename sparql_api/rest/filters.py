"""The algorithm collection's filters: request values -> RDF terms bound to the filter blocks' variables."""

import re
from dataclasses import dataclass, fields
from datetime import date

from pyoxigraph import Literal, NamedNode

from sparql_api.rest.sparql import Term

ID = "https://w3id.org/algokg/id/"
_BWB = re.compile(r"^BWB[RV]\d{7}(/.*)?$")
# Short forms: a value without "://" is a local name in the filter's usual scheme (or, with a "/",
# a path under https://w3id.org/algokg/id/), so `?theme=sociale-zekerheid` works as well as the IRI.
_FOLDERS = {
    "organisationType": "organisation-type/",
    "theme": "register-theme/",
    "status": "register-status/",
    "publicationCategory": "publication-category/",
    "aiActCategory": "aiact-risk-level/",
    "instrument": "assessment-instrument/",
    "value": "codio/",
    "law": "law/bwb/",
    "article": "law/bwb/",
    "register": "catalog/",
}
# Short forms of a country: its authority-table code (`country=NLD`).
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


# The query variable of a filter, where the parameter's name is taken by another variable of the queries.
VARIABLES = {"value": "publicValue"}
# The request parameter of a filter whose name is not a Python name.
PARAMETERS = {"publishedFrom": "published-from", "publishedTo": "published-to"}
# What `missing=` may name: an assessment instrument performed (none of the record's is), or the legal basis.
MISSING = {"dpia": "dpia", "iama": "iama", "fria": "fria", "legal-basis": None}
# Filters that take one value; every other filter takes several (OR within it, AND across filters; `missing`:
# AND, every one absent).
SINGLE = ("q", "publishedFrom", "publishedTo")
Value = str | tuple[str, ...] | None


class BadFilter(ValueError):
    """A request value that names no RDF term: which parameter, which value, why."""

    def __init__(self, name: str, value: str, reason: str) -> None:
        super().__init__(f"parameter {name!r}: {reason} (got {value!r})")
        self.name, self.value, self.reason = name, value, reason


@dataclass(frozen=True)
class AlgorithmFilters:
    """What the algorithm collection is narrowed to; None = not filtered. All given filters must hold.

    Concept filters take an IRI or a short name (`theme="sociale-zekerheid"`, `status="in-gebruik"`,
    `publicationCategory="A"`, `aiActCategory="high-risk-annex-iii"` or `"annex-iii/5-a"`, `instrument="dpia"`,
    `value="…"`, `organisationType="gemeente"`); `law` an IRI or BWB id, `article` an IRI or
    `BWBR0005537/artikel/3:2`; `organisation` a TOOI IRI or the name as published; `q` free text.
    """

    organisation: Value = None
    organisationType: Value = None
    theme: Value = None
    status: Value = None
    publicationCategory: Value = None
    aiActCategory: Value = None
    law: Value = None
    article: Value = None
    instrument: Value = None
    value: Value = None
    q: Value = None
    register: Value = None  # a register (`us-federal-ai-inventory`) or its catalogue IRI
    country: Value = None  # an authority-table code (`NLD`) or the country's IRI
    missing: Value = None  # `dpia`, `iama`, `fria`, `legal-basis`: the record lacks it (every one given)
    publishedFrom: Value = None  # first published on or after this date (YYYY-MM-DD)
    publishedTo: Value = None  # first published on or before this date

    def values(self, name: str) -> tuple[str, ...]:
        """The non-empty values given for filter `name`, stripped, each once, in the order given."""
        raw = getattr(self, name)
        found = (raw,) if isinstance(raw, str) else tuple(raw or ())
        return tuple(dict.fromkeys(value.strip() for value in found if value and value.strip()))

    def given(self) -> dict[str, tuple[str, ...]]:
        """The filters given, with their values; a single-valued filter given twice is a BadFilter."""
        found = {f.name: values for f in fields(self) if (values := self.values(f.name))}
        for name in SINGLE:
            if len(found.get(name, ())) > 1:
                raise BadFilter(PARAMETERS.get(name, name), " ".join(found[name]), "give this parameter once")
        return found

    def terms(self) -> dict[str, tuple[Term, ...]]:
        """The given filters' values as RDF terms, by filter name.

        :raises BadFilter: a value that is not an IRI, a known short form, a date or (for `q`) any text.
        """
        return {name: tuple(_term(name, value) for value in values) for name, values in self.given().items()}

    def bindings(self) -> dict[str, Term]:
        """The given filters as RDF terms, by query variable name (`VARIABLES`, else the filter's name; a
        second value of a filter `name_2`, …). `missing=legal-basis` binds nothing (its block has no variable).
        """
        bound: dict[str, Term] = {}
        for name, terms in self.terms().items():
            variable = VARIABLES.get(name, name)
            for position, term in enumerate(terms, start=1):
                if name == "missing" and isinstance(term, Literal):
                    continue
                bound[variable if position == 1 else f"{variable}_{position}"] = term
        return bound


def _term(name: str, value: str) -> Term:
    if name == "q":
        if not re.search(r"\w", value):
            raise BadFilter(name, value, "give at least one word")
        return Literal(value)
    if name in ("publishedFrom", "publishedTo"):
        try:
            return Literal(date.fromisoformat(value).isoformat())
        except ValueError:
            raise BadFilter(PARAMETERS[name], value, "give a date as YYYY-MM-DD") from None
    if name == "missing":
        if value not in MISSING:
            raise BadFilter(name, value, f"give one of {', '.join(MISSING)}")
        instrument = MISSING[value]
        return Literal(value) if instrument is None else NamedNode(ID + "assessment-instrument/" + instrument)
    if name == "organisation" and "://" not in value:
        return Literal(value)
    if name == "country" and "://" not in value:
        return _iri(name, COUNTRY + value.upper())
    return _iri(name, value)


def _iri(name: str, value: str) -> NamedNode:
    if "://" in value:
        iri = value
    elif name in ("law", "article") and not _BWB.match(value) and "/" not in value:
        raise BadFilter(name, value, "give an IRI or a BWB id such as BWBR0005537 (article: BWBR0005537/artikel/3:2)")
    elif name in ("law", "article") and _BWB.match(value):
        iri = ID + _FOLDERS[name] + value
    elif "/" in value:
        iri = ID + value
    else:
        iri = ID + _FOLDERS[name] + value
    try:
        return NamedNode(iri)
    except ValueError as error:
        raise BadFilter(name, value, f"not a valid IRI: {error}") from None
