"""policykb.eval — gold sets, deterministic metrics, the evaluation runner, reports and feedback.

Reaches the knowledge base only through the public API of :mod:`policykb.kb`.
"""
from __future__ import annotations

from policykb.eval.feedback import FEEDBACK_FILE, FeedbackStore
from policykb.eval.gold import GoldRow, load_gold
from policykb.eval.metrics import AnswerOutcome, answer_metrics, percentile, retrieval_metrics
from policykb.eval.progress import ProgressBar
from policykb.eval.report import write_report
from policykb.eval.runner import DEFAULT_MODES, EvalReport, evaluate

__all__ = [
    "GoldRow",
    "load_gold",
    "retrieval_metrics",
    "answer_metrics",
    "AnswerOutcome",
    "percentile",
    "evaluate",
    "EvalReport",
    "DEFAULT_MODES",
    "write_report",
    "FeedbackStore",
    "FEEDBACK_FILE",
    "ProgressBar",
]
