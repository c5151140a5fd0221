"""Abstention across languages: English questions over Chinese clauses read support through the words' renderings;
Chinese questions over English clauses through glossary terms, their words' renderings deciding whether they are sure."""
from __future__ import annotations

from dataclasses import replace

from policykb.ingest.model import Clause
from policykb.kb.answer.abstain import decide, gather
from policykb.kb.answer.respond import unsure_why
from policykb.kb.answer.evidence import QueryTerms, corpus_stats
from policykb.kb.config import DEFAULT_TUNING
from policykb.kb.model import Hit

_TEXT_A = "存款保险实行限额偿付，最高偿付限额为人民币五十万元。"
_TEXT_B = "商业银行的营业时间应当方便客户，并予以公告。"


def _clause(number: str, text: str) -> Clause:
    return Clause(id=f"regs:{number}", doc_id="regs", section="1", section_title="", number=number, label=f"第{number}条",
                  title="", text=text, items=(), refs=(), lang="zh", sha256="")


def _terms(renderings: dict[str, dict[str, float]]) -> QueryTerms:
    return QueryTerms(lang="en", tokens=frozenset(renderings), own_tokens=frozenset(renderings), groups=(),
                      renderings=tuple((w, tuple(sorted(r.items()))) for w, r in renderings.items()))


def _hit(clause: Clause, cos: float) -> Hit:
    return Hit(clause=clause, score=1.0, signals={"dense_sentence": cos}, sentences=((clause.text, cos),))


# "What is the maximum payout limit?" as the retriever renders it (word → weighted KB words, the word itself at 1.0)
_RENDERED = {"maximum": {"maximum": 1.0, "最高": 0.7}, "payout": {"payout": 1.0, "偿付": 0.5}, "limit": {"limit": 1.0, "限额": 0.6}}


def test_an_english_question_is_supported_through_its_words_renderings() -> None:
    a, b = _clause("5", _TEXT_A), _clause("9", _TEXT_B)
    stats = corpus_stats([a, b])
    ev = gather([_hit(a, 0.83)], _terms(_RENDERED), stats, "en", "Who sets the top payout?", top_n=1)
    assert ev.rendered and ev.pair == "en-zh" and ev.topic_words == 3
    assert ev.supported == 1.8  # each word found at its rendering's weight
    abstain, why = decide(ev, DEFAULT_TUNING.abstain.pairs)
    assert not abstain, why


def test_an_english_question_none_of_whose_renderings_the_clause_holds_abstains() -> None:
    a, b = _clause("5", _TEXT_A), _clause("9", _TEXT_B)
    stats = corpus_stats([a, b])
    ev = gather([_hit(b, 0.83)], _terms(_RENDERED), stats, "en", "Who sets the top payout?", top_n=1)
    assert ev.supported == 0 and ev.unknown == 0  # every word has a rendering somewhere in the KB, none in this clause
    abstain, why = decide(ev, DEFAULT_TUNING.abstain.pairs)
    assert abstain and "too few" in why


def test_a_weaker_rendering_counts_for_less_and_document_name_words_are_not_topic_words() -> None:
    a = _clause("5", _TEXT_A)
    stats = corpus_stats([a])
    rendered = {"cap": {"cap": 1.0, "上限": 0.8, "限额": 0.4}, "insur": {"insur": 1.0, "存款保险": 0.9}}
    ev = gather([_hit(a, 0.83)], _terms(rendered), stats, "en", "What is the insurance cap?",
                generic=frozenset({"存款保险"}), top_n=1)
    assert ev.topic_words == 1  # "insurance" names the document through its main rendering
    assert ev.supported == 0.4  # "cap" found only through 限额, a weaker rendering


# -- Chinese questions over English clauses: glossary terms decide abstaining, the words' renderings whether it is sure --
_EN_TEXT = "Deepen the construction of the rural credit system and strengthen the sharing of credit information."


def _en_clause() -> Clause:
    return Clause(id="ops:18", doc_id="ops", section="1", section_title="", number="18", label="(18)", title="",
                  text=_EN_TEXT, items=(), refs=(), lang="en", sha256="")


def _zh_terms(renderings: dict[str, dict[str, float]], groups: tuple[tuple[str, ...], ...]) -> QueryTerms:
    return QueryTerms(lang="zh", tokens=frozenset(renderings), own_tokens=frozenset(renderings), groups=groups,
                      renderings=tuple((w, tuple(sorted(r.items()))) for w, r in renderings.items()))


# "信用卡逾期会上征信吗？": only 征信 is a glossary term (credit information); the card and the overdue days are not
_CARD = {"信用卡": {"信用卡": 1.0, "credit": 0.25, "card": 0.25}, "逾期": {"逾期": 1.0, "overdu": 1.0},
         "征信": {"征信": 1.0, "credit": 1.0, "inform": 1.0}}


def test_a_chinese_question_whose_words_the_english_clause_mostly_lacks_is_not_sure() -> None:
    clause = _en_clause()
    stats = corpus_stats([clause])
    ev = gather([_hit(clause, 0.80)], _zh_terms(_CARD, (("征信", "credit information"),)), stats, "zh",
                "信用卡逾期会上征信吗？", top_n=1)
    assert ev.pair == "zh-en" and not ev.rendered
    assert ev.concepts_found == 1 and ev.support == 1.0  # the glossary term alone: full support, not abstained
    assert not decide(ev, DEFAULT_TUNING.abstain.pairs)[0]
    assert ev.word_topics == 3 and ev.word_supported == 1.25  # 信用卡 through a weak rendering (credit), 逾期 not, 征信 found
    why = unsure_why([_hit(clause, 0.80)], [_hit(clause, 0.80)], ev, DEFAULT_TUNING)
    assert "through their translations" in why
    off = replace(DEFAULT_TUNING, confidence=replace(DEFAULT_TUNING.confidence, word_support=0.0))
    assert unsure_why([_hit(clause, 0.80)], [_hit(clause, 0.80)], ev, off) == ""  # 0 turns the rule off


def test_a_chinese_question_whose_words_the_english_clause_holds_stays_sure() -> None:
    clause = _en_clause()
    stats = corpus_stats([clause])
    rendered = {"农村": {"农村": 1.0, "rural": 1.0}, "征信": {"征信": 1.0, "credit": 1.0, "inform": 1.0}}
    ev = gather([_hit(clause, 0.80)], _zh_terms(rendered, (("征信", "credit information"),)), stats, "zh",
                "农村征信怎么建设？", top_n=1)
    assert ev.word_topics == 2 and ev.word_support == 1.0
    assert unsure_why([_hit(clause, 0.80)], [_hit(clause, 0.80)], ev, DEFAULT_TUNING) == ""


def test_a_specific_word_the_top_clauses_gloss_holds_counts_at_the_gloss_credit() -> None:
    # "open" has no rendering in either clause; the glosses say which clause's senses name it.
    a, b = _clause("5", _TEXT_A), _clause("9", _TEXT_B)
    stats = corpus_stats([a, b])
    rendered = {**_RENDERED, "open": {"open": 1.0, "开业": 0.7}}
    glossed = replace(_terms(rendered), glossed=(("open", 0.5, frozenset({b.id})),))
    on_b = gather([_hit(b, 0.83), _hit(a, 0.8)], glossed, stats, "en", "When must the bank be open?", top_n=2)
    on_a = gather([_hit(a, 0.83), _hit(b, 0.8)], glossed, stats, "en", "When must the bank be open?", top_n=2)
    plain = gather([_hit(b, 0.83), _hit(a, 0.8)], _terms(rendered), stats, "en", "When must the bank be open?", top_n=2)
    assert plain.supported == 1.8  # "maximum", "payout", "limit" through clause a's renderings; "open" not found
    assert on_b.supported == 2.3  # "open" is in the top clause's gloss: half found
    assert on_a.supported == 1.8  # only the top clause's gloss counts: b is second here


def test_signals_agreeing_on_the_top_clause_outweigh_too_few_words_found_across_languages_only() -> None:
    a, b = _clause("5", _TEXT_A), _clause("9", _TEXT_B)
    stats = corpus_stats([a, b])
    agree = DEFAULT_TUNING.abstain.agree
    for agreed, abstains in ((agree, False), (agree - 1, True)):
        top = replace(_hit(b, 0.83), firsts=("dense_clause", "dense_sentence", "lexical", "bridge")[:agreed])
        ev = gather([top], _terms(_RENDERED), stats, "en", "Who sets the top payout?", top_n=1)
        assert ev.supported == 0 and ev.agreed == agreed
        abstain, why = decide(ev, DEFAULT_TUNING.abstain.pairs, agree)
        assert abstain is abstains, why
        if not abstains:
            assert unsure_why([top], [top], ev, DEFAULT_TUNING)  # answered, but as unsure
    same = replace(_hit(b, 0.83), firsts=("dense_clause", "dense_sentence", "lexical", "bridge"))
    zh_terms = QueryTerms(lang="zh", tokens=frozenset({"保险", "限额"}), own_tokens=frozenset({"保险", "限额"}), groups=())
    ev = gather([same], zh_terms, stats, "zh", "保险限额怎么规定？", top_n=1)
    assert ev.agreed == 4 and ev.support == 0
    abstain, why = decide(ev, DEFAULT_TUNING.abstain.pairs, agree)
    assert abstain and "too few" in why  # a question in the clauses' language is read by its own words
