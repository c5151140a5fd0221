"""The live documents table: each document's state (ingesting, ready, failed with its reason), when and by whom.

Three sources, all shared by every session of the server: the KB's documents (ready), the uploads being
ingested right now (:class:`IngestingUploads`, in memory), and the upload log (who added a document and
when; uploads that failed and were not added since). :func:`documents_key` is a cheap fingerprint of all
three, so a page can poll it and redraw only when something changed.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from policykb.app.uploads import LOG_NAME, UploadLog

if TYPE_CHECKING:
    from policykb.app.context import AppContext

__all__ = ["DocRow", "IngestingUploads", "document_rows", "documents_key", "FAILED_SHOWN"]

FAILED_SHOWN = 5  # the most recent failed uploads listed under the documents


@dataclass(frozen=True)
class DocRow:
    """One row of the documents table."""

    doc_id: str
    title: str
    kind: str  # the file type, e.g. "TXT", "PDF"
    clauses: int | None  # None while unknown (ingesting, failed)
    status: str  # "ingesting" | "ready" | "failed"
    reason: str
    added: str  # UTC time "YYYY-MM-DD HH:MM", "" when unknown
    user: str


class IngestingUploads:
    """The files being ingested right now, across sessions: name → (user, start time, clauses when known)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, tuple[str, float, int | None]] = {}
        self.version = 0

    def start(self, names: list[str], user: str, clauses: dict[str, int] | None = None) -> None:
        with self._lock:
            for name in names:
                self._files[name] = (user, time.time(), (clauses or {}).get(name))
            self.version += 1

    def finish(self, names: list[str]) -> None:
        with self._lock:
            for name in names:
                self._files.pop(name, None)
            self.version += 1

    def items(self) -> Iterator[tuple[str, tuple[str, float, int | None]]]:
        with self._lock:
            return iter(list(self._files.items()))


def documents_key(ctx: AppContext) -> str:
    """A fingerprint of what the documents table shows: the manifest's content generation (not bumped when the
    background fill publishes vectors), the upload log's size and the uploads in progress. Cheap (one SQLite read and one stat)."""
    log = Path(ctx.uploads_dir) / LOG_NAME
    try:
        log_size = log.stat().st_size
    except OSError:
        log_size = 0
    return f"{ctx.kb.manifest.content_generation()}-{log_size}-{ctx.ingesting.version}"


def _when(stamp: str | float) -> str:
    if isinstance(stamp, (int, float)):
        moment = datetime.fromtimestamp(stamp, tz=timezone.utc)
    else:
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            return stamp
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


def _kind(name: str) -> str:
    suffix = Path(name.replace("\\", "/")).suffix.lstrip(".")
    return suffix.upper() or "—"


def document_rows(ctx: AppContext) -> list[DocRow]:
    """Ingesting uploads first, then the documents in the KB (ready), then recent failed uploads."""
    log_rows = UploadLog(ctx.uploads_dir).rows()
    added_by: dict[str, dict[str, Any]] = {}
    for row in log_rows:  # the latest add/update of each document
        if row.get("doc_id") and row.get("status") in ("added", "updated"):
            added_by[row["doc_id"]] = row
    rows: list[DocRow] = []
    for name, (user, started, clauses) in ctx.ingesting.items():
        rows.append(DocRow("", name, _kind(name), clauses, "ingesting", "", _when(started), user))
    docs = ctx.kb.documents()
    for doc in docs:
        row = added_by.get(doc.doc_id, {})
        rows.append(DocRow(doc.doc_id, doc.title or doc.doc_id, _kind(doc.source_path), doc.clauses, "ready", "",
                           _when(row["time"]) if row else "", str(row.get("user", "")) if row else ""))
    present = {d.doc_id for d in docs}
    succeeded_later: set[str] = set()
    failed: list[DocRow] = []
    for row in reversed(log_rows):  # newest first: a failure counts until the same file is added
        name = str(row.get("name", ""))
        if row.get("status") in ("added", "updated", "unchanged"):
            succeeded_later.add(name)
        elif row.get("status") == "failed" and name not in succeeded_later and row.get("doc_id", "") not in present:
            failed.append(DocRow(str(row.get("doc_id", "")), name, _kind(name), None, "failed", str(row.get("error", "")),
                                 _when(str(row.get("time", ""))), str(row.get("user", ""))))
            succeeded_later.add(name)  # list each file once
        if len(failed) >= FAILED_SHOWN:
            break
    return rows + failed
