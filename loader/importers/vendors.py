"""Vendor names as published -> supplier organisations, one node per vendor across registers.

A register's vendor field holds names ("Microsoft", "ServiceNow, Inc.", "Accenture Federal Services, Google"),
but also answers that name no vendor ("Not available", "In-house development", "Open Source") and sentences. A
value is split at commas, semicolons, slashes and line breaks (a legal form after a comma stays with its name);
a part is a vendor name when it is short, has no colon and is not one of the non-answers below. Its key is the
name without case, punctuation and legal form ("ServiceNow, Inc." = "servicenow"), and the node
``…/id/organisation/vendor/{key}`` is an ``akg:UnreconciledOrganisation`` (no public list of vendor identifiers
is used), labelled with every form published. Two registers naming the same vendor so meet at one node;
"Microsoft Azure" and "Microsoft" stay two: no name is guessed to be another's.
"""

import re
import unicodedata

from pyoxigraph import Literal, NamedNode

from loader.mapping import terms as t

__all__ = ["vendor_iri", "vendor_key", "vendor_names", "vendor_triples"]

_SPLIT = re.compile(r"[,;/\n|]+")
_LEGAL_FORMS = {
    "inc", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "gmbh", "ag", "bv", "nv",
    "b v", "n v", "sa", "srl", "lp", "llp", "pbc",
}  # fmt: skip
_NOT_A_VENDOR = re.compile(
    r"^(n/?a|na|none|no|unknown|tbd|various|multiple|other|not available|not applicable.*|redacted.*|"
    r"(internal|internally|in[- ]?house).*|open[- ]?source.*|contractor.*|government.*|agency.*|"
    r"law enforcement sensitive.*|ai (service|model) provider|commercial.*|cots)$"
)
MAX_NAME_CHARS = 60


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def vendor_key(name: str) -> str:
    """The name without case, accents, punctuation and trailing legal forms: ``"ServiceNow, Inc."`` -> ``servicenow``."""
    words = re.sub(r"[^a-z0-9]+", " ", _plain(name)).split()
    while words and (words[-1] in _LEGAL_FORMS or " ".join(words[-2:]) in _LEGAL_FORMS):
        words = words[:-2] if " ".join(words[-2:]) in _LEGAL_FORMS else words[:-1]
    if words and words[0] == "the":
        words = words[1:]
    return "-".join(words)


def vendor_names(value: str) -> list[str]:
    """The vendor names a published value holds (possibly none), in order, without repeats."""
    parts: list[str] = []
    for raw in _SPLIT.split(value):
        part = raw.strip().strip(".").strip()
        if not part:
            continue
        if parts and vendor_key(part) == "" and part.strip(". ").casefold() in _LEGAL_FORMS:
            parts[-1] = f"{parts[-1]}, {part}"  # "Palantir Technologies, Inc."
            continue
        parts.append(part)
    names: list[str] = []
    for part in parts:
        key = vendor_key(part)
        folded = " ".join(_plain(part).replace("-", " ").split()).strip(" .")
        if not key or ":" in part or len(part) > MAX_NAME_CHARS or _NOT_A_VENDOR.match(folded):
            continue
        if key not in (vendor_key(name) for name in names):
            names.append(part)
    return names


def vendor_iri(name: str) -> NamedNode:
    return NamedNode(f"{t.ID}organisation/vendor/{vendor_key(name)}")


def vendor_triples(name: str) -> list[tuple[NamedNode, NamedNode, NamedNode | Literal]]:
    """The vendor node of one name: an unreconciled organisation labelled as published."""
    node = vendor_iri(name)
    return [
        (node, t.RDF_TYPE, t.akg("UnreconciledOrganisation")),
        (node, t.RDF_TYPE, t.ORG_ORGANIZATION),
        (node, t.RDFS_LABEL, Literal(name)),
        (node, t.akg("organisationType"), t.concept_iri("organisation-type", "onbekend")),
    ]
