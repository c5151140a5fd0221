"""Real rules as saved from the web: Markdown headings (in .md and .txt), adoption lines, HTML comments.

The four related rules in ``corpus/`` are official texts, unchanged; the two fixtures are written in
their shape (a source note before the ``# title``, ``## 第X章`` / ``### 第X节`` headings, and
``## 二、关于…`` part headings).
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from policykb.ingest import load_document, parse_text
from policykb.ingest.lines import is_adoption_line
from policykb.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
FIXTURES = ROOT / "tests" / "fixtures"
REAL = {
    "deposit-insurance-regs-2015": 23,
    "commercial-bank-law-2015": 95,
    "pbc-law-2003": 53,
    "pipl-2021": 74,
}
_HEADING_LINE = re.compile(r"^(?:#|第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、关于)")


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.from_env(env={})


@pytest.fixture(scope="module")
def real(settings: Settings) -> dict:
    return {doc_id: load_document(CORPUS / f"{doc_id}.md", settings) for doc_id in REAL}


def _everything_in_clauses(doc) -> list[str]:
    return [c.text for c in doc.clauses] + [i.text for c in doc.clauses for i in c.items] + [c.title for c in doc.clauses]


def _assert_clean_clauses(doc) -> None:
    for clause in doc.clauses:
        for text in (clause.text, clause.title, *(i.text for i in clause.items)):
            assert "##" not in text and "<!--" not in text and "-->" not in text, clause.label
            for line in text.split("\n"):
                assert not is_adoption_line(line), (clause.label, line)
                assert not _HEADING_LINE.match(line), (clause.label, line)


@pytest.mark.parametrize("doc_id, articles", REAL.items())
def test_real_rules_parse_into_their_articles(real: dict, doc_id: str, articles: int) -> None:
    doc = real[doc_id]
    raw = (CORPUS / f"{doc_id}.md").read_text(encoding="utf-8")
    assert articles == len(re.findall(r"^第[一二三四五六七八九十百零]+条", raw, re.M))  # the file itself
    assert len(doc.clauses) == articles
    assert [c.number for c in doc.clauses] == [str(n) for n in range(1, articles + 1)]
    assert all(c.label.startswith("第") and c.label.endswith("条") for c in doc.clauses)
    assert doc.warnings == ()
    _assert_clean_clauses(doc)


@pytest.mark.parametrize("doc_id", REAL)
def test_real_rules_title_and_history_come_from_the_text_not_a_stray_line(doc_id: str) -> None:
    raw = (CORPUS / f"{doc_id}.md").read_text(encoding="utf-8")
    meta = json.loads((CORPUS / f"{doc_id}.meta.json").read_text(encoding="utf-8"))
    doc = parse_text(raw, doc_id=doc_id)  # no sidecar: the text's own heading
    assert doc.title == meta["title"] == raw.split("\n", 1)[0].removeprefix("# ")
    history = doc.extra["history"]
    assert history and all(re.match(r"^\d{4}年", line) for line in history)
    assert not any(line in doc.preamble for line in history)
    assert "INFO END" not in doc.preamble


@pytest.mark.parametrize("doc_id", REAL)
def test_real_rules_read_the_same_from_a_txt_copy(real: dict, doc_id: str, settings: Settings, tmp_path: Path) -> None:
    txt = tmp_path / f"{doc_id}.txt"
    shutil.copyfile(CORPUS / f"{doc_id}.md", txt)
    doc = load_document(txt, settings)
    assert doc.title == real[doc_id].title
    assert doc.sections == real[doc_id].sections


def test_chapters_are_sections_of_the_articles(real: dict) -> None:
    bank = real["commercial-bank-law-2015"]
    assert [(s.number, s.label, s.title) for s in bank.sections][:2] == [("1", "第一章", "总则"), ("2", "第二章", "商业银行的设立和组织机构")]
    first, eleventh = bank.clauses[0], bank.clauses[10]
    assert (first.section, first.section_title) == ("1", "第一章 总则")
    assert (eleventh.label, eleventh.section, eleventh.section_title) == ("第十一条", "2", "第二章 商业银行的设立和组织机构")
    pipl = real["pipl-2021"]
    assert pipl.sections[0].title == "总则"  # printed "总 则"
    thirteenth = pipl.clauses[12]
    assert thirteenth.section == "2" and thirteenth.section_title == "第二章 个人信息处理规则 › 第一节 一般规定"


def test_items_stay_inside_their_article(real: dict) -> None:
    bank = real["commercial-bank-law-2015"]
    third = bank.clauses[2]
    assert third.label == "第三条"
    assert [i.label for i in third.items] == [f"（{n}）" for n in "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四".split()]
    assert "（十四）经国务院银行业监督管理机构批准的其他业务。" in third.text
    assert third.text.endswith("商业银行经中国人民银行批准，可以经营结汇、售汇业务。")
    for doc in real.values():
        for clause in doc.clauses:
            assert not clause.text.startswith(("（", "(")), clause.label
            for item in clause.items:
                assert item.text in clause.text


def test_last_article_of_a_chapter_has_no_heading_glued_on(real: dict) -> None:
    bank = real["commercial-bank-law-2015"]
    last_of_chapter_one = bank.sections[0].clauses[-1]
    assert last_of_chapter_one.label == "第十条"
    assert "第二章" not in last_of_chapter_one.text and "商业银行的设立和组织机构" not in last_of_chapter_one.text


# -- fixtures in the same shape ------------------------------------------------------------------
def test_md_shaped_txt_with_a_source_note_first(settings: Settings) -> None:
    doc = load_document(FIXTURES / "md-shaped-rule.txt", settings)
    assert doc.title == "某地小额贷款管理条例（测试样例）"
    assert "来源" in doc.preamble  # kept, but never the title
    assert doc.extra["history"] == [
        "2023年12月1日 某地人民代表大会常务委员会第九次会议通过",
        "2024年3月5日 某地人民代表大会常务委员会第十次会议《关于修改<某地小额贷款管理条例>的决定》修正",
    ]
    assert [(s.number, s.label, s.title) for s in doc.sections] == [("1", "第一章", "总则"), ("2", "第二章", "业务规则"), ("3", "第三章", "附则")]
    assert [c.label for c in doc.clauses] == ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条"]
    assert [c.section_title for c in doc.clauses] == [
        "第一章 总则", "第一章 总则", "第二章 业务规则 › 第一节 放贷", "第二章 业务规则 › 第一节 放贷",
        "第二章 业务规则 › 第二节 收贷", "第三章 附则",
    ]
    third, fourth, fifth = doc.clauses[2:5]
    assert [i.label for i in third.items] == ["（一）", "（二）", "（三）"]
    assert third.text.endswith("经营范围由公司章程规定。")
    assert fourth.text == "单户贷款余额不得超过公司净资产的百分之十。"  # "### 第二节 收贷" is not glued on
    assert fifth.text.endswith("（二）骚扰无关人员。")
    assert doc.warnings == ()
    _assert_clean_clauses(doc)


def test_plain_txt_source_note_is_not_the_title() -> None:
    doc = parse_text("来源：某地政府网\n某地小额贷款管理办法\n第一条 为了规范业务，制定本办法。\n第二条 本办法自公布之日起施行。", doc_id="n")
    assert doc.title == "某地小额贷款管理办法"
    doc = parse_text("Source: https://example.org/rules\nGreen Credit Rules\nArticle 1 Scope.\nArticle 2 Effect.", doc_id="e")
    assert doc.title == "Green Credit Rules"


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_part_headings_open_sections_and_are_never_glued_on(suffix: str, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / f"interpretation{suffix}"
    shutil.copyfile(FIXTURES / "md-shaped-interpretation.md", path)
    doc = load_document(path, settings)
    assert doc.title == "关于审理小额借款纠纷案件适用法律若干问题的解释（测试样例）"
    assert doc.preamble == "为正确审理小额借款纠纷案件，结合审判实践，制定本解释。"
    assert [(s.number, s.label, s.title) for s in doc.sections] == [
        ("1", "一、", "关于一般规定"), ("2", "二、", "关于保证合同"), ("3", "三、", "附则"),
    ]
    assert [(c.label, c.section, c.section_title) for c in doc.clauses] == [
        ("第一条", "1", "关于一般规定"), ("第二条", "1", "关于一般规定"), ("第三条", "2", "关于保证合同"),
        ("第四条", "2", "关于保证合同"), ("第五条", "3", "附则"),
    ]
    assert doc.clauses[1].text.endswith("（二）未约定逾期利率的，按照法定利率。")
    assert doc.clauses[3].text.endswith("保证人不再承担保证责任。")
    assert doc.warnings == ()
    _assert_clean_clauses(doc)


def test_part_headings_without_markdown_are_headings_too() -> None:
    doc = parse_text(
        "某解释\n一、关于一般规定\n第一条 甲应当报告。\n第二条 乙应当披露：\n一、收入；\n二、支出。\n二、关于保证合同\n第三条 丙应当保证。",
        doc_id="p",
    )
    assert [(s.label, s.title) for s in doc.sections] == [("一、", "关于一般规定"), ("二、", "关于保证合同")]
    assert [c.label for c in doc.clauses] == ["第一条", "第二条", "第三条"]
    assert doc.clauses[1].text == "乙应当披露：\n一、收入；\n二、支出。"  # items with closing punctuation stay items
    assert doc.clauses[2].section_title == "关于保证合同"


def test_html_comments_spanning_lines_are_dropped() -> None:
    doc = parse_text("第一条 甲。\n<!-- 注释\n第九条 不是条文 -->\n第二条 乙。", doc_id="c")
    assert [c.text for c in doc.clauses] == ["甲。", "乙。"]


def test_list_numbered_markdown_keeps_its_sections_and_title() -> None:
    doc = parse_text(
        "## 目录\n\n# 关于金融支持某地发展的意见\n\n## 一、总体要求\n\n（一）服务实体经济。坚持稳中求进。\n\n"
        "（二）坚持金融为民。改善服务。\n\n## 二、重点任务\n\n（三）优化农村金融服务。扩大覆盖。",
        doc_id="md-list",
    )
    assert doc.title == "关于金融支持某地发展的意见"
    assert [(s.number, s.label, s.title) for s in doc.sections] == [("1", "一、", "总体要求"), ("2", "二、", "重点任务")]
    assert [(c.label, c.section_title) for c in doc.clauses] == [("（一）", "总体要求"), ("（二）", "总体要求"), ("（三）", "重点任务")]
    assert doc.clauses[1].text == "坚持金融为民。改善服务。"


@pytest.mark.parametrize("text", ["# 某某条例", "<!-- 注释 -->\n# 某某条例\n\n2015年5月1日 施行\n\n<!-- INFO END -->"])
def test_a_file_with_only_a_title_and_adoption_lines_is_refused_clearly(text: str) -> None:
    from policykb.errors import EmptyDocumentError

    with pytest.raises(EmptyDocumentError, match="no text to cut into clauses"):
        parse_text(text, doc_id="empty")


def test_headings_below_a_part_are_its_subsections() -> None:
    doc = parse_text(
        "# 某解释\n\n## 一、关于一般规定\n\n### 第一节 借款\n\n第一条 甲。\n\n### （二）保 证\n\n第二条 乙。\n\n## 二、附则\n\n第三条 丙。",
        doc_id="sub",
    )
    assert [(s.label, s.title) for s in doc.sections] == [("一、", "关于一般规定"), ("二、", "附则")]
    assert [c.section_title for c in doc.clauses] == ["关于一般规定 › 第一节 借款", "关于一般规定 › （二） 保证", "附则"]
