"""What the citation grammar needs of a legal-basis text besides law names and article references.

- :func:`normalise`: HTML entities decoded, and words the register's CSV export glued together split again
  (``Participation ActArticle 45``, ``(Awb)General``, ``1968Archives``, ``IOAZBasis``);
- :func:`eu_acts`: EU acts cited by number (``Verordening (EU) nr. 904/2010``, ``Regulation (EU) No 2021/2116;
  2021/2115``, ``Directive 95/46/EC``), each a CELEX number;
- :func:`unknown_names`: phrases that look like a law's name (``Kingdom Act``, ``Regeling SUWI``,
  ``Leerplichtwet``) but are not in the gazetteer: an article never attaches across one of them;
- :func:`is_separator`: text that ends a citation (``;``, a line break, the end of a sentence).
"""

import html
import re
from dataclasses import dataclass

# Where the export glued two lines, a line break is put back: it ends a citation as the original one did.
_GLUED = (
    (re.compile(r"(?<=[\w)])(?=(?:Sections?|Articles?|Chapters?)(?:\s|\d))"), "\n"),
    (re.compile(r"(?<![A-Za-z])(Act|Decree|Code|Regulations?|Directive)(?=[A-Z][a-z]|[A-Z]{2})"), "\\1\n"),
    (re.compile(r"\)(?=[A-Z])"), ")\n"),
    (re.compile(r"(?<=[\w])\.(?=[A-Z][a-z])"), ".\n"),
    (re.compile(r"(?<=\d{4})(?=[A-Z][a-z])"), "\n"),
    (re.compile(r"(?<=[A-Z]{2})(?=[A-Z][a-z]{2,})"), "\n"),
    (re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z]{2,})"), "\n"),
)
_EU_ACT = re.compile(
    r"(?<![\w-])(?:(?:Council|Commission|Delegated|Implementing|Gedelegeerde|Uitvoerings)\s+)*"
    r"(Regulation|Directive|Decision|Verordening|Uitvoeringsverordening|Richtlijn|Besluit)\s*"
    r"\((?:EU|EC|EG|EEG|EEC|Euratom)\)\s*(?:No\.?\s*|nr\.?\s*|Nr\.?\s*)?(\d{1,4}/\d{1,4})(?![\w/])",
    re.I,
)
_EU_MORE = re.compile(r"\s*[;,]\s*(?:(?:and|en)\s+)?(\d{1,4}/\d{1,4})(?![\w/])")
_OLD_DIRECTIVE = re.compile(r"(?<![\w-])(Directive|Richtlijn)\s+(\d{2,4})/(\d{1,4})/(?:EC|EG|EU|EEC|EEG)(?![\w])", re.I)
_LETTER = {"regulation": "R", "verordening": "R", "uitvoeringsverordening": "R", "directive": "L", "richtlijn": "L"}
_LAW_WORD_EN = re.compile(
    r"(?<![\w-])(?:(?:Act|Code|Directive|Convention|Treaty|Charter)(?![a-z])|(?:Decree|Regulations?)(?!s))"
)
_LAW_WORDS = {"Act", "Code", "Directive", "Convention", "Treaty", "Charter", "Decree", "Regulation", "Regulations"}
_CAPITALISED = re.compile(r"[A-Z(][\w'\u2019()-]*$")
_CONNECTOR = {"of", "and", "for", "on", "the", "in", "to"}
_LAW_START_NL = re.compile(
    r"(?<![\w-])(?:Wet|Besluit|Regeling|Reglement|Uitvoeringsregeling|Uitvoeringsbesluit|Wetboek|Verdrag)"
    r"(?:\s+(?!(?:staat|staan|is|zijn|wordt|worden|dat|die|geeft|bepaalt|regelt|en|of|in|voor|met|om|te|bij|als)"
    r"(?![\w-]))(?:[a-z\u00e0-\u00ff][\w'\u2019-]*|\d{4}|[A-Z]{2,}\w*)){1,5}"
)
_COMPOUND_NL = re.compile(r"(?<![\w-])[A-Z][a-zà-ÿ]{3,}(?:wet|besluit|regeling|reglement)(?:\s+\d{4})?(?![\w-])")
_DASH = re.compile(r"[-\u2013\u2014]\s")  # a dash before a space: a bullet or a clause, not a hyphen
_SENTENCE_END = re.compile(r"(?<!\bart)(?<!\bnr)(?<!\bjo)(?<!\bNo)(?<!\bno)\.(?:\s+[A-Z(]|\s*$)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class EuAct(Span):
    celex: str


def normalise(text: str) -> str:
    """The text as the grammar reads it.

    >>> normalise("Participation ActArticle 62 SUWI Act; General Administrative Law Act (Awb)General State Taxes Act")
    'Participation Act\\nArticle 62 SUWI Act; General Administrative Law Act (Awb)\\nGeneral State Taxes Act'
    """
    text = html.unescape(text).replace("\u00a0", " ").replace("\u2011", "-")
    for pattern, replacement in _GLUED:
        text = pattern.sub(replacement, text)
    return text


def eu_acts(text: str) -> list[EuAct]:
    """EU acts cited by number, each as a CELEX number; a list after one "Regulation (EU) No" shares its kind.

    >>> [act.celex for act in eu_acts("Regulation (EU) No 2021/2116; 1308/2013 and Directive 95/46/EC")]
    ['32021R2116', '32013R1308', '31995L0046']
    """
    found: list[EuAct] = []
    for match in _EU_ACT.finditer(text):
        letter = _LETTER.get(match.group(1).lower(), "D")
        found.append(_act(text, match.start(), match.end(), match.group(2), letter))
        end = match.end()
        while more := _EU_MORE.match(text, end):
            found.append(_act(text, more.start(1), more.end(1), more.group(1), letter))
            end = more.end()
    for match in _OLD_DIRECTIVE.finditer(text):
        year = int(match.group(2))
        year += 1900 if year < 100 and year >= 50 else 2000 if year < 100 else 0
        found.append(EuAct(match.start(), match.end(), match.group(0), f"3{year}L{int(match.group(3)):04d}"))
    return [act for act in found if act.celex]


def _act(text: str, start: int, end: int, number: str, letter: str) -> EuAct:
    first, second = number.split("/")
    if len(first) == 4 and 1950 <= int(first) <= 2099 and not (len(second) == 4 and 1950 <= int(second) <= 2014):
        year, serial = int(first), int(second)
    elif len(second) == 4 and 1950 <= int(second) <= 2099:
        year, serial = int(second), int(first)
    else:
        return EuAct(start, end, text[start:end], "")
    return EuAct(start, end, text[start:end], f"3{year}{letter}{serial:04d}")


def unknown_names(text: str, taken: list[tuple[int, int]]) -> list[Span]:
    """Phrases that look like a law's name but overlap nothing in ``taken`` (the spans already read as laws)."""
    found: list[Span] = []
    for match in _LAW_WORD_EN.finditer(text):
        start = _english_start(text, match.start())
        if start is not None:
            found.append(Span(start, match.end(), text[start : match.end()]))
    for pattern in (_LAW_START_NL, _COMPOUND_NL):
        found += [Span(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]
    kept: list[Span] = []
    for span in sorted(found, key=lambda s: (s.start, -(s.end - s.start))):
        if any(start < span.end and span.start < end for start, end in taken):
            continue
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


def _english_start(text: str, law_word: int) -> int | None:
    """Where the capitalised name before "Act" begins ("Kingdom Act", "Passport Implementation Regulations")."""
    words = list(re.finditer(r"\S+", text[max(0, law_word - 160) : law_word]))
    offset = max(0, law_word - 160)
    start = None
    for word in reversed(words[-14:]):
        value = word.group(0)
        if value in _LAW_WORDS:
            break
        if _CAPITALISED.match(value) and not value.endswith((".", ";", ":")):
            if not value.startswith("("):  # "(SUWI)" may stand inside a name, never begin it
                start = offset + word.start()
        elif value in _CONNECTOR and start is not None:
            continue
        else:
            break
    return start


def is_separator(gap: str) -> bool:
    """Whether the text between two citation parts ends a citation (``;``, a line break, a sentence end)."""
    return ";" in gap or "\n" in gap or "•" in gap or bool(_SENTENCE_END.search(gap) or _DASH.search(gap))
