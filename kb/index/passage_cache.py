"""Embed passages once: identical texts share one vector, within an ingest and across ingests.

A one-sentence clause embeds the same text as its only sentence, and rules repeat
boilerplate sentences ("These Measures take effect on the date of issue") across
clauses and documents; both are embedded once and the vector is reused. The cache of
an embedder outlives one ingest (:func:`shared_cache`), so a later upload in the same
process that repeats recent texts does not embed them again.
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Sequence

import numpy as np

from policykb.kb.index.embed import Embedder, embed_distinct

__all__ = ["PassageCache", "shared_cache"]


class PassageCache:
    """Least-recently-used text → passage vector cache in front of an embedder."""

    def __init__(self, embedder: Embedder, capacity: int = 10_000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # guards the dict; embedding runs outside it
        self.embedded = 0  # texts actually sent to the embedder
        self.reused = 0  # texts answered from the cache or from a duplicate in the same call

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` in order; only texts not seen recently reach the embedder."""
        with self._lock:
            known = {t: self._vectors[t] for t in dict.fromkeys(texts) if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        new = [t for t in dict.fromkeys(texts) if t not in known]
        found = dict(zip(new, embed_distinct(self.embedder, new)))
        out = np.empty((len(texts), self.embedder.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = found[text] if text in found else known[text]
        with self._lock:
            self._vectors.update(found)
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)
            self.embedded += len(new)
            self.reused += len(texts) - len(new)
        return out


_SHARED: "weakref.WeakKeyDictionary[Embedder, PassageCache]" = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def shared_cache(embedder: Embedder) -> PassageCache:
    """The one passage cache of this embedder in this process (created on first use)."""
    with _SHARED_LOCK:
        cache = _SHARED.get(embedder)
        if cache is None:
            cache = _SHARED[embedder] = PassageCache(embedder)
        return cache
