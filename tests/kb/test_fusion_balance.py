"""A Chinese question's English clauses weigh the cross-language weights scaled to the same-language total."""
from __future__ import annotations

from dataclasses import replace

import pytest

from policykb.kb.config import DEFAULT_TUNING
from policykb.kb.retrieval.fusion import first_places, fuse, weights_for, weights_table

# Two clauses that top every signal of their language: one Chinese, one English.
_RAW = {s: {"zh:1": 1.0, "en:1": 1.0, "zh:2": 0.5, "en:2": 0.5} for s in ("dense_clause", "dense_sentence", "lexical", "bridge")}
_LANGS = {"zh:1": "zh", "zh:2": "zh", "en:1": "en", "en:2": "en"}


def _total(w) -> float:
    return w.dense_clause + w.dense_sentence + w.lexical + w.bridge


def test_a_chinese_question_cannot_prefer_an_english_clause_by_weights_alone() -> None:
    config = DEFAULT_TUNING.retrieval
    table = weights_table(config)
    assert _total(weights_for("zh", "en", table)) == pytest.approx(_total(config.same_language))
    scores = fuse(_RAW, _LANGS, "zh", table)
    assert scores["en:1"] == pytest.approx(scores["zh:1"])  # equally strong evidence, equal score


def test_english_questions_keep_the_full_cross_language_weights() -> None:
    config = DEFAULT_TUNING.retrieval
    table = weights_table(config)
    assert weights_for("en", "zh", table) == config.cross_language
    scores = fuse(_RAW, _LANGS, "en", table)
    assert scores["zh:1"] > scores["en:1"]


def test_balance_off_restores_the_cross_language_weights() -> None:
    config = replace(DEFAULT_TUNING.retrieval, balance_zh_en=False)
    table = weights_table(config)
    assert "zh-en" not in table and weights_for("zh", "en", table) == config.cross_language
    scores = fuse(_RAW, _LANGS, "zh", table)
    assert scores["en:1"] > scores["zh:1"]


def test_each_signal_names_the_clause_it_ranks_first_within_each_language() -> None:
    langs = {"zh:1": "zh", "zh:2": "zh", "en:1": "en", "en:2": "en"}
    raw = {
        "dense_clause": {"zh:1": 0.9, "zh:2": 0.8, "en:1": 0.7, "en:2": 0.75},
        "dense_sentence": {"zh:1": 0.6, "zh:2": 0.6, "en:1": 0.9},  # a tie for first names no Chinese clause
        "lexical": {"zh:2": 3.0, "en:1": 0.0},  # no positive score names no English clause
        "bridge": {},
    }
    assert first_places(raw, langs) == {"zh:1": ("dense_clause",), "en:2": ("dense_clause",), "en:1": ("dense_sentence",),
                                        "zh:2": ("lexical",)}
