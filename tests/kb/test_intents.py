"""A rule's frame: questions asking when it takes effect or what it is for find the article that says so."""
from __future__ import annotations

import pytest

from policykb.ingest.model import Clause
from policykb.kb.retrieval.intents import IntentClauses, question_intent, states_intent

ZH_RULE = "zj-inclusive-finance-rules"


@pytest.mark.parametrize(("question", "intent"), [
    ("When did the deposit insurance regulations come into force?", "commencement"),
    ("When does the rule take effect?", "commencement"),
    ("What is the effective date of the measures?", "commencement"),
    ("存款保险条例什么时候开始施行？", "commencement"),
    ("《个人信息保护法》从哪天起生效？", "commencement"),
    ("这个办法的施行日期是哪天？", "commencement"),
    ("What is the purpose of the Commercial Bank Law?", "purpose"),
    ("Why were these rules issued?", "purpose"),
    ("商业银行法的立法目的是什么？", "purpose"),
    ("为什么要制定这个办法？", "purpose"),
    # not about the rule itself
    ("When does a bank have to pay out insured deposits?", ""),
    ("What is the purpose of the deposit insurance fund?", ""),
    ("个人信息处理的目的是什么？", ""),
    ("央行什么时候降准？", ""),
])
def test_the_intent_of_a_question(question: str, intent: str) -> None:
    assert question_intent(question) == intent


@pytest.mark.parametrize(("question", "named", "intent"), [
    # when something takes effect, without a rule's kind word: a commencement question only when it names a document
    ("存款保险是从哪天开始实行的？", True, "commencement"),
    ("个人信息保护是哪天开始生效的", True, "commencement"),
    ("存款保险是从哪天开始实行的？", False, ""),
    ("新规什么时候开始实行？", False, ""),
    # the verb does not end the question: when a measure applies, not when the rule does
    ("存款保险什么时候开始实行限额偿付？", True, ""),
    ("央行什么时候降准？", True, ""),
])
def test_a_question_without_a_rules_kind_word_needs_a_named_document(question: str, named: bool, intent: str) -> None:
    assert question_intent(question, named) == intent


@pytest.mark.parametrize(("text", "intent", "states"), [
    ("本法自2015年10月1日起施行。", "commencement", True),
    ("本办法自发布之日起施行。", "commencement", True),
    ("These Measures shall come into force on 1 July 2024.", "commencement", True),
    ("本条例施行前已开业的银行业金融机构，应当在规定的期限内办理投保手续。", "commencement", False),
    ("原办法自本办法施行之日起废止。", "commencement", False),
    ("为了保护存款人的合法权益，制定本法。", "purpose", True),
    ("In order to protect depositors, these Regulations are formulated.", "purpose", True),
    ("商业银行应当为客户保密，不得为他人查询提供便利。", "purpose", False),
])
def test_whether_a_clause_states_an_intent(text: str, intent: str, states: bool) -> None:
    assert states_intent(text, intent) is states


def _clause(cid: str, text: str) -> Clause:
    doc, number = cid.split(":")
    return Clause(id=cid, doc_id=doc, section="1", section_title="", number=number, label=f"第{number}条", title="",
                  text=text, items=(), refs=(), lang="zh", sha256="")


def test_each_documents_frame_article_rises_just_above_its_best_clause() -> None:
    texts = {"a:1": "为了规范存款，制定本法。", "a:2": "存款利率按规定执行。", "a:9": "本法自2015年10月1日起施行。",
             "b:1": "个人信息处理应当合法。", "b:8": "本法自2021年11月1日起施行。", "c:3": "Opinions paragraph."}
    clauses = {cid: _clause(cid, text) for cid, text in texts.items()}
    scores = {"a:2": 0.9, "a:1": 0.5, "b:1": 0.7, "c:3": 0.95}
    lifted = IntentClauses(clauses).lift("commencement", scores, 0.05)
    assert lifted["a:9"] == pytest.approx(0.95) and lifted["b:8"] == pytest.approx(0.75)
    order = sorted(lifted, key=lambda c: -lifted[c])
    assert order.index("a:9") < order.index("a:2") and order.index("b:8") < order.index("b:1")
    assert lifted["c:3"] == 0.95 and lifted["a:2"] == 0.9  # other clauses keep their scores
    # a document none of whose clauses was scored (out of scope) is not lifted into the results
    assert "b:8" not in IntentClauses(clauses).lift("commencement", {"a:2": 0.9}, 0.05)


def test_a_commencement_question_is_answered_from_the_rules_last_article(mixed_kb) -> None:
    for question in ("When does the rule take effect?", "这个办法什么时候开始施行？"):
        result = mixed_kb.search(question, 3, doc=ZH_RULE)
        assert result.hits[0].clause.id == f"{ZH_RULE}:25", question
    answer = mixed_kb.ask("When do these measures take effect?", doc=ZH_RULE)
    assert not answer.abstained
    assert answer.citations[0].id == f"{ZH_RULE}:25"
    assert "2024年7月1日" in answer.citations[0].quote


def test_a_purpose_question_is_answered_from_the_rules_first_article(mixed_kb) -> None:
    result = mixed_kb.search("这个办法的立法目的是什么？", 3, doc=ZH_RULE)
    assert result.hits[0].clause.id == f"{ZH_RULE}:1"


def test_naming_a_rules_subject_is_enough_to_ask_when_it_takes_effect(corpus5_kb_dir) -> None:
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=corpus5_kb_dir))
    try:
        result = kb.search("存款保险是从哪天开始实行的？", 3)
        assert result.hits[0].clause.id == "deposit-insurance-regs-2015:23"
        assert result.hits[0].intent == "commencement"
        answer = kb.ask("存款保险是从哪天开始实行的？")
        # unsure (the article holds none of the question's words), citing the commencement article first
        assert not answer.abstained and answer.citations[0].id == "deposit-insurance-regs-2015:23"
        # naming no document, the same words are not read as asking when one of them takes effect
        assert all(not h.intent for h in kb.search("新规什么时候开始实行？", 5).hits)
    finally:
        kb.close()
