"""In-text references to other clauses of the same document ("依照本办法第八条", "Article 3 of these Measures").

A reference is internal unless it is tied to another instrument: Chinese 《…》第三条 (possibly
through a chain like 《…》第三条、第五条), 该法/同法/该条例 第三条; English "Article 3 of the
Commercial Banking Law" (anything "of …" except "of these/this …"). Ranges ("第八条至第十条",
"Articles 8 to 10") expand to every number in between.
"""
from __future__ import annotations

import re

from .numerals import CHINESE_NUMERAL_CHARS, to_int

__all__ = ["article_refs", "paren_refs"]

_N = f"(?:[{CHINESE_NUMERAL_CHARS}]+|\\d+)"
_ZH_ARTICLE = re.compile(rf"第({_N})[条條]")
_ZH_CHAIN = re.compile(rf"(?:第{_N}[条條款项項]|[、和及与與或至到\s])*$")
_ZH_EXTERNAL_BEFORE = re.compile(r"(?:》|该法|該法|同法|该条例|該條例|该办法|該辦法|该规定|該規定|上述法律|上述规定|上述規定)$")
_ZH_RANGE_BETWEEN = re.compile(r"^\s*(?:至|到|—|－|-|~|～)\s*$")

_EN_ARTICLE = re.compile(
    r"\bArticles?\s+(\d+)((?:\s*(?:,|and|or|to|through|-|–)\s*(?:Article\s+)?\d+\b)*)"
    r"(?:\s*(?:\((?:\d+|[a-z])\)|,?\s*(?:paragraph|item)\s+\(?\w+\)?))*"
    r"(\s+of\s+(?:the\s+)?(\w+))?",
    re.IGNORECASE,
)
_EN_PAREN = re.compile(
    r"\b(?:clauses?|paragraphs?|points?)\s+\((\d+)\)((?:\s*(?:,|and|or|to|through|-|–)\s*\(\d+\))*)",
    re.IGNORECASE,
)
_ZH_PAREN = re.compile(rf"第[（(]({_N})[）)](?:条|條|项|項|款|部分)?|本意见[（(]({_N})[）)]")
_MAX_RANGE = 30


def article_refs(text: str) -> list[int]:
    """Numbers of articles of this document cited in ``text`` (第八条 / Article 8), in order, unique."""
    found: list[int] = []
    prev_end = -1
    prev_internal = False
    prev_number = 0
    for m in _ZH_ARTICLE.finditer(text):
        number = to_int(m.group(1))
        before = text[max(0, m.start() - 80): m.start()]
        chain = _ZH_CHAIN.search(before)
        head = before[: chain.start()] if chain else before
        internal = not _ZH_EXTERNAL_BEFORE.search(head.rstrip())
        if internal:
            between = text[prev_end: m.start()] if prev_end >= 0 else ""
            if prev_internal and _ZH_RANGE_BETWEEN.match(between) and 0 < number - prev_number <= _MAX_RANGE:
                found.extend(range(prev_number + 1, number))
            found.append(number)
        prev_end, prev_internal, prev_number = m.end(), internal, number
    for m in _EN_ARTICLE.finditer(text):
        tail_word = (m.group(4) or "").lower()
        if m.group(3) and tail_word not in ("these", "this"):
            continue
        found.extend(_en_numbers(m.group(1), m.group(2)))
    return _unique(found)


def paren_refs(text: str) -> list[int]:
    """Numbers of list-numbered clauses cited in ``text`` ("under clause (5)", "第（五）项")."""
    found: list[int] = []
    for m in _EN_PAREN.finditer(text):
        found.extend(_en_numbers(m.group(1), m.group(2).replace("(", " ").replace(")", " ")))
    for m in _ZH_PAREN.finditer(text):
        found.append(to_int(m.group(1) or m.group(2)))
    return _unique(found)


def _en_numbers(first: str, rest: str) -> list[int]:
    numbers = [int(first)]
    for m in re.finditer(r"(,|and|or|to|through|-|–)\s*(?:Article\s+)?(\d+)", rest, re.IGNORECASE):
        n = int(m.group(2))
        if m.group(1).lower() in ("to", "through", "-", "–") and 0 < n - numbers[-1] <= _MAX_RANGE:
            numbers.extend(range(numbers[-1] + 1, n))
        numbers.append(n)
    return numbers


def _unique(numbers: list[int]) -> list[int]:
    return list(dict.fromkeys(numbers))
