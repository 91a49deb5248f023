"""Full-text search over the graph: one SQLite FTS5 index per store generation, ranked, typo-tolerant.

Oxigraph has no full-text search. The index holds algorithms (names, descriptions, search terms,
organisation and law titles), organisations and laws (`queries/rest/search-documents.rq`); it lives in
`{store}/search/gen-NNNNNN.sqlite`, is built on first use after a commit (into a temporary file renamed into
place, so readers never see half an index) and is therefore always in step with the generation answering.

Ranking is FTS5's bm25 with weights per field (name > law > organisation > description). Words are matched
with accents folded and case ignored; the last word also as a prefix; a word that is not in the index
vocabulary (a typo) is expanded to the vocabulary words within edit distance 1 (2 for words of 8+ letters),
found through a trigram index of the vocabulary; matches through such an expansion score half.

From SPARQL (the query workers pass `custom_functions(store_dir)` to pyoxigraph):

    PREFIX akg: <https://w3id.org/algokg/def#>
    PREFIX dct: <http://purl.org/dc/terms/>
    SELECT ?algorithm ?title ?score WHERE {
      ?algorithm a akg:Algorithm ; dct:title ?title .
      BIND (akg:textScore(?algorithm, "bijstand aanvraag") AS ?score)
      FILTER (?score > 0)
    } ORDER BY DESC(?score)

`akg:textScore(?entity, "words")` is an xsd:double: 0 when the entity does not match, higher is better.
"""

import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Store

from loader.store import current_path
from queries import rest_query

TEXT_SCORE = NamedNode("https://w3id.org/algokg/def#textScore")
XSD_DOUBLE = NamedNode("http://www.w3.org/2001/XMLSchema#double")
FIELDS = ("name", "description", "organisation", "law")
WEIGHTS = (10.0, 2.0, 4.0, 4.0)  # bm25 column weights, in FIELDS order
SCHEMA_VERSION = 1
_WORD = re.compile(r"\w+")
_lock = threading.Lock()
_built: set[Path] = set()  # index files known to exist (they are never changed once renamed into place)


@dataclass(frozen=True)
class Hit:
    """A matching entity: IRI (or an unreconciled organisation's name), kind, label, score (>0) and snippet."""

    entity: str
    kind: str
    label: str | None
    score: float
    snippet: str | None


def fold(text: str) -> str:
    """Lower case without accents ("Privé" -> "prive"), as the index's tokenizer folds."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


# -- the index file ----------------------------------------------------------------------------


def index_path(store_dir: Path, generation: str | None = None) -> Path:
    """The index file of a generation (the current one by default)."""
    generation = generation or current_path(store_dir).resolve().name
    return store_dir / "search" / f"{generation}.v{SCHEMA_VERSION}.sqlite"


def ensure_index(store_dir: Path, store: Store | None = None) -> Path:
    """The current generation's index, built first if missing (`store`: that generation, already open)."""
    # Called once per row by akg:textScore: a readlink and a set lookup, no path resolution or stat.
    generation = store_dir / os.readlink(current_path(store_dir))

    def rows() -> Iterable[Mapping[str, Any]]:
        source = store if store is not None else Store.read_only(str(generation))
        return source.query(rest_query("search-documents"), use_default_graph_as_union=True)  # type: ignore[return-value]

    return ensure_index_of(store_dir, generation.name, rows)


def ensure_index_of(store_dir: Path, version: str, rows: Callable[[], Iterable[Mapping[str, Any]]]) -> Path:
    """The index of data `version` under `store_dir/search/`, built from `rows()` (the answer of the
    `search-documents` query) if missing: the embedded store's generation, or a remote store's data."""
    path = index_path(store_dir, version)
    if path in _built or path.exists():
        _built.add(path)
        return path
    with _lock:
        if not path.exists():
            build_index_from_rows(rows(), path)
            _prune(path.parent, keep=path)
    _built.add(path)
    return path


def build_index_from_rows(rows: Iterable[Mapping[str, Any]], path: Path) -> None:
    """Write the index of the `search-documents` rows to `path` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    documents: dict[str, dict[str, object]] = {}
    for row in rows:
        entity, kind, field, text = row["entity"], row["kind"].value, row["field"].value, row["text"].value
        key = entity.value  # an IRI, or the name of an organisation not reconciled to TOOI
        document = documents.setdefault(key, {"kind": kind, "label": None, **{f: [] for f in FIELDS}})
        document[field].append(text)  # type: ignore[attr-defined]
        if field == "name":
            # A Dutch name wins as the label (the register's own language), then the smallest: the same label
            # whatever order the store returned the rows in.
            candidate = (getattr(row["text"], "language", None) != "nl", text)
            if document["label"] is None or candidate < document["label"]:  # type: ignore[operator]
                document["label"] = candidate
    for document in documents.values():
        if document["label"] is not None:
            document["label"] = document["label"][1]  # type: ignore[index]
    handle, temporary = tempfile.mkstemp(prefix=".building-", suffix=".sqlite", dir=path.parent)
    os.close(handle)
    try:
        with sqlite3.connect(temporary) as db:
            db.executescript(
                f"""
                CREATE TABLE documents (id INTEGER PRIMARY KEY, entity TEXT UNIQUE, kind TEXT, label TEXT);
                CREATE VIRTUAL TABLE texts USING fts5({", ".join(FIELDS)}, tokenize = 'unicode61 remove_diacritics 2');
                CREATE VIRTUAL TABLE vocabulary USING fts5vocab(texts, 'row');
                CREATE VIRTUAL TABLE trigrams USING fts5(term, tokenize = 'trigram');
                """
            )
            for number, (entity, document) in enumerate(sorted(documents.items()), 1):
                db.execute(
                    "INSERT INTO documents VALUES (?, ?, ?, ?)", (number, entity, document["kind"], document["label"])
                )
                # Sorted: the same index whatever order the store returned the rows in (remote stores differ).
                texts = ["\n".join(sorted(document[f])) for f in FIELDS]  # type: ignore[call-overload]
                db.execute(f"INSERT INTO texts (rowid, {', '.join(FIELDS)}) VALUES (?, ?, ?, ?, ?)", (number, *texts))
            db.execute("INSERT INTO trigrams (term) SELECT term FROM vocabulary")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _prune(folder: Path, keep: Path) -> None:
    """Remove indexes of older generations (keeping the previous one, which a running server may still serve)."""
    indexes = sorted(p for p in folder.glob("gen-*.sqlite") if p != keep)
    for old in indexes[:-1]:
        old.unlink(missing_ok=True)


# -- searching ---------------------------------------------------------------------------------


def search(index: Path, query: str, *, kind: str | None = None, limit: int | None = 20) -> list[Hit]:
    """Entities matching every word of `query` (typos tolerated), best first."""
    tokens = words(query)
    if not tokens:
        return []
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
        scores, expanded = _scores(db, tokens)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        hits = []
        for rowid, score in ranked:
            entity, entity_kind, label = db.execute(
                "SELECT entity, kind, label FROM documents WHERE id = ?", (rowid,)
            ).fetchone()
            if kind is not None and entity_kind != kind:
                continue
            hits.append(Hit(entity, entity_kind, label, round(score, 6), _snippet(db, rowid, expanded)))
            if limit is not None and len(hits) >= limit:
                break
        return hits


def entity_scores(index: Path, query: str) -> dict[str, float]:
    """Every matching entity with its score, as `search` ranks them, without labels or snippets (for SPARQL)."""
    tokens = words(query)
    if not tokens:
        return {}
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
        scores, _ = _scores(db, tokens)
        found: dict[str, float] = {}
        for rowid, entity in db.execute("SELECT id, entity FROM documents"):
            if (score := scores.get(rowid)) is not None:
                found[entity] = max(found.get(entity, 0.0), round(score, 6))
        return found


def _scores(db: sqlite3.Connection, tokens: list[str]) -> tuple[dict[int, float], list[list[str]]]:
    """Scores per document: exact words (the last also as a prefix) count fully, typo expansions half."""
    exact = _match(db, [[f'"{t}"'] + ([f'"{t}"*'] if i == len(tokens) - 1 else []) for i, t in enumerate(tokens)])
    expanded = [[f'"{t}"', *(f'"{near}"' for near in _near(db, t))] for t in tokens]
    expanded[-1].append(f'"{tokens[-1]}"*')
    scores = {row: 0.5 * score for row, score in _match(db, expanded).items()}
    scores.update(exact)
    return scores, expanded


def _match(db: sqlite3.Connection, alternatives: list[list[str]]) -> dict[int, float]:
    expression = " AND ".join("(" + " OR ".join(options) + ")" for options in alternatives)
    weights = ", ".join(str(w) for w in WEIGHTS)
    rows = db.execute(f"SELECT rowid, -bm25(texts, {weights}) FROM texts WHERE texts MATCH ?", (expression,))
    # bm25 is negative, more negative = better; a tiny floor keeps every match above 0.
    return {rowid: max(score, 1e-6) for rowid, score in rows}


def _near(db: sqlite3.Connection, token: str) -> list[str]:
    """Vocabulary words within the allowed edit distance of a word the vocabulary lacks."""
    if len(token) < 4 or db.execute("SELECT 1 FROM vocabulary WHERE term = ?", (token,)).fetchone():
        return []
    allowed = 1 if len(token) < 8 else 2
    grams = {token[i : i + 3] for i in range(len(token) - 2)}
    expression = " OR ".join(f'"{gram}"' for gram in grams)
    candidates = [
        row[0] for row in db.execute("SELECT term FROM trigrams WHERE trigrams MATCH ? LIMIT 2000", (expression,))
    ]
    return sorted(
        c for c in candidates if abs(len(c) - len(token)) <= allowed and _distance(c, token, allowed) <= allowed
    )


def _distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance (with adjacent transpositions), stopping once it exceeds `cap`."""
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            if previous2 is not None and j > 1 and char == b[j - 2] and a[i - 2] == other:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        if min(current) > cap:
            return cap + 1
        previous2, previous = previous, current
    return previous[-1]


def _snippet(db: sqlite3.Connection, rowid: int, alternatives: list[list[str]]) -> str | None:
    expression = " AND ".join("(" + " OR ".join(options) + ")" for options in alternatives)
    row = db.execute(
        "SELECT snippet(texts, -1, '[', ']', '…', 16) FROM texts WHERE texts MATCH ? AND rowid = ?", (expression, rowid)
    ).fetchone()
    return row[0] if row else None


# -- SPARQL ------------------------------------------------------------------------------------


class TextScores:
    """Scores per (index, query) for `akg:textScore`: one search per query, then a lookup per row."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._cache: OrderedDict[tuple[Path, str], dict[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, index: Path, query: str) -> dict[str, float]:
        key = (index, query)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        scores = entity_scores(index, query)
        with self._lock:
            self._cache[key] = scores
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return scores


def custom_functions(store_dir: Path) -> dict[NamedNode, Callable[..., Literal | None]]:
    """SPARQL functions for pyoxigraph's `Store.query(custom_functions=…)`: `akg:textScore(?entity, "words")`.

    The score comes from the index of the generation `current` points at when the function is called.
    """
    scores = TextScores()

    def text_score(entity: object, query: object = None) -> Literal | None:
        if not isinstance(query, Literal) or not isinstance(entity, NamedNode | Literal):
            return None
        index = ensure_index(store_dir)
        return Literal(str(scores.of(index, query.value).get(entity.value, 0.0)), datatype=XSD_DOUBLE)

    return {TEXT_SCORE: text_score}
