"""The ceiling benchmark's ranks and figures (pure functions: no model, no KB)."""
from __future__ import annotations

from benchmarks.bench_ceiling import MISSING, gold_rank, signal_orders, summarise, table


def test_gold_rank_is_the_first_gold_id_and_missing_when_absent() -> None:
    assert gold_rank(["a:1", "a:2", "a:3"], ["a:3", "a:2"]) == 2
    assert gold_rank(["a:1"], ["b:1"]) == MISSING


def test_each_signal_orders_only_the_clauses_it_scored_and_centres_cosines_per_language() -> None:
    hits = [
        # English clauses sit higher on raw cosine; centred, the Chinese clause stands out more among its peers
        ("en:1", "en", {"dense_sentence": 0.90, "lexical": 2.0}),
        ("en:2", "en", {"dense_sentence": 0.88, "lexical": 0.0}),
        ("zh:1", "zh", {"dense_sentence": 0.85, "dictionary": 1.5}),
        ("zh:2", "zh", {"dense_sentence": 0.75, "dictionary": 1.5}),
    ]
    orders = signal_orders(hits)
    assert orders["dense_sentence"][0] == "zh:1"
    assert orders["lexical"] == ["en:1"]
    assert orders["dictionary"] == ["zh:1", "zh:2"]  # a tie keeps the fused order
    assert orders["bridge"] == []


def test_the_ceiling_is_the_best_rank_of_any_ranking_per_question() -> None:
    ranks = [
        ("en", {"fused": 2, "dense_sentence": 1, "lexical": 5}),
        ("en", {"fused": 4, "dense_sentence": 3, "lexical": MISSING}),
        ("zh", {"fused": 1, "dense_sentence": 2, "lexical": 1}),
    ]
    figures = summarise(ranks)
    assert figures["en"]["rows"] == 2 and figures["all"]["rows"] == 3
    assert figures["en"]["fused"] == {"recall@1": 0.0, "recall@3": 0.5}
    assert figures["en"]["ceiling"] == {"recall@1": 0.5, "recall@3": 1.0}
    assert figures["all"]["ceiling"]["recall@1"] == round(2 / 3, 3)
    assert figures["en"]["fused_top10"] == 1.0
    lines = table([{"gold": "/x/corpus5.jsonl", "by_lang": figures}]).splitlines()
    assert lines[2].startswith("| corpus5.jsonl | en | 2 | 0.000 / 0.500 |")
    assert lines[-1].startswith("| corpus5.jsonl | all | 3 |")
