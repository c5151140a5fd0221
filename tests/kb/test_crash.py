"""Crash safety: `policykb ingest` killed with SIGKILL at chosen moments of its progress leaves the KB as before or as
after each document — never duplicates, never half a document — and the next ingest (or `check --repair`) repairs it."""
from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest

from kb_helpers import (
    EN_RULE_TXT, OPINIONS, POLICYKB, ZH_RULE_TXT, copy_opinions, op, run_cli, settings_for,
)
from benchmarks.bench_crash import IngestRun
from policykb.ingest import load_document
from policykb.kb import KnowledgeBase

REPAIRABLE = ("vectors belong to no committed clause", "the lexical index is from generation", "temporary files of an interrupted save")


def expected_documents(folder: Path) -> dict[str, list[str]]:
    """doc id → its clause ids in order, parsed here from the files."""
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.txt")):
        doc = load_document(path, settings_for(folder))
        out[doc.doc_id] = [c.id for c in doc.clauses]
    return out


def assert_never_half(kb_dir: Path, expected: dict[str, list[str]], context: str) -> dict:
    """The committed state is whole: every visible document has exactly its clauses, each once; problems repairable."""
    kb = KnowledgeBase(settings_for(kb_dir))
    try:
        ids = [c.id for c in kb.clauses()]
        assert len(ids) == len(set(ids)), f"{context}: duplicate clause ids"
        docs = {d.doc_id: d for d in kb.documents()}
        assert OPINIONS in docs, f"{context}: the document committed before the crash is gone"
        assert set(docs) <= set(expected), context
        for doc_id, info in docs.items():
            got = [c.id for c in kb.clauses(doc_id)]
            assert got == expected[doc_id], f"{context}: {doc_id} is partly visible ({len(got)}/{len(expected[doc_id])})"
            assert info.clauses == len(expected[doc_id]), context
        assert len(ids) == sum(len(expected[d]) for d in docs), context
        check = kb.check()
        assert check.clauses == len(ids), context
        for problem in check.problems:
            assert any(kind in problem for kind in REPAIRABLE), f"{context}: unrepairable problem {problem!r}"
        hit = kb.search("charitable trusts", 3).hits[0]  # readers work on the committed state, repaired or not
        assert hit.clause.number == "13", context
        return {"documents": sorted(docs), "problems": list(check.problems)}
    finally:
        kb.close()


def _wait_for_bar(run: IngestRun, at: float | None) -> bool:
    """Wait until the bar is drawn (``at`` None) or has reached ``at``; True when the ingest is still running then."""
    while not (run.drawn.is_set() if at is None else run.fraction >= at):
        try:
            run.process.wait(timeout=0.02)
            return False
        except subprocess.TimeoutExpired:
            continue
    return run.process.poll() is None


@pytest.mark.slow
def test_sigkilled_ingests_leave_whole_documents_and_the_next_ingest_repairs(own_corpus_copy: tuple[Path, Path]) -> None:
    folder, kb_dir = own_corpus_copy  # the Opinions are already committed there
    copy = copy_opinions(folder, name="opinions-copy", doc_id="pbc-copy")
    with copy.open("a", encoding="utf-8") as out:  # other bytes: identical files are one document (recognised by sha256)
        out.write("\n")
    shutil.copyfile(ZH_RULE_TXT, folder / ZH_RULE_TXT.name)
    shutil.copyfile(EN_RULE_TXT, folder / EN_RULE_TXT.name)
    expected = expected_documents(folder)
    assert len(expected) == 4 and sum(map(len, expected.values())) == 31 + 31 + 25 + 10

    # Kill moments placed by the ingest's own progress bar (four files, a quarter of the bar each, in sorted order:
    # the English rule, the Opinions' copy, the committed Opinions, the Chinese rule), never by a clock:
    # at startup (the bar first drawn, nothing written), inside the copy's embedding, at the Chinese rule's start,
    # and inside its second embedding batch. Each run resumes from the vectors the killed ones stored.
    moments: list[float | None] = [None, 0.3, 0.6, 0.9]
    history = []
    for attempt, at in enumerate(moments):
        run = IngestRun([str(POLICYKB), "ingest", str(folder), "--kb", str(kb_dir), "--json"])
        running = _wait_for_bar(run, at)
        if running:
            run.process.send_signal(signal.SIGKILL)
        run.wait(timeout=120)
        where = "startup" if at is None else f"{at:.0%}"
        state = assert_never_half(kb_dir, expected, f"after kill {attempt} at {where} (bar at {run.fraction:.0%})")
        history.append((where, running, round(run.fraction, 2), state["documents"], len(state["problems"])))
        if attempt == len(moments) - 2:
            repaired = run_cli(["check", "--repair", "--kb", kb_dir, "--json"])
            assert repaired.code == 0, repaired.err
            assert repaired.json()["ok"] is True

    assert sum(1 for h in history if h[1]) >= 3, f"too few ingests were actually interrupted: {history}"

    final = run_cli(["ingest", folder, "--kb", kb_dir, "--json"])
    assert final.code == 0, final.err
    assert final.json()["failed"] == 0
    kb = KnowledgeBase(settings_for(kb_dir))
    try:
        check = kb.check()
        assert check.ok, (check.problems, history)
        ids = [c.id for c in kb.clauses()]
        assert sorted(ids) == sorted(i for clause_ids in expected.values() for i in clause_ids)
        rows = kb.manifest.clause_rows()
        assert kb.vectors.count("clauses") == len(rows)
        assert kb.vectors.count("sentences") == sum(r.n_sentences for r in rows)
        assert {h.clause.id for h in kb.search("charitable trusts", 2).hits} == {op(13), "pbc-copy:13"}
        assert kb.search("第十九条", 1).hits[0].clause.id == "zj-inclusive-finance-rules:19"
        assert kb.search("How long must loan files be kept?", 1).hits[0].clause.id == "en-article-rules:6"
    finally:
        kb.close()


def test_check_repair_fixes_what_an_interrupted_ingest_leaves(kb_copy: Path) -> None:
    kb = KnowledgeBase(settings_for(kb_copy))
    try:
        assert kb.check().ok
        rows = kb.manifest.clause_rows()
        # a crash before the manifest commit: vectors of a clause version nobody committed
        stray = np.ones((1, kb.embedder.dim), dtype=np.float32) / np.sqrt(kb.embedder.dim)
        kb.vectors.upsert("clauses", [f"{op(1)}@{'0' * 16}"], stray, [{"clause_id": op(1)}])
        # a vector lost with a committed clause (e.g. a store restored from an older backup)
        kb.vectors.delete("clauses", [rows[4].vec_id])
        # a crash after the commit, before the lexical index was saved
        (kb_copy / "lexical.json").unlink()
    finally:
        kb.close()

    broken = run_cli(["check", "--kb", kb_copy])
    assert broken.code == 1
    assert "problem:" in broken.out and "--repair" in broken.out
    report = run_cli(["check", "--kb", kb_copy, "--json"]).json()
    assert report["ok"] is False and len(report["problems"]) == 3
    assert any(op(5) in p for p in report["problems"])

    fixed = run_cli(["check", "--repair", "--kb", kb_copy, "--json"])
    assert fixed.code == 0, fixed.err
    data = fixed.json()
    assert data["ok"] is True and data["repaired"]
    again = run_cli(["check", "--kb", kb_copy])
    assert again.code == 0 and again.out.strip().endswith("ok")

    kb = KnowledgeBase(settings_for(kb_copy))
    try:
        assert kb.vectors.count("clauses") == 31
        assert kb.search("储蓄国债下乡", 1).hits[0].clause.id == op(18)
        assert kb.search("Improving the technological innovation capabilities of financial services", 1).hits[0].clause.id == op(5)
    finally:
        kb.close()
