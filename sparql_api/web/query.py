"""`/query`: the SPARQL query page.

Two editors. With the front-end build (`make web`: `@zazuko/yasgui` copied into `static/vendor/yasgui/`)
the page offers YASGUI, talking to this server's `/sparql` only. Without it, or with `?editor=plain`, the
project's own editor: a form (textarea + run button) that the server answers with a results table, the
error's line and column, or the timeout, and which works without JavaScript. Example queries are the
competency questions (`queries/competency/*.rq`); well-known prefixes the query uses but does not declare
are added before it runs (and the page says which).
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pyoxigraph import BlankNode, NamedNode, QueryResultsFormat, RdfFormat, parse

from queries import competency_files
from sparql_api.failures import failure_detail
from sparql_api.headers import YASGUI_POLICY
from sparql_api.linked_data import PREFIXES as LINKED_DATA_PREFIXES
from sparql_api.queries import QueryError, QueryService, QuerySyntaxError, QueryTimeout, WrongResultFormat
from sparql_api.query_gate import QueryGate, QueryRefused
from sparql_api.web.i18n import choose_language, translate
from sparql_api.web.render import render, yasgui_version

router = APIRouter(include_in_schema=False)

MAX_ROWS = 1000  # rows shown in the table; the page gives the exact count and a download of all
PREFIXES: dict[str, str] = {
    **LINKED_DATA_PREFIXES,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "tooi": "https://identifier.overheid.nl/tooi/def/ont/",
}
_DECLARED = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE | re.MULTILINE)
# A prefixed name's prefix: not inside an IRI or a string (those are blanked out first), not `http://`.
_USED = re.compile(r"(?<![\w<\"'?$:.-])([A-Za-z][\w-]*):(?!//)")
_BLANK_OUT = re.compile(r"<[^<>\s]*>|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*")


@dataclass(frozen=True)
class Example:
    name: str
    titles: dict[str, str]  # language -> the question
    text: str

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get("en") or self.name


@cache
def examples() -> tuple[Example, ...]:
    """The competency questions: file stem, the question (first comment line English, second Dutch), the query."""
    found = []
    for path in competency_files():
        text = path.read_text(encoding="utf-8")
        titles = dict(zip(("en", "nl"), _questions(text), strict=False))
        found.append(Example(path.stem, titles, text))
    return tuple(found)


def _questions(text: str) -> list[str]:
    """The questions at the top of a competency file: comment lines up to the first empty one, a question
    ending where a line ends with `?`, `.` or `)` (a question may wrap onto the next line)."""
    questions, current = [], []
    for line in text.splitlines():
        if not line.startswith("#") or not line.lstrip("# ").strip():
            break
        current.append(line.lstrip("# ").strip())
        if current[-1].endswith(("?", ".", ")")):
            questions.append(" ".join(current))
            current = []
    return questions


def missing_prefixes(query: str) -> list[str]:
    """Known prefixes the query uses without declaring them, in first-use order."""
    declared = {match[1] or "" for match in _DECLARED.finditer(query)}
    body = _BLANK_OUT.sub(lambda m: " " * len(m[0]), query)
    body = _DECLARED.sub("", body)
    used = dict.fromkeys(match[1] for match in _USED.finditer(body))
    return [name for name in used if name in PREFIXES and name not in declared]


def with_prefixes(query: str) -> tuple[str, list[str]]:
    """The query with the missing well-known PREFIX lines put first, and their names."""
    names = missing_prefixes(query)
    header = "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)
    return header + query, names


@dataclass(frozen=True)
class Cell:
    """One value in the results table: its text, a link for IRIs, a language tag."""

    text: str
    iri: str | None = None
    suffix: str = ""


@dataclass
class Result:
    """What a run gave: a table (SELECT, or triples of CONSTRUCT/DESCRIBE), a boolean (ASK) or an error."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    total: int = 0
    boolean: bool | None = None
    error: str | None = None
    error_kind: str | None = None  # syntax | refused (by the query gate) | timeout | failed
    line: int | None = None
    column: int | None = None
    added: list[str] = field(default_factory=list)
    graph: bool = False


def _cell(term: dict[str, str] | None) -> Cell:
    """A SPARQL JSON term as what the table shows."""
    if not term:
        return Cell("")
    if term.get("type") == "uri":
        return Cell(term["value"], iri=term["value"])
    if term.get("type") == "bnode":
        return Cell(f"_:{term['value']}")
    return Cell(term["value"], suffix=f"@{term['xml:lang']}" if "xml:lang" in term else "")


def _term_cell(term: object) -> Cell:
    if isinstance(term, NamedNode):
        return Cell(term.value, iri=term.value)
    if isinstance(term, BlankNode):
        return Cell(f"_:{term.value}")
    language = getattr(term, "language", None)
    return Cell(str(getattr(term, "value", term)), suffix=f"@{language}" if language else "")


def run_query(queries: QueryService, query: str, gate: QueryGate | None = None) -> Result:
    """Run the query typed in the plain editor; through `gate` first when given (the page is public)."""
    text, added = with_prefixes(query)
    result = Result(added=added)
    try:
        try:
            if gate is not None:
                text = gate.admit(text, base_iri=None, seconds=queries.timeout(None)).text
            body = queries.serialize(text, QueryResultsFormat.JSON, timeout=queries.timeout(None))
        except WrongResultFormat:
            body = queries.serialize(text, RdfFormat.N_TRIPLES, timeout=queries.timeout(None))
            triples = list(parse(body, format=RdfFormat.N_TRIPLES))
            result.graph, result.columns, result.total = True, ["subject", "predicate", "object"], len(triples)
            for triple in triples[:MAX_ROWS]:
                result.rows.append([_term_cell(term) for term in (triple.subject, triple.predicate, triple.object)])
            return result
    except QueryRefused as error:
        result.error, result.error_kind = error.detail, "refused"
        line = error.extra.get("line")
        result.line = line - len(added) if isinstance(line, int) and line > len(added) else line
        result.column = error.extra.get("column")
        return result
    except QuerySyntaxError as error:
        result.error, result.error_kind = error.message, "syntax"
        # Line numbers refer to the query as typed, not to the prefix lines added before it.
        result.line = error.line - len(added) if error.line is not None and error.line > len(added) else error.line
        result.column = error.column
        return result
    except QueryTimeout as error:
        result.error, result.error_kind = str(error), "timeout"
        return result
    except QueryError as error:  # the store's or a SERVICE endpoint's own words stay in the log
        result.error, result.error_kind = failure_detail(error, "/query"), "failed"
        return result
    answer = json.loads(body)
    if "boolean" in answer:
        result.boolean = bool(answer["boolean"])
        return result
    result.columns = list(answer.get("head", {}).get("vars", []))
    bindings = answer.get("results", {}).get("bindings", [])
    result.total = len(bindings)
    result.rows = [[_cell(row.get(name)) for name in result.columns] for row in bindings[:MAX_ROWS]]
    return result


@router.api_route("/query", methods=["GET", "HEAD"], response_class=HTMLResponse)
def query_page(request: Request, query: str = "", example: str = "", editor: str = "") -> Response:
    lang = choose_language(request)
    chosen = next((e for e in examples() if e.name == example), None)
    text = (
        query
        or (chosen.text if chosen else "")
        or (examples()[0].text if examples() else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    )
    yasgui = yasgui_version() if editor != "plain" else None
    # With YASGUI the browser runs the query against /sparql; the plain editor is answered here.
    gate = request.app.state.query_gate
    result = run_query(request.app.state.queries, query, gate) if query.strip() and yasgui is None else None
    status = 200
    if result is not None and result.error_kind in ("syntax", "refused"):
        status = 400
    elif result is not None and result.error_kind == "timeout":
        status = 503
    response = render(
        request,
        "query.html",
        status=status,
        title=translate(lang, "query.title"),
        text=text,
        ran=query,
        result=result,
        examples=examples(),
        chosen=chosen,
        yasgui=yasgui,
        yasgui_available=yasgui_version() is not None,
        prefixes=PREFIXES,
        max_rows=MAX_ROWS,
        sparql=[],
    )
    if yasgui:  # its table's column resizer writes <style> elements; scripts stay strict
        response.headers["Content-Security-Policy"] = YASGUI_POLICY
    return response
