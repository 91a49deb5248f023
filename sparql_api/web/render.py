"""Rendering a page: the Jinja2 templates with what every page needs (language, links, data version).

Links the pages make keep an explicitly chosen language (`?lang=`), so a reader who switched stays in it;
without one the browser's `Accept-Language` decides, and the answer says it varies on it.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pyoxigraph import NamedNode

from sparql_api.linked_data import local_url
from sparql_api.rest.models import QueryShown
from sparql_api.rest.record_fields import label_of
from sparql_api.web.fictitious import fictitious_data
from sparql_api.web.i18n import LANGUAGES, choose_language, translate

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
YASGUI_BUILD = STATIC / "vendor" / "yasgui" / "build.json"
ASSETS = "/assets"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["iri"] = lambda term: isinstance(term, NamedNode)
    env.filters["field_label"] = label_of  # a field of the publication standard by its name, in a language
    env.filters["percent"] = lambda share, digits=0: f"{share * 100:.{digits}f} %"
    return env


def yasgui_version() -> str | None:
    """The version of the YASGUI build (`make web`), or None when the build is absent."""
    try:
        return str(json.loads(YASGUI_BUILD.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


class Links:
    """URLs for one request: pages keep `?lang=` when the reader chose it."""

    def __init__(self, request: Request, language: str) -> None:
        self.request = request
        self.language = language
        self.explicit = request.query_params.get("lang") in LANGUAGES

    def url(self, path: str, **params: object) -> str:
        """`path` with the given query parameters (None and "" left out) and the chosen language."""
        values = {key: value for key, value in params.items() if value not in (None, "")}
        if self.explicit:
            values.setdefault("lang", self.language)
        query = urlencode(values, doseq=True)
        if not query:
            return path
        return f"{path}{'&' if '?' in path else '?'}{query}"

    def entity(self, iri: str) -> str:
        """The page of an IRI: its own path for algokg IRIs (`/id/…`), else the resource page."""
        path = local_url(iri)
        return self.url(path) if path else self.url("/resource", iri=iri)

    def organisation(self, key: str) -> str:
        """The organisation page, for a TOOI IRI or a published name."""
        return self.url("/organisation", id=key)

    def switch(self, language: str) -> str:
        """This page in another language."""
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        params.append(("lang", language))
        return f"{self.request.url.path}?{urlencode(params)}"

    def current(self, **changes: object) -> str:
        """This page with some query parameters changed (None removes one)."""
        params = dict(self.request.query_params)
        for key, value in changes.items():
            if value in (None, ""):
                params.pop(key, None)
            else:
                params[key] = str(value)
        query = urlencode(params)
        return f"{self.request.url.path}?{query}" if query else self.request.url.path


def runnable(shown: QueryShown) -> str:
    """A shown query as it can run in the query editor: its bound terms as a trailing VALUES clause."""
    if not shown.bindings:
        return shown.text
    names = " ".join(f"?{name}" for name in shown.bindings)
    values = " ".join(shown.bindings.values())
    return f"{shown.text.rstrip()}\nVALUES ({names}) {{ ({values}) }}\n"


def render(request: Request, template: str, *, status: int = 200, title: str = "", **context: Any) -> HTMLResponse:
    """The page `template` in the request's language."""
    language = choose_language(request)
    links = Links(request, language)

    def t(key: str, **values: object) -> str:
        return translate(language, key, **values)

    try:
        data_version = request.app.state.queries.data_version
        fictitious = fictitious_data(request.app.state.queries)  # the footer must not call it the register
    except Exception:  # a page must render even when the store cannot be read (it says so itself)
        data_version, fictitious = "", None
    body = (
        environment()
        .get_template(template)
        .render(
            lang=language,
            other_language="en" if language == "nl" else "nl",
            t=t,
            links=links,
            assets=ASSETS,
            title=title,
            data_version=data_version,
            fictitious=fictitious,
            path=request.url.path,
            runnable=runnable,
            **{"sparql": [], **context},
        )
    )
    headers = {"Content-Language": language, "Vary": "Accept, Accept-Language"}
    return HTMLResponse(body, status_code=status, headers=headers)
