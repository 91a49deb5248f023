"""Dereferenceable IRIs: every IRI algokg mints answers at the server, HTML for people and RDF for programs.

The public namespace `https://w3id.org/algokg/` maps onto the server's paths (the w3id redirect points here):

| IRI | path | answer |
|---|---|---|
| `…/id/{anything}` (algorithms, registrations, laws, concepts, schemes, …) | `/id/…` | `describe()`: its statements, incoming links, provenance, validation; a scheme's RDF holds all its concepts |
| `…/graph/{kind}/{name}` (named graphs) | `/graph/…` | the graph's description (provenance, size); `?content` gives its triples |
| `…/def` and `…/def#{Term}` (hash namespace: one document) | `/def` | the ontology file; the generated reference page for browsers |
| `…/shapes/{profile}` and `…/shapes/{profile}#{Shape}` | `/shapes/{profile}` | the SHACL profile file |

Same URL, content negotiation (`Accept`, or `?format=ttl|nt|jsonld|rdf|trig|nq|html`, `sparql_api.negotiation`): Turtle, N-Triples,
JSON-LD (for entities and graph descriptions compacted, with the REST API's context inline:
`sparql_api.jsonld_context`), RDF/XML, TriG and N-Quads (these two with graph names), HTML. Every answer has `Vary: Accept`
and an ETag and Last-Modified keyed on the data version (the store generation); conditional requests get 304.
An IRI the store knows nothing about is a 404 problem+json.
"""

import email.utils
import hashlib
import html
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse, serialize
from starlette.concurrency import run_in_threadpool

from loader.graphs import model_graph
from ontology import ONTOLOGY_FILE
from shapes import PROFILES, profile_file
from sparql_api.conditional import not_modified
from sparql_api.describe import Description, describe
from sparql_api.headers import inline_style_policy
from sparql_api.jsonld_context import compact_jsonld
from sparql_api.negotiation import choose_media_type
from sparql_api.problems import problem

IRI_BASE = "https://w3id.org/algokg"
ONTOLOGY_IRI = f"{IRI_BASE}/def"
REFERENCE_HTML = Path(__file__).resolve().parent.parent / "docs" / "reference" / "ontology.html"

HTML = "text/html"
JSON_LD = "application/ld+json"
RDF_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/trig": RdfFormat.TRIG,
    "application/n-quads": RdfFormat.N_QUADS,
}
# Server preference on a tie (e.g. */*): Turtle first, so `curl` gets RDF and browsers (text/html) HTML.
OFFERED = ("text/turtle", HTML, *list(RDF_FORMATS)[1:])
PREFIXES = {
    "akg": "https://w3id.org/algokg/def#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "org": "http://www.w3.org/ns/org#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "dpv": "https://w3id.org/dpv#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
}
_QUAD_FORMATS = {RdfFormat.TRIG, RdfFormat.N_QUADS}
_VOID_TRIPLES = NamedNode("http://rdfs.org/ns/void#triples")
_VOID_DATA_DUMP = NamedNode("http://rdfs.org/ns/void#dataDump")
_XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_VARY = {"Vary": "Accept"}
_CONTENT_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?iri { ?s ?p ?o } }"

router = APIRouter(tags=["linked data"])


# -- public helpers (also used by sparql_api.metadata and the HTML pages) ----------------------------------


def local_url(iri: str, public_base: str = "") -> str | None:
    """The server URL of an IRI in algokg's namespace (`https://w3id.org/algokg/id/x` -> `{base}/id/x`), else None."""
    if not iri.startswith(f"{IRI_BASE}/"):
        return None
    return f"{public_base}{iri.removeprefix(IRI_BASE)}"


def negotiate(request: Request, offered: Iterable[str] = OFFERED) -> str | None:
    """`?format=` wins over Accept (`sparql_api.negotiation`); None when nothing offered is acceptable (406)."""
    return choose_media_type(request.headers.get("accept"), list(offered), request.query_params.get("format"))


def last_modified(request: Request) -> datetime:
    """When the data version answering was written (the generation directory's time), whole seconds, UTC."""
    stamp = request.app.state.queries.last_modified or 0.0
    return datetime.fromtimestamp(int(stamp), UTC)


def validators(request: Request, variant: str) -> dict[str, str]:
    """ETag (data version + representation) and Last-Modified headers of a resource derived from the store."""
    version = request.app.state.queries.data_version
    tag = hashlib.sha256(f"{version}\n{request.url.path}\n{variant}".encode()).hexdigest()[:20]
    return {
        "ETag": f'W/"{version}-{tag}"',
        "Last-Modified": email.utils.format_datetime(last_modified(request), usegmt=True),
    }


def rdf_bytes(quads: Iterable[Quad], rdf_format: RdfFormat) -> bytes:
    """Quads in a quad format; in a triple format, their triples (graph names dropped, duplicates removed)."""
    # Sorted: the same data gives the same bytes, and Turtle groups each subject's statements.
    if rdf_format in _QUAD_FORMATS:
        data: list[Quad] | list[Triple] = sorted(set(quads), key=_quad_key)
    else:
        data = sorted({Triple(q.subject, q.predicate, q.object) for q in quads}, key=_quad_key)
    prefixes = PREFIXES if rdf_format in {RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML} else None
    return serialize(data, format=rdf_format, prefixes=prefixes) or b""


def _sorted_triples(quads: Iterable[Quad]) -> list[Triple]:
    return sorted({Triple(q.subject, q.predicate, q.object) for q in quads}, key=_quad_key)


def _quad_key(statement: Quad | Triple) -> tuple[str, ...]:
    graph = getattr(statement, "graph_name", None)
    return (
        str(graph) if graph is not None else "",
        str(statement.subject),
        str(statement.predicate),
        str(statement.object),
    )


# -- routes -------------------------------------------------------------------------------------------


@router.api_route("/id/{rest:path}", methods=["GET", "HEAD"], summary="An entity of algokg (linked data)")
async def entity(request: Request, rest: str) -> Response:
    return await _resource(request)


@router.api_route("/graph/{rest:path}", methods=["GET", "HEAD"], summary="A named graph of the store (linked data)")
async def graph(request: Request, rest: str) -> Response:
    if "content" in request.query_params:
        return await _graph_content(request)
    return await _resource(request)


@router.api_route("/def", methods=["GET", "HEAD"], summary="The algokg ontology")
async def ontology(request: Request) -> Response:
    media_type = negotiate(request)
    if media_type is None:
        return _not_acceptable()
    headers = {**validators(request, media_type), "Vary": "Accept"}
    if (cached := not_modified(request, headers)) is not None:
        return cached
    if media_type == HTML:
        if REFERENCE_HTML.is_file():
            document = REFERENCE_HTML.read_bytes()
            policy = {"Content-Security-Policy": inline_style_policy(document)}  # pyLODE's inline stylesheet
            return HTMLResponse(document, headers={**headers, **policy})
        # Installed without the repository's docs: the ontology's own description as a page.
        return await _resource(request, NamedNode(ONTOLOGY_IRI))
    return _file_as(ONTOLOGY_FILE, model_graph(ONTOLOGY_FILE), media_type, headers)


@router.api_route("/shapes/{profile}", methods=["GET", "HEAD"], summary="A SHACL profile of algokg")
async def shapes(request: Request, profile: str) -> Response:
    if profile not in PROFILES:
        detail = f"no SHACL profile {profile!r}; the profiles are {', '.join(PROFILES)}"
        return problem(404, detail=detail, instance=request.url.path, headers=_VARY)
    media_type = negotiate(request)
    if media_type is None:
        return _not_acceptable()
    headers = {**validators(request, media_type), "Vary": "Accept"}
    if (cached := not_modified(request, headers)) is not None:
        return cached
    path = profile_file(profile)
    if media_type == HTML:
        title = f"algokg SHACL profile {profile}"
        body = (
            f"<h1>{html.escape(title)}</h1>\n<p>IRI: <code>{html.escape(f'{IRI_BASE}/shapes/{profile}')}</code></p>\n"
            f"{_format_links(request)}\n<pre>{html.escape(path.read_text(encoding='utf-8'))}</pre>"
        )
        return HTMLResponse(_page(title, body), headers=headers)
    return _file_as(path, NamedNode(f"{IRI_BASE}/shapes/{profile}"), media_type, headers)


# -- entities and graphs ------------------------------------------------------------------------------


def request_iri(request: Request) -> list[NamedNode]:
    """The IRIs a request path may name: as sent (percent-encoding kept), then decoded."""
    raw = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?", 1)[0]
    candidates = dict.fromkeys(IRI_BASE + path for path in (raw, unquote(raw)))
    iris = []
    for candidate in candidates:
        try:
            iris.append(NamedNode(candidate))
        except ValueError:
            continue
    return iris


async def _resource(request: Request, iri: NamedNode | None = None) -> Response:
    media_type = negotiate(request)
    if media_type is None:
        return _not_acceptable()
    from sparql_api.web.i18n import choose_language  # the pages import this module's URL helpers

    # A page's language is part of its representation (?lang=, Accept-Language).
    variant = f"{media_type};{choose_language(request)}" if media_type == HTML else media_type
    vary = "Accept, Accept-Language" if media_type == HTML else "Accept"
    headers = {**validators(request, variant), "Vary": vary}
    if (cached := not_modified(request, headers)) is not None:
        return cached
    description = await run_in_threadpool(_find, request, [iri] if iri else request_iri(request))
    if description is None:
        iri_text = f"{IRI_BASE}{request.url.path}"
        detail = f"the knowledge graph says nothing about {iri_text}"
        return problem(404, detail=detail, instance=request.url.path, headers=_VARY, iri=iri_text)
    if media_type == HTML:  # the page runs its own queries: off the event loop
        return await run_in_threadpool(_html, request, description, headers)
    quads = [*description.quads(), *_graph_extras(request, description)]
    if media_type == JSON_LD:  # compacted, with the REST API's context inline (`sparql_api.jsonld_context`)
        body = compact_jsonld(_sorted_triples(quads), PREFIXES, first=description.iri)
    else:
        body = rdf_bytes(quads, RDF_FORMATS[media_type])
    return Response(body, media_type=media_type, headers=headers)


def _find(request: Request, iris: list[NamedNode]) -> Description | None:
    queries = request.app.state.queries
    for iri in iris:
        description = describe(queries, iri)
        if description.exists:
            return description
    return None


def _graph_extras(request: Request, description: Description) -> list[Quad]:
    """A graph's size and where its content is (statements the server adds; not in the store)."""
    if description.graph_size is None:
        return []
    base = request.app.state.settings.public_base
    content = NamedNode(f"{local_url(description.iri.value, base)}?content")
    return [
        Quad(
            description.iri, _VOID_TRIPLES, Literal(str(description.graph_size), datatype=_XSD_INTEGER), DefaultGraph()
        ),
        Quad(description.iri, _VOID_DATA_DUMP, content, DefaultGraph()),
    ]


async def _graph_content(request: Request) -> Response:
    offered = list(RDF_FORMATS)
    media_type = negotiate(request, offered)
    if media_type is None:
        return _not_acceptable(offered)
    headers = {**validators(request, f"content {media_type}"), "Vary": "Accept"}
    if (cached := not_modified(request, headers)) is not None:
        return cached
    iri = request_iri(request)[0]
    queries = request.app.state.queries

    def content() -> bytes | None:
        if not queries.select(_GRAPH_PROBE, substitutions={"iri": iri}):
            return None
        rdf_format = RDF_FORMATS[media_type]
        if rdf_format in {RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.RDF_XML}:
            return queries.serialize(_CONTENT_QUERY, rdf_format, substitutions={"iri": iri})
        # CONSTRUCT gives triples: put them back in their graph for TriG/N-Quads (JSON-LD keeps the triples).
        triples = queries.serialize(_CONTENT_QUERY, RdfFormat.N_TRIPLES, substitutions={"iri": iri})
        graph_name = iri if rdf_format in _QUAD_FORMATS else DefaultGraph()
        quads = (Quad(t.subject, t.predicate, t.object, graph_name) for t in parse(triples, RdfFormat.N_TRIPLES))
        return rdf_bytes(quads, rdf_format)

    body = await run_in_threadpool(content)
    if body is None:
        detail = f"the store has no graph named {iri.value}"
        return problem(404, detail=detail, instance=request.url.path, headers=_VARY)
    return Response(body, media_type=media_type, headers=headers)


_GRAPH_PROBE = "SELECT ?iri WHERE { GRAPH ?iri { ?s ?p ?o } } LIMIT 1"


def _file_as(path: Path, graph_name: NamedNode, media_type: str, headers: dict[str, str]) -> Response:
    """A model file (Turtle) as is, or converted; in TriG/N-Quads in the graph the store keeps it in."""
    if media_type == "text/turtle":
        return Response(path.read_bytes(), media_type=media_type, headers=headers)
    quads = [Quad(t.subject, t.predicate, t.object, graph_name) for t in parse(path=str(path), format=RdfFormat.TURTLE)]
    return Response(rdf_bytes(quads, RDF_FORMATS[media_type]), media_type=media_type, headers=headers)


def _not_acceptable(offered: Iterable[str] = OFFERED) -> JSONResponse:
    offered = list(offered)
    detail = f"none of the media types in Accept can be served; this resource is available as {', '.join(offered)}"
    return problem(406, detail=detail, headers=_VARY, accepted=offered)


# -- HTML ---------------------------------------------------------------------------------------------


def _html(request: Request, description: Description, headers: dict[str, str]) -> Response:
    from sparql_api.web.entity import render_entity  # lazily, as above

    response: Response = render_entity(request, description)
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response


def _format_links(request: Request) -> str:
    links = " · ".join(
        f'<a href="?format={name}">{html.escape(name)}</a>' for name in ("ttl", "nt", "jsonld", "rdf", "trig", "nq")
    )
    return f"<p>Also as {links}</p>"


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} — algokg</title></head>\n<body>\n{body}\n</body></html>\n"
    )
