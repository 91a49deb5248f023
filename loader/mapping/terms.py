"""IRIs and literals the mapping writes: namespaces and the minting rules of docs/identifiers.md."""

import hashlib
from functools import cache
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode

ID = "https://w3id.org/algokg/id/"
AKG = "https://w3id.org/algokg/def#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_SEE_ALSO = NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
SKOS_PREF_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
ELI = "http://data.europa.eu/eli/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORG_ORGANIZATION = NamedNode("http://www.w3.org/ns/org#Organization")


@cache  # terms are immutable; mapping asks for the same few hundred thousands of times
def term(namespace: str, name: str) -> NamedNode:
    return NamedNode(namespace + name)


def akg(name: str) -> NamedNode:
    return term(AKG, name)


def dct(name: str) -> NamedNode:
    return term(DCT, name)


def prov(name: str) -> NamedNode:
    return term(PROV, name)


def eli(name: str) -> NamedNode:
    return term(ELI, name)


def xsd(name: str) -> NamedNode:
    return term(XSD, name)


def typed(value: object, datatype: str) -> Literal:
    return Literal(str(value), datatype=xsd(datatype))


def text(value: str, language: str | None) -> Literal:
    """Free text as a language-tagged literal (plain when the language is unknown)."""
    return Literal(value, language=language) if language else Literal(value)


def algorithm_iri(algorithm_id: str) -> NamedNode:
    return NamedNode(f"{ID}algorithm/{algorithm_id}")


def unidentified_algorithm_iri(organisation: str, name: str) -> NamedNode:
    """An algorithm whose record has no register id: named by its organisation and name, marked as such."""
    digest = hashlib.sha256(f"{organisation}\n{name}".encode()).hexdigest()[:16]
    return NamedNode(f"{ID}algorithm/unidentified-{digest}")


def bwb_law_iri(bwb_id: str) -> NamedNode:
    return NamedNode(f"{ID}law/bwb/{bwb_id}")


def bwb_article_iri(bwb_id: str, article: str) -> NamedNode:
    return NamedNode(f"{ID}law/bwb/{bwb_id}/artikel/{article}")


def eu_subdivision_iri(eli_act: str, path: str) -> NamedNode:
    """``http://data.europa.eu/eli/reg/2016/679/oj`` + ``art_6`` -> ``…/id/law/eli/reg/2016/679/art_6``."""
    act = eli_act.removeprefix("http://data.europa.eu/eli/").removesuffix("/oj")
    return NamedNode(f"{ID}law/eli/{act}/{path}")


def cvdr_iri(cvdr_id: str) -> NamedNode:
    return NamedNode(f"{ID}law/cvdr/{cvdr_id}")


def concept_iri(scheme: str, code: str) -> NamedNode:
    return NamedNode(f"{ID}{scheme}/{code}")


def is_iri(value: str) -> bool:
    """Whether a published link can be an IRI as is (absolute http(s), no spaces or angle brackets, and
    well-formed: ``http://[::1`` is not).

    >>> is_iri("https://example.org/a"), is_iri("http://[::1"), is_iri("http://a b")
    (True, False, False)
    """
    if not value.startswith(("http://", "https://")) or any(c in value for c in ' <>"{}|\\^`\n\t'):
        return False
    try:
        NamedNode(value)
    except ValueError:
        return False
    return True


def segment(text: str) -> str:
    """``text`` as one IRI path segment (percent-encoded), e.g. a column name as published.

    >>> segment("ti\\x00tle/a b")
    'ti%00tle%2Fa%20b'
    """
    return quote(text, safe="")
