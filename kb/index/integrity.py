"""`policykb check`: does every store agree with the manifest? `--repair` fixes what a crash can leave.

The manifest is the truth. The check asks of it: every clause once, each document with
exactly the clauses it was committed with. Of the vector store: one clause vector and all
sentence vectors for each committed clause version, and no vector of a version nobody
committed. Of the lexical index: stamped with the manifest's generation, readable, indexing
exactly the committed clause ids, with no half-written files beside it.

A killed ingest can leave orphan vectors (embedded before the commit), a lexical index
one generation behind (killed after the commit) and the temporary files of a lexical save.
``repair`` deletes orphans, re-embeds missing vectors, rebuilds the lexical index, and starts
a new generation when vectors changed so that open readers reopen the vector store. Clauses committed
with their vectors deferred (``serve`` fills them in the background) are counted as ``pending``, not as
problems; ``KnowledgeBase.check(repair=True)`` embeds them too. Damage
inside the manifest itself is reported, never guessed at: re-ingesting the document fixes it.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from policykb.errors import IndexMismatchError
from policykb.kb.index.indexer import Indexer
from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.index.manifest import ClauseRow, Manifest
from policykb.kb.index.snapshot import load_snapshot, read_stamp, save_lexical
from policykb.kb.index.vectors import VectorStore
from policykb.kb.model import CheckReport

__all__ = ["check_kb"]


@dataclass
class _Findings:
    problems: list[str] = field(default_factory=list)
    missing: list[ClauseRow] = field(default_factory=list)  # committed clauses without their vectors
    pending: int = 0  # committed clauses whose vectors the background fill has not added yet (not a problem)
    orphans: int = 0  # vectors of versions no committed clause names
    lexical_bad: bool = False  # stale, unreadable, or not indexing the committed ids
    leftovers: list[Path] = field(default_factory=list)  # temporary files of an interrupted lexical save
    duplicates: int = 0
    stores: dict[str, int] = field(default_factory=dict)


def check_kb(kb_dir: Path, manifest: Manifest, vectors: VectorStore, indexer: Indexer, *, repair: bool) -> CheckReport:
    """Integrity report; with ``repair``, the problems are those left after repairing.

    Call it holding the KB's writer lock.
    """
    found = _inspect(kb_dir, manifest, vectors)
    repaired: list[str] = []
    started = time.perf_counter()
    if repair and found.problems:
        if found.missing:
            indexer.embed_rows(found.missing)
            repaired.append(f"re-embedded {len(found.missing)} clauses")
        if found.orphans:
            deleted = indexer.collect_garbage()
            repaired.append(f"deleted {sum(deleted.values())} orphan vectors")
        if found.missing or found.orphans:
            manifest.bump_generation()  # open readers of an embedded store reopen it and see the repaired vectors
        if found.missing or found.orphans or found.lexical_bad or found.leftovers:
            save_lexical(load_snapshot(manifest, kb_dir), kb_dir)  # also removes the leftovers in lexical/
            (kb_dir / "lexical.json.tmp").unlink(missing_ok=True)
            repaired.append("rebuilt the lexical index")
        found = _inspect(kb_dir, manifest, vectors)
    return CheckReport(
        ok=not found.problems,
        problems=tuple(found.problems),
        repaired=tuple(repaired),
        documents=len(manifest.documents()),
        clauses=found.stores["manifest"],
        generation=manifest.generation(),
        duplicates=found.duplicates,
        orphans=found.orphans,
        stores=found.stores,
        repair_seconds=round(time.perf_counter() - started, 3) if repaired else 0.0,
        pending=found.pending,
    )


def _inspect(kb_dir: Path, manifest: Manifest, vectors: VectorStore) -> _Findings:
    found = _Findings()
    generation, rows = manifest.committed()
    _check_manifest(manifest, rows, found)
    _check_vectors(vectors, rows, found)
    _check_lexical(kb_dir, generation, rows, found)
    return found


def _check_manifest(manifest: Manifest, rows: list[ClauseRow], found: _Findings) -> None:
    ids = Counter(r.clause.id for r in rows)
    repeated = sorted(cid for cid, n in ids.items() if n > 1)
    found.duplicates += len(repeated)
    found.problems += [f"clause {cid!r} appears more than once" for cid in repeated]
    per_doc = Counter(r.clause.doc_id for r in rows)
    documents = {d.doc_id: d for d in manifest.documents()}
    for doc_id, info in documents.items():
        if per_doc.get(doc_id, 0) != info.clauses:
            found.problems.append(
                f"document {doc_id!r} has {per_doc.get(doc_id, 0)} of its {info.clauses} clauses in the manifest; "
                f"re-ingest its file ({info.source_path})"
            )
    for doc_id in sorted(set(per_doc) - set(documents)):
        found.problems.append(f"{per_doc[doc_id]} clauses belong to document {doc_id!r}, which the manifest does not list")
    found.stores["manifest"] = len(rows)


def _check_vectors(vectors: VectorStore, rows: list[ClauseRow], found: _Findings) -> None:
    clause_ids = set(vectors.all_ids("clauses"))
    sentence_ids = set(vectors.all_ids("sentences"))
    found.stores["clause_vectors"] = len(clause_ids)
    found.stores["sentence_vectors"] = len(sentence_ids)
    # A clause committed as pending (its vectors deferred to the background fill) is searchable lexically and
    # not missing anything: the next fill (`serve`, `check --repair`, its next ingest) completes it.
    found.pending = sum(1 for r in rows if not r.embedded)
    found.missing = [r for r in rows if r.embedded and (r.vec_id not in clause_ids
                     or any(f"{r.vec_id}#s{i}" not in sentence_ids for i in range(r.n_sentences)))]
    found.problems += [f"clause {r.clause.id!r} has no vector for its current text" for r in found.missing]
    committed = {r.vec_id for r in rows}
    found.orphans = sum(1 for v in clause_ids | sentence_ids if v.split("#", 1)[0] not in committed)
    if found.orphans:
        found.problems.append(f"{found.orphans} vectors belong to no committed clause (left by an interrupted ingest)")
    versions = Counter(v.split("@", 1)[0] for v in clause_ids)
    found.duplicates += sum(1 for n in versions.values() if n > 1)  # old versions beside the committed one


def _check_lexical(kb_dir: Path, generation: int, rows: list[ClauseRow], found: _Findings) -> None:
    folder = kb_dir / "lexical"
    found.leftovers = sorted(p for p in folder.glob(".*.tmp")) if folder.is_dir() else []
    found.leftovers += [p for p in (kb_dir / "lexical.json.tmp",) if p.exists()]
    if found.leftovers:
        names = ", ".join(p.name for p in found.leftovers)
        found.problems.append(f"the lexical index has temporary files of an interrupted save: {names}")
    stamped = read_stamp(kb_dir).get("generation")
    if stamped is None and not rows and not (folder / "CURRENT").exists():
        found.stores["lexical"] = 0  # a KB nothing was ever ingested into needs no lexical index
        return
    if stamped != generation:
        found.lexical_bad = True
        found.problems.append(f"the lexical index is from generation {stamped}, the manifest is at {generation}")
        found.stores["lexical"] = _lexical_size(folder)
        return
    try:
        ids = LexicalIndex.load(folder).ids
    except (OSError, IndexMismatchError) as exc:
        found.lexical_bad = True
        found.problems.append(f"the lexical index cannot be read ({exc})")
        found.stores["lexical"] = 0
        return
    found.stores["lexical"] = len(ids)
    counts = Counter(ids)
    found.duplicates += sum(1 for n in counts.values() if n > 1)
    committed = {r.clause.id for r in rows}
    if set(counts) != committed or len(ids) != len(counts):
        found.lexical_bad = True
        extra, absent = len(set(counts) - committed), len(committed - set(counts))
        found.problems.append(f"the lexical index disagrees with the manifest ({absent} clauses absent, {extra} not committed)")


def _lexical_size(folder: Path) -> int:
    try:
        return len(LexicalIndex.load(folder).ids)
    except (OSError, IndexMismatchError):
        return 0
