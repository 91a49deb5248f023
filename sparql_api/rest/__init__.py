"""The REST API (`/api/…`): typed service functions (`catalogue`) shared with the HTML pages, their routes
(`routes`), record validation (`validate`) and the published JSON-LD context (`context.jsonld`)."""

from fastapi import APIRouter

from sparql_api.rest import reports, routes, validate

router = APIRouter()
router.include_router(routes.router)
router.include_router(validate.router)
router.include_router(reports.router)  # /api/reports… (supervisor reports, compliance.reports)

__all__ = ["router"]
