"""Unit tests of the answer parts that need no index: quoting, naming, follow-ups, abstention signals."""
from __future__ import annotations

import pytest

from policykb.ingest.model import Clause
from policykb.kb.answer.abstain import Evidence, Thresholds, asks_live, asks_quantity, decide, mention_subject, states_number
from policykb.kb.answer.respond import _is_summary_request
from policykb.kb.retrieval.glossary import bundled_glossary
from policykb.kb.model import Answer, Citation, DocumentInfo, Hit, Turn
from policykb.kb.answer.naming import clause_ref, doc_names
from policykb.kb.answer.quotes import clause_sentences, lead_span, locate
from policykb.kb.answer.followup import resolve_followup


def _clause(number: str, label: str, text: str, lang: str = "en", doc: str = "d", title: str = "") -> Clause:
    return Clause(id=f"{doc}:{number}", doc_id=doc, section="1", section_title="S", number=number, label=label,
                  title=title, text=text, lang=lang)


# -- quotes ------------------------------------------------------------------------------
def test_locate_returns_the_verbatim_span_across_line_breaks() -> None:
    text = "Support banks.\nPromote the distribution of savings bonds\nto the countryside."
    assert locate(text, "Support banks.") == "Support banks."
    span = locate(text, "Promote the distribution of savings bonds to the countryside.")
    assert span == "Promote the distribution of savings bonds\nto the countryside."
    assert span in text
    assert locate(text, "Banks must give every farmer a free bond.") is None


def test_locate_tolerates_missing_spaces_between_chinese_characters() -> None:
    text = "推动储蓄国债\n下乡。支持银行。"
    assert locate(text, "推动储蓄国债下乡。") == "推动储蓄国债\n下乡。"


def test_clause_sentences_are_verbatim_and_in_order() -> None:
    text = "Deepen small and micro financial services. Implement the project; promote loan codes. Support Ningbo City."
    spans = clause_sentences(text)
    assert [s for s, _ in spans][0] == "Deepen small and micro financial services."
    assert all(text[start:start + len(s)] == s for s, start in spans)
    assert [start for _, start in spans] == sorted(start for _, start in spans)


def test_lead_span_keeps_whole_sentences_within_the_limit() -> None:
    text = "Heading sentence here. " + "A long sentence about finance. " * 20
    lead = lead_span(text, 80, min_sentences=2)
    assert text.startswith(lead) and lead.endswith(".")
    assert len(lead) <= 80


# -- naming ------------------------------------------------------------------------------
def test_document_and_clause_names_in_both_languages() -> None:
    info = DocumentInfo(doc_id="pbc", title="Opinions on Providing Financial Support for Zhejiang", doc_number="No. 60 [2022]",
                        issuers=(), lang="en", source_path="x", sha256="", clauses=1, sections=1)
    rule = DocumentInfo(doc_id="zr", title="浙江省普惠金融服务管理办法", doc_number="", issuers=(), lang="zh",
                        source_path="y", sha256="", clauses=1, sections=1)
    names = doc_names([info, rule])
    assert names["pbc"].cite("en") == "the Opinions (No. 60 [2022])"
    assert names["pbc"].cite("zh") == "《意见》（No. 60 [2022]）"
    assert names["zr"].cite("zh") == "《办法》"
    assert names["zr"].cite("en") == "the Measures"
    assert clause_ref(_clause("18", "(18)", "x"), "en") == "Clause (18)"
    assert clause_ref(_clause("18", "(18)", "x"), "zh") == "第（18）条"
    assert clause_ref(_clause("12", "第十二条", "x", lang="zh"), "zh") == "第十二条"
    assert clause_ref(_clause("12", "第十二条", "x", lang="zh"), "en") == "Article 12 (第十二条)"
    assert clause_ref(_clause("5", "Article 5", "x"), "en") == "Article 5"


# -- follow-ups --------------------------------------------------------------------------
def _turn(question: str, cited: tuple[tuple[str, str], ...] = (), resolved: str = "") -> Turn:
    cites = tuple(Citation(id=f"{d}:{n}", doc_id=d, number=n, label=f"({n})", quote="q", section_title="", doc_title="")
                  for d, n in cited)
    answer = Answer(answer="a", citations=cites, abstained=not cites, reason="", mode="extractive", latency_ms=1.0,
                    resolved_question=resolved)
    return Turn(question, answer)


@pytest.mark.parametrize(
    "question, history, expected",
    [
        ("And Ningbo?", ["What does the document ask of Wenzhou?"], "What does the document ask of Ningbo?"),
        ("What about Taizhou?", ["What does the document ask of Wenzhou?"], "What does the document ask of Taizhou?"),
        ("那宁波呢？", ["温州有什么安排？"], "宁波有什么安排？"),
        ("衢州呢？", ["湖州在绿色金融方面有什么任务？"], "衢州在绿色金融方面有什么任务？"),
        ("移动支付呢？", ["数字人民币试点有什么安排？"], "移动支付试点有什么安排？"),
    ],
)
def test_elliptical_follow_up_substitutes_the_entity(question: str, history: list[str], expected: str) -> None:
    resolution = resolve_followup(question, [_turn(q) for q in history], bundled_glossary())
    assert resolution.followup and resolution.question == expected


def test_follow_up_without_a_term_of_the_same_kind_is_appended() -> None:
    resolution = resolve_followup("And the outbound version for domestic partners?", [_turn("Is the QFLP pilot going ahead?")],
                                  bundled_glossary())
    assert resolution.how == "append"
    assert "QFLP" in resolution.question and "outbound version for domestic partners" in resolution.question


def test_next_clause_follows_the_cited_clause_and_stays_in_its_document() -> None:
    history = [_turn("What does clause (12) say?", cited=(("pbc", "12"),))]
    resolution = resolve_followup("And the next one?", history, bundled_glossary())
    assert (resolution.question, resolution.doc) == ("What does clause (13) say?", "pbc")
    resolution = resolve_followup("下一条呢？", [_turn("第五条讲了什么？", cited=(("pbc", "5"),))], bundled_glossary())
    assert resolution.question == "第6条讲了什么？"


def test_same_clause_refers_to_the_clause_cited_last() -> None:
    history = [_turn("Is there any plan to insure against natural catastrophes?", cited=(("pbc", "20"),))]
    resolution = resolve_followup("Does the same clause cover retirement products?", history, bundled_glossary())
    assert resolution.question == "Does clause (20) cover retirement products?"


def test_follow_up_uses_the_resolved_previous_question() -> None:
    history = [_turn("And Ningbo?", resolved="What does the document ask of Ningbo?")]
    resolution = resolve_followup("What about Taizhou?", history, bundled_glossary())
    assert resolution.question == "What does the document ask of Taizhou?"


def test_standalone_questions_are_left_alone() -> None:
    history = [_turn("What does the document ask of Wenzhou?")]
    for question in ("How are savings bonds distributed in rural areas?", "And what are the rules on green bonds for banks?"):
        resolution = resolve_followup(question, history, bundled_glossary())
        assert not resolution.followup and resolution.question == question
    assert resolve_followup("And Ningbo?", [], bundled_glossary()).question == "And Ningbo?"


# -- abstention signals --------------------------------------------------------------------
def test_quantity_live_and_mention_questions_are_recognised() -> None:
    assert asks_quantity("What is the deposit insurance coverage limit per depositor?")
    assert asks_quantity("存款保险的最高偿付限额是多少？")
    assert not asks_quantity("银行外汇衍生品的保证金比例能调整吗？")
    assert asks_live("What is the current one-year Loan Prime Rate?") and asks_live("今天杭州天气怎么样？")
    assert not asks_live("Is capital and current account convertibility mentioned?")
    assert states_number("the maximum investment ratio can reach 50%.") and states_number("每年不少于两次")
    assert not states_number("Promote the distribution of savings bonds to the countryside.")
    # numbers written out in English, before what they count
    assert states_number("Each kiosk shall keep a written record of every sale for three years.")
    assert states_number("answer within fifteen working days") and states_number("应当在三年内")
    assert not states_number("one of the banks shall report") and not states_number("Ten principles apply.")
    assert mention_subject("Is the e-CNY trial mentioned?") == "e-CNY trial"
    assert mention_subject("个人信息保护有提到吗？") == "个人信息保护"
    assert mention_subject("How are savings bonds distributed?") == ""


def test_decide_reads_the_signals_in_order() -> None:
    table = {"en-en": Thresholds(sure=0.86, floor=0.78, min_support=0.3)}
    base = dict(cross=False, topic_words=4, supported=2, unknown=1, concepts_found=1, pair="en-en")
    assert decide(Evidence(sent_cos=0.87, asks_quantity=True, states_number=False, **base), table)[0] is False
    assert decide(Evidence(sent_cos=0.77, **base), table)[0] is True
    assert decide(Evidence(sent_cos=0.82, asks_quantity=True, states_number=False, **base), table)[0] is True
    assert decide(Evidence(sent_cos=0.82, unknown_names=("Basel",), **base), table)[0] is True
    assert decide(Evidence(sent_cos=0.82, asks_live=True, **base), table)[0] is True
    assert decide(Evidence(sent_cos=0.82, **base), table)[0] is False
    assert decide(Evidence(sent_cos=0.77, mentioned="e-CNY", **base), table)[0] is False
    low = dict(base, supported=1)
    assert decide(Evidence(sent_cos=0.82, **low), table)[0] is True


@pytest.mark.parametrize(
    "question, lang, summary",
    [
        ("What does clause (12) say?", "en", True),
        ("Give me the text of clause 7.", "en", True),
        ("Does clause (20) cover retirement products?", "en", False),
        ("第十八条讲了什么？", "zh", True),
        ("意见第（二十九）条怎么规定的？", "zh", True),
        ("第二十条对养老保险有什么要求？", "zh", False),
    ],
)
def test_summary_requests(question: str, lang: str, summary: bool) -> None:
    assert _is_summary_request(question, lang) is summary


# -- confidence and lists ----------------------------------------------------------------------
def _hit(clause: Clause, score: float, cos: float = 0.9) -> Hit:
    return Hit(clause=clause, score=score, signals={"dense_sentence": cos})


def _evidence(cos: float = 0.9, supported: int = 3, topic: int = 3, pair: str = "en-en") -> Evidence:
    return Evidence(sent_cos=cos, cross=False, topic_words=topic, supported=supported, unknown=0, pair=pair)


def test_competing_clauses_make_an_answer_unsure() -> None:
    from dataclasses import replace

    from policykb.kb.answer.respond import unsure_candidates, unsure_why
    from policykb.kb.config import DEFAULT_TUNING as defaults

    DEFAULT_TUNING = replace(defaults, confidence=replace(defaults.confidence, margin=0.06, other_doc_margin=0.15, weak_support=0.5))

    a = _hit(_clause("1", "第一条", "甲", lang="zh", doc="law-a"), 0.80)
    b_other = _hit(_clause("9", "第九条", "乙", lang="zh", doc="law-b"), 0.74)  # another document, 7.5% below
    b_same = _hit(_clause("2", "第二条", "丙", lang="zh", doc="law-a"), 0.74)  # the same document, 7.5% below
    far = _hit(_clause("3", "第三条", "丁", lang="zh", doc="law-b"), 0.40)
    assert "another document" in unsure_why([a, b_other, far], [a], _evidence(), DEFAULT_TUNING)
    assert unsure_why([a, b_same, far], [a], _evidence(), DEFAULT_TUNING) == ""  # beyond the same-document margin
    assert unsure_why([a, far], [a], _evidence(), DEFAULT_TUNING) == ""
    assert unsure_why([a, b_other], [a, b_other], _evidence(), DEFAULT_TUNING) == ""  # both cited: no rival left
    weak = _evidence(cos=0.80, supported=1, topic=4)  # below en-en "sure" (0.84) and 1/4 of the topic words found
    assert unsure_why([a, far], [a], weak, DEFAULT_TUNING).startswith("weak evidence")
    # listed in the search's order, which word coverage may set apart from the scores (far ranks above b_other)
    ranked = [a, far, b_other]
    assert [h.clause.id for h in unsure_candidates(ranked, [a], 3)] == ["law-a:1", "law-b:3", "law-b:9"]
    assert [h.clause.id for h in unsure_candidates(ranked, [b_other], 2)] == ["law-b:9", "law-a:1"]  # the chosen one kept


def test_a_list_lead_in_is_quoted_with_its_items() -> None:
    from policykb.kb.answer.evidence import QueryTerms
    from policykb.kb.answer.extractive import pick_sentences
    from policykb.kb.model import Hit

    text = ("商业银行贷款，应当遵守下列资产负债比例管理的规定：\n（一）资本充足率不得低于百分之八；\n"
            "（二）流动性资产余额与流动性负债余额的比例不得低于百分之二十五；\n"
            "（三）国务院银行业监督管理机构对资产负债比例管理的其他规定。\n"
            "商业银行应当按照规定的期限向监督管理机构报送资产负债比例的执行情况。")
    clause = _clause("39", "第三十九条", text, lang="zh")
    lead = "商业银行贷款，应当遵守下列资产负债比例管理的规定："
    last = "商业银行应当按照规定的期限向监督管理机构报送资产负债比例的执行情况。"
    hit = Hit(clause=clause, score=1.0, signals={}, sentences=((lead, 0.95), (last, 0.80)))
    terms = QueryTerms(lang="zh", tokens=frozenset(), own_tokens=frozenset(), groups=())
    pick = pick_sentences(hit, terms, max_sentences=1)
    assert pick.quote.startswith(lead) and "资本充足率不得低于百分之八" in pick.quote and "（三）国务院" in pick.quote
    assert pick.quote in text and "执行情况" not in pick.quote


def test_follow_ups_do_not_depend_on_the_glossary_line_order() -> None:
    import random

    from policykb.kb.retrieval.glossary import Glossary

    glossary = bundled_glossary()
    entries = list(glossary.entries)
    random.Random(7).shuffle(entries)
    shuffled = Glossary(entries)
    cases = [("And Ningbo?", "What does the document ask of Wenzhou?"), ("移动支付呢？", "数字人民币试点有什么安排？"),
             ("衢州呢？", "湖州在绿色金融方面有什么任务？"), ("And the outbound version for domestic partners?", "Is the QFLP pilot going ahead?")]
    for question, earlier in cases:
        a = resolve_followup(question, [_turn(earlier)], glossary)
        b = resolve_followup(question, [_turn(earlier)], shuffled)
        assert (a.question, a.how) == (b.question, b.how), question
