"""A validation report for people and programs: grouped per record and field; text (nl/en), JSON, CSV, Turtle."""

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict
from itertools import groupby

from pyoxigraph import NamedNode, RdfFormat, serialize

from loader.validation import ValidationReport, ValidationResultItem, results_as_quads

CSV_COLUMNS = (
    "file", "line", "pointer", "index", "algorithm_id", "field", "severity", "value", "expected", "nearest",
    "message_nl", "message_en", "shape", "component", "path", "focus",
)  # fmt: skip
_WORDS = {
    "nl": {"record": "algoritme", "field": "veld", "found": "gevonden", "expected": "verwacht", "nearest": "bedoelt u",
           "none": "geen resultaten: alle records voldoen", "Violation": "fout", "Warning": "waarschuwing", "Info": "info",
           "summary": "{violations} fouten, {warnings} waarschuwingen in {records} records"},
    "en": {"record": "algorithm", "field": "field", "found": "found", "expected": "expected", "nearest": "did you mean",
           "none": "no results: every record conforms", "Violation": "violation", "Warning": "warning", "Info": "info",
           "summary": "{violations} violations, {warnings} warnings in {records} records"},
}  # fmt: skip


def _record_key(item: ValidationResultItem) -> tuple[str, int, str]:
    return (item.file or "", item.index or 0, item.location)


def render_text(report: ValidationReport, *, language: str = "en") -> str:
    words = _WORDS[language]
    if not report.results:
        return words["none"]
    lines = []
    for _, results in groupby(report.results, key=_record_key):
        group = list(results)
        head = group[0]
        algorithm = f" — {words['record']} {head.algorithm_id}" if head.algorithm_id else ""
        lines.append(f"{head.location}{algorithm}")
        for item in group:
            message = item.message_nl if language == "nl" else item.message_en
            lines.append(f"  {words['field']} {item.field or '-'}: {words[item.severity]}: {message}")
            details = []
            if item.value is not None:
                details.append(f"{words['found']} {item.value!r}")
            if item.expected:
                details.append(f"{words['expected']} {item.expected}")
            if item.nearest:
                details.append(f"{words['nearest']} {item.nearest!r}?")
            if details:
                lines.append("    " + "; ".join(details))
    records = len({_record_key(item) for item in report.results})
    summary = words["summary"].format(
        violations=report.count("Violation"), warnings=report.count("Warning"), records=records
    )
    return "\n".join([*lines, summary])


def render_json(report: ValidationReport) -> str:
    grouped = [
        {"location": key[2], "results": [asdict(item) for item in items]}
        for key, items in groupby(report.results, key=_record_key)
    ]
    return json.dumps({"conforms": report.conforms, "profiles": list(report.profiles), "records": grouped}, indent=2)


def render_csv(report: ValidationReport) -> str:
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(item) for item in report.results)
    return handle.getvalue()


def render_turtle(report: ValidationReport, *, graph: str = "https://w3id.org/algokg/graph/validation/report") -> str:
    quads = results_as_quads(report, NamedNode(graph))
    triples: Iterable[object] = (quad.triple for quad in quads)
    data = serialize(triples, format=RdfFormat.TURTLE, prefixes={"sh": "http://www.w3.org/ns/shacl#"})
    return (data or b"").decode("utf-8")


def merge(reports: Iterable[ValidationReport]) -> ValidationReport:
    """One report for several sources (a load of several files)."""
    parts = list(reports)
    profiles = tuple(dict.fromkeys(profile for part in parts for profile in part.profiles))
    results = [item for part in parts for item in part.results]
    return ValidationReport(conforms=all(part.conforms for part in parts), results=results, profiles=profiles)


def render(report: ValidationReport, report_format: str, *, language: str = "en") -> str:
    """The report as ``text`` (in ``language``), ``json``, ``csv`` or ``turtle``."""
    if report_format == "text":
        return render_text(report, language=language)
    return {"json": render_json, "csv": render_csv, "turtle": render_turtle}[report_format](report)
