"""Seed inputs per fuzz target: real-looking documents the mutator starts from.

Everything here is written for the project (fictitious organisations, the example dataset, records
made with `benchmarks.generate`); the shared samples are added, cut to a few records, when
`../shared` is present, so a checkout without it fuzzes the same targets from the project's seeds.
Every seed is deterministic: the same seeds in every run.
"""

import csv
import io
import json
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pyoxigraph import RdfFormat, parse, serialize

from benchmarks.generate import COLUMNS, row
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "loader" / "data" / "example-register.ttl"
# Organisations no reference list knows: with --strict a record of theirs is refused before any commit.
UNKNOWN_ORGANISATIONS = ["Stichting Voorbeeld 1", "Gemeente Noorderhaaks", "Waterschap Fictief"]
# An algorithm whose id breaks the SHACL shape (not eight digits): --strict refuses RDF seeds after validation.
VIOLATION = (
    b"<https://w3id.org/algokg/id/algorithm/fuzz> a <https://w3id.org/algokg/def#Algorithm> ;"
    b' <https://w3id.org/algokg/def#algorithmId> "fuzz" .\n'
)


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes
    suffix: str  # the extension that tells the loader the format


LOADER_TARGETS = ("csv", "json", "turtle", "rdfxml", "jsonld")


@cache
def loader_seeds(target: str) -> tuple[Seed, ...]:
    """The seeds of one loader target (``csv``, ``json``, ``turtle``, ``rdfxml``, ``jsonld``)."""
    made = {
        "csv": _csv_seeds,
        "json": _json_seeds,
        "turtle": _turtle_seeds,
        "rdfxml": _rdfxml_seeds,
        "jsonld": _jsonld_seeds,
    }[target]()
    return tuple(made) + tuple(_shared_seeds(target))


def _records(count: int, *, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [row(rng, index, UNKNOWN_ORGANISATIONS) for index in range(count)]


def _csv(records: list[dict[str, str]], columns: list[str], *, quoting: int = csv.QUOTE_ALL) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, quoting=quoting, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode("utf-8-sig")


def _csv_seeds() -> list[Seed]:
    records = _records(3)
    older = [dict(record, standard_version="0.4", algorithm_id="") for record in _records(2, seed=8)]
    renamed = ["lars" if column == "algorithm_id" else column for column in COLUMNS]
    lars = [{("lars" if key == "algorithm_id" else key): value for key, value in r.items()} for r in records[:2]]
    return [
        Seed("export-NLD.csv", _csv(records, COLUMNS), ".csv"),
        Seed("export-minimal.csv", _csv(records[:1], ["name", "organization", "standard_version"]), ".csv"),
        Seed("export-older.csv", _csv(older, COLUMNS, quoting=csv.QUOTE_MINIMAL), ".csv"),
        Seed("export-ENG-lars.csv", _csv(lars, renamed), ".csv"),
    ]


def _standard_record(record: dict[str, str]) -> dict[str, object]:
    return {
        "schema": "1.0",
        "name": record["name"],
        "organization": record["organization"],
        "description_short": record["description_short"],
        "status": record["status"],
        "theme": record["category"].split(", "),
        "start_date": record["begin_date"],
        "contact": record["contact_email"],
        "purpose_and_impact": record["goal"],
        "legal_basis_title": "Algemene wet bestuursrecht",
        "legal_basis_link": "https://wetten.overheid.nl/BWBR0005537#Artikel4:81",
        "publication_category": record["publication_category"],
        "lars": record["algorithm_id"],
        "count": 3,
    }


def _json_seeds() -> list[Seed]:
    records = _records(3, seed=9)
    standard = [_standard_record(record) for record in records]
    site = {
        "algoritme_versions": [
            dict(record, lars=record.pop("algorithm_id"), language="NLD", state="PUBLISHED", published=True)
            for record in _records(2, seed=10)
        ],
        "organisation_details": [
            {"name": UNKNOWN_ORGANISATIONS[0], "language": "NLD", "code": "voorbeeld-1", "type": "stichting"}
        ],
    }
    scrape = {
        "algoritmes": [
            {"id": record["algorithm_id"], "title": record["name"], "organisatie": record["organization"]}
            | {"doel": record["goal"], "status": "in_gebruik", "geregistreerd": "2026-04-28", "toegevoegd": "2026-05"}
            for record in records
        ],
        "count": 3,
        "fetched_at": "2026-05-13T10:00:00Z",
        "source_url": "https://algoritmes.overheid.nl/nl/algoritme",
    }
    v01 = {
        "source": "testdata",
        "schema": "0.1",
        "count": 2,
        "records": [
            {"id": 101, "name": record["name"], "organization": record["organization"], "dpia": "ja"}
            | {"revision_date": "12-03-2022", "lang": "Nederlands", "uuid": f"00000000-0000-0000-0000-00000000010{n}"}
            for n, record in enumerate(records[:2])
        ],
    }
    return [
        Seed("record.json", json.dumps(standard[0], ensure_ascii=False, indent=1).encode(), ".json"),
        Seed("records.json", json.dumps(standard, ensure_ascii=False).encode(), ".json"),
        Seed("site-data.json", json.dumps(site, ensure_ascii=False).encode(), ".json"),
        Seed("scrape.json", json.dumps(scrape, ensure_ascii=False).encode(), ".json"),
        Seed("testdata-v0.1.json", json.dumps(v01, ensure_ascii=True, indent=2).encode(), ".json"),
    ]


def _example_triples() -> list:
    return list(parse(VIOLATION, format=RdfFormat.TURTLE)) + list(parse(path=str(EXAMPLE), format=RdfFormat.TURTLE))


def _turtle_seeds() -> list[Seed]:
    head, _, body = EXAMPLE.read_bytes().partition(b"\nex:dataset")
    body = b"\nex:dataset" + body
    return [
        Seed("example.ttl", head + VIOLATION + body, ".ttl"),
        Seed("example-part.ttl", head + VIOLATION + body[: body.rindex(b" .\n", 0, 2500) + 3], ".ttl"),
        Seed("example.nt", serialize(_example_triples()[:40], format=RdfFormat.N_TRIPLES) or b"", ".nt"),
    ]


PREFIXES = {
    "akg": "https://w3id.org/algokg/def#",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
}


def _rdfxml_seeds() -> list[Seed]:
    triples = _example_triples()
    plain = serialize(triples, format=RdfFormat.RDF_XML, prefixes=PREFIXES) or b""
    # The form OWL tools write: namespace abbreviations as DTD entities, used in attribute values.
    entities = "".join(f'    <!ENTITY {name} "{iri}">\n' for name, iri in PREFIXES.items())
    owl = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE rdf:RDF [\n' + entities + "]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:akg="&akg;" xmlns:dct="&dct;">\n'
        '  <rdf:Description rdf:about="https://w3id.org/algokg/id/algorithm/00000042">\n'
        '    <rdf:type rdf:resource="&akg;Algorithm"/>\n'
        '    <dct:title xml:lang="nl">Voorbeeld &amp; proef</dct:title>\n'
        '    <akg:algorithmId rdf:datatype="http://www.w3.org/2001/XMLSchema#string">42</akg:algorithmId>\n'
        '    <akg:organisation><rdf:Description rdf:about="&akg;x"><dct:title>Nested</dct:title>'
        "</rdf:Description></akg:organisation>\n"
        "  </rdf:Description>\n</rdf:RDF>\n"
    ).encode()
    return [Seed("example.rdf", plain, ".rdf"), Seed("ontology.owl", owl, ".owl")]


def _jsonld_seeds() -> list[Seed]:
    triples = _example_triples()
    flat = serialize(triples, format=RdfFormat.JSON_LD) or b""
    context = {"@context": {"akg": PREFIXES["akg"], "dct": PREFIXES["dct"], "title": {"@id": "dct:title"}}}
    nested = {
        **context,
        "@id": "https://w3id.org/algokg/id/algorithm/00000043",
        "@type": "akg:Algorithm",
        "akg:algorithmId": "43",
        "title": {"@value": "Voorbeeld", "@language": "nl"},
        "akg:organisation": {"@id": "https://w3id.org/algokg/id/example/noorderhaaks", "title": "Noorderhaaks"},
        "akg:theme": [{"@id": "https://w3id.org/algokg/id/register-theme/wonen"}],
    }
    return [
        Seed("example.jsonld", flat, ".jsonld"),
        Seed("nested.jsonld", json.dumps(nested, indent=1).encode(), ".jsonld"),
    ]


def _shared_seeds(target: str) -> list[Seed]:
    """A few records of each shared sample, when ../shared is present (never required)."""
    samples = SHARED / "samples"
    if not samples.is_dir():
        return []
    if target == "csv" and (path := samples / "register_export_v1.0_ENG_sample.csv").exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [next(reader) for _ in range(3)]
        # Published by organisations no list knows, like every seed: --strict refuses them before a commit.
        rows = [dict(row, organization=name) for row, name in zip(rows, UNKNOWN_ORGANISATIONS, strict=True)]
        return [Seed("shared-export-ENG.csv", _csv(rows, list(rows[0])), ".csv")]
    if target == "json":
        found = []
        for name, key, organisation in (
            ("register_scrape_NLD_sample.json", "algoritmes", "organisatie"),
            ("register-minbzk/etl_data_2024-11.json", "algoritme_versions", "organization"),
            ("register-minbzk/init_testdata_2022_v0.1.json", "records", "organization"),
        ):
            if (path := samples / name).exists():
                document = json.loads(path.read_text(encoding="utf-8"))
                document[key] = [
                    dict(record, **{organisation: unknown})
                    for record, unknown in zip(document[key][:2], UNKNOWN_ORGANISATIONS, strict=False)
                ]
                if "count" in document:
                    document["count"] = 2
                found.append(Seed(f"shared-{path.name}", json.dumps(document, ensure_ascii=False).encode(), ".json"))
        return found
    return []


# -- the compliance commands' files: assessment files (`algokg assess`), answers files (`algokg classify`) --------

COMPLIANCE_TARGETS = ("assessment", "answers")
ASSESSMENTS = REPO / "examples" / "assessments"
KNOWN_ALGORITHM = "00000001"  # in the example dataset: a file of it that reads is checked (SHACL) and stored
UNKNOWN_ALGORITHM = "99999999"  # in no store: a file of it is read and checked in full, then refused (exit 1)
# A decision tree written for the fuzz: two questions, three conclusions (the published one is not bundled).
TREE = """name: fuzz tree
version: "1"
questions:
  - questionId: "1.1"
    question: Is het een AI-systeem?
    answers:
      - answer: Ja
        nextQuestionId: "1.2"
      - answer: Nee
        nextConclusionId: "11.1"
  - questionId: "1.2"
    question: Valt het onder bijlage III?
    answers:
      - answer: Ja
        nextConclusionId: "12.1"
        labels: [hoog-risico AI-systeem]
      - answer: Nee
        nextConclusionId: "12.2"
conclusions:
  - conclusionId: "11.1"
    conclusion: Geen AI-systeem
  - conclusionId: "12.1"
    conclusion: Hoog-risico AI-systeem
  - conclusionId: "12.2"
    conclusion: Geen hoog-risico AI-systeem
"""


def iama_template() -> str:
    """An IAMA template (the task registry's form) holding the questions the example files answer or cite."""
    asked = re.findall(r'question: "?(?:urn:nl:aivt:tr:iama:1\.0:)?([0-9A-Z.]+)"?', _text("iama.yaml"))
    asked += re.findall(r'"([0-9A-Z.]+)"', " ".join(re.findall(r"iama_questions: \[(.*)\]", _text("fria.yaml"))))
    tasks = "".join(
        f'  - question: "Vraag {key}?"\n    urn: "urn:nl:aivt:tr:iama:1.0:{key}"\n'
        f"    labels: [{{key: topic, value: Onderwerp}}]\n"
        for key in dict.fromkeys(asked)
    )
    return f'urn: "urn:nl:aivt:tr:iama:1.0"\nname: IAMA (fuzz)\ntasks:\n{tasks}'


@cache
def compliance_seeds(target: str) -> tuple[Seed, ...]:
    """The seeds of one compliance target: the example assessment files (YAML, two also as JSON), or answers files
    for :data:`TREE`; all but one about an algorithm no store holds."""
    if target == "assessment":
        seeds = []
        for path in sorted(ASSESSMENTS.glob("*.yaml")):
            algorithm = KNOWN_ALGORITHM if path.stem == "dpia" else UNKNOWN_ALGORITHM
            text = _text(path.name).replace(f'"{KNOWN_ALGORITHM}"', f'"{algorithm}"')
            seeds.append(Seed(path.name, text.encode(), ".yaml"))
            if path.stem in ("bias-test", "fria"):
                document = yaml.safe_load(text)
                seeds.append(Seed(f"{path.stem}.json", json.dumps(document, default=str).encode(), ".json"))
        return tuple(seeds)
    answers = {"1.1": "Ja", "1.2": 2}
    head = {"answered_by": "Team Data, gemeente Voorbeeld", "answered_at": "2026-05-01T10:00:00+02:00"}
    organisation = {"organisation": "https://identifier.overheid.nl/tooi/id/gemeente/gm0363"}
    return (
        Seed("answers.yaml", b'answered_by: Team Data\nanswers:\n  "1.1": Ja\n  "1.2": Nee\n', ".yaml"),
        Seed("answers-full.yaml", yaml.safe_dump({**head, **organisation, "answers": answers}).encode(), ".yaml"),
        Seed("answers.json", json.dumps({**head, "answers": answers}, indent=1).encode(), ".json"),
    )


def _text(name: str) -> str:
    return (ASSESSMENTS / name).read_text(encoding="utf-8")
