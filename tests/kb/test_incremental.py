"""Incremental ingest: unchanged documents embed nothing, an edited clause is re-embedded alone under the same id,
removed documents leave no clauses or vectors behind, and `--rebuild` starts over."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb_helpers import CORPUS, EN_RULE, EN_RULE_TXT, OPINIONS, OPINIONS_TXT, ZH_RULE, op, run_cli, settings_for, zj
from policykb.errors import NotFoundError
from policykb.kb import KnowledgeBase


@pytest.fixture
def open_kb():
    opened: list[KnowledgeBase] = []

    def make(kb_dir: Path) -> KnowledgeBase:
        kb = KnowledgeBase(settings_for(kb_dir))
        opened.append(kb)
        return kb

    yield make
    for kb in opened:
        kb.close()


def vector_counts(kb: KnowledgeBase) -> tuple[int, int]:
    return kb.vectors.count("clauses"), kb.vectors.count("sentences")


def expected_counts(kb: KnowledgeBase) -> tuple[int, int]:
    """What the stores must hold: one clause vector per committed clause, one per sentence."""
    rows = kb.manifest.clause_rows()
    return len(rows), sum(r.n_sentences for r in rows)


def assert_consistent(kb: KnowledgeBase) -> None:
    check = kb.check()
    assert check.ok, check.problems
    assert vector_counts(kb) == expected_counts(kb)
    ids = [c.id for c in kb.clauses()]
    assert len(ids) == len(set(ids))


# -- unchanged --------------------------------------------------------------------------------
def test_reingesting_the_unchanged_corpus_embeds_nothing(kb_copy: Path, open_kb) -> None:
    kb = open_kb(kb_copy)
    before = ([(c.id, c.sha256) for c in kb.clauses()], kb.documents(), vector_counts(kb))
    report = kb.ingest([CORPUS])
    assert (report.embedded, report.added, report.updated, report.unchanged, report.removed, report.failed) == (0, 0, 0, 1, 0, 0)
    assert [(d.doc_id, d.status, d.clauses) for d in report.documents] == [(OPINIONS, "unchanged", 31)]
    assert ([(c.id, c.sha256) for c in kb.clauses()], kb.documents(), vector_counts(kb)) == before
    assert_consistent(kb)


def test_cli_reingest_of_the_unchanged_corpus_reports_embedded_zero(kb_copy: Path) -> None:
    run = run_cli(["ingest", CORPUS, "--kb", kb_copy, "--json"])
    assert run.code == 0, run.err
    data = run.json()
    assert (data["embedded"], data["unchanged"], data["added"], data["updated"]) == (0, 1, 0, 0)
    assert data["documents"][0]["status"] == "unchanged"


def test_a_moved_corpus_folder_embeds_nothing_and_records_the_new_path(
    own_corpus_copy: tuple[Path, Path], tmp_path: Path, open_kb
) -> None:
    folder, kb_dir = own_corpus_copy
    moved = tmp_path / "moved-corpus"
    shutil.move(folder, moved)
    try:
        kb = open_kb(kb_dir)
        report = kb.ingest([moved])
    finally:
        shutil.move(moved, folder)
    assert (report.embedded, report.unchanged, report.added, report.failed) == (0, 1, 0, 0)
    [info] = kb.documents()
    assert info.source_path == str((moved / OPINIONS_TXT.name).resolve())
    assert_consistent(kb)


# -- one clause edited --------------------------------------------------------------------------
def test_editing_one_clause_reembeds_that_clause_only(own_corpus_copy: tuple[Path, Path], open_kb) -> None:
    folder, kb_dir = own_corpus_copy
    kb = open_kb(kb_dir)
    before = {c.id: c for c in kb.clauses()}
    old_vector = kb.manifest.vec_ids()[op(13)]
    assert "itinerant vendors" in before[op(13)].text
    assert op(13) in {h.clause.id for h in kb.search("itinerant vendors", 5, mode="lexical").hits}

    source = folder / OPINIONS_TXT.name
    source.write_text(source.read_text(encoding="utf-8").replace("itinerant vendors", "zeppelin mechanics"), encoding="utf-8")
    report = kb.ingest([folder])

    assert (report.embedded, report.updated, report.added, report.unchanged) == (1, 1, 0, 0)
    assert [(d.doc_id, d.status, d.clauses) for d in report.documents] == [(OPINIONS, "updated", 31)]
    after = {c.id: c for c in kb.clauses()}
    assert list(after) == list(before)  # same ids, same order
    changed = [cid for cid in after if after[cid].sha256 != before[cid].sha256]
    assert changed == [op(13)]
    assert "zeppelin mechanics" in after[op(13)].text and "itinerant vendors" not in after[op(13)].text

    assert [h.clause.id for h in kb.search("zeppelin mechanics", 3).hits][0] == op(13)
    assert [h.clause.id for h in kb.search("zeppelin mechanics", 3, mode="lexical").hits][0] == op(13)
    assert op(13) not in {h.clause.id for h in kb.search("itinerant vendors", 5, mode="lexical").hits}
    assert kb.vectors.existing("clauses", [old_vector]) == set()  # the superseded vector is gone
    assert_consistent(kb)

    again = kb.ingest([folder])
    assert (again.embedded, again.unchanged) == (0, 1)


# -- removal ----------------------------------------------------------------------------------
def test_remove_drops_the_documents_clauses_and_vectors(mixed_kb_dir: Path, tmp_path: Path, open_kb) -> None:
    kb_dir = tmp_path / "kb"
    shutil.copytree(mixed_kb_dir, kb_dir)
    kb = open_kb(kb_dir)
    opinions_only = sum(1 for r in kb.manifest.clause_rows() if r.clause.doc_id == OPINIONS)
    opinions_sentences = sum(r.n_sentences for r in kb.manifest.clause_rows() if r.clause.doc_id == OPINIONS)
    assert [h.clause.id for h in kb.search("无还本续贷", 1).hits] == [zj(10)]

    assert kb.remove(ZH_RULE) == 25

    assert [d.doc_id for d in kb.documents()] == [OPINIONS]
    assert {c.doc_id for c in kb.clauses()} == {OPINIONS}
    assert vector_counts(kb) == (opinions_only, opinions_sentences)
    assert all(h.clause.doc_id == OPINIONS for h in kb.search("无还本续贷", 10).hits)
    assert all(h.clause.doc_id == OPINIONS for h in kb.search("哪些条款提到了丽水？", 10).hits)
    with pytest.raises(NotFoundError, match=repr(ZH_RULE)):
        kb.clauses(ZH_RULE)
    with pytest.raises(NotFoundError, match=repr(ZH_RULE)):
        kb.remove(ZH_RULE)
    assert_consistent(kb)

    fresh = open_kb(kb_dir)  # another process's view: the committed state on disk
    assert [d.doc_id for d in fresh.documents()] == [OPINIONS]
    assert vector_counts(fresh) == (opinions_only, opinions_sentences)


def test_cli_remove(kb_copy: Path, open_kb) -> None:
    run = run_cli(["remove", OPINIONS, "--kb", kb_copy, "--json"])
    assert run.code == 0, run.err
    assert run.json() == {"doc_id": OPINIONS, "removed_clauses": 31}
    kb = open_kb(kb_copy)
    assert kb.documents() == [] and kb.clauses() == []
    assert vector_counts(kb) == (0, 0)
    assert kb.search("charitable trusts", 5).hits == ()
    assert_consistent(kb)

    again = run_cli(["remove", OPINIONS, "--kb", kb_copy])
    assert again.code == 1
    assert OPINIONS in again.err and "Traceback" not in again.err
    assert len(again.err.strip().splitlines()) == 1


def test_folder_ingest_reports_a_deleted_file_as_removed(own_corpus_copy: tuple[Path, Path], open_kb) -> None:
    folder, kb_dir = own_corpus_copy
    kb = open_kb(kb_dir)
    shutil.copyfile(EN_RULE_TXT, folder / EN_RULE_TXT.name)
    added = kb.ingest([folder])
    assert (added.added, added.unchanged, added.embedded) == (1, 1, 10)
    assert {c.doc_id for c in kb.clauses()} == {OPINIONS, EN_RULE}

    (folder / EN_RULE_TXT.name).unlink()
    only_file = kb.ingest([folder / OPINIONS_TXT.name])  # a file, not the folder: nothing is inferred as removed
    assert (only_file.removed, only_file.unchanged) == (0, 1)
    assert EN_RULE in {d.doc_id for d in kb.documents()}

    report = kb.ingest([folder])
    assert (report.removed, report.unchanged, report.embedded) == (1, 1, 0)
    removed = [d for d in report.documents if d.status == "removed"]
    assert [d.doc_id for d in removed] == [EN_RULE]
    assert removed[0].path.endswith(EN_RULE_TXT.name)
    assert {c.doc_id for c in kb.clauses()} == {OPINIONS}
    assert_consistent(kb)


# -- rebuild ----------------------------------------------------------------------------------
def test_cli_ingest_rebuild_starts_over(kb_copy: Path, open_kb) -> None:
    run = run_cli(["ingest", "--rebuild", EN_RULE_TXT, "--kb", kb_copy, "--json"])
    assert run.code == 0, run.err
    data = run.json()
    assert (data["added"], data["embedded"], data["failed"]) == (1, 10, 0)
    kb = open_kb(kb_copy)
    assert [d.doc_id for d in kb.documents()] == [EN_RULE]
    assert len(kb.clauses()) == 10
    assert [h.clause.number for h in kb.search("How long must loan files be kept?", 3).hits][0] == "6"
    assert_consistent(kb)


# -- another process writes while this one has the KB open ---------------------------------------
def test_an_open_kb_sees_documents_another_process_ingested_and_removed(kb_copy: Path, open_kb) -> None:
    kb = open_kb(kb_copy)
    assert [h.clause.id for h in kb.search("charitable trusts", 1).hits] == [op(13)]  # stores open, index in memory

    added = run_cli(["ingest", EN_RULE_TXT, "--kb", kb_copy, "--json"])
    assert added.code == 0, added.err
    top = kb.search("How long must loan files be kept after repayment?", 3).hits[0]
    assert top.clause.id == f"{EN_RULE}:6"
    assert top.signals["dense_clause"] > 0 and top.signals["dense_sentence"] > 0  # its vectors are found, not only its words

    removed = run_cli(["remove", EN_RULE, "--kb", kb_copy])
    assert removed.code == 0, removed.err
    after = kb.search("How long must loan files be kept after repayment?", 5)
    assert {h.clause.doc_id for h in after.hits} == {OPINIONS}
    assert_consistent(kb)
