"""Fit fusion weights and abstention/confidence thresholds to a user's gold set (``policykb calibrate``).

Every question is retrieved once (:meth:`KnowledgeBase.replay`): the grid search re-fuses the
cached signals in memory and re-judges precomputed evidence, so no point of the grid embeds.

1. Fusion weights, per language relation (same / cross), on a grid around the bridge, lexical
   and sentence shares: the point with the most gold clauses first (then the best MRR) on the
   training rows; a point replaces the current weights only when it finds at least one more.
2. Abstention, then confidence, by coordinate descent (two rounds): per language pair seen
   ("en-zh": English question, Chinese clause) a grid of shifts of its "sure" cosine, floor and
   min_support; then the confidence margins (runner-up within ``margin`` / ``other_doc_margin``,
   weak support, the top clause's share of the question's known words ``min_anchor``): the lowest
   cost on the training rows, where a cost weighs what a user suffers
   (:data:`COSTS`): a confidently wrong answer most, then an answered off-topic question, a
   false abstention, an unsure answer without the gold clause, an unsure answer with it least.

Figures are cross-validated: k folds (default 5), or one fold per document when every
answerable row names its document in ``kind`` ("fact:<doc_id>"), off-topic rows spread over
the folds. "Before" is the KB's current tuning on every row; "after" is each row measured
under the tuning fitted without it. The stored tuning is fitted on all rows.
"""
from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from policykb.errors import ConfigError, NotFoundError
from policykb.eval.gold import GoldRow

if TYPE_CHECKING:
    from policykb.kb.answer.abstain import Evidence
    from policykb.kb.config import RetrievalConfig, TuningConfig
    from policykb.kb.model import Hit

__all__ = ["calibrate", "CalibrationError", "MIN_ANSWERABLE", "MIN_OFFTOPIC", "COSTS", "row_document", "summary_text",
           "Prepared", "prepare_rows", "cross_validate", "warm"]

MIN_ANSWERABLE = 30
MIN_OFFTOPIC = 5
COSTS = {
    "confidently_wrong": 4.0,  # sure, no gold clause cited
    "offtopic_sure": 3.0,  # an off-topic question answered as sure
    "offtopic_unsure": 2.0,
    "false_abstain": 1.5,
    "unsure_wrong": 1.0,  # unsure, no gold among the candidates
    "unsure_right": 0.25,  # unsure, the gold clause among the candidates: right, but less useful than sure
}
_SURE_SHIFTS = (-0.04, -0.02, 0.0, 0.02, 0.04)
_SUPPORT_SHIFTS = (-0.1, 0.0, 0.1, 0.2)
_FLOOR_RAISES = (0.0, 0.04, 0.06, 0.08, 0.1)
_MARGINS = (0.0, 0.03, 0.06, 0.1)
_OTHER_DOC_MARGINS = (0.0, 0.08, 0.15, 0.25)
_WEAK_SUPPORTS = (0.0, 0.34, 0.5)
_SCATTERS = (0.0, 0.03, 0.06, 0.1)
_ANCHORS = (0.0, 0.05)
_BRIDGES = (0.25, 0.4, 0.55, 0.7)
_LEXICALS = (0.05, 0.15, 0.25)
_SENTENCE_SHARES = (0.4, 0.55, 0.7)

Progress = Callable[[str, float], None]


class CalibrationError(ConfigError):
    """The gold set cannot be calibrated on (too small, or gold ids the KB lacks)."""


def row_document(row: GoldRow) -> str:
    """The document a row is about, from ``kind`` ("fact:<doc_id>", "multi:<a>+<b>" → a), else from its first gold id."""
    if ":" in row.kind:
        return row.kind.split(":", 1)[1].split("+")[0].strip()
    return row.gold[0].split(":", 1)[0] if row.gold else ""


# -- one question, retrieved once ---------------------------------------------------------
@dataclass
class Prepared:
    """One gold row made ready for the grid: its resolved question, and per retrieval config its hits and evidence."""

    row: GoldRow
    asked: str
    doc: str | None
    history: tuple[Any, ...]
    cache: dict[Any, "_Judged"] = field(default_factory=dict)
    ranked: dict[Any, tuple[str, ...]] = field(default_factory=dict)
    fast: Any = None  # (candidate ids, normalised signal matrix, same-language mask, bridge coverage), or False


@dataclass
class _Judged:
    ranked: tuple[str, ...]
    fixed: tuple[str, tuple[str, ...]] | None  # a lookup's (kind, cited): thresholds do not change it
    hits: tuple["Hit", ...] = ()
    groups: tuple[tuple["Hit", ...], ...] = ()
    evidence: tuple["Evidence", ...] = ()
    chosen: tuple[tuple["Hit", ...], ...] = ()


def prepare_rows(kb: Any, rows: Sequence[GoldRow], progress: Progress | None = None) -> tuple[Any, list[Prepared]]:
    """A replay of ``kb`` and the rows with follow-ups resolved (earlier turns asked with the KB's tuning)."""
    from policykb.kb.model import Turn

    replay = kb.replay()
    prepared: list[Prepared] = []
    for i, row in enumerate(rows):
        turns: list[Turn] = []
        for earlier in row.history:
            turns.append(Turn(earlier, kb.ask(earlier, history=tuple(turns), mode="extractive")))
        asked, doc = replay.resolve(row.question, turns)
        prepared.append(Prepared(row, asked, doc, tuple(turns)))
        if progress is not None:
            progress(f"resolving {row.id}", (i + 1) / max(1, len(rows)))
    return replay, prepared


def _judge(replay: Any, item: Prepared, retrieval: "RetrievalConfig", base: "TuningConfig") -> _Judged:
    """Hits and threshold-free evidence of one row under one retrieval config (cached)."""
    from policykb.kb.answer.abstain import by_language, gather
    from policykb.kb.answer.extractive import choose_hits
    from policykb.kb.retrieval.lookup import parse_lookup

    if retrieval in item.cache:
        return item.cache[retrieval]
    hits, lookup_kind = replay.search(item.asked, retrieval, base.answer.k, doc=item.doc)
    ranked = tuple(h.clause.id for h in hits)
    if lookup_kind or not hits or parse_lookup(item.asked) is not None:
        outcome = replay.outcome(item.row.question, item.asked, hits, lookup_kind, base)
        judged = _Judged(ranked, (outcome.kind, outcome.cited))
    else:
        ctx = replay.context(item.row.question, item.asked, base)
        groups = by_language(hits)
        evidence = tuple(gather(g, ctx.terms, ctx.stats, ctx.lang, ctx.asked, ctx.generic, base.abstain.top) for g in groups)
        chosen = tuple(tuple(choose_hits(g, ctx.terms, ctx.stats, base.answer)) for g in groups)
        judged = _Judged(ranked, None, tuple(hits), tuple(tuple(g) for g in groups), evidence, chosen)
    item.cache[retrieval] = judged
    return judged


def _verdict(j: _Judged, tuning: "TuningConfig") -> tuple[str, tuple[str, ...]]:
    """("abstain" | "unsure" | "sure" | lookup kind, cited ids): :func:`policykb.kb.answer.respond.assess` on precomputed evidence."""
    from policykb.kb.answer.abstain import decide
    from policykb.kb.answer.respond import scattered, unsure_candidates, unsure_why

    if j.fixed is not None:
        return j.fixed
    passing = [i for i, ev in enumerate(j.evidence) if not decide(ev, tuning.abstain.pairs, tuning.abstain.agree)[0]]
    if not passing:
        return "abstain", ()
    first = passing[0]
    chosen = list(j.chosen[first])
    for i in passing[1:]:
        if len(chosen) < tuning.answer.max_cited and j.groups[i][0].score >= tuning.answer.other_language_score * chosen[0].score:
            chosen.append(j.groups[i][0])
    if scattered(j.hits, chosen, j.evidence[first], tuning):
        return "abstain", ()
    if unsure_why(j.hits, chosen, j.evidence[first], tuning):
        return "unsure", tuple(h.clause.id for h in unsure_candidates(j.hits, chosen, tuning.confidence.candidates))
    return "sure", tuple(h.clause.id for h in chosen)


def _cost(row: GoldRow, kind: str, cited: Sequence[str]) -> float:
    hit = bool(set(cited) & set(row.gold))
    if not row.answerable:
        return 0.0 if kind == "abstain" else COSTS["offtopic_unsure"] if kind == "unsure" else COSTS["offtopic_sure"]
    if kind == "abstain":
        return COSTS["false_abstain"]
    if kind == "unsure":
        return COSTS["unsure_right"] if hit else COSTS["unsure_wrong"]
    return 0.0 if hit else COSTS["confidently_wrong"]


# -- ranking under many weights, in memory ------------------------------------------------
_SIGNALS = ("dense_clause", "dense_sentence", "lexical", "bridge")


def _fast_inputs(replay: Any, item: Prepared) -> Any:
    """The row's normalised signals as a matrix, for re-fusing under any weights; False when the row needs a real search
    (a lookup, a document filter) or the signals are not cached."""
    import numpy as np

    from policykb.kb.config import FusionWeights
    from policykb.kb.retrieval.fusion import fuse
    from policykb.kb.retrieval.lookup import parse_lookup

    if item.fast is not None:
        return item.fast
    inputs = replay.fusion_inputs(item.asked)
    if inputs is None or item.doc or parse_lookup(item.asked) is not None:
        item.fast = False
        return False
    signals, langs, order, coverage, query_lang = inputs
    # The fused score is linear in the weights: one call of the retriever's own fuse() per signal, with that
    # signal's weight 1 and the others 0 (and full coverage, so nothing is shifted), gives its normalised column.
    columns = []
    for signal in _SIGNALS:
        unit = FusionWeights(**{s: (1.0 if s == signal else 0.0) for s in _SIGNALS})
        columns.append(fuse(signals, langs, query_lang, {"same": unit, "cross": unit}, 1.0))
    ids = sorted(set().union(*columns) & set(langs), key=order)
    matrix = np.array([[col.get(cid, 0.0) for col in columns] for cid in ids], dtype=np.float64).reshape(len(ids), 4)
    same = np.array([langs.get(cid, query_lang) == query_lang for cid in ids], dtype=bool)
    item.fast = (ids, matrix, same, coverage)
    return item.fast


def _effective(w: Any, coverage: float) -> Any:
    import numpy as np

    coverage = min(max(coverage, 0.0), 1.0)
    shifted = w.bridge * (1.0 - coverage)
    dense = w.dense_clause + w.dense_sentence
    return np.array([
        w.dense_clause + (shifted * w.dense_clause / dense if dense else 0.0),
        w.dense_sentence + (shifted * w.dense_sentence / dense if dense else 0.0),
        w.lexical, w.bridge * coverage,
    ])


def _ranked(replay: Any, item: Prepared, retrieval: "RetrievalConfig", k: int, fast: bool) -> tuple[str, ...]:
    """The top-k clause ids of the row under ``retrieval`` (re-fused in memory when ``fast``)."""
    import numpy as np

    if retrieval in item.ranked:
        return item.ranked[retrieval]
    inputs = _fast_inputs(replay, item) if fast else None
    if inputs:
        ids, matrix, same, coverage = inputs
        scores = np.where(same, matrix @ _effective(retrieval.same_language, coverage),
                          matrix @ _effective(retrieval.cross_language, coverage))
        order = sorted(range(len(ids)), key=lambda i: -scores[i])[:k]  # stable: ties keep document order
        ranked = tuple(ids[i] for i in order)
    else:
        hits, _kind = replay.search(item.asked, retrieval, k, doc=item.doc)
        ranked = tuple(h.clause.id for h in hits)
    item.ranked[retrieval] = ranked
    return ranked


def warm(replay: Any, items: Sequence[Prepared], base: "TuningConfig") -> bool:
    """Retrieve every question once (embedding, lexical index); True when the grid may re-fuse in memory."""
    for item in items:
        _judge(replay, item, base.retrieval, base)
    return fast_ranking_agrees(replay, items, base.retrieval, base.answer.k)


def fast_ranking_agrees(replay: Any, items: Sequence[Prepared], retrieval: "RetrievalConfig", k: int) -> bool:
    """True when the in-memory re-fusion ranks as the retriever does (top 3 of at least 95% of the rows)."""
    checked = agree = 0
    for item in items:
        if not _fast_inputs(replay, item):
            continue
        hits, _kind = replay.search(item.asked, retrieval, k, doc=item.doc)
        real = tuple(h.clause.id for h in hits)[:3]
        mine = _ranked(replay, item, retrieval, k, True)[:3]
        item.ranked.pop(retrieval, None)
        checked += 1
        agree += real == mine
    return checked == 0 or agree >= 0.95 * checked


# -- grids ------------------------------------------------------------------------------
def _weight_grid(base: "RetrievalConfig") -> list["RetrievalConfig"]:
    from policykb.kb.config import FusionWeights

    points = [base]
    for side in ("same_language", "cross_language"):
        for bridge in _BRIDGES:
            for lexical in _LEXICALS:
                dense = round(1.0 - bridge - lexical, 4)
                if dense < 0.1:
                    continue
                for share in _SENTENCE_SHARES:
                    w = FusionWeights(round(dense * (1 - share), 4), round(dense * share, 4), lexical, bridge)
                    points.append(replace(base, same_language=w) if side == "same_language" else replace(base, cross_language=w))
    return points


def _retrieval_score(row: GoldRow, ranked: Sequence[str]) -> float:
    gold = set(row.gold)
    for rank, cid in enumerate(ranked, start=1):
        if cid in gold:
            return (1.0 if rank == 1 else 0.0) + 0.5 / rank
    return 0.0


# -- fitting ----------------------------------------------------------------------------
def _fit(replay: Any, items: Sequence[Prepared], base: "TuningConfig", weight_points: list["RetrievalConfig"],
         fast: bool = True) -> "TuningConfig":
    """The tuning fitted on ``items``: weights first, then the thresholds under those weights."""
    answerable = [it for it in items if it.row.answerable]
    default = base.retrieval

    def score(point: "RetrievalConfig") -> float:
        return sum(_retrieval_score(it.row, _ranked(replay, it, point, base.answer.k, fast)) for it in answerable)

    chosen = default
    sides = ("same_language", "cross_language") if fast else ()  # without in-memory re-fusion a weight grid is too slow
    for side in sides:  # coordinate-wise: the other side keeps its chosen weights
        current = score(chosen)
        options = dict.fromkeys(getattr(p, side) for p in weight_points if getattr(p, side) != getattr(chosen, side))
        scored = [(score(replace(chosen, **{side: w})), w) for w in options]
        if scored:
            best_score, best = max(scored, key=lambda sw: sw[0])
            if best_score >= current + 1.0:  # at least one more gold clause first (or a clearly better MRR)
                chosen = replace(chosen, **{side: best})
    tuned = replace(base, retrieval=chosen)
    judged = [(it.row, _judge(replay, it, chosen, tuned)) for it in items]
    return _fit_thresholds(judged, tuned)


def _fit_thresholds(judged: Sequence[tuple[GoldRow, _Judged]], tuned: "TuningConfig") -> "TuningConfig":
    """Coordinate descent over the language pairs' cut-offs, then the confidence margins (lowest total cost wins;
    a tie keeps the current value)."""
    from policykb.kb.config import PairThresholds

    def total(t: "TuningConfig") -> float:
        return sum(_cost(row, *_verdict(j, t)) for row, j in judged)

    pairs_seen = {ev.pair for _row, j in judged for ev in j.evidence}
    current, best = tuned, total(tuned)
    for _round in range(2):
        for pair in sorted(pairs_seen & set(current.abstain.pairs)):
            start = current.abstain.pairs[pair]
            winner = None
            for sure in _SURE_SHIFTS:
                for floor in _FLOOR_RAISES:
                    for support in _SUPPORT_SHIFTS:
                        cand = PairThresholds(sure=_clip(start.sure + sure), floor=_clip(start.floor + floor),
                                              min_support=_clip(start.min_support + support))
                        if cand.floor > cand.sure or cand == start:
                            continue
                        trial = replace(current, abstain=replace(current.abstain, pairs={**current.abstain.pairs, pair: cand}))
                        cost = total(trial)
                        if cost < best - 1e-9:
                            best, winner = cost, trial
            if winner is not None:
                current = winner
        for margin, other, weak, scatter, anchor in itertools.product(_MARGINS, _OTHER_DOC_MARGINS, _WEAK_SUPPORTS, _SCATTERS,
                                                                      _ANCHORS):
            confidence = replace(current.confidence, margin=margin, other_doc_margin=max(margin, other), weak_support=weak,
                                 scatter_abstain=scatter, min_anchor=anchor)
            if confidence == current.confidence:
                continue
            trial = replace(current, confidence=confidence)
            cost = total(trial)
            if cost < best - 1e-9:
                best, current = cost, trial
    return current


def _clip(value: float) -> float:
    return min(1.0, max(0.0, round(value, 4)))


def _measure(replay: Any, items: Sequence[Prepared], tunings: Sequence["TuningConfig"]) -> dict[str, Any]:
    """Figures of each row under its own tuning (``tunings[i]`` for ``items[i]``)."""
    answerable = [(it, t) for it, t in zip(items, tunings) if it.row.answerable]
    offtopic = [(it, t) for it, t in zip(items, tunings) if not it.row.answerable]
    outcomes = []
    r1 = r3 = 0
    for it, t in zip(items, tunings):
        judged = _judge(replay, it, t.retrieval, t)
        kind, cited = _verdict(judged, t)
        outcomes.append((it.row, kind, cited))
        if it.row.answerable:
            gold = set(it.row.gold)
            r1 += bool(gold & set(judged.ranked[:1]))
            r3 += bool(gold & set(judged.ranked[:3]))
    n_ans, n_off = len(answerable), len(offtopic)
    ans = [(r, k, c) for r, k, c in outcomes if r.answerable]
    off = [(r, k, c) for r, k, c in outcomes if not r.answerable]
    abstained = [(r, k, c) for r, k, c in outcomes if k == "abstain"]

    def ratio(num: int, den: int) -> float | None:
        return round(num / den, 4) if den else None

    return {
        "n": len(items), "answerable": n_ans, "offtopic": n_off,
        "recall@1": ratio(r1, n_ans), "recall@3": ratio(r3, n_ans),
        "citation_hit": ratio(sum(1 for r, k, c in ans if k != "abstain" and set(c) & set(r.gold)), n_ans),
        "confidently_wrong": ratio(sum(1 for r, k, c in ans if k in ("sure", "lookup") and not set(c) & set(r.gold)), n_ans),
        "wrong_answered": ratio(sum(1 for r, k, c in ans if k != "abstain" and not set(c) & set(r.gold)), n_ans),
        "unsure_rate": ratio(sum(1 for _r, k, _c in outcomes if k == "unsure"), len(outcomes)),
        "false_abstain_rate": ratio(sum(1 for _r, k, _c in ans if k == "abstain"), n_ans),
        "abstain_precision": ratio(sum(1 for r, _k, _c in abstained if not r.answerable), len(abstained)),
        "abstain_recall": ratio(sum(1 for _r, k, _c in off if k == "abstain"), n_off),
        "cost": round(sum(_cost(r, k, c) for r, k, c in outcomes), 2),
    }


def folds_of(items: Sequence[Prepared], folds: int, by_document: bool | None) -> tuple[list[list[int]], list[str], str]:
    """Row indices per fold, the fold names, and the scheme ("documents" or "k-fold")."""
    answerable = [i for i, it in enumerate(items) if it.row.answerable]
    offtopic = [i for i, it in enumerate(items) if not it.row.answerable]
    docs = sorted({row_document(items[i].row) for i in answerable})
    tagged = all(":" in items[i].row.kind for i in answerable)
    if by_document or (by_document is None and tagged and len(docs) >= 3):
        names = docs
        groups: list[list[int]] = [[i for i in answerable if row_document(items[i].row) == d] for d in docs]
        scheme = "documents"
    else:
        order = answerable[:]
        random.Random(0).shuffle(order)
        names = [f"fold {k + 1}" for k in range(folds)]
        groups = [order[k::folds] for k in range(folds)]
        scheme = "k-fold"
    spread = offtopic[:]
    random.Random(1).shuffle(spread)
    for j, i in enumerate(spread):
        groups[j % len(groups)].append(i)
    return groups, names, scheme


def cross_validate(replay: Any, items: Sequence[Prepared], base: "TuningConfig", folds: int = 5,
                   by_document: bool | None = None, progress: Progress | None = None, fast: bool = True) -> dict[str, Any]:
    """Before/after figures, each row measured under the tuning fitted on the other folds; per fold too."""
    groups, names, scheme = folds_of(items, folds, by_document)
    weight_points = _weight_grid(base.retrieval)
    after: list["TuningConfig"] = [base] * len(items)
    per_fold: list[dict[str, Any]] = []
    for f, (group, name) in enumerate(zip(groups, names)):
        held = set(group)
        train = [it for i, it in enumerate(items) if i not in held]
        tuned = _fit(replay, train, base, weight_points, fast)
        for i in group:
            after[i] = tuned
        test = [items[i] for i in group]
        per_fold.append({"fold": name, "before": _measure(replay, test, [base] * len(test)),
                         "after": _measure(replay, test, [tuned] * len(test))})
        if progress is not None:
            progress(f"cross-validation: {name}", (f + 1) / len(groups))
    return {
        "scheme": scheme, "folds": len(groups),
        "before": _measure(replay, items, [base] * len(items)),
        "after": _measure(replay, items, after),
        "per_fold": per_fold,
    }


def _sources(base: "TuningConfig", tuned: "TuningConfig", label: str) -> dict[str, str]:
    """Where each fitted value came from: the fitted sections carry the calibration's label."""
    sources = dict(base.sources)
    for key in ("retrieval.same_language", "retrieval.cross_language", "abstain.pairs", "confidence.margin",
                "confidence.other_doc_margin", "confidence.weak_support", "confidence.scatter_abstain"):
        sources[key] = label
    return sources


def calibrate(kb: Any, rows: Sequence[GoldRow], *, gold_name: str = "gold", folds: int = 5, by_document: bool | None = None,
              write: bool = True, progress: Progress | None = None) -> dict[str, Any]:
    """Fit the KB's tuning to ``rows``, cross-validate it, and (``write``) store it as ``<kb>/tuning.json``.

    Returns:
        ``{"gold", "rows", "answerable", "offtopic", "scheme", "folds", "before", "after", "per_fold",
        "tuning", "written", "seconds"}``; ``before``/``after`` hold recall@1, recall@3, citation_hit,
        confidently_wrong, wrong_answered, unsure_rate, false_abstain_rate, abstain_precision, abstain_recall.

    Raises:
        CalibrationError: too few answerable (< 30) or off-topic (< 5) rows, or gold ids the KB lacks.
    """
    from policykb.kb.config import save_tuning

    started = time.perf_counter()
    answerable = sum(1 for r in rows if r.answerable)
    offtopic = len(rows) - answerable
    if answerable < MIN_ANSWERABLE or offtopic < MIN_OFFTOPIC:
        raise CalibrationError(
            f"the gold set {gold_name!r} has {answerable} answerable and {offtopic} off-topic row(s); calibration needs at least "
            f"{MIN_ANSWERABLE} answerable and {MIN_OFFTOPIC} off-topic rows: add rows, or keep the current tuning"
        )
    if not isinstance(folds, int) or folds < 2:
        raise CalibrationError(f"folds {folds!r} must be a whole number of at least 2")
    _require_gold(kb, rows)
    base = kb.tuning
    replay, items = prepare_rows(kb, rows, progress)
    fast = warm(replay, items, base)
    cv = cross_validate(replay, items, base, folds, by_document, progress, fast)
    tuned = _fit(replay, items, base, _weight_grid(base.retrieval), fast)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    label = (f"policykb calibrate on {gold_name} ({len(rows)} rows: {answerable} answerable, {offtopic} off-topic), "
             f"{stamp}; grid search, {cv['scheme']} cross-validated")
    tuned = replace(tuned, sources=_sources(base, tuned, label))
    result: dict[str, Any] = {
        "weights_fitted": fast,
        "gold": gold_name, "rows": len(rows), "answerable": answerable, "offtopic": offtopic,
        **cv, "tuning": tuned.values(), "sources": tuned.sources, "written": "",
    }
    if write:
        summary = {k: result[k] for k in ("gold", "rows", "answerable", "offtopic", "scheme", "folds", "before", "after")}
        result["written"] = str(save_tuning(kb.kb_dir, tuned, summary))
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _require_gold(kb: Any, rows: Iterable[GoldRow]) -> None:
    missing: list[str] = []
    for row in rows:
        for cid in row.gold:
            try:
                kb.clause(cid)
            except NotFoundError:
                missing.append(cid)
    if missing:
        shown = ", ".join(repr(c) for c in missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise CalibrationError(f"the KB has no clause {shown}; ingest the documents the gold set was written for, or point --kb at that KB")


_FIGURES = ("recall@1", "recall@3", "citation_hit", "confidently_wrong", "unsure_rate", "false_abstain_rate",
            "abstain_precision", "abstain_recall")


def summary_text(result: dict[str, Any]) -> str:
    """Plain lines for a terminal or the app: cross-validated before/after figures and where the tuning went."""
    def fmt(v: Any) -> str:
        return "—" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    lines = [f"{result['rows']} rows ({result['answerable']} answerable, {result['offtopic']} off-topic); "
             f"cross-validated over {result['folds']} {'documents' if result['scheme'] == 'documents' else 'folds'}"]
    width = max(len(k) for k in _FIGURES)
    lines.append(f"{'':<{width}}  {'before':>7}  {'after':>7}")
    for key in _FIGURES:
        lines.append(f"{key:<{width}}  {fmt(result['before'].get(key)):>7}  {fmt(result['after'].get(key)):>7}")
    if not result.get("weights_fitted", True):
        lines.append("fusion weights kept: re-fusing in memory does not rank as this retriever does")
    lines.append(f"tuning written to {result['written']}" if result.get("written") else "tuning not written (--dry-run)")
    return "\n".join(lines)
