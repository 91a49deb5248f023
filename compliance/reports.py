"""Supervisor reports: per organisation or for all, what a supervisor asks first, each finding with its SPARQL.

- ``fria-missing``: public deployers of Annex III systems without a FRIA (Art 27(1) AI Act);
- ``assessment-gaps``: high-risk or impactful algorithms without an IAMA, a DPIA or a statutory basis;
- ``stale-law-links``: statutory bases citing a law version older than the current one (where algokg knows it);
- ``obligations-due``: AI Act obligations whose governing date falls within the next N months
  (:mod:`compliance.obligations`);
- ``aiact-disagreement``: algorithms whose classification with the decision tree and declared AI Act category
  differ (:mod:`compliance.position`).

The rules are SPARQL files (``queries/compliance/report-*.rq``); this module binds the parameters as RDF terms
(never pasting them into the text), runs the queries through a :data:`Select` function (a pyoxigraph store for
the command line, the server's ``QueryService`` for the API and the pages) and turns rows into findings. Every
finding carries the queries that produced it: the text as it ran and the terms bound to its variables.
"""

import calendar
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

from pyoxigraph import Literal, NamedNode

from compliance.obligations import obligations_for
from compliance.position import positions
from compliance.report_definitions import REPORTS, ReportDefinition
from compliance.sparql import Row, Select, Term, compliance_query, store_select
from compliance.wording import category, classified_category
from loader.csv_cells import csv_table
from loader.errors import AlgokgError

__all__ = [
    "REPORTS",
    "Finding",
    "QueryUsed",
    "Report",
    "ReportDefinition",
    "ReportError",
    "Select",
    "add_months",
    "csv_text",
    "render_text",
    "report_query",
    "run_report",
    "run_reports",
    "store_select",
]

AKG = "https://w3id.org/algokg/def#"
STATUTORY_BASIS = f"{AKG}StatutoryBasis"
FRIA = "https://w3id.org/algokg/id/assessment-instrument/fria"
_SCOPE_MARKER = re.compile(r"^#@scope\s*$", re.MULTILINE)
_LAW_MARKER = re.compile(r"^#@lawScope\s*$", re.MULTILINE)
_BWB = re.compile(r"^BWB[RV]\d{7}(/\S*)?$")
LAW_IRI = "https://w3id.org/algokg/id/law/bwb/"  # a BWB id's law (or `BWBR…/artikel/…`) in algokg
DEFAULT_MONTHS = 6


class ReportError(AlgokgError):
    """An unknown report or a parameter out of range."""


@dataclass(frozen=True)
class QueryUsed:
    """A query as it ran: its file in ``queries/compliance``, its text and the terms bound to its variables
    (in N-Triples notation)."""

    query: str
    text: str
    bindings: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "text": self.text, "bindings": dict(self.bindings)}


@dataclass(frozen=True)
class Finding:
    """One finding of a report about one algorithm.

    :param kind: what is found, per report: ``fria``, ``iama``, ``dpia``, ``statutory-basis``, ``stale-link`` or
        the obligation's slug (``aiact-art-27``).
    :param subject: the IRI the finding is about besides the algorithm (the missing instrument, the statutory
        basis, the obligation), if any.
    :param details: report-specific values (IRIs, dates, reasons), all strings.
    :param sparql: the queries that produced the finding.
    """

    report: str
    algorithm: str
    kind: str
    title: str | None = None
    organisation: str | None = None
    organisation_name: str | None = None
    subject: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    sparql: tuple[QueryUsed, ...] = ()

    @property
    def algorithm_id(self) -> str:
        return self.algorithm.rsplit("/", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "@type": "Finding",
            "report": self.report,
            "algorithm": self.algorithm,
            "algorithmId": self.algorithm_id,
            "title": self.title,
            "organisation": self.organisation,
            "organisationName": self.organisation_name,
            "kind": self.kind,
            "subject": self.subject,
            **dict(self.details),
            "sparql": [query.to_json() for query in self.sparql],
        }
        return {key: value for key, value in body.items() if value is not None}

    def row(self) -> dict[str, str | None]:
        """One CSV row: the finding's fields, its details, and its queries (names, bindings, texts)."""
        return {
            "report": self.report,
            "algorithm": self.algorithm,
            "algorithm_id": self.algorithm_id,
            "title": self.title,
            "organisation": self.organisation,
            "organisation_name": self.organisation_name,
            "kind": self.kind,
            "subject": self.subject,
            **{_snake(name): value for name, value in self.details.items()},
            "sparql_queries": " ".join(query.query for query in self.sparql),
            "sparql_bindings": json.dumps([dict(query.bindings) for query in self.sparql], ensure_ascii=False),
            "sparql_text": "\n\n".join(query.text for query in self.sparql),
        }


@dataclass(frozen=True)
class Report:
    """A report's findings for one organisation (or all), with the parameters it ran with and notes."""

    definition: ReportDefinition
    organisation: str | None
    parameters: Mapping[str, str]
    findings: tuple[Finding, ...]
    notes: Mapping[str, str] = field(default_factory=dict)
    sparql: tuple[QueryUsed, ...] = ()

    @property
    def name(self) -> str:
        return self.definition.name

    def to_json(self, language: str = "en") -> dict[str, Any]:
        return {
            "@type": "SupervisorReport",
            **self.definition.to_json(language),
            "organisation": self.organisation,
            "parameters": dict(self.parameters),
            "notes": dict(self.notes),
            "totalItems": len(self.findings),
            "member": [finding.to_json() for finding in self.findings],
            "sparql": [query.to_json() for query in self.sparql],
        }


# -- queries ----------------------------------------------------------------------------------------------------


@cache
def _scope_block() -> str:
    """The filter lines of ``report-scope.rq`` (its comments stay in the file)."""
    lines = compliance_query("report-scope").splitlines()
    return "\n".join(line for line in lines if line.strip() and not line.lstrip().startswith("#"))


@cache
def _law_scope_block() -> str:
    """The filter lines of ``report-law-scope.rq``."""
    lines = compliance_query("report-law-scope").splitlines()
    return "\n".join(line for line in lines if line.strip() and not line.lstrip().startswith("#"))


def report_query(name: str, *, scoped: bool, law_scoped: bool = False) -> str:
    """``queries/compliance/{name}.rq`` with its ``#@scope`` line replaced by the organisation filter and its
    ``#@lawScope`` line by the law filter, or removed."""
    text = _SCOPE_MARKER.sub(lambda _: _scope_block() if scoped else "", compliance_query(name))
    return _LAW_MARKER.sub(lambda _: _law_scope_block() if law_scoped else "", text)


def law_term(law: str | None) -> NamedNode | None:
    """The term a law parameter binds ``?lawScope`` to: an IRI, or a BWB id (``BWBR0033715``, also
    ``BWBR0033715/artikel/2.67``) as algokg's law IRI.

    :raises ReportError: neither.
    """
    if law is None or not law.strip():
        return None
    law = law.strip()
    shown = law if len(law) <= 200 else law[:200] + "…"
    if _BWB.match(law):
        law = LAW_IRI + law
    elif not re.match(r"^[a-z][a-z0-9+.-]*://\S+$", law, re.I):
        raise ReportError(f"law {shown!r}: give a law or article IRI or a BWB id such as BWBR0033715", field="law")
    try:
        return NamedNode(law)
    except ValueError:
        raise ReportError(f"law {shown!r} is not a valid IRI", field="law") from None


def scope_term(organisation: str | None) -> Term | None:
    """The term an organisation parameter binds ``?scope`` to: an IRI, or the name as published.

    :raises ReportError: it looks like an IRI (``scheme://…``) but is not a valid one.
    """
    if organisation is None or not organisation.strip():
        return None
    organisation = organisation.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://\S+$", organisation, re.I):
        return Literal(organisation)
    try:
        return NamedNode(organisation)
    except ValueError:
        shown = organisation if len(organisation) <= 200 else organisation[:200] + "…"
        raise ReportError(
            f"organisation {shown!r} is not a valid IRI: give a TOOI IRI or the organisation's name as published",
            field="organisation",
        ) from None


def _shown(query: str, text: str, bindings: Mapping[str, Term]) -> QueryUsed:
    return QueryUsed(f"compliance/{query}.rq", text, {name: str(term) for name, term in bindings.items()})


def _run(select: Select, name: str, scope: Term | None, law: Term | None = None) -> tuple[list[Row], QueryUsed]:
    text = report_query(name, scoped=scope is not None, law_scoped=law is not None)
    bindings = {"scope": scope} if scope is not None else {}
    if law is not None:
        bindings["lawScope"] = law
    return list(select(text, bindings)), _shown(name, text, bindings)


# -- running ----------------------------------------------------------------------------------------------------


def run_report(
    select: Select,
    name: str,
    *,
    organisation: str | None = None,
    months: int = DEFAULT_MONTHS,
    on: date | None = None,
    language: str = "en",
    law: str | None = None,
) -> Report:
    """Run one report.

    :param organisation: a TOOI IRI or the organisation's name as published; None for all organisations.
    :param law: a law or article (IRI or BWB id): only algorithms relying on it or a part of it; only for the
        reports that take a law (``law`` in their parameters); None for all. With ``organisation``: both hold.
    :param months: ``obligations-due``: how far ahead to look (1 to 120).
    :param on: ``obligations-due``: the reference day (default today).
    :raises ReportError: an unknown report or months out of range.
    """
    if name not in REPORTS:
        raise ReportError(f"unknown report {name!r}; known: {', '.join(REPORTS)}", field="report")
    definition = REPORTS[name]
    scope = scope_term(organisation)
    parameters = {"organisation": organisation.strip()} if scope is not None and organisation else {}
    law_scope = law_term(law)
    if law_scope is not None:
        if "law" not in definition.parameters:
            takes = ", ".join(n for n, d in REPORTS.items() if "law" in d.parameters)
            raise ReportError(f"report {name!r} does not take a law; these do: {takes}", field="law")
        parameters["law"] = law_scope.value
    if name == "obligations-due":
        if not 1 <= months <= 120:
            raise ReportError(f"months must be between 1 and 120, not {months}", field="months")
        day = on or date.today()
        parameters |= {"months": str(months), "on": day.isoformat(), "until": add_months(day, months).isoformat()}
        findings, shown = _obligations_due(select, scope, day, months, language)
        return Report(definition, parameters.get("organisation"), parameters, findings, {}, shown)
    rows, shown = _run(select, definition.queries[0], scope, law_scope)
    findings = tuple(_BUILDERS[name](rows, shown, language))
    notes: dict[str, str] = {}
    queries = [shown]
    if name == "stale-law-links":
        counted, unchecked = _run(select, "report-law-links-unchecked", scope)
        notes["uncheckedLinks"] = counted[0]["unchecked"].value if counted and "unchecked" in counted[0] else "0"
        queries.append(unchecked)
    if name == "fria-missing":
        notes["presumed"] = str(sum(1 for finding in findings if finding.details.get("basis") == "presumed"))
    return Report(definition, parameters.get("organisation"), parameters, findings, notes, tuple(queries))


def run_reports(select: Select, names: Iterable[str] | None = None, **options: Any) -> list[Report]:
    """Run several reports (all when ``names`` is None; with a ``law``, all that take one) with the same options."""
    if names is None:
        names = [
            name for name, definition in REPORTS.items() if not options.get("law") or "law" in definition.parameters
        ]
    return [run_report(select, name, **options) for name in names]


def _value(row: Row, name: str) -> str | None:
    term = row.get(name)
    return None if term is None else term.value


class _Grouped:
    """Rows of one finding (the same algorithm, kind and subject) merged: per language the smallest title, the
    smallest organisation and name, values joined. Smallest, not first: stores return rows in any order, and the
    same data must give the same report (embedded and remote alike)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.found: dict[tuple[str, ...], dict[str, Any]] = {}

    def add(self, key: tuple[str, ...], row: Row, **details: str | None) -> None:
        entry = self.found.setdefault(key, {"titles": {}, "details": {}, "names": {}})
        if (title := row.get("title")) is not None:
            language = getattr(title, "language", None) or ""
            known = entry["titles"].get(language)
            entry["titles"][language] = title.value if known is None else min(known, title.value)
        for name in ("organisation", "organisationName"):
            if (value := _value(row, name)) is not None:
                known = entry["names"].get(name)
                entry["names"][name] = value if known is None else min(known, value)
        for name, value in details.items():
            if value is not None:
                values = entry["details"].setdefault(name, [])
                if value not in values:
                    values.append(value)

    def findings(self, report: str, shown: QueryUsed) -> Iterable[Finding]:
        for key, entry in self.found.items():
            titles: dict[str, str] = entry["titles"]
            title = titles.get(self.language) or next((titles[k] for k in sorted(titles)), None)
            yield Finding(
                report=report,
                algorithm=key[0],
                kind=key[1],
                subject=key[2] or None,
                title=title,
                organisation=entry["names"].get("organisation"),
                organisation_name=entry["names"].get("organisationName"),
                details={name: " ".join(sorted(values)) for name, values in entry["details"].items()},
                sparql=(shown,),
            )


def _fria_missing(rows: Sequence[Row], shown: QueryUsed, language: str) -> Iterable[Finding]:
    grouped = _Grouped(language)
    for row in rows:
        algorithm = _value(row, "algorithm") or ""
        # The deployer: the public role holder, or (presumed) the publishing organisation.
        holder = _value(row, "holder") or _value(row, "organisation") or _value(row, "organisationName") or ""
        grouped.add(
            (algorithm, "fria", FRIA, holder),
            row,
            deployer=holder or None,
            basis=_value(row, "basis"),
            annexIIIPoint=_value(row, "point"),
            reason=_value(row, "reason"),
        )
    return grouped.findings("fria-missing", shown)


def _assessment_gaps(rows: Sequence[Row], shown: QueryUsed, language: str) -> Iterable[Finding]:
    grouped = _Grouped(language)
    for row in rows:
        missing = _value(row, "missing") or ""
        kind = "statutory-basis" if missing == STATUTORY_BASIS else missing.rsplit("/", 1)[-1]
        grouped.add(
            (_value(row, "algorithm") or "", kind, missing), row, why=_value(row, "why"), reason=_value(row, "reason")
        )
    return grouped.findings("assessment-gaps", shown)


def _stale_law_links(rows: Sequence[Row], shown: QueryUsed, language: str) -> Iterable[Finding]:
    grouped = _Grouped(language)
    for row in rows:
        grouped.add(
            (_value(row, "algorithm") or "", "stale-link", _value(row, "basis") or ""),
            row,
            link=_value(row, "link"),
            cited=_value(row, "cited"),
            citedVersionDate=_value(row, "citedVersionDate"),
            law=_value(row, "law"),
            currentVersion=_value(row, "currentVersion"),
        )
    return grouped.findings("stale-law-links", shown)


def _aiact_disagreement(rows: Sequence[Row], shown: QueryUsed, language: str) -> Iterable[Finding]:
    """One finding per algorithm whose classification and declared category differ (compliance.position's rule)."""
    grouped = _Grouped(language)
    for row in rows:
        grouped.add((_value(row, "algorithm") or "", "aiact-disagreement", _value(row, "position") or ""), row)
    found = positions(rows, ())
    for finding in grouped.findings("aiact-disagreement", shown):
        position = found.get(finding.algorithm)
        if position is None or position.classified is None or not position.disagrees:
            continue
        declared = category(position.declared_levels, (), language)
        classified = classified_category(position.levels, position.classified.conclusion_id, (), language)
        saying = (
            "het register zegt “{}”, de classificatie zegt “{}”"
            if language == "nl"
            else "the register says “{}”, the classification says “{}”"
        )
        details = {
            "text": saying.format(declared, classified),
            "declared": " ".join(position.declared_levels),
            "classified": " ".join(position.levels),
            "conclusion": position.classified.conclusion_id,
            "answeredBy": position.classified.answered_by,
            "answeredAt": position.classified.classified_at,
        }
        yield replace(finding, details={key: value for key, value in details.items() if value})


_BUILDERS: dict[str, Callable[[Sequence[Row], QueryUsed, str], Iterable[Finding]]] = {
    "aiact-disagreement": _aiact_disagreement,
    "fria-missing": _fria_missing,
    "assessment-gaps": _assessment_gaps,
    "stale-law-links": _stale_law_links,
}


# -- obligations due --------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the last day of a shorter month when needed)."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _obligations_due(
    select: Select, scope: Term | None, day: date, months: int, language: str
) -> tuple[tuple[Finding, ...], tuple[QueryUsed, ...]]:
    until = add_months(day, months)
    rows, shown = _run(select, "report-obligation-candidates", scope)
    candidates = _Grouped(language)
    for row in rows:
        candidates.add((_value(row, "algorithm") or "", "", ""), row)
    found: list[Finding] = []
    model: dict[Any, tuple[Any, ...]] = {}  # each obligation's label, articles and dates, read once for all
    for candidate in candidates.findings("obligations-due", shown):
        algorithm = NamedNode(candidate.algorithm)
        for item in obligations_for(select, algorithm, language=language, model=model):
            if item.applies_from is None or not day <= item.applies_from <= until:
                continue
            obligation, lang = NamedNode(item.iri), Literal(language)
            found.append(
                Finding(
                    report="obligations-due",
                    algorithm=candidate.algorithm,
                    kind=item.slug,
                    title=candidate.title,
                    organisation=candidate.organisation,
                    organisation_name=candidate.organisation_name,
                    subject=item.iri,
                    details=_without_none(
                        {
                            "label": item.label,
                            "role": item.role,
                            "roleHolders": " ".join(item.role_holders),
                            "appliesFrom": item.applies_from.isoformat(),
                            "statedIn": " ".join(
                                sorted({d.stated_in for d in item.dates if d.in_force and d.stated_in})
                            ),
                            "articles": " ".join(article.iri for article in item.articles),
                        }
                    ),
                    sparql=(
                        shown,
                        _shown("obligations", compliance_query("obligations"), {"algorithm": algorithm}),
                        _shown(
                            "obligation-dates",
                            compliance_query("obligation-dates"),
                            {"obligation": obligation, "lang": lang},
                        ),
                    ),
                )
            )
    found.sort(key=lambda finding: (finding.details.get("appliesFrom", ""), finding.algorithm, finding.kind))
    return tuple(found), (shown,)


def _without_none(values: Mapping[str, str | None]) -> dict[str, str]:
    return {name: value for name, value in values.items() if value}


# -- output -----------------------------------------------------------------------------------------------------


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def csv_text(reports: Iterable[Report]) -> str:
    """All findings of the reports as one CSV table (columns: the union of the findings' fields)."""
    rows = [finding.row() for report in reports for finding in report.findings]
    base = list(Finding("", "", "").row())
    fixed, queries = (
        [key for key in base if not key.startswith("sparql_")],
        [k for k in base if k.startswith("sparql_")],
    )
    columns = fixed + [key for key in dict.fromkeys(k for row in rows for k in row) if key not in base] + queries
    return csv_table(columns, rows)  # cells a spreadsheet would evaluate are written as text


def render_text(reports: Iterable[Report], *, language: str = "en", sparql: bool = False) -> str:
    """What ``algokg report`` prints: per report its title, parameters and one block per finding."""
    lines: list[str] = []
    for report in reports:
        lines.append(f"{report.definition.title[language]}  [{report.name}]")
        settings = ", ".join(f"{name} {value}" for name, value in report.parameters.items())
        lines.append(f"  {len(report.findings)} findings" + (f" ({settings})" if settings else " (all organisations)"))
        for name, value in report.notes.items():
            lines.append(f"  {name}: {value}")
        for finding in report.findings:
            who = finding.organisation_name or finding.organisation or "?"
            lines.append(f"  {finding.algorithm_id}  {finding.kind}  {finding.title or ''}  ({who})".rstrip())
            for name, value in finding.details.items():
                lines.append(f"      {name}: {value}")
            if sparql:
                for query in finding.sparql:
                    bound = ", ".join(f"?{name} = {term}" for name, term in query.bindings.items())
                    lines.append(f"      sparql {query.query}" + (f" with {bound}" if bound else ""))
        if sparql:
            for query in report.sparql:
                lines.append(f"  -- {query.query}")
                lines.extend(f"  {line}" for line in query.text.splitlines())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
