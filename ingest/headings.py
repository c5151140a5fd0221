"""The heading of a clause: a bracketed title, a short title line, or a short first sentence."""
from __future__ import annotations

import re

__all__ = ["clause_title", "is_heading_line", "first_sentence"]

_END_PUNCT = "。.；;：:！!？?，,"
_BRACKET_TITLE = re.compile(r"^【([^】\n]{1,40})】")
_PAREN_TITLE = re.compile(r"^[（(]([^）)\n]{1,30})[）)]")
_EN_ABBREVIATIONS = ("No.", "Art.", "e.g.", "i.e.", "etc.", "Co.", "Ltd.", "Mr.", "Ms.", "Dr.", "St.", "U.S.", "vs.", "para.")
_MAX_ZH_TITLE = 40
_MAX_EN_TITLE_WORDS = 20


def is_heading_line(line: str, lang: str) -> bool:
    """A short line without closing punctuation, as a title printed on its own line."""
    line = line.strip()
    if not line or line[-1] in _END_PUNCT:
        return False
    return len(line) <= 30 if lang == "zh" else len(line.split()) <= 15


def first_sentence(text: str, lang: str) -> str:
    """The first sentence of the first line, with its closing punctuation ("" if the line has only one)."""
    line = text.split("\n", 1)[0]
    if lang == "zh":
        m = re.search(r"[。！？]", line)
        return line[: m.end()] if m and m.end() < len(line) else ""
    for m in re.finditer(r"[.!?](?=\s)", line):
        head = line[: m.end()]
        if head.endswith(_EN_ABBREVIATIONS) or re.search(r"\b[A-Z]\.$", head):
            continue
        return head
    return ""


def clause_title(text: str, lang: str, *, sentence_titles: bool) -> str:
    """The clause's title, or "" when it has none.

    In order: a bracketed title (【适用范围】, and for articles "（适用范围）"/"(Scope)"); a first line that
    is a heading (short, no closing punctuation) followed by more text; and, when
    ``sentence_titles`` (list-numbered clauses such as the Opinions' "(18) Optimizing rural basic
    financial services. …"), a short first sentence without commas that is followed by more text.
    """
    text = text.strip()
    m = _BRACKET_TITLE.match(text)
    if m:
        return m.group(1).strip()
    if not sentence_titles:
        m = _PAREN_TITLE.match(text)
        if m and not re.fullmatch(r"[\d一二三四五六七八九十a-zA-Z]+", m.group(1)):
            return m.group(1).strip()
    first, _, rest = text.partition("\n")
    if rest.strip() and is_heading_line(first, lang):
        return first.strip()
    if not sentence_titles:
        return ""
    sentence = first_sentence(text, lang)
    if not sentence:
        return ""
    body = sentence[:-1]
    if lang == "zh":
        ok = len(sentence) <= _MAX_ZH_TITLE and not re.search(r"[，；：,;:]", body)
    else:
        ok = len(sentence.split()) <= _MAX_EN_TITLE_WORDS and not re.search(r"[,;:]", body)
    return sentence if ok else ""
