"""Abstention for English questions over Chinese clauses: support read through the words' renderings."""
from __future__ import annotations

from policykb.ingest.model import Clause
from policykb.kb.answer.abstain import decide, gather
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
