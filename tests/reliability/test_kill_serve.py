"""SIGKILL of `policykb serve` at chosen moments of an upload's progress (half its vectors in, as the ingest begins,
at 100 %) while it ingests a file uploaded through the app (committed at once, embedded by the background fill): after
each kill `policykb check` passes, or `check --repair` fixes what the kill left; ingesting the kept upload then
completes its vectors, with every clause once."""
from __future__ import annotations

from pathlib import Path

import pytest
from reliability_helpers import SEED, assert_crash_rounds, kill_moments, settings_for

from benchmarks.bench_crash import CrashBench
from policykb.kb import KnowledgeBase


@pytest.mark.slow
def test_sigkilled_serve_during_uploads_leaves_a_kb_that_checks_or_repairs(kb_copy: Path, tmp_path: Path) -> None:
    bench = CrashBench(kb_copy, tmp_path / "work", clauses=96, seed=SEED + 2)
    results = bench.kills("serve", kill_moments())
    assert_crash_rounds(results, min_killed=2)
    # The app commits an upload at once and embeds it in the background: half-way, the document is whole and
    # searchable, part of its vectors are in, and the check passes (the rest are pending, completed later).
    assert results[0].phase == "filling" and 0 < results[0].embedded < 1 and results[0].before == [], results[0]

    kb = KnowledgeBase(settings_for(kb_copy))
    try:
        sources = {d.doc_id: Path(d.source_path) for d in kb.documents()}
    finally:
        kb.close()
    uploads = (kb_copy / "uploads").resolve()
    for r in results:  # every round's document came in as an upload the app kept
        assert sources[r.doc_id].is_relative_to(uploads), (r.doc_id, sources[r.doc_id])
