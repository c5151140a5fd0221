"""Uploaded files: safe names, one kept folder per upload, and a log of who added what.

An upload is copied into ``kb_dir/uploads/<time>-<user>-<random>/`` under a sanitised name
(no folders, no leading dots, no characters outside letters, digits, ``.``, ``-``, ``_``), so a
crafted name can never write outside that folder. ``uploads/log.jsonl`` records each file:
time, user, name, sha256 and what ingest did with it.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import threading
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

__all__ = ["safe_name", "new_upload_dir", "stage_files", "UploadLog", "LOG_NAME"]

LOG_NAME = "log.jsonl"
_UNSAFE = re.compile(r"[^\w.\-]+")
_MAX_NAME = 120
_log_lock = threading.Lock()


def safe_name(name: str) -> str:
    """A file name safe to create in a folder: the last path part, unsafe runs replaced by "_"."""
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip("._ ")
    if not base or base in (".", ".."):
        base = "upload"
    if len(base) > _MAX_NAME:
        suffix = "".join(Path(base).suffixes[-2:])[:20]
        base = base[: _MAX_NAME - len(suffix)] + suffix
    return base


def new_upload_dir(root: Path, user: str) -> Path:
    """A fresh folder ``root/<UTC time>-<user>-<random>`` for one upload."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(root) / f"{stamp}-{safe_name(user or 'local')}-{secrets.token_hex(3)}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def stage_files(files: Sequence[str | Path], folder: Path) -> list[tuple[str, Path]]:
    """Copy uploaded files into ``folder`` under safe, distinct names.

    Returns:
        (original file name, staged path) for each file, in the given order.
    """
    staged: list[tuple[str, Path]] = []
    taken: set[str] = set()
    for source in files:
        source = Path(source)
        name = safe_name(source.name)
        candidate, n = name, 2
        while candidate.lower() in taken:
            stem, dot, ext = name.partition(".")
            candidate = f"{stem}-{n}{dot}{ext}"
            n += 1
        taken.add(candidate.lower())
        target = folder / candidate
        shutil.copyfile(source, target)
        staged.append((source.name, target))
    return staged


class UploadLog:
    """Append-only JSONL record of uploads: who added which file, and the outcome."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOG_NAME

    def add(self, *, user: str, name: str, path: Path, status: str, doc_id: str = "", clauses: int = 0, error: str = "") -> None:
        row: dict[str, Any] = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "user": user,
            "name": name,
            "path": str(path),
            "sha256": _sha256(path),
            "status": status,
            "doc_id": doc_id,
            "clauses": clauses,
            "error": error,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _log_lock, self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")

    def rows(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""
