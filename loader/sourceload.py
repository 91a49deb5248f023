"""What one input file becomes before it is stored: its quads, its provenance, what the mapping reported.

A :class:`SourceLoad` is the hand-over between reading/mapping (``loader.mapping``) and the store
(``loader.store.commit``): everything in it is already in pyoxigraph terms, so the store never
parses or maps anything and a load is one atomic write.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Quad

from loader.graphs import GRAPH_BASE

PROVENANCE_GRAPH = NamedNode(f"{GRAPH_BASE}provenance")
CURRENT_STATE_GRAPH = NamedNode(f"{GRAPH_BASE}derived/current")


def current_state_graph(language: str) -> NamedNode:
    """The derived current-state graph of one language of the register's records (``und`` when unknown)."""
    return NamedNode(f"{CURRENT_STATE_GRAPH.value}/{language or 'und'}")


def source_graph(sha256: str) -> NamedNode:
    """The named graph of one loaded source, named by its content so a reload names the same graph."""
    return NamedNode(f"{GRAPH_BASE}source/{sha256[:16]}")


def validation_graph(sha256: str) -> NamedNode:
    """The named graph holding the SHACL results of one loaded source."""
    return NamedNode(f"{GRAPH_BASE}validation/{sha256[:16]}")


@dataclass(frozen=True)
class Registration:
    """One registration a source holds, as the mapping made it: what current state needs, without a scan.

    :param iri: the registration.
    :param algorithm: the algorithm it registers (``akg:registers``).
    :param language: its ``akg:copyLanguage``, ``""`` when it has none.
    :param statements: the source's quads with the registration as subject.
    """

    iri: NamedNode
    algorithm: NamedNode
    language: str
    statements: Sequence[Quad]


@dataclass(frozen=True)
class SourceLoad:
    """One input file, mapped.

    :param name: the file name as the user gave it (shown in reports and provenance).
    :param sha256: hex digest of the file's bytes; equal digests mean the same source (reload = no-op).
    :param graph: the source's named graph (:func:`source_graph`); every quad of ``quads`` is in it.
    :param quads: the mapped data.
    :param provenance: PROV-O description of the source, in :data:`PROVENANCE_GRAPH`.
    :param validation: SHACL results for the source, in :func:`validation_graph` (empty when it conforms).
    :param registrations: the registrations in ``quads``, indexed by the mapping; ``None`` (RDF files): not
        indexed, current state finds them by scanning ``quads``.
    """

    name: str
    sha256: str
    graph: NamedNode
    quads: list[Quad] = field(default_factory=list)
    provenance: list[Quad] = field(default_factory=list)
    validation: list[Quad] = field(default_factory=list)
    registrations: list[Registration] | None = None
