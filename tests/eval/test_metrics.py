"""Metric functions against hand-computed values."""
from __future__ import annotations

import math

import pytest

from policykb.eval.metrics import (
    AnswerOutcome,
    answer_metrics,
    facts_found,
    first_gold_rank,
    invalid_citations,
    percentile,
    retrieval_metrics,
)


def test_retrieval_single_gold_rows() -> None:
    ranked = [["a", "b", "c"], ["x", "a", "b"], ["x", "y", "z", "w", "a"], ["x", "y"]]
    gold = [["a"], ["a"], ["a"], ["a"]]
    m = retrieval_metrics(ranked, gold)
    assert m["recall@1"] == 0.25
    assert m["recall@3"] == 0.5
    assert m["recall@5"] == 0.75
    assert m["mrr"] == round((1 + 1 / 2 + 1 / 5 + 0) / 4, 4)
    ndcg = (1 + 1 / math.log2(3) + 1 / math.log2(6) + 0) / 4
    assert m["ndcg@5"] == round(ndcg, 4)
    assert m["all_gold_recall@5"] is None  # no multi-gold rows


def test_retrieval_skips_unanswerable_rows() -> None:
    m = retrieval_metrics([["a"], ["b"], []], [["a"], [], []])
    assert m["recall@1"] == 1.0
    assert m["mrr"] == 1.0


def test_retrieval_no_answerable_rows_is_none_not_zero() -> None:
    m = retrieval_metrics([["a"], []], [[], []])
    assert all(v is None for v in m.values())
    assert retrieval_metrics([], [])["recall@5"] is None


def test_retrieval_multi_gold() -> None:
    ranked = [["b", "x", "a"], ["x", "y", "z", "w", "v", "a"], ["c", "d", "e"]]
    gold = [["a", "b"], ["a", "b"], ["c"]]
    m = retrieval_metrics(ranked, gold)
    assert m["recall@1"] == round(2 / 3, 4)
    assert m["recall@5"] == round(2 / 3, 4)
    # all-gold only over the two multi-gold rows; the first has both in top 5
    assert m["all_gold_recall@5"] == 0.5
    ideal2 = 1 + 1 / math.log2(3)
    row1 = (1 + 1 / math.log2(4)) / ideal2
    assert m["ndcg@5"] == round((row1 + 0 + 1) / 3, 4)


def test_all_gold_recall_uses_top_gold_count_when_more_than_five_gold() -> None:
    gold = [["1", "2", "3", "4", "5", "6", "7"]]
    ranked = [["1", "2", "3", "4", "5", "6", "7"]]
    assert retrieval_metrics(ranked, gold)["all_gold_recall@5"] == 1.0
    assert retrieval_metrics([["1", "2", "3", "4", "5", "6"]], gold)["all_gold_recall@5"] == 0.0


def test_duplicate_ids_in_a_ranking_count_once() -> None:
    m = retrieval_metrics([["a", "a", "b"]], [["a", "b"]])
    assert m["ndcg@5"] == 1.0


def test_retrieval_length_mismatch() -> None:
    with pytest.raises(ValueError, match="one ranking per gold row"):
        retrieval_metrics([["a"]], [])


def test_first_gold_rank() -> None:
    assert first_gold_rank(["x", "b", "a"], ["a", "b"]) == 2
    assert first_gold_rank(["x"], ["a"]) is None


def _o(gold, cited, abstained=False, facts=(), text="", invalid=()) -> AnswerOutcome:
    return AnswerOutcome(tuple(gold), bool(gold), tuple(facts), tuple(cited), abstained, text, tuple(invalid))


def test_answer_metrics_mixed() -> None:
    outcomes = [
        _o(["a"], ["a", "b"], facts=["Ningbo", "green credit"], text="Pilots in NINGBO."),  # hit, 1/2 precise, 1/2 facts
        _o(["c"], ["d"], facts=["rural"], text="nothing"),  # miss, 0/1 precise, 0/1 facts
        _o(["e"], [], abstained=True, facts=["x"], text="x appears"),  # abstained answerable: miss + false abstention
        _o([], [], abstained=True),  # correct abstention
        _o([], ["z"], invalid=["z"]),  # answered off-topic, invalid citation
    ]
    m = answer_metrics(outcomes)
    assert m["citation_hit"] == round(1 / 3, 4)
    assert m["citation_precision"] == round(1 / 3, 4)  # a of (a, b, d); "z" is on an unanswerable row
    assert m["fact_coverage"] == 0.5  # Ningbo + x of 4 facts (abstention text still searched)
    assert m["abstain_precision"] == 0.5
    assert m["abstain_recall"] == 0.5
    assert m["false_abstain_rate"] == round(1 / 3, 4)
    assert m["invalid_citations"] == 1


def test_answer_metrics_edge_cases() -> None:
    assert answer_metrics([]) == {
        "citation_hit": None,
        "citation_precision": None,
        "fact_coverage": None,
        "abstain_precision": None,
        "abstain_recall": None,
        "false_abstain_rate": None,
        "invalid_citations": 0,
        "confidently_wrong": None,
        "wrong_answered": None,
        "unsure_rate": None,
        "offtopic_sure": None,
    }
    only_off_topic = answer_metrics([_o([], [], abstained=False)])
    assert only_off_topic["citation_hit"] is None
    assert only_off_topic["abstain_recall"] == 0.0
    assert only_off_topic["abstain_precision"] is None  # no abstentions at all
    empty_citations = answer_metrics([_o(["a"], [])])
    assert empty_citations["citation_hit"] == 0.0
    assert empty_citations["citation_precision"] is None
    assert empty_citations["fact_coverage"] is None


def test_answer_metrics_counts_a_repeated_citation_once() -> None:
    assert answer_metrics([_o(["a"], ["a", "a", "b"])])["citation_precision"] == 0.5


def test_facts_found_case_insensitive() -> None:
    assert facts_found(["Green Finance", "共同富裕", "absent"], "green finance and 共同富裕") == ["Green Finance", "共同富裕"]


def test_invalid_citations_unknown_or_not_retrieved() -> None:
    known = {"a", "b", "c"}
    assert invalid_citations(["a", "b", "q", "a"], ["a", "q"], known.__contains__) == ("b", "q")
    assert invalid_citations([], ["a"], known.__contains__) == ()


def test_percentile_nearest_rank() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert percentile(values, 50) == 35.0
    assert percentile(values, 95) == 50.0
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1.0], 0)


def test_confidently_wrong_counts_sure_answers_without_gold_only() -> None:
    outcomes = [
        AnswerOutcome(("a",), True, (), ("b",), False, ""),  # sure, wrong: confidently wrong
        AnswerOutcome(("a",), True, (), ("c",), False, "", unsure=True),  # unsure, wrong: wrong but not confidently
        AnswerOutcome(("a",), True, (), ("b", "a"), False, "", unsure=True),  # unsure, gold among the candidates
        AnswerOutcome(("a",), True, (), (), True, ""),  # abstained: a false abstention, not confidently wrong
        AnswerOutcome((), False, (), ("x",), False, ""),  # off-topic answered: not in the answerable denominator
        AnswerOutcome(("a",), True, (), (), False, "", asked_back=True),  # asks which document: wrong, not confidently
    ]
    m = answer_metrics(outcomes)
    assert m["confidently_wrong"] == 0.2
    assert m["wrong_answered"] == 0.6
    assert m["unsure_rate"] == round(2 / 6, 4)


def test_offtopic_sure_counts_off_topic_questions_answered_as_sure() -> None:
    outcomes = [
        AnswerOutcome((), False, (), ("x",), False, ""),  # answered as sure: misleads
        AnswerOutcome((), False, (), ("x",), False, "", unsure=True),  # unsure, candidates listed
        AnswerOutcome((), False, (), (), True, ""),  # abstained
        AnswerOutcome((), False, (), (), False, "", asked_back=True),  # asks which document is meant
        AnswerOutcome(("a",), True, (), ("b",), False, ""),  # answerable: not in the denominator
    ]
    m = answer_metrics(outcomes)
    assert m["offtopic_sure"] == 0.25
    assert m["abstain_recall"] == 0.25
