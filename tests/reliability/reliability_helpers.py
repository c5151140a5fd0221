"""Helpers of the reliability tests: small documents built in code, and the state of a KB read as a reader sees it."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from policykb.ingest.model import Clause, Document, Section
from policykb.kb.manifest import ClauseRow
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


def visible_per_document(clause_ids: list[str]) -> Counter:
    """doc id → how many of its clauses a list of clause ids holds."""
    return Counter(cid.rsplit(":", 1)[0] for cid in clause_ids)
