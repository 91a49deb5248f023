"""HTTP around the REST views: media type choice, JSON-LD bodies, Link headers, ETag / 304 (CSV: `rest.tables`)."""

import hashlib
import json
from collections.abc import Callable, Sequence
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response

from sparql_api.conditional import not_modified
from sparql_api.failures import failure_detail, failure_status
from sparql_api.negotiation import choose_media_type
from sparql_api.problems import problem
from sparql_api.queries import QueryError, QueryService, QueryTimeout
from sparql_api.rest.filters import BadFilter
from sparql_api.rest.models import Page

CONTEXT_PATH = "/api/context/v1.jsonld"  # a new, incompatible context gets a new version; this one stays
CONTEXT_FILE = Path(__file__).with_name("context.jsonld")
JSON_LD = "application/ld+json"
JSON = "application/json"
CSV = "text/csv"
FORMATS = {"jsonld": JSON_LD, "json": JSON, "csv": CSV}


def choose(request: Request, offered: Sequence[str]) -> str | None:
    """The media type to answer: `?format=` wins (`jsonld`, `json`, `csv` or a media type), else the best of
    `offered` that Accept allows (`sparql_api.negotiation`: q-values, the most specific range decides, so
    `application/ld+json;q=0, */*` excludes JSON-LD); the first offered when Accept is absent; None when
    nothing offered is acceptable."""
    if wanted := request.query_params.get("format"):
        media = FORMATS.get(wanted, wanted)
        return media if media in offered else None
    return choose_media_type(request.headers.get("accept"), offered)


def validators(request: Request, version: str, variant: str) -> dict[str, str]:
    """ETag (data version + URL + media type) and Last-Modified (when the generation was made)."""
    digest = hashlib.sha256(f"{request.url.path}?{request.url.query}|{variant}".encode()).hexdigest()[:16]
    headers = {"ETag": f'"{version}-{digest}"', "Vary": "Accept"}
    if (stamp := request.app.state.queries.last_modified) is not None:
        headers["Last-Modified"] = formatdate(stamp, usegmt=True)
    return headers


def context_url(request: Request) -> str:
    return f"{request.app.state.settings.public_base}{CONTEXT_PATH}"


def page_url(request: Request, page: int) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"] + [("page", str(page))]
    return f"{request.app.state.settings.public_base}{request.url.path}?{urlencode(params)}"


def links(request: Request, page: Page[Any]) -> dict[str, str]:
    """hydra view members and the matching RFC 8288 `Link` header (first, prev, next, last)."""
    view = {"first": page_url(request, 1), "last": page_url(request, page.pages)}
    if page.page > 1:
        view["previous"] = page_url(request, min(page.page - 1, page.pages))
    if page.page < page.pages:
        view["next"] = page_url(request, page.page + 1)
    return view


def link_header(view: dict[str, str], request: Request) -> str:
    relations = {"first": "first", "previous": "prev", "next": "next", "last": "last"}
    parts = [f'<{view[name]}>; rel="{relation}"' for name, relation in relations.items() if name in view]
    parts.append(f'<{context_url(request)}>; rel="http://www.w3.org/ns/json-ld#context"; type="{JSON_LD}"')
    parts.append(f'<{request.app.state.settings.public_base}/openapi.json>; rel="describedby"')
    return ", ".join(parts)


def collection_body(request: Request, page: Page[Any], explain: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """A page as a JSON-LD hydra:Collection with a hydra:PartialCollectionView, and its Link header."""
    view = links(request, page)
    body: dict[str, Any] = {
        "@context": context_url(request),
        "@id": page_url(request, page.page),
        "@type": "Collection",
        "totalItems": page.total,
        "page": page.page,
        "size": page.size,
        "sort": page.sort,
        "member": [item.model_dump(by_alias=True, exclude_none=True) for item in page.items],
        "view": {"@id": page_url(request, page.page), "@type": "PartialCollectionView", **view},
    }
    if page.facets:
        body["facets"] = [facet.model_dump(by_alias=True, exclude_none=True) for facet in page.facets]
    if explain:
        body["sparql"] = [query.model_dump() for query in page.sparql]
    return body, {"Link": link_header(view, request)}


def json_response(body: Any, media_type: str, headers: dict[str, str], status: int = 200) -> Response:
    content = json.dumps(body, ensure_ascii=False, indent=None, separators=(",", ":")).encode()
    return Response(content=content, status_code=status, media_type=media_type, headers=headers)


def answer(request: Request, offered: list[str], build: Callable[[str], Response]) -> Response:
    """Negotiate, answer 304 when the client has this version, else build; errors as problem+json."""
    media_type = choose(request, offered)
    if media_type is None:
        detail = "none of the media types asked for can be served"
        return problem(406, detail=detail, accepted=offered, headers={"Vary": "Accept"})
    queries: QueryService = request.app.state.queries
    try:
        headers = validators(request, queries.data_version, media_type)
        if (unchanged := not_modified(request, headers)) is not None:
            return unchanged
        response = build(media_type)
    except BadFilter as error:
        return problem(400, "Bad parameter", str(error), parameter=error.name, value=error.value)
    except QueryTimeout as error:
        return problem(503, "Query timeout", str(error), headers={"Retry-After": "5"})
    except QueryError as error:  # the server's own query: its parser's or store's words go to the log only
        return problem(failure_status(error), "Query failed", failure_detail(error, request.url.path))
    if response.status_code == 200:
        response.headers.update(headers)
    return response
