"""How much of a question's vocabulary each candidate clause holds: a coordination factor for ranking.

BM25 sums its terms, so a clause that repeats one frequent term (a document whose every article names
存款保险基金) can outscore the one clause that holds the question's other, rarer word as well. The coverage
of a clause is the share of the question's content words it holds, each word weighed by the IDF of its
best rendering (the word itself, its glossary and dictionary renderings, at the rendering's weight:
:meth:`policykb.kb.retrieval.retriever.Retriever.word_renderings`) and found through whichever of its
renderings the clause holds. Words no clause holds say nothing and are left out.
"""
from __future__ import annotations

import math
from typing import Iterable, Mapping

from policykb.kb.index.lexical import LexicalIndex

__all__ = ["WordCoverage"]

# Holder sets kept per snapshot; a question brings a few dozen tokens, so this bounds memory, not hits.
_MAX_CACHED = 4096


class WordCoverage:
    """Clause coverage of question words over one snapshot's lexical index."""

    def __init__(self, lexical: LexicalIndex) -> None:
        self._lexical = lexical
        self._holders: dict[str, frozenset[str]] = {}

    def _held_by(self, token: str) -> frozenset[str]:
        found = self._holders.get(token)
        if found is None:
            if len(self._holders) >= _MAX_CACHED:
                self._holders.clear()
            found = self._holders[token] = frozenset(self._lexical.holders(token))
        return found

    def shares(self, renderings: Mapping[str, Mapping[str, float]], clause_ids: Iterable[str]) -> dict[str, float]:
        """Clause id → the IDF-weighted share of the question's words it holds (0–1), for ``clause_ids``;
        {} when no word of the question occurs in the KB."""
        n = len(self._lexical)
        words: list[list[tuple[frozenset[str], float]]] = []
        for rendered in renderings.values():
            found = []
            for token, weight in rendered.items():
                df = self._lexical.doc_freq(token)
                if df > 0 and weight > 0:
                    found.append((self._held_by(token), weight * _idf(n, df)))
            if found:
                words.append(found)
        total = sum(max(value for _holders, value in found) for found in words)
        if total <= 0:
            return {}
        return {cid: sum(max((value for holders, value in found if cid in holders), default=0.0) for found in words) / total
                for cid in clause_ids}


def _idf(n: int, df: int) -> float:
    """BM25's IDF as the lexical index computes it (:func:`policykb.kb.index.lexical.lucene_idf`), for one count."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
