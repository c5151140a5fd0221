"""Uploaded files: checked before use, safe names, one kept folder per upload, and a log of who added what.

Every upload is judged first by :func:`check_upload` — its type from the name, its size from the
file system, and its first bytes — before it is copied or parsed; a refused file gets its one-line
reason and goes no further. An accepted upload is copied into
``kb_dir/uploads/<time>-<user>-<random>/`` under a sanitised name (no folders, no leading dots, no
characters outside letters, digits, ``.``, ``-``, ``_``), so a crafted name can never write outside
that folder. ``uploads/log.jsonl`` records each file, refused ones included: time, user, name,
sha256 and what became of it.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import stat
import threading
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from policykb.errors import CorruptFileError, EmptyDocumentError, FileTooLargeError, IngestError, UnsupportedFileError

if TYPE_CHECKING:
    from policykb.settings import Settings

__all__ = ["safe_name", "check_upload", "screen_uploads", "new_upload_dir", "stage_files", "UploadLog", "LOG_NAME"]

LOG_NAME = "log.jsonl"
_UNSAFE = re.compile(r"[^\w.\-]+")
_MAX_NAME = 120
_log_lock = threading.Lock()


def safe_name(name: str) -> str:
    """A file name safe to create in a folder: the last path part, unsafe runs replaced by "_", no leading "." or "-"."""
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip("._ -")
    if not base or base in (".", ".."):
        base = "upload"
    if len(base) > _MAX_NAME:
        suffix = "".join(Path(base).suffixes[-2:])[:20]
        base = base[: _MAX_NAME - len(suffix)] + suffix
    return base


_MB = 1024 * 1024
_HEAD = 1024
# first bytes of common binary formats, none of which is a text document
_BINARY = ((b"PK\x03\x04", "zip archive"), (b"%PDF-", "PDF"), (b"\x7fELF", "program"), (b"MZ", "Windows program"),
           (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"), (b"Rar!", "RAR archive"),
           (b"7z\xbc\xaf", "7-Zip archive"), (b"\x1f\x8b", "gzip archive"), (b"\xd0\xcf\x11\xe0", "old Office (.doc/.xls)"))


def check_upload(path: str | Path, settings: Settings, name: str | None = None) -> None:
    """Refuse an upload that is not a document policykb reads, before anything copies or parses it.

    Judged by the name's type (a supported document, or a ``.meta.json`` metadata file), the size
    on disk (``settings.max_file_mb``; metadata files 1 MB), and the first bytes: a .docx must start
    like a zip archive, a .pdf must say ``%PDF-``, and a text file must not start like a known
    binary format.

    Raises:
        UnsupportedFileError, FileTooLargeError, EmptyDocumentError, CorruptFileError, IngestError:
            one line that starts with the file's name.
    """
    from policykb.ingest import SUPPORTED_SUFFIXES
    from policykb.ingest.metadata import MAX_SIDECAR_BYTES, SIDECAR_SUFFIX

    path = Path(path)
    name = name or path.name
    sidecar = name.lower().endswith(SIDECAR_SUFFIX)
    suffix = Path(safe_name(name)).suffix.lower()
    if not sidecar and suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileError(
            f"{name}: unsupported file type {suffix or '(no extension)'!r}; "
            f"convert it to one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    try:
        info = path.lstat()
    except OSError as exc:
        raise IngestError(f"{name}: the upload cannot be read ({exc.strerror or exc}); upload it again") from None
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(f"{name}: the upload is not a regular file; upload the document itself")
    limit, limit_mb = (MAX_SIDECAR_BYTES, MAX_SIDECAR_BYTES / _MB) if sidecar else (settings.max_file_bytes, settings.max_file_mb)
    if info.st_size > limit:
        raise FileTooLargeError(
            f"{name}: is {_size(info.st_size)}, over the {limit_mb:g} MB limit; "
            + ("a metadata file holds a few fields" if sidecar else "split the file, or raise POLICYKB_MAX_FILE_MB")
        )
    if info.st_size == 0:
        raise EmptyDocumentError(f"{name}: the file is empty (0 bytes); check that this is the right file")
    with path.open("rb") as source:
        head = source.read(_HEAD)
    if suffix == ".docx" and not head.startswith(b"PK\x03\x04"):
        raise CorruptFileError(f"{name}: is not a Word .docx (it does not start like one); open it in Word and save it as .docx")
    if suffix == ".pdf" and b"%PDF-" not in head:
        raise CorruptFileError(f"{name}: is not a PDF (it has no %PDF- header); re-export it as PDF")
    if sidecar or suffix in (".txt", ".md", ".html", ".htm"):
        kind = next((kind for magic, kind in _BINARY if head.startswith(magic)), None)
        if kind:
            raise CorruptFileError(f"{name}: is a {kind}, not text, despite its name; upload the document itself")


def _size(n: int) -> str:
    return f"{n / _MB:.1f} MB" if n >= _MB // 10 else f"{n / 1024:.0f} KB"


def screen_uploads(files: Sequence[str | Path], settings: Settings) -> tuple[list[Path], list[dict[str, Any]]]:
    """Split uploads into the accepted files and result rows (``name``, ``status`` "failed", ``error``) for the refused."""
    accepted: list[Path] = []
    refused: list[dict[str, Any]] = []
    for source in files:
        source = Path(source)
        try:
            check_upload(source, settings)
        except IngestError as exc:
            refused.append({"name": source.name, "status": "failed", "doc_id": "", "clauses": 0, "error": str(exc)})
            continue
        accepted.append(source)
    return accepted, refused


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

    def add(self, *, user: str, name: str, path: Path | None, status: str, doc_id: str = "", clauses: int = 0,
            error: str = "") -> None:
        """Append one row; ``path`` None for a file that was refused and never kept (no path, no hash)."""
        row: dict[str, Any] = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "user": user,
            "name": name,
            "path": str(path) if path is not None else "",
            "sha256": _sha256(path) if path is not None else "",
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
