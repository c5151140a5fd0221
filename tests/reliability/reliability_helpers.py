"""Helpers of the reliability tests: documents built in code, kill moments, and the assertions every kill round must pass."""
from __future__ import annotations

from pathlib import Path

from policykb.ingest.model import Clause, Document, Section
from policykb.kb.index.manifest import ClauseRow
from policykb.settings import Settings

SEED = 20240917


def settings_for(kb_dir: Path, **overrides: object) -> Settings:
    """Settings for a KB folder, untouched by POLICYKB_* variables of the environment running the tests."""
    return Settings.from_env(env={}, kb_dir=kb_dir, **overrides)


def versioned_document(doc_id: str, version: int, n: int = 12) -> tuple[Document, list[ClauseRow]]:
    """A document whose every clause text names ``version`` (so a reader can tell versions apart), and its rows."""
    clauses = tuple(
        Clause(id=f"{doc_id}:{i}", doc_id=doc_id, section="1", section_title="General", number=str(i), label=f"({i})",
               title="", text=f"Version {version} of clause {i}: banks shall report loans.", sha256=f"{version:08d}{i:08d}")
        for i in range(1, n + 1)
    )
    doc = Document(doc_id=doc_id, title=f"Rules {doc_id}", doc_number="", issuers=(), lang="en",
                   source_path=f"/nowhere/{doc_id}.txt", sha256=f"{version:064d}",
                   sections=(Section(number="1", label="1.", title="General", clauses=clauses),))
    return doc, [ClauseRow(c, f"{c.id}@{c.sha256}", 1) for c in clauses]


def assert_crash_rounds(results: list, *, min_killed: int) -> None:
    """Every kill left whole documents and a KB that checks (after --repair), and the next ingest completed with every
    clause once in the manifest, the vectors and the lexical index."""
    from benchmarks.bench_crash import REPAIRABLE, markdown

    table = markdown(results)
    for r in results:
        where = f"{r.target} round {r.round} (killed at {r.kill_ms} ms)\n{table}"
        assert r.visible in (0, r.clauses), f"part of a document is visible after a kill: {where}"
        assert set(r.before) <= REPAIRABLE, f"a kill left a problem --repair cannot fix: {where}"
        assert r.after_ok in (None, True), f"the check failed after --repair: {where}"
        assert r.next_status == ("unchanged" if r.visible else "added"), f"the next ingest: {where}"
        assert r.final_ok, f"the check failed after the next ingest: {where}"
        assert (r.duplicates, r.missing) == (0, 0), f"duplicated or missing clauses: {where}"
        stores = (r.stores["manifest"], r.stores["clause_vectors"], r.stores["lexical"])
        assert stores == (r.expected,) * 3, f"stores hold {stores} clauses, expected {r.expected}: {where}"
    killed = sum(r.killed for r in results)
    assert killed >= min_killed, f"only {killed} kills landed before the ingest finished:\n{table}"
    assert any(r.phase in ("embedding", "filling") for r in results), \
        f"no kill landed while the document was being embedded:\n{table}"



def kill_moments() -> list[tuple[float, float | None]]:
    """Kill moments for :meth:`CrashBench.kills`, each placed by what the process reports rather than by a clock:
    once half the document is embedded (half its vectors stored, nothing committed), as soon as embedding begins
    (no vector stored yet), and once the bar reaches 100 % (the manifest committed; the lexical index being saved,
    or just saved). A 32-clause document is two embedding batches, so "half" falls between them."""
    return [(0.0, 0.5), (0.0, 0.0), (0.0, 1.0)]
