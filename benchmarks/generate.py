"""A deterministic synthetic register: a CSV export (standard 1.0) of N fictitious algorithms.

Shaped like the real export (field set, grouped fields flattened as ``1: title, link. 2: …``,
dates in the forms people type, assessment titles with the register's typos) so the whole load
pipeline does real work, but every name is made up. Same N and seed, same bytes.

    python -m benchmarks.generate 10000 register-10k.csv
"""

import csv
import random
import sys
from pathlib import Path

from loader.reconcile.tooi import national_bodies_path, read_national_bodies

COLUMNS = [
    "name", "organization", "description_short", "category", "website", "status", "goal", "proportionality",
    "lawful_basis", "standard_version", "url", "contact_email", "lang", "publiccode", "source_data",
    "methods_and_models", "human_intervention", "risks", "provider", "process_index_url", "tags", "source_id",
    "begin_date", "end_date", "impacttoetsen", "publication_category", "lawful_basis_grouping",
    "impacttoetsen_grouping", "source_data_grouping", "algorithm_id",
]  # fmt: skip
THEMES = [
    "Organisatie en bedrijfsvoering", "Openbare orde en veiligheid", "Sociale zekerheid", "Ruimte en infrastructuur",
    "Overheidsfinanciën", "Natuur en milieu", "Wonen", "Verkeer", "Economie", "Recht", "Werk", "Zorg en gezondheid",
    "Onderwijs en wetenschap", "Cultuur en recreatie", "Migratie en integratie", "Internationaal",
]  # fmt: skip
STATUSES = [("In gebruik", 88), ("Buiten gebruik", 6), ("In ontwikkeling", 6)]
CATEGORIES = [("Impactvolle algoritmes", 50), ("Overige algoritmes", 46), ("Hoog-risico AI-systeem", 4)]
LAWS = [
    ("Algemene wet bestuursrecht", "BWBR0005537", ["3:2", "3:40", "4:81", "5:1"]),
    ("Participatiewet", "BWBR0015703", ["17", "18", "53a"]),
    ("Wet basisregistratie personen", "BWBR0033715", ["1.1", "2.1", "3.3"]),
    ("Gemeentewet", "BWBR0005416", ["160", "172", "174"]),
    ("Wegenverkeerswet 1994", "BWBR0006622", ["130", "5"]),
    ("Woningwet", "BWBR0005181", ["1a", "13"]),
    ("Omgevingswet", "BWBR0037885", ["5.1", "18.1"]),
]
ASSESSMENTS = [
    ("Data Protection Impact Assessment (DPIA)", 60),
    ("Data Protection Impact Asssesment (DPIA)", 3),
    ("DPIA, uitgevoerd", 5),
    ("Impact Assessment Mensenrechten en Algoritmes (IAMA)", 12),
    ("Pre-scan DPIA", 6),
    ("De Ethische Data Assistent (DEDA)", 4),
    ("Eigen risicoanalyse", 10),
]
DATE_FORMS = ["{y}-{m:02d}", "{m:02d}-{y}", "{y}-{m:02d}-01", "{y}"]
TEXT = (
    "het algoritme ondersteunt medewerkers bij het beoordelen van aanvragen en signaleert afwijkingen in de "
    "gegevens zodat een medewerker gericht kan controleren welke dossiers extra aandacht nodig hebben"
)
WORDS = TEXT.split()


def _weighted(rng: random.Random, items: list[tuple[str, int]]) -> str:
    return rng.choices([item for item, _ in items], weights=[weight for _, weight in items])[0]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _date(rng: random.Random) -> str:
    return rng.choice(DATE_FORMS).format(y=rng.randint(2010, 2026), m=rng.randint(1, 12))


def _laws(rng: random.Random) -> str:
    items = []
    for number, (title, bwb, articles) in enumerate(rng.sample(LAWS, rng.choice([1, 1, 2, 3])), 1):
        link = f"https://wetten.overheid.nl/BWBR{bwb[4:]}"
        if rng.random() < 0.4:
            link += f"/{rng.randint(2019, 2025)}-01-01"
        if rng.random() < 0.5:
            link += f"#Artikel{rng.choice(articles)}"
        items.append(f"{number}: {title}, {link}")
    return ". ".join(items)


def organisation_names(count: int) -> list[str]:
    """Mostly names the reconciler knows (the project's table of national bodies), some it cannot:
    the real register reconciles roughly four in five names exactly."""
    known = sorted({entry.name for entry in read_national_bodies(national_bodies_path())})
    unknown = [f"Stichting Voorbeeld {number}" for number in range(max(1, count // 5))]
    return [*known, *unknown]


def row(rng: random.Random, index: int, names: list[str]) -> dict[str, str]:
    organisation = rng.randrange(len(names))
    assessments = [_weighted(rng, ASSESSMENTS) for _ in range(rng.choice([0, 1, 1, 2]))]
    return {
        "name": f"Voorbeeldalgoritme {index}",
        "organization": names[organisation],
        "description_short": _sentence(rng, 25),
        "category": ", ".join(rng.sample(THEMES, rng.choice([1, 1, 2]))),
        "website": f"https://voorbeeld{organisation}.example/algoritmes/{index}" if rng.random() < 0.6 else "",
        "status": _weighted(rng, STATUSES),
        "goal": _sentence(rng, 40),
        "proportionality": _sentence(rng, 30) if rng.random() < 0.7 else "",
        "lawful_basis": _sentence(rng, 12) if rng.random() < 0.5 else "",
        "standard_version": "1.0",
        "url": "",
        "contact_email": f"algoritmes@voorbeeld{organisation}.example",
        "lang": "nld",
        "publiccode": "",
        "source_data": _sentence(rng, 15),
        "methods_and_models": _sentence(rng, 30),
        "human_intervention": _sentence(rng, 20),
        "risks": _sentence(rng, 25),
        "provider": rng.choice(["", "Voorbeeldleverancier B.V.", "Fictief Software B.V."]),
        "process_index_url": "",
        "tags": ", ".join(rng.sample(WORDS, 3)),
        "source_id": "",
        "begin_date": _date(rng),
        "end_date": _date(rng) if rng.random() < 0.06 else "",
        "impacttoetsen": "",
        "publication_category": _weighted(rng, CATEGORIES),
        "lawful_basis_grouping": _laws(rng),
        "impacttoetsen_grouping": ". ".join(f"{n}: {title}" for n, title in enumerate(assessments, 1)),
        "source_data_grouping": "",
        "algorithm_id": f"{10_000_000 + index:08d}",
    }


def generate(algorithms: int, path: Path, *, seed: int = 20261128) -> Path:
    """Write a register export of ``algorithms`` fictitious records to ``path``."""
    rng = random.Random(seed)
    names = organisation_names(min(200, max(1, algorithms // 8)))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        for index in range(algorithms):
            writer.writerow(row(rng, index, names))
    return path


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
