"""policykb.kb.index: what is stored — embedders, Chroma vectors, the jieba/BM25 lexical index, the manifest, snapshots, crash-safe ingest and integrity.

May import ``policykb.ingest``, ``policykb.kb.model`` / ``policykb.kb.config`` and ``policykb.settings``; never ``kb.retrieval`` or ``kb.answer``.
"""
