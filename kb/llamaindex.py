"""llama-index interfaces to a knowledge base: a retriever of clause nodes and a query engine of cited answers.

Importing this module imports ``llama_index.core``; nothing on the CLI's path imports it. Use::

    from policykb.kb import KnowledgeBase
    from policykb.kb.llamaindex import PolicyKBRetriever, PolicyKBQueryEngine

Each node is one clause: ``id_`` is the clause id (``"{doc_id}:{number}"``), the text is the whole
clause, and the metadata carry its label, number, document, section and a verbatim quote.
"""
from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any, Mapping

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from policykb.errors import PolicyKBError
from policykb.ingest.lang import detect_lang
from policykb.ingest.model import Clause
from policykb.kinds import ANSWER_MODES, SEARCH_MODES, AnswerMode, SearchMode
from policykb.kb.answer.evidence import QueryTerms, query_terms
from policykb.kb.answer.extractive import pick_sentences
from policykb.kb.answer.naming import doc_names
from policykb.kb.knowledge_base import KnowledgeBase
from policykb.kb.model import Answer, Citation, Hit

__all__ = ["PolicyKBRetriever", "PolicyKBQueryEngine", "answer_response", "best_quote", "clause_node"]

# What an LLM reading a node sees besides the clause text: which clause of which document it is.
_LLM_HIDDEN = ["clause_id", "number", "doc_id", "section", "lang", "quote"]


def clause_node(clause: Clause, quote: str, doc_title: str) -> TextNode:
    """One clause as a llama-index node whose id is the clause id; ``quote`` must be a verbatim span of its text."""
    metadata: dict[str, Any] = {
        "clause_id": clause.id, "label": clause.label, "number": clause.number, "doc_id": clause.doc_id,
        "doc_title": doc_title, "section": clause.section, "section_title": clause.section_title,
        "lang": clause.lang, "quote": quote,
    }
    return TextNode(
        id_=clause.id, text=clause.text, metadata=metadata,
        excluded_embed_metadata_keys=list(metadata), excluded_llm_metadata_keys=list(_LLM_HIDDEN),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=clause.doc_id)},
    )


def best_quote(hit: Hit, terms: QueryTerms) -> str:
    """The hit's best-answering sentence, verbatim from the clause: the quote an extractive answer would cite.

    Chosen by sentence cosine plus the query's (glossary-bridged) terms; a heading sentence is
    joined by the sentence after it, since a heading alone rarely answers.
    """
    return pick_sentences(hit, terms, max_sentences=1).quote


class PolicyKBRetriever(BaseRetriever):
    """The KB's hybrid clause search as a llama-index retriever: one node per clause, scored by the fused score.

    Args:
        kb: the knowledge base to search (shared; the retriever holds no copy of it).
        k: how many clauses to return (a "which clauses mention X" lookup returns every such clause).
        doc, section, lang: keep only clauses of this document id, section number or language.
        mode: "fused" (default), "dense" or "lexical".
    """

    def __init__(self, kb: KnowledgeBase, *, k: int = 5, doc: str | None = None, section: str | None = None,
                 lang: str | None = None, mode: SearchMode = "fused", callback_manager: CallbackManager | None = None,
                 verbose: bool = False) -> None:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise PolicyKBError(f"k={k!r} is not a positive whole number; give k=5 or another count of clauses")
        if mode not in SEARCH_MODES:
            raise PolicyKBError(f"search mode {mode!r} is not one of {', '.join(SEARCH_MODES)}")
        self.kb = kb
        self.k = k
        self.doc = doc
        self.section = section
        self.lang = lang
        self.mode = mode
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {}  # no prompts: retrieval runs no LLM

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        result = self.kb.search(query_bundle.query_str, self.k, doc=self.doc, section=self.section,
                                lang=self.lang, mode=self.mode)
        documents = self.kb.documents()
        titles = {doc_id: name.title for doc_id, name in doc_names(documents).items()}
        terms = query_terms(result.query, detect_lang(result.query), self.kb.glossary(), {d.lang for d in documents})
        nodes = []
        for hit in result.hits:
            title = titles.get(hit.clause.doc_id, hit.clause.doc_id)
            nodes.append(NodeWithScore(node=clause_node(hit.clause, best_quote(hit, terms), title), score=hit.score))
        return nodes


class PolicyKBQueryEngine(BaseQueryEngine):
    """The KB's cited answers as a llama-index query engine.

    ``query()`` returns a :class:`Response` whose text is the answer, whose ``source_nodes`` are the
    cited clauses in citation order (each node's ``quote`` metadata is the citation's verbatim quote;
    the KB does not score citations, so ``score`` is None), and whose metadata hold ``abstained``,
    ``reason``, ``mode``, ``citations`` (as dicts), ``related``, ``lang``, ``resolved_question`` and
    ``latency_ms``. An abstention has no source nodes unless it lists candidate clauses as citations.

    Args:
        kb: the knowledge base to ask.
        mode: None (extractive unless an LLM endpoint is configured), "extractive" or "llm".
    """

    def __init__(self, kb: KnowledgeBase, *, mode: AnswerMode | None = None,
                 callback_manager: CallbackManager | None = None) -> None:
        if mode is not None and mode not in ANSWER_MODES:
            raise PolicyKBError(f"answer mode {mode!r} is not one of {', '.join(ANSWER_MODES)}")
        self.kb = kb
        self.mode = mode
        super().__init__(callback_manager=callback_manager)

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {}  # the LLM prompt (kb/answer/llm.py) is policykb's own and checked, not a llama-index template

    def _query(self, query_bundle: QueryBundle) -> Response:
        answer = self.kb.ask(query_bundle.query_str, mode=self.mode)
        return answer_response(answer, self.kb)

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return await asyncio.to_thread(self._query, query_bundle)


def answer_response(answer: Answer, kb: KnowledgeBase) -> Response:
    """A policykb :class:`Answer` as a llama-index :class:`Response` (see :class:`PolicyKBQueryEngine`)."""
    clauses = _cited_clauses(kb, answer.citations)
    nodes = [NodeWithScore(node=clause_node(clauses[c.id], c.quote, c.doc_title), score=None) for c in answer.citations]
    metadata = {
        "abstained": answer.abstained, "reason": answer.reason, "mode": answer.mode,
        "citations": [asdict(c) for c in answer.citations], "related": [asdict(c) for c in answer.related],
        "lang": answer.lang, "resolved_question": answer.resolved_question, "latency_ms": answer.latency_ms,
    }
    return Response(response=answer.answer, source_nodes=nodes, metadata=metadata)


def _cited_clauses(kb: KnowledgeBase, citations: tuple[Citation, ...]) -> Mapping[str, Clause]:
    """The cited clauses by id; a clause removed by a writer since the answer becomes a node of its quote alone."""
    out: dict[str, Clause] = {}
    for c in citations:
        try:
            out[c.id] = kb.clause(c.id)
        except PolicyKBError:
            out[c.id] = Clause(id=c.id, doc_id=c.doc_id, section="", section_title=c.section_title, number=c.number,
                               label=c.label, title="", text=c.quote, lang=detect_lang(c.quote))
    return out
