"""Naming what the text does not say: a question's phrase that no clause holds as a whole.

"What does the document say about carbon emission rights?" finds a clause about carbon emission
reduction and collateral rights: the answer must say that "carbon emission rights" is not in the
text before quoting the closest clause. Checked lexically over every clause of the KB:

- the question's glossary terms and names, in every rendering the glossary knows;
- in English, the phrase after "about" / "regarding" (two to four words); in Chinese, the phrase
  after "关于" / "对" when every clause of the KB is Chinese (else its absence says nothing).

A phrase is named only when no clause holds it (whole, or its parts close together in any order)
while the cited clauses hold every part of it: the partial match the answer could be mistaken for.
English words match with their inflections.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from policykb.kb.answer.evidence import CorpusStats, QueryTerms, tokens_of
from policykb.kb.retrieval.glossary import Glossary

__all__ = ["missing_phrases", "missing_note"]

_ABOUT_EN = re.compile(r"\b(?:about|regarding|concerning|on the subject of|say on|says on|provide on|mention|mentions)\s+(.+?)\s*[?.!]*\s*$", re.I)
_ABOUT_ZH = re.compile(r"(?:关于|对于|对)(.{2,16}?)(?:的规定|的要求|的安排|有什么|有哪些|有何|是怎么|是如何|怎么|如何|作了|做了|方面)")
_LEAD_EN = re.compile(r"^(?:the|a|an|any|some|its|their)\s+", re.I)
_STOP_EN = frozenset("the a an of for and or in on to with by any some its their this that these those".split())
_MAX_WORDS = 4  # a longer phrase is a paraphrase of the question, not a term the text could hold as such


def _content_words(phrase: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z0-9]+", phrase) if w.lower() not in _STOP_EN]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.lower().endswith(("s", "e", "y")) else word


_WINDOW = 4  # words (English) or characters (Chinese) a phrase's parts may spread beyond its own length


def _positions(stems: Sequence[str], words: Sequence[str]) -> list[list[int]]:
    return [[i for i, w in enumerate(words) if w.startswith(stem)] for stem in stems]


def _within(positions: list[list[int]], width: int) -> bool:
    """True when one occurrence of every part lies inside a window of ``width`` (any order)."""
    if any(not p for p in positions):
        return False
    events = sorted((pos, k) for k, plist in enumerate(positions) for pos in plist)
    counts: dict[int, int] = {}
    left = 0
    for pos, k in events:
        counts[k] = counts.get(k, 0) + 1
        while len(counts) == len(positions):
            if pos - events[left][0] <= width:
                return True
            kk = events[left][1]
            counts[kk] -= 1
            if not counts[kk]:
                del counts[kk]
            left += 1
    return False


def _held(term: str, text: str) -> bool:
    """The text holds the term: whole, or its parts close together in any order ("bank accounts by
    classification and grading" holds "classification and grading of bank accounts"); English inflected."""
    if not term.isascii():
        if term in text:
            return True
        parts = [p for p in tokens_of(term) if p != term]
        if len(parts) < 2:
            return False
        return _within([[m.start() for m in re.finditer(re.escape(p), text)] for p in parts], len(term) + _WINDOW)
    stems = [_stem(w).lower() for w in (_content_words(term) or re.findall(r"[A-Za-z0-9]+", term))]
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]
    return _within(_positions(stems, words), len(stems) - 1 + _WINDOW)


def _parts_in(term: str, texts: Sequence[str]) -> bool:
    """Every part of the term occurs in the texts (its English words, inflected; its Chinese words)."""
    if term.isascii():
        words = _content_words(term)
        return len(words) >= 2 and all(any(re.search(rf"(?<!\w){re.escape(_stem(w))}\w*", t, re.I) for t in texts) for w in words)
    parts = [p for p in tokens_of(term) if p != term]
    return len(parts) >= 2 and all(any(p in t for t in texts) for p in parts)


def _anywhere(variants: Iterable[str], texts: Iterable[str]) -> bool:
    return any(_held(v, text) for v in variants if v.strip() for text in texts)


def _surface(group: Sequence[str], question: str) -> str:
    lowered = question.lower()
    for variant in group:
        if variant.lower() in lowered:
            return variant
    return group[0]


def missing_phrases(question: str, lang: str, terms: QueryTerms, stats: CorpusStats, glossary: Glossary,
                    cited: Sequence[str], generic: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The question's phrases no clause holds as a whole though the cited clauses (``cited``: their texts)
    hold every part, as (phrase as asked, its rendering in the other language or "")."""
    texts = list(stats.texts.values())
    if not texts or not cited:
        return []
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for group in terms.groups:
        surface = _surface(group, question)
        if surface.lower() in generic or _anywhere(group, texts):
            continue
        if not any(_parts_in(v, cited) for v in group if len(_content_words(v)) <= _MAX_WORDS):
            continue  # nothing of it is in the answer: a wording the text does not use, not a partial match
        other = next((v for v in group if v != surface and v.isascii() != surface.isascii()), "")
        out.append((surface, other))
        seen.update(v.lower() for v in group)
    phrase = _asked_phrase(question, lang, texts)
    if phrase and not any(phrase.lower() in s or s in phrase.lower() for s in seen):
        renderings = [phrase, *(glossary.to_zh(phrase) if lang == "en" else glossary.to_en(phrase))]
        if not _anywhere(renderings, texts) and _parts_in(phrase, cited):
            out.append((phrase, renderings[1] if len(renderings) > 1 else ""))
    return out


def _asked_phrase(question: str, lang: str, texts: Sequence[str]) -> str:
    """The subject phrase the question asks about, when it can be read off ("" when not)."""
    if lang == "zh":
        if any(not re.search(r"[\u4e00-\u9fff]", t) for t in texts):
            return ""  # an English clause could say it in English: absence of the Chinese says nothing
        m = _ABOUT_ZH.search(question)
        return m.group(1).strip("“”\"《》 ") if m else ""
    m = _ABOUT_EN.search(question)
    if not m:
        return ""
    phrase = _LEAD_EN.sub("", m.group(1).strip(" \"“”'")).strip()
    words = _content_words(phrase)
    if re.search(r"\b(?:and|or|clause|article|item|section)\b", phrase, re.I):
        return ""
    return phrase if 2 <= len(words) <= _MAX_WORDS else ""


def missing_note(missing: Sequence[tuple[str, str]], lang: str) -> str:
    """"The text does not mention “carbon emission rights”; the closest is:" (both languages)."""
    if lang == "zh":
        names = "、".join(f"“{p}”" + (f"（{o}）" if o else "") for p, o in missing)
        return f"文件中没有提到{names}；最接近的内容是："
    names = ", ".join(f"“{p}”" + (f" ({o})" if o else "") for p, o in missing)
    return f"The text does not mention {names}; the closest is:"
