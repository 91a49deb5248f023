"""Dataset metadata and operations: VoID, a DCAT-AP catalogue, bulk dumps, health, readiness and metrics.

| path | what |
|---|---|
| `/.well-known/void` | VoID: the dataset with triples/entities/classes/properties, one subset per named graph, SPARQL endpoint, dump, vocabularies, licence |
| `/catalog` | DCAT-AP: catalogue, dataset (issued/modified from the provenance of the loads, temporal from the registrations), distributions (SPARQL, dumps with spdx:checksum, REST API) |
| `/dumps/algokg.nq.gz`, `/dumps/algorithms.csv`, `/dumps/SHA256SUMS` | bulk downloads, made once per data version (`sparql_api.dumps`), streamed from disk |
| `/health` | the process answers |
| `/ready` | the store is open and answers a query (and how far the algorithm index of its data version is built); 503 problem+json otherwise |
| `/metrics` | Prometheus: requests, latency, queries, timeouts (`sparql_api.metrics`), store triples, data version |

VoID and DCAT are RDF with content negotiation (Turtle by default). Counts are computed by SPARQL through
the app's `QueryService` once per data version and cached; ETag and Last-Modified follow the data version.
`void:triples` of the whole dataset counts distinct triples of the union of all graphs; each subset
(named graph) counts its own triples, so subsets may add up to more.
"""

import email.utils
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple
from starlette.concurrency import run_in_threadpool

from loader.sourceload import PROVENANCE_GRAPH
from sparql_api import dumps as dump_files
from sparql_api import metrics as request_metrics
from sparql_api.conditional import not_modified
from sparql_api.linked_data import (
    RDF_FORMATS,
    last_modified,
    negotiate,
    rdf_bytes,
    validators,
)
from sparql_api.problems import incident, problem
from sparql_api.rest import selection

LICENSE = NamedNode("http://publications.europa.eu/resource/authority/licence/EUPL_1_2")
ID_SPACE = "https://w3id.org/algokg/id/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_VOID = "http://rdfs.org/ns/void#"
_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"
_FOAF = "http://xmlns.com/foaf/0.1/"
_SPDX = "http://spdx.org/rdf/terms#"
_IANA = "http://www.iana.org/assignments/media-types/"
_EU = "http://publications.europa.eu/resource/authority/"

_COUNTS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"""
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER isIRI(?s) }"
_CLASSES = "SELECT DISTINCT ?term WHERE { ?s a ?term }"
_PROPERTIES = "SELECT DISTINCT ?term WHERE { ?s ?term ?o }"
_GRAPHS = f"""
PREFIX dct: <{_DCT}>
SELECT ?g ?n (SAMPLE(?t) AS ?title) WHERE {{
  {{ SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g }}
  OPTIONAL {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g dct:title ?t }} }}
}} GROUP BY ?g ?n ORDER BY ?g"""
_LOADS = f"""
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT (MIN(?t) AS ?first) (MAX(?t) AS ?last) WHERE {{
  GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g prov:generatedAtTime ?t }}
}}"""
_TEMPORAL = f"""
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX dct: <{_DCT}>
SELECT (MIN(?d) AS ?start) (MAX(?d) AS ?end) WHERE {{
  ?r a akg:Registration ; dct:issued ?d FILTER(datatype(?d) = <{_XSD}date>)
}}"""
_EXAMPLE = "PREFIX akg: <https://w3id.org/algokg/def#> SELECT ?a WHERE { ?a a akg:Algorithm } ORDER BY ?a LIMIT 1"
_READY = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
_READY_TIMEOUT = 5.0

router = APIRouter(tags=["metadata"])


@dataclass(frozen=True)
class GraphStats:
    graph: NamedNode
    triples: int
    title: str | None


@dataclass(frozen=True)
class Stats:
    """What VoID, DCAT and the metrics say about one data version (see the module docstring)."""

    version: str
    triples: int
    distinct_subjects: int
    distinct_objects: int
    entities: int
    classes: int
    properties: int
    vocabularies: list[str]
    graphs: list[GraphStats]
    first_load: Literal | None
    last_load: Literal | None
    temporal: tuple[Literal, Literal] | None
    example: NamedNode | None

    @property
    def quads(self) -> int:
        return sum(graph.triples for graph in self.graphs)


_STATS_LOCK = threading.Lock()


def stats(app: FastAPI) -> Stats:
    """The statistics of the data version the app answers from (computed once per version)."""
    queries = app.state.queries
    version = queries.data_version
    with _STATS_LOCK:
        cached: Stats | None = getattr(app.state, "dataset_stats", None)
        if cached is None or cached.version != version:
            cached = _compute(queries, version, app.state.settings.max_query_timeout)
            app.state.dataset_stats = cached
        return cached


def _compute(queries: Any, version: str, timeout: float) -> Stats:
    def rows(query: str) -> list[dict[str, Any]]:
        return queries.select(query, timeout=timeout)

    def number(row: dict[str, Any], name: str) -> int:
        return int(row[name].value) if name in row else 0

    counts = rows(_COUNTS)[0]
    classes = [row["term"] for row in rows(_CLASSES)]
    properties = [row["term"] for row in rows(_PROPERTIES)]
    loads = rows(_LOADS)
    temporal = rows(_TEMPORAL)
    example = rows(_EXAMPLE)
    return Stats(
        version=version,
        triples=number(counts, "triples"),
        distinct_subjects=number(counts, "subjects"),
        distinct_objects=number(counts, "objects"),
        entities=number(rows(_ENTITIES)[0], "n"),
        classes=len(classes),
        properties=len(properties),
        vocabularies=sorted(
            {_namespace(term.value) for term in [*classes, *properties] if isinstance(term, NamedNode)}
        ),
        graphs=[
            GraphStats(row["g"], int(row["n"].value), row["title"].value if "title" in row else None)
            for row in rows(_GRAPHS)
        ],
        first_load=loads[0].get("first") if loads else None,
        last_load=loads[0].get("last") if loads else None,
        temporal=(temporal[0]["start"], temporal[0]["end"]) if temporal and "start" in temporal[0] else None,
        example=example[0]["a"] if example else None,
    )


def _namespace(iri: str) -> str:
    """`…/def#Algorithm` -> `…/def#`, `…/terms/title` -> `…/terms/`."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


# -- VoID and DCAT ------------------------------------------------------------------------------------


class _Graph:
    """Triples under construction, with short helpers for IRIs and typed literals."""

    def __init__(self) -> None:
        self.triples: list[Triple] = []

    def add(self, subject: NamedNode | BlankNode, predicate: str, obj: NamedNode | BlankNode | Literal | str) -> None:
        value = Literal(obj) if isinstance(obj, str) else obj
        self.triples.append(Triple(subject, NamedNode(predicate), value))

    def quads(self) -> Iterator[Quad]:
        return (Quad(t.subject, t.predicate, t.object) for t in self.triples)


def _integer(value: int, datatype: str = "integer") -> Literal:
    return Literal(str(value), datatype=NamedNode(_XSD + datatype))


def dataset_iri(base: str) -> NamedNode:
    """The one IRI VoID and DCAT both use for the dataset this server publishes."""
    return NamedNode(f"{base}/.well-known/void#algokg")


def void_triples(base: str, found: Stats) -> _Graph:
    graph = _Graph()
    document, dataset = NamedNode(f"{base}/.well-known/void"), dataset_iri(base)
    graph.add(document, _RDF + "type", NamedNode(_VOID + "DatasetDescription"))
    graph.add(document, _FOAF + "primaryTopic", dataset)
    graph.add(dataset, _RDF + "type", NamedNode(_VOID + "Dataset"))
    _describe_dataset(graph, dataset)
    for name, value in (
        ("triples", found.triples),
        ("entities", found.entities),
        ("classes", found.classes),
        ("properties", found.properties),
        ("distinctSubjects", found.distinct_subjects),
        ("distinctObjects", found.distinct_objects),
    ):
        graph.add(dataset, _VOID + name, _integer(value))
    graph.add(dataset, _VOID + "sparqlEndpoint", NamedNode(f"{base}/sparql"))
    graph.add(dataset, _VOID + "dataDump", NamedNode(f"{base}/dumps/{dump_files.NQUADS}"))
    graph.add(dataset, _VOID + "uriSpace", ID_SPACE)
    graph.add(dataset, _VOID + "feature", NamedNode("http://www.w3.org/ns/formats/N-Quads"))
    for vocabulary in found.vocabularies:
        graph.add(dataset, _VOID + "vocabulary", NamedNode(vocabulary))
    if found.example is not None:
        graph.add(dataset, _VOID + "exampleResource", found.example)
    for subset in found.graphs:
        graph.add(dataset, _VOID + "subset", subset.graph)
        graph.add(subset.graph, _RDF + "type", NamedNode(_VOID + "Dataset"))
        graph.add(subset.graph, _VOID + "triples", _integer(subset.triples))
        if subset.title:
            graph.add(subset.graph, _DCT + "title", subset.title)
    return graph


def _describe_dataset(graph: _Graph, dataset: NamedNode) -> None:
    graph.add(dataset, _DCT + "title", Literal("algokg: knowledge graph of government algorithms", language="en"))
    graph.add(dataset, _DCT + "title", Literal("algokg: kennisgraaf van overheidsalgoritmen", language="nl"))
    graph.add(
        dataset,
        _DCT + "description",
        Literal(
            "The Dutch Algoritmeregister as linked data, with the organisations (TOOI), the laws (BWB, ELI), "
            "impact assessments, public values and EU AI Act categories and obligations; checked by SHACL.",
            language="en",
        ),
    )
    graph.add(dataset, _DCT + "license", LICENSE)
    graph.add(dataset, _DCT + "conformsTo", NamedNode("https://w3id.org/algokg/def"))


def catalog_triples(base: str, found: Stats, files: dump_files.DumpSet) -> _Graph:
    graph = _Graph()
    catalog, dataset = NamedNode(f"{base}/catalog"), dataset_iri(base)
    publisher = BlankNode("publisher")
    graph.add(publisher, _RDF + "type", NamedNode(_FOAF + "Agent"))
    graph.add(publisher, _FOAF + "name", "algokg")

    graph.add(catalog, _RDF + "type", NamedNode(_DCAT + "Catalog"))
    graph.add(catalog, _DCT + "title", Literal("algokg catalogue", language="en"))
    graph.add(catalog, _DCT + "description", Literal("The dataset served by this algokg server.", language="en"))
    graph.add(catalog, _DCT + "publisher", publisher)
    graph.add(catalog, _DCT + "license", LICENSE)
    graph.add(catalog, _FOAF + "homepage", NamedNode(f"{base}/"))
    graph.add(catalog, _DCAT + "dataset", dataset)

    graph.add(dataset, _RDF + "type", NamedNode(_DCAT + "Dataset"))
    _describe_dataset(graph, dataset)
    graph.add(dataset, _DCT + "publisher", publisher)
    graph.add(dataset, _DCT + "identifier", dataset.value)
    graph.add(dataset, _DCT + "accessRights", NamedNode(_EU + "access-right/PUBLIC"))
    graph.add(dataset, _DCAT + "theme", NamedNode(_EU + "data-theme/GOVE"))
    for language in ("NLD", "ENG"):
        graph.add(dataset, _DCT + "language", NamedNode(f"{_EU}language/{language}"))
    for keyword in ("algoritmeregister", "algorithms", "AI Act", "impact assessment", "linked data"):
        graph.add(dataset, _DCAT + "keyword", keyword)
    if found.first_load is not None:
        graph.add(dataset, _DCT + "issued", found.first_load)
    if found.last_load is not None:
        graph.add(dataset, _DCT + "modified", found.last_load)
    graph.add(dataset, "http://www.w3.org/2002/07/owl#versionInfo", found.version)
    if found.temporal is not None:
        period = BlankNode("temporal")
        graph.add(dataset, _DCT + "temporal", period)
        graph.add(period, _RDF + "type", NamedNode(_DCT + "PeriodOfTime"))
        graph.add(period, _DCAT + "startDate", found.temporal[0])
        graph.add(period, _DCAT + "endDate", found.temporal[1])

    sparql_service, rest_service = NamedNode(f"{base}/catalog#sparql-service"), NamedNode(f"{base}/catalog#rest-api")
    _service(graph, sparql_service, "SPARQL 1.1 endpoint", f"{base}/sparql", f"{base}/sparql",
             "https://www.w3.org/TR/sparql11-protocol/", dataset)  # fmt: skip
    _service(graph, rest_service, "REST API (JSON, JSON-LD, CSV)", f"{base}/api", f"{base}/openapi.json",
             "https://spec.openapis.org/oas/v3.1.0", dataset)  # fmt: skip
    graph.add(catalog, _DCAT + "service", sparql_service)
    graph.add(catalog, _DCAT + "service", rest_service)
    for name, service, url in (("sparql", sparql_service, f"{base}/sparql"), ("api", rest_service, f"{base}/api")):
        distribution = NamedNode(f"{base}/catalog#distribution-{name}")
        graph.add(dataset, _DCAT + "distribution", distribution)
        graph.add(distribution, _RDF + "type", NamedNode(_DCAT + "Distribution"))
        graph.add(
            distribution, _DCT + "title", f"algokg through its {'SPARQL endpoint' if name == 'sparql' else 'REST API'}"
        )
        graph.add(distribution, _DCAT + "accessURL", NamedNode(url))
        graph.add(distribution, _DCAT + "accessService", service)
        graph.add(distribution, _DCT + "license", LICENSE)

    for dump, media_type, file_type, title in (
        (files.files[dump_files.NQUADS], "application/n-quads", "RDF_N_QUADS", "every named graph, N-Quads, gzip"),
        (files.files[dump_files.CSV], "text/csv", "CSV", "algorithms, current state, one row per language, CSV"),
    ):
        url = NamedNode(f"{base}/dumps/{dump.name}")
        distribution = NamedNode(f"{base}/catalog#dump-{dump.name}")
        graph.add(dataset, _DCAT + "distribution", distribution)
        graph.add(distribution, _RDF + "type", NamedNode(_DCAT + "Distribution"))
        graph.add(distribution, _DCT + "title", f"algokg dump: {title}")
        graph.add(distribution, _DCAT + "accessURL", url)
        graph.add(distribution, _DCAT + "downloadURL", url)
        graph.add(distribution, _DCAT + "mediaType", NamedNode(_IANA + media_type))
        graph.add(distribution, _DCT + "format", NamedNode(f"{_EU}file-type/{file_type}"))
        if dump.name.endswith(".gz"):
            graph.add(distribution, _DCAT + "compressFormat", NamedNode(_IANA + "application/gzip"))
        graph.add(distribution, _DCAT + "byteSize", _integer(dump.size, "nonNegativeInteger"))
        graph.add(distribution, _DCT + "license", LICENSE)
        checksum = BlankNode(f"checksum-{dump.name.replace('.', '-')}")
        graph.add(distribution, _SPDX + "checksum", checksum)
        graph.add(checksum, _RDF + "type", NamedNode(_SPDX + "Checksum"))
        graph.add(checksum, _SPDX + "algorithm", NamedNode(_SPDX + "checksumAlgorithm_sha256"))
        graph.add(checksum, _SPDX + "checksumValue", Literal(dump.sha256, datatype=NamedNode(_XSD + "hexBinary")))
    return graph


def _service(
    graph: _Graph, service: NamedNode, title: str, endpoint: str, description: str, standard: str, dataset: NamedNode
) -> None:
    graph.add(service, _RDF + "type", NamedNode(_DCAT + "DataService"))
    graph.add(service, _DCT + "title", title)
    graph.add(service, _DCAT + "endpointURL", NamedNode(endpoint))
    graph.add(service, _DCAT + "endpointDescription", NamedNode(description))
    graph.add(service, _DCT + "conformsTo", NamedNode(standard))
    graph.add(service, _DCAT + "servesDataset", dataset)
    graph.add(service, _DCT + "license", LICENSE)


# -- routes -------------------------------------------------------------------------------------------

_RDF_ONLY = list(RDF_FORMATS)


@router.api_route("/.well-known/void", methods=["GET", "HEAD"], summary="VoID description of the dataset")
async def void(request: Request) -> Response:
    return await _rdf_document(request, lambda base, app: void_triples(base, stats(app)))


@router.api_route("/catalog", methods=["GET", "HEAD"], summary="DCAT-AP catalogue of the dataset")
async def catalog(request: Request) -> Response:
    def build(base: str, app: FastAPI) -> _Graph:
        return catalog_triples(base, stats(app), dump_files.dumps(app.state.settings, app.state.queries))

    return await _rdf_document(request, build)


async def _rdf_document(request: Request, build: Any) -> Response:
    media_type = negotiate(request, _RDF_ONLY)
    if media_type is None:
        detail = f"this resource is available as {', '.join(_RDF_ONLY)}"
        return problem(406, detail=detail, headers={"Vary": "Accept"}, accepted=_RDF_ONLY)
    headers = {**validators(request, media_type), "Vary": "Accept"}
    if (cached := not_modified(request, headers)) is not None:
        return cached
    app, base = request.app, request.app.state.settings.public_base
    graph = await run_in_threadpool(build, base, app)
    return Response(rdf_bytes(graph.quads(), RDF_FORMATS[media_type]), media_type=media_type, headers=headers)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"], summary="A bulk download (N-Quads, CSV, SHA256SUMS)")
async def dump(request: Request, name: str) -> Response:
    if name not in dump_files.MEDIA_TYPES:
        detail = f"no dump {name!r}; the dumps are {', '.join(dump_files.MEDIA_TYPES)}"
        return problem(404, detail=detail, instance=request.url.path)
    files = await run_in_threadpool(dump_files.dumps, request.app.state.settings, request.app.state.queries)
    found = files.files[name]
    modified = email.utils.format_datetime(last_modified(request), usegmt=True)
    headers = {"ETag": f'"{found.sha256}"', "Last-Modified": modified}
    if (cached := not_modified(request, headers)) is not None:
        return cached
    return FileResponse(found.path, media_type=found.media_type, headers=headers, filename=name)


@router.get("/health", summary="The process answers")
async def health() -> dict[str, str]:
    # On the event loop: no thread of the pool (which busy routes may hold) and nothing of the store.
    return {"status": "ok"}


@router.get("/ready", summary="The store is open and answers a query")
async def ready(request: Request) -> Response:
    queries = request.app.state.queries

    def probe() -> tuple[str, dict[str, object]]:
        queries.select(_READY, timeout=_READY_TIMEOUT)
        # The algorithm index is reported, not required: the pages answer while it builds (`rest.selection`).
        return str(queries.data_version), selection.status(queries)

    try:
        version, index = await run_in_threadpool(probe)
    except Exception as error:  # whatever stops the store answering makes the server not ready
        detail = f"the store does not answer a query (reference {incident(error, '/ready')} in the server log)"
        return problem(503, "Service Unavailable", detail, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ready", "data_version": version, "index": index})


@router.get("/metrics", summary="Prometheus metrics")
async def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    body = await run_in_threadpool(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


class _StoreCollector:
    """Store size and data version, read at scrape time (from the per-version statistics)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        try:
            found = stats(self.app)
        except Exception:  # a scrape must not fail because the store is away; /ready reports that
            return
        triples = GaugeMetricFamily("algokg_store_triples", "Distinct triples in the union of all graphs.")
        triples.add_metric([], found.triples)
        quads = GaugeMetricFamily("algokg_store_quads", "Quads in the store (all named graphs).")
        quads.add_metric([], found.quads)
        graphs = GaugeMetricFamily("algokg_store_graphs", "Named graphs in the store.")
        graphs.add_metric([], len(found.graphs))
        version = InfoMetricFamily("algokg_data_version", "The store generation the server answers from.")
        version.add_metric([], {"version": found.version})
        yield from (triples, quads, graphs, version)


def install(app: FastAPI) -> None:
    """Mount the metadata routes, the request metrics middleware and the store collector on `app`."""
    collected = request_metrics.install(app)
    collected.add_collector(_StoreCollector(app))  # type: ignore[arg-type]
    app.include_router(router)
