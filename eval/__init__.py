"""policykb.eval — gold sets, deterministic metrics, the evaluation runner, reports and plots, and the export of
rated answers as gold rows.

Reaches the knowledge base only through the public API of :mod:`policykb.kb`; never imports :mod:`policykb.app`.
Benchmarks (speed, load, crash, scale) live outside the package, in the checkout's ``benchmarks/``.
"""
from __future__ import annotations

from policykb.eval.feedback import feedback_to_gold
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
    "feedback_to_gold",
    "ProgressBar",
]
