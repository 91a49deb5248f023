"""`algokg history`: the registrations of one algorithm in the order they were seen, and what changed."""

from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Store, Variable

from loader.mapping.terms import algorithm_iri

HISTORY = """
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?algorithm ?reg ?lang (MIN(?time) AS ?first) (MAX(?time) AS ?last) (SAMPLE(?version) AS ?standard) (SAMPLE(?issued) AS ?published)
       (GROUP_CONCAT(DISTINCT ?file; separator=", ") AS ?files)
WHERE {
  ?reg akg:registers ?algorithm ; prov:wasDerivedFrom ?source .
  ?source prov:generatedAtTime ?time ; dct:title ?file .
  OPTIONAL { ?reg akg:copyLanguage ?l } BIND(COALESCE(?l, "") AS ?lang)
  OPTIONAL { ?reg akg:standardVersion ?version }
  OPTIONAL { ?reg dct:issued ?issued }
} GROUP BY ?algorithm ?reg ?lang ORDER BY ?lang ?first STR(?reg)
"""
VALUES = """
SELECT DISTINCT ?reg ?property ?value WHERE { ?reg ?property ?value }
"""
# Bookkeeping, not content: differences here are not changes of the record.
_IGNORED = {
    "http://www.w3.org/ns/prov#wasDerivedFrom",
    "https://w3id.org/algokg/def#sourceFile",
    "https://w3id.org/algokg/def#sourceLine",
    "https://w3id.org/algokg/def#sourcePointer",
    "https://w3id.org/algokg/def#sourceIndex",
    "https://w3id.org/algokg/def#previousRegistration",
}


@dataclass
class Version:
    registration: str
    language: str
    first_seen: str
    last_seen: str
    standard_version: str | None
    published: str | None
    files: str
    changes: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # property: (removed, added)


def history(store: Store, algorithm_id: str) -> list[Version]:
    """Every registration of the algorithm, oldest first per language, with the fields that changed."""
    algorithm = algorithm_iri(algorithm_id)
    rows = store.query(HISTORY, use_default_graph_as_union=True, substitutions={Variable("algorithm"): algorithm})
    versions = [
        Version(
            registration=row["reg"].value,
            language=row["lang"].value,
            first_seen=row["first"].value,
            last_seen=row["last"].value,
            standard_version=row["standard"].value if row["standard"] else None,
            published=row["published"].value if row["published"] else None,
            files=row["files"].value,
        )
        for row in rows
    ]
    previous: dict[str, dict[str, set[str]]] = {}
    for version in versions:
        values = _values(store, version.registration)
        before = previous.get(version.language)
        if before is not None:
            for key in sorted(set(before) | set(values)):
                removed, added = (
                    before.get(key, set()) - values.get(key, set()),
                    values.get(key, set()) - before.get(key, set()),
                )
                if removed or added:
                    version.changes[key] = (sorted(removed), sorted(added))
        previous[version.language] = values
    return versions


def _values(store: Store, registration: str, *, prefix: str = "") -> dict[str, set[str]]:
    values: dict[str, set[str]] = {}
    rows = store.query(
        VALUES, use_default_graph_as_union=True, substitutions={Variable("reg"): NamedNode(registration)}
    )
    for row in rows:
        key = row["property"].value
        if key in _IGNORED:
            continue
        value = row["value"]
        text = value.value if isinstance(value, Literal | NamedNode) else str(value)
        if not prefix and isinstance(value, NamedNode) and text.startswith(registration + "/"):
            # A node the registration owns (a statutory basis, an assessment): compare what it says,
            # under its position, since its IRI differs between versions by construction.
            position = text.removeprefix(registration)
            for nested, nested_values in _values(store, text, prefix=f"{key} {position} ").items():
                values.setdefault(nested, set()).update(nested_values)
            continue
        values.setdefault(prefix + key, set()).add(text)
    return values
