"""Deterministic metrics over clause ids — no LLM judge, the same numbers on every run.

Retrieval (answerable rows only; a row with no gold ids is skipped):

- ``recall@k`` — share of rows whose top-k contains ANY gold id (k = 1, 3, 5).
- ``mrr`` — mean of 1/rank of the first gold id in the returned list (0 when none is returned).
- ``ndcg@5`` — binary relevance: DCG = Σ_{i≤5} rel_i / log2(i+1) over the top 5 (each gold id
  counts once), divided by the ideal DCG of min(|gold|, 5) relevant results.
- ``all_gold_recall@5`` — over rows with two or more gold ids: share whose top-5 contains every
  gold id (top-|gold| when a row has more than 5 gold ids, as "which clauses mention X" lookups
  return every match).

Answers:

- ``citation_hit`` — share of answerable rows, not abstained, whose citations include a gold id;
  abstained answerable rows count as misses.
- ``citation_precision`` — cited ids that are gold / all cited ids, over answerable rows.
- ``fact_coverage`` — facts found (case-insensitive substring) in the answer text plus its
  quotes / all facts, over answerable rows.
- ``abstain_precision`` — abstentions on unanswerable rows / all abstentions.
- ``abstain_recall`` — abstentions on unanswerable rows / unanswerable rows.
- ``false_abstain_rate`` — abstentions on answerable rows / answerable rows.
- ``invalid_citations`` — number of cited ids that do not exist in the KB or were not among the
  clauses retrieved for that question (all rows).
- ``confidently_wrong`` — share of answerable rows answered as sure (not abstained, not marked
  unsure, not a reply asking back which document is meant) without citing any gold id: the answers
  that mislead.
- ``wrong_answered`` — share of answerable rows not abstained and citing no gold id, sure or unsure
  (an unsure answer lists its candidates; this counts it wrong when none of them is gold).
- ``unsure_rate`` — share of all rows answered as unsure (candidates cited, most likely first).
- ``offtopic_sure`` — share of unanswerable rows answered as sure (not abstained, not unsure, not asking back):
  the off-topic questions that mislead; the rest of ``1 - abstain_recall`` was answered unsure.

Latency: p50/p95 by nearest rank (the ⌈p/100·n⌉-th smallest value).

A ratio whose denominator is zero is ``None`` (JSON null), never 0: "not measured" differs from
"always wrong". Ratios are rounded to 4 decimals.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

__all__ = [
    "RETRIEVAL_KEYS",
    "ANSWER_KEYS",
    "AnswerOutcome",
    "retrieval_metrics",
    "answer_metrics",
    "first_gold_rank",
    "facts_found",
    "invalid_citations",
    "percentile",
]

RETRIEVAL_KEYS: tuple[str, ...] = ("recall@1", "recall@3", "recall@5", "mrr", "ndcg@5", "all_gold_recall@5")
ANSWER_KEYS: tuple[str, ...] = (
    "citation_hit",
    "citation_precision",
    "fact_coverage",
    "abstain_precision",
    "abstain_recall",
    "false_abstain_rate",
    "invalid_citations",
    "confidently_wrong",
    "wrong_answered",
    "unsure_rate",
    "offtopic_sure",
)
_DIGITS = 4


@dataclass(frozen=True)
class AnswerOutcome:
    """What one answer did for one gold row, in the terms the answer metrics need.

    ``text`` is the answer text followed by its citation quotes; ``invalid`` the cited ids that
    do not exist or were not retrieved for the question (see :func:`invalid_citations`).
    """

    gold: tuple[str, ...]
    answerable: bool
    facts: tuple[str, ...]
    cited: tuple[str, ...]
    abstained: bool
    text: str
    invalid: tuple[str, ...] = ()
    unsure: bool = False  # answered, but marked unsure (its citations are candidates)
    asked_back: bool = False  # no answer: the reply asks which document or clause the question means ("clarify")


def first_gold_rank(ranked: Sequence[str], gold: Iterable[str]) -> int | None:
    """1-based rank of the first gold id in ``ranked``; None when no gold id is there."""
    wanted = set(gold)
    for rank, clause_id in enumerate(ranked, start=1):
        if clause_id in wanted:
            return rank
    return None


def retrieval_metrics(ranked: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]) -> dict:
    """Recall@1/3/5, MRR, nDCG@5 and all-gold recall@5 over rows that have gold ids.

    Args:
        ranked: per row, the retrieved clause ids best first.
        gold: per row, the clause ids that answer it (empty = unanswerable, skipped).
    """
    if len(ranked) != len(gold):
        raise ValueError(f"ranked has {len(ranked)} rows but gold has {len(gold)}; pass one ranking per gold row")
    pairs = [(list(_dedupe(r)), set(g)) for r, g in zip(ranked, gold) if g]
    multi = [(r, g) for r, g in pairs if len(g) > 1]
    recall = {k: _ratio(sum(1 for r, g in pairs if g & set(r[:k])), len(pairs)) for k in (1, 3, 5)}
    ranks = [first_gold_rank(r, g) for r, g in pairs]
    return {
        "recall@1": recall[1],
        "recall@3": recall[3],
        "recall@5": recall[5],
        "mrr": _mean([1.0 / rank if rank else 0.0 for rank in ranks]),
        "ndcg@5": _mean([_ndcg(r, g, 5) for r, g in pairs]),
        "all_gold_recall@5": _ratio(sum(1 for r, g in multi if g <= set(r[: max(5, len(g))])), len(multi)),
    }


def answer_metrics(outcomes: Sequence[AnswerOutcome]) -> dict:
    """Citation hit, citation precision, fact coverage, abstention metrics and invalid citations."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    abstentions = [o for o in outcomes if o.abstained]
    hits = sum(1 for o in answerable if not o.abstained and set(o.cited) & set(o.gold))
    cited = [(c, o.gold) for o in answerable for c in _dedupe(o.cited)]
    cited_gold = sum(1 for c, gold in cited if c in gold)
    facts_total = sum(len(o.facts) for o in answerable)
    facts_hit = sum(len(facts_found(o.facts, o.text)) for o in answerable)
    return {
        "citation_hit": _ratio(hits, len(answerable)),
        "citation_precision": _ratio(cited_gold, len(cited)),
        "fact_coverage": _ratio(facts_hit, facts_total),
        "abstain_precision": _ratio(sum(1 for o in abstentions if not o.answerable), len(abstentions)),
        "abstain_recall": _ratio(sum(1 for o in unanswerable if o.abstained), len(unanswerable)),
        "false_abstain_rate": _ratio(sum(1 for o in answerable if o.abstained), len(answerable)),
        "invalid_citations": sum(len(o.invalid) for o in outcomes),
        "confidently_wrong": _ratio(sum(1 for o in answerable if not o.abstained and not o.unsure and not o.asked_back
                                        and not set(o.cited) & set(o.gold)),
                                    len(answerable)),
        "wrong_answered": _ratio(sum(1 for o in answerable if not o.abstained and not set(o.cited) & set(o.gold)), len(answerable)),
        "unsure_rate": _ratio(sum(1 for o in outcomes if o.unsure and not o.abstained), len(outcomes)),
        "offtopic_sure": _ratio(sum(1 for o in unanswerable if not o.abstained and not o.unsure and not o.asked_back),
                                len(unanswerable)),
    }


def facts_found(facts: Sequence[str], text: str) -> list[str]:
    """The facts that occur in ``text`` (case-insensitive substring match), in gold order."""
    folded = text.casefold()
    return [f for f in facts if f.casefold() in folded]


def invalid_citations(cited: Sequence[str], retrieved: Iterable[str], exists: Callable[[str], bool]) -> tuple[str, ...]:
    """Cited ids that do not exist (``exists`` is False) or are not in ``retrieved``."""
    pool = set(retrieved)
    return tuple(c for c in _dedupe(cited) if c not in pool or not exists(c))


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in (0, 100]); None for no values."""
    if not 0 < p <= 100:
        raise ValueError(f"percentile {p!r} must be in (0, 100]")
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1], 3)


def _ndcg(ranked: Sequence[str], gold: set[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, c in enumerate(ranked[:k]) if c in gold)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), k)))
    return dcg / ideal


def _dedupe(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _ratio(num: float, den: int) -> float | None:
    return round(num / den, _DIGITS) if den else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), _DIGITS) if values else None
