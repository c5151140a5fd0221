"""SIGKILL of `policykb ingest` at chosen moments of its progress (mid-embedding, as embedding begins, at the commit):
after each kill `policykb check` passes, or `check --repair` fixes what the kill left; the next ingest completes with
every clause once in every store."""
from __future__ import annotations

from pathlib import Path

import pytest
from reliability_helpers import SEED, assert_crash_rounds, kill_moments

from benchmarks.bench_crash import CrashBench


@pytest.mark.slow
def test_sigkilled_ingests_leave_a_kb_that_checks_or_repairs(kb_copy: Path, tmp_path: Path) -> None:
    bench = CrashBench(kb_copy, tmp_path / "work", clauses=32, seed=SEED)
    results = bench.kills("ingest", kill_moments())
    assert_crash_rounds(results, min_killed=2)
    assert results[0].phase == "embedding" and 0 < results[0].embedded < 1 and "orphan vectors" in results[0].before
    assert results[1].killed and results[1].embedded < 0.5, results[1]


@pytest.mark.slow
@pytest.mark.server
def test_sigkilled_ingests_against_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    bench = CrashBench(tmp_path / "kb", tmp_path / "work", clauses=32, seed=SEED + 1, chroma_url=chroma_server)
    results = bench.kills("ingest", kill_moments()[:1])
    assert_crash_rounds(results, min_killed=1)
    assert results[0].phase == "embedding" and "orphan vectors" in results[0].before
