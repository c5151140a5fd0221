"""`policykb check`: does every store agree with the manifest? `--repair` fixes what a crash can leave."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from policykb.kb.indexer import Indexer
from policykb.kb.manifest import Manifest
from policykb.kb.snapshot import load_snapshot, save_lexical
from policykb.kb.vectors import VectorStore

__all__ = ["check_kb"]


def check_kb(kb_dir: Path, manifest: Manifest, vectors: VectorStore, indexer: Indexer, *, repair: bool) -> dict[str, Any]:
    """Integrity report: {"ok", "problems", "repaired", "clauses", "documents", "generation"}."""
    rows = manifest.clause_rows()
    problems: list[str] = []
    repaired: list[str] = []

    duplicates = [cid for cid, n in Counter(r.clause.id for r in rows).items() if n > 1]
    problems += [f"clause {cid!r} appears more than once" for cid in duplicates]

    clause_ids = set(vectors.all_ids("clauses"))
    sentence_ids = set(vectors.all_ids("sentences"))
    missing = [r for r in rows if r.vec_id not in clause_ids
               or any(f"{r.vec_id}#s{i}" not in sentence_ids for i in range(r.n_sentences))]
    problems += [f"clause {r.clause.id!r} has no vector for its current text" for r in missing]

    committed = {r.vec_id for r in rows}
    orphans = sum(1 for v in clause_ids | sentence_ids if v.split("#", 1)[0] not in committed)
    if orphans:
        problems.append(f"{orphans} vectors belong to no committed clause (left by an interrupted ingest)")

    stamp = _lexical_generation(kb_dir)
    if stamp != manifest.generation():
        problems.append(f"the lexical index is from generation {stamp}, the manifest is at {manifest.generation()}")

    if repair and problems:
        if missing:
            indexer.embed_rows(missing)
            repaired.append(f"re-embedded {len(missing)} clauses")
        if orphans:
            deleted = indexer.collect_garbage()
            repaired.append(f"deleted {sum(deleted.values())} orphan vectors")
        save_lexical(load_snapshot(manifest, kb_dir), kb_dir)
        repaired.append("rebuilt the lexical index")
        problems = [p for p in problems if p.startswith("clause") and "more than once" in p]

    return {
        "ok": not problems,
        "problems": problems,
        "repaired": repaired,
        "documents": len(manifest.documents()),
        "clauses": len(rows),
        "generation": manifest.generation(),
    }


def _lexical_generation(kb_dir: Path) -> int | None:
    try:
        return int(json.loads((kb_dir / "lexical.json").read_text())["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
