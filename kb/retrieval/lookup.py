"""Recognising direct clause lookups ("(12)", "第十二条") and "which clauses mention X" questions."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from policykb.ingest import chinese_to_int
from policykb.kinds import LookupKind

from policykb.kb.model import Hit

if TYPE_CHECKING:
    from policykb.kb.retrieval.retriever import Retriever

__all__ = ["ZH_NUMERALS", "Lookup", "parse_lookup", "mention_pattern", "clause_reference", "strip_references", "ClauseLookup",
           "clause_lookup"]

ZH_NUMERALS = "零〇一二两三四五六七八九十百千万萬亿億"  # the characters of a Chinese clause number
_EN_KIND = r"(?:clause|item|article|art\.|paragraph|para\.|point|provision|measure|no\.)"
# The words Chinese official documents end their titles with (意见, 办法, 条例, …法).
_DOC_KINDS = "意见|办法|条例|规定|通知|细则|规则|决定|指引|准则|法"
# Clause numbers of any size; a bare "(2022)" without a word such as "clause" is a year, not a clause.
_NOT_YEAR = r"(?!(?:19|20)\d\d\s*[)）])"

_CLAUSE_PATTERNS = [
    re.compile(rf"\b{_EN_KIND}\s*(?:no\.?\s*)?\(?\s*(\d+)\s*\)?", re.I),
    re.compile(r"^\s*\(\s*(\d+)\s*\)\s*$"),
    re.compile(rf"(?:^|[\s\"“'‘])\({_NOT_YEAR}(\d+)\)(?=[\s?.,!:;\"”'’]|$)"),
    re.compile(rf"第\s*[（(]?\s*([{ZH_NUMERALS}\d]+)\s*[)）]?\s*[条项点]"),
    re.compile(rf"(?:^|[^\w])[（(]([{ZH_NUMERALS}]+)[)）]"),
    # a bracketed number right after a document name ending in its kind: 意见（十八）, 《办法》(3)
    re.compile(rf"(?:{_DOC_KINDS})》?\s*[（(]{_NOT_YEAR}([{ZH_NUMERALS}\d]+)[)）]"),
    re.compile(rf"[（(]{_NOT_YEAR}(\d+)[)）]"),
]
_SECTION_PATTERNS = [
    re.compile(r"\b(?:section|part|chapter)\s+(\d+)\b", re.I),
    re.compile(rf"第\s*([{ZH_NUMERALS}\d]+)\s*(?:部分|章|节)"),
]
_MENTION_PATTERNS = [
    re.compile(
        r"\b(?:which|what)\s+(?:clauses?|articles?|items?|provisions?|parts?|paragraphs?|sections?)\s+(?:of [\w\s]+?\s+)?"
        r"(?:mention|mentions|mentioned|refer to|refers to|name|names|cite|cites|talk about|talks about|concern|concerns|"
        r"deal with|deals with|involve|involves|cover|covers|discuss|discusses|are about|relate to|relates to)\s+(.+)$",
        re.I,
    ),
    re.compile(r"\b(?:where|in which clauses?)\s+(?:is|are|does the document mention|do the documents mention)\s+(.+?)\s+mentioned\b", re.I),
    re.compile(r"\b(?:list|show|find)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?(?:clauses?|articles?|provisions?)\s+(?:that\s+)?(?:mention(?:ing|s)?|about|on|referring to)\s+(.+)$", re.I),
    re.compile(r"\bmentions of\s+(.+)$", re.I),
    re.compile(r"\b(?:where|in which places?)\s+(?:does|do)\s+the\s+(?:text|document|documents|paper|opinions?)\s+(?:mention|refer to|talk about|discuss)\s+(.+)$", re.I),
    re.compile(r"哪(?:些|几)(?:条款|条|款|项|内容|部分|地方|段落)?(?:提到|提及|涉及|讲到|说到|谈到|关于|包含|出现)了?(.+)$"),
    re.compile(r"(?:提到|提及|涉及|讲到|出现)了?(.+?)的(?:条款|条|内容|段落|地方)(?:有)?(?:哪些|是哪些|有哪几条)"),
    re.compile(r"哪里(?:提到|提及|涉及|出现)了?(.+)$"),
]
_ENTITY_TRIM = re.compile(r"^(?:the\s+|a\s+|an\s+)|[\s?？。.!！,，\"“”'‘’《》]+$|^[\s\"“”'‘’《》]+", re.I)


@dataclass(frozen=True)
class Lookup:
    """What a query asks for directly: a clause number, a section, or every clause mentioning an entity."""

    kind: LookupKind
    value: str  # digits for clause/section, the entity for mentions


def parse_lookup(query: str) -> Lookup | None:
    """The direct lookup a query asks for, or None for an ordinary question."""
    text = query.strip()
    for pattern in _MENTION_PATTERNS:
        m = pattern.search(text)
        if m:
            entity = _trim_entity(m.group(1))
            if entity:
                return Lookup("mentions", entity)
    for pattern in _CLAUSE_PATTERNS:
        m = pattern.search(text)
        if m and (number := _to_digits(m.group(1))):
            return Lookup("clause", number)
    for pattern in _SECTION_PATTERNS:
        m = pattern.search(text)
        if m and (number := _to_digits(m.group(1))):
            return Lookup("section", number)
    return None


def clause_reference(query: str) -> tuple[int, int, str] | None:
    """Where a query names a clause: (start, end, number as digits) of the reference, or None.

    The span covers the reference as written ("第十五条", "clause 15", "(15)"), without the
    character before it that some patterns need to see.
    """
    for pattern in _CLAUSE_PATTERNS:
        m = pattern.search(query)
        if m and (number := _to_digits(m.group(1))):
            start, end = m.span(0)
            while start < end and query[start] not in "(（第" and not query[start].isalnum():
                start += 1
            while end > start and query[end - 1].isspace():
                end -= 1
            return start, end, number
    return None


def strip_references(query: str) -> str:
    """The query without its clause reference(s) ("第十八条 储蓄国债" → "储蓄国债")."""
    text = query
    for _ in range(4):
        ref = clause_reference(text)
        if ref is None:
            break
        text = f"{text[: ref[0]]} {text[ref[1]:]}"
    return " ".join(text.split())


def mention_pattern(term: str) -> re.Pattern[str]:
    """A pattern finding a term in clause text: case-insensitive, whole words for Latin script, plural-tolerant."""
    escaped = re.escape(term.strip())
    if term.isascii():
        return re.compile(rf"(?<![\w-]){escaped}(?:s|es)?(?![\w-])", re.I)
    return re.compile(escaped)


def _trim_entity(raw: str) -> str:
    entity = raw.strip()
    for _ in range(3):
        entity = _ENTITY_TRIM.sub("", entity).strip()
    return entity


def _to_digits(raw: str) -> str:
    if raw.isdigit():
        return str(int(raw))
    try:
        return str(chinese_to_int(raw))
    except (ValueError, KeyError):
        return ""


# Words that only frame a clause lookup ("what does clause 18 say", "第十八条讲了什么"): nothing to search for.
_FRAME_EN = frozenset(
    "what does do did say says said is are the a an of in about show me give read full whole text content contents "
    "clause clauses article articles item items provision paragraph point no number please".split()
)
_FRAME_ZH = re.compile(r"讲了什么|说了什么|是什么|讲什么|说什么|什么|内容|规定|全文|原文|怎么|如何|的|呢|请|看看|一下|吗|了")


@dataclass(frozen=True)
class ClauseLookup:
    """A search that names a clause: the clause(s) so numbered, and related clauses apart, on one score scale."""

    number: str
    hits: tuple[Hit, ...]  # the clauses numbered so (empty: no such clause)
    related: tuple[Hit, ...]  # other clauses, ranked for the query's words or else for the clause's heading


def _words_beyond(query: str) -> str:
    """What a clause-lookup query asks besides the clause ("" for "(18)", "第十八条讲了什么")."""
    rest = strip_references(query)
    rest = _FRAME_ZH.sub(" ", rest)
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*|[\u4e00-\u9fff]+|\d+", rest) if w.lower() not in _FRAME_EN]
    return " ".join(words)


def clause_lookup(retriever: "Retriever", query: str, k: int, *, doc: str | Sequence[str] | None = None, section: str | None = None,
                  lang: str | None = None, mode: str = "fused") -> ClauseLookup | None:
    """The search of a query naming a clause number ("(18)", "第九十九条"), or None for any other query.

    The clauses so numbered come first (none when no clause has that number: the caller says so);
    the related ones are ranked by the whole query when it has other words, or, for a bare reference, by the
    heading of the clause found. Every score comes from that one ranking, so they compare.
    """
    lookup = parse_lookup(query)
    if lookup is None or lookup.kind != "clause":
        return None
    docs = None if doc is None else ({doc} if isinstance(doc, str) else set(doc))  # one document id or several
    clauses = [r.clause for r in retriever.snapshot.rows
               if r.clause.number == lookup.value and (docs is None or r.clause.doc_id in docs)
               and (section is None or r.clause.section == section) and (lang is None or r.clause.lang == lang)]
    words = _words_beyond(query)
    if not clauses:
        nearby = retriever.search(words, k, doc=doc, section=section, lang=lang, mode=mode)[0] if words else []  # type: ignore[arg-type]
        return ClauseLookup(lookup.value, (), tuple(nearby))
    numbered = {c.id for c in clauses}
    by_number = {c.id: c for c in clauses}
    depth = k + len(clauses) + 20
    if words:
        # One ranking of the whole query (one query embedding, the dearest step of a search): the lookup bonus puts
        # the clauses so numbered first, in the order the query's other words (a document's name) give them, and
        # ranks the rest by those words.
        ranked, _kind = retriever.search(query, depth, doc=doc, section=section, lang=lang, mode=mode)  # type: ignore[arg-type]
        order = [h.clause.id for h in ranked if h.clause.id in numbered]
    else:
        # A bare reference: several documents' clauses so numbered are ordered by the lexical ranking alone (a bare
        # number carries no meaning to embed); the related clauses are those nearest the first one's heading.
        order = [h.clause.id for h in retriever.search(query, len(clauses), doc=doc, section=section, lang=lang,
                                                        mode="lexical")[0] if h.clause.id in numbered] if len(clauses) > 1 else []
    order += [c.id for c in clauses if c.id not in order]
    if not words:
        first = by_number[order[0]]
        about = strip_references(first.title or _lead(first.text)) or first.text[:200]
        ranked, _kind = retriever.search(about, depth, doc=doc, section=section, lang=lang, mode=mode)  # type: ignore[arg-type]
    by_id = {h.clause.id: h for h in ranked}
    related = tuple(h for h in ranked if h.clause.id not in numbered)[: max(0, k - len(clauses))]
    # Every clause so numbered is an exact match: each gets the ranking's top score (none ranks below a related one).
    top = max((h.score for h in ranked), default=0.0)
    found = tuple(replace(by_id[cid], score=top) if cid in by_id else Hit(clause=by_number[cid], score=top) for cid in order)
    return ClauseLookup(lookup.value, found, related)


def _lead(text: str, limit: int = 80) -> str:
    """A clause's opening words up to its first full stop or colon, at most ``limit`` characters: what the related
    clauses of a bare reference are ranked for. Short, since the query embedding's cost grows with its length
    (a 200-character lead took about three times a question's)."""
    m = re.search(r"[。！？!?：:；;]|\.(?:\s|$)", text[:limit])
    return text[: m.start()] if m else text[:limit]
