"""English glosses of the Chinese clauses: the dictionary read in its own direction (docs/cross-lingual.md).

The dictionary bridge translates an English question into a few Chinese words, and must guess which
senses the asker meant ("lend" → 出借, not 发放贷款). CC-CEDICT is written the other way round: each
Chinese headword lists its English senses. So each Chinese clause also gets an English gloss, every
word replaced by the content tokens of all its senses, and an English question's own words are scored
against those glosses with BM25 (document translation beside query translation). A clause whose
words mean what the question says is found even when no sense the query side kept names it.

The glosses are read off the lexical index's postings (which clauses hold each Chinese word, how often),
so no clause is tokenized again: a word's senses count as often as the word occurs. Scores
follow the lexical index's BM25 (bm25s "lucene": same k1, b and IDF), so they are on the scale of the
dictionary bridge's BM25 and can be compared with it. Built once per snapshot, on warm-up or the first
English search.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping

from policykb.ingest.lang import CJK
from policykb.kb.index.lexical import B, K1, LexicalIndex, lucene_idf, positive_scores
from policykb.kb.retrieval.dictionary import Dictionary, english_tokens

if TYPE_CHECKING:
    import numpy as np

__all__ = ["GlossIndex", "word_gloss", "either_translation"]

_CJK_START = re.compile(rf"^[{CJK}]")


def word_gloss(word: str, dictionary: Dictionary) -> tuple[str, ...]:
    """The distinct content tokens of all senses of a Chinese word (of its parts' first senses when the dictionary
    lacks it); () for a word it cannot gloss."""
    senses = dictionary.senses(word) or dictionary.composed_senses(word)
    return tuple(dict.fromkeys(token for sense in senses for token in sense.split()))


class GlossIndex:
    """BM25 over the English glosses of a KB's Chinese clauses."""

    def __init__(self, ids: tuple[str, ...], postings: Mapping[str, tuple["np.ndarray", "np.ndarray"]], clauses: int) -> None:
        self._ids = ids  # the lexical index's ids: postings hold positions in it
        self._postings = postings  # English token → (clause positions, BM25 contribution per clause)
        self._clauses = clauses

    @classmethod
    def build(cls, lexical: LexicalIndex, langs: Mapping[str, str], dictionary: Dictionary) -> GlossIndex:
        """The gloss index of the Chinese clauses (``langs``: clause id → language) of a lexical index."""
        import numpy as np

        ids = lexical.ids
        chinese = np.array([langs.get(cid) == "zh" for cid in ids], dtype=bool)
        n = int(chinese.sum())
        holders: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        for word, positions, tf in lexical.postings():
            if not _CJK_START.match(word):
                continue
            keep = chinese[positions]
            if keep.any():
                for token in word_gloss(word, dictionary):
                    holders.setdefault(token, []).append((positions[keep], tf[keep]))
        counts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        length = np.zeros(len(ids))
        for token, parts in holders.items():
            positions, where = np.unique(np.concatenate([p for p, _ in parts]), return_inverse=True)
            tf = np.bincount(where, weights=np.concatenate([t for _, t in parts]))
            counts[token] = (positions, tf)
            length[positions] += tf
        average = float(length[chinese].mean()) if n else 1.0
        postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for token, (positions, tf) in counts.items():
            idf = float(lucene_idf(n, len(positions)))
            postings[token] = (positions, (idf * tf / (tf + K1 * (1 - B + B * length[positions] / average))).astype(np.float32))
        return cls(ids, postings, n)

    def __len__(self) -> int:
        """How many Chinese clauses are glossed."""
        return self._clauses

    def holders(self, token: str) -> frozenset[str]:
        """Ids of the Chinese clauses whose gloss holds an English token (stemmed)."""
        found = self._postings.get(token)
        return frozenset(self._ids[i] for i in found[0]) if found is not None else frozenset()

    def specific_holders(self, question: str, max_share: float) -> dict[str, frozenset[str]]:
        """Each content word of an English question that the glosses of at most ``max_share`` of the Chinese clauses hold
        (a specific word, not one most articles' senses name), with those clauses' ids."""
        limit = max_share * self._clauses
        return {t: self.holders(t) for t in dict.fromkeys(english_tokens(question))
                if t in self._postings and len(self._postings[t][0]) <= limit}

    def scores(self, question: str, top: int | None = None) -> dict[str, float]:
        """BM25 of the Chinese clauses' glosses for an English question's content words (stemmed as the glosses are),
        by clause id: all positive scores, or the ``top`` best."""
        import numpy as np

        found = [self._postings[t] for t in dict.fromkeys(english_tokens(question)) if t in self._postings]
        if not found:
            return {}
        total = np.zeros(len(self._ids), dtype=np.float32)
        for positions, contributions in found:
            total[positions] += contributions
        return positive_scores(total, self._ids, top)


def either_translation(query_side: Mapping[str, float], gloss_side: Mapping[str, float], scale: float) -> dict[str, float]:
    """Per clause, the larger of the two estimates of one thing, how well a Chinese clause matches an English question:
    the question's renderings (``query_side``) and the clause's gloss (``gloss_side``, times ``scale``).

    The larger, not the sum: both are BM25 of the same question against the same clause, and a sum would give Chinese
    clauses twice the lexical evidence the question's own words can give an English clause."""
    out = dict(query_side)
    for cid, value in gloss_side.items():
        out[cid] = max(out.get(cid, 0.0), scale * value)
    return out
