"""`policykb check` finds each kind of crash leftover, `--repair` removes it, and damage a crash cannot cause is
reported without guessing; a long-lived reader sees what a repair in another process restored."""
from __future__ import annotations

import json
import sqlite3
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from reliability_helpers import settings_for

from benchmarks.bench_crash import POLICYKB, problem_kinds
from policykb.kb import KnowledgeBase
from policykb.kb.index.indexer import writer_lock
from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.index.snapshot import load_snapshot, save_lexical
from policykb.settings import repo_root
from tests.support.serve import cli_env

OPINIONS = "pbc-2022-60"


def check(kb_dir: Path, *extra: str) -> tuple[int, dict]:
    done = subprocess.run([str(POLICYKB), "check", "--kb", str(kb_dir), "--json", *extra], capture_output=True,
                          text=True, env=cli_env(), timeout=300)
    return done.returncode, json.loads(done.stdout)


def _leave_temp_files(kb_dir: Path) -> list[Path]:
    half = kb_dir / "lexical" / ".v-0123456789abcdef.tmp"
    half.mkdir()
    (half / "ids.json").write_text('["pbc-2022-60:1"')
    pointer = kb_dir / "lexical" / ".CURRENT.v-0123456789abcdef.tmp"
    pointer.write_text("v-0123456789abcdef\n")
    stamp = kb_dir / "lexical.json.tmp"
    stamp.write_text('{"generation": 9')
    return [half, pointer, stamp]


def _stamp_a_partial_index(kb_dir: Path) -> None:
    kb = KnowledgeBase(settings_for(kb_dir))
    try:
        snapshot = load_snapshot(kb.manifest, kb_dir)
        rows = snapshot.rows[:-3]
        partial = LexicalIndex.build([r.clause.id for r in rows], [r.clause.text for r in rows])
        save_lexical(replace(snapshot, lexical=partial), kb_dir)
    finally:
        kb.close()


def _damage_the_live_index(kb_dir: Path) -> None:
    live = (kb_dir / "lexical" / "CURRENT").read_text().strip()
    (kb_dir / "lexical" / live / "params.json").write_text("{not json")


def _stamp_other_tokenizer_settings(kb_dir: Path) -> None:
    """What an upgrade that changed the tokenizer's user dictionary leaves: an index saved with other settings."""
    params_path = kb_dir / "lexical" / (kb_dir / "lexical" / "CURRENT").read_text().strip() / "params.json"
    params = json.loads(params_path.read_text())
    params["tokenizer"]["userdict_sha256"] = "0" * 64
    params_path.write_text(json.dumps(params))


def _lexical_search(kb_dir: Path) -> str:
    kb = KnowledgeBase(settings_for(kb_dir))
    try:
        return kb.search("储蓄国债下乡", 1, mode="lexical").hits[0].clause.id
    finally:
        kb.close()


def test_a_reader_saves_the_lexical_index_it_had_to_rebuild_unless_a_writer_is_at_work(kb_copy: Path) -> None:
    _stamp_other_tokenizer_settings(kb_copy)
    assert not check(kb_copy)[1]["ok"]
    with writer_lock(kb_copy):  # another writer holds the KB: the reader rebuilds in memory, neither waits nor saves
        assert _lexical_search(kb_copy) == f"{OPINIONS}:18"
    assert not check(kb_copy)[1]["ok"]

    assert _lexical_search(kb_copy) == f"{OPINIONS}:18"
    code, found = check(kb_copy)
    assert code == 0 and found["ok"], found["problems"]
    assert found["stores"]["lexical"] == found["stores"]["manifest"] == 31


@pytest.mark.parametrize(("damage", "kind"), [
    (_leave_temp_files, "lexical temp files"),
    (_stamp_a_partial_index, "lexical index ≠ manifest"),
    (_damage_the_live_index, "unreadable lexical index"),
])
def test_check_finds_and_repair_fixes_a_damaged_lexical_index(kb_copy: Path, damage, kind: str) -> None:
    left = damage(kb_copy) or []
    code, found = check(kb_copy)
    assert code == 1 and not found["ok"]
    assert problem_kinds(found["problems"]) == [kind], found["problems"]

    code, fixed = check(kb_copy, "--repair")
    assert code == 0 and fixed["ok"], fixed
    assert "rebuilt the lexical index" in fixed["repaired"]
    assert all(not path.exists() for path in left)
    assert fixed["stores"]["lexical"] == fixed["stores"]["manifest"] == 31
    code, again = check(kb_copy)
    assert code == 0 and again["ok"] and again["duplicates"] == 0
    kb = KnowledgeBase(settings_for(kb_copy))
    try:
        assert kb.search("储蓄国债下乡", 1, mode="lexical").hits[0].clause.id == f"{OPINIONS}:18"
    finally:
        kb.close()


def test_a_half_document_in_the_manifest_is_reported_and_left_to_a_re_ingest(kb_copy: Path) -> None:
    with sqlite3.connect(kb_copy / "manifest.sqlite") as db:  # damage no single transaction of ingest can leave
        db.execute("DELETE FROM clauses WHERE id = ?", (f"{OPINIONS}:7",))
    code, fixed = check(kb_copy, "--repair")
    assert code == 1 and not fixed["ok"]
    assert problem_kinds(fixed["problems"]) == ["half a document"]
    assert "has 30 of its 31 clauses" in fixed["problems"][0] and "re-ingest" in fixed["problems"][0]

    kb = KnowledgeBase(settings_for(kb_copy))
    try:
        report = kb.ingest([repo_root() / "tests" / "fixtures" / "opinions-corpus"])
        assert (report.updated, report.failed) == (1, 0)
        assert kb.check().ok
        assert kb.clause(f"{OPINIONS}:7").number == "7"
    finally:
        kb.close()


def test_a_repair_in_another_process_reaches_a_long_lived_reader(kb_copy: Path) -> None:
    writer = KnowledgeBase(settings_for(kb_copy))
    try:
        lost = next(r for r in writer.manifest.clause_rows() if r.clause.id == f"{OPINIONS}:5")
        writer.vectors.delete("clauses", [lost.vec_id])  # a committed clause without its vectors
        writer.vectors.delete("sentences", [f"{lost.vec_id}#s{i}" for i in range(lost.n_sentences)])
    finally:
        writer.close()
    query = lost.clause.text
    reader = KnowledgeBase(settings_for(kb_copy))  # opened before the repair and kept open, as `serve` does
    try:
        assert f"{OPINIONS}:5" not in [h.clause.id for h in reader.search(query, 31, mode="dense").hits]
        code, fixed = check(kb_copy, "--repair")
        assert code == 0 and fixed["repaired"][0] == "re-embedded 1 clauses"
        assert reader.search(query, 1, mode="dense").hits[0].clause.id == f"{OPINIONS}:5"
    finally:
        reader.close()


def test_a_kb_nothing_was_ingested_into_checks(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()  # an existing folder: a missing one is refused as a mistyped --kb
    code, report = check(tmp_path / "empty")
    assert code == 0 and report["ok"], report
    assert report["stores"] == {"manifest": 0, "clause_vectors": 0, "sentence_vectors": 0, "lexical": 0}
