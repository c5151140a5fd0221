"""A reader's snapshot is one committed state: its generation, its clause rows and its lexical index belong together,
even while another connection commits."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from reliability_helpers import versioned_document

from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.index.manifest import Manifest
from policykb.kb.index.snapshot import lexical_text, load_snapshot, save_lexical
from policykb.kb.index.tokenize import tokenize


class _Committer(threading.Thread):
    """Commits new versions of one document as fast as it can; version k is committed as generation k."""

    def __init__(self, kb_dir: Path) -> None:
        super().__init__(daemon=True)
        self.kb_dir = kb_dir
        self.stop = threading.Event()
        self.commits = 0

    def run(self) -> None:
        manifest = Manifest(self.kb_dir)
        try:
            while not self.stop.is_set():
                doc, rows = versioned_document("rules", manifest.generation() + 1)
                manifest.commit_document(doc, "test", rows)
                self.commits += 1
        finally:
            manifest.close()


def _versions(rows) -> set[int]:
    return {int(r.clause.text.split()[1]) for r in rows}


def test_generation_and_rows_are_read_in_one_transaction(tmp_path: Path) -> None:
    reader = Manifest(tmp_path)
    writer = _Committer(tmp_path)
    writer.start()
    reads, mismatched = 0, []
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            generation, rows = reader.committed()
            reads += 1
            if rows and _versions(rows) != {generation}:
                mismatched.append((generation, sorted(_versions(rows))))
    finally:
        writer.stop.set()
        writer.join(timeout=30)
        reader.close()
    assert writer.commits >= 20, f"the writer committed only {writer.commits} times; the race was not exercised"
    assert reads >= 100
    assert not mismatched, f"{len(mismatched)} of {reads} reads paired a generation with rows of another: {mismatched[:5]}"


def test_snapshots_loaded_during_commits_are_each_one_generation(tmp_path: Path) -> None:
    reader = Manifest(tmp_path)
    writer = _Committer(tmp_path)
    writer.start()
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            snapshot = load_snapshot(reader, tmp_path)
            if snapshot.rows:
                assert _versions(snapshot.rows) == {snapshot.generation}, "a snapshot mixed two generations"
                assert list(snapshot.lexical.ids) == [r.clause.id for r in snapshot.rows]
                seen.add(snapshot.generation)
    finally:
        writer.stop.set()
        writer.join(timeout=30)
        reader.close()
    assert len(seen) >= 3, f"snapshots saw only generations {sorted(seen)}; the race was not exercised"


class _FrozenManifest:
    """A manifest as a reader saw it a moment ago: one generation, its rows."""

    def __init__(self, generation: int, rows: list) -> None:
        self._state = (generation, rows)

    def committed(self) -> tuple[int, list]:
        return self._state


def test_a_lexical_index_saved_for_a_newer_generation_never_serves_an_older_snapshot(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path)
    try:
        doc_a, rows_a = versioned_document("a", 1)
        manifest.commit_document(doc_a, "test", rows_a)
        old_generation, old_rows = manifest.committed()
        save_lexical(load_snapshot(manifest, tmp_path), tmp_path)  # stamped for the old generation

        # A writer commits document b and has saved the new lexical index, but not yet its stamp.
        doc_b, rows_b = versioned_document("b", 1)
        manifest.commit_document(doc_b, "test", rows_b)
        _, new_rows = manifest.committed()
        newer = LexicalIndex.build([r.clause.id for r in new_rows], [lexical_text(r.clause) for r in new_rows])
        newer.save(tmp_path / "lexical")

        snapshot = load_snapshot(_FrozenManifest(old_generation, old_rows), tmp_path)  # type: ignore[arg-type]
        assert list(snapshot.lexical.ids) == [r.clause.id for r in old_rows]
        assert all(cid.startswith("a:") for cid in snapshot.lexical.scores(tokenize("banks report loans")))

        save_lexical(load_snapshot(manifest, tmp_path), tmp_path)  # the writer stamps its index
        current = load_snapshot(manifest, tmp_path)
        assert list(current.lexical.ids) == [r.clause.id for r in new_rows]
    finally:
        manifest.close()
