"""The sample Chinese rule (UTF-8 and GB18030) and the sample English Article rule."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.ingest import load_document
from policykb.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLD = Path(__file__).resolve().parents[2] / "eval" / "gold" / "zh-rule.jsonl"
ZH = FIXTURES / "zj-inclusive-finance-rules.txt"
ZH_GB = FIXTURES / "zj-inclusive-finance-rules.gb18030.txt"
EN = FIXTURES / "en-article-rules.txt"
D = "zj-inclusive-finance-rules"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.from_env(env={})


@pytest.fixture(scope="module")
def zh(settings: Settings):
    return load_document(ZH, settings)


@pytest.fixture(scope="module")
def en(settings: Settings):
    return load_document(EN, settings)


def test_gb18030_copy_is_really_gb18030_and_parses_identically(zh, settings: Settings) -> None:
    raw = ZH_GB.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gb18030") == ZH.read_text(encoding="utf-8")
    gb = load_document(ZH_GB, settings, doc_id=D)
    assert gb.sections == zh.sections
    assert (gb.title, gb.doc_number, gb.preamble, gb.lang, gb.warnings) == (zh.title, zh.doc_number, zh.preamble, zh.lang, zh.warnings)
    assert gb.sha256 != zh.sha256 and gb.source_path != zh.source_path
    assert load_document(ZH_GB, settings).doc_id == "zj-inclusive-finance-rules-gb18030"


def test_zh_metadata_and_preamble(zh) -> None:
    assert zh.doc_id == D
    assert zh.title == "浙江省普惠金融服务管理办法（测试样例）"
    assert zh.doc_number == "样例〔2024〕1号"
    assert zh.lang == "zh"
    assert "软件测试编写的样例文档" in zh.preamble
    assert zh.warnings == ()


def test_zh_chapters_and_articles(zh) -> None:
    assert [(s.number, s.label, s.title) for s in zh.sections] == [
        ("1", "第一章", "总则"),
        ("2", "第二章", "服务体系"),
        ("3", "第三章", "业务规范"),
        ("4", "第四章", "农村金融与绿色金融"),
        ("5", "第五章", "消费者权益保护"),
        ("6", "第六章", "监督管理与附则"),
    ]
    clauses = zh.clauses
    assert [c.number for c in clauses] == [str(i) for i in range(1, 26)]
    assert [c.id for c in clauses] == [f"{D}:{i}" for i in range(1, 26)]
    assert clauses[11].label == "第十二条" and clauses[20].label == "第二十一条"
    assert {c.lang for c in clauses} == {"zh"}
    assert clauses[0].section_title == "第一章 总则"
    assert clauses[7].section_title == "第三章 业务规范 › 第一节 信贷服务"
    assert clauses[12].section_title == "第三章 业务规范 › 第二节 支付与数字服务"
    assert clauses[14].section == "4" and clauses[14].section_title == "第四章 农村金融与绿色金融"
    source = ZH.read_text(encoding="utf-8").replace("\u3000", " ")
    for c in clauses:
        assert c.text.split("\n")[0] in source, c.id
        assert c.title == ""  # Chinese articles here have no heading sentence


def test_zh_items_stay_inside_their_article(zh) -> None:
    by = {c.number: c for c in zh.clauses}
    art8 = by["8"]
    assert [i.label for i in art8.items] == ["（一）", "（二）", "（三）", "（四）"]
    assert art8.items[0].text == "单户授信总额一千万元（含）以下的小微企业贷款，审批时限原则上不超过五个工作日；"
    assert art8.items[3].text == "对首次贷款户，应当提供金融知识辅导和还款计划说明。"
    assert "（二）不得要求借款人购买理财" in art8.text
    assert art8.text.endswith("应当自发现之日起十日内退还借款人。")  # the paragraph after the items stays in the article
    assert [i.label for i in by["7"].items] == ["（一）", "（二）", "（三）", "（四）"]
    assert "宁波" in by["7"].items[2].text
    assert len(by["14"].items) == 3
    assert all(not c.items for n, c in by.items() if n not in ("7", "8", "14"))
    assert by["11"].text.count("\n") == 1  # two paragraphs (款), one article


def test_zh_refs_point_inside_the_document(zh) -> None:
    refs = {c.number: c.refs for c in zh.clauses if c.refs}
    assert refs == {
        "10": (f"{D}:8",),
        "21": (f"{D}:12",),
        "22": (f"{D}:8", f"{D}:9"),
        "23": (f"{D}:18",),
    }
    # 《中华人民共和国个人信息保护法》第十三条 cites another law, not article 13 of this rule.
    assert "第十三条" in zh.clauses[17].text and zh.clauses[17].refs == ()


def test_en_article_rule(en) -> None:
    assert en.title == "Measures for Green Credit Reporting by Banking Institutions (Sample)"
    assert en.lang == "en" and en.warnings == ()
    assert en.preamble.startswith("[Sample document written for software testing.")
    assert [(s.number, s.label, s.title) for s in en.sections] == [
        ("1", "Chapter 1", "General Provisions"),
        ("2", "Chapter 2", "Reporting Requirements"),
        ("3", "Chapter 3", "Supervision and Final Provisions"),
    ]
    clauses = en.clauses
    assert [c.number for c in clauses] == [str(i) for i in range(1, 11)]
    assert [c.label for c in clauses] == [f"Article {i}" for i in range(1, 11)]
    assert clauses[4].section_title == "Chapter 2 Reporting Requirements"
    art3, art5 = clauses[2], clauses[4]
    assert [i.label for i in art3.items] == ["(a)", "(b)", "(c)", "(d)"]
    assert art3.items[1].text == "clean energy production, including solar, wind and hydro power;"
    assert "(d) the green upgrading of infrastructure." in art3.text
    assert [i.label for i in art5.items] == ["(a)", "(b)", "(c)"]
    assert art5.refs == ("en-article-rules:3",)
    assert clauses[7].refs == ("en-article-rules:4", "en-article-rules:5")
    assert clauses[8].refs == ()  # "Article 6 of the Banking Supervision Law" is another law's article


def test_zh_gold_rows_match_the_rule(zh) -> None:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = {c.id: c.text for c in zh.clauses}
    assert len({r["id"] for r in rows}) == len(rows)
    answerable = [r for r in rows if r["answerable"]]
    assert sum(r["lang"] == "zh" for r in answerable) >= 14
    assert sum(r["lang"] == "en" for r in answerable) >= 8
    assert [r for r in rows if not r["answerable"]] and all(r["gold"] == [] == r["facts"] for r in rows if not r["answerable"])
    for row in answerable:
        assert row["gold"] and all(g in texts for g in row["gold"]), row["id"]
        for fact in row["facts"]:
            assert any(fact in texts[g] for g in row["gold"]), (row["id"], fact)
        for g in row["gold"]:
            assert texts[g][:12] not in row["question"], row["id"]  # paraphrased, not copied
