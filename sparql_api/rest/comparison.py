"""The cross-register comparison and the candidate links: service functions, and `/api/comparison`, `/api/links`.

Each figure of the comparison is one query in `queries/registers/compare-*.rq` (systems per register and status,
declared high-risk/high-impact share, completed impact assessments among those, privacy impact assessments, vendors
in several registers or countries, systems per sector); every figure carries its SPARQL (`sparql`) so a page or a
client can show and rerun it. JSON-LD, or CSV with fixed columns (`sparql_api.rest.tables`: the row model, never
the rows); answers are cached per data version like the other REST views.
"""

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from queries import QUERY_DIR
from sparql_api.failures import failure_detail, failure_status
from sparql_api.problems import problem
from sparql_api.queries import QueryError, QueryService, QueryTimeout
from sparql_api.rest import catalogue, tables
from sparql_api.rest.http import CSV, JSON, JSON_LD, choose, context_url, json_response, validators
from sparql_api.rest.models import Model, QueryShown
from sparql_api.rest.sparql import Sparql

__all__ = ["FIGURES", "Figure", "FigureRow", "LinkRow", "comparison", "links", "router"]

NO_VALUE = "urn:algokg:no-value"
FIGURES: dict[str, dict[str, str]] = {
    "status": {"en": "Systems per register and status", "nl": "Systemen per register en status"},
    "declared-high": {
        "en": "Share with a declared high-risk or high-impact category",
        "nl": "Aandeel met een opgegeven hoog-risico- of high-impactcategorie",
    },
    "impact-assessed": {
        "en": "Of those, share with a completed impact assessment",
        "nl": "Daarvan: aandeel met een afgeronde impactassessment",
    },
    "privacy-assessed": {
        "en": "Share with a privacy impact assessment (DPIA, PIA)",
        "nl": "Aandeel met een privacy-impactassessment (DPIA, PIA)",
    },
    "vendors": {
        "en": "Vendors in more than one register or country (registers, countries)",
        "nl": "Leveranciers in meer dan één register of land (registers, landen)",
    },
    "sectors": {"en": "Systems per register and sector (COFOG)", "nl": "Systemen per register en sector (COFOG)"},
}
Lang = Annotated[Literal["nl", "en"], Query(description="language of labels")]


class FigureRow(Model):
    """One row of a figure: a register (none for vendors), a value, how many, out of how many."""

    figure: str
    register_iri: str | None = Field(default=None, alias="register")  # "register" is a name pydantic keeps
    registerLabel: str | None = None
    value: str
    valueLabel: str | None = None
    count: int
    total: int
    share: float | None = None


class Figure(Model):
    name: str
    title: str
    rows: list[FigureRow]
    sparql: list[QueryShown] = Field(default_factory=list)


class LinkRow(Model):
    """One candidate link: both algorithms with register and title, score, review status, evidence."""

    id: str = Field(alias="@id")
    source: str
    sourceRegister: str
    sourceTitle: str | None = None
    target: str
    targetRegister: str
    targetTitle: str | None = None
    score: float
    status: str
    evidence: list[str] = Field(default_factory=list)


def _query(name: str) -> Sparql:
    path = Path(QUERY_DIR) / "registers" / f"{name}.rq"
    return Sparql(f"registers/{name}", path.read_text(encoding="utf-8"), {})


def _labels(queries: QueryService, iris: set[str], lang: str) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in sorted(iris) if iri.startswith(("http://", "https://")) and ">" not in iri)
    text = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT ?iri ?label WHERE {{ VALUES ?iri {{ {values} }} ?iri skos:prefLabel|rdfs:label ?label }}"
    )
    found: dict[str, list] = {}
    for row in catalogue.run(queries, Sparql("registers/labels", text, {})):
        found.setdefault(row["iri"].value, []).append(row["label"])
    return {iri: label for iri, labels in found.items() if (label := catalogue.pick_label(labels, lang))}


def comparison(queries: QueryService, lang: str = "en") -> list[Figure]:
    """Every figure of the comparison, in order, with its rows and its SPARQL."""
    figures = []
    for name, titles in FIGURES.items():
        sparql = _query(f"compare-{name}")
        found = catalogue.run(queries, sparql)
        iris = {row[key].value for row in found for key in ("register", "value") if row.get(key) is not None}
        labels = _labels(queries, iris, lang)
        rows = []
        for row in found:
            register = row["register"].value if row.get("register") is not None else ""
            value, count, total = row["value"].value, int(row["count"].value), int(row["total"].value)
            rows.append(
                FigureRow(
                    figure=name,
                    register_iri=register or None,
                    registerLabel=labels.get(register),
                    value=value,
                    valueLabel=labels.get(value) or ("—" if value == NO_VALUE else None),
                    count=count,
                    total=total,
                    share=round(count / total, 4) if total and name != "vendors" else None,
                )
            )
        figures.append(
            Figure(name=name, title=titles[lang], rows=rows, sparql=[QueryShown.model_validate(sparql.shown())])
        )
    return figures


def links(queries: QueryService) -> tuple[list[LinkRow], QueryShown]:
    """The candidate links, best first, each with its evidence."""
    sparql = _query("links")
    grouped: dict[str, LinkRow] = {}
    for row in catalogue.run(queries, sparql):
        key = row["link"].value
        if key not in grouped:
            grouped[key] = LinkRow.model_validate(
                {
                    "@id": key,
                    "source": row["from"].value,
                    "sourceRegister": row["fromRegister"].value,
                    "sourceTitle": row["fromTitle"].value if row.get("fromTitle") is not None else None,
                    "target": row["to"].value,
                    "targetRegister": row["toRegister"].value,
                    "targetTitle": row["toTitle"].value if row.get("toTitle") is not None else None,
                    "score": float(row["score"].value),
                    "status": row["status"].value.rsplit("/", 1)[-1],
                }
            )
        if (evidence := row["evidence"].value) not in grouped[key].evidence:
            grouped[key].evidence.append(evidence)
    ordered = sorted(grouped.values(), key=lambda link: (-link.score, link.source, link.target))
    return ordered, QueryShown.model_validate(sparql.shown())


router = APIRouter(prefix="/api", tags=["Registers compared"])


def _answer(request: Request, build) -> Response:  # type: ignore[no-untyped-def]
    media_type = choose(request, [JSON_LD, JSON, CSV])
    if media_type is None:
        return problem(406, detail="none of the media types asked for can be served", accepted=[JSON_LD, JSON, CSV])
    queries: QueryService = request.app.state.queries
    try:
        headers = validators(request, queries.data_version, media_type)
        response = build(media_type)
    except QueryTimeout as error:
        return problem(503, "Query timeout", str(error), headers={"Retry-After": "5"})
    except QueryError as error:
        return problem(failure_status(error), "Query failed", failure_detail(error, request.url.path))
    response.headers.update(headers)
    return response


@router.get("/comparison", summary="Registers side by side: every figure with its SPARQL (JSON-LD or CSV)")
def comparison_route(request: Request, lang: Lang = "en") -> Response:
    def build(media_type: str) -> Response:
        figures = comparison(request.app.state.queries, lang)
        if media_type == CSV:
            rows = [row for figure in figures for row in figure.rows]
            return Response(tables.csv_text(FigureRow, rows), media_type=CSV)
        body = {"@context": context_url(request), "figures": [f.model_dump(by_alias=True) for f in figures]}
        return json_response(body, media_type, {})

    return _answer(request, build)


@router.get("/links", summary="Candidate links between registers, with score, evidence and review status")
def links_route(request: Request) -> Response:
    def build(media_type: str) -> Response:
        found, shown = links(request.app.state.queries)
        if media_type == CSV:
            return Response(tables.csv_text(LinkRow, found), media_type=CSV, headers={"X-Total-Count": str(len(found))})
        body = {
            "@context": context_url(request),
            "totalItems": len(found),
            "member": [link.model_dump(by_alias=True) for link in found],
            "sparql": [shown.model_dump()],
        }
        return json_response(body, media_type, {"X-Total-Count": str(len(found))})

    return _answer(request, build)
