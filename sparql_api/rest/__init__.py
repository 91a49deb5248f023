"""The REST API (`/api/…`): typed service functions (`catalogue`) shared with the HTML pages, their routes
(`routes`), record validation (`validate`) and the published JSON-LD context (`context.jsonld`)."""

from fastapi import APIRouter

from sparql_api.rest import comparison, reports, routes, supervision, validate

router = APIRouter()
router.include_router(routes.router)
router.include_router(validate.router)
router.include_router(reports.router)  # /api/reports… (supervisor reports, compliance.reports)
router.include_router(supervision.router)  # /api/law/algorithms, /api/organisation/algorithms
router.include_router(comparison.router)  # /api/comparison, /api/links (registers compared, candidate links)

__all__ = ["router"]
