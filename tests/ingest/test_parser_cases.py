"""The parser on the numbering forms of DESIGN.md §4, one small document each."""
from __future__ import annotations

import pytest

from policykb.errors import ConfigError, EmptyDocumentError
from policykb.ingest import parse_text


def numbers(doc) -> list[str]:
    return [c.number for c in doc.clauses]


def test_chinese_list_numbered_through() -> None:
    doc = parse_text(
        "关于金融支持某地发展的意见\n银发〔2022〕60号\n为推动发展，提出如下意见。\n"
        "一、总体要求\n（一）服务实体经济。坚持稳中求进。\n（二）坚持金融为民。改善服务。\n"
        "二、重点任务\n（三）优化农村基础金融服务。推进改革，扩大覆盖。\n(四)加强消费者保护。完善投诉机制。",
        doc_id="yj",
    )
    assert doc.title == "关于金融支持某地发展的意见" and doc.doc_number == "银发〔2022〕60号"
    assert doc.preamble == "为推动发展，提出如下意见。"
    assert [(s.number, s.label, s.title) for s in doc.sections] == [("1", "一、", "总体要求"), ("2", "二、", "重点任务")]
    assert numbers(doc) == ["1", "2", "3", "4"]
    assert [c.label for c in doc.clauses] == ["（一）", "（二）", "（三）", "(四)"]
    assert doc.clauses[2].title == "优化农村基础金融服务。"
    assert doc.clauses[2].section_title == "重点任务"
    assert doc.lang == "zh"


def test_chinese_numbering_restarting_per_section_stays_unique() -> None:
    doc = parse_text(
        "一、总体要求\n（一）甲。内容甲。\n（二）乙。内容乙。\n二、主要任务\n（一）丙。内容丙。\n（二）丁。内容丁。\n（三）戊。内容戊。",
        doc_id="cx",
    )
    assert numbers(doc) == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    assert [c.id for c in doc.clauses][2] == "cx:2.1"
    assert [c.label for c in doc.clauses] == ["（一）", "（二）", "（一）", "（二）", "（三）"]
    assert [c.section for c in doc.clauses] == ["1", "1", "2", "2", "2"]
    assert any("restarts" in w for w in doc.warnings)


def test_subsections_chapter_titles_on_next_line_and_table_of_contents() -> None:
    doc = parse_text(
        "样例办法\n目录\n第一章 总则\n第二章 业务规范\n"
        "第一章\n总则\n第一条 为了规范业务，制定本办法。\n"
        "第二章 业务规范\n第一节 信贷\n第二条 银行应当审慎放贷。\n第二节 支付\n第三条 银行应当保障支付安全。",
        doc_id="toc",
    )
    assert [(s.label, s.title) for s in doc.sections] == [("第一章", "总则"), ("第二章", "业务规范")]
    assert numbers(doc) == ["1", "2", "3"]
    assert [c.section_title for c in doc.clauses] == ["第一章 总则", "第二章 业务规范 › 第一节 信贷", "第二章 业务规范 › 第二节 支付"]
    assert "目录" in doc.preamble and "第二章 业务规范" in doc.preamble


def test_references_at_line_start_and_mid_sentence_never_start_a_clause() -> None:
    doc = parse_text(
        "第一条 本办法适用于银行。\n第二条 银行应当报告。\n第三条规定的情形除外。\n"
        "第三条 依照本办法第二条报告，并参照第一条至第二条。\n第四条 违反《商业银行法》第三条、第四条的，依法处理。",
        doc_id="ref",
    )
    assert numbers(doc) == ["1", "2", "3", "4"]
    assert doc.clauses[1].text == "银行应当报告。\n第三条规定的情形除外。"
    assert doc.clauses[1].refs == ("ref:3",)
    assert doc.clauses[2].refs == ("ref:2", "ref:1")
    assert doc.clauses[3].refs == ()


def test_english_article_references_and_ranges() -> None:
    doc = parse_text(
        "Article 1 These Measures apply to banks.\nArticle 2 Banks shall report.\n"
        "Article 3 of these Measures does not apply to branches.\n"
        "Article 3 Reports under Articles 1 to 2 are public.\nArticle 4 See Article 2 of the Banking Law and clause (1).",
        doc_id="en",
    )
    assert numbers(doc) == ["1", "2", "3", "4"]
    assert doc.clauses[1].text.endswith("Article 3 of these Measures does not apply to branches.")
    assert doc.clauses[1].refs == ("en:3",)
    assert doc.clauses[2].refs == ("en:1", "en:2")
    assert doc.clauses[3].refs == ()


def test_items_of_every_form_inside_an_article() -> None:
    doc = parse_text(
        "第一条 银行应当做到：（一）甲；（二）乙；（三）丙。\n"
        "第二条 申请材料包括：\n1. 营业执照；\n2. 财务报表；\n(3) 纳税证明。\n"
        "第三条 下列情形除外：\n第一款 情形一。\n第二款 情形二。\n"
        "Article 4 Banks shall:\n(a) report;\n(b) disclose; and\ni. keep records.",
        doc_id="it",
    )
    c1, c2, c3, c4 = doc.clauses
    assert [(i.label, i.text) for i in c1.items] == [("（一）", "甲；"), ("（二）", "乙；"), ("（三）", "丙。")]
    assert [i.label for i in c2.items] == ["1.", "2.", "(3)"]
    assert [i.label for i in c3.items] == ["第一款", "第二款"]
    assert [i.label for i in c4.items] == ["(a)", "(b)", "i."]
    assert c2.text == "申请材料包括：\n1. 营业执照；\n2. 财务报表；\n(3) 纳税证明。"


def test_article_titles_in_brackets_or_on_their_own_line() -> None:
    doc = parse_text(
        "第一条【适用范围】本办法适用于银行。\n第二条（定义）本办法所称小微企业，是指……\n"
        "Article 3 Scope\nThese Measures apply to banks.\nArticle 4 Banks shall report.",
        doc_id="t",
    )
    assert [c.title for c in doc.clauses] == ["适用范围", "定义", "Scope", ""]


def test_english_list_scheme_with_out_of_sequence_marker() -> None:
    doc = parse_text(
        "1. Requirements\n(1) Serve the economy. Body one.\n(2) Protect consumers. Body two, including:\n"
        "(1) a restated point;\n(a) a lettered point.\n2. Measures\n(3) Improve services. Body three.",
        doc_id="seq",
    )
    assert numbers(doc) == ["1", "2", "3"]
    assert [i.label for i in doc.clauses[1].items] == ["(1)", "(a)"]
    assert any("out of sequence" in w for w in doc.warnings)


def test_flat_numbering_and_section_intro() -> None:
    flat = parse_text("通知\n一、总体要求\n坚持稳中求进。\n二、主要任务\n加强监管。\n优化服务。", doc_id="flat")
    assert [(c.label, c.title, c.text) for c in flat.clauses] == [
        ("一、", "总体要求", "总体要求\n坚持稳中求进。"),
        ("二、", "主要任务", "主要任务\n加强监管。\n优化服务。"),
    ]
    intro = parse_text("一、总体要求\n本部分说明原则。\n（一）甲。内容。\n（二）乙。内容。", doc_id="in")
    assert intro.sections[0].intro == "本部分说明原则。"
    assert numbers(intro) == ["1", "2"]


def test_paragraph_fallback_keeps_title_and_warns() -> None:
    doc = parse_text("A Notice on Something\n\nFirst paragraph.\nStill first.\n\nSecond paragraph.", doc_id="p")
    assert doc.title == "A Notice on Something"
    assert [(c.number, c.label, c.text) for c in doc.clauses] == [("1", "¶1", "First paragraph.\nStill first."), ("2", "¶2", "Second paragraph.")]
    assert doc.warnings == ("no clause numbering found; split into 2 paragraphs",)


def test_metadata_argument_overrides_the_text() -> None:
    doc = parse_text(
        "Title Line\nNo. 5 [2023]\n(1) One. Body.\n(2) Two. Body.",
        doc_id="m",
        meta={"title": "Given title", "issuers": ["PBC"], "lang": "en", "title_zh": "标题"},
    )
    assert (doc.title, doc.doc_number, doc.issuers, doc.extra) == ("Given title", "No. 5 [2023]", ("PBC",), {"title_zh": "标题"})


def test_doc_number_inside_the_title_line_keeps_the_title() -> None:
    doc = parse_text("关于加强普惠金融服务的通知（银发〔2023〕12号）\n一、要求\n（一）甲。乙。\n（二）丙。丁。", doc_id="n")
    assert doc.title == "关于加强普惠金融服务的通知（银发〔2023〕12号）"
    assert doc.doc_number == "银发〔2023〕12号"


@pytest.mark.parametrize("text", ["", "   \n\n\u3000 ", "[bookmark: _GoBack]"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(EmptyDocumentError) as info:
        parse_text(text, doc_id="e", source_path="/some/where/empty.txt")
    assert str(info.value).startswith("empty.txt: ")


@pytest.mark.parametrize("bad", ["", "a b", "x:y", "-lead"])
def test_bad_doc_id_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_text("(1) One.", doc_id=bad)
    assert repr(bad) in str(info.value)


def test_chinese_arabic_items_never_become_sections() -> None:
    doc = parse_text("（一）申请材料。包括：\n1. 营业执照\n2. 财务报表\n（二）审批时限。五个工作日。", doc_id="zi")
    assert numbers(doc) == ["1", "2"] and [s.number for s in doc.sections] == [""]
    assert [i.text for i in doc.clauses[0].items] == ["营业执照", "财务报表"]


def test_english_sections_need_a_clause_after_them_and_may_be_roman() -> None:
    doc = parse_text(
        "I. General Requirements\n(1) Serve the economy. Banks shall:\n1. Report quarterly\n2. Disclose fees\n"
        "II. Measures\n(2) Improve services. Body.",
        doc_id="rm",
    )
    assert [(s.number, s.label, s.title) for s in doc.sections] == [("1", "I.", "General Requirements"), ("2", "II.", "Measures")]
    assert numbers(doc) == ["1", "2"]
    assert [i.label for i in doc.clauses[0].items] == ["1.", "2."]


def test_sections_without_chapters_are_the_top_level() -> None:
    doc = parse_text(
        "Section 1 Scope\nArticle 1 These Measures apply to banks.\nSection 2 Reporting\nArticle 2 Banks shall report.",
        doc_id="sec",
    )
    assert [(s.number, s.label, s.title) for s in doc.sections] == [("1", "Section 1", "Scope"), ("2", "Section 2", "Reporting")]
    assert [c.section_title for c in doc.clauses] == ["Section 1 Scope", "Section 2 Reporting"]
