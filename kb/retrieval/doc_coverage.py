"""A document prior from how much of the question each document's vocabulary covers, in either language.

Choosing between documents is its own step when they are written in different languages: a
question's dense similarity is highest with text of its own language, so an English question
about a Chinese rule drifts to an English document. Vocabulary coverage compares documents on
one scale whatever their language: each content word of the question counts as covered by a
document when the document holds the word itself or one of its renderings (curated glossary,
dictionary senses, Chinese synonyms through an English sense), at the rendering's weight.
Words every document covers say nothing about which one is meant; a word weighs by the share
of documents that do NOT cover it. A document's coverage is its weighted share of the question's
words, and its prior the gap to the best-covered document (0 for the best, negative below it).
"""
from __future__ import annotations

from typing import Mapping

from policykb.kb.index.lexical import LexicalIndex

__all__ = ["CoveragePrior"]


class CoveragePrior:
    """Which documents hold which tokens, ready to score questions' renderings."""

    def __init__(self, lexical: LexicalIndex, doc_of: Mapping[str, str]) -> None:
        self._lexical = lexical
        self._doc_of = dict(doc_of)
        self._docs = sorted(set(self._doc_of.values()))
        self._cache: dict[str, frozenset[str]] = {}

    def __bool__(self) -> bool:
        return len(self._docs) > 1

    def _docs_with(self, token: str) -> frozenset[str]:
        found = self._cache.get(token)
        if found is None:
            found = frozenset(self._doc_of[cid] for cid in self._lexical.holders(token) if cid in self._doc_of)
            if len(self._cache) < 50_000:
                self._cache[token] = found
        return found

    def coverage(self, renderings: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
        """Document → weighted share of the question's words it covers; ``renderings`` maps each
        content word to its weighted lexical tokens (the word itself at 1.0 among them)."""
        n = len(self._docs)
        totals = dict.fromkeys(self._docs, 0.0)
        mass = 0.0
        for tokens in renderings.values():
            per_doc = dict.fromkeys(self._docs, 0.0)
            for token, weight in tokens.items():
                w = min(max(weight, 0.0), 1.0)
                for doc in self._docs_with(token):
                    per_doc[doc] = max(per_doc[doc], w)
            covered = sum(per_doc.values())
            if covered <= 0:
                continue  # a word no document holds cannot tell documents apart
            weight = (n - covered) / n
            mass += weight
            for doc, c in per_doc.items():
                totals[doc] += weight * c
        return {doc: v / mass for doc, v in totals.items()} if mass > 0 else {}

    def scores(self, renderings: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
        """Document → coverage minus the best document's coverage (≤ 0); {} when nothing tells them apart."""
        if not self:
            return {}
        cov = self.coverage(renderings)
        if not cov:
            return {}
        best = max(cov.values())
        return {doc: v - best for doc, v in cov.items()}
