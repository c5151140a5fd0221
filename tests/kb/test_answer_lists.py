"""Answers a user can rely on through a conversation (real KBs, real model): follow-ups that name another clause or
document, asking back when a follow-up cannot be resolved, complete enumerations grouped by document, quotes that
carry content, and phrases the text does not hold named as such."""
from __future__ import annotations

import re

import pytest

from policykb.kb.model import Answer, Turn

from kb_helpers import OPINIONS, ZH_RULE, op


def _ids(answer: Answer) -> list[str]:
    return [c.id for c in answer.citations]


def _converse(kb, *questions: str) -> list[Answer]:
    turns: list[Turn] = []
    answers = []
    for question in questions:
        answer = kb.ask(question, history=tuple(turns))
        turns.append(Turn(question, answer))
        answers.append(answer)
    return answers


def _verbatim(kb, answer: Answer) -> None:
    for cite in answer.citations:
        assert cite.quote and cite.quote in kb.clause(cite.id).text, (cite.id, cite.quote)


# -- follow-ups naming another clause -----------------------------------------------------------------
@pytest.mark.parametrize("questions, numbers", [
    (["第十三条讲了什么？", "那第十五条呢？", "那第十八条呢？"], [13, 15, 18]),
    (["What does clause (12) say?", "And clause 15?", "What about article 20?"], [12, 15, 20]),
    (["第十三条讲了什么？", "And clause (15)?"], [13, 15]),
])
def test_a_follow_up_naming_another_clause_takes_it(corpus_kb, questions, numbers) -> None:
    answers = _converse(corpus_kb, *questions)
    assert [_ids(a) for a in answers] == [[op(n)] for n in numbers]
    assert all(a.confidence == "sure" and not a.abstained for a in answers)
    assert answers[1].resolved_question and str(numbers[1]) not in questions[0]
    _verbatim(corpus_kb, answers[-1])


def test_a_bare_number_means_that_article_of_the_conversations_document(mixed_kb) -> None:
    first, second, third = _converse(mixed_kb, "普惠金融服务管理办法第五条是怎么规定的？", "那第七条呢？", "And article 3?")
    assert _ids(first) == [f"{ZH_RULE}:5"]  # the named document only, not (5) of the Opinions too
    assert _ids(second) == [f"{ZH_RULE}:7"] and "第七条" in second.resolved_question
    assert _ids(third) == [f"{ZH_RULE}:3"]
    # the conversation's document is the one the last answer cited when no question named one
    earlier, follow = _converse(mixed_kb, "How will savings bonds reach the countryside?", "那第七条呢？")
    assert _ids(earlier)[0] == op(18) and _ids(follow) == [op(7)]
    # a lookup in every document keeps that scope: the next number is looked up in every document too
    _every, both = _converse(mixed_kb, "第三条讲了什么？", "那第七条呢？")
    assert set(_ids(both)) == {op(7), f"{ZH_RULE}:7"} and both.confidence == "sure"


def test_a_follow_up_naming_another_document_takes_it(mixed_kb) -> None:
    _first, other = _converse(mixed_kb, "普惠金融服务管理办法第三条是怎么规定的？", "那《意见》呢？")
    assert _ids(other) == [op(3)]


@pytest.mark.parametrize("questions, lang", [
    (["Who won the 2022 World Cup final?", "那第十五条呢？"], "zh"),
    (["Who won the 2022 World Cup final?", "And clause 15?"], "en"),
    (["那份文件的第三条讲了什么？"], "zh"),
    (["What does that document say about deposits?"], "en"),
])
def test_an_unresolvable_follow_up_is_asked_back_not_guessed(mixed_kb, questions, lang) -> None:
    answer = _converse(mixed_kb, *questions)[-1]
    assert answer.confidence == "clarify" and answer.citations == () and not answer.abstained
    assert answer.reason.startswith("clarify:")
    assert answer.lang == lang
    assert ("请问" in answer.answer) if lang == "zh" else ("which one do you mean" in answer.answer.lower()
                                                           or "which document do you mean" in answer.answer.lower())


def test_a_follow_up_in_a_one_document_kb_is_never_ambiguous(corpus_kb) -> None:
    answer = _converse(corpus_kb, "Who won the 2022 World Cup final?", "那第十五条呢？")[-1]
    assert _ids(answer) == [op(15)]


# -- enumerations --------------------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["宁波有哪些政策？", "What does the text say about Ningbo?", "List the measures for Ningbo."])
def test_a_question_asking_for_all_cites_every_matching_clause(corpus_kb, question) -> None:
    answer = corpus_kb.ask(question)
    assert _ids(answer) == [op(12), op(20)], answer.reason
    assert answer.confidence == "sure"
    _verbatim(corpus_kb, answer)


def test_an_enumeration_is_grouped_by_document(mixed_kb) -> None:
    for question in ("宁波有哪些政策？", "哪些条款提到宁波？"):
        answer = mixed_kb.ask(question)
        ids = _ids(answer)
        assert {op(12), op(20), f"{ZH_RULE}:7"} <= set(ids), (question, ids)
        docs = [i.split(":")[0] for i in ids]
        assert docs == sorted(docs, key=docs.index), ids  # each document's clauses together
        mine = [i for i in ids if i.startswith(OPINIONS)]
        assert mine == sorted(mine, key=lambda i: int(i.split(":")[1]))  # in the document's order
        positions = [answer.answer.find(c.quote[:30]) for c in answer.citations]
        assert positions == sorted(positions) and -1 not in positions  # the text follows the same order


def test_a_single_answer_question_still_cites_one_clause(corpus_kb) -> None:
    answer = corpus_kb.ask("How will savings bonds reach the countryside?")
    assert _ids(answer)[0] == op(18) and len(answer.citations) <= 2


# -- quotes carry content ---------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["对26个山区县有什么支持？", "What assistance goes to the 26 mountainous counties?"])
def test_a_quote_never_stops_at_a_heading(corpus_kb, question) -> None:
    answer = corpus_kb.ask(question)
    assert _ids(answer)[0] == op(17)
    quote = answer.citations[0].quote
    assert len(re.findall(r"[A-Za-z]+", quote)) > 12, quote  # more than "Assisting 26 mountainous counties."
    assert quote.strip() != corpus_kb.clause(op(17)).title.strip()
    _verbatim(corpus_kb, answer)


# -- partial matches --------------------------------------------------------------------------------
@pytest.mark.parametrize("question, opening", [
    ("What does the document say about carbon emission rights?", "The text does not mention “carbon emission rights”"),
    ("银行如何将碳排放权纳入信贷管理？", "文件中没有提到“碳排放权”"),
])
def test_a_phrase_the_text_does_not_hold_is_named(corpus_kb, question, opening) -> None:
    answer = corpus_kb.ask(question)
    assert not answer.abstained and answer.citations
    assert answer.answer.startswith(opening), answer.answer[:120]
    assert "carbon emission rights" in answer.answer.split("\n")[0] and "not in the text" in answer.reason


@pytest.mark.parametrize("question", ["What does the document say about green bonds?", "What does the document say about inclusive finance?",
                                      "宁波有哪些政策？"])
def test_a_phrase_the_text_holds_is_not_flagged(corpus_kb, question) -> None:
    answer = corpus_kb.ask(question)
    assert "does not mention" not in answer.answer and "没有提到" not in answer.answer, answer.answer[:160]


# -- English enumerations over Chinese laws (the five bundled documents) --------------------------------------------
@pytest.fixture(scope="module")
def corpus5_kb(corpus5_kb_dir):
    """The five-document KB, read only."""
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=corpus5_kb_dir))
    yield kb
    kb.close()


def test_an_english_enumeration_reaches_chinese_clauses_through_the_dictionary(corpus5_kb) -> None:
    holding = {c.id for c in corpus5_kb.clauses() if "存款人" in c.text}  # "depositor" is in no glossary entry
    assert len({cid.split(":")[0] for cid in holding}) >= 2
    chinese = corpus5_kb.ask("哪些条款提到存款人？")
    english = corpus5_kb.ask("List the articles that mention depositors")
    assert set(_ids(chinese)) == holding, chinese.reason
    # the same articles; their order follows each question's own ranking
    assert english.confidence == "sure" and sorted(_ids(english)) == sorted(_ids(chinese)), english.reason
    assert all("存款人" in c.quote for c in english.citations)
    _verbatim(corpus5_kb, english)


@pytest.mark.parametrize("question", ["Which articles mention dinosaurs?", "List the clauses that mention volcanoes"])
def test_an_english_enumeration_of_a_term_the_kb_does_not_render_says_so(corpus5_kb, question) -> None:
    answer = corpus5_kb.ask(question)
    assert answer.abstained and answer.citations == (), answer.reason
    assert "do not mention" in answer.answer


def test_search_shows_every_article_so_numbered_on_one_top_score(corpus5_kb) -> None:
    result = corpus5_kb.search("第三十九条", k=5)
    numbered = {c.id for c in corpus5_kb.clauses() if c.number == "39"}
    assert len(numbered) > 1 and {h.clause.id for h in result.hits} == numbered
    assert len({h.score for h in result.hits}) == 1 and result.hits[0].score > 0
    assert result.related and all(r.score <= result.hits[0].score for r in result.related)
