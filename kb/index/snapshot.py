"""An in-memory view of one committed generation of the KB: clauses, vector ids, lexical index."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from policykb.errors import IndexMismatchError
from policykb.ingest.model import Clause
from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.index.manifest import ClauseRow, Manifest

__all__ = ["Snapshot", "load_snapshot", "save_lexical", "restamp_lexical", "with_vectors_of", "lexical_text", "read_stamp"]


@dataclass(frozen=True)
class Snapshot:
    generation: int
    rows: tuple[ClauseRow, ...]
    by_id: dict[str, Clause]
    vec_to_clause: dict[str, str]  # committed clause vector id → clause id, for the clauses whose vectors are in
    lexical: LexicalIndex
    langs: frozenset[str] = field(default=frozenset())
    # the saved lexical index could not serve this generation (built with other tokenizer settings, damaged) and
    # was rebuilt from the manifest in memory: :func:`save_lexical` it when the writer lock is free
    lexical_rebuilt: bool = False

    @cached_property
    def embedded(self) -> int:
        """Clauses of this generation whose vectors are in (the others are found by lookups and lexical signals only)."""
        return sum(1 for r in self.rows if r.embedded)

    @property
    def missing_vectors(self) -> int:
        """Clauses of this generation still waiting for their vectors (the background fill adds them)."""
        return len(self.rows) - self.embedded

    @cached_property
    def clauses(self) -> tuple[Clause, ...]:
        """The committed clauses in manifest order (built once per snapshot)."""
        return tuple(r.clause for r in self.rows)

    @cached_property
    def clause_numbers(self) -> dict[str, frozenset[str]]:
        """Each document's clause numbers (built once per snapshot)."""
        out: dict[str, set[str]] = {}
        for row in self.rows:
            out.setdefault(row.clause.doc_id, set()).add(row.clause.number)
        return {doc: frozenset(nums) for doc, nums in out.items()}

    def clause_of_vector(self, vector_id: str) -> str | None:
        """The clause a clause- or sentence-vector id belongs to, if that version is committed."""
        return self.vec_to_clause.get(vector_id.split("#", 1)[0])


def lexical_text(clause: Clause) -> str:
    """What the lexical index sees of a clause: its section title and its text."""
    return f"{clause.section_title}\n{clause.text}"


def load_snapshot(manifest: Manifest, kb_dir: Path) -> Snapshot:
    """Read the committed state; reuse the saved lexical index when it belongs to this generation."""
    generation, clause_rows = manifest.committed()
    rows = tuple(clause_rows)
    ids = [r.clause.id for r in rows]
    lexical = _load_lexical(kb_dir, generation, ids)
    rebuilt = lexical is None
    if lexical is None:
        lexical = LexicalIndex.build(ids, [lexical_text(r.clause) for r in rows])
    return Snapshot(
        generation=generation,
        rows=rows,
        by_id={r.clause.id: r.clause for r in rows},
        # A clause's vectors may be stored before the manifest says so (the fill stores, then publishes):
        # only the committed word counts, so every reader of this generation sees the same dense candidates.
        vec_to_clause={r.vec_id: r.clause.id for r in rows if r.embedded},
        lexical=lexical,
        langs=frozenset(r.clause.lang for r in rows),
        lexical_rebuilt=rebuilt and bool(ids),
    )


def with_vectors_of(snapshot: Snapshot, generation: int, rows: tuple[ClauseRow, ...]) -> Snapshot | None:
    """``snapshot`` moved to ``generation`` when ``rows`` are the same clause versions and only which of them have
    their vectors changed (a background fill published a batch): the clauses and the lexical index are kept, the
    vector map follows ``rows``. None when the clauses themselves changed (load the snapshot afresh)."""
    if len(rows) != len(snapshot.rows) or any(a.vec_id != b.vec_id for a, b in zip(rows, snapshot.rows)):
        return None
    return Snapshot(generation=generation, rows=rows, by_id=snapshot.by_id,
                    vec_to_clause={r.vec_id: r.clause.id for r in rows if r.embedded},
                    lexical=snapshot.lexical, langs=snapshot.langs)


def save_lexical(snapshot: Snapshot, kb_dir: Path) -> None:
    """Persist the lexical index, then stamp it with its generation and version (atomic rename of the stamp).

    Call it holding the KB's writer lock: the stamp names the version this call saved.
    """
    folder = kb_dir / "lexical"
    snapshot.lexical.save(folder)
    stamp = kb_dir / "lexical.json"
    tmp = stamp.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"generation": snapshot.generation, "version": _live_version(folder)}))
    os.replace(tmp, stamp)


def restamp_lexical(kb_dir: Path, old: int, new: int) -> bool:
    """Carry the saved lexical index from generation ``old`` to ``new`` when only vectors changed between them
    (the fill published more embedded clauses; the clause texts are the same). Returns False, touching nothing,
    when the stamp is not ``old``'s: the caller then saves the index afresh. Call it holding the writer lock."""
    stamp = read_stamp(kb_dir)
    if stamp.get("generation") != old or stamp.get("version") != _live_version(kb_dir / "lexical"):
        return False
    path = kb_dir / "lexical.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({**stamp, "generation": new}))
    os.replace(tmp, path)
    return True


def read_stamp(kb_dir: Path) -> dict:
    """The lexical index's stamp ({"generation", "version"}), or {} when it is missing or unreadable."""
    try:
        data = json.loads((kb_dir / "lexical.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _load_lexical(kb_dir: Path, generation: int, ids: list[str]) -> LexicalIndex | None:
    """The saved index if it is the one stamped for ``generation`` and indexes exactly ``ids``; else None.

    A writer saves the index before its stamp, so the live version is checked before and after
    loading: an index saved for a newer generation is never paired with an older snapshot.
    """
    stamp = read_stamp(kb_dir)
    folder = kb_dir / "lexical"
    if stamp.get("generation") != generation:
        return None
    version = stamp.get("version")
    if version is not None and _live_version(folder) != version:
        return None
    try:
        lexical = LexicalIndex.load(folder)
    except (OSError, ValueError, IndexMismatchError):
        return None  # missing, damaged or built with other tokenizer settings: rebuild from the manifest
    if version is not None and _live_version(folder) != version:
        return None
    return lexical if list(lexical.ids) == ids else None


def _live_version(folder: Path) -> str | None:
    try:
        return (folder / "CURRENT").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
