"""App factory: composes the routers of `sparql_api` around one `QueryService`.

The store is queried with the union of all named graphs as default graph, so the model,
the reference law and every loaded dataset answer together.
"""

from fastapi import FastAPI

from sparql_api import protocol
from sparql_api.queries import QueryService
from sparql_api.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """Build the app for a store directory; configuration comes only from `settings`."""
    app = FastAPI(title="algokg", summary="Knowledge graph of government algorithms")
    app.state.settings = settings
    app.state.queries = QueryService(settings)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(protocol.router)
    return app
