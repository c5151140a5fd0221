"""Language-aware fusion of dense and lexical signals into one clause score.

Each signal is normalised per query (dense: min–max over the candidates, lexical:
divided by its best score), then weighted by the pair (query language, clause
language). For a Chinese question over English clauses the plain lexical signal
carries almost nothing (DESIGN.md §5), so the glossary-bridged lexical signal
takes its place; for same-language pairs the plain lexical signal does the work.
For a same-language pair the "bridge" signal holds the glossary's synonyms of the query's terms
(a round trip through the other language: "e-CNY" → 数字人民币 → "digital renminbi").
"""
from __future__ import annotations

from typing import Mapping

from policykb.kb.config import DEFAULT_TUNING, FusionWeights, RetrievalConfig

__all__ = ["Weights", "WEIGHTS", "SIGNALS", "weights_for", "weights_table", "fuse", "merge_dictionary", "first_places"]

SIGNALS = ("dense_clause", "dense_sentence", "lexical", "bridge")


Weights = FusionWeights

# The weights live in the tuning config (policykb.kb.config.RetrievalConfig, with how they were obtained):
# grid-searched on the Opinions and the Chinese test rule; a KB calibrated with `policykb calibrate` has its own.
SAME_LANGUAGE = DEFAULT_TUNING.retrieval.same_language
CROSS_LANGUAGE = DEFAULT_TUNING.retrieval.cross_language
DICTIONARY_SCALE = DEFAULT_TUNING.retrieval.dictionary_scale
WEIGHTS: dict[str, Weights] = {"same": SAME_LANGUAGE, "cross": CROSS_LANGUAGE}


def weights_table(config: RetrievalConfig) -> dict[str, Weights]:
    """The language weight table of a retrieval config: "same", "cross", and with ``balance_zh_en`` a "zh-en" entry
    (a Chinese question's English clauses: the cross-language weights scaled to the same-language total)."""
    table = {"same": config.same_language, "cross": config.cross_language}
    if config.balance_zh_en:
        table["zh-en"] = _scaled(config.cross_language, _total(config.same_language) / _total(config.cross_language))
    return table


def _total(w: Weights) -> float:
    return w.dense_clause + w.dense_sentence + w.lexical + w.bridge


def _scaled(w: Weights, factor: float) -> Weights:
    return Weights(w.dense_clause * factor, w.dense_sentence * factor, w.lexical * factor, w.bridge * factor)


def weights_for(query_lang: str, clause_lang: str, table: Mapping[str, Weights] | None = None) -> Weights:
    """The weights for a (question language, clause language) pair: its own entry ("zh-en") when the table has one."""
    table = WEIGHTS if table is None else table
    return table.get(f"{query_lang}-{clause_lang}") or table["same" if query_lang == clause_lang else "cross"]


def normalise(raw: Mapping[str, float], *, dense: bool, groups: Mapping[str, str] | None = None) -> dict[str, float]:
    """Per-query normalisation of one signal's scores to [0, 1].

    Lexical scores are divided by the best one. Dense cosines are min–max scaled; with
    ``groups`` (clause id → language) they are first centred on each language's mean,
    because a question's cosine with any text of its own language sits higher than with
    the other language: centring compares how far a clause stands out among its peers.
    """
    if not raw:
        return {}
    if not dense:
        hi = max(raw.values())
        return {k: v / hi if hi > 0 else 0.0 for k, v in raw.items()}
    values = dict(raw)
    by_group: dict[str, list[str]] = {}
    for cid in values:
        by_group.setdefault(groups.get(cid, "") if groups else "", []).append(cid)
    if len(by_group) > 1:
        for members in by_group.values():
            scores = [raw[c] for c in members]
            mean = sum(scores) / len(scores)
            for c in members:
                values[c] = raw[c] - mean
    lo, hi = min(values.values()), max(values.values())
    span = hi - lo
    return {k: (v - lo) / span if span > 1e-9 else 1.0 for k, v in values.items()}


def merge_dictionary(raw: Mapping[str, Mapping[str, float]], scale: float = DICTIONARY_SCALE) -> dict[str, Mapping[str, float]]:
    """The signal maps with the ``"dictionary"`` BM25 (times ``scale``) added into ``"lexical"`` (one lexical scale)."""
    merged: dict[str, Mapping[str, float]] = dict(raw)
    if raw.get("dictionary") and scale:
        lexical = dict(raw.get("lexical", {}))
        for cid, v in raw["dictionary"].items():
            lexical[cid] = lexical.get(cid, 0.0) + scale * v
        merged["lexical"] = lexical
    return merged


def fuse(
    raw: Mapping[str, Mapping[str, float]],
    clause_langs: Mapping[str, str],
    query_lang: str,
    table: Mapping[str, Weights] | None = None,
    bridge_coverage: float = 1.0,
    dictionary_scale: float = DICTIONARY_SCALE,
) -> dict[str, float]:
    """Fused score per clause id from raw signal maps (signal → clause id → score).

    A ``"dictionary"`` map (dictionary-bridged BM25) is added into ``"lexical"`` before normalising, times
    ``dictionary_scale`` (``RetrievalConfig.dictionary_scale``).

    ``bridge_coverage`` is the share of the query's content words the glossary bridged: a
    question that is mostly policy terms ("储蓄国债下乡") trusts the bridge fully, one where
    only generic words were bridged ("bank", "loan") leans on the dense signals instead.
    """
    merged = merge_dictionary(raw, dictionary_scale)
    norm = {s: normalise(merged.get(s, {}), dense=s.startswith("dense"), groups=clause_langs) for s in SIGNALS}
    candidates = set().union(*(m.keys() for m in norm.values()))
    coverage = min(max(bridge_coverage, 0.0), 1.0)
    out: dict[str, float] = {}
    for cid in candidates:
        w = weights_for(query_lang, clause_langs.get(cid, query_lang), table)
        shifted = w.bridge * (1.0 - coverage)
        dense_total = w.dense_clause + w.dense_sentence
        effective = {
            "dense_clause": w.dense_clause + (shifted * w.dense_clause / dense_total if dense_total else 0.0),
            "dense_sentence": w.dense_sentence + (shifted * w.dense_sentence / dense_total if dense_total else 0.0),
            "lexical": w.lexical,
            "bridge": w.bridge * coverage,
        }
        out[cid] = sum(effective[s] * norm[s].get(cid, 0.0) for s in SIGNALS)
    return out


def first_places(raw: Mapping[str, Mapping[str, float]], clause_langs: Mapping[str, str],
                 dictionary_scale: float = DICTIONARY_SCALE) -> dict[str, tuple[str, ...]]:
    """Clause id → the fusion's signals (the ``"dictionary"`` map merged into ``"lexical"`` as :func:`fuse` merges it)
    that score it highest among the clauses of its language (a signal with no positive score, or a tie for first,
    names no clause)."""
    merged = merge_dictionary(raw, dictionary_scale)
    out: dict[str, list[str]] = {}
    for signal in SIGNALS:
        best: dict[str, tuple[float, str | None]] = {}
        for cid, v in merged.get(signal, {}).items():
            if v <= 0:
                continue
            lang = clause_langs.get(cid, "")
            top, _ = best.get(lang, (0.0, None))
            if v > top:
                best[lang] = (v, cid)
            elif v == top:
                best[lang] = (v, None)
        for _v, first in best.values():
            if first is not None:
                out.setdefault(first, []).append(signal)
    return {cid: tuple(names) for cid, names in out.items()}
