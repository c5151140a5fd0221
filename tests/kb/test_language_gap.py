"""A Chinese question's clauses of the language its nearest sentences argue against lose score; the others keep theirs."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from policykb.kb.retrieval.language_gap import language_penalty
from kb_helpers import retriever_pair

_LANGS = {"zh:1": "zh", "zh:2": "zh", "en:1": "en", "en:2": "en"}


def test_a_chinese_sentence_much_nearer_than_usual_costs_the_english_clauses() -> None:
    cosines = {"zh:1": 0.90, "zh:2": 0.85, "en:1": 0.78, "en:2": 0.70}  # gap 0.12, 0.04 above the usual 0.08
    loser, penalty = language_penalty(cosines, _LANGS, offset=0.08, weight=4.0)
    assert loser == "en"
    assert penalty == pytest.approx(4.0 * 0.04)


def test_a_chinese_sentence_only_as_near_as_usual_costs_the_chinese_clauses() -> None:
    cosines = {"zh:1": 0.86, "en:1": 0.83}  # gap 0.03, 0.05 below the usual 0.08: the question is about the English text
    loser, penalty = language_penalty(cosines, _LANGS, offset=0.08, weight=4.0)
    assert loser == "zh"
    assert penalty == pytest.approx(4.0 * 0.05)


@pytest.mark.parametrize("cosines, weight", [
    ({"zh:1": 0.9, "zh:2": 0.8}, 4.0),  # one language only: nothing to choose between
    ({"en:1": 0.9}, 4.0),
    ({"zh:1": 0.95, "en:1": 0.70}, 0.0),  # switched off
    ({}, 4.0),
])
def test_nothing_loses_without_both_languages_or_a_weight(cosines: dict[str, float], weight: float) -> None:
    assert language_penalty(cosines, _LANGS, offset=0.08, weight=weight) == ("", 0.0)


@pytest.fixture(scope="module")
def retrievers(corpus5_kb_dir: Path) -> Iterator[tuple]:
    """The five-document KB's retriever with its default config, and the same with the language gap off."""
    with retriever_pair(corpus5_kb_dir, language_gap_weight=0.0) as pair:
        yield pair


def test_a_chinese_question_about_the_english_opinions_pushes_only_the_chinese_rules_down(retrievers) -> None:
    on, off = retrievers
    question = "浙江的农村金融服务要怎么改进？"
    with_gap = {h.clause.id: h for h in on.search(question, 20)[0]}
    without = {h.clause.id: h.score for h in off.search(question, 60)[0]}
    english = [cid for cid, h in with_gap.items() if h.clause.lang == "en"]
    chinese = [cid for cid, h in with_gap.items() if h.clause.lang == "zh"]
    assert english and next(iter(with_gap)) in english
    for cid in english:  # the Opinions' clauses keep their scores, so the margins confidence reads are unchanged
        assert with_gap[cid].score == pytest.approx(without[cid])
    for cid in chinese:
        assert with_gap[cid].score < without[cid]


def test_a_search_limited_to_one_language_is_left_as_it_is(retrievers) -> None:
    on, off = retrievers
    question = "浙江的农村金融服务要怎么改进？"
    limited = [(h.clause.id, round(h.score, 9)) for h in on.search(question, 10, lang="zh")[0]]
    assert limited == [(h.clause.id, round(h.score, 9)) for h in off.search(question, 10, lang="zh")[0]]
