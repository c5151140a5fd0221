"""Answering a question: resolve follow-ups, search once, then cite (extractive or checked LLM) or abstain.

The extractive path spends no embedding beyond the one inside ``kb.search``: sentences are
chosen from the retriever's sentence matches plus lexical evidence (see :mod:`.extractive`).

Three outcomes (``Answer.confidence``): "abstained" when the documents do not address the
question (:mod:`.abstain`); "unsure" when they may, but the evidence is weak or two clauses
compete: the answer says so and cites its candidate clauses, most likely first (:func:`unsure_why`);
else "sure". Every threshold: :class:`policykb.kb.config.TuningConfig`.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Generator, Iterator, Sequence

from policykb.errors import LLMError, PolicyKBError
from policykb.ingest.lang import CJK, detect_lang
from policykb.ingest.model import Clause
from policykb.kinds import ANSWER_MODES, AnswerMode
from policykb.kb.answer.abstain import Evidence, document_name_words, gather, judge
from policykb.kb.answer.evidence import CorpusStats, QueryTerms, corpus_stats, group_in, query_terms
from policykb.kb.retrieval.figures import kinds_text
from policykb.kb.answer.extractive import (
    choose_hits,
    citation,
    compose_abstention,
    compose_clause,
    compose_mentions,
    compose_ranked,
    compose_section,
    pick_sentences,
)
from policykb.kb.answer.followup import resolve_followup
from policykb.kb.answer.listing import asks_for_all, key_groups, matching_clauses
from policykb.kb.answer.partial import missing_note, missing_phrases
from policykb.kb.config import DEFAULT_TUNING, TuningConfig
from policykb.kb.retrieval.lookup import Lookup, parse_lookup
from policykb.kb.model import Answer, Citation, DocumentInfo, Hit, Turn
from policykb.kb.answer.naming import DocName, doc_names, named_for_lookup
from policykb.kb.retrieval.glossary import Glossary
from policykb.settings import Settings

if TYPE_CHECKING:
    from policykb.kb.retrieval.retriever import Retriever

__all__ = ["answer_question", "answer_question_stream", "unsure_why", "unsure_candidates", "scattered", "assess", "Verdict", "prepare"]

_SUMMARY_WORDS_EN = frozenset(
    "what does do say says said is in the of a an me show give read text content contents clause clauses item article "
    "paragraph provision point measure no number about tell full whole please display print state states provide provides "
    "stipulate stipulates cover covers contain contains".split()
)
_SUMMARY_ZH = ("讲了什么", "讲的是什么", "说了什么", "是什么内容", "是什么", "什么内容", "的内容", "内容", "怎么规定的", "如何规定",
               "规定了什么", "怎么说的", "讲什么", "说什么", "原文", "全文", "意见", "规定", "条款", "第", "条", "的", "呢", "请", "看看", "一下")


@dataclass
class _Draft:
    """An extractive answer before timing and mode are stamped on it."""

    answer: str
    citations: tuple[Citation, ...]
    abstained: bool
    reason: str
    related: tuple[Citation, ...] = ()
    context: list[Clause] = field(default_factory=list)  # clauses an LLM would be shown
    quotes: dict[str, str] = field(default_factory=dict)  # clause id -> extractive quote
    unsure: bool = False
    llm_check: str = ""  # see Answer.llm_check
    llm_note: str = ""


def answer_question(question: str, *, retriever: "Retriever", documents: Sequence[DocumentInfo], settings: Settings,
                    history: Sequence[Turn] = (), mode: AnswerMode | None = None, tuning: TuningConfig | None = None,
                    scope: Sequence[str] = ()) -> Answer:
    """Answer ``question`` from the clauses of the retriever's snapshot, citing them, or abstain when they do not address it.

    Args:
        retriever: ranks the clauses of one committed snapshot (the answer reads nothing else of the KB).
        documents: the KB's documents, for naming them in the answer.
        history: earlier turns of the conversation, oldest first (follow-ups resolve against the last).
        mode: None = extractive unless an LLM endpoint is configured; "extractive"; "llm".
        tuning: thresholds of abstention, confidence and citation (the KB's calibration; defaults when None).
        scope: the document ids to answer from (() = all); a follow-up stays inside it.

    Raises:
        PolicyKBError: the question is empty or the mode unknown.
    """
    steps = answer_question_stream(question, retriever=retriever, documents=documents, settings=settings,
                                   history=history, mode=mode, tuning=tuning, scope=scope, stream=False)
    return next(item for item in steps if isinstance(item, Answer))


def answer_question_stream(question: str, *, retriever: "Retriever", documents: Sequence[DocumentInfo], settings: Settings,
                           history: Sequence[Turn] = (), mode: AnswerMode | None = None, tuning: TuningConfig | None = None,
                           scope: Sequence[str] = (), stream: bool = True) -> Iterator[str | Answer]:
    """:func:`answer_question`, yielding an LLM's text as it arrives (str pieces, when ``stream``), then the Answer.

    The LLM's citations are checked on its whole reply, once complete: the Answer carries the checked text,
    or the extractive answer with the reason the LLM's was not used. An extractive answer comes at once.
    """
    started = time.perf_counter()
    text = question.strip()
    if not text:
        raise PolicyKBError("the question is empty; ask about the documents, or give a clause number such as (12) or 第十二条")
    if mode is not None and mode not in ANSWER_MODES:
        raise PolicyKBError(f"answer mode {mode!r} is not one of {', '.join(ANSWER_MODES)}")
    tuning = tuning or DEFAULT_TUNING
    glossary = retriever.glossary
    lang = detect_lang(text)
    names = doc_names(documents)
    resolution = resolve_followup(text, history, glossary, tuning.answer, names, retriever.snapshot.clause_numbers)
    if resolution.clarify:
        yield Answer(
            answer=resolution.clarify_zh if lang == "zh" else resolution.clarify, citations=(), abstained=False,
            reason=f"clarify: the follow-up {text!r} cannot be resolved against the conversation; asked back",
            mode="extractive", latency_ms=(time.perf_counter() - started) * 1000, lang=lang, confidence="clarify",
            scope=tuple(scope),
        )
        return
    asked = resolution.question
    hits, lookup_kind = retriever.search(asked, tuning.answer.k,
                                         doc=_within(resolution.doc or named_for_lookup(asked, names), scope))
    ctx = prepare(asked, lang, retriever, documents, tuning)
    draft = _extractive(ctx, hits, lookup_kind)
    resolved = asked if resolution.followup else ""

    use_llm = mode == "llm" or (mode is None and settings.llm_enabled)
    answer_mode: AnswerMode = "extractive"
    if use_llm and not draft.abstained:
        draft, answer_mode = yield from _with_llm(settings, asked, lang, draft, names, stream)
    elif use_llm:
        draft.reason = f"{draft.reason}; the LLM was not consulted"
    confidence = "abstained" if draft.abstained else "unsure" if draft.unsure else "sure"
    yield Answer(
        answer=draft.answer, citations=draft.citations, abstained=draft.abstained, reason=draft.reason,
        mode=answer_mode, latency_ms=(time.perf_counter() - started) * 1000, related=draft.related,
        lang=lang, resolved_question=resolved, confidence=confidence, scope=tuple(scope),
        llm_check=draft.llm_check, llm_note=draft.llm_note,
    )


def _within(doc: str | None, scope: Sequence[str]) -> str | Sequence[str] | None:
    """The documents a search may look in: a follow-up's own document when it lies in the scope, else the scope."""
    if doc is not None and (not scope or doc in scope):
        return doc
    return tuple(scope) or None


# -- extractive ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Context:
    """What the extractive answer reads besides the hits."""

    clauses: Sequence[Clause]
    asked: str
    lang: str
    terms: QueryTerms
    stats: CorpusStats
    names: dict[str, DocName]
    glossary: Glossary
    tuning: TuningConfig
    generic: frozenset[str]
    renderings: tuple[str, ...] = ()  # what a "which clauses mention X" lookup also finds X as (Retriever.mention_renderings)


def prepare(asked: str, lang: str, retriever: "Retriever", documents: Sequence[DocumentInfo], tuning: TuningConfig) -> _Context:
    """What answering ``asked`` reads besides the hits: its terms, the corpus statistics, the documents' names."""
    snapshot = retriever.snapshot
    asked_lang = detect_lang(asked)
    terms = query_terms(asked, asked_lang, retriever.glossary, set(snapshot.langs))
    rendered = retriever.word_renderings(asked, asked_lang)  # cross-language support (abstain.gather)
    glossed = retriever.gloss_holders(asked, asked_lang, tuning.abstain.gloss_share) if tuning.abstain.gloss_credit else {}
    terms = replace(terms, renderings=tuple((w, tuple(sorted(r.items()))) for w, r in rendered.items()),
                    glossed=tuple((w, tuning.abstain.gloss_credit, ids) for w, ids in glossed.items()))
    return _Context(
        snapshot.clauses, asked, lang, terms,
        corpus_stats(snapshot.clauses), doc_names(documents), retriever.glossary, tuning,
        document_name_words(documents, snapshot.clauses),
        retriever.mention_renderings(lookup.value) if (lookup := parse_lookup(asked)) and lookup.kind == "mentions" else (),
    )


def _extractive(ctx: _Context, hits: list[Hit], lookup_kind: str) -> _Draft:
    asked, lang, terms, names, glossary, tuning = ctx.asked, ctx.lang, ctx.terms, ctx.names, ctx.glossary, ctx.tuning
    cfg = tuning.answer
    lookup = parse_lookup(asked)
    if lookup_kind == "clause" and lookup is not None:
        return _clause_lookup(asked, lang, lookup, hits, terms, names, glossary, tuning)
    if lookup_kind == "mentions" and lookup is not None:
        return _mentions(lang, lookup, hits, names, glossary, {c.id: i for i, c in enumerate(ctx.clauses)}, ctx.renderings)
    if lookup_kind == "section" and lookup is not None:
        doc_id = hits[0].clause.doc_id if hits else None
        section = [c for c in ctx.clauses if c.doc_id == doc_id and c.section == lookup.value]
        if section:
            text, cites = compose_section(section, names, lang, glossary)
            return _Draft(text, cites, False, f"section {lookup.value}: {len(section)} clause(s)", context=section,
                          quotes={c.id: c.quote for c in cites})
    if not hits:
        return _Draft(compose_abstention(asked, [], names, lang), (), True, "the knowledge base holds no clauses")
    related = _related(hits, terms, names, cfg.related)
    if lookup is not None and lookup.kind == "mentions":
        what = f"“{lookup.value}”"
        msg = (f"现有文件未提及{what}。" if lang == "zh" else f"The indexed documents do not mention {what}.")
        return _Draft(msg, (), True, f"no clause mentions {lookup.value!r}", related)
    if lookup is not None and lookup.kind == "clause":
        msg = (f"现有文件没有第{lookup.value}条。" if lang == "zh" else f"The indexed documents have no clause ({lookup.value}).")
        return _Draft(msg, (), True, f"no clause numbered {lookup.value}", related)
    verdict = assess(ctx, hits)
    if verdict.kind == "abstain":
        text = compose_abstention(asked, [h.clause for h in hits[: cfg.related]], names, lang)
        return _Draft(text, (), True, verdict.reason, related)
    verdict = _enumerated(ctx, hits, verdict)
    picks = [pick_sentences(h, terms, config=cfg) for h in verdict.cite]
    text, cites = compose_ranked(picks, names, lang, glossary, terms)
    quotes = {p.clause.id: p.quote for p in picks}
    missing = missing_phrases(asked, lang, terms, ctx.stats, glossary, [h.clause.text for h in verdict.cite], ctx.generic)
    reason = verdict.reason + (f"; not in the text: {', '.join(p for p, _o in missing)}" if missing else "")
    if missing:
        text = f"{missing_note(missing, lang)}\n{text}"
    if verdict.kind == "unsure":
        head = ("不能确定哪一条回答了这个问题，以下是最可能的条款（按可能性排序）：" if lang == "zh"
                else "I am not sure which clause answers this; the candidate clauses, most likely first:")
        return _Draft(f"{head}\n{text}", cites, False, reason, context=[h.clause for h in verdict.cite],
                      quotes=quotes, unsure=True)
    context = [*verdict.cite, *(h for h in hits if h not in verdict.cite)][: max(cfg.llm_context, len(verdict.cite))]
    return _Draft(text, cites, False, reason, context=[h.clause for h in context], quotes=quotes)


def _enumerated(ctx: _Context, hits: Sequence[Hit], verdict: "Verdict") -> "Verdict":
    """For a question asking for all ("哪些…", "list …"), every clause holding its key terms, grouped by
    document; an unsure verdict whose leading candidates all match becomes sure (they are all answers)."""
    if not verdict.cite or not asks_for_all(ctx.asked, ctx.lang):
        return verdict
    keys = key_groups(ctx.terms, ctx.stats, verdict.cite[0].clause, ctx.generic)
    listed = matching_clauses(ctx.clauses, hits, keys, verdict.cite)
    if not listed:
        return verdict
    ids = {h.clause.id for h in listed}
    if verdict.kind == "unsure" and not all(h.clause.id in ids for h in verdict.cite[:2]):
        return verdict
    terms = " + ".join(g[0] for g in keys)
    return Verdict("sure", tuple(listed), f"{verdict.reason}; enumeration: {len(listed)} clause(s) hold {terms!r}")


@dataclass(frozen=True)
class Verdict:
    """What a ranked search's hits support: "abstain", "unsure" (cite the candidates) or "sure" (cite ``cite``)."""

    kind: str
    cite: tuple[Hit, ...]
    reason: str


def assess(ctx: _Context, hits: Sequence[Hit]) -> Verdict:
    """Abstain, unsure or sure for the hits of a ranked (non-lookup) search, and the clauses to cite."""
    tuning, cfg = ctx.tuning, ctx.tuning.answer
    passing, why = judge(hits, ctx.terms, ctx.stats, ctx.lang, ctx.asked, tuning.abstain.pairs, ctx.generic, tuning.abstain.top,
                         tuning.abstain.agree)
    if not passing:
        return Verdict("abstain", (), why)
    chosen = choose_hits(passing[0], ctx.terms, ctx.stats, cfg)
    for group in passing[1:]:  # a document in the other language that addresses the question too
        if len(chosen) < cfg.max_cited and group[0].score >= cfg.other_language_score * chosen[0].score:
            chosen.append(group[0])
    evidence = gather(passing[0], ctx.terms, ctx.stats, ctx.lang, ctx.asked, ctx.generic, tuning.abstain.top)
    if scattered(hits, chosen, evidence, tuning):
        return Verdict("abstain", (), "the nearest clauses are spread over several documents and none is close to the question")
    doubt = unsure_why(hits, chosen, evidence, tuning)
    if doubt:
        candidates = unsure_candidates(hits, chosen, tuning.confidence.candidates)
        return Verdict("unsure", tuple(candidates), f"unsure: {doubt}; {len(candidates)} candidate clause(s), most likely first")
    return Verdict("sure", tuple(chosen), f"{why}; cited {len(chosen)} clause(s)")


def scattered(hits: Sequence[Hit], chosen: Sequence[Hit], evidence: Evidence, tuning: TuningConfig) -> bool:
    """True when a clause of another document scores within ``confidence.scatter_abstain`` of the best one and no
    sentence reaches the pair's "sure" cosine: no document addresses the question more than another."""
    limit = tuning.confidence.scatter_abstain
    if limit <= 0 or not chosen or evidence.mentioned:
        return False
    top = chosen[0]
    cited = {h.clause.id for h in chosen}
    rival = next((h for h in hits if h.clause.id not in cited and h.clause.doc_id != top.clause.doc_id), None)
    if rival is None or top.score <= 0 or (top.score - rival.score) / top.score >= limit:
        return False
    return evidence.sent_cos < tuning.thresholds(evidence.pair, evidence.cross).sure


def unsure_why(hits: Sequence[Hit], chosen: Sequence[Hit], evidence: Evidence, tuning: TuningConfig) -> str:
    """Why an answer that passed abstention is still unsure ("" = sure).

    Two clauses compete: the best clause not cited scores within ``margin`` of the top one
    (``other_doc_margin`` when it belongs to another document). Or the top clause (in the
    question's language) holds less than ``min_anchor`` of the question's content words that the
    KB knows, however close its cosine: a match by meaning alone. Or the evidence is weak: no
    sentence reaches the pair's "sure" cosine and few of the question's topic words are found (for a
    Chinese question over English clauses, also too few of its words through their translations). Or the
    question asks for a figure (how much, how long, 多少) and the best sentences of the top clause state none,
    or for a kind of figure (a duration, a sum …) that none of the top clauses states, however close their cosine.
    Or an English question over Chinese clauses has fewer than ``sure_agree`` retrieval signals ranking the top
    clause first.
    """
    conf = tuning.confidence
    if not hits or not chosen:
        return ""
    top = chosen[0]
    cited = {h.clause.id for h in chosen}
    rival = next((h for h in hits if h.clause.id not in cited), None)
    if rival is not None and top.score > 0:
        gap = (top.score - rival.score) / top.score
        other_doc = rival.clause.doc_id != top.clause.doc_id
        limit = conf.other_doc_margin if other_doc else conf.margin
        if gap < limit:
            where = "another document" if other_doc else "the same document"
            how = f"within {gap:.0%} of" if gap >= 0 else "above"
            return f"{rival.clause.label} of {where} scores {how} the best passing clause"
    if evidence.mentioned:
        return ""
    if evidence.asks_quantity and not evidence.states_number:
        return "the question asks for a figure the best clause does not state"
    if evidence.asked_kinds and not evidence.states_asked:
        return f"the question asks for {kinds_text(evidence.asked_kinds)}, which none of the top clauses states"
    if evidence.anchor_words and evidence.anchor < conf.min_anchor:
        return (f"the best clause holds none of the question's words that the documents use "
                f"({evidence.anchor_words} such word(s)): it matches by meaning only")
    if evidence.rendered and evidence.agreed < conf.sure_agree:
        # matched through translation: a close cosine alone has picked the wrong article of an unseen law; independent
        # signals agreeing on one article rarely do so by chance
        agreeing = "none" if not evidence.agreed else f"only {evidence.agreed}"
        verb = "ranks" if evidence.agreed <= 1 else "rank"
        return (f"the question is matched to text in another language, and {agreeing} of the four retrieval signals "
                f"{verb} the best clause first")
    sure = tuning.thresholds(evidence.pair, evidence.cross).sure
    if evidence.sent_cos < sure and evidence.topic_words and evidence.support < conf.weak_support:
        return f"weak evidence: best sentence cosine {evidence.sent_cos:.3f} and {evidence.supported}/{evidence.topic_words} topic words found"
    if evidence.sent_cos < sure and evidence.word_topics and evidence.word_support < conf.word_support:
        return (f"weak evidence: best sentence cosine {evidence.sent_cos:.3f} and {evidence.word_supported:g}/"
                f"{evidence.word_topics} of the question's words found through their translations")
    return ""


def unsure_candidates(hits: Sequence[Hit], chosen: Sequence[Hit], n: int) -> list[Hit]:
    """The clauses an unsure answer lists: the ranked hits, most likely first, the chosen ones kept.

    In the search's order, not by score: word coverage orders a Chinese question's hits without changing their
    scores (:meth:`policykb.kb.retrieval.retriever.Retriever._coverage_bonus`)."""
    rank = {h.clause.id: i for i, h in enumerate(hits)}
    ordered = sorted({h.clause.id: h for h in [*chosen, *hits]}.values(), key=lambda h: rank.get(h.clause.id, len(rank)))
    top = ordered[: max(n, 1)]
    if chosen[0] not in top:
        top = [chosen[0], *top[: max(n, 1) - 1]]
    return top


def _related(hits: Sequence[Hit], terms: QueryTerms, names: dict[str, DocName], n: int) -> tuple[Citation, ...]:
    """The nearest clauses, shown as "possibly related" when abstaining, each with its best sentence."""
    return tuple(citation(h.clause, pick_sentences(h, terms, 1).quote, names) for h in hits[:n])


def _is_summary_request(question: str, lang: str) -> bool:
    """True for "what does (12) say" / "第十二条讲了什么": nothing asked beyond the clause itself."""
    rest = re.sub(r"\(\s*\d+\s*\)|[（(][一二三四五六七八九十百千万亿零〇两\d]+[)）]|第\s*[（(]?[一二三四五六七八九十百千万亿零〇两\d]+[)）]?\s*[条项点款]?|\d+", " ", question)
    if lang == "zh":
        for phrase in _SUMMARY_ZH:
            rest = rest.replace(phrase, "")
        return not re.search(rf"[{CJK}A-Za-z]", rest)
    words = re.findall(r"[A-Za-z]+", rest.lower())
    return all(w in _SUMMARY_WORDS_EN for w in words)


def _clause_lookup(asked: str, lang: str, lookup: Lookup, hits: list[Hit], terms: QueryTerms,
                   names: dict[str, DocName], glossary: Glossary, tuning: TuningConfig) -> _Draft:
    found = [h for h in hits if h.clause.number == lookup.value]
    if _is_summary_request(asked, lang):
        text, cites = compose_clause([h.clause for h in found], names, lang, glossary, tuning.answer.lead_chars)
        reason = f"direct lookup of clause {lookup.value}"
    else:
        picks = [pick_sentences(h, terms, config=tuning.answer) for h in found]
        text, cites = compose_ranked(picks, names, lang, glossary, terms)
        reason = f"question about clause {lookup.value}: best-matching sentences"
    return _Draft(text, cites, False, reason, context=[h.clause for h in found], quotes={c.id: c.quote for c in cites})


def _mentions(lang: str, lookup: Lookup, hits: list[Hit], names: dict[str, DocName], glossary,
              order: dict[str, int] | None = None, renderings: tuple[str, ...] | None = None) -> _Draft:
    """Every clause the lookup found, with the sentence naming the entity.

    ``renderings``: what the entity is also found as (the retriever's ``mention_renderings``; its glossary
    translations when None). The lookup also counts glossary terms inside the entity ("Shenzhen" in
    "Shenzhen Bay"); when no clause names the entity itself, the answer says so and lists those partial matches.
    """
    entity = lookup.value
    entity_lang = detect_lang(entity)
    if renderings is None:
        renderings = tuple(glossary.to_en(entity) if entity_lang == "zh" else glossary.to_zh(entity))
    whole = tuple(dict.fromkeys([entity, *renderings]))
    found = [h.clause for h in hits if group_in(whole, h.clause.text)]
    partial = ""
    variants: tuple[str, ...] = whole
    if not found:
        parts = glossary.terms_in(entity, entity_lang)
        groups = [tuple(dict.fromkeys((e.zh, e.en, *glossary.to_en(e.zh)))) for e in parts]
        variants = tuple(dict.fromkeys(v for g in groups for v in g))
        every = [h.clause for h in hits if groups and all(group_in(g, h.clause.text) for g in groups)]  # all the parts first
        found = every or [h.clause for h in hits if variants and group_in(variants, h.clause.text)] or [h.clause for h in hits]
        partial = "、".join(dict.fromkeys(e.zh if entity_lang == "zh" else e.en for e in parts)) or entity
    if order:  # grouped by document (the best-ranked one first), each in the document's order
        doc_rank: dict[str, int] = {}
        for clause in found:
            doc_rank.setdefault(clause.doc_id, len(doc_rank))
        found.sort(key=lambda c: (doc_rank[c.doc_id], order.get(c.id, 1 << 30)))
    text, cites = compose_mentions(entity, found, variants, names, lang, glossary, partial=partial)
    reason = f"{len(found)} clause(s) mention {entity!r}" if not partial else f"no clause names {entity!r}; {len(found)} mention {partial!r}"
    return _Draft(text, cites, False, reason, context=found, quotes={c.id: c.quote for c in cites})


# -- LLM -------------------------------------------------------------------------------
def _with_llm(settings: Settings, asked: str, lang: str, draft: _Draft, names: dict[str, DocName],
              stream: bool = False) -> Generator[str, None, tuple[_Draft, AnswerMode]]:
    """The checked LLM answer, or the extractive draft with the reason the LLM's was not used (yields the
    reply's text as it arrives when ``stream``)."""
    from policykb.kb.answer.llm import llm_answer, llm_answer_stream

    try:
        if stream:
            reply = yield from llm_answer_stream(asked, lang, draft.context, names, settings, draft.quotes)
        else:
            reply = llm_answer(asked, lang, draft.context, names, settings, draft.quotes)
    except LLMError as err:
        return replace(draft, reason=f"{err}; extractive answer shown", llm_check="fallback", llm_note=str(err)), "extractive"
    if reply.not_addressed:
        why = "the LLM found the supplied clauses do not answer the question"
        return replace(draft, reason=f"{why}; extractive answer shown", llm_check="fallback", llm_note=why), "extractive"
    flags = "; ".join(reply.flags)
    reason = f"LLM answer, {len(reply.citations)} citation(s) verified" + (f"; {flags}" if flags else "")
    return replace(draft, answer=reply.answer, citations=reply.citations, reason=reason,
                   llm_check="corrected" if flags else "verified", llm_note=flags), "llm"

