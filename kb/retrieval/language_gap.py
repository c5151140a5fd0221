"""Which language's clauses a Chinese question is about, from how far its nearest texts of each language stand apart.

Fusion centres each language's dense cosines on that language's mean (fusion.py, ``normalise``), so
that clauses of the other language can compete at all: a question's cosine with any text of its own
language sits higher. Centring also throws away how far the nearest Chinese sentence stands above the
nearest English one. That gap tells which text the question is about: a Chinese question about the
English Opinions finds its nearest Chinese sentence only a little nearer than its nearest English one
(the embedding model's usual advantage for its own language), while a question about a Chinese rule
finds a Chinese sentence much nearer. Here the gap's distance from that usual advantage (the
``offset``, a property of the embedding model) becomes a penalty on the clauses of the language the
gap argues against; the other language's scores, and so the margins among them that confidence reads,
are untouched. A KB or a scope of one language is unchanged.
"""
from __future__ import annotations

from typing import Mapping

__all__ = ["language_penalty"]


def language_penalty(sentence_cosines: Mapping[str, float], clause_langs: Mapping[str, str],
                     offset: float, weight: float) -> tuple[str, float]:
    """The language whose clauses lose, and how much: ``weight`` × |(best Chinese − best English sentence cosine) −
    ``offset``|; ("", 0.0) when the candidates hold only one of the two languages or ``weight`` is 0."""
    best: dict[str, float] = {}
    for cid, cosine in sentence_cosines.items():
        lang = clause_langs.get(cid, "")
        if lang in ("zh", "en"):
            best[lang] = max(cosine, best.get(lang, cosine))
    if weight <= 0 or len(best) < 2:
        return "", 0.0
    gap = best["zh"] - best["en"] - offset
    return ("en" if gap > 0 else "zh"), weight * abs(gap)
