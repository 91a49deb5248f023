"""A validation report for people and programs: grouped per record and field; text (nl/en), JSON, CSV, Turtle.

Every rendering is deterministic: results come sorted from :func:`loader.validation.validate` (record
order in the file, then field, severity, shape, value) and :func:`merge` keeps that order.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from itertools import groupby
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from loader.csv_cells import safe_row
from loader.validation import (
    AKG,
    SH_NS,
    ValidationReport,
    ValidationResultItem,
    result_iri,
    results_as_quads,
)

CSV_COLUMNS = (
    "file", "line", "pointer", "index", "algorithm_id", "record", "field", "field_nl", "field_en", "severity",
    "value", "value_type", "expected_nl", "expected_en", "nearest", "message_nl", "message_en", "shape",
    "component", "path", "focus",
)  # fmt: skip
REPORT_GRAPH = "https://w3id.org/algokg/graph/validation/report"
_SHOWN = 80  # characters of a long value shown in the text report
_WORDS = {
    "nl": {"line": "regel", "record": "record", "algorithm": "algoritme", "found": "gevonden", "nothing": "niets",
           "expected": "verwacht", "nearest": "bedoelt u", "characters": "tekens", "whole": "de registratie",
           "Violation": "fout", "Warning": "waarschuwing", "Info": "info",
           "none": "Geen resultaten: alle registraties voldoen aan {profiles}.",
           "summary": "fouten: {Violation}, waarschuwingen: {Warning}, registraties met resultaten: {records}"},
    "en": {"line": "line", "record": "record", "algorithm": "algorithm", "found": "found", "nothing": "nothing",
           "expected": "expected", "nearest": "did you mean", "characters": "characters", "whole": "the record",
           "Violation": "violation", "Warning": "warning", "Info": "info",
           "none": "No results: every record conforms to {profiles}.",
           "summary": "violations: {Violation}, warnings: {Warning}, records with results: {records}"},
}  # fmt: skip
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD_BOOLEAN = NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_ABSENCE = ("MinCountConstraintComponent", "OrConstraintComponent")  # a missing value: "found nothing"


def _records(report: ValidationReport) -> Iterator[list[ValidationResultItem]]:
    for _, items in groupby(report.results, key=ValidationResultItem.record_key):
        yield list(items)


def _fields(items: list[ValidationResultItem]) -> Iterator[list[ValidationResultItem]]:
    for _, group in groupby(items, key=lambda item: item.field or ""):
        yield list(group)


def _where(item: ValidationResultItem, language: str) -> str:
    """``export.csv, regel 7 — algoritme 12345678``; the focus node when no record links to it."""
    words = _WORDS[language]
    if item.record is None:
        return item.focus
    if item.line:
        where = f"{words['line']} {item.line}"
    else:
        where = item.pointer or (f"{words['record']} {item.index}" if item.index else "")
    head = ", ".join(part for part in (item.file, where) if part) or item.record
    return f"{head} — {words['algorithm']} {item.algorithm_id}" if item.algorithm_id else head


def _shown(item: ValidationResultItem, language: str) -> str:
    words = _WORDS[language]
    if item.value is None:
        return words["nothing"]
    if item.value_type in ("iri", "bnode"):
        return f"<{item.value}>" if item.value_type == "iri" else item.value
    if len(item.value) > _SHOWN:
        return f"'{item.value[:_SHOWN]}…' ({len(item.value)} {words['characters']})"
    return repr(item.value)


def _details(item: ValidationResultItem, language: str) -> str:
    words = _WORDS[language]
    parts = []
    if item.value is not None or item.component.endswith(_ABSENCE):
        parts.append(f"{words['found']}: {_shown(item, language)}")
    expected = item.expected_nl if language == "nl" else item.expected_en
    if expected:
        parts.append(f"{words['expected']}: {expected}")
    if item.nearest is not None:
        parts.append(f"{words['nearest']}: {item.nearest!r}?")
    return "; ".join(parts)


def render_text(report: ValidationReport, *, language: str = "en") -> str:
    """Plain text in Dutch (``nl``) or English (``en``): per record its fields, per field its results.

    >>> render_text(ValidationReport(conforms=True, profiles=("integrity",)), language="nl")
    'Geen resultaten: alle registraties voldoen aan integrity.'
    """
    words = _WORDS[language]
    if not report.results:
        return words["none"].format(profiles=", ".join(report.profiles))
    lines = []
    for items in _records(report):
        lines.append(_where(items[0], language))
        for group in _fields(items):
            title = group[0].field_nl if language == "nl" else group[0].field_en
            lines.append(f"  {title} ({group[0].field})" if group[0].field else f"  ({words['whole']})")
            for item in group:
                lines.append(f"    {words[item.severity]}: {item.message_nl if language == 'nl' else item.message_en}")
                if details := _details(item, language):
                    lines.append(f"      {details}")
    counts = {severity: report.count(severity) for severity in ("Violation", "Warning")}
    records = len({item.record_key() for item in report.results})
    return "\n".join([*lines, words["summary"].format(records=records, **counts)])


def _result_json(item: ValidationResultItem) -> dict[str, Any]:
    keep = ("severity", "value", "value_type", "expected_nl", "expected_en", "nearest", "message_nl", "message_en")
    return {
        **{key: getattr(item, key) for key in keep},
        "shape": item.shape,
        "component": item.component,
        "path": list(item.path),
        "focus": item.focus,
    }


def render_json(report: ValidationReport) -> str:
    """JSON: ``{"conforms", "profiles", "counts", "records": [{location, "fields": [{field, "results"}]}]}``."""
    records = []
    for items in _records(report):
        head = items[0]
        location = {key: getattr(head, key) for key in ("file", "line", "pointer", "index", "algorithm_id", "record")}
        fields = [
            {
                "field": group[0].field,
                "field_nl": group[0].field_nl,
                "field_en": group[0].field_en,
                "results": [_result_json(item) for item in group],
            }
            for group in _fields(items)
        ]
        records.append({**location, "fields": fields})
    counts = {severity: report.count(severity) for severity in ("Violation", "Warning", "Info")}
    document = {"conforms": report.conforms, "profiles": list(report.profiles), "counts": counts, "records": records}
    return json.dumps(document, indent=2, ensure_ascii=False)


def render_csv(report: ValidationReport) -> str:
    """CSV, one row per result, columns :data:`CSV_COLUMNS`; ``path`` is its predicates separated by spaces."""
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for item in report.results:
        writer.writerow(safe_row({**asdict(item), "path": " ".join(item.path)}))  # no formulas for spreadsheets
    return handle.getvalue()


def _location_triples(report: ValidationReport) -> Iterator[Triple]:
    """Where each record is (akg:sourceFile …) and the data's links from the record to a result's focus node."""
    for item in report.results:
        if item.record is None or item.record.startswith("_:"):
            continue
        record = NamedNode(item.record)
        for name, value in (
            ("sourceFile", item.file),
            ("sourceLine", item.line),
            ("sourcePointer", item.pointer),
            ("sourceIndex", item.index),
        ):
            if value is not None:
                typed = {"datatype": _XSD_INTEGER} if isinstance(value, int) else {}
                yield Triple(record, NamedNode(AKG + name), Literal(str(value), **typed))
        for subject, predicate, obj in item.record_path:
            if not subject.startswith("_:") and not obj.startswith("_:"):
                yield Triple(NamedNode(subject), NamedNode(predicate), NamedNode(obj))


def render_turtle(report: ValidationReport, *, graph: str = REPORT_GRAPH) -> str:
    """A SHACL ``sh:ValidationReport`` named ``graph`` (results as :func:`results_as_quads` stores them in it)
    plus where the records are: their akg:sourceFile/Line/Pointer/Index and the links to nested focus nodes."""
    node = NamedNode(graph)
    triples = {quad.triple for quad in results_as_quads(report, node)}
    triples |= set(_location_triples(report))
    triples.add(Triple(node, NamedNode(_RDF + "type"), NamedNode(SH_NS + "ValidationReport")))
    triples.add(
        Triple(node, NamedNode(SH_NS + "conforms"), Literal(str(report.conforms).lower(), datatype=_XSD_BOOLEAN))
    )
    triples |= {Triple(node, NamedNode(SH_NS + "result"), result_iri(item, node)) for item in report.results}
    prefixes = {"sh": SH_NS, "akg": AKG, "rdf": _RDF}
    return (serialize(sorted(triples, key=str), format=RdfFormat.TURTLE, prefixes=prefixes) or b"").decode("utf-8")


def merge(reports: Iterable[ValidationReport]) -> ValidationReport:
    """One report for several sources (a load of several files), in the sources' order."""
    parts = list(reports)
    profiles = tuple(dict.fromkeys(profile for part in parts for profile in part.profiles))
    results = [item for part in parts for item in part.results]
    return ValidationReport(conforms=all(part.conforms for part in parts), results=results, profiles=profiles)


def render(report: ValidationReport, report_format: str, *, language: str = "en") -> str:
    """The report as ``text`` (in ``language``), ``json``, ``csv`` or ``turtle``."""
    if report_format == "text":
        return render_text(report, language=language)
    return {"json": render_json, "csv": render_csv, "turtle": render_turtle}[report_format](report)
