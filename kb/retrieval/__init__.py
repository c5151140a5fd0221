"""policykb.kb.retrieval: ranking clauses for a query — signals, the cross-lingual bridge, fusion and direct lookups.

May import ``kb.index`` (and ``ingest``, ``kb.model``, ``kb.config``); never ``kb.answer``.
"""
