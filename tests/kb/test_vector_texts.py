"""Search asks the vector store for ids and cosines only, and reads sentence texts by id for the hits it shows:
the same ids, cosines and texts as a query that reads every candidate's metadata."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from policykb.ingest.model import Clause
from policykb.kb.index.sentences import split_sentences
from policykb.kb.index.vectors import VectorStore

_VECTORS = np.array([[1, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0.5, 0.5, 0.5, 0]], dtype=np.float32)


def _store(tmp_path: Path) -> VectorStore:
    store = VectorStore(kb_dir=tmp_path, chroma_url=None, kb_id="t", embedder_name="test", dim=4)
    metas = [{"lang": "en", "text": "First sentence."}, {"lang": "en", "text": "Second sentence."}, {"lang": "en"},
             {"lang": "zh", "text": "第一句。"}, {"lang": "zh", "text": "第二句。"}]
    store.upsert("sentences", ["a#s0", "a#s1", "b#s0", "c#s0", "c#s1"], _VECTORS, metas)
    return store


def test_a_query_without_metadata_finds_the_same_ids_and_cosines(tmp_path: Path) -> None:
    store = _store(tmp_path)
    try:
        query = np.array([1, 0.2, 0, 0], dtype=np.float32)
        for lang in ("en", "zh"):
            full = store.query("sentences", query, 10, lang=lang)
            bare = store.query("sentences", query, 10, lang=lang, metadata=False)
            assert [(i, c) for i, c, _ in bare] == [(i, c) for i, c, _ in full]
            assert all(meta == {} for _, _, meta in bare)
            assert any(meta for _, _, meta in full)
    finally:
        store.close()


def test_texts_are_read_by_id_per_language_and_only_where_stored(tmp_path: Path) -> None:
    store = _store(tmp_path)
    try:
        texts = store.texts("sentences", {"en": ["a#s1", "b#s0", "a#s0", "a#s1"], "zh": ["c#s1"]})
        assert texts == {"a#s0": "First sentence.", "a#s1": "Second sentence.", "c#s1": "第二句。"}
        assert store.texts("sentences", {"en": ["missing#s0"]}) == {}
    finally:
        store.close()


def _sentences_of(clause: Clause) -> set[str]:
    return set(split_sentences(clause.text))


def test_hits_carry_their_own_clauses_sentences_best_first(corpus_kb) -> None:
    result = corpus_kb.search("How are savings bonds distributed in rural areas?", 5)
    assert result.hits and result.hits[0].sentences
    for hit in result.hits:
        texts = [text for text, _cos in hit.sentences]
        assert set(texts) <= _sentences_of(hit.clause)
        cosines = [cos for _text, cos in hit.sentences]
        assert cosines == sorted(cosines, reverse=True)
        assert hit.best_sentence == (texts[0] if texts else "")


def test_the_store_searches_every_collection_broadly_even_one_an_earlier_version_made(tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from policykb.kb.index.vectors import _EF_SEARCH, _ef_search

    older = chromadb.PersistentClient(path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    made = older.get_or_create_collection("pkb-t-clauses-en", metadata={"hnsw:space": "cosine", "embedder": "test", "dim": 4})
    assert _ef_search(made) < _EF_SEARCH  # Chroma's default, as an earlier version left it
    store = _store(tmp_path)  # opens it, and creates the sentence collections
    try:
        store.upsert("clauses", ["a@1"], _VECTORS[:1], [{"lang": "en"}])
        for kind, lang in (("clauses", "en"), ("sentences", "en"), ("sentences", "zh")):
            assert _ef_search(store._collection(kind, lang)) == _EF_SEARCH
    finally:
        store.close()
    reopened = chromadb.PersistentClient(path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    assert _ef_search(reopened.get_collection("pkb-t-clauses-en")) == _EF_SEARCH  # read back through another client
