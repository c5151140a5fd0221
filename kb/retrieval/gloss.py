"""English glosses of the Chinese clauses: the dictionary read in its own direction (docs/cross-lingual.md).

The dictionary bridge translates an English question into a few Chinese words, and must guess which
senses the asker meant ("lend" → 出借, not 发放贷款). CC-CEDICT is written the other way round: each
Chinese headword lists its English senses. So each Chinese clause also gets an English gloss, every
word replaced by the content tokens of all its senses, and an English question's own words are scored
against those glosses with BM25 (document translation beside query translation). A clause whose
words mean what the question says is found even when no single sense the query side kept names it.

The gloss index is built from the clause texts once per snapshot (a fraction of a second for a few
hundred articles), on the first English search or on warm-up.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

from policykb.ingest.lang import CJK
from policykb.ingest.model import Clause
from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.index.snapshot import lexical_text
from policykb.kb.index.tokenize import tokenize
from policykb.kb.retrieval.dictionary import Dictionary, english_tokens

__all__ = ["GlossIndex", "gloss_tokens", "either_translation"]

_CJK_START = re.compile(rf"^[{CJK}]")


def gloss_tokens(text: str, dictionary: Dictionary) -> list[str]:
    """The English gloss of a Chinese text: for each word, in order, the distinct content tokens of all its senses
    (of its parts' first senses when the dictionary lacks the word). Latin words are left to the lexical index."""
    out: list[str] = []
    for word in tokenize(text):
        if not _CJK_START.match(word):
            continue
        senses = dictionary.senses(word) or dictionary.composed_senses(word)
        out.extend(dict.fromkeys(token for sense in senses for token in sense.split()))
    return out


class GlossIndex:
    """BM25 over the English glosses of a KB's Chinese clauses."""

    def __init__(self, index: LexicalIndex) -> None:
        self._index = index

    @classmethod
    def build(cls, clauses: Iterable[Clause], dictionary: Dictionary) -> GlossIndex:
        """The gloss index of the Chinese clauses among ``clauses`` (section title and text, as the lexical index reads)."""
        chinese = [c for c in clauses if c.lang == "zh"]
        return cls(LexicalIndex.from_tokens([c.id for c in chinese], [gloss_tokens(lexical_text(c), dictionary) for c in chinese]))

    def __len__(self) -> int:
        return len(self._index)

    def scores(self, question: str, top: int | None = None) -> dict[str, float]:
        """BM25 of the Chinese clauses' glosses for an English question's content words, by clause id."""
        return self._index.scores(self.query_tokens(question), top=top)

    @staticmethod
    def query_tokens(question: str) -> Sequence[str]:
        """The question's English content tokens, stemmed as the glosses are."""
        return english_tokens(question)


def either_translation(query_side: Mapping[str, float], gloss_side: Mapping[str, float], scale: float) -> dict[str, float]:
    """Per clause, the larger of the two estimates of one thing, how well a Chinese clause matches an English question:
    the question's renderings (``query_side``) and the clause's gloss (``gloss_side``, times ``scale``).

    The larger, not the sum: both are BM25 of the same question against the same clause, and a sum would give Chinese
    clauses twice the lexical evidence the question's own words can give an English clause."""
    out = dict(query_side)
    for cid, value in gloss_side.items():
        out[cid] = max(out.get(cid, 0.0), scale * value)
    return out
