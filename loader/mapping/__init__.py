"""Register records -> RDF quads of the algokg model (see docs/model.md and docs/identifiers.md)."""

from loader.mapping.concepts import ConceptIndex, default_concept_index
from loader.mapping.findings import Finding
from loader.mapping.records import MappingContext, RecordMapping, map_record, map_records

__all__ = [
    "ConceptIndex",
    "Finding",
    "MappingContext",
    "RecordMapping",
    "default_concept_index",
    "map_record",
    "map_records",
]
