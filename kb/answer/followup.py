"""Resolving follow-up questions ("And Ningbo?", "那宁波呢？", "And the next one?") against the conversation.

Three shapes are recognised, always against the last earlier turn:

- next / previous clause ("And the next one?", "下一条呢？"): the clause after (before) the one
  the last answer cited first, asked as a direct lookup in the same document;
- the same clause ("Does the same clause cover …?", "该条…"): the reference becomes the
  clause the last answer cited first;
- an elliptical entity ("And Ningbo?", "What about Taizhou?", "衢州呢？"): the entity takes
  the place of the glossary term of the same kind in the earlier question (an acronym for an
  acronym, a name for a name, a term for a term; among several, the longest, i.e. the most
  specific, then the first in the question); when there is none, the entity is appended to
  the earlier question (also when the entity is a phrase around a term rather than the term).
  Nothing depends on the order of the glossary file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from policykb.ingest.lang import detect_lang
from policykb.kb.config import DEFAULT_TUNING, AnswerConfig
from policykb.kb.retrieval.glossary import Glossary, GlossaryEntry
from policykb.kb.retrieval.lookup import parse_lookup
from policykb.kb.model import Turn

__all__ = ["Resolution", "resolve_followup"]

_NEXT_EN = re.compile(
    r"^\s*(?:and|so|ok|okay)?[\s,]*(?:what about|how about|and)?\s*(?:the\s+)?(next|following|previous|preceding)"
    r"(?:\s+(?:one|clause|article|item|paragraph|provision))?\s*(?:please)?\s*[?.!]*\s*$",
    re.I,
)
_NEXT_ZH = re.compile(r"^\s*(?:那|那么)?\s*(下一条|下一款|下条|后一条|上一条|前一条|上条)(?:呢|是什么|讲了什么|说了什么|的内容|讲什么)?\s*[？?。]?\s*$")
_SAME_EN = re.compile(r"\b(?:the\s+same|that|this|the\s+previous|the\s+above|the\s+last)\s+(?:clause|article|item|provision|paragraph)\b", re.I)
_SAME_ZH = re.compile(r"(?:同一条款|同一条|这一条|这条|该条款|该条|那一条|那条|上述条款|这个条款|上一个回答中的条款)")
_ELLIPSIS_EN = [
    re.compile(r"^\s*(?:and|but|also|so)?[\s,]*(?:what|how)\s+about\s+(.+?)\s*[?.!]*\s*$", re.I),
    re.compile(r"^\s*(?:and|also|plus)\s+(.+?)\s*[?.!]*\s*$", re.I),
]
_ELLIPSIS_ZH = [
    re.compile(r"^\s*(?:那|那么|还有|另外)?\s*(.+?)\s*(?:呢|怎么样|又如何|又怎样|的情况呢)\s*[？?。]?\s*$"),
    re.compile(r"^\s*还有\s*(.+?)\s*吗?\s*[？?]?\s*$"),
]
_EN_QUESTION_WORDS = frozenset("what which who whom whose when where why how is are does do did can could should would will may must".split())
_ZH_QUESTION_WORDS = re.compile(r"什么|怎么|如何|哪|多少|是否|吗")


@dataclass(frozen=True)
class Resolution:
    """The question to answer, and where it came from."""

    question: str
    followup: bool = False
    doc: str | None = None  # restrict the search to this document (next-clause follow-ups)
    how: str = ""  # "next", "same", "substitute", "append" or "" for a standalone question


def _previous(history: Sequence[Turn]) -> tuple[str, tuple[str, str] | None]:
    """The last turn's (resolved) question and the (doc_id, number) its answer cited first."""
    last = history[-1]
    answer = last.answer
    question = (answer.resolved_question if answer and answer.resolved_question else last.question).strip()
    cited = None
    if answer is not None and answer.citations and not answer.abstained:
        first = answer.citations[0]
        cited = (first.doc_id, first.number)
    return question, cited


def _clause_question(number: int, lang: str) -> str:
    return f"第{number}条讲了什么？" if lang == "zh" else f"What does clause ({number}) say?"


def resolve_followup(question: str, history: Sequence[Turn], glossary: Glossary,
                     config: AnswerConfig = DEFAULT_TUNING.answer) -> Resolution:
    """Resolve ``question`` against the last turn of ``history``; a standalone question comes back unchanged."""
    text = question.strip()
    if not history or not text:
        return Resolution(text)
    lang = detect_lang(text)
    prev_q, cited = _previous(history)
    if not prev_q:
        return Resolution(text)

    step = _next_step(text)
    if step:
        base = cited
        if base is None:
            lookup = parse_lookup(prev_q)
            base = (None, lookup.value) if lookup and lookup.kind == "clause" else None  # type: ignore[assignment]
        if base is not None and base[1].isdigit() and int(base[1]) + step >= 1:
            return Resolution(_clause_question(int(base[1]) + step, lang), True, base[0], "next")
        return Resolution(text)

    same = (_SAME_ZH if lang == "zh" else _SAME_EN).search(text)
    if same and cited is not None:
        ref = f"第{cited[1]}条" if lang == "zh" else f"clause ({cited[1]})"
        return Resolution(text[: same.start()] + ref + text[same.end():], True, cited[0], "same")

    entity = _ellipsis_entity(text, lang, config)
    if not entity:
        return Resolution(text)
    substituted = _substitute(prev_q, entity, glossary, config.followup_min_cover)
    if substituted:
        return Resolution(substituted, True, None, "substitute")
    return Resolution(_append(prev_q, entity, detect_lang(prev_q)), True, None, "append")


def _next_step(text: str) -> int:
    m = _NEXT_EN.match(text)
    if m:
        return 1 if m.group(1).lower() in ("next", "following") else -1
    m = _NEXT_ZH.match(text)
    if m:
        return 1 if m.group(1) in ("下一条", "下一款", "下条", "后一条") else -1
    return 0


def _ellipsis_entity(text: str, lang: str, config: AnswerConfig) -> str:
    if lang == "zh":
        for pattern in _ELLIPSIS_ZH:
            m = pattern.match(text)
            if m and len(m.group(1)) <= config.followup_zh_chars and not _ZH_QUESTION_WORDS.search(m.group(1)):
                return m.group(1).strip()
        return ""
    for pattern in _ELLIPSIS_EN:
        m = pattern.match(text)
        if m and len(m.group(1).split()) <= config.followup_en_words and m.group(1).split()[0].lower() not in _EN_QUESTION_WORDS:
            return re.sub(r"^(?:the|a|an)\s+", "", m.group(1).strip(), flags=re.I) if _is_name(m.group(1)) else m.group(1).strip()
    return ""


def _is_name(text: str) -> bool:
    return bool(re.match(r"^(?:the\s+)?[A-Z]", text.strip()))


def _kind(entry: GlossaryEntry) -> str:
    """"acronym" (QFLP), "name" (Ningbo, Yangtze River Delta) or "term" (inclusive finance)."""
    en = entry.en.strip()
    words = re.findall(r"[A-Za-z0-9]+", en)
    if words and all(w.isupper() for w in words if w.isalpha()) and any(w.isalpha() for w in words):
        return "acronym"
    return "name" if en[:1].isupper() else "term"


def _substitute(prev_q: str, entity: str, glossary: Glossary, min_cover: float) -> str:
    """The earlier question with its term of the entity's kind replaced by the entity, or ""."""
    prev_lang = detect_lang(prev_q)
    ent_lang = detect_lang(entity)
    ent_entries = glossary.terms_in(entity, ent_lang)
    if not ent_entries:
        return ""
    ent = max(ent_entries, key=lambda e: len(e.zh if ent_lang == "zh" else e.en))
    core = re.sub(r"^(?:the|a|an)\s+", "", entity.strip(), flags=re.I)
    if len(ent.zh if ent_lang == "zh" else ent.en) < min_cover * len(core):
        return ""  # the entity is a phrase around the term ("the outbound version for domestic partners"), not the term
    replacement = entity if prev_lang == ent_lang else (ent.zh if prev_lang == "zh" else ent.en)
    best: tuple[tuple[int, int], GlossaryEntry] | None = None
    for cand in glossary.terms_in(prev_q, prev_lang):
        if cand.zh == ent.zh or _kind(cand) != _kind(ent):
            continue
        surface = cand.zh if prev_lang == "zh" else cand.en
        position = prev_q.lower().find(surface.lower())
        rank = (-len(surface), position if position >= 0 else len(prev_q))
        if best is None or rank < best[0]:
            best = (rank, cand)
    if best is None:
        return ""
    cand = best[1]
    if prev_lang == "zh":
        return prev_q.replace(cand.zh, replacement, 1) if cand.zh in prev_q else ""
    m = re.search(rf"(?<![A-Za-z]){re.escape(cand.en)}(?:s|es)?(?![A-Za-z])", prev_q, re.I)
    return prev_q[: m.start()] + replacement + prev_q[m.end():] if m else ""


def _append(prev_q: str, entity: str, lang: str) -> str:
    if lang == "zh":
        return f"{prev_q.rstrip('？?。 ')}，{entity}呢？"
    return f"{prev_q.rstrip('?. ')} — and {entity}?"
