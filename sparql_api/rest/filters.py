"""The algorithm collection's filters: request values -> RDF terms bound to the filter blocks' variables."""

import re
from dataclasses import dataclass, fields

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

    organisation: str | None = None
    organisationType: str | None = None
    theme: str | None = None
    status: str | None = None
    publicationCategory: str | None = None
    aiActCategory: str | None = None
    law: str | None = None
    article: str | None = None
    instrument: str | None = None
    value: str | None = None
    q: str | None = None
    register: str | None = None  # a register (`us-federal-ai-inventory`) or its catalogue IRI
    country: str | None = None  # an authority-table code (`NLD`) or the country's IRI

    def given(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) not in (None, "")}

    def bindings(self) -> dict[str, Term]:
        """The given filters as RDF terms, by query variable name (`VARIABLES`, else the filter's name).

        :raises BadFilter: a value that is not an IRI, a known short form or (for `q`) any text.
        """
        bound: dict[str, Term] = {}
        for name, value in self.given().items():
            value = value.strip()
            if name == "q":
                if not re.search(r"\w", value):
                    raise BadFilter(name, value, "give at least one word")
                bound[name] = Literal(value)
            elif name == "organisation" and "://" not in value:
                bound[name] = Literal(value)
            elif name == "country" and "://" not in value:
                bound[name] = _iri(name, COUNTRY + value.upper())
            else:
                bound[name] = _iri(name, value)
        return {VARIABLES.get(name, name): term for name, term in bound.items()}


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
