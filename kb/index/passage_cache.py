"""Embed passages once: identical texts in an ingest share one vector.

A one-sentence clause embeds the same text as its only sentence, and rules repeat
boilerplate sentences ("These Measures take effect on the date of issue") across
clauses and documents; both are embedded once and the vector is reused.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

import numpy as np

from policykb.kb.index.embed import Embedder

__all__ = ["PassageCache"]


class PassageCache:
    """Least-recently-used text → passage vector cache in front of an embedder."""

    def __init__(self, embedder: Embedder, capacity: int = 10_000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.embedded = 0  # texts actually sent to the embedder
        self.reused = 0  # texts answered from the cache or from a duplicate in the same call

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` in order; only texts not seen recently reach the embedder."""
        new = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        fresh = self.embedder.embed_passages(new) if new else np.empty((0, self.embedder.dim), dtype=np.float32)
        found = dict(zip(new, fresh))
        out = np.empty((len(texts), self.embedder.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            vector = found.get(text)
            if vector is None:
                vector = self._vectors[text]
                self._vectors.move_to_end(text)
            out[i] = vector
        for text, vector in found.items():
            self._vectors[text] = vector
        while len(self._vectors) > self.capacity:
            self._vectors.popitem(last=False)
        self.embedded += len(new)
        self.reused += len(texts) - len(new)
        return out
