"""App factory: composes the routers of `sparql_api` around one `QueryService`.

The store is queried with the union of all named graphs as default graph, so the model,
the reference law and every loaded dataset answer together.
"""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from sparql_api import errors, graph_store, linked_data, metadata, protocol, update, web
from sparql_api import rest as rest_api
from sparql_api.cors import PublicCORSMiddleware
from sparql_api.headers import SecurityHeadersMiddleware
from sparql_api.limits import RequestLimits
from sparql_api.queries import QueryService
from sparql_api.query_gate import QueryGate
from sparql_api.remote_queries import RemoteQueryService
from sparql_api.rest import selection
from sparql_api.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """Build the app for a store directory; configuration comes only from `settings`."""
    # /docs is sparql_api.web.apidocs (Swagger UI from the vendored build, else a plain list): FastAPI's own
    # pages load their scripts from a CDN and are blank offline. ReDoc is not vendored, so it is off.
    app = AlgokgApp(
        lifespan=_lifespan,
        title="algokg",
        summary="Knowledge graph of government algorithms",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    # Every public query passes it first: queries only, bounded, SERVICE to allowed endpoints only.
    app.state.query_gate = QueryGate(settings)  # refuses a local ALGOKG_SERVICE_ALLOW entry (AllowListError)
    # The embedded store (query worker processes) or a remote one (SPARQL Protocol over HTTP).
    app.state.queries = RemoteQueryService(settings) if settings.remote else QueryService(settings)

    # Middleware added first is innermost. Errors first: every error answer still passes the layers below.
    errors.install(app)  # unknown paths, bad parameters, unexpected exceptions: problem+json or an HTML page
    # Body limits (413/408), requests per client (429), the client of every query and the cancellation of its
    # queries when it goes away (sparql_api.limits).
    app.add_middleware(RequestLimits, settings=settings, in_flight={})  # one table, shared by /sparql's stack
    metadata.install(app)  # /health, /ready, /metrics (+ request metrics), VoID, DCAT, dumps
    # Read endpoints are public: any origin may GET/POST them; large answers travel gzipped.
    app.add_middleware(GZipMiddleware, minimum_size=1024)  # skips application/gzip (the dumps) by default
    app.add_middleware(PublicCORSMiddleware)  # sparql_api.cors: Allow-Origin * on every read (none on writes)
    app.add_middleware(SecurityHeadersMiddleware)  # nosniff; CSP and frame policy on pages (/docs too)
    protocol.install(app)  # /sparql, first among the routes (the hot path)
    app.include_router(update.router)  # /update (SPARQL Update), behind the write token
    app.include_router(graph_store.router)  # /store (Graph Store Protocol); writes behind the token
    app.include_router(linked_data.router)
    app.include_router(rest_api.router)
    app.include_router(web.router)  # HTML pages: /, /algorithms, /query, … (sparql_api.web)
    return app


class AlgokgApp(FastAPI):
    """FastAPI with a shortcut for the hot path: a request for `/sparql` goes through the app's own middleware (the
    same layers, in the same order, as every other request) straight to `protocol.SparqlEndpoint`, past Starlette's
    error and exception layers and the router. The endpoint answers what the router would: problem+json for a
    method it does not take (405), and its own errors; an exception it lets through reaches the app's
    `UnexpectedErrorMiddleware` as any route's does."""

    _sparql: tuple[BaseRoute, ASGIApp] | None = None  # the route and the middleware around its endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == protocol.PATH:
            if self._sparql is None:
                self._sparql = self._sparql_stack()
            scope["app"], scope["route"] = self, self._sparql[0]
            await self._sparql[1](scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def _sparql_stack(self) -> tuple[BaseRoute, ASGIApp]:
        """Built on the first request, as Starlette builds its own stack: all middleware has been added by then."""
        route = next(r for r in self.router.routes if isinstance(getattr(r, "app", None), protocol.SparqlEndpoint))
        stack: ASGIApp = route.app  # type: ignore[attr-defined]
        for cls, args, kwargs in reversed(self.user_middleware):
            stack = cls(stack, *args, **kwargs)
        return route, stack


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs: the algorithm index of each new data version built in the background from the
    start (`sparql_api.rest.selection.watch`), so the first visitor of the list page does not wait for it."""
    stop = threading.Event()
    every = app.state.settings.index_watch
    if every > 0:
        selection.watch(app.state.queries, stop, every)
    try:
        yield
    finally:
        stop.set()
