"""BM25 weights of a question's words measured within their language, for a KB of several languages.

BM25's IDF counts in how many clauses of the whole KB a word occurs. In a KB of Chinese rules
and one English document, an English word occurs only in the English clauses, so its IDF over
all clauses is high even when half the English clauses hold it ("bank" in a banking text): an
English question then scores the English document's clauses far above the Chinese clauses its
words reach through the dictionary. Here each word's contribution is rescaled from the IDF over
the whole KB to the IDF over the clauses of its own language, which is how rare the word is among
the texts that could hold it. The retriever applies it to the question's own words and to their
dictionary renderings, which share the lexical signal. A KB of one language is unchanged (the two
populations are equal).
"""
from __future__ import annotations

import math
import re
from typing import Mapping, Sequence

from policykb.kb.index.lexical import LexicalIndex

__all__ = ["LanguageIdf"]

_LATIN = re.compile(r"[a-z]", re.I)


def _idf(n: int, df: int) -> float:
    """The IDF bm25s's "lucene" method bakes into its scores."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


class LanguageIdf:
    """Per-token factors turning whole-KB IDF into within-language IDF (built once per snapshot)."""

    def __init__(self, lexical: LexicalIndex, clause_langs: Mapping[str, str]) -> None:
        self._lexical = lexical
        self._n = len(lexical)
        self._per_lang: dict[str, int] = {}
        for lang in clause_langs.values():
            self._per_lang[lang] = self._per_lang.get(lang, 0) + 1
        self._memo: dict[str, float] = {}

    @property
    def active(self) -> bool:
        """Whether any factor can differ from 1 (the KB holds clauses of more than one language)."""
        return len(self._per_lang) > 1

    def factor(self, token: str) -> float:
        """Within-language IDF ÷ whole-KB IDF for a token: English tokens (Latin letters) are counted among the
        English clauses, Chinese ones among the Chinese clauses; numbers and unknown tokens keep 1."""
        if token not in self._memo:
            lang = "en" if _LATIN.search(token) else ("" if token.isascii() else "zh")
            population = self._per_lang.get(lang, 0)
            df = self._lexical.doc_freq(token)
            if not lang or df == 0 or population in (0, self._n):
                self._memo[token] = 1.0
            else:
                self._memo[token] = _idf(max(population, df), df) / _idf(self._n, df)
        return self._memo[token]

    def weights(self, tokens: Sequence[str]) -> dict[str, float]:
        """Each distinct token with its factor (for :meth:`LexicalIndex.weighted_scores`)."""
        return {t: self.factor(t) for t in dict.fromkeys(tokens)}
