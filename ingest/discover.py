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

__all__ = ["discover_files", "doc_id_from_path"]


def doc_id_from_path(path: Path) -> str:
    """A stable slug from the file name: "PBC 2022_60 Opinions.txt" → "pbc-2022-60-opinions".

    Unicode word characters are kept (浙江普惠办法.docx → "浙江普惠办法"), ASCII is lower-cased,
    every other run of characters becomes one "-".
    """
    stem = unicodedata.normalize("NFKC", Path(path).stem).lower()
    slug = re.sub(r"(?:[^\w]|_)+", "-", stem).strip("-")
    return slug or "document"


def discover_files(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into the supported files to ingest, plus one-line notes on what was skipped.

    Folders are walked recursively in sorted order. Skipped with a note: hidden files and folders,
    Office lock files (``~$…``), unsupported types, symbolic links that point outside the folder
    given. Skipped silently: ``*.meta.json`` sidecars. A file reached twice is listed once.

    Raises:
        IngestError: a given path does not exist.
    """
    files: list[Path] = []
    notes: list[str] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise IngestError(f"{path}: no such file or folder; check the path")
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
                notes.append(f"{sub}: skipped (hidden folder)")
            elif sub.is_symlink():
                if not _inside(sub.resolve(), real_root):
                    notes.append(f"{sub}: skipped (symbolic link to {sub.resolve()}, outside {root})")
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
            notes.append(f"{path}: skipped (hidden file)")
            return
        if path.is_symlink() and not _inside(path.resolve(), real_root):
            notes.append(f"{path}: skipped (symbolic link to {path.resolve()}, outside {real_root})")
            return
    if name.startswith("~$"):
        notes.append(f"{path}: skipped (temporary Office lock file)")
        return
    if not path.is_file():
        notes.append(f"{path}: skipped (not a regular file)")
        return
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        notes.append(f"{path}: skipped (unsupported type {suffix or '(no extension)'!r}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
        return
    real = path.resolve()
    if real in seen:
        return
    seen.add(real)
    files.append(path)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
