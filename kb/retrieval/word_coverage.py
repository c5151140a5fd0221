"""How much of a question's vocabulary each candidate clause holds: a coordination factor for ranking.

BM25 sums its terms, so a clause that repeats one frequent term (a document whose every article names its
own subject) can outscore the one clause that holds the question's other, rarer word as well. The coverage
of a clause is the share of the question's content words it holds, each word weighed by the IDF of its
best rendering (the word itself, its glossary and dictionary renderings, at the rendering's weight:
:meth:`policykb.kb.retrieval.retriever.Retriever.word_renderings`) and found through whichever of its
renderings the clause holds. Words no clause holds say nothing and are left out.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from policykb.kb.index.lexical import LexicalIndex, lucene_idf

__all__ = ["WordCoverage"]


class WordCoverage:
    """Clause coverage of question words over one snapshot's lexical index."""

    def __init__(self, lexical: LexicalIndex) -> None:
        self._lexical = lexical
        self._position = {cid: i for i, cid in enumerate(lexical.ids)}

    def shares(self, renderings: Mapping[str, Mapping[str, float]], clause_ids: Sequence[str]) -> dict[str, float]:
        """Clause id → the IDF-weighted share of the question's words it holds (0–1), for ``clause_ids`` (ids the
        index does not hold count as holding nothing); {} when no word of the question occurs in the KB."""
        import numpy as np

        n = len(self._lexical)
        positions = np.array([self._position.get(cid, -1) for cid in clause_ids], dtype=np.int64)
        total = 0.0
        got = np.zeros(len(clause_ids))
        for rendered in renderings.values():
            best_here = np.zeros(len(clause_ids))
            best = 0.0
            for token, weight in rendered.items():
                df = self._lexical.doc_freq(token)
                if df <= 0 or weight <= 0:
                    continue
                value = weight * float(lucene_idf(n, df))
                best = max(best, value)
                held = self._lexical.held_among(token, positions)
                best_here = np.maximum(best_here, np.where(held, value, 0.0))
            total += best
            got += best_here
        if total <= 0:
            return {}
        return {cid: float(share) for cid, share in zip(clause_ids, got / total)}

