"""Fidelity of the register's own facts: organisation → TOOI, organisation type, assessment status, and the
AI Act category the register declares, against the hand-annotated gold files in ``tests/gold/``.

The shared samples are loaded as a new user would: one ``algokg load`` of all four files, no flags, no
harvested lists (an empty download cache), no network, no validation (it does not change what is mapped).
What the store says per record (registration) is compared with the gold, per sample and for all of them:

- organisation → TOOI, per record: tp the gold TOOI IRI; fp a TOOI IRI that is not the gold one; fn the gold
  IRI missed. A record whose body has no TOOI identifier (gold empty) counts only when an IRI is given (fp).
  The note gives the share of records that carry a TOOI IRI at all.
- organisation type, per record: the type notation of the record's organisation; "onbekend" (unknown) is no
  answer (an fn when the gold names a type), a wrong type is an fp and an fn.
- assessment status, per record: the (instrument, status) pairs of its assessments against the gold items
  (multisets: a missing item is an fn, an extra or wrong one an fp). Where the store has no status (before
  this was modelled), akg:wasPerformed true/false reads as performed/not-performed and a listing's
  akg:listedImpactAssessment as an assessment of an unnamed instrument.
- declared AI Act category, per record of the 1.0 export: high-risk when the register's publication category
  is "Hoog-risico AI-systeem" (A), against any akg:riskLevel of the registration starting with high-risk.
"""

import csv
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.fidelity import row

GOLD = Path(__file__).resolve().parent.parent / "tests" / "gold"
SAMPLES = (
    "register_export_v1.0_ENG_sample.csv",
    "register_scrape_NLD_sample.json",
    "register-minbzk/init_testdata_2022_v0.1.json",
    "register-minbzk/etl_data_2024-11.json",
)
TOOI = "https://identifier.overheid.nl/tooi/id/"
UNKNOWN_TYPE = "onbekend"
PREFIXES = """
PREFIX akg: <https://w3id.org/algokg/def#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
RECORDS = (
    PREFIXES
    + """
SELECT ?title ?index ?org ?type WHERE {
  GRAPH ?g { ?reg a akg:Registration ; akg:sourceIndex ?index }
  ?g dct:title ?title .
  OPTIONAL { ?reg akg:organisation ?org OPTIONAL { ?org akg:organisationType/skos:notation ?type } }
}"""
)
ASSESSMENTS = (
    PREFIXES
    + """
SELECT ?title ?index ?a ?instrument ?status ?performed ?listed WHERE {
  GRAPH ?g { ?reg a akg:Registration ; akg:sourceIndex ?index }
  ?g dct:title ?title .
  OPTIONAL {
    ?reg akg:hasAssessment ?a
    OPTIONAL { ?a akg:instrument/skos:notation ?instrument }
    OPTIONAL { ?a akg:assessmentStatus/skos:notation ?status }
    OPTIONAL { ?a akg:wasPerformed ?performed }
  }
  OPTIONAL { ?reg akg:listedImpactAssessment ?listed }
}"""
)
RISK = (
    PREFIXES
    + """
SELECT ?title ?index ?level WHERE {
  GRAPH ?g { ?reg a akg:Registration ; akg:sourceIndex ?index }
  ?g dct:title ?title .
  OPTIONAL { ?reg akg:riskLevel/skos:notation ?level }
}"""
)
Key = tuple[str, int]  # (sample file name, 1-based record index)
ALL = "all samples"


def measure(shared: Path) -> list[dict[str, object]]:
    samples = shared / "samples"
    with _loaded(samples) as store:
        names = {Path(path).name: path for path in SAMPLES}
        return [
            *_organisations(store, samples, names),
            *_assessments(store, names),
            *_declared(store, names),
        ]


@contextmanager
def _loaded(samples: Path) -> Iterator[object]:
    from loader.pipeline import load_paths
    from loader.reference import reference_data
    from loader.store import open_store

    saved = os.environ.pop("ALGOKG_ORGANISATIONS", None)  # no flags: no lists named in the environment either
    try:
        with tempfile.TemporaryDirectory(prefix="algokg-fidelity-") as work:
            cache = Path(work) / "empty-cache"  # nothing harvested
            cache.mkdir()
            reference = reference_data(cache_dir=cache)
            paths = [samples / name for name in SAMPLES]
            load_paths(Path(work) / "store", paths, run_validation=False, reference=reference)
            yield open_store(Path(work) / "store")
    finally:
        if saved is not None:
            os.environ["ALGOKG_ORGANISATIONS"] = saved


def _rows(store: object, query: str) -> list[dict[str, str]]:
    results = store.query(query, use_default_graph_as_union=True)  # type: ignore[attr-defined]
    names = [variable.value for variable in results.variables]
    return [{name: found[name].value for name in names if found[name] is not None} for found in results]


def _key(found: dict[str, str]) -> Key:
    return (found["title"], int(found["index"]))


def _gold(name: str) -> list[dict[str, str]]:
    with (GOLD / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def published_organisations(samples: Path) -> dict[Key, str]:
    """The organisation name each sample record gives, read from the samples themselves."""
    found: dict[Key, str] = {}
    with (samples / SAMPLES[0]).open(encoding="utf-8-sig", newline="") as handle:
        for index, record in enumerate(csv.DictReader(handle), 1):
            found[(Path(SAMPLES[0]).name, index)] = record["organization"]
    lists = {SAMPLES[1]: ("algoritmes", "organisatie"), SAMPLES[2]: ("records", "organization")}
    lists[SAMPLES[3]] = ("algoritme_versions", "organization")
    for path, (key, field) in lists.items():
        document = json.loads((samples / path).read_text(encoding="utf-8"))
        for index, record in enumerate(document[key], 1):
            found[(Path(path).name, index)] = record[field]
    return found


def _organisations(store: object, samples: Path, names: dict[str, str]) -> list[dict[str, object]]:
    gold = {(Path(item["source"]).name, item["organisation"]): item for item in _gold("organisations.csv")}
    published = published_organisations(samples)
    predicted = {_key(found): found for found in _rows(store, RECORDS)}
    results = []
    for source in [*names, ALL]:
        keys = [key for key in published if source in (key[0], ALL)]
        iri = Counter[str]()
        kind = Counter[str]()
        for key in keys:
            expected = gold[(key[0], published[key])]
            found = predicted.get(key, {})
            given = found.get("org", "") if found.get("org", "").startswith(TOOI) else ""
            iri["with"] += bool(given)
            iri["tp"] += bool(given) and given == expected["tooi_iri"]
            iri["fp"] += bool(given) and given != expected["tooi_iri"]
            iri["fn"] += bool(expected["tooi_iri"]) and given != expected["tooi_iri"]
            answer = found.get("type", "")
            answer = "" if answer == UNKNOWN_TYPE else answer
            kind["tp"] += bool(answer) and answer == expected["type"]
            kind["fp"] += bool(answer) and answer != expected["type"]
            kind["fn"] += answer != expected["type"]
        note = f"{iri['with'] / len(keys):.1%} of records carry a TOOI IRI" if keys else ""
        results.append(row(source, "organisation → TOOI", iri["tp"], iri["fp"], iri["fn"], len(keys), note))
        results.append(row(source, "organisation type", kind["tp"], kind["fp"], kind["fn"], len(keys)))
    return results


def _assessments(store: object, names: dict[str, str]) -> list[dict[str, object]]:
    expected: dict[Key, Counter[tuple[str, str]]] = {}
    for item in _gold("assessments.csv"):
        key = (Path(item["source"]).name, int(item["record"]))
        expected.setdefault(key, Counter())[(item["instrument"], item["status"])] += 1
    predicted: dict[Key, Counter[tuple[str, str]]] = {}
    seen: dict[Key, set[str]] = {}
    listed: dict[Key, str] = {}
    for found in _rows(store, ASSESSMENTS):
        key = _key(found)
        predicted.setdefault(key, Counter())
        if "listed" in found:
            listed[key] = found["listed"]
        if "a" in found and found["a"] not in seen.setdefault(key, set()):
            seen[key].add(found["a"])
            status = found.get("status") or {"true": "performed", "false": "not-performed"}.get(
                found.get("performed", ""), "unknown"
            )
            predicted[key][(found.get("instrument", "other"), status)] += 1
    for key, value in listed.items():  # the listing's Ja/Nee before it became an assessment of its own
        if not predicted[key]:
            predicted[key][("unspecified", "performed" if value == "true" else "not-performed")] += 1
    results = []
    for source in [*names, ALL]:
        keys = {key for key in (*expected, *predicted) if source in (key[0], ALL)}
        tp = sum(((expected.get(k) or Counter()) & (predicted.get(k) or Counter())).total() for k in keys)
        fp = sum(((predicted.get(k) or Counter()) - (expected.get(k) or Counter())).total() for k in keys)
        fn = sum(((expected.get(k) or Counter()) - (predicted.get(k) or Counter())).total() for k in keys)
        items = sum((expected.get(k) or Counter()).total() for k in keys)
        results.append(row(source, "assessment status", tp, fp, fn, items))
    return results


def _declared(store: object, names: dict[str, str]) -> list[dict[str, object]]:
    gold = {
        (Path(item["source"]).name, int(item["record"])): item["declared_category"]
        for item in _gold("aiact_declared.csv")
    }
    predicted: dict[Key, bool] = {}
    for found in _rows(store, RISK):
        key = _key(found)
        predicted[key] = predicted.get(key, False) or found.get("level", "").startswith("high-risk")
    tp = sum(1 for key, value in gold.items() if value and predicted.get(key))
    fp = sum(1 for key, value in gold.items() if not value and predicted.get(key))
    fn = sum(1 for key, value in gold.items() if value and not predicted.get(key))
    source = next(iter(names))
    return [row(source, "declared AI Act category", tp, fp, fn, len(gold))]
