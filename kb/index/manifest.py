"""The KB's manifest: the committed list of documents and clause versions (SQLite).

The manifest is the source of truth. A document's clauses change in one
transaction, so readers see a document either wholly before or wholly after an
ingest; vectors and the lexical index are derived from it and checked against it.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, NamedTuple

from policykb.ingest.model import Clause, Document, clause_from_dict
from policykb.kb.model import DocumentInfo

__all__ = ["Manifest", "ClauseRow", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source_path TEXT NOT NULL, sha256 TEXT NOT NULL,
    parser_version TEXT NOT NULL, info TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clauses (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    ord INTEGER NOT NULL, sha256 TEXT NOT NULL, vec_id TEXT NOT NULL,
    n_sentences INTEGER NOT NULL, data TEXT NOT NULL, embedded INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS clauses_doc ON clauses(doc_id, ord);
"""


class ClauseRow(NamedTuple):
    clause: Clause
    vec_id: str
    n_sentences: int
    embedded: bool = True  # False while its vectors wait for the background fill (searchable lexically only)


class Manifest:
    """SQLite-backed manifest at ``kb_dir/manifest.sqlite`` (WAL; safe for concurrent readers)."""

    def __init__(self, kb_dir: Path) -> None:
        kb_dir.mkdir(parents=True, exist_ok=True)
        self.path = kb_dir / "manifest.sqlite"
        self._local = threading.local()
        self._db().executescript(_SCHEMA)  # executescript commits on its own: keep it outside a transaction
        with self._tx() as db:
            columns = {row[1] for row in db.execute("PRAGMA table_info(clauses)")}
            if "embedded" not in columns:  # a manifest written before vectors could be filled in later
                db.execute("ALTER TABLE clauses ADD COLUMN embedded INTEGER NOT NULL DEFAULT 1")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('kb_id', ?)", (uuid.uuid4().hex[:12],))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('content_generation', '0')")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def _db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
        return conn

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type: object, *_: object) -> None:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")

    def _tx(self) -> "Manifest._Tx":
        return Manifest._Tx(self._db())

    # -- meta -------------------------------------------------------------------------
    def get_meta(self, key: str, default: str = "") -> str:
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def kb_id(self) -> str:
        return self.get_meta("kb_id")

    def generation(self) -> int:
        return int(self.get_meta("generation", "0"))

    def content_generation(self) -> int:
        """Bumped when documents or clauses change, not when vectors are published or repaired (a cheap fingerprint of
        what the KB holds, e.g. for the app's documents table)."""
        return int(self.get_meta("content_generation", "0"))

    # -- reads ------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        rows = self._db().execute("SELECT info FROM documents ORDER BY doc_id").fetchall()
        return [_info_from_json(r[0]) for r in rows]

    def document_state(self) -> dict[str, tuple[str, str, str]]:
        """doc_id → (source_path, sha256, parser_version)."""
        rows = self._db().execute("SELECT doc_id, source_path, sha256, parser_version FROM documents").fetchall()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def clause_rows(self, doc_id: str | None = None) -> list[ClauseRow]:
        sql = "SELECT data, vec_id, n_sentences, embedded FROM clauses"
        args: tuple[str, ...] = ()
        if doc_id is not None:
            sql += " WHERE doc_id = ?"
            args = (doc_id,)
        sql += " ORDER BY doc_id, ord"
        return [ClauseRow(clause_from_dict(json.loads(d)), v, n, bool(e)) for d, v, n, e in self._db().execute(sql, args)]

    def pending_rows(self, limit: int | None = None, doc_ids: Iterable[str] | None = None) -> list[ClauseRow]:
        """Committed clause versions whose vectors are not in yet (of these documents, or all), in manifest order,
        at most ``limit``."""
        sql = "SELECT data, vec_id, n_sentences FROM clauses WHERE embedded = 0"
        args: list[str] = []
        if doc_ids is not None:
            args = sorted(set(doc_ids))
            if not args:
                return []
            sql += f" AND doc_id IN ({','.join('?' * len(args))})"
        sql += " ORDER BY doc_id, ord"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [ClauseRow(clause_from_dict(json.loads(d)), v, n, False) for d, v, n in self._db().execute(sql, args)]

    def vector_counts(self, doc_ids: Iterable[str] | None = None) -> tuple[int, int]:
        """(committed clauses whose vectors are in, all committed clauses), of these documents or all: one cheap read."""
        sql = "SELECT COUNT(*), COALESCE(SUM(embedded), 0) FROM clauses"
        args: list[str] = []
        if doc_ids is not None:
            args = sorted(set(doc_ids))
            sql += f" WHERE doc_id IN ({','.join('?' * len(args)) or 'NULL'})"
        total, embedded = self._db().execute(sql, args).fetchone()
        return int(embedded), int(total)

    def committed(self) -> tuple[int, list[ClauseRow]]:
        """The generation and its clause rows, read in one transaction: a commit cannot fall between them."""
        db = self._db()
        db.execute("BEGIN")
        try:
            generation = self.generation()
            rows = self.clause_rows()
        finally:
            db.execute("COMMIT")
        return generation, rows

    def vec_ids(self) -> dict[str, str]:
        """clause id → the vector id of its committed version."""
        return dict(self._db().execute("SELECT id, vec_id FROM clauses").fetchall())

    # -- writes (each one transaction) -------------------------------------------------
    def commit_document(self, doc: Document, parser_version: str, rows: Iterable[ClauseRow]) -> None:
        """Replace one document and all its clauses atomically, and bump the generation."""
        info = _info_from_document(doc)
        with self._tx() as db:
            db.execute("DELETE FROM clauses WHERE doc_id = ?", (doc.doc_id,))
            db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?)",
                (doc.doc_id, doc.source_path, doc.sha256, parser_version, json.dumps(asdict(info), ensure_ascii=False)),
            )
            db.executemany(
                "INSERT INTO clauses (id, doc_id, ord, sha256, vec_id, n_sentences, data, embedded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.clause.id, doc.doc_id, i, r.clause.sha256, r.vec_id, r.n_sentences,
                     json.dumps(r.clause.to_dict(), ensure_ascii=False), int(r.embedded))
                    for i, r in enumerate(rows)
                ],
            )
            _bump(db)

    def mark_embedded(self, vec_ids: Iterable[str]) -> int:
        """Record that these clause versions' vectors are stored; a new generation when any row changed.

        Returns the number of committed clause rows that became searchable by their vectors."""
        ids = list(dict.fromkeys(vec_ids))
        changed = 0
        with self._tx() as db:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ",".join("?" * len(part))
                changed += db.execute(f"UPDATE clauses SET embedded = 1 WHERE embedded = 0 AND vec_id IN ({marks})", part).rowcount
            if changed:
                _bump(db, content=False)
        return changed

    def bump_generation(self) -> int:
        """Start a new generation without changing documents (after a repair, so open readers reload)."""
        with self._tx() as db:
            _bump(db, content=False)
        return self.generation()

    def remove_document(self, doc_id: str) -> int:
        """Delete a document and its clauses; returns the number of clauses removed."""
        with self._tx() as db:
            n = db.execute("DELETE FROM clauses WHERE doc_id = ?", (doc_id,)).rowcount
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            _bump(db)
        return n

    def relocate(self, doc_id: str, source_path: str) -> None:
        """Record that an unchanged document now lives at ``source_path`` (its folder was moved)."""
        with self._tx() as db:
            row = db.execute("SELECT info FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if row is None:
                return
            info = {**json.loads(row[0]), "source_path": source_path}
            db.execute("UPDATE documents SET source_path = ?, info = ? WHERE doc_id = ?",
                       (source_path, json.dumps(info, ensure_ascii=False), doc_id))

    def clear(self) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM clauses")
            db.execute("DELETE FROM documents")
            _bump(db)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _bump(db: sqlite3.Connection, *, content: bool = True) -> None:
    """A new generation; ``content``: the documents or clauses changed too (not only which vectors are in)."""
    keys = ("generation", "content_generation") if content else ("generation",)
    db.execute(f"UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key IN ({','.join('?' * len(keys))})", keys)


def _info_from_document(doc: Document) -> DocumentInfo:
    return DocumentInfo(
        doc_id=doc.doc_id, title=doc.title, doc_number=doc.doc_number, issuers=tuple(doc.issuers), lang=doc.lang,
        source_path=doc.source_path, sha256=doc.sha256, clauses=len(doc.clauses), sections=len(doc.sections),
        preamble=doc.preamble, warnings=tuple(doc.warnings), extra=dict(doc.extra),
    )


def _info_from_json(text: str) -> DocumentInfo:
    data = json.loads(text)
    data["issuers"] = tuple(data.get("issuers", ()))
    data["warnings"] = tuple(data.get("warnings", ()))
    data["extra"] = dict(data.get("extra") or {})
    return DocumentInfo(**{k: v for k, v in data.items() if k in DocumentInfo.__dataclass_fields__})

