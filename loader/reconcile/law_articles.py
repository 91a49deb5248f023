"""Article references in Dutch and English legal text: ``art. 5 en 6``, ``artikel 64, eerste lid, onder k``,
``Section 64(1)(c) and (14)``, ``artikelen 59 tot en met 61``, ``Article 2 paragraph 3 sub a``, ``hoofdstuk 5``.

:func:`article_groups` finds every run of references that starts with a keyword (artikel, art., artt.,
Article, Section, §; hoofdstuk, Chapter for chapters) and reads its list: numbers (``3:40``, ``13b``,
``2.67``, ``6:6:23a``, ``D1``), paragraphs (``lid 3``, ``leden 1 en 3``, ``eerste en tweede lid``,
``(1)``, ``4th paragraph``), points (``onder c``, ``sub c``, ``aanhef en onderdeel h``, ``(e)``), ``jo lid 6``,
lists (``,``, ``en``, ``and``, ``&``) and ranges (``5-7``, ``5 t/m 7``, ``3:1 tot en met 3:5``). Which law a
group belongs to is the citation grammar's business (:mod:`loader.reconcile.law_citations`).
"""

import re
from dataclasses import dataclass

_ORDINALS = {
    "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7, "achtste": 8,
    "negende": 9, "tiende": 10, "elfde": 11, "twaalfde": 12, "dertiende": 13, "veertiende": 14, "vijftiende": 15,
    "zestiende": 16, "zeventiende": 17, "achttiende": 18, "negentiende": 19, "twintigste": 20, "first": 1,
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_ORDINAL = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_MAX_RANGE = 30  # a longer "range" is more likely a misreading than a citation of 30 articles

_ARTICLE_KEYWORD = re.compile(
    r"(?<![\w-])(?:artikelen|artikel|artt?\.|art(?![\w-])|articles?|arts?\.|sections?|§§?)\s*", re.I
)
_CHAPTER_KEYWORD = re.compile(r"(?<![\w-])(?:hoofdstukken|hoofdstuk|chapters?)\s+", re.I)
_NUMBER = re.compile(r"(\d{1,4}(?::\d{1,4}){0,3}[a-zA-Z]{0,3}(?:\.\d{1,3}[a-z]{0,2}){0,2})(?![\w/]|\.\d)")
_LETTER_NUMBER = re.compile(r"([A-Z]{1,2}\s?\d{1,3}[a-z]?)(?![\w/])")  # Kieswet-style: D1, J 7
_CHAPTER_NUMBER = re.compile(r"(\d{1,3}[a-zA-Z]?|[IVXL]{1,6})(?![\w/])")
_PARENS = re.compile(r"\s*\(\s*(\d{1,3}[a-z]?|[a-z]{1,2}|[ivx]{1,4})(?:\s*[-\u2013]\s*(\d{1,3}))?\s*\)")
_LID = re.compile(
    r"\s*,?\s*(?:lid\s+(\d{1,3})|leden\s+(\d{1,3})((?:\s*(?:,|en)\s*\d{1,3}(?![\w:.]))*))(?![\w:.])", re.I
)
_ORDINAL_LID = re.compile(rf"\s*,?\s*((?:{_ORDINAL})(?:\s*(?:,|en)\s*(?:{_ORDINAL}))*)\s+(?:lid|leden)(?![\w-])", re.I)
_NUMBERED_LID = re.compile(r"\s*,?\s*(\d{1,3})(?:e|de|ste)\s+lid(?![\w-])", re.I)
_PARAGRAPH = re.compile(
    r"\s*,?\s*(?:(?:paragraph|para\.)\s+(\d{1,3})|paragraphs\s+(\d{1,3})((?:\s*(?:,|and|&)\s*\d{1,3}(?![\w:.]))*))"
    r"(?![\w:.])",
    re.I,
)
_ORDINAL_PARAGRAPH = re.compile(rf"\s*,?\s*(?:(\d{{1,2}})(?:st|nd|rd|th)|({_ORDINAL}))\s+paragraph(?![\w-])", re.I)
_POINT = re.compile(
    r"\s*,?\s*(?:aanhef\s+en\s+)?(?:onder|sub|onderdeel|letter|point|under)\s+\(?([a-z]{1,2}|\d{1,2})°?\)?(?![\w-])"
    r"(?:\s+(?:onder|under)\s+\d{1,2}°?(?![\w-]))?",
    re.I,
)
_JUNCTO = re.compile(rf"\s*(?:jo\.?|juncto|j°)\s+(?:lid\s+(\d{{1,3}})|({_ORDINAL})\s+lid)(?![\w-])", re.I)
_LIST = re.compile(r"\s*(?:,\s*(?:(?:en|and)(?![\w/])|&)?|(?:en|and)(?![\w/])|&)\s*", re.I)
_RANGE = re.compile(r"\s*(?:-|\u2013|t/m|tot en met|to|through)\s*", re.I)


@dataclass(frozen=True)
class ArticleRef:
    """One article, optionally one of its paragraphs (lid) and one point (onderdeel) of that."""

    article: str
    paragraph: str | None = None
    point: str | None = None


@dataclass(frozen=True)
class ArticleGroup:
    """References read from one run of text: ``start``/``end`` cover the keyword and the whole list."""

    start: int
    end: int
    refs: tuple[ArticleRef, ...]
    chapter: bool = False


def article_groups(text: str) -> list[ArticleGroup]:
    """Every run of article and chapter references in ``text``, in order.

    >>> [r.article for g in article_groups("art. 5 en 6 AVG") for r in g.refs]
    ['5', '6']
    >>> article_groups("artikel 2.43, eerste lid, onder c")[0].refs
    (ArticleRef(article='2.43', paragraph='1', point='c'),)
    """
    groups: list[ArticleGroup] = []
    position = 0
    while True:
        article = _ARTICLE_KEYWORD.search(text, position)
        chapter = _CHAPTER_KEYWORD.search(text, position)
        found = min((m for m in (article, chapter) if m), key=lambda m: m.start(), default=None)
        if found is None:
            return groups
        is_chapter = found is chapter
        refs, end = (_chapters if is_chapter else _articles)(text, found.end())
        if refs:
            groups.append(ArticleGroup(found.start(), end, tuple(dict.fromkeys(refs)), is_chapter))
            position = end
        else:
            position = found.end()


def _number(text: str, position: int, *, letters: bool) -> re.Match[str] | None:
    return _NUMBER.match(text, position) or (_LETTER_NUMBER.match(text, position) if letters else None)


def _articles(text: str, position: int) -> tuple[list[ArticleRef], int]:
    refs: list[ArticleRef] = []
    number = _number(text, position, letters=True)
    end = position
    while number is not None:
        article = _clean(number.group(1))
        end = number.end()
        ranged = _RANGE.match(text, end)
        upper = _NUMBER.match(text, ranged.end()) if ranged else None
        expanded = _expand(article, _clean(upper.group(1))) if upper else []
        if expanded:
            refs += [ArticleRef(item) for item in expanded]
            end = upper.end()  # type: ignore[union-attr]
        else:
            subdivisions, end = _subdivisions(text, end)
            refs += [ArticleRef(article, paragraph, point) for paragraph, point in subdivisions or [(None, None)]]
            # ", en twaalfde lid" / "and (14)": another paragraph of the same article.
            while True:
                extra, after = _more_paragraphs(text, end)
                if not extra:
                    break
                refs += [ArticleRef(article, paragraph, point) for paragraph, point in extra]
                end = after
        number = _next_number(text, end)
    return refs, end


def _next_number(text: str, position: int) -> re.Match[str] | None:
    """The next number of a list (``, 9``, `` en 10``, ``, en artikel 68``, ``, Section 68``)."""
    separator = _LIST.match(text, position)
    if separator is None or separator.end() == position:
        return None
    keyword = _ARTICLE_KEYWORD.match(text, separator.end())
    return _number(text, keyword.end() if keyword else separator.end(), letters=keyword is not None)


def _more_paragraphs(text: str, position: int) -> tuple[list[tuple[str | None, str | None]], int]:
    separator = _LIST.match(text, position)
    if separator is None or separator.end() == position:
        return [], position
    subdivisions, end = _subdivisions(text, separator.end())
    return (subdivisions, end) if subdivisions else ([], position)


def _subdivisions(text: str, position: int) -> tuple[list[tuple[str | None, str | None]], int]:
    """Paragraphs and points right after an article number: ``[(paragraph, point), …]`` and where they end.

    A point belongs to the paragraph it follows: "eerste en tweede lid, aanhef en onderdeel h" is 1 and 2(h),
    "lid 3 onder b jo lid 6" is 3(b) and 6.
    """
    pairs: list[list[str | None]] = []
    end = position
    while True:
        if match := _PARENS.match(text, end):
            value, upper = match.group(1), match.group(2)
            if value[0].isdigit() and not pairs:
                pairs += [[item, None] for item in ((_expand(value, upper) or [value]) if upper else [value])]
            elif value[0].isdigit() or (pairs and pairs[-1][1] is not None):
                break
            elif pairs:
                pairs[-1][1] = value
            else:
                pairs.append([None, value])
        elif (match := _LID.match(text, end) or _PARAGRAPH.match(text, end)) and not pairs:
            numbers = [match.group(1)] if match.group(1) else [match.group(2), *re.findall(r"\d{1,3}", match.group(3))]
            pairs += [[item, None] for item in numbers]
        elif (match := _ORDINAL_LID.match(text, end)) and not pairs:
            words = re.findall(_ORDINAL, match.group(1), re.I)
            pairs += [[str(_ORDINALS[word.lower()]), None] for word in words]
        elif (match := _NUMBERED_LID.match(text, end)) and not pairs:
            pairs.append([match.group(1), None])
        elif (match := _ORDINAL_PARAGRAPH.match(text, end)) and not pairs:
            pairs.append([match.group(1) or str(_ORDINALS[match.group(2).lower()]), None])
        elif (match := _POINT.match(text, end)) and not (pairs and pairs[-1][1] is not None):
            if pairs:
                pairs[-1][1] = match.group(1).lower()
            else:
                pairs.append([None, match.group(1).lower()])
        elif (match := _JUNCTO.match(text, end)) and pairs and pairs[-1][0] is not None:
            pairs.append([match.group(1) or str(_ORDINALS[match.group(2).lower()]), None])
        else:
            break
        end = match.end()
    return [(paragraph, point) for paragraph, point in pairs], end


def _chapters(text: str, position: int) -> tuple[list[ArticleRef], int]:
    refs: list[ArticleRef] = []
    end = position
    while number := _CHAPTER_NUMBER.match(text, end):
        refs.append(ArticleRef(number.group(1)))
        end = number.end()
        separator = _LIST.match(text, end)
        if separator is None or separator.end() == end or not _CHAPTER_NUMBER.match(text, separator.end()):
            break
        end = separator.end()
    return refs, end


def _clean(number: str) -> str:
    return re.sub(r"\s+", "", number).lower() if not number[0].isalpha() else re.sub(r"\s+", "", number)


def _expand(low: str, high: str) -> list[str]:
    """``5``..``7`` or ``3:1``..``3:5``: every number between, when both share their prefix and the span is short."""
    low_parts, high_parts = re.fullmatch(r"(.*?)(\d+)", low), re.fullmatch(r"(.*?)(\d+)", high)
    if low_parts is None or high_parts is None or low_parts.group(1) != high_parts.group(1):
        return []
    prefix, first, last = low_parts.group(1), int(low_parts.group(2)), int(high_parts.group(2))
    if not 0 < last - first <= _MAX_RANGE:
        return []
    return [f"{prefix}{value}" for value in range(first, last + 1)]
