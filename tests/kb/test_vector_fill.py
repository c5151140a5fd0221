"""Vectors filled after the commit (what `serve` does on an empty KB): a document is found by lookups and words at once,
answers say they used lexical signals only, one snapshot never mixes published and unpublished vectors, hybrid results
follow the fill without reopening the KB, and a fill cut short leaves a KB that checks and is completed later."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from kb_helpers import EN_RULE, EN_RULE_TXT, settings_for
from policykb.kb import KnowledgeBase
from policykb.kb.index.manifest import Manifest

N = 10  # clauses of the English test rule
QUESTION = "What does Article 4 say?"
TOPIC = "green loans reported by village banks"


@pytest.fixture
def deferred(tmp_path: Path):
    """A KB holding the English test rule, committed with every vector still to come."""
    kb = KnowledgeBase(settings_for(tmp_path / "kb"))
    report = kb.ingest([EN_RULE_TXT], defer_vectors=True)
    assert (report.added, report.embedded) == (1, 0), report
    yield kb
    kb.close()


def test_a_deferred_document_answers_lookups_and_words_at_once_and_says_so(deferred: KnowledgeBase) -> None:
    assert deferred.fill_progress().embedded == 0 and deferred.fill_progress().total == N
    found = deferred.search(QUESTION)
    assert found.hits[0].clause.id == f"{EN_RULE}:4" and found.lookup == "clause"
    assert found.signals == ("lexical",) and found.lexical_only and found.missing_vectors == N
    assert found.to_json()["signals"] == ["lexical"] and found.to_json()["missing_vectors"] == N
    assert deferred.search(TOPIC).hits, "word search finds the clauses before any vector exists"
    assert deferred.search(TOPIC, mode="dense").hits == ()  # no vectors: the dense signal is not used at all
    answer = deferred.ask(QUESTION)
    assert not answer.abstained and answer.citations[0].id == f"{EN_RULE}:4"
    assert answer.signals == ("lexical",) and answer.missing_vectors == N
    assert list(answer.to_json()["signals"]) == ["lexical"]
    check = deferred.check()
    assert check.ok and check.pending == N and check.stores["lexical"] == N, check


def test_the_fill_brings_hybrid_results_to_the_same_open_kb(deferred: KnowledgeBase) -> None:
    before = deferred.search(TOPIC)
    assert before.signals == ("lexical",)
    deferred.start_fill()
    assert deferred.wait_for_fill(timeout=600)
    progress = deferred.fill_progress()
    assert (progress.embedded, progress.total, progress.running, progress.error) == (N, N, False, "")
    after = deferred.search(TOPIC)
    assert after.signals == ("lexical", "dense") and after.missing_vectors == 0
    assert any(h.signals.get("dense_clause", 0) > 0 for h in after.hits)
    answer = deferred.ask(QUESTION)
    assert answer.signals == ("lexical", "dense") and answer.missing_vectors == 0
    check = deferred.check()
    assert check.ok and check.pending == 0, check
    assert check.stores["manifest"] == check.stores["clause_vectors"] == check.stores["lexical"] == N


def test_vectors_stored_but_not_published_stay_out_of_a_snapshot(deferred: KnowledgeBase) -> None:
    """The fill stores a batch, then publishes: in between, readers keep the last published snapshot's signals."""
    rows = deferred.manifest.pending_rows()
    with deferred._writing():  # what the fill does for a batch, short of publishing it
        deferred._indexer().embed_rows(rows[:4])
    generation = deferred.manifest.generation()
    lexical = deferred._snapshot().lexical
    content = deferred.manifest.content_generation()
    found = deferred.search(TOPIC, mode="dense")
    assert found.hits == () and found.missing_vectors == N
    assert deferred.manifest.generation() == generation
    filled = deferred.fill_vectors()
    assert filled == N - 4, "vectors stored before are published, not embedded again"
    assert deferred.search(TOPIC, mode="dense").hits and deferred.manifest.generation() > generation
    assert deferred._snapshot().lexical is lexical, "publishing vectors keeps the open snapshot's clauses and lexical index"
    assert deferred.manifest.content_generation() == content, "the documents did not change (the app's table stays put)"


def test_a_fill_cut_short_leaves_a_kb_that_checks_and_the_next_ingest_completes(deferred: KnowledgeBase, tmp_path: Path) -> None:
    stop = threading.Event()
    stored: list[int] = []

    def stop_after_first_batch(n: int) -> None:
        stored.append(n)
        if n > 0:
            stop.set()

    deferred.fill_vectors(stop=stop, on_stored=stop_after_first_batch, batch=4)  # one batch, published when it stops
    embedded, total = deferred.manifest.vector_counts()
    assert 0 < embedded < total == N
    deferred.close()

    reopened = KnowledgeBase(settings_for(tmp_path / "kb"))  # as after a kill: a fresh process reads the KB
    try:
        check = reopened.check()
        assert check.ok and check.pending == N - embedded, check
        report = reopened.ingest([EN_RULE_TXT])  # the same file again, without deferring: its vectors are completed
        assert report.documents[0].status == "unchanged" and report.embedded == N - embedded, report
        check = reopened.check()
        assert check.ok and check.pending == 0 and check.stores["clause_vectors"] == N, check
    finally:
        reopened.close()


def test_check_repair_completes_pending_vectors(deferred: KnowledgeBase) -> None:
    repaired = deferred.check(repair=True)
    assert repaired.ok and repaired.pending == 0, repaired
    assert any("embedded 10 clauses" in r for r in repaired.repaired), repaired.repaired
    assert deferred.search(TOPIC).signals == ("lexical", "dense")


def test_a_manifest_from_before_deferred_vectors_gains_the_column_with_every_clause_embedded(tmp_path: Path) -> None:
    kb_dir = tmp_path / "old"
    kb_dir.mkdir()
    with sqlite3.connect(kb_dir / "manifest.sqlite") as db:  # the schema as it was, with one committed clause
        db.executescript("""
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE documents (doc_id TEXT PRIMARY KEY, source_path TEXT NOT NULL, sha256 TEXT NOT NULL,
                                    parser_version TEXT NOT NULL, info TEXT NOT NULL);
            CREATE TABLE clauses (id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id), ord INTEGER NOT NULL,
                                  sha256 TEXT NOT NULL, vec_id TEXT NOT NULL, n_sentences INTEGER NOT NULL, data TEXT NOT NULL);
            INSERT INTO clauses VALUES ('d:1', 'd', 0, 'abc', 'd:1@v2.abc', 1,
                '{"id": "d:1", "doc_id": "d", "section": "1", "section_title": "", "number": "1", "label": "(1)", "title": "", "text": "Banks report.", "lang": "en", "sha256": "abc"}');
        """)
    manifest = Manifest(kb_dir)
    try:
        assert [r.embedded for r in manifest.clause_rows()] == [True]
        assert manifest.vector_counts() == (1, 1) and manifest.pending_rows() == []
    finally:
        manifest.close()
