"""Compacted JSON-LD for linked data (`/id/…`): the REST API's context embedded, its terms used where they fit.

An integrator who dereferences an IRI gets the same vocabulary as from `/api/…` (`title`, `organisation`,
`Algorithm`, …), and the document stands alone: the context is inline, so no reader fetches anything remote.

    body = compact_jsonld(triples, first=NamedNode(iri))   # bytes, application/ld+json

The context is `[REST context, extra prefixes]`: the REST context exactly as published
(`sparql_api/rest/context.jsonld`), then the linked-data prefixes it lacks (`prov`, `sh`, `dcat`, …) so every
IRI in those vocabularies reads as a compact IRI. Compaction is deliberately plain, so that it is exact: a
property uses a context term only when the term means the same RDF for these values (a term coercing to `@id`
only for IRIs, a term without coercion for anything, never a `@list` or `@json` term); otherwise its compact
IRI (`prov:wasDerivedFrom`) or the full IRI. Literals other than plain strings keep their datatype or language
in a value object, so reading the document back gives exactly the triples given.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

CONTEXT_FILE = Path(__file__).with_name("rest") / "context.jsonld"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = NamedNode | BlankNode | Literal


@cache
def rest_context() -> dict[str, Any]:
    """The REST API's published context (the value of its `@context`)."""
    context: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return context


class Compactor:
    """IRIs to terms, compact IRIs or themselves, by one context (the REST context plus `prefixes`)."""

    def __init__(self, context: Mapping[str, Any], prefixes: Mapping[str, str]) -> None:
        self.extra = {name: iri for name, iri in prefixes.items() if name not in context}
        self.vocab: str = context.get("@vocab", "")
        # Prefixes: simple terms naming a namespace (ending in # or /), usable before a colon.
        self.prefixes = {
            name: value
            for name, value in {**context, **self.extra}.items()
            if not name.startswith("@") and isinstance(value, str) and value.endswith(("#", "/")) and ":" in value
        }
        self.plain: dict[str, str] = {}  # IRI -> a term without coercion (any value)
        self.ids: dict[str, str] = {}  # IRI -> a term coercing strings to IRIs (IRI values only)
        for name, definition in sorted(context.items(), key=lambda item: (len(item[0]), item[0])):
            if name.startswith("@") or name in self.prefixes:
                continue
            if isinstance(definition, str):
                self.plain.setdefault(self.expand(definition), name)
            elif isinstance(definition, dict) and set(definition) <= {"@id", "@type", "@container"}:
                if definition.get("@container", "@set") != "@set" or "@id" not in definition:
                    continue  # a @list term would read these values as a list
                coercion = definition.get("@type")
                if coercion is None:
                    self.plain.setdefault(self.expand(definition["@id"]), name)
                elif coercion == "@id":
                    self.ids.setdefault(self.expand(definition["@id"]), name)
        self.context: list[dict[str, Any]] = [dict(context), dict(sorted(self.extra.items()))]

    def expand(self, value: str) -> str:
        prefix, colon, local = value.partition(":")
        if colon and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        if colon:
            return value  # an absolute IRI
        return self.vocab + value

    def compact_iri(self, iri: str) -> str:
        """`akg:Foo` for an IRI in a known namespace (the longest that fits), else the IRI itself."""
        best, chosen = "", iri
        for name, namespace in self.prefixes.items():
            local = iri.removeprefix(namespace)
            if local != iri and local and "/" not in local and "#" not in local and len(namespace) > len(best):
                best = namespace
                chosen = f"{name}:{local}"
        return chosen

    def vocab_term(self, iri: str) -> str:
        """A class (an `@type` value): its term, else its compact IRI."""
        return self.plain.get(iri) or self.compact_iri(iri)

    def key(self, predicate: str, iri_values: bool) -> tuple[str, bool]:
        """The property key for values of one kind, and whether IRIs are written as plain strings."""
        if iri_values and predicate in self.ids:
            return self.ids[predicate], True
        if predicate in self.plain:
            return self.plain[predicate], False
        return self.compact_iri(predicate), False

    def literal(self, literal: Literal) -> Any:
        datatype = literal.datatype.value
        if literal.language:
            return {"@value": literal.value, "@language": literal.language}
        if datatype == XSD_STRING:
            return literal.value
        return {"@value": literal.value, "@type": self.compact_iri(datatype)}


@cache
def _compactor(prefixes: tuple[tuple[str, str], ...]) -> Compactor:
    return Compactor(rest_context(), dict(prefixes))


def _node_id(term: NamedNode | BlankNode) -> str:
    return term.value if isinstance(term, NamedNode) else f"_:{term.value}"


def compact_document(
    triples: Iterable[Triple], prefixes: Mapping[str, str], first: NamedNode | None = None
) -> dict[str, Any]:
    """`{"@context": [...], "@graph": [nodes]}`: one node object per subject, `first`'s node first."""
    compactor = _compactor(tuple(sorted(prefixes.items())))
    by_subject: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for triple in triples:
        by_subject[_node_id(triple.subject)][triple.predicate.value].append(triple.object)
    nodes = []
    for subject in sorted(by_subject, key=lambda s: (first is None or s != first.value, s)):
        node: dict[str, Any] = {"@id": subject}
        for predicate, objects in sorted(by_subject[subject].items()):
            nodes_out = [o for o in objects if not isinstance(o, Literal)]
            literals = [o for o in objects if isinstance(o, Literal)]
            if predicate == RDF_TYPE and nodes_out:
                node["@type"] = sorted(
                    compactor.vocab_term(o.value) if isinstance(o, NamedNode) else _node_id(o) for o in nodes_out
                )
                nodes_out = []
            if nodes_out:
                key, bare = compactor.key(predicate, iri_values=True)
                values = [_node_id(o) if bare else {"@id": _node_id(o)} for o in nodes_out]
                node.setdefault(key, []).extend(values)
            if literals:
                key, _ = compactor.key(predicate, iri_values=False)
                node.setdefault(key, []).extend(compactor.literal(o) for o in literals)
        ordered = sorted(node.items(), key=lambda item: (item[0] not in ("@id", "@type"), item[0] != "@id", item[0]))
        nodes.append({k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in ordered})
    return {"@context": compactor.context, "@graph": nodes}


def compact_jsonld(triples: Iterable[Triple], prefixes: Mapping[str, str], first: NamedNode | None = None) -> bytes:
    """`compact_document` as UTF-8 JSON bytes (keys in a fixed order: the same data gives the same bytes)."""
    document = compact_document(triples, prefixes, first)
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


__all__ = ["CONTEXT_FILE", "Compactor", "compact_document", "compact_jsonld", "rest_context"]
