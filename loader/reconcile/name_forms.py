"""How organisation names are written: type words, place-name variants, English renderings, compounds.

The register names one body in many ways: "Gemeente Midden-Groningen", "Municipality of Central Groningen",
"Bergen (L)" for the list's "Gemeente Bergen (L.)", "Cooperation Kempen municipalities" for "Samenwerking
Kempengemeenten". :func:`parse` turns a name into the keys the matcher compares (its type, its words with and
without the parenthesised qualifier, the words run together); :func:`to_dutch` renders the words of an English
name with a small glossary of the words such names are made of (a place's compass part, "and", the words of
a body's kind). Nothing here decides a match: the matcher takes a key only when it names one known body.
"""

import html
import re
import unicodedata
from dataclasses import dataclass

# Words that only say what kind of body it is (before or after the name), and the organisation type they
# imply (a notation of the organisation-type scheme). Longer forms first.
TYPE_WORDS = (
    ("regional environment agency", "omgevingsdienst"),
    ("environmental department", "omgevingsdienst"),
    ("environmental service", "omgevingsdienst"),
    ("environment agency", "omgevingsdienst"),
    ("omgevingsdienst", "omgevingsdienst"),
    ("rud", "omgevingsdienst"),
    ("veiligheidsregio", "veiligheidsregio"),
    ("safety region", "veiligheidsregio"),
    ("municipality of", "gemeente"),
    ("municipality", "gemeente"),
    ("city council", "gemeente"),
    ("gemeente", "gemeente"),
    ("province of", "provincie"),
    ("provincie", "provincie"),
    ("province", "provincie"),
    ("hoogheemraadschap van", "waterschap"),
    ("hoogheemraadschap", "waterschap"),
    ("water board", "waterschap"),
    ("waterschap", "waterschap"),
    ("ministerie van", "ministerie"),
    ("ministry of", "ministerie"),
    ("ministerie", "ministerie"),
)
# Joint arrangements the lists split by kind: a name that says "omgevingsdienst" may be listed as a plain
# samenwerkingsorganisatie (TOOI path "so") by a list that does not split them.
JOINT_KINDS = frozenset({"omgevingsdienst", "veiligheidsregio"})
# Other spellings of the same place, after normalisation (official name <-> common name).
PLACE_ALIASES = {"s gravenhage": "den haag", "the hague": "den haag", "den bosch": "s hertogenbosch"}
LEADING_ARTICLES = ("de ", "the ", "het ")
# English words of organisation names and their Dutch counterparts (after case and accent folding): the
# compass parts of place names, "and", and the words bodies' names are made of. Only whole words are
# replaced; a name matches only if the Dutch words then name exactly one known body.
GLOSSARY = {
    "central": "midden",
    "middle": "midden",
    "north": "noord",
    "south": "zuid",
    "east": "oost",
    "northeast": "noordoost",
    "northwest": "noordwest",
    "southeast": "zuidoost",
    "southwest": "zuidwest",
    "friesland": "fryslan",
    "and": "en",
    "region": "regio",
    "area": "gebied",
    "sea": "zee",
    "canal": "kanaal",
    "municipalities": "gemeenten",
    "cooperation": "samenwerking",
    "police": "politie",
    "authority": "autoriteit",
    "consumer": "consument",
    "market": "markt",
    "mining": "mijnbouw",
    "damage": "schade",
    "institute": "instituut",
    "service": "dienst",
    "surcharges": "toeslagen",
    "allowances": "toeslagen",
    "inspectorate": "inspectie",
    "education": "onderwijs",
}
_PARENTHESISED = re.compile(r"\(([^)]*)\)")


@dataclass(frozen=True)
class ParsedName:
    """The keys of one name.

    :param kind: the organisation type its words imply, or ``None``.
    :param core: its words without type words, parenthesised parts, leading article.
    :param qualified: ``core`` with the parenthesised qualifiers kept ("bergen l" for "Bergen (L.)").
    :param acronyms: parenthesised parts that look like an acronym ("ACOI", "CvdM").
    """

    kind: str | None
    core: str
    qualified: str
    acronyms: tuple[str, ...] = ()

    @property
    def compact(self) -> str:
        """The core run together: "kempen gemeenten" and "kempengemeenten" are one key."""
        return self.core.replace(" ", "")


def clean(name: str) -> str:
    """A name as the register means it: HTML entities decoded ("Search &amp; Find"), spaces collapsed."""
    return " ".join(html.unescape(name).split())


def fold(text: str) -> str:
    """Case and accents do not tell names apart; punctuation separates words."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _strip_type(words: str) -> tuple[str | None, str]:
    for word, implied in TYPE_WORDS:
        if words.startswith(word + " ") or words.endswith(" " + word):
            return implied, words.removeprefix(word + " ").removesuffix(" " + word).strip()
    return None, words


def _without_article(text: str) -> str:
    if text in PLACE_ALIASES:
        return PLACE_ALIASES[text]
    for article in LEADING_ARTICLES:
        if text.startswith(article) and len(text) > len(article):
            text = text[len(article) :]
            break
    return PLACE_ALIASES.get(text, text)


def parse(name: str) -> ParsedName:
    """The keys of a name.

    >>> parse("Municipality of The Hague").core, parse("Gemeente 's-Gravenhage").core
    ('den haag', 'den haag')
    >>> parsed = parse("Gemeente Bergen (L.)")
    >>> (parsed.kind, parsed.core, parsed.qualified)
    ('gemeente', 'bergen', 'bergen l')
    >>> parse("Súdwest-Fryslân (gemeente)").kind
    'gemeente'
    >>> parse("Advisory Committee on Public Access (ACOI)").acronyms
    ('ACOI',)
    """
    text = clean(name)
    kind = None
    qualifiers: list[str] = []
    acronyms: list[str] = []
    for inner in _PARENTHESISED.findall(text):
        folded = fold(inner)
        implied = dict(TYPE_WORDS).get(folded)
        if implied:
            kind = kind or implied
            continue
        qualifiers.append(folded)
        letters = re.sub(r"[^\w]", "", inner)
        if 2 <= len(letters) <= 8 and sum(char.isupper() for char in letters) >= 2:
            acronyms.append(letters)
    words = fold(_PARENTHESISED.sub(" ", text)).split()
    if len(words) > 2 and words[0] == "".join(word[0] for word in words[1:]):
        words = words[1:]  # "CIZ Centrum Indicatiestelling Zorg": the acronym repeats the name
    implied, core = _strip_type(" ".join(words))
    kind = kind or implied
    core = _without_article(core)
    qualified = " ".join([core, *qualifiers]) if qualifiers else core
    return ParsedName(kind, core, qualified, tuple(acronyms))


def normalise(name: str) -> tuple[str | None, str]:
    """The type a name's wording implies (or ``None``) and its normalised core.

    >>> normalise("Municipality of The Hague")
    ('gemeente', 'den haag')
    >>> normalise("CIZ Centrum Indicatiestelling Zorg")
    (None, 'centrum indicatiestelling zorg')
    """
    parsed = parse(name)
    return parsed.kind, parsed.core


def to_dutch(core: str) -> str:
    """The words of a (normalised) English name in Dutch, word by word; words the glossary lacks stay.

    >>> to_dutch("central groningen"), to_dutch("consumer and market authority")
    ('midden groningen', 'consument en markt autoriteit')
    """
    return _without_article(" ".join(GLOSSARY.get(word, word) for word in core.split()))


def composes(words: list[str], target: list[str]) -> bool:
    """Whether ``target``'s words are ``words`` grouped into runs of neighbours, in any order.

    "Groningen Mining Damage Institute" in Dutch words is ``groningen mijnbouw schade instituut``; the
    list's "Instituut Mijnbouwschade Groningen" is ``instituut mijnbouwschade groningen``: every word of the
    list's name is one run of neighbouring words of the input, and every input word is used once.

    >>> composes(["samenwerking", "kempen", "gemeenten"], ["samenwerking", "kempengemeenten"])
    True
    >>> composes(["noord", "holland"], ["holland"])
    False
    """
    if sorted("".join(words)) != sorted("".join(target)):
        return False  # not the same letters: the common case, decided at once
    return _cover(words, [False] * len(words), sorted(target, key=len, reverse=True))


def _cover(words: list[str], used: list[bool], remaining: list[str]) -> bool:
    if not remaining:
        return all(used)
    first, rest = remaining[0], remaining[1:]
    for start in range(len(words)):
        joined = ""
        for end in range(start, len(words)):
            if used[end]:
                break
            joined += words[end]
            if len(joined) > len(first):
                break
            if joined == first:
                for index in range(start, end + 1):
                    used[index] = True
                if _cover(words, used, rest):
                    return True
                for index in range(start, end + 1):
                    used[index] = False
                break
    return False
