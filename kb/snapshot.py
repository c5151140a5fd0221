"""An in-memory view of one committed generation of the KB: clauses, vector ids, lexical index."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from policykb.errors import IndexMismatchError
from policykb.ingest.model import Clause
from policykb.kb.lexical import LexicalIndex
from policykb.kb.manifest import ClauseRow, Manifest

__all__ = ["Snapshot", "load_snapshot", "save_lexical", "lexical_text"]


@dataclass(frozen=True)
class Snapshot:
    generation: int
    rows: tuple[ClauseRow, ...]
    by_id: dict[str, Clause]
    vec_to_clause: dict[str, str]  # committed clause vector id → clause id
    lexical: LexicalIndex
    langs: frozenset[str] = field(default=frozenset())

    def clause_of_vector(self, vector_id: str) -> str | None:
        """The clause a clause- or sentence-vector id belongs to, if that version is committed."""
        return self.vec_to_clause.get(vector_id.split("#", 1)[0])


def lexical_text(clause: Clause) -> str:
    """What the lexical index sees of a clause: its section title and its text."""
    return f"{clause.section_title}\n{clause.text}"


def load_snapshot(manifest: Manifest, kb_dir: Path) -> Snapshot:
    """Read the committed state; reuse the saved lexical index when it belongs to this generation."""
    generation = manifest.generation()
    rows = tuple(manifest.clause_rows())
    lexical = _load_lexical(kb_dir, generation)
    if lexical is None:
        lexical = LexicalIndex.build([r.clause.id for r in rows], [lexical_text(r.clause) for r in rows])
    return Snapshot(
        generation=generation,
        rows=rows,
        by_id={r.clause.id: r.clause for r in rows},
        vec_to_clause={r.vec_id: r.clause.id for r in rows},
        lexical=lexical,
        langs=frozenset(r.clause.lang for r in rows),
    )


def save_lexical(snapshot: Snapshot, kb_dir: Path) -> None:
    """Persist the lexical index with the generation it was built from (atomic rename of the stamp)."""
    snapshot.lexical.save(kb_dir / "lexical")
    stamp = kb_dir / "lexical.json"
    tmp = stamp.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"generation": snapshot.generation}))
    os.replace(tmp, stamp)


def _load_lexical(kb_dir: Path, generation: int) -> LexicalIndex | None:
    stamp = kb_dir / "lexical.json"
    try:
        if json.loads(stamp.read_text()).get("generation") != generation:
            return None
        return LexicalIndex.load(kb_dir / "lexical")
    except (OSError, ValueError, IndexMismatchError):
        return None  # missing, stale or built with other tokenizer settings: rebuild from the manifest
