"""Within-language IDF for a question's own words in a KB of several languages (kb/retrieval/language_idf.py)."""
from __future__ import annotations

import math

import pytest

from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.index.tokenize import tokenize
from policykb.kb.retrieval.language_idf import LanguageIdf

# Six Chinese clauses and two English ones; "bank" is in both English clauses, "trusts" in one.
TEXTS = {
    "zh:1": "商业银行贷款，应当遵守资产负债比例管理的规定。",
    "zh:2": "商业银行不得向关系人发放信用贷款。",
    "zh:3": "存款保险实行限额偿付。",
    "zh:4": "投保机构应当交纳保费。",
    "zh:5": "个人信息处理者应当取得个人同意。",
    "zh:6": "商业银行的会计年度自公历1月1日起至12月31日止。",
    "en:1": "Banks should widen financial services for rural residents.",
    "en:2": "Develop charitable trusts and let banks support them.",
}
LANGS = {cid: cid.split(":")[0] for cid in TEXTS}


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(list(TEXTS), list(TEXTS.values()))


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def test_an_english_word_weighs_its_idf_among_the_english_clauses(index: LexicalIndex) -> None:
    idf = LanguageIdf(index, LANGS)
    (bank,) = tokenize("banks")
    assert idf.active
    assert idf.factor(bank) == pytest.approx(_idf(2, 2) / _idf(8, 2))  # in every English clause: little evidence
    (trust,) = tokenize("trusts")
    assert idf.factor(trust) == pytest.approx(_idf(2, 1) / _idf(8, 1))
    assert idf.factor(bank) < idf.factor(trust) < 1.0


def test_a_chinese_word_is_counted_among_the_chinese_clauses(index: LexicalIndex) -> None:
    idf = LanguageIdf(index, LANGS)
    assert idf.factor("商业银行") == pytest.approx(_idf(6, 3) / _idf(8, 3))
    assert idf.factor("absent") == 1.0 and idf.factor("12") == 1.0  # unknown tokens and numbers keep their weight


def test_a_word_every_english_clause_holds_no_longer_weighs_like_a_rare_chinese_word() -> None:
    """Over the whole KB, "bank" (in the 2 English clauses of 22) is as rare as 存款 (in 2 of the 20 Chinese
    clauses): an English question's own common word counted as much as a specific Chinese rendering."""
    texts = {f"zh:{i}": f"银行第{i}项业务" for i in range(18)} | {"zh:18": "银行存款业务", "zh:19": "存款利率"}
    texts |= {"en:1": "bank business one", "en:2": "bank business two"}
    index = LexicalIndex.build(list(texts), list(texts.values()))
    idf = LanguageIdf(index, {c: c.split(":")[0] for c in texts})
    (bank,) = tokenize("bank")
    assert idf.factor(bank) == pytest.approx(_idf(2, 2) / _idf(22, 2))
    assert idf.factor("存款") == pytest.approx(_idf(20, 2) / _idf(22, 2))
    assert _idf(22, 2) * idf.factor(bank) < 0.1 * _idf(22, 2) * idf.factor("存款")
    plain = index.scores([bank, "存款"])
    weighted = index.weighted_scores(idf.weights([bank, "存款"]))
    assert plain["en:1"] > 0.8 * plain["zh:19"]
    assert weighted["en:1"] < 0.2 * weighted["zh:19"]


def test_a_kb_of_one_language_is_unchanged() -> None:
    ids = [c for c in TEXTS if c.startswith("zh:")]
    index = LexicalIndex.build(ids, [TEXTS[c] for c in ids])
    idf = LanguageIdf(index, {c: "zh" for c in ids})
    assert not idf.active
    tokens = tokenize("商业银行贷款")
    assert index.weighted_scores(idf.weights(tokens)) == pytest.approx(index.scores(tokens))
