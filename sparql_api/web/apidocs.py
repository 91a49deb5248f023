"""`/docs`: the REST API's documentation, from this server alone (it must work offline).

With the front-end build (`make web`: `swagger-ui-dist` copied into `static/vendor/swagger-ui/`) the page runs
Swagger UI on `/openapi.json`; its start-up is `static/apidocs.js`, so the strict page policy holds (no inline
script). Without the build, or with `?view=plain`, the server lists the endpoints from the same OpenAPI
document: method, path, summary and parameters, readable without JavaScript. FastAPI's CDN pages (`/docs`,
`/redoc`) are switched off in `sparql_api.app`.
"""

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sparql_api.web.i18n import choose_language, translate
from sparql_api.web.render import STATIC, render

router = APIRouter(include_in_schema=False)

SWAGGER_BUILD = STATIC / "vendor" / "swagger-ui" / "build.json"
METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


def swagger_version() -> str | None:
    """The version of the Swagger UI build (`make web`), or None when the build is absent."""
    try:
        return str(json.loads(SWAGGER_BUILD.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


@dataclass(frozen=True)
class Parameter:
    name: str
    place: str  # query, path, header, cookie
    required: bool
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    body: tuple[str, ...]  # media types of the request body, if it takes one


def operations(document: dict[str, Any]) -> dict[str, list[Operation]]:
    """The operations of an OpenAPI document by tag (first tag; untagged ones under ""), in document order."""
    grouped: dict[str, list[Operation]] = {}
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            spec = item.get(method)
            if spec is None or (method == "head" and "get" in item):
                continue  # HEAD beside GET says nothing new
            parameters = tuple(
                Parameter(p["name"], p.get("in", ""), bool(p.get("required")), p.get("description", ""))
                for p in [*shared, *spec.get("parameters", [])]
                if "name" in p  # a $ref'd parameter is not resolved here; FastAPI inlines them
            )
            body = tuple(spec.get("requestBody", {}).get("content", {}))
            operation = Operation(
                method.upper(), path, spec.get("summary", ""), spec.get("description", ""), parameters, body
            )
            grouped.setdefault((spec.get("tags") or [""])[0], []).append(operation)
    return grouped


@router.api_route("/docs", methods=["GET", "HEAD"], response_class=HTMLResponse)
def api_docs(request: Request, view: str = "") -> HTMLResponse:
    """Swagger UI from the vendored build, else (or with `?view=plain`) the endpoint list."""
    lang = choose_language(request)
    swagger = swagger_version() if view != "plain" else None
    document = request.app.openapi()
    return render(
        request,
        "apidocs.html",
        title=translate(lang, "apidocs.title"),
        swagger=swagger,
        swagger_available=swagger_version() is not None,
        spec_url=request.app.openapi_url,
        api_title=document.get("info", {}).get("title", ""),
        api_version=document.get("info", {}).get("version", ""),
        groups=operations(document),
    )
