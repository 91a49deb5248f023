"""The web pages of algokg for people who do not write SPARQL (see `pages`, `entity`, `query`).

`router` serves `/`, `/algorithms`, `/laws`, `/organisations`, `/organisation`, `/dashboard`, `/resource`,
`/query`, `/docs` and the pages' files under `/assets/`; `sparql_api.linked_data` calls `entity.render_entity` for
HTML requests on entity IRIs.
"""

from fastapi import APIRouter

from sparql_api.web import apidocs, comparison, pages, query, reports

router = APIRouter(include_in_schema=False)
router.include_router(pages.router)
router.include_router(query.router)
router.include_router(reports.router)  # /reports, /reports/{name} (supervisor reports)
router.include_router(comparison.router)  # /comparison, /links (registers compared, candidate links)
router.include_router(apidocs.router)  # /docs (Swagger UI from the vendored build, else a plain list)

__all__ = ["router"]
