"""Vectors live in one Chroma collection per kind and clause language; a KB stored in the earlier
single-collection layout is moved over when opened, and answers as before."""
from __future__ import annotations

from pathlib import Path

from kb_helpers import settings_for
from policykb.kb import KnowledgeBase


def _collections(kb_dir: Path) -> dict[str, int]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(kb_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    try:
        return {c.name: c.count() for c in client.list_collections()}
    finally:
        client.close()


def _to_single_collection_layout(kb_dir: Path, kb_id: str) -> None:
    """Rewrite the KB's vectors as the earlier layout stored them: ``pkb-ID-clauses`` and ``pkb-ID-sentences``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(kb_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    try:
        for kind in ("clauses", "sentences"):
            old = client.create_collection(f"pkb-{kb_id}-{kind}", metadata={"hnsw:space": "cosine"}, embedding_function=None)
            for col in client.list_collections():
                if col.name.startswith(f"pkb-{kb_id}-{kind}-"):
                    got = col.get(include=["embeddings", "metadatas"])
                    old.add(ids=got["ids"], embeddings=got["embeddings"], metadatas=got["metadatas"])
                    client.delete_collection(col.name)
    finally:
        client.close()


def test_collections_are_per_language(kb_copy: Path) -> None:
    kb = KnowledgeBase(settings_for(kb_copy))
    kb_id, rows = kb.manifest.kb_id, kb.manifest.clause_rows()
    kb.close()
    assert _collections(kb_copy) == {
        f"pkb-{kb_id}-clauses-en": 31, f"pkb-{kb_id}-sentences-en": sum(r.n_sentences for r in rows),
    }


def test_a_single_collection_kb_moves_to_per_language_collections(kb_copy: Path) -> None:
    kb = KnowledgeBase(settings_for(kb_copy))
    kb_id = kb.manifest.kb_id
    before = [h.clause.id for h in kb.search("储蓄国债下乡", 3).hits]
    kb.close()
    expected = _collections(kb_copy)
    _to_single_collection_layout(kb_copy, kb_id)
    assert set(_collections(kb_copy)) == {f"pkb-{kb_id}-clauses", f"pkb-{kb_id}-sentences"}

    kb = KnowledgeBase(settings_for(kb_copy))
    try:
        assert [h.clause.id for h in kb.search("储蓄国债下乡", 3).hits] == before
        assert len(before) == 3
        assert kb.check().ok
    finally:
        kb.close()
    assert _collections(kb_copy) == expected
