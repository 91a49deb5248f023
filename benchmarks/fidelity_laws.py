"""Legal-basis fidelity: what the mapping makes of the shared samples' legal bases against a hand-made gold file.

The gold file (``tests/gold/legal_bases.csv``) was annotated by hand from the samples' text: per record the
laws (BWB id or CELEX), the articles (with paragraph and point) and the local regulations it states. Rows
marked ``ambiguous`` are neither required nor held against the mapping. A law counts as found when the record
is linked to a node of that law: by its BWB id or CELEX number, or, for a law the record names whose
identifier no citable source gives (written ``?`` with its official name), the node minted from its name
(``…/id/law/name/{slug}``, ``loader.reconcile.law_by_name``) when one of that node's names is the gold name
(accents, case and punctuation aside); an article of such a law likewise.

Each source file is mapped exactly as ``algokg load`` maps it (``loader.pipeline.prepare``, validation off,
with an empty download cache so a harvested BWB list does not change the figures); what a registration's
statutory bases point at is read back from the quads by IRI pattern, so the same measure runs on older code.

    python -m benchmarks.fidelity_laws [--shared ../shared] [--json out.json]
"""

import argparse
import csv
import json
import re
import sys
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
GOLD = REPOSITORY / "tests" / "gold" / "legal_bases.csv"
SOURCES = {
    "csv-1.0": ("samples", "register_export_v1.0_ENG_sample.csv"),
    "listing": ("samples", "register_scrape_NLD_sample.json"),
}
FIELDS = ("law", "article", "local_regulation")
AKG = "https://w3id.org/algokg/def#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_BWB = re.compile(r"/id/law/bwb/(BWB[RV]\d{7})(/.*)?$")
_BY_NAME = re.compile(r"/id/law/name/([0-9a-z]+(?:-[0-9a-z]+)*)(/.*)?$")
_ELI_ACT = re.compile(r"^http://data\.europa\.eu/eli/(reg|dir|dec)/(\d{4})/(\d+)/oj$")
_ELI_PART = re.compile(r"/id/law/eli/(reg|dir|dec)/(\d{4})/(\d+)((?:/[a-z]{2,4}_[0-9A-Za-z]+)*)$")
_CVDR = re.compile(r"/id/law/cvdr/(CVDR\d+)")
_LOCAL = re.compile(r"/id/law/local/")
_CELEX_LETTER = {"reg": "R", "dir": "L", "dec": "D"}


@dataclass
class Expected:
    """One record's gold: keys that must be found, keys that may be found (ambiguous)."""

    required: dict[str, set[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(set))
    allowed: dict[str, set[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(set))


def normalise_title(title: str) -> str:
    """A local regulation's title as compared: case, spacing and a leading article do not count."""
    text = " ".join(title.casefold().split())
    return re.sub(r"^(?:de|het|the)\s+", "", text).strip(" .,;:")


def read_gold(path: Path = GOLD) -> dict[str, dict[str, Expected]]:
    """source -> record -> expected keys per field."""
    gold: dict[str, dict[str, Expected]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            expected = gold[row["source"]].setdefault(row["record"], Expected())
            kind = row["kind"]
            if kind == "none":
                continue
            law = row["law"] if row["law"] != "?" else f"?{name_slug(row['name'])}"
            if kind == "law":
                key: tuple[str, ...] = (law,)
            elif kind == "article":
                key = (law, row["article"], row["paragraph"], row["point"])
            elif kind == "local_regulation":
                value = row["local_regulation"]
                key = (value,) if value.startswith("CVDR") else ("title:" + normalise_title(value[6:]),)
            else:
                raise ValueError(f"{path}: unknown kind {kind!r} for record {row['record']}")
            bucket = expected.allowed if row["status"] == "ambiguous" else expected.required
            bucket[kind].add(key)
    return gold


def name_slug(name: str) -> str:
    """A law's name without accents, case and punctuation (as ``…/id/law/name/{slug}`` spells it)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "-", plain.casefold()).strip("-")


def keys_of_resource(iri: str, labels: dict[str, str]) -> list[tuple[str, tuple[str, ...]]]:
    """(field, key) pairs a cited resource stands for: its law, its article, or a local regulation."""
    if match := _BWB.search(iri) or _BY_NAME.search(iri):
        law = match.group(1) if match.re is _BWB else "?" + match.group(1)  # a law known by name: "?{slug}"
        rest = match.group(2) or ""
        found = [("law", (law,))]
        parts = rest.strip("/").split("/") if rest else []
        steps = dict(zip(parts[::2], parts[1::2], strict=False))
        if "artikel" in steps:
            found.append(("article", (law, steps["artikel"], steps.get("lid", ""), steps.get("onderdeel", ""))))
        return found
    if match := _ELI_ACT.match(iri):
        return [("law", (_celex(*match.groups()),))]
    if match := _ELI_PART.search(iri):
        law = _celex(*match.group(1, 2, 3))
        steps = {step.split("_", 1)[0]: step.split("_", 1)[1] for step in match.group(4).strip("/").split("/") if step}
        found = [("law", (law,))]
        if "art" in steps:
            found.append(("article", (law, steps["art"], steps.get("par", ""), steps.get("pnt", ""))))
        return found
    if match := _CVDR.search(iri):
        return [("local_regulation", (match.group(1),))]
    if _LOCAL.search(iri) and iri in labels:
        return [("local_regulation", ("title:" + normalise_title(labels[iri]),))]
    return []


def _celex(kind: str, year: str, number: str) -> str:
    return f"3{year}{_CELEX_LETTER[kind]}{int(number):04d}"


@dataclass
class Found:
    """What a source's quads link: algorithm id -> field -> keys, and the names of each law known by name
    (the slug of each of its labels -> the slug its node is minted from)."""

    keys: dict[str, dict[str, set[tuple[str, ...]]]]
    by_name: dict[str, str] = field(default_factory=dict)

    def canonical(self, key: tuple[str, ...]) -> tuple[str, ...]:
        """A gold key of a law written ``?`` as the found keys spell it, when a node of that name was minted."""
        if not key or not key[0].startswith("?"):
            return key
        return ("?" + self.by_name.get(key[0][1:], key[0][1:]), *key[1:])


def found_keys(quads: Iterable[object]) -> Found:
    """algorithm id -> field -> keys, read from a source's quads (registration -> basis -> resource)."""
    bases: dict[str, list[str]] = defaultdict(list)
    resources: dict[str, list[str]] = defaultdict(list)
    algorithm_of: dict[str, str] = {}
    labels: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for quad in quads:
        subject, predicate, obj = quad.subject.value, quad.predicate.value, quad.object.value  # type: ignore[attr-defined]
        if predicate == AKG + "hasStatutoryBasis" and "/registration/" in subject:
            bases[subject].append(obj)
        elif predicate == AKG + "legalResource":
            resources[subject].append(obj)
        elif predicate == AKG + "registers":
            algorithm_of[subject] = obj.rsplit("/", 1)[-1]
        elif predicate == RDFS_LABEL:
            labels.setdefault(subject, obj)
            if (minted := _BY_NAME.search(subject)) and minted.group(2) is None:
                by_name[name_slug(obj)] = minted.group(1)
    found: dict[str, dict[str, set[tuple[str, ...]]]] = defaultdict(lambda: defaultdict(set))
    for registration, nodes in bases.items():
        algorithm = algorithm_of.get(registration)
        for node in nodes:
            for iri in resources.get(node, []):
                for name, key in keys_of_resource(iri, labels):
                    found[algorithm or registration][name].add(key)
    return Found(found, by_name)


def score(gold: dict[str, Expected], found: Found, source: str) -> list[dict]:
    rows = []
    for name in FIELDS:
        tp = fp = fn = 0
        for record, expected in gold.items():
            got = found.keys.get(record, {}).get(name, set())
            required = {found.canonical(key) for key in expected.required.get(name, set())}
            allowed = {found.canonical(key) for key in expected.allowed.get(name, set())}
            tp += len(got & required)
            fp += len(got - required - allowed)
            fn += len(required - got)
        rows.append(
            {
                "source": source,
                "field": name,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
                "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
                "n": len(gold),
            }
        )
    return rows


def map_sample(path: Path) -> list[object]:
    """The quads ``algokg load`` would store for one sample (no validation, no download cache)."""
    from loader.pipeline import prepare
    from loader.reference import reference_data

    with tempfile.TemporaryDirectory() as cache:
        reference = reference_data(cache_dir=Path(cache))
        load, _ = prepare(path, reference=reference, run_validation=False)
    return list(load.quads)


def measure(shared: Path) -> list[dict]:
    """Per source and field (law, article, local_regulation): tp, fp, fn, precision, recall, n (records).

    :param shared: the ``../shared`` directory holding the samples.
    :raises FileNotFoundError: a sample or the gold file is missing.
    """
    gold = read_gold()
    rows = []
    for source, parts in SOURCES.items():
        path = shared.joinpath(*parts)
        if not path.exists():
            raise FileNotFoundError(f"sample not found: {path}")
        rows += score(gold[source], found_keys(map_sample(path)), source)
    return rows


def table(rows: list[dict]) -> str:
    header = f"{'source':<9} {'field':<17} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'n':>4}"
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['source']:<9} {row['field']:<17} {row['tp']:>4} {row['fp']:>4} {row['fn']:>4} "
            f"{row['precision']:>9.3f} {row['recall']:>7.3f} {row['n']:>4}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=REPOSITORY.parent / "shared")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    rows = measure(args.shared)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
