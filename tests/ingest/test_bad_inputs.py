"""Every bad input fails alone, with one line that names the file and says what to do."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from policykb.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncodingError,
    FileTooLargeError,
    IngestError,
)
from policykb.ingest import discover_files, load_document
from policykb.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OPINIONS = ROOT / "corpus" / "pbc-2022-60-zhejiang-common-prosperity-opinions.txt"
FIXTURES = ROOT / "tests" / "fixtures"


def assert_one_line(err: BaseException, name: str) -> str:
    message = str(err)
    assert message.startswith(f"{name}: "), message
    assert "\n" not in message and "Traceback" not in message
    assert len(message) > len(name) + 20
    return message


@pytest.fixture()
def folder(tmp_path: Path, make_docx, zip_bytes) -> Path:
    """Good documents and every kind of bad one, side by side."""
    shutil.copy(OPINIONS, tmp_path / OPINIONS.name)
    shutil.copy(OPINIONS.with_name(OPINIONS.stem + ".meta.json"), tmp_path)
    shutil.copy(FIXTURES / "zj-inclusive-finance-rules.gb18030.txt", tmp_path / "zj-gb.txt")
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(FIXTURES / "en-article-rules.txt", sub)
    make_docx("good.docx", ["第一条 为了规范服务，制定本办法。", "第二条 本办法自公布之日起施行。"]).rename(sub / "good.docx")
    (tmp_path / "plain.txt").write_text("A short note\n\nNo numbering here at all.\n\nA second paragraph.", encoding="utf-8")

    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\n\t\n", encoding="utf-8")
    (tmp_path / "garbage.txt").write_bytes(random.Random(7).randbytes(3000))
    (tmp_path / "corrupt.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive" * 10)
    (tmp_path / "notword.docx").write_bytes(zip_bytes({"hello.txt": b"hello"}))
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ngarbage")
    (tmp_path / "bomb.docx").write_bytes(zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": 30 * 1024 * 1024}))
    (tmp_path / "huge.txt").write_text("第一条 内容。\n" * 120_000, encoding="utf-8")  # about 2 MB
    (tmp_path / ".hidden.txt").write_text("(1) hidden.", encoding="utf-8")
    (tmp_path / "table.xlsx").write_bytes(b"PK")
    return tmp_path


EXPECTED_FAILURES = {
    "empty.txt": (EmptyDocumentError, "empty"),
    "blank.md": (EmptyDocumentError, "empty"),
    "garbage.txt": ((CorruptFileError, EncodingError), "UTF-8"),
    "corrupt.docx": (CorruptFileError, "not a valid .docx"),
    "notword.docx": (CorruptFileError, "without word/document.xml"),
    "corrupt.pdf": (CorruptFileError, "not a readable PDF"),
    "bomb.docx": (FileTooLargeError, "zip bomb"),
    "huge.txt": (FileTooLargeError, "POLICYKB_MAX_FILE_MB"),
}


def test_bad_files_fail_alone_and_good_files_ingest(folder: Path) -> None:
    settings = Settings.from_env(env={}, max_file_mb=1.0, max_unpacked_mb=20.0)
    files, notes = discover_files([folder])
    assert sorted(n.split(":")[0].rsplit("/", 1)[-1] for n in notes) == [".hidden.txt", "table.xlsx"]
    ingested, failed = {}, {}
    for path in files:
        try:
            ingested[path.name] = load_document(path, settings)
        except IngestError as err:
            failed[path.name] = err
    assert set(failed) == set(EXPECTED_FAILURES)
    for name, (kind, phrase) in EXPECTED_FAILURES.items():
        assert isinstance(failed[name], kind), (name, failed[name])
        assert phrase in assert_one_line(failed[name], name)
    assert set(ingested) == {OPINIONS.name, "zj-gb.txt", "en-article-rules.txt", "good.docx", "plain.txt"}
    assert len(ingested[OPINIONS.name].clauses) == 31
    assert len(ingested["zj-gb.txt"].clauses) == 25
    assert len(ingested["en-article-rules.txt"].clauses) == 10
    assert len(ingested["good.docx"].clauses) == 2
    plain = ingested["plain.txt"]
    assert plain.warnings == ("no clause numbering found; split into 2 paragraphs",)
    assert [c.label for c in plain.clauses] == ["¶1", "¶2"]


def test_real_multi_hundred_megabyte_zip_bomb_with_default_limits(tmp_path: Path, settings, zip_bytes) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": 256 * 1024 * 1024}, level=1))
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(FileTooLargeError) as info:
        load_document(path, settings)
    message = assert_one_line(info.value, "report.docx")
    assert "zip bomb" in message and "256 MB" in message and "200 MB" in message


def test_compression_ratio_alone_flags_a_bomb(tmp_path: Path, settings, zip_bytes) -> None:
    path = tmp_path / "ratio.docx"
    path.write_bytes(zip_bytes({"word/document.xml": b"<w:document/>", "word/media/pad.bin": 12 * 1024 * 1024}))
    with pytest.raises(FileTooLargeError) as info:
        load_document(path, settings)
    assert "compresses" in assert_one_line(info.value, "ratio.docx")


def test_truncated_docx_is_corrupt(tmp_path: Path, make_docx, settings) -> None:
    good = make_docx("whole.docx", ["第一条 内容。"])
    path = tmp_path / "cut.docx"
    path.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(CorruptFileError) as info:
        load_document(path, settings)
    assert_one_line(info.value, "cut.docx")


def test_missing_file_and_folder(tmp_path: Path, settings) -> None:
    with pytest.raises(IngestError) as info:
        load_document(tmp_path / "nope.txt", settings)
    assert "does not exist" in assert_one_line(info.value, "nope.txt")
    with pytest.raises(IngestError) as info:
        load_document(tmp_path, settings)
    assert "is not a file" in str(info.value)


def test_bad_sidecar_is_reported_against_the_document(tmp_path: Path, settings) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("(1) One. Body.", encoding="utf-8")
    side = tmp_path / "doc.meta.json"
    for content, phrase in [("{not json", "not valid UTF-8 JSON"), ('["a"]', "JSON object"), ('{"issuers": "PBC"}', "'issuers'"),
                            ('{"lang": "fr"}', "'lang'"), ('{"doc_id": "a b"}', "'doc_id'")]:
        side.write_text(content, encoding="utf-8")
        with pytest.raises(CorruptFileError) as info:
            load_document(path, settings)
        message = assert_one_line(info.value, "doc.txt")
        assert "doc.meta.json" in message and phrase in message
