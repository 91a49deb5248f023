"""Make a query written for the embedded pyoxigraph store runnable on a remote store.

Three things only pyoxigraph offers in-process, each rewritten into standard SPARQL 1.1:
- **substitutions** (parameters bound as terms): the variable is replaced by the term everywhere, in the
  projection as `(term AS ?v)` and in GROUP BY / ORDER BY as `(term)` — what binding it up front means;
- **LATERAL** (SEP-0006, where the store lacks it): `A LATERAL { B }` becomes `A B` in the same group, which
  gives the same solutions for the groups our queries use it with (required patterns, OPTIONAL, BIND, FILTER),
  only planned differently;
- **akg:textScore(?x, q)** (the full-text index lives beside the API, not in the store): the scores are computed
  here and sent as inline data — `FILTER (akg:textScore(?x, q) > 0)` becomes `VALUES ?x { matches }`,
  `BIND (akg:textScore(?x, q) AS ?s)` an OPTIONAL VALUES with 0.0 for the rest (as the function gives).
"""

import json
import re
from collections.abc import Callable, Mapping

from pyoxigraph import BlankNode, Literal, NamedNode

from sparql_api import query_scan

Term = NamedNode | BlankNode | Literal
Scores = Callable[[str], Mapping[str, float]]  # words → entity (IRI or name) → score

_TEXT_SCORE = (
    r"(?:akg:textScore|<https://w3id\.org/algokg/def#textScore>)\s*\(\s*([?$]\w+)\s*,\s*"
    r'([?$]\w+|"(?:[^"\\]|\\.)*")\s*\)'
)
_SCORE_FILTER = re.compile(rf"FILTER\s*\(\s*{_TEXT_SCORE}\s*>\s*0(?:\.0*)?\s*\)", re.IGNORECASE)
_SCORE_BIND = re.compile(rf"BIND\s*\(\s*{_TEXT_SCORE}\s+AS\s+([?$]\w+)\s*\)", re.IGNORECASE)
_ANY_SCORE = re.compile(r"(?:akg:textScore|<https://w3id\.org/algokg/def#textScore>)\s*\(")
_XSD_DOUBLE = "<http://www.w3.org/2001/XMLSchema#double>"
_VALUES_BLOCK = 500
_KINDS = {"pname": "word", "langtag": "word", "number": "word"}
_CLAUSE_ENDS = {"WHERE", "FROM", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES", "GROUP"}


class UnsupportedRemotely(ValueError):
    """The query uses something the remote store cannot run and no rewrite covers."""


def _tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text) by the query gate's tokeniser, so the rewrites see strings, IRIs and comments where the gate
    did; prefixed names, language tags and numbers are all "word" here."""
    return [(_KINDS.get(token.kind, token.kind), token.text) for token in query_scan.tokens(query)]


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these keywords outside strings, IRIs and comments."""
    forms = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
    return next((t.upper() for k, t in _tokens(query) if k == "word" and t.upper() in forms), "SELECT")


def strip_comments(query: str) -> str:
    return "".join(text if kind != "comment" else "" for kind, text in _tokens(query))


def bind_parameters(query: str, substitutions: Mapping[str, Term]) -> str:
    """The query with each substituted variable bound to its term (see the module docstring).

    In patterns and expressions the variable becomes the term. Where a variable must stay a variable — the
    projection, GROUP BY, ORDER BY, the target of AS — it stays, and the WHERE group of the (sub)query that
    projects it starts with `BIND (term AS ?v)`: bound before anything else, as the embedded store binds it.
    (A trailing `VALUES` would say the same, but Virtuoso drops every solution with it.)
    """
    if not substitutions:
        return query
    terms = {name: str(term) for name, term in substitutions.items()}
    tokens = _tokens(query)
    occurring = [name for name in terms if any(k == "var" and t[1:] == name for k, t in tokens)]
    out: list[str] = []
    clause: str | None = None  # "select", "group", "order": where the variable itself must stay
    parens = 0
    previous = ""
    projected: list[str] | None = None  # the substituted variables the SELECT being read projects
    for kind, text in tokens:
        upper = text.upper() if kind == "word" else ""
        if upper == "SELECT":
            clause, parens, projected = "select", 0, []
        elif upper == "BY" and previous in ("GROUP", "ORDER"):
            clause, parens = previous.lower(), 0
        elif parens == 0 and (upper in _CLAUSE_ENDS or text == "{"):
            clause = None
        if kind == "other" and text in "()":
            parens += 1 if text == "(" else -1
        elif kind == "other" and text == "*" and projected is not None and clause == "select" and parens == 0:
            projected += [name for name in occurring if name not in projected]
        name = text[1:] if kind == "var" else ""
        if name in terms:
            keep = previous == "AS" or (clause in ("select", "group", "order") and parens == 0)
            if keep and clause == "select" and projected is not None and name not in projected:
                projected.append(name)
            out.append(text if keep else terms[name])
        else:
            out.append(text)
        if kind == "other" and text == "{" and projected is not None:
            # The WHERE group of the SELECT just read: bind what it projects first.
            out.append("".join(f" BIND ({terms[n]} AS ?{n})" for n in projected))
            projected = None
        if kind not in ("space", "comment"):
            previous = upper or text
    return "".join(out)


def unwrap_lateral(query: str) -> str:
    """`A LATERAL { B }` → `A . B` (braces of the LATERAL group removed, its content kept in place)."""
    tokens = _tokens(query)
    drop: set[int] = set()
    dots: set[int] = set()  # LATERALs after a pattern: a "." ends that pattern's triples block
    previous = "{"
    for index, (kind, text) in enumerate(tokens):
        if kind in ("space", "comment") or index in drop:
            continue  # a dropped brace of an earlier LATERAL does not end a pattern
        if kind != "word" or text.upper() != "LATERAL":
            previous = text
            continue
        if previous not in ("{", "."):
            dots.add(index)
        opening = next((i for i in range(index + 1, len(tokens)) if tokens[i][0] not in ("space", "comment")), None)
        if opening is None or tokens[opening][1] != "{":
            raise UnsupportedRemotely("LATERAL must be followed by a group { … }")
        depth, closing = 0, None
        for i in range(opening, len(tokens)):
            if tokens[i][0] == "other" and tokens[i][1] in "{}":
                depth += 1 if tokens[i][1] == "{" else -1
                if depth == 0:
                    closing = i
                    break
        if closing is None:
            raise UnsupportedRemotely("LATERAL group without its closing brace")
        drop |= {index, opening, closing}
    return "".join(" . " if i in dots else " " if i in drop else text for i, (_, text) in enumerate(tokens))


def inline_text_scores(
    query: str, substitutions: Mapping[str, Term], scores: Scores, *, block: int = _VALUES_BLOCK
) -> str:
    """Replace the two supported uses of akg:textScore by inline data from the local full-text index.

    :param block: the most rows one VALUES gets (more become a UNION of VALUES blocks).
    """
    if "textscore" not in query.lower():
        return query
    query = strip_comments(query)

    def words(argument: str) -> str:
        if argument[0] in "?$":
            term = substitutions.get(argument[1:])
            if not isinstance(term, Literal):
                raise UnsupportedRemotely(f"akg:textScore needs its words bound: {argument} is not a given literal")
            return term.value
        return str(json.loads(argument))  # a double-quoted SPARQL string escapes as JSON does

    def entity(key: str) -> str:
        return f"<{key}>" if re.match(r"^(https?|urn):", key) else str(Literal(key))

    def as_filter(match: re.Match[str]) -> str:
        found = sorted(entity(key) for key, score in scores(words(match[2])).items() if score > 0)
        return _inline(match[1], found, block)

    counter = iter(range(1_000_000))
    # Where the query also keeps only matches of the same words (as the REST list does when sorting by
    # relevance), the scores join directly: large OPTIONAL inline data is slow on Virtuoso.
    filtered = {(m[1], words(m[2])) for m in _SCORE_FILTER.finditer(query)}

    def as_bind(match: re.Match[str]) -> str:
        variable, target = match[1], match[3]
        found = scores(words(match[2]))
        if (variable, words(match[2])) in filtered:
            rows = [f'({entity(k)} "{v}"^^{_XSD_DOUBLE})' for k, v in sorted(found.items()) if v > 0]
            return _inline(f"({variable} {target})", rows, block)
        temporary = f"?textScore_{next(counter)}"
        rows = [f'({entity(k)} "{v}"^^{_XSD_DOUBLE})' for k, v in sorted(found.items())]
        return (
            f"OPTIONAL {{ {_inline(f'({variable} {temporary})', rows, block)} }} "
            f'BIND (COALESCE({temporary}, "0.0"^^{_XSD_DOUBLE}) AS {target})'
        )

    query = _SCORE_BIND.sub(as_bind, _SCORE_FILTER.sub(as_filter, query))
    if _ANY_SCORE.search(query):
        raise UnsupportedRemotely(
            "on a remote store akg:textScore works in FILTER (akg:textScore(?x, words) > 0) and "
            "BIND (akg:textScore(?x, words) AS ?score) only"
        )
    return query


def _inline(variables: str, rows: list[str], block: int) -> str:
    """`VALUES variables { rows }`, as a UNION of blocks of at most `block` rows: the same solutions, and
    Virtuoso refuses one VALUES with a few thousand rows ("too many arguments")."""
    if len(rows) <= block:
        return f"VALUES {variables} {{ {' '.join(rows)} }}"
    blocks = [rows[i : i + block] for i in range(0, len(rows), block)]
    return " UNION ".join(f"{{ VALUES {variables} {{ {' '.join(block)} }} }}" for block in blocks)


__all__ = [
    "UnsupportedRemotely",
    "bind_parameters",
    "inline_text_scores",
    "query_form",
    "strip_comments",
    "unwrap_lateral",
]
