"""The Chinese↔English glossary: the bundled file, lookups, term spotting, query bridging, errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from policykb.errors import ConfigError
from policykb.kb.retrieval.glossary import DEFAULT_GLOSSARY_PATH, Glossary, GlossaryEntry, bundled_glossary
from policykb.settings import repo_root

OPINIONS = repo_root() / "corpus" / "pbc-2022-60-zhejiang-common-prosperity-opinions.txt"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


@pytest.fixture(scope="module")
def opinions() -> str:
    return OPINIONS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def opinion_terms(glossary: Glossary, opinions: str) -> set[GlossaryEntry]:
    """Glossary entries whose English side occurs in the English Opinions."""
    return set(glossary.terms_in(opinions, "en"))


def write(tmp_path: Path, text: str, name: str = "g.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the bundled file -------------------------------------------------------------------
def test_bundled_glossary_is_large_and_has_no_repeated_pairs(glossary: Glossary) -> None:
    assert len(glossary) >= 350
    pairs = [(e.zh, e.en) for e in glossary.entries]
    assert len(pairs) == len(set(pairs))
    folded = [(e.zh, e.en.casefold()) for e in glossary.entries]
    assert len(folded) == len(set(folded))


def test_bundled_glossary_lines_are_all_entries_or_comments() -> None:
    lines = DEFAULT_GLOSSARY_PATH.read_text(encoding="utf-8").splitlines()
    data = [line for line in lines if line.strip() and not line.startswith("#")]
    assert all(line.count("\t") == 1 for line in data)
    assert len(data) == len(Glossary.load())


def test_bundled_glossary_is_cached_once() -> None:
    assert bundled_glossary() is bundled_glossary()


@pytest.mark.parametrize(
    "zh, en",
    [
        ("普惠金融", "inclusive finance"),
        ("嘉兴", "Jiaxing"),
        ("宁波", "Ningbo"),
        ("供应链金融", "supply chain finance"),
        ("储蓄国债", "savings bonds"),
        ("钱塘江金融港湾", "Qiantang River Financial Harbor"),
        ("浙里惠民保", "Zheli Yonge Insurance"),
        ("保障性租赁住房", "indemnificatory rental housing"),
        ("小微企业", "small and micro enterprises"),
        ("慈善信托", "charitable trusts"),
    ],
)
def test_to_en_gives_the_preferred_rendering_first(glossary: Glossary, zh: str, en: str) -> None:
    assert glossary.to_en(zh)[0] == en


def test_a_term_with_several_renderings_lists_them_all(glossary: Glossary) -> None:
    assert glossary.to_en("小微企业")[:2] == ["small and micro enterprises", "small and micro businesses"]


@pytest.mark.parametrize(
    "en, zh",
    [
        ("inclusive finance", "普惠金融"),
        ("Inclusive Finance", "普惠金融"),
        ("savings bond", "储蓄国债"),
        ("Ningbo", "宁波"),
        ("JIAXING", "嘉兴"),
        ("charitable trust", "慈善信托"),
    ],
)
def test_to_zh_ignores_case_and_plural(glossary: Glossary, en: str, zh: str) -> None:
    assert zh in glossary.to_zh(en)


def test_unknown_terms_translate_to_nothing(glossary: Glossary) -> None:
    assert glossary.to_en("不存在的词") == []
    assert glossary.to_zh("no such term") == []


@pytest.mark.parametrize(
    "zh",
    ["普惠金融", "供应链金融", "储蓄国债", "钱塘江金融港湾", "浙里惠民保", "保障性租赁住房", "慈善信托", "碳减排支持工具",
     "本外币一体化资金池", "巨灾保险", "非法集资", "汇率避险", "贷款码", "首贷户", "数字人民币", "第三支柱养老保险",
     "排污权", "用能权", "用水权", "碳账户", "清廉金融", "第三方评估", "宁波", "嘉兴", "杭州", "温州", "台州", "丽水",
     "湖州", "衢州", "一县一策", "飞地", "三张清单", "无证明化", "智慧医保", "保险+期货", "山区26县"],
)
def test_opinions_terms_are_rendered_as_the_english_opinions_word_them(opinion_terms: set[GlossaryEntry], zh: str) -> None:
    assert zh in {e.zh for e in opinion_terms}


# -- terms_in ---------------------------------------------------------------------------
def test_chinese_terms_match_longest_first_without_overlap(glossary: Glossary) -> None:
    terms = [e.zh for e in glossary.terms_in("推进共同富裕示范区建设，发展普惠金融", "zh")]
    assert list(dict.fromkeys(terms)) == ["共同富裕示范区", "普惠金融"]
    assert "金融" not in terms and "共同富裕" not in terms


def test_chinese_terms_come_in_text_order_once_each(glossary: Glossary) -> None:
    zh = list(dict.fromkeys(e.zh for e in glossary.terms_in("宁波、嘉兴和宁波的慈善信托", "zh")))
    assert zh == ["宁波", "嘉兴", "慈善信托"]


def test_full_width_text_matches(glossary: Glossary) -> None:
    assert "首台（套）重大技术装备" in {e.zh for e in glossary.terms_in("支持首台(套)重大技术装备", "zh")}


def test_english_terms_match_whole_words_any_case_and_plural(glossary: Glossary) -> None:
    found = {e.zh for e in glossary.terms_in("A Charitable Trust in ningbo; SAVINGS BOND sales", "en")}
    assert {"慈善信托", "宁波", "储蓄国债"} <= found


def test_english_terms_do_not_match_inside_words(glossary: Glossary) -> None:
    assert glossary.terms_in("Ningboese trustees", "en") == []


def test_english_terms_match_longest_first(glossary: Glossary) -> None:
    found = {e.zh for e in glossary.terms_in("support for small, medium and micro enterprises", "en")}
    assert "中小微企业" in found
    assert "小微企业" not in found


def test_english_term_words_may_be_joined_by_hyphens(glossary: Glossary) -> None:
    assert "供应链金融" in {e.zh for e in glossary.terms_in("supply-chain finance", "en")}


def test_acronyms_match_only_in_capitals(glossary: Glossary) -> None:
    assert "国家外汇管理局" in {e.zh for e in glossary.terms_in("approved by SAFE", "en")}
    assert "国家外汇管理局" not in {e.zh for e in glossary.terms_in("a safe place", "en")}


def test_terms_in_rejects_unknown_languages(glossary: Glossary) -> None:
    with pytest.raises(ValueError, match="'fr'"):
        glossary.terms_in("x", "fr")


# -- bridge_query -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, expected",
    [
        ("储蓄国债下乡", ["savings bonds", "countryside"]),
        ("普惠金融", ["inclusive finance"]),
        ("哪些条款提到嘉兴", ["Jiaxing"]),
        ("宁波的保险业", ["Ningbo"]),
        ("慈善信托", ["charitable trusts"]),
    ],
)
def test_bridge_chinese_query_to_english(glossary: Glossary, query: str, expected: list[str]) -> None:
    bridged = glossary.bridge_query(query, "zh", "en")
    assert all(term in bridged for term in expected)


def test_bridge_passes_latin_words_of_a_chinese_query_through(glossary: Glossary) -> None:
    assert "qflp" in glossary.bridge_query("QFLP试点", "zh", "en")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Which clauses mention Ningbo?", "宁波"),
        ("inclusive finance for farmers", "普惠金融"),
        ("distribution of savings bonds", "储蓄国债"),
        ("supply chain finance", "供应链金融"),
    ],
)
def test_bridge_english_query_to_chinese(glossary: Glossary, query: str, expected: str) -> None:
    assert expected in glossary.bridge_query(query, "en", "zh")


def test_bridge_to_the_same_language_returns_the_terms_as_found(glossary: Glossary) -> None:
    assert glossary.bridge_query("储蓄国债下乡", "zh", "zh") == ["储蓄国债", "下乡"]


def test_bridge_without_glossary_terms_is_empty(glossary: Glossary) -> None:
    assert glossary.bridge_query("今天天气很好", "zh", "en") == []


def test_bridge_rejects_unknown_languages(glossary: Glossary) -> None:
    with pytest.raises(ValueError, match="target_lang"):
        glossary.bridge_query("宁波", "zh", "de")


# -- search (UI) ------------------------------------------------------------------------
def test_search_finds_either_side_case_insensitively_exact_first(glossary: Glossary) -> None:
    hits = glossary.search("NINGBO")
    assert hits and all("ningbo" in e.en.casefold() or "宁波" in e.zh for e in hits)
    assert hits[0] == GlossaryEntry("宁波", "Ningbo")
    assert glossary.search("宁波")[0].zh == "宁波"


def test_search_ranks_prefix_before_infix(glossary: Glossary) -> None:
    hits = [e.en for e in glossary.search("green")]
    first_infix = next(i for i, en in enumerate(hits) if not en.casefold().startswith("green"))
    assert all(not en.casefold().startswith("green") for en in hits[first_infix:])


def test_search_empty_lists_everything_and_limit_cuts(glossary: Glossary) -> None:
    assert len(glossary.search("")) == len(glossary)
    assert len(glossary.search("bank", limit=3)) == 3
    assert glossary.search("zzzz-no-such") == []


# -- loading errors ---------------------------------------------------------------------
def test_load_reads_comments_blank_lines_and_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff# a comment\n\n普惠金融\tinclusive finance\n普惠金融\tinclusive financial services\n嘉兴\tJiaxing\n")
    g = Glossary.load(path)
    assert len(g) == 3
    assert g.to_en("普惠金融") == ["inclusive finance", "inclusive financial services"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("普惠金融 inclusive finance\n", r"g\.tsv:1: .*1 tab-separated field"),
        ("# ok\n普惠金融\tinclusive finance\n嘉兴\tJiaxing\tCity\n", r"g\.tsv:3: .*3 tab-separated field"),
        ("普惠金融\t\n", r"g\.tsv:1: .*empty side"),
        ("inclusive finance\t普惠金融\n", r"g\.tsv:1: .*no Chinese character"),
        ("普惠金融\t普惠\n", r"g\.tsv:1: .*must be English"),
        ("嘉兴\tJiaxing\n普惠金融\tinclusive finance\n嘉兴\tjiaxing\n", r"g\.tsv:3: .*repeats line 1"),
        ("# only comments\n\n", r"has no entries"),
    ],
)
def test_malformed_glossary_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        Glossary.load(path)


def test_missing_and_non_utf8_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Glossary.load(tmp_path / "nope.tsv")
    gbk = tmp_path / "gbk.tsv"
    gbk.write_bytes("普惠金融\tinclusive finance\n".encode("gbk"))
    with pytest.raises(ConfigError, match=re.escape("gbk.tsv") + ".*not UTF-8"):
        Glossary.load(gbk)
