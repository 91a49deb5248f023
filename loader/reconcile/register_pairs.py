"""Law names the register teaches: a grouped item's title paired with the law its link identifies.

``1: Regeling Participatiewet, Ioaw, Ioaz, https://wetten.overheid.nl/BWBR0015738`` teaches that title for
BWBR0015738, so the same title in free text elsewhere resolves to it. Only titles that look like a law's
name are learned (a law word, no article, no other law's name in them: never "wetgeving" or "AVG"), and only
when every item with that title links the same law. The pairs come from the data being loaded and from the
sources already in the store (whose statutory bases record ``akg:linkIdentifies``). The most cited title of
a law the gazetteer cannot name is its stand-in name, marked as the register's.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from loader.reconcile.law_articles import article_groups
from loader.reconcile.law_gazetteer import Gazetteer, celex_from_eli
from loader.reconcile.local_regulations import local_mentions

_LAW_WORD = re.compile(
    r"(?i)(?:wet|besluit|regeling|reglement|wetboek|richtlijn|(?<![\w-])(?:act|decree|regulation|code|directive))(?![\w-])"
    r"|(?i:wet)(?:\s+\d{4})?$"
)
_BWB_LAW = re.compile(r"/id/law/bwb/(BWB[RV]\d{7})$")
_PAIRS = """
PREFIX akg: <https://w3id.org/algokg/def#>
SELECT ?title ?law WHERE { GRAPH ?g { ?basis akg:linkIdentifies ?law ; akg:citationTitle ?title } }
"""


@dataclass
class RegisterPairs:
    """``names``: title -> law id (learned); ``cited_titles``: law id -> the title the register cites most."""

    names: dict[str, str] = field(default_factory=dict)
    cited_titles: dict[str, str] = field(default_factory=dict)

    def apply(self, gazetteer: Gazetteer) -> Gazetteer:
        return gazetteer.with_pairs(self.names, self.cited_titles) if self.names or self.cited_titles else gazetteer


def clean_title(title: str) -> str:
    return " ".join(title.split()).strip(" .,;:")


def learnable(title: str, gazetteer: Gazetteer) -> bool:
    """Whether a title may name a law by itself (see the module docstring)."""
    if not 6 <= len(title) <= 250 or not _LAW_WORD.search(title):
        return False
    if article_groups(title) or local_mentions(title):
        return False
    return not any(True for _ in gazetteer.scan(title))


def learn(pairs: Iterable[tuple[str, str]], gazetteer: Gazetteer) -> RegisterPairs:
    """Pairs of (item title, law id its link identifies) -> the names worth learning and the cited titles."""
    laws_of: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for raw, law_id in pairs:
        title = clean_title(raw)
        if not learnable(title, gazetteer):
            continue
        laws_of[title.casefold()].add(law_id)
        counts[law_id][title] += 1
    names = {title: law for title, laws in laws_of.items() if len(laws) == 1 for law in laws}
    cited = {
        law_id: counter.most_common(1)[0][0]
        for law_id, counter in counts.items()
        if any(laws_of[title.casefold()] == {law_id} for title in counter)
    }
    return RegisterPairs({t: law for t, law in names.items()}, cited)


def pairs_in_store(store_dir: Path) -> list[tuple[str, str]]:
    """(title, law id) of every statutory basis in the store whose link identified a law; none without a store."""
    from loader.errors import StoreError
    from loader.store import open_store

    try:
        store = open_store(store_dir)
    except StoreError:
        return []
    found = []
    for row in store.query(_PAIRS):
        law = row["law"].value
        match = _BWB_LAW.search(law)
        law_id = match.group(1) if match else celex_from_eli(law)
        if law_id:
            found.append((row["title"].value, law_id))
    return found
