"""policykb.kb: the index (Chroma + lexical), bilingual retrieval and cited answers."""
from __future__ import annotations

from policykb.kb.knowledge_base import KnowledgeBase
from policykb.kb.model import Answer, Citation, DocumentInfo, DocumentResult, Hit, IngestReport, SearchResult, Turn

__all__ = ["KnowledgeBase", "Answer", "Citation", "DocumentInfo", "DocumentResult", "Hit", "IngestReport", "SearchResult", "Turn"]
