"""policykb.kb.answer: composing cited answers from ranked clauses — extractive quotes, abstention, follow-ups, the optional LLM.

May import ``kb.retrieval`` and ``kb.index`` (and ``ingest``, ``kb.model``, ``kb.config``); reads storage only through a retriever's snapshot.
"""
