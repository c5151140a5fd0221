"""Naming what the text does not say: a question's phrase that no clause holds as a whole.

"What does the document say about carbon emission rights?" finds a clause about carbon emission
reduction and collateral rights: the answer must say that "carbon emission rights" is not in the
text before quoting the closest clause. Checked lexically over every clause of the KB:

- the question's glossary terms and names, in every rendering the glossary knows;
- in English, the phrase after "about" / "on" / "regarding" (two words or more); in Chinese, the
  phrase after "关于" / "对" when every clause of the KB is Chinese (else its absence says nothing).

English words match with their inflections ("inclusive finance" is in "inclusive financial").
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence

from policykb.kb.answer.evidence import CorpusStats, QueryTerms
from policykb.kb.retrieval.glossary import Glossary

__all__ = ["missing_phrases", "missing_note"]

_ABOUT_EN = re.compile(r"\b(?:about|regarding|concerning|on the subject of|say on|says on|provide on|mention|mentions)\s+(.+?)\s*[?.!]*\s*$", re.I)
_ABOUT_ZH = re.compile(r"(?:关于|对于|对)(.{2,16}?)(?:的规定|的要求|的安排|有什么|有哪些|有何|是怎么|是如何|怎么|如何|作了|做了|方面)")
_LEAD_EN = re.compile(r"^(?:the|a|an|any|some|its|their)\s+", re.I)
_STOP_EN = frozenset("the a an of for and or in on to with by any some its their this that these those".split())


@lru_cache(maxsize=2048)
def _loose(term: str) -> re.Pattern[str]:
    """A pattern for a term that tolerates inflections of its English words; Chinese as written."""
    if not term.isascii():
        return re.compile(re.escape(term))
    words = re.findall(r"[A-Za-z0-9]+", term)
    parts = [re.escape(w[:-1] if len(w) > 4 and w.lower().endswith(("s", "e", "y")) else w) + r"\w*" for w in words]
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(parts) + r"(?!\w)", re.I)


def _anywhere(variants: Iterable[str], texts: Iterable[str]) -> bool:
    patterns = [_loose(v) for v in variants if v.strip()]
    return any(p.search(text) for text in texts for p in patterns)


def _surface(group: Sequence[str], question: str) -> str:
    lowered = question.lower()
    for variant in group:
        if variant.lower() in lowered:
            return variant
    return group[0]


def missing_phrases(question: str, lang: str, terms: QueryTerms, stats: CorpusStats, glossary: Glossary,
                    generic: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The question's phrases no clause holds, as (phrase as asked, its rendering in the other language or "")."""
    texts = list(stats.texts.values())
    if not texts:
        return []
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for group in terms.groups:
        surface = _surface(group, question)
        if surface.lower() in generic or _anywhere(group, texts):
            continue
        other = next((v for v in group if v != surface and v.isascii() != surface.isascii()), "")
        out.append((surface, other))
        seen.update(v.lower() for v in group)
    phrase = _asked_phrase(question, lang, texts)
    if phrase and phrase.lower() not in seen and not any(phrase.lower() in s or s in phrase.lower() for s in seen):
        renderings = [phrase, *(glossary.to_zh(phrase) if lang == "en" else glossary.to_en(phrase))]
        if not _anywhere(renderings, texts):
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
    words = [w for w in re.findall(r"[A-Za-z0-9-]+", phrase) if w.lower() not in _STOP_EN]
    return phrase if 2 <= len(words) <= 6 and not re.search(r"\b(?:clause|article|item)\b", phrase, re.I) else ""


def missing_note(missing: Sequence[tuple[str, str]], lang: str) -> str:
    """"The text does not mention “carbon emission rights”; the closest is:" (both languages)."""
    if lang == "zh":
        names = "、".join(f"“{p}”" + (f"（{o}）" if o else "") for p, o in missing)
        return f"文件中没有提到{names}；最接近的内容是："
    names = ", ".join(f"“{p}”" + (f" ({o})" if o else "") for p, o in missing)
    return f"The text does not mention {names}; the closest is:"
