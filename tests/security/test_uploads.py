"""Uploads: refused by type, size and first bytes before anything copies or parses them; names reduced to a
safe base name inside the upload's own folder; every file, refused or kept, logged with its user."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from policykb.app.uploads import UploadLog, check_upload, safe_name, screen_uploads, stage_files
from policykb.errors import CorruptFileError, EmptyDocumentError, FileTooLargeError, IngestError, UnsupportedFileError
from policykb.settings import Settings, repo_root

from hostile_files import docx_bytes, pdf_bytes, zip_bytes

FIXTURES = repo_root() / "tests" / "fixtures"
RULE = "Sample Kiosk Rules\n\nArticle 1 Kiosks open on market days.\n\nArticle 2 Staff explain the redemption terms.\n"


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "..\\..\\windows\\system.ini", "/abs/path/rules.txt", "C:\\Users\\x\\rules.txt", ".bashrc", "..", ".",
    "", "a/../../b.txt", "evil\x00.txt", "new\nline.txt", "\u202etxt.exe", "rules.txt/", "～／etc／passwd", "x" * 400 + ".txt",
    "名字 规则.docx", "   ", "-rf .txt", "CON.txt",
])
def test_safe_name_is_one_harmless_base_name(name: str) -> None:
    safe = safe_name(name)
    assert safe and not safe.startswith((".", "-"))
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe and "\n" not in safe and ".." not in safe
    assert all(ch.isalnum() or ch in "._-" for ch in safe), safe
    assert len(safe) <= 120


def test_safe_name_keeps_ordinary_names() -> None:
    assert safe_name("pbc-2022-60_opinions.v2.txt") == "pbc-2022-60_opinions.v2.txt"
    assert safe_name("浙江普惠办法.docx") == "浙江普惠办法.docx"
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("x" * 400 + ".meta.json").endswith(".meta.json")


def test_staged_files_stay_inside_their_folder_under_distinct_names(tmp_path: Path) -> None:
    sources = []
    for i, name in enumerate(["rules.txt", "Rules.txt", ".hidden.txt", "a b  c.txt", "名字.md"]):
        folder = tmp_path / f"src{i}"
        folder.mkdir()
        (folder / name).write_text(RULE, encoding="utf-8")
        sources.append(folder / name)
    target = tmp_path / "upload"
    target.mkdir()
    staged = stage_files(sources, target)
    assert [original for original, _ in staged] == ["rules.txt", "Rules.txt", ".hidden.txt", "a b  c.txt", "名字.md"]
    names = [path.name for _, path in staged]
    assert names == ["rules.txt", "Rules-2.txt", "hidden.txt", "a_b_c.txt", "名字.md"]
    assert all(path.parent == target for _, path in staged) and sorted(p.name for p in target.iterdir()) == sorted(names)


@pytest.fixture()
def settings() -> Settings:
    return Settings.from_env(env={}, max_file_mb=0.01)  # about 10 KB


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


REFUSED = [
    ("setup.exe", b"MZ\x90\x00", UnsupportedFileError, "unsupported file type '.exe'"),
    ("notes.xyz", b"hello", UnsupportedFileError, "unsupported file type '.xyz'"),
    ("Makefile", b"all:", UnsupportedFileError, "'(no extension)'"),
    ("rules.txt.exe", b"MZ", UnsupportedFileError, "'.exe'"),
    ("big.txt", b"Article 1 x. " * 2000, FileTooLargeError, "over the 0.01 MB limit"),
    ("big.meta.json", b'{"title": "' + b"x" * (1024 * 1024) + b'"}', FileTooLargeError, "metadata file holds a few fields"),
    ("empty.md", b"", EmptyDocumentError, "empty (0 bytes)"),
    ("fake.docx", b"<html>not a zip</html>", CorruptFileError, "is not a Word .docx"),
    ("fake.pdf", b"GIF89a not a pdf", CorruptFileError, "is not a PDF"),
    ("program.txt", b"\x7fELF\x02\x01\x01" + bytes(50), CorruptFileError, "is a program, not text"),
    ("archive.html", zip_bytes({"a.txt": b"a"}), CorruptFileError, "is a zip archive, not text"),
    ("image.md", b"\x89PNG\r\n\x1a\n" + bytes(20), CorruptFileError, "is a PNG image"),
    ("old.txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(20), CorruptFileError, "old Office"),
]


@pytest.mark.parametrize(("name", "data", "kind", "phrase"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_uploads(tmp_path: Path, settings: Settings, name: str, data: bytes, kind: type, phrase: str) -> None:
    with pytest.raises(kind) as info:
        check_upload(_file(tmp_path, name, data), settings)
    message = str(info.value)
    assert message.startswith(f"{name}: ") and phrase in message and "\n" not in message


@pytest.mark.parametrize(("name", "data"), [
    ("rules.txt", RULE.encode("utf-8")),
    ("rules-utf16.txt", RULE.encode("utf-16")),
    ("rules.md", b"# Rules\n\nArticle 1 Text."),
    ("rules.htm", b"<p>Article 1 Text.</p>"),
    ("rules.docx", docx_bytes(["Article 1 Text."])),
    ("rules.pdf", pdf_bytes([b"BT /F1 11 Tf 56 780 Td (Article 1 Text.) Tj ET"])),
    ("rules.meta.json", b'{"title": "Rules"}'),
    ("RULES.TXT", b"Article 1 Text."),
])
def test_accepted_uploads(tmp_path: Path, name: str, data: bytes) -> None:
    check_upload(_file(tmp_path, name, data), Settings.from_env(env={}))


def test_size_and_kind_are_judged_without_reading_the_file(tmp_path: Path, settings: Settings) -> None:
    sparse = tmp_path / "huge.pdf"
    with sparse.open("wb") as out:
        out.truncate(64 * 1024 ** 3)  # 64 GB on paper, nothing on disk: reading it would take minutes
    with pytest.raises(FileTooLargeError, match=r"huge.pdf: is 65536.0 MB, over the 0.01 MB limit"):
        check_upload(sparse, settings)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading would block for ever
    with pytest.raises(IngestError, match="pipe.txt: the upload is not a regular file"):
        check_upload(fifo, settings)
    link = tmp_path / "link.txt"
    os.symlink(FIXTURES / "en-article-rules.txt", link)
    with pytest.raises(IngestError, match="link.txt: the upload is not a regular file"):
        check_upload(link, Settings.from_env(env={}))


def test_screen_splits_accepted_and_refused_rows(tmp_path: Path, settings: Settings) -> None:
    good = _file(tmp_path, "rules.txt", RULE.encode())
    bad = _file(tmp_path, "tool.exe", b"MZ")
    accepted, refused = screen_uploads([bad, good], settings)
    assert accepted == [good]
    assert refused == [{"name": "tool.exe", "status": "failed", "doc_id": "", "clauses": 0,
                        "error": "tool.exe: unsupported file type '.exe'; convert it to one of .docx, .htm, .html, .md, .pdf, .txt"}]


@pytest.mark.slow
def test_ingest_from_the_app_refuses_before_copying_and_logs_the_user_of_every_file(tmp_path: Path) -> None:
    from policykb.app.context import AppContext
    from policykb.app.ui_documents import ingest_files
    from policykb.kb import KnowledgeBase

    incoming = tmp_path / "gradio-tmp"
    incoming.mkdir()
    good = _file(incoming, "kiosk-rules.txt", RULE.encode())
    refused = [_file(incoming, "tool.exe", b"MZ"), _file(incoming, "big.txt", b"Article 1 x. " * 2000),
               _file(incoming, "zip.txt", zip_bytes({"a": b"a"}))]
    settings = Settings.from_env(env={}, kb_dir=tmp_path / "kb", max_file_mb=0.01)
    kb = KnowledgeBase(settings)
    try:
        ctx = AppContext(settings=settings, kb=kb)
        rows, report = ingest_files(ctx, [*refused, good], "bob")
    finally:
        kb.close()
    by_name = {row["name"]: row for row in rows}
    assert by_name["kiosk-rules.txt"]["status"] == "added" and report.added == 1
    for path in refused:
        row = by_name[path.name]
        assert row["status"] == "failed" and row["error"].startswith(f"{path.name}: ")
    kept = [p for p in (ctx.uploads_dir).rglob("*") if p.is_file() and p.name != "log.jsonl"]
    assert [p.name for p in kept] == ["kiosk-rules.txt"] and "-bob-" in kept[0].parent.name
    log = UploadLog(ctx.uploads_dir).rows()
    assert sorted((r["name"], r["user"], r["status"]) for r in log) == sorted(
        [("kiosk-rules.txt", "bob", "added")] + [(p.name, "bob", "failed") for p in refused])
    assert all(r["path"] == "" and r["sha256"] == "" for r in log if r["status"] == "failed")
    shutil.rmtree(incoming)
