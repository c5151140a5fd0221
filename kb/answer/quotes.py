"""Verbatim quoting: locating sentences and fragments inside a clause's text, exactly as written."""
from __future__ import annotations

import re
from functools import lru_cache

from policykb.kb.index.sentences import split_sentences

__all__ = ["locate", "clause_sentences", "lead_span", "is_heading", "with_content"]

_MAX_FUZZY_CHARS = 2000
# A sentence this short is a heading ("Assisting 26 mountainous counties.", "深化小微金融服务。"), not content.
_HEADING_WORDS = 6
_HEADING_CJK = 12
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def locate(text: str, fragment: str) -> str | None:
    """The span of ``text`` that ``fragment`` stands for, verbatim, or None.

    An exact substring is returned as is. Otherwise whitespace differences (a line break
    where the fragment has a space, or none at all between Chinese characters) are
    tolerated and the span is returned as the text writes it.
    """
    fragment = fragment.strip()
    if not fragment:
        return None
    if fragment in text:
        return fragment
    if len(fragment) > _MAX_FUZZY_CHARS:
        return None
    chars = [c for c in fragment if not c.isspace()]
    if not chars:
        return None
    pattern = r"\s*".join(re.escape(c) for c in chars)
    match = re.search(pattern, text)
    return match.group(0) if match else None


@lru_cache(maxsize=512)
def clause_sentences(text: str) -> tuple[tuple[str, int], ...]:
    """The sentences of a clause text as verbatim spans with their start offsets, in order."""
    out: list[tuple[str, int]] = []
    cursor = 0
    for sentence in split_sentences(text):
        span = locate(text[cursor:], sentence)
        if span is None:
            continue
        start = text.index(span, cursor)
        out.append((span, start))
        cursor = start + len(span)
    return tuple(out)


def lead_span(text: str, max_chars: int, min_sentences: int = 1) -> str:
    """The clause's opening sentences as one verbatim span of at most ``max_chars`` (at least ``min_sentences``)."""
    sentences = clause_sentences(text)
    if not sentences:
        return text[:max_chars].strip()
    end = 0
    for i, (span, start) in enumerate(sentences):
        stop = start + len(span)
        if i >= min_sentences and stop > max_chars:
            break
        end = stop
    return text[:end].strip()


def is_heading(span: str, title: str = "") -> bool:
    """True for a sentence that only heads what follows: the clause's title, or a short verbless-length line."""
    squashed = "".join(span.split())
    if title and squashed == "".join(title.split()):
        return True
    cjk = len(_CJK_RE.findall(span))
    if cjk:
        return cjk <= _HEADING_CJK
    return len(re.findall(r"[A-Za-z0-9]+", span)) <= _HEADING_WORDS


def with_content(text: str, span: str, title: str = "") -> str:
    """``span`` (a sentence of ``text``), extended over the sentence after it while it is only a heading."""
    sentences = clause_sentences(text)
    for i, (sentence, start) in enumerate(sentences):
        if sentence == span or start == text.find(span):
            j = i
            while j + 1 < len(sentences) and is_heading(sentences[j][0], title):
                j += 1
            return text[start: sentences[j][1] + len(sentences[j][0])]
    return span
