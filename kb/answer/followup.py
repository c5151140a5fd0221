"""Resolving follow-up questions ("And Ningbo?", "那宁波呢？", "And the next one?") against the conversation.

Five shapes are recognised, always against the last earlier turn:

- another clause ("那第十五条呢？", "And clause 15?", "What about article 20?"): the earlier
  question asked of that clause (its clause reference replaced), in the conversation's document:
  the one the follow-up names, else the one the earlier question named, else the one the last
  answer cited first; with none, and several documents numbering such a clause, the question is
  asked back (``Resolution.clarify``), not guessed;
- another document ("那人民银行法呢？", "And the Opinions?"): the earlier question asked of that document;

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
from typing import Mapping, Sequence

from policykb.ingest.lang import detect_lang
from policykb.kb.config import DEFAULT_TUNING, AnswerConfig
from policykb.kb.retrieval.glossary import Glossary, GlossaryEntry
from policykb.kb.answer.naming import DocName, named_documents
from policykb.kb.retrieval.lookup import clause_reference, parse_lookup
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
# "that document" / "该文件": a reference to the conversation's document, which must be known.
_THAT_DOC = re.compile(
    r"(?:那份|这份|该|此|上述|同一|那个|这个|那部|这部)(?:文件|文档|法律|法规|规定|条例|办法|意见|法)|"
    r"\b(?:that|this|the\s+same|the\s+above|the\s+previous|the\s+said)\s+(?:document|law|rule|regulation|text|file)s?\b",
    re.I,
)
_TOPIC_WORDS = 3  # a conversation's first question holding this many topic words besides "that document" is searched
_EN_QUESTION_WORDS = frozenset("what which who whom whose when where why how is are does do did can could should would will may must".split())
_ZH_QUESTION_WORDS = re.compile(r"什么|怎么|如何|哪|多少|是否|吗")


@dataclass(frozen=True)
class Resolution:
    """The question to answer, and where it came from."""

    question: str
    followup: bool = False
    doc: str | None = None  # restrict the search to this document (clause and document follow-ups)
    how: str = ""  # "next", "same", "clause", "document", "substitute", "append" or "" for a standalone question
    clarify: str = ""  # why the question cannot be resolved: answer by asking back (English)
    clarify_zh: str = ""  # the same, in Chinese


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


def _across_documents(history: Sequence[Turn], prev_q: str) -> bool:
    """True when the last turn looked a clause up in several documents at once ("第十三条讲了什么？" in a KB
    of five): a bare number after it keeps that scope."""
    answer = history[-1].answer
    lookup = parse_lookup(prev_q)
    if answer is None or answer.abstained or lookup is None or lookup.kind != "clause":
        return False
    return len({c.doc_id for c in answer.citations}) > 1


def _clause_question(number: int, lang: str) -> str:
    return f"第{number}条讲了什么？" if lang == "zh" else f"What does clause ({number}) say?"


def resolve_followup(question: str, history: Sequence[Turn], glossary: Glossary,
                     config: AnswerConfig = DEFAULT_TUNING.answer, names: Mapping[str, DocName] | None = None,
                     numbers: Mapping[str, frozenset[str]] | None = None) -> Resolution:
    """Resolve ``question`` against the last turn of ``history``; a standalone question comes back unchanged.

    Args:
        names: the KB's documents (doc id → names), to recognise a document named in a question.
        numbers: the clause numbers of each document, to tell whether a bare clause number is ambiguous.
    """
    text = question.strip()
    names = names or {}
    numbers = numbers or {}
    lang = detect_lang(text)
    that_doc = _THAT_DOC.search(text)
    if not history or not text:
        if that_doc and len(names) > 1 and not named_documents(text, dict(names)) and not _says_enough(text, that_doc):
            return _ask_back_document(text)
        return Resolution(text)
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

    across = _across_documents(history, prev_q) and not named_documents(prev_q, dict(names))
    conversation_doc = None if across else _conversation_doc(prev_q, cited, names)
    entity = _ellipsis_entity(text, lang, config)
    if entity:
        other = _other_clause_or_document(entity, prev_q, lang, conversation_doc, names, numbers, across)
        if other is not None:
            return other
    if that_doc:
        if conversation_doc is None and len(names) > 1 and not named_documents(text, dict(names)):
            return _ask_back_document(text)
        if not entity:
            return Resolution(text, True, conversation_doc, "document")
    if not entity:
        return Resolution(text)
    substituted = _substitute(prev_q, entity, glossary, config.followup_min_cover)
    if substituted:
        return Resolution(substituted, True, None, "substitute")
    return Resolution(_append(prev_q, entity, detect_lang(prev_q)), True, None, "append")


def _conversation_doc(prev_q: str, cited: tuple[str, str] | None, names: Mapping[str, DocName]) -> str | None:
    """The document the conversation is about: the one the earlier question named, else the one its answer cited."""
    named = {doc for doc, _s, _e in named_documents(prev_q, dict(names))}
    if len(named) == 1:
        return next(iter(named))
    return cited[0] if cited is not None else None


def _other_clause_or_document(entity: str, prev_q: str, lang: str, conversation_doc: str | None,
                              names: Mapping[str, DocName], numbers: Mapping[str, frozenset[str]],
                              across: bool = False) -> Resolution | None:
    """The follow-up's entity names another clause and/or document: the earlier question asked of them."""
    ref = clause_reference(entity)
    docs = named_documents(entity, dict(names))
    rest = entity
    for _doc, start, end in sorted(docs, key=lambda d: -d[1]):
        rest = rest[:start] + " " + rest[end:]
    if ref is not None:
        ref_in_rest = clause_reference(rest)
        if ref_in_rest is not None:
            rest = rest[: ref_in_rest[0]] + " " + rest[ref_in_rest[1]:]
    if re.sub(r"[\s的之里中内《》“”\"'?？,，.。]|\b(?:of|in|the|and|about)\b", "", rest, flags=re.I):
        return None  # the entity says more than a clause or a document: an ordinary follow-up
    if ref is None and not docs:
        return None
    doc = docs[0][0] if docs else conversation_doc
    question = prev_q
    if docs:  # another document: its name takes the earlier one's place, or leads the question
        earlier = named_documents(prev_q, dict(names))
        surface = entity[docs[0][1]: docs[0][2]]
        if earlier:
            question = question[: earlier[0][1]] + surface + question[earlier[0][2]:]
        elif detect_lang(prev_q) == "zh":
            question = f"{surface}{question}"
        else:
            question = f"{question.rstrip('?. ')} (in {surface})?"
    if ref is not None:
        number = ref[2]
        if doc is None and not across:
            holders = [d for d, nums in numbers.items() if number in nums]
            if len(holders) > 1:
                return _ask_back_clause(entity[ref[0]: ref[1]], number, holders, names)
            doc = holders[0] if holders else None
        earlier_ref = clause_reference(question)
        if earlier_ref is not None:
            same_lang = detect_lang(prev_q) == lang
            new_ref = entity[ref[0]: ref[1]] if same_lang else (f"第{number}条" if detect_lang(prev_q) == "zh" else f"clause ({number})")
            question = question[: earlier_ref[0]] + new_ref + question[earlier_ref[1]:]
        else:
            question = _clause_question(int(number), lang)
            if docs:
                surface = entity[docs[0][1]: docs[0][2]]
                question = f"{surface}{question}" if lang == "zh" else f"{question.rstrip('?')} of {surface}?"
    return Resolution(question, True, doc, "clause" if ref is not None else "document")


def _ask_back_clause(written: str, number: str, holders: Sequence[str], names: Mapping[str, DocName]) -> Resolution:
    which_en = "; ".join(names[d].cite("en") if d in names else d for d in holders)
    which_zh = "、".join(names[d].cite("zh") if d in names else d for d in holders)
    zh_ref = written if written.startswith("第") else f"第{number}条"
    return Resolution(
        written, True, None, "clause",
        clarify=f"Several documents have {written} ({which_en}); which one do you mean? Name it, e.g. “{written} of {names[holders[0]].cite('en') if holders[0] in names else holders[0]}”.",
        clarify_zh=f"多份文件都有{zh_ref}（{which_zh}），请问指哪一份？请写明文件名，例如“{(names[holders[0]].short_zh if holders[0] in names else holders[0])}{zh_ref}”。",
    )


def _says_enough(text: str, reference: re.Match[str]) -> bool:
    """True when a question that opens a conversation says enough besides "that document" for the search to find the
    document it means: it names no clause, and at least ``_TOPIC_WORDS`` topic words remain
    ("存款保险制度出台之前就已经被接管的银行，储户能按这个条例赔付吗？"). "这个条例什么时候施行？" does not."""
    from policykb.kb.answer.abstain import QUESTION_WORDS
    from policykb.kb.answer.evidence import tokens_of

    rest = f"{text[: reference.start()]} {text[reference.end():]}"
    if clause_reference(rest) is not None:
        return False
    words = {t for t in tokens_of(rest) if len(t) >= 2 and not t.isdigit() and t not in QUESTION_WORDS}
    return len(words) >= _TOPIC_WORDS


def _ask_back_document(text: str) -> Resolution:
    return Resolution(
        text, True, None, "document",
        clarify="Which document do you mean? No document has come up in this conversation yet; name it, or ask about a clause first.",
        clarify_zh="请问指哪一份文件？本次对话还没有提到文件；请写明文件名，或先问一个条款。",
    )


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
