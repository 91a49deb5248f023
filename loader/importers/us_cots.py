"""The US inventory's consolidated COTS file: per agency, which common tasks it does with commercial AI products.

``2025_consolidated_COTS_AI_use_cases.csv`` has one row per agency and task (45 agencies x 20 tasks = 900 rows):
``Agency`` (the full name), ``AI Use Case`` (the task), ``Agency Use (Y/N)?``, ``Name of Commercial Product or
Service Used``, ``Estimated # of Licenses/Users``. Each row is an akg:ProductUse of the agency (the same
organisation node as in the use case file, named by its full name) for the task (a concept of
``…/scheme/us-cots-use-case``, minted here from the task's text), with the answer (akg:inUse; blank stays absent),
the products named (akg:productName, as published) and the licence band. Named ``…/id/product-use/us/{agency}/{task}/
{file sha256 prefix}``: one node per agency, task and inventory file.
"""

from dataclasses import dataclass, field
from pathlib import Path, PurePath

from pyoxigraph import Literal, NamedNode, Quad

from loader.importers.common import Remark
from loader.importers.us_inventory import slug
from loader.importers.us_mapping import CATALOG, USA, agency_iri
from loader.mapping import terms as t
from loader.sources.csv_rows import CsvRow, rows

__all__ = ["COLUMNS", "CotsMapping", "map_cots", "read_cots"]

AGENCY, TASK, USE, PRODUCT, LICENCES = (
    "Agency", "AI Use Case", "Agency Use (Y/N)?", "Name of Commercial Product or Service Used",
    "Estimated # of Licenses/Users",
)  # fmt: skip
COLUMNS = (AGENCY, TASK, USE, PRODUCT, LICENCES)
SCHEME = NamedNode(f"{t.ID}scheme/us-cots-use-case")
SKOS = "http://www.w3.org/2004/02/skos/core#"


def read_cots(path: Path) -> list[CsvRow]:
    """The rows of the COTS file.

    :raises SourceError: not the COTS CSV (encoding, columns, widths, sizes), located
    """
    return list(rows(path, required=(AGENCY, TASK, USE), encoding_hint="the inventory is UTF-8 with BOM"))


@dataclass
class CotsMapping:
    quads: list[Quad] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)


def map_cots(found: list[CsvRow], *, graph: NamedNode, file: str, digest: str) -> CotsMapping:
    out = CotsMapping()
    described: set[tuple[str, ...]] = set()  # agencies and use cases: their quads once per file, not per row

    def add(subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        out.quads.append(Quad(subject, predicate, obj, graph))

    for row in found:
        values = {key: (value or "").strip() for key, value in row.values.items()}
        agency_name, task = values[AGENCY], values[TASK]
        if not agency_name or not task:
            out.remarks.append(
                Remark(file, row.line, AGENCY if not agency_name else TASK, "warning", "blank; row kept")
            )
        agency = agency_iri(agency_name or "unnamed")
        concept = NamedNode(f"{t.ID}us-cots-use-case/{slug(task)}")
        node = NamedNode(f"{t.ID}product-use/us/{slug(agency_name)}/{slug(task)}/{digest[:8]}")
        add(node, t.RDF_TYPE, t.akg("ProductUse"))
        add(node, t.akg("organisation"), agency)
        add(node, t.akg("organisationName"), Literal(agency_name))
        add(node, t.akg("consolidatedUseCase"), concept)
        add(node, t.akg("inRegister"), CATALOG)
        add(node, t.prov("wasDerivedFrom"), graph)
        add(node, t.akg("sourceFile"), Literal(PurePath(file).name))
        add(node, t.akg("sourceLine"), t.typed(row.line, "integer"))
        if ("concept", concept.value, task) not in described:
            described.add(("concept", concept.value, task))
            add(concept, t.RDF_TYPE, NamedNode(f"{SKOS}Concept"))
            add(concept, NamedNode(f"{SKOS}inScheme"), SCHEME)
            add(concept, NamedNode(f"{SKOS}notation"), Literal(slug(task)))
            add(concept, t.SKOS_PREF_LABEL, Literal(task, language="en"))
        if ("agency", agency.value, agency_name) not in described:
            described.add(("agency", agency.value, agency_name))
            add(agency, t.RDF_TYPE, t.ORG_ORGANIZATION)
            add(agency, t.RDF_TYPE, t.akg("UnreconciledOrganisation"))
            add(agency, t.SKOS_PREF_LABEL, Literal(agency_name, language="en"))
            add(agency, t.akg("organisationType"), t.concept_iri("organisation-type", "us-federal-agency"))
            add(agency, t.akg("isPublicAuthority"), t.typed("true", "boolean"))
            add(agency, t.dct("spatial"), USA)
        use = values.get(USE, "").upper()
        if use in ("Y", "N"):
            add(node, t.akg("inUse"), t.typed(str(use == "Y").lower(), "boolean"))
        elif use:
            out.remarks.append(Remark(file, row.line, USE, "warning", f"{use!r} is not Y or N; kept as product text"))
            add(node, t.akg("valueAsPublished"), Literal(values[USE]))
        if product := values.get(PRODUCT):
            add(node, t.akg("productName"), Literal(product))
        if band := values.get(LICENCES):
            add(node, t.akg("licenceBand"), Literal(band))
    return out
