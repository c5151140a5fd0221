"""The vocabulary-coverage document prior: renderings in either language count, shared words do not."""
from __future__ import annotations

from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.retrieval.doc_coverage import CoveragePrior

IDS = ["law:1", "law:2", "rule:1", "opinion:1"]
TEXTS = [
    "存款保险基金的使用范围",
    "银行应当按时缴纳保费",
    "个人信息处理者应当取得个人同意",
    "Banks should widen financial services for rural residents",
]
DOCS = {"law:1": "law", "law:2": "law", "rule:1": "rule", "opinion:1": "opinion"}


def prior() -> CoveragePrior:
    return CoveragePrior(LexicalIndex.build(IDS, TEXTS), DOCS)


def test_holders_lists_the_clauses_with_a_token() -> None:
    index = LexicalIndex.build(IDS, TEXTS)
    assert set(index.holders("保费")) == {"law:2"}
    assert index.holders("absent-token") == ()


def test_a_rendering_in_the_other_language_covers_a_document() -> None:
    gaps = prior().scores({"premium": {"premium": 1.0, "保费": 0.8}, "bank": {"bank": 1.0, "银行": 1.0}})
    assert gaps["law"] == 0.0  # best covered: the Chinese rule holds the rendering of the rare word
    assert gaps["opinion"] < 0.0 and gaps["rule"] < 0.0


def test_words_no_document_or_every_document_holds_say_nothing() -> None:
    p = prior()
    assert p.scores({"zebra": {"zebra": 1.0}}) == {}
    assert p.coverage({"zebra": {"zebra": 1.0}, "保费": {"保费": 1.0}}) == {"law": 1.0, "opinion": 0.0, "rule": 0.0}


def test_one_document_gives_no_prior() -> None:
    p = CoveragePrior(LexicalIndex.build(IDS[:2], TEXTS[:2]), {"law:1": "law", "law:2": "law"})
    assert not p and p.scores({"保费": {"保费": 1.0}}) == {}
