"""Word coverage: the share of a question's words a clause holds orders a Chinese question's top clauses."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.retrieval.word_coverage import WordCoverage
from kb_helpers import retriever_pair

# 基金 is in every clause, 投资 in one: the clause holding both covers the question, the others only its common word.
_CLAUSES = {
    "a:1": ["基金", "基金", "基金", "管理", "机构"],
    "a:2": ["基金", "投资", "政府", "债券"],
    "a:3": ["基金", "来源", "保费"],
    "a:4": ["存款", "利息"],
}


@pytest.fixture()
def coverage() -> WordCoverage:
    return WordCoverage(LexicalIndex.from_tokens(list(_CLAUSES), list(_CLAUSES.values())))


def test_the_clause_holding_every_word_covers_the_question(coverage: WordCoverage) -> None:
    shares = coverage.shares({"基金": {"基金": 1.0}, "投资": {"投资": 1.0}}, list(_CLAUSES))
    assert shares["a:2"] == pytest.approx(1.0)
    assert shares["a:4"] == 0.0
    # the rare word weighs more than the common one, however often a clause repeats the common one
    assert shares["a:1"] == pytest.approx(shares["a:3"])
    assert 0.0 < shares["a:1"] < 0.5


def test_a_word_counts_through_its_renderings_at_their_weight(coverage: WordCoverage) -> None:
    shares = coverage.shares({"炒股": {"炒股": 1.0, "投资": 0.5}, "基金": {"基金": 1.0}}, ["a:1", "a:2"])
    # 炒股 occurs in no clause: its best rendering in the KB (投资 at 0.5) is what the question's word can weigh
    assert shares["a:2"] == pytest.approx(1.0)
    assert shares["a:1"] < 1.0


def test_words_no_clause_holds_say_nothing(coverage: WordCoverage) -> None:
    assert coverage.shares({"老板": {"老板": 1.0}}, list(_CLAUSES)) == {}
    with_unknown = coverage.shares({"老板": {"老板": 1.0}, "投资": {"投资": 1.0}}, ["a:2"])
    assert with_unknown == {"a:2": pytest.approx(1.0)}


def test_only_the_clauses_asked_about_are_scored(coverage: WordCoverage) -> None:
    assert set(coverage.shares({"基金": {"基金": 1.0}}, ["a:3"])) == {"a:3"}


@pytest.fixture(scope="module")
def retrievers(corpus5_kb_dir: Path) -> Iterator[tuple]:
    """The five-document KB's retriever with its default config, and the same with the word coverage off."""
    with retriever_pair(corpus5_kb_dir, word_coverage=0.0) as pair:
        yield pair


def test_the_article_holding_more_of_a_chinese_question_ranks_higher(retrievers) -> None:
    """The exceptions to consent (第十三条) hold 处理, 个人信息, 同意 and 取得 together; without coverage, articles
    that repeat 个人信息 and 同意 rank above it."""
    on, off = retrievers
    question = "哪些情况下处理个人信息不需要取得个人同意？"
    assert "pipl-2021:13" in [h.clause.id for h in on.search(question, 3)[0]]
    assert "pipl-2021:13" not in [h.clause.id for h in off.search(question, 3)[0]]


def test_coverage_orders_the_hits_and_leaves_their_scores_alone(retrievers) -> None:
    """Confidence reads the hits' scores; coverage reads the same words again, so it only changes the order."""
    on, off = retrievers
    question = "哪些情况下处理个人信息不需要取得个人同意？"
    with_coverage = on.search(question, 20)[0]
    without = {h.clause.id: h.score for h in off.search(question, 60)[0]}
    for hit in with_coverage:
        assert hit.score == pytest.approx(without[hit.clause.id])
    assert [h.clause.id for h in with_coverage] != sorted(without, key=lambda cid: -without[cid])[:20]


def test_english_questions_are_ordered_as_before(retrievers) -> None:
    on, off = retrievers
    question = "When can my personal information be processed without my consent?"
    assert [h.clause.id for h in on.search(question, 10)[0]] == [h.clause.id for h in off.search(question, 10)[0]]
