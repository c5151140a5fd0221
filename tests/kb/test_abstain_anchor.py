"""Anchoring: an answer whose top clause holds none of the question's known content words is unsure, however close its cosine."""
from __future__ import annotations

from dataclasses import replace

from policykb.ingest.model import Clause
from policykb.kb.answer.abstain import Evidence, anchor_share, gather
from policykb.kb.answer.evidence import QueryTerms, corpus_stats, tokens_of
from policykb.kb.answer.respond import unsure_why
from policykb.kb.config import DEFAULT_TUNING
from policykb.kb.model import Hit

_PAYOUT = "存款保险基金管理机构应当在七个工作日内偿付被保险存款。"
_ACCOUNTS = "商业银行的会计年度自公历一月一日起至十二月三十一日止。"
_INSIDERS = "商业银行不得向关系人发放信用贷款。"


def _clause(number: str, text: str, lang: str = "zh", doc: str = "law") -> Clause:
    return Clause(id=f"{doc}:{number}", doc_id=doc, section="1", section_title="", number=number, label=f"第{number}条",
                  title="", text=text, items=(), refs=(), lang=lang, sha256="")


def _hit(clause: Clause, cos: float, score: float = 1.0) -> Hit:
    return Hit(clause=clause, score=score, signals={"dense_sentence": cos}, sentences=((clause.text, cos),))


def _zh_terms(question: str) -> QueryTerms:
    own = tokens_of(question)
    return QueryTerms(lang="zh", tokens=own, own_tokens=own, groups=())


def test_the_share_weighs_rare_known_words_and_ignores_unknown_and_single_characters() -> None:
    clauses = [_clause("19", _PAYOUT), _clause("58", _ACCOUNTS), _clause("42", _INSIDERS)]
    stats = corpus_stats(clauses)
    words = {"偿付", "会计年度", "老板", "会"}  # 老板 occurs in no clause; 会 is one character
    n, share = anchor_share(words, tokens_of(_PAYOUT), stats)
    assert n == 2  # 偿付 and 会计年度: the words some clause holds
    assert share == 0.5  # both occur in one clause each: equal weights, one found
    assert anchor_share({"老板"}, tokens_of(_PAYOUT), stats) == (0, 0.0)  # no known word: nothing measured


def test_a_close_cosine_without_any_known_word_in_the_top_clause_is_unsure() -> None:
    payout, accounts = _clause("19", _PAYOUT), _clause("58", _ACCOUNTS)
    stats = corpus_stats([payout, accounts, _clause("42", _INSIDERS)])
    question = "存款多久能偿付？"
    wrong = gather([_hit(accounts, 0.93)], _zh_terms(question), stats, "zh", question, top_n=1)
    assert wrong.anchor_words >= 1 and wrong.anchor == 0.0
    why = unsure_why([_hit(accounts, 0.93)], [_hit(accounts, 0.93)], wrong, DEFAULT_TUNING)
    assert "matches by meaning only" in why
    right = gather([_hit(payout, 0.93)], _zh_terms(question), stats, "zh", question, top_n=1)
    assert right.anchor == 1.0
    assert unsure_why([_hit(payout, 0.93)], [_hit(payout, 0.93)], right, DEFAULT_TUNING) == ""
    off = replace(DEFAULT_TUNING, confidence=replace(DEFAULT_TUNING.confidence, min_anchor=0.0))
    assert unsure_why([_hit(accounts, 0.93)], [_hit(accounts, 0.93)], wrong, off) == ""  # 0 turns the rule off


def test_a_question_whose_words_the_kb_never_uses_is_not_judged_by_anchoring() -> None:
    ev = Evidence(sent_cos=0.93, cross=False, topic_words=3, supported=0, unknown=3, pair="zh-zh")
    assert ev.anchor_words == 0
    hit = _hit(_clause("19", _PAYOUT), 0.93)
    assert unsure_why([hit], [hit], ev, DEFAULT_TUNING) == ""


def test_an_english_question_is_anchored_through_its_words_renderings() -> None:
    payout, accounts = _clause("19", _PAYOUT), _clause("58", _ACCOUNTS)
    stats = corpus_stats([payout, accounts])
    rendered = {"payout": {"payout": 1.0, "偿付": 0.9}, "deposit": {"deposit": 1.0, "存款": 0.5}}
    terms = QueryTerms(lang="en", tokens=frozenset(rendered), own_tokens=frozenset(rendered), groups=(),
                       renderings=tuple((w, tuple(sorted(r.items()))) for w, r in rendered.items()))
    right = gather([_hit(payout, 0.9)], terms, stats, "en", "How long does the deposit payout take?", top_n=1)
    wrong = gather([_hit(accounts, 0.9)], terms, stats, "en", "How long does the deposit payout take?", top_n=1)
    assert right.anchor_words == wrong.anchor_words == 2
    assert abs(right.anchor - 0.7) < 1e-9  # 偿付 at 0.9 and 存款 at 0.5, equally rare: each word at its rendering's weight
    assert wrong.anchor == 0.0


def test_a_figure_asked_and_not_stated_is_unsure_however_close_the_cosine() -> None:
    hit = _hit(_clause("19", _PAYOUT), 0.95)
    asked = Evidence(sent_cos=0.95, cross=False, topic_words=1, supported=1, unknown=0, pair="zh-zh",
                     asks_quantity=True, states_number=False)
    assert "figure" in unsure_why([hit], [hit], asked, DEFAULT_TUNING)
    stated = replace(asked, states_number=True)
    assert unsure_why([hit], [hit], stated, DEFAULT_TUNING) == ""
    not_asked = replace(asked, asks_quantity=False)
    assert unsure_why([hit], [hit], not_asked, DEFAULT_TUNING) == ""
