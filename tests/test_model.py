"""The model files: they parse, every minted term is labelled and defined, and every
external vocabulary IRI they use exists in the pinned vocabulary files."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, SH, SKOS, XSD, DefinedNamespace

from ontology import ONTOLOGY_FILE, model_files, scheme_files
from shapes import PROFILES, profile_file
from tests.conftest import shared_path

AKG = "https://w3id.org/algokg/def#"
MINTED = "https://w3id.org/algokg/"

# Namespaces of the pinned vocabularies in ../shared/reference/vocab: a term used from one of
# these must be defined (be a subject) in those files.
PINNED_NAMESPACES = (
    "https://w3id.org/dpv#",
    "https://w3id.org/dpv/ai#",
    "https://w3id.org/dpv/tech#",
    "https://w3id.org/dpv/risk#",
    "https://w3id.org/dpv/legal/eu/aiact#",
    "https://w3id.org/dpv/legal/eu/gdpr#",
    "https://w3id.org/dpv/rights/eu#",
    "https://w3id.org/dpv/legal/eu#",
    "https://w3id.org/dpv/sector/publicservices#",
    "https://w3id.org/airo#",
    "https://w3id.org/vair#",
    "http://data.europa.eu/eli/ontology#",
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/dcat#",
    "http://data.europa.eu/m8g/",
    "http://begrippen.kadaster.nl/ar/id/",
)
# W3C vocabularies that rdflib ships as closed term lists.
CLOSED_NAMESPACES: tuple[type[DefinedNamespace], ...] = (RDF, RDFS, OWL, XSD, SKOS, DCTERMS, SH, FOAF)
# Identifiers of things and documents (not vocabulary terms): acts by their ELI, Dutch law
# pages, Linked Data Overheid ids, TOOI organisations, Algoritmekader URNs, licences and sources.
IDENTIFIER_PREFIXES = (
    "http://data.europa.eu/eli/reg/",
    "http://data.europa.eu/eli/dir/",
    "http://data.europa.eu/eli/dec/",
    "https://eur-lex.europa.eu/",
    "https://wetten.overheid.nl/",
    "http://linkeddata.overheid.nl/terms/bwb/id/",
    "https://identifier.overheid.nl/tooi/id/",
    "urn:nl:",
    # EU Publications Office: authority tables (countries, corporate bodies, resource types), Cellar CELEX ids.
    "http://publications.europa.eu/resource/",
)
DOCUMENT_PROPERTIES = {
    DCTERMS.source,
    RDFS.seeAlso,
    DCTERMS.license,
    FOAF.page,
    DCTERMS.relation,
    DCTERMS.isReferencedBy,
}


def _parse(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def _vocabulary_terms() -> set[str]:
    vocab = shared_path("reference", "vocab")
    terms: set[str] = set()
    for path in sorted(vocab.rglob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        terms.update(str(s) for s in graph.subjects() if isinstance(s, URIRef))
    eli = Graph().parse(vocab / "eli-ontology-1.5.rdf", format="xml")
    terms.update(str(s) for s in eli.subjects() if isinstance(s, URIRef))
    return terms


def _used_iris(graph: Graph) -> Iterator[tuple[URIRef, URIRef]]:
    """(IRI, predicate it was used with) for every IRI in subject, predicate or object position."""
    for s, p, o in graph:
        if isinstance(s, URIRef):
            yield s, p
        yield p, p
        if isinstance(o, URIRef):
            yield o, p


def _project_files() -> list[Path]:
    return [*model_files(), *(profile_file(p) for p in PROFILES)]


def test_every_model_file_parses() -> None:
    for path in _project_files():
        Graph().parse(path, format="turtle")
    assert len(model_files()) >= 3


def test_every_external_iri_exists_in_the_pinned_vocabularies() -> None:
    known = _vocabulary_terms()
    unknown: set[str] = set()
    for path in _project_files():
        for iri, predicate in _used_iris(Graph().parse(path, format="turtle")):
            value = str(iri)
            if value.startswith(MINTED) or (predicate in DOCUMENT_PROPERTIES and iri != predicate):
                continue
            if value.startswith(PINNED_NAMESPACES):
                if value not in known and not value.endswith(("#", "/")):
                    unknown.add(f"{path.name}: {value} is not in the pinned vocabulary files")
                continue
            closed = next((ns for ns in CLOSED_NAMESPACES if value.startswith(str(ns._NS))), None)
            if closed is not None:
                if iri not in closed and value != str(closed._NS):
                    unknown.add(f"{path.name}: {value} is not a term of {closed._NS}")
                continue
            if not value.startswith(IDENTIFIER_PREFIXES):
                unknown.add(f"{path.name}: {value} is in no known vocabulary or identifier namespace")
    assert not unknown, "\n".join(sorted(unknown))


def test_every_akg_term_used_is_defined_in_the_ontology() -> None:
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    defined = {str(s) for s in ontology.subjects(RDF.type, None)}
    undefined = set()
    for path in _project_files():
        for iri, _ in _used_iris(Graph().parse(path, format="turtle")):
            if str(iri).startswith(AKG) and str(iri) not in defined:
                undefined.add(f"{path.name}: {iri}")
    assert not undefined, "\n".join(sorted(undefined))


def _minted_terms(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme, SKOS.Collection)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(MINTED)}


def _languages(graph: Graph, subject: URIRef, *predicates: URIRef) -> set[str | None]:
    return {o.language for p in predicates for o in graph.objects(subject, p) if isinstance(o, Literal)}


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, *scheme_files()], ids=lambda p: p.name)
def test_every_minted_term_has_dutch_and_english_labels_and_a_definition(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    terms = _minted_terms(graph)
    assert terms, f"{path.name} mints no terms"
    problems = []
    for term in sorted(terms):
        labels = _languages(graph, term, RDFS.label, SKOS.prefLabel)
        if not {"nl", "en"} <= labels:
            problems.append(f"{term}: labels in {sorted(filter(None, labels))}, needs nl and en")
        if not _languages(graph, term, SKOS.definition):
            problems.append(f"{term}: no skos:definition")
    assert not problems, "\n".join(problems)


def test_concepts_have_notation_and_scheme(model_graph: Graph) -> None:
    problems = []
    for concept in model_graph.subjects(RDF.type, SKOS.Concept):
        if not str(concept).startswith(MINTED):
            continue
        if model_graph.value(concept, SKOS.notation) is None:
            problems.append(f"{concept}: no skos:notation")
        scheme = model_graph.value(concept, SKOS.inScheme)
        if scheme is None or (scheme, RDF.type, SKOS.ConceptScheme) not in model_graph:
            problems.append(f"{concept}: not in a declared concept scheme")
    assert not problems, "\n".join(sorted(problems))


def test_no_equivalent_class_over_reused_terms() -> None:
    graph = _parse(model_files())
    offending = [(s, o) for s, o in graph.subject_objects(OWL.equivalentClass) if not str(o).startswith(MINTED)]
    assert not offending, f"use SKOS mapping properties instead: {offending}"


def _shacl_for_shacl_shapes_file() -> Path:
    """The W3C test `shacl-shacl.ttl` is a manifest; its shapes graph is the file it names."""
    manifest_file = shared_path("conformance", "shacl", "core", "complex", "shacl-shacl.ttl")
    manifest = Graph().parse(manifest_file, format="turtle")
    shapes_graphs = list(manifest.objects(None, URIRef("http://www.w3.org/ns/shacl-test#shapesGraph")))
    assert len(shapes_graphs) == 1, f"expected one sht:shapesGraph in {manifest_file}"
    return Path(url2pathname(urlparse(str(shapes_graphs[0])).path))


@pytest.mark.parametrize("profile", PROFILES)
def test_shapes_conform_to_shacl_for_shacl(profile: str) -> None:
    from pyshacl import validate

    shacl_shacl = Graph().parse(_shacl_for_shacl_shapes_file(), format="turtle")
    shapes = Graph().parse(profile_file(profile), format="turtle")
    conforms, _, text = validate(shapes, shacl_graph=shacl_shacl, inference="none")
    assert conforms, text
