"""Finding the files to ingest: folders walked recursively, sorted, with notes for what is skipped."""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Sequence

from policykb.errors import IngestError

from .loaders import SUPPORTED_SUFFIXES
from .metadata import SIDECAR_SUFFIX

__all__ = ["discover_files", "doc_id_from_path", "shown_path"]

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def doc_id_from_path(path: Path) -> str:
    """A stable slug from the file name: "PBC 2022_60 Opinions.txt" → "pbc-2022-60-opinions".

    Unicode word characters are kept (浙江普惠办法.docx → "浙江普惠办法"), ASCII is lower-cased,
    every other run of characters becomes one "-".
    """
    stem = unicodedata.normalize("NFKC", Path(path).stem).lower()
    slug = re.sub(r"(?:[^\w]|_)+", "-", stem).strip("-")
    return slug or "document"


def shown_path(path: Path | str) -> str:
    """A path as one printable line: control, line-separator and bidi-override characters as escapes."""
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(path))


def discover_files(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into the supported files to ingest, plus one-line notes on what was skipped.

    Folders are walked recursively in sorted order. Skipped with a note: hidden files and folders,
    Office lock files (``~$…``), unsupported types, symbolic links that point outside the folder
    given (a link named explicitly is followed: the user chose it). Skipped silently: ``*.meta.json``
    sidecars. Also skipped with a note: file names that are not valid UTF-8. A file reached twice is
    listed once. Each note is one line (see :func:`shown_path`).

    Raises:
        IngestError: a given path does not exist.
    """
    files: list[Path] = []
    notes: list[str] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise IngestError(f"{shown_path(path)}: no such file or folder; check the path")
        if path.is_dir():
            _walk(path, files, notes, seen)
        else:
            _take(path, None, files, notes, seen)
    return files, notes


def _walk(root: Path, files: list[Path], notes: list[str], seen: set[Path]) -> None:
    real_root = root.resolve()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            sub = here / d
            if d.startswith("."):
                notes.append(f"{shown_path(sub)}: skipped (hidden folder)")
            elif sub.is_symlink():
                note = _link_note(sub, real_root)
                if note:
                    notes.append(note)
            else:
                kept.append(d)
        dirnames[:] = kept
        found.extend(here / f for f in filenames)
    for path in sorted(found, key=lambda p: p.relative_to(root).parts):
        _take(path, real_root, files, notes, seen)


def _take(path: Path, real_root: Path | None, files: list[Path], notes: list[str], seen: set[Path]) -> None:
    name = path.name
    if name.endswith(SIDECAR_SUFFIX):
        return
    if real_root is not None:
        if name.startswith("."):
            notes.append(f"{shown_path(path)}: skipped (hidden file)")
            return
        note = _link_note(path, real_root) if path.is_symlink() else ""
        if note:
            notes.append(note)
            return
    if not _utf8(str(path)):
        notes.append(f"{shown_path(path)}: skipped (its name is not valid UTF-8; rename it)")
        return
    if name.startswith("~$"):
        notes.append(f"{shown_path(path)}: skipped (temporary Office lock file)")
        return
    if not path.is_file():
        notes.append(f"{shown_path(path)}: skipped (not a regular file)")
        return
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        notes.append(f"{shown_path(path)}: skipped (unsupported type {suffix or '(no extension)'!r}; "
                     f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
        return
    real = path.resolve()
    if real in seen:
        return
    seen.add(real)
    files.append(path)


def _link_note(link: Path, root: Path) -> str:
    """Why a symbolic link met in the walk is skipped ("" when it stays inside ``root``)."""
    try:
        target = link.resolve()
    except (RuntimeError, OSError):  # a loop of links
        return f"{shown_path(link)}: skipped (symbolic link that loops back on itself)"
    if _inside(target, root):
        return ""
    return f"{shown_path(link)}: skipped (symbolic link to {shown_path(target)}, outside {shown_path(root)})"


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes of another encoding in a file name arrive as lone surrogates
        return False
    return True


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
