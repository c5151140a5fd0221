"""Folders expand into sorted supported files, with notes for what is skipped; doc ids from file names."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from policykb.errors import IngestError
from policykb.ingest import SUPPORTED_SUFFIXES, discover_files, doc_id_from_path


def touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_recursive_sorted_with_notes(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    for rel in ["b.txt", "a.md", "sub/z.pdf", "sub/c.docx", "sub/deeper/d.html", "e.HTM", "a.meta.json",
                ".hidden.txt", ".git/config.txt", "notes.xlsx", "~$draft.docx", "README"]:
        touch(root / rel)
    outside = touch(tmp_path / "outside" / "secret.txt")
    os.symlink(outside, root / "link-out.txt")
    os.symlink(root / "b.txt", root / "link-in.txt")
    os.symlink(outside.parent, root / "linkdir")
    files, notes = discover_files([root])
    assert [p.relative_to(root).as_posix() for p in files] == ["a.md", "b.txt", "e.HTM", "sub/c.docx", "sub/deeper/d.html", "sub/z.pdf"]
    joined = "\n".join(notes)
    assert len(notes) == 7, notes
    for name, reason in [(".hidden.txt", "hidden file"), (".git", "hidden folder"), ("notes.xlsx", "unsupported type '.xlsx'"),
                         ("~$draft.docx", "lock file"), ("README", "(no extension)"), ("link-out.txt", "outside"), ("linkdir", "outside")]:
        assert any(n.startswith(str(root / name) + ": skipped") and reason in n for n in notes), (name, joined)
    assert "a.meta.json" not in joined and "link-in.txt" not in joined  # sidecars silently; inside links dedupe


def test_deterministic_and_deduplicated(tmp_path: Path) -> None:
    a = touch(tmp_path / "a.txt")
    touch(tmp_path / "b.txt")
    first = discover_files([tmp_path, a])
    assert first == discover_files([tmp_path, a])
    assert [p.name for p in first[0]] == ["a.txt", "b.txt"]


def test_explicit_files_and_missing_paths(tmp_path: Path) -> None:
    hidden = touch(tmp_path / ".explicit.txt")
    sheet = touch(tmp_path / "s.xlsx")
    files, notes = discover_files([hidden, sheet])
    assert files == [hidden] and len(notes) == 1 and "unsupported" in notes[0]
    with pytest.raises(IngestError) as info:
        discover_files([tmp_path / "missing-dir"])
    assert str(info.value).startswith(str(tmp_path / "missing-dir")) and "no such file" in str(info.value)


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"})


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("pbc-2022-60-zhejiang-common-prosperity-opinions.txt", "pbc-2022-60-zhejiang-common-prosperity-opinions"),
        ("PBC 2022_60  Opinions (final).DOCX", "pbc-2022-60-opinions-final"),
        ("浙江普惠 办法.docx", "浙江普惠-办法"),
        ("ＡＢＣ１２.txt", "abc12"),
        ("zj-rules.gb18030.txt", "zj-rules-gb18030"),
        ("---.txt", "document"),
    ],
)
def test_doc_id_from_path(name: str, slug: str) -> None:
    assert doc_id_from_path(Path("/any/dir") / name) == slug
