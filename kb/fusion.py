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

from dataclasses import dataclass
from typing import Mapping

__all__ = ["Weights", "WEIGHTS", "SIGNALS", "weights_for", "fuse"]

SIGNALS = ("dense_clause", "dense_sentence", "lexical", "bridge")


@dataclass(frozen=True)
class Weights:
    dense_clause: float
    dense_sentence: float
    lexical: float
    bridge: float

    def of(self, signal: str) -> float:
        return float(getattr(self, signal))


# Grid-searched on eval/gold/opinions.jsonl (single-clause questions; see eval/bench_search.py for the
# ablation). Same language: the sentence vectors carry paraphrases, BM25 and glossary synonyms break ties.
# Across languages the glossary bridge is the strongest single signal; when a question holds no glossary
# term the bridge is silent (all zeros) and the dense signals decide alone.
SAME_LANGUAGE = Weights(dense_clause=0.30, dense_sentence=0.50, lexical=0.10, bridge=0.05)
CROSS_LANGUAGE = Weights(dense_clause=0.15, dense_sentence=0.25, lexical=0.05, bridge=0.55)
WEIGHTS: dict[str, Weights] = {"same": SAME_LANGUAGE, "cross": CROSS_LANGUAGE}


def weights_for(query_lang: str, clause_lang: str, table: Mapping[str, Weights] | None = None) -> Weights:
    table = WEIGHTS if table is None else table
    return table["same" if query_lang == clause_lang else "cross"]


def normalise(raw: Mapping[str, float], *, dense: bool) -> dict[str, float]:
    """Per-query normalisation of one signal's scores to [0, 1]."""
    if not raw:
        return {}
    hi = max(raw.values())
    if dense:
        lo = min(raw.values())
        span = hi - lo
        return {k: (v - lo) / span if span > 1e-9 else 1.0 for k, v in raw.items()}
    return {k: v / hi if hi > 0 else 0.0 for k, v in raw.items()}


def fuse(
    raw: Mapping[str, Mapping[str, float]],
    clause_langs: Mapping[str, str],
    query_lang: str,
    table: Mapping[str, Weights] | None = None,
) -> dict[str, float]:
    """Fused score per clause id from raw signal maps (signal → clause id → score)."""
    norm = {s: normalise(raw.get(s, {}), dense=s.startswith("dense")) for s in SIGNALS}
    candidates = set().union(*(m.keys() for m in norm.values()))
    out: dict[str, float] = {}
    for cid in candidates:
        w = weights_for(query_lang, clause_langs.get(cid, query_lang), table)
        out[cid] = sum(w.of(s) * norm[s].get(cid, 0.0) for s in SIGNALS)
    return out
