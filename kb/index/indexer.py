"""Incremental, crash-safe ingest: files → documents → vectors → one manifest commit per document.

Order of writes for each document:
1. vectors for new clause versions are computed and upserted (sentence vectors
   first, then the clause vector; a clause vector's presence implies its sentences);
2. the manifest replaces the document's clauses in one SQLite transaction;
3. after all documents: the lexical index is rebuilt for the new generation and
   vectors no committed clause names are deleted.
A crash before 2 leaves vectors nobody sees (readers only follow the manifest) and
the next ingest reuses them; a crash after 2 leaves a stale lexical index, which is
rebuilt from the manifest, and orphan vectors, which the next ingest deletes.

With ``defer_vectors`` step 1 is skipped: the document is committed with the clause versions
whose vectors are not stored yet marked pending, and the KB's background fill
(:mod:`policykb.kb.index.fill`) embeds them later through :meth:`Indexer.embed_rows`.
"""
from __future__ import annotations

import fcntl
import time
from dataclasses import replace
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from policykb.errors import IngestError
from policykb.ingest import PARSER_VERSION, discover_files, load_document
from policykb.ingest.model import Clause, Document
from policykb.kinds import IngestStatus
from policykb.kb.index.embed import Embedder
from policykb.kb.index.manifest import ClauseRow, Manifest
from policykb.kb.index.passage_cache import shared_cache
from policykb.kb.model import DocumentResult, IngestReport
from policykb.kb.index.sentences import split_sentences
from policykb.kb.index.vectors import VectorStore
from policykb.settings import Settings

__all__ = ["Indexer", "vector_id", "writer_lock", "Progress"]

Progress = Callable[[str, float], None]
_EMBED_BATCH = 16
VECTOR_RECIPE = "v2"  # bump when what is embedded for a clause changes: every clause is then re-embedded


def vector_id(clause: Clause) -> str:
    """The id of one version of a clause's vector: changes exactly when the clause text changes."""
    return f"{clause.id}@{VECTOR_RECIPE}.{clause.sha256[:16]}"


_LOCK_FILE = ".write.lock"  # in the KB folder; flock'ed by writer_lock and writer_lock_if_free


@contextmanager
def writer_lock(kb_dir: Path) -> Iterator[None]:
    """One writer at a time per KB folder (other processes wait)."""
    kb_dir.mkdir(parents=True, exist_ok=True)
    with open(kb_dir / _LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def writer_lock_if_free(kb_dir: Path) -> Iterator[bool]:
    """The writer lock when no other writer holds it and the folder is writable: yields True holding it, else
    False at once (for work that may be skipped, such as saving a rebuilt index, never waiting for a writer)."""
    try:
        handle = open(kb_dir / _LOCK_FILE, "w")
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Indexer:
    """Writes documents into the manifest and the vector store."""

    def __init__(self, settings: Settings, manifest: Manifest, vectors: VectorStore, embedder: Embedder, *,
                 defer_vectors: bool = False) -> None:
        """``defer_vectors``: commit each document at once with the clauses whose vectors are not stored yet marked
        pending (searchable by lookups and lexically); :meth:`KnowledgeBase.fill_vectors` embeds them later."""
        self.settings = settings
        self.defer_vectors = defer_vectors
        self.manifest = manifest
        self.vectors = vectors
        self.embedder = embedder
        self.passages = shared_cache(embedder)  # texts embedded by an earlier ingest of this process are reused

    def ingest(self, paths: Sequence[Path], progress: Progress | None = None) -> IngestReport:
        """Ingest files and folders; each document lands whole or not at all."""
        started = time.perf_counter()
        report = _Tally()
        files, notes = self._discover(paths, report)
        state = self.manifest.document_state()
        committed = self.manifest.vec_ids()
        seen: set[str] = set()
        by_hash = {sha: doc_id for doc_id, (_, sha, _) in sorted(state.items())}  # content → the document holding it
        for index, path in enumerate(files):
            step = _scaled(progress, index / max(len(files), 1), (index + 1) / max(len(files), 1))
            step(f"reading {path.name}", 0.0)
            try:
                doc = replace(load_document(path, self.settings), source_path=str(path.resolve()))
                original = self._duplicate_of(doc, state, by_hash, seen)
                if original is not None:
                    seen.add(original)
                    clauses = len(doc.clauses)
                    report.add(DocumentResult(original, str(path), "unchanged", clauses,
                                              error=f"same content (sha256 {doc.sha256[:12]}…) as document {original!r}; not added again"))
                    continue
                self._check_collision(doc, state, seen)
            except IngestError as exc:
                report.add(DocumentResult(doc_id="", path=str(path), status="failed", error=str(exc)))
                continue
            seen.add(doc.doc_id)
            by_hash.setdefault(doc.sha256, doc.doc_id)
            previous = state.get(doc.doc_id)
            if previous and previous[1] == doc.sha256 and previous[2] == PARSER_VERSION and self._vectors_current(doc, committed):
                if previous[0] != doc.source_path:
                    self.manifest.relocate(doc.doc_id, doc.source_path)
                report.add(DocumentResult(doc.doc_id, str(path), "unchanged", len(doc.clauses), warnings=doc.warnings))
                continue
            report.embedded += self.write_document(doc, step)
            status: IngestStatus = "updated" if previous else "added"
            report.add(DocumentResult(doc.doc_id, str(path), status, len(doc.clauses), warnings=doc.warnings))
        for doc_id in self._vanished(paths, state, seen):
            self.manifest.remove_document(doc_id)
            report.add(DocumentResult(doc_id, state[doc_id][0], "removed"))
        self.collect_garbage()
        if progress:
            progress("done", 1.0)
        return report.build(time.perf_counter() - started, notes)

    def write_document(self, doc: Document, progress: Progress | None = None) -> int:
        """Embed what is new in a document and commit it; returns the number of clauses embedded (none when deferred)."""
        rows = [ClauseRow(c, vector_id(c), len(split_sentences(c.text))) for c in doc.clauses]
        present = self.vectors.existing("clauses", [r.vec_id for r in rows])
        missing = [r for r in rows if r.vec_id not in present]
        if self.defer_vectors:
            rows = [r._replace(embedded=r.vec_id in present) for r in rows]
            missing = []
        for done, batch in enumerate(_batches(missing, _EMBED_BATCH)):
            if progress:
                progress(f"embedding {doc.doc_id}", done * _EMBED_BATCH / max(len(missing), 1))
            self.embed_rows(batch)
        self.manifest.commit_document(doc, PARSER_VERSION, rows)
        return len(missing)

    @staticmethod
    def _vectors_current(doc: Document, committed: dict[str, str]) -> bool:
        """Whether the committed vectors of a document follow the current vector recipe."""
        return all(committed.get(c.id) == vector_id(c) for c in doc.clauses)

    def embed_rows(self, rows: list[ClauseRow]) -> None:
        """Compute and store the sentence and clause vectors of these clause versions."""
        sentence_ids, sentence_texts, sentence_meta = [], [], []
        for row in rows:
            for i, sentence in enumerate(split_sentences(row.clause.text)):
                sentence_ids.append(f"{row.vec_id}#s{i}")
                sentence_texts.append(sentence)
                sentence_meta.append({**_metadata(row), "text": sentence})
        # The clause text alone: a section title shared by several clauses pulls their vectors together.
        # Sentences and clauses go to the embedder in one call, each distinct text once.
        vectors = self.passages.embed_passages(sentence_texts + [r.clause.text for r in rows])
        if sentence_texts:
            self.vectors.upsert("sentences", sentence_ids, vectors[: len(sentence_texts)], sentence_meta)
        self.vectors.upsert("clauses", [r.vec_id for r in rows], vectors[len(sentence_texts):], [_metadata(r) for r in rows])

    def remove(self, doc_id: str) -> int:
        removed = self.manifest.remove_document(doc_id)
        self.collect_garbage()
        return removed

    def collect_garbage(self) -> dict[str, int]:
        """Delete vectors no committed clause version names; returns how many per collection."""
        committed = set(self.manifest.vec_ids().values())
        deleted: dict[str, int] = {}
        for kind in ("clauses", "sentences"):
            orphans = [v for v in self.vectors.all_ids(kind) if v.split("#", 1)[0] not in committed]
            if orphans:
                self.vectors.delete(kind, orphans)
            deleted[kind] = len(orphans)
        return deleted

    def _discover(self, paths: Sequence[Path], report: "_Tally") -> tuple[list[Path], list[str]]:
        files: list[Path] = []
        notes: list[str] = []
        for path in paths:
            try:
                found, skipped = discover_files([path])
            except IngestError as exc:
                report.add(DocumentResult(doc_id="", path=str(path), status="failed", error=str(exc)))
                continue
            if path.is_file() and not found:  # a file named explicitly and skipped is a failure, not a note
                reason = skipped[0] if skipped else f"{path}: not a supported document"
                report.add(DocumentResult(doc_id="", path=str(path), status="failed", error=reason))
                continue
            files.extend(found)
            notes.extend(skipped)
        return files, notes

    @staticmethod
    def _duplicate_of(doc: Document, state: dict[str, tuple[str, str, str]], by_hash: dict[str, str], seen: set[str]) -> str | None:
        """The document that already holds exactly this file's bytes under another name, or None.

        The same document at a new path (a moved file, same doc id, old file gone) is not a duplicate: it is relocated.
        """
        original = by_hash.get(doc.sha256)
        if original is None:
            return None
        if original != doc.doc_id:
            return None if doc.doc_id in state else original  # an existing document's new version is an update
        previous = state.get(original)
        moved = previous is not None and previous[0] != doc.source_path and not Path(previous[0]).exists()
        again = original in seen  # the same file twice in one run
        clash = previous is not None and previous[0] != doc.source_path and Path(previous[0]).exists()
        return original if (again or clash) and not moved else None

    @staticmethod
    def _check_collision(doc: Document, state: dict[str, tuple[str, str, str]], seen: set[str]) -> None:
        previous = state.get(doc.doc_id)
        clash = doc.doc_id in seen or (
            previous is not None and previous[0] != doc.source_path and Path(previous[0]).exists()
        )
        if clash:
            other = previous[0] if previous else "another file in this run"
            raise IngestError(
                f"{doc.source_path}: document id {doc.doc_id!r} is already used by {other}; "
                "rename the file or set another doc_id in a .meta.json sidecar"
            )

    @staticmethod
    def _vanished(paths: Sequence[Path], state: dict[str, tuple[str, str, str]], seen: set[str]) -> list[str]:
        """Documents that came from an ingested folder whose file no longer exists."""
        folders = [p.resolve() for p in paths if p.is_dir()]
        out = []
        for doc_id, (source, _, _) in state.items():
            src = Path(source)
            if doc_id not in seen and not src.exists() and any(_is_under(src, f) for f in folders):
                out.append(doc_id)
        return sorted(out)


class _Tally:
    def __init__(self) -> None:
        self.results: list[DocumentResult] = []
        self.embedded = 0

    def add(self, result: DocumentResult) -> None:
        self.results.append(result)

    def build(self, seconds: float, notes: list[str]) -> IngestReport:
        count = lambda status: sum(r.status == status for r in self.results)  # noqa: E731
        return IngestReport(
            documents=tuple(self.results), added=count("added"), updated=count("updated"),
            unchanged=count("unchanged"), removed=count("removed"), failed=count("failed"),
            embedded=self.embedded, seconds=seconds, notes=tuple(notes),
        )




def _metadata(row: ClauseRow) -> dict[str, str]:
    c = row.clause
    return {"clause_id": c.id, "doc_id": c.doc_id, "section": c.section, "number": c.number,
            "label": c.label, "lang": c.lang, "sha256": c.sha256}


def _batches(rows: list[ClauseRow], size: int) -> Iterator[list[ClauseRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _scaled(progress: Progress | None, lo: float, hi: float) -> Progress:
    def report(message: str, fraction: float) -> None:
        if progress:
            progress(message, lo + (hi - lo) * min(max(fraction, 0.0), 1.0))

    return report


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except (ValueError, OSError):
        return False

