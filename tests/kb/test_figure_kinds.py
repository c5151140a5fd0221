"""Figure kinds: a question asking for a duration, a sum, a share or an age is answered only by a clause stating one."""
from __future__ import annotations

from dataclasses import replace

import pytest

from policykb.ingest.model import Clause
from policykb.kb.answer.abstain import Evidence, decide, gather
from policykb.kb.answer.evidence import QueryTerms, corpus_stats, tokens_of
from policykb.kb.retrieval.figures import FigureClauses, asked_kinds, states_kind
from policykb.kb.answer.respond import unsure_why
from policykb.kb.config import DEFAULT_TUNING
from policykb.kb.model import Hit


@pytest.mark.parametrize(("question", "kinds"), [
    ("存款保险多久能赔付？", {"duration"}),
    ("银行被接管以后，多长时间内要作出决定？", {"duration"}),
    ("贷款审批要在几天之内办完？", {"duration"}),
    ("How long can a bank keep a repossessed house?", {"duration"}),
    ("How many days does the insurer have to pay out?", {"duration"}),
    ("泄露客户信息要罚多少钱？", {"money"}),
    ("What is the fine for leaking customer data?", {"money"}),
    ("首付要几成？", {"share"}),
    ("资本充足率是多少？", {"share"}),
    ("What percentage of loans may go to one borrower?", {"share"}),
    ("多少岁可以办银行卡？", {"age"}),
    ("At what age can a child open an account?", {"age"}),
    ("银行可以查我的账户吗？", set()),
    ("How many banks are there in Zhejiang?", set()),  # a count: no unit to check
    ("Who decides the deposit insurance limit?", set()),
])
def test_the_kind_of_figure_a_question_asks_for(question: str, kinds: set[str]) -> None:
    assert asked_kinds(question) == frozenset(kinds)


@pytest.mark.parametrize(("text", "kind", "states"), [
    ("接管期限最长不得超过二年。", "duration", True),
    ("投保机构应当自接到通知之日起七日内交纳保费。", "duration", True),
    ("The insurer pays within 7 working days.", "duration", True),
    ("Payment is made within seven days of the closure.", "duration", True),
    ("商业银行应当依法支付存款利息。", "duration", False),
    ("个人信息的保存期限应当为实现处理目的所必要的最短时间。", "duration", True),  # a duration stated without a number
    ("The controller shall erase the data without delay.", "duration", True),
    ("处违法所得一倍以上五倍以下罚款；没有违法所得的，处五十万元以上二百万元以下罚款。", "money", True),
    ("向其支付相当于六个月工资的补偿金。", "money", True),
    ("The bank is fined 500,000 yuan.", "money", True),
    ("依法承担赔偿责任。", "money", False),
    ("逾期交纳的，每日加收未交纳保费万分之五的滞纳金。", "money", True),  # a sum as a share of another
    ("资本充足率不得低于百分之八。", "share", True),
    ("The ratio shall not exceed 25%.", "share", True),
    ("应当遵守资产负债比例管理的规定。", "share", False),
    ("年满十八周岁的个人可以申请开立账户。", "age", True),
    ("处理未成年人个人信息的，应当取得其监护人的同意。", "age", False),
])
def test_whether_a_text_states_a_figure_of_a_kind(text: str, kind: str, states: bool) -> None:
    assert states_kind(text, frozenset({kind})) is states


def test_no_kind_asked_needs_no_figure() -> None:
    assert states_kind("依法承担赔偿责任。", frozenset())


def _clause(number: str, text: str) -> Clause:
    return Clause(id=f"law:{number}", doc_id="law", section="1", section_title="", number=number, label=f"第{number}条",
                  title="", text=text, items=(), refs=(), lang="zh", sha256="")


def _hit(clause: Clause, cos: float) -> Hit:
    return Hit(clause=clause, score=1.0, signals={"dense_sentence": cos}, sentences=((clause.text, cos),))


_LIABILITY = "商业银行违反本法规定，对存款人造成财产损害的，应当承担赔偿责任。"
_TRIPLE = "赔偿金额为存款人实际损失的二倍。"


def _evidence(question: str, texts: list[str], cos: float) -> Evidence:
    hits = [_hit(_clause(str(i + 1), t), cos) for i, t in enumerate(texts)]
    own = tokens_of(question)
    terms = QueryTerms(lang="zh", tokens=own, own_tokens=own, groups=())
    return gather(hits, terms, corpus_stats([h.clause for h in hits]), "zh", question)


def test_a_figure_kind_no_top_clause_states_abstains_below_the_sure_cosine() -> None:
    ev = _evidence("银行弄丢了我的存款要赔多少钱？", [_LIABILITY], 0.80)
    assert ev.asked_kinds == ("money",) and not ev.states_asked
    abstain, why = decide(ev)
    assert abstain and "a sum of money" in why


def test_a_figure_stated_by_any_top_clause_counts() -> None:
    ev = _evidence("银行弄丢了我的存款要赔多少钱？", [_LIABILITY, _TRIPLE], 0.80)
    assert ev.states_asked
    assert "a sum of money" not in decide(ev)[1]


def test_above_the_sure_cosine_a_figure_kind_not_stated_is_unsure_not_abstained() -> None:
    ev = _evidence("银行弄丢了我的存款要赔多少钱？", [_LIABILITY], 0.97)
    abstain, _why = decide(ev)
    assert not abstain
    hit = _hit(_clause("1", _LIABILITY), 0.97)
    sure = replace(ev, asks_quantity=False)  # only the kind check speaks
    assert "a sum of money" in unsure_why([hit], [hit], sure, DEFAULT_TUNING)
    assert unsure_why([hit], [hit], replace(sure, states_asked=True), DEFAULT_TUNING) == ""


@pytest.mark.parametrize("question", [
    "What is the minimum capital adequacy ratio for commercial banks?",
    "What's the reserve ratio?",
])
def test_an_english_question_for_a_named_ratio_asks_for_a_share(question: str) -> None:
    assert asked_kinds(question) == frozenset({"share"})


def test_a_rate_named_in_passing_is_not_asked_for() -> None:
    assert asked_kinds("What is the exchange rate risk policy for exporters?") == frozenset()


def test_an_english_question_for_an_amount_asks_for_a_sum() -> None:
    assert asked_kinds("What is the maximum loan amount for a first home?") == frozenset({"money"})
    assert asked_kinds("What amount of detail must a privacy notice give?") == frozenset()


def test_a_long_run_of_numerals_is_scanned_in_bounded_steps() -> None:
    """Numeral runs are matched in bounded pieces: a clause of 20,000 numerals takes as long as any text
    of its length (an unbounded run made each search quadratic: over a minute for this text)."""
    from policykb.kb.answer.abstain import states_number

    text = "一二三四五六七八九十" * 2000 + "1,1,1,1," * 2000 + "1 " * 5000
    kinds = frozenset({"duration", "money", "share", "age"})
    assert not states_kind(text, kinds)
    assert states_kind(text + "三十日", kinds)
    assert states_number(text)


def _article(cid: str, text: str) -> Clause:
    doc, number = cid.split(":")
    return Clause(id=cid, doc_id=doc, section="1", section_title="", number=number, label=f"第{number}条", title="",
                  text=text, items=(), refs=(), lang="zh", sha256="")


def test_clauses_stating_the_asked_kind_of_figure_are_lifted() -> None:
    texts = {"a:1": "设立商业银行的注册资本最低限额为十亿元人民币。", "a:2": "资本充足率不得低于百分之八。",
             "a:3": "商业银行应当审慎经营。"}
    figures = FigureClauses({cid: _article(cid, t) for cid, t in texts.items()})
    scores = {"a:1": 0.9, "a:2": 0.8, "a:3": 0.85}
    lifted = figures.lift("资本充足率最低是多少？", scores, 0.2)  # asks for a share
    assert lifted == pytest.approx({"a:1": 0.9, "a:2": 1.0, "a:3": 0.85})
    assert figures.lift("开一家商业银行的注册资本最少要多少钱？", scores, 0.2)["a:1"] == pytest.approx(1.1)
    # a question asking for no kind of figure, or a bonus of 0, leaves the scores alone
    assert figures.lift("商业银行要怎么经营？", scores, 0.2) == scores
    assert figures.lift("资本充足率最低是多少？", scores, 0.0) == scores
    # only scored clauses are lifted: a clause out of the search's scope does not come in
    assert set(figures.lift("资本充足率最低是多少？", {"a:3": 0.5}, 0.2)) == {"a:3"}


def test_a_question_for_a_ratio_finds_the_article_stating_it_not_the_one_with_its_words(corpus5_kb_dir) -> None:
    """"minimum … capital" is the wording of the registered-capital article (最低限额, 十亿元); the capital adequacy ratio
    (百分之八) is in the balance-sheet article, whose rendered words match less of the question."""
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=corpus5_kb_dir))
    try:
        for question in ("What is the minimum capital adequacy ratio for commercial banks?", "银行的资本充足率最低是多少？"):
            assert kb.search(question, 3).hits[0].clause.id == "commercial-bank-law-2015:39", question
    finally:
        kb.close()
