"""Archive and decompression bombs: .docx (zip) bombs of every shape, XML entity bombs, PDF stream and form bombs.

Each bomb is refused with one line naming the file (FileTooLargeError for a bomb, CorruptFileError
for a damaged file) before anything expands; genuine files of the same shapes still load.
"""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from policykb.errors import CorruptFileError, FileTooLargeError
from policykb.ingest import load_document
from policykb.ingest.archive import MAX_MEMBERS, MAX_NESTING
from policykb.ingest.loaders import load_docx, load_pdf
from policykb.settings import Settings

from hostile_files import MB, docx_bytes, docx_with, pdf_bytes, zip_bytes

RULES = ["第一条 为了规范服务，制定本办法。 MARK", "第二条 本办法自公布之日起施行。"]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.from_env(env={})


@pytest.fixture(scope="module")
def base() -> bytes:
    return docx_bytes(RULES)


def _one_line(err: BaseException, name: str) -> str:
    message = str(err)
    assert message.startswith(f"{name}: ") and "\n" not in message, message
    return message


def _refused(data: bytes, settings: Settings, kind: type = FileTooLargeError, name: str = "bomb.docx") -> str:
    with pytest.raises(kind) as info:
        (load_docx if name.endswith(".docx") else load_pdf)(data, name, settings)
    return _one_line(info.value, name)


# -- zip bombs inside a .docx ------------------------------------------------------------------
def test_a_genuine_document_with_an_embedded_document_loads(base: bytes, settings: Settings) -> None:
    inner = docx_bytes(["An embedded document."])
    data = docx_with(base, add={"word/embeddings/Microsoft_Word_Document.docx": docx_with(inner, add={"word/embeddings/x.zip":
                                                                                                      zip_bytes({"x.txt": b"x" * 100})})})
    assert load_docx(data, "ok.docx", settings).startswith("第一条 为了规范服务")


def test_a_bomb_nested_inside_the_document_is_refused_by_its_declared_size(base: bytes, settings: Settings) -> None:
    data = docx_with(base, add={"word/embeddings/data.zip": zip_bytes({"a.bin": 300 * MB})})
    assert len(data) < MB
    message = _refused(data, settings)
    assert "301 MB (with the archives inside it)" in message and "200 MB limit" in message and "zip bomb" in message


def test_a_nested_member_that_compresses_too_well_is_refused(base: bytes, settings: Settings) -> None:
    data = docx_with(base, add={"word/embeddings/data.zip": zip_bytes({"a.bin": 60 * MB})})
    message = _refused(data, settings)
    assert "word/embeddings/data.zip › 'a.bin' compresses" in message


def test_archives_nested_deeper_than_a_document_embeds_are_refused(base: bytes, settings: Settings) -> None:
    chain = zip_bytes({"c.txt": b"tiny"})
    for depth in range(MAX_NESTING, 0, -1):
        chain = zip_bytes({f"level{depth}.zip": chain})
    message = _refused(docx_with(base, add={"word/embeddings/level0.zip": chain}), settings)
    assert f"nested {MAX_NESTING + 1} deep" in message and "level0.zip › level1.zip" in message


def test_the_whole_archive_compressing_too_well_is_refused(base: bytes, settings: Settings) -> None:
    data = docx_with(base, add={f"word/media/part{i}.bin": 5 * MB for i in range(12)})  # each under the per-member floor
    assert "as a whole" in _refused(data, settings)


def test_too_many_members_are_refused(base: bytes, settings: Settings) -> None:
    data = docx_with(base, add={f"customXml/item{i}.xml": b"<a/>" for i in range(MAX_MEMBERS)})
    assert "archive members" in _refused(data, settings)


def test_a_member_that_declares_less_than_it_holds_never_inflates_past_its_declaration(base: bytes, tmp_path: Path,
                                                                                         settings: Settings) -> None:
    original = zipfile.ZipFile(io.BytesIO(base)).read("word/document.xml")
    padded = original + b" " * (40 * MB)  # trailing whitespace after the root element: still well-formed XML
    data = bytearray(docx_with(base, replace={"word/document.xml": padded}))
    _lie_about_size(data, "word/document.xml", len(original) // 2)
    path = tmp_path / "liar.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError) as info:
        load_document(path, settings)
    assert "damaged Word document" in _one_line(info.value, "liar.docx")


def _lie_about_size(data: bytearray, member: str, size: int) -> None:
    """Rewrite the uncompressed size of ``member`` in its local header and the central directory."""
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        name_len, = struct.unpack_from("<H", data, local + 26)
        if data[local + 30:local + 30 + name_len] == name:
            struct.pack_into("<I", data, local + 22, size)
            break
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_len, = struct.unpack_from("<H", data, central + 28)
        if data[central + 46:central + 46 + name_len] == name:
            struct.pack_into("<I", data, central + 24, size)
            return
        central = data.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{member} not found")


# -- XML inside a .docx ------------------------------------------------------------------------
def _with_doctype(base: bytes, doctype: str, entity: str) -> bytes:
    xml = zipfile.ZipFile(io.BytesIO(base)).read("word/document.xml").decode()
    xml = xml.replace("<w:document ", doctype + "<w:document ", 1).replace("MARK", entity)
    return docx_with(base, replace={"word/document.xml": xml.encode()})


def test_an_entity_expansion_bomb_is_refused(base: bytes, settings: Settings) -> None:
    entities = "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
    data = _with_doctype(base, f'<!DOCTYPE w:document [<!ENTITY lol "lol">{entities}]>', "&lol9;")
    try:
        text = load_docx(data, "laughs.docx", settings)
    except CorruptFileError as err:
        _one_line(err, "laughs.docx")
    else:
        assert "lollol" not in text


@pytest.mark.parametrize("doctype, entity", [
    ('<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;"),
    ('<!DOCTYPE w:document [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>', ""),
])
def test_external_entities_never_read_local_files(base: bytes, settings: Settings, tmp_path: Path, doctype: str, entity: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a", encoding="utf-8")
    data = _with_doctype(base, doctype.replace("{secret}", str(secret)), entity)
    try:
        text = load_docx(data, "xxe.docx", settings)
    except CorruptFileError as err:
        text = _one_line(err, "xxe.docx")
    assert "TOP-SECRET" not in text


# -- PDF decompression bombs -----------------------------------------------------------------
def test_a_genuine_pdf_with_a_form_loads(settings: Settings) -> None:
    data = pdf_bytes([b"/X0 Do"], forms={"X0": b"BT /F1 11 Tf 56 780 Td (Article 1 Text drawn by a form.) Tj ET"})
    assert load_pdf(data, "ok.pdf", settings).strip() == "Article 1 Text drawn by a form."


def test_a_content_stream_bomb_is_refused_before_extraction(settings: Settings) -> None:
    data = pdf_bytes([b"BT /F1 9 Tf " + b"(a) Tj " * 3_000_000 + b"ET"])
    assert len(data) < 100_000
    message = _refused(data, settings, name="bomb.pdf")
    assert "decompression bomb" in message and ":1" in message


def test_a_stream_over_the_readers_own_limit_is_a_bomb(settings: Settings) -> None:
    message = _refused(pdf_bytes([b" " * 80 * MB]), settings, name="bomb.pdf")
    assert "decompression bomb" in message


@pytest.mark.slow
@pytest.mark.parametrize(("page", "form", "limit"), [
    (b"/X0 Do\n" * 50_000, b"BT /F1 9 Tf " + b"(a) Tj " * 100 + b" ET", "operations"),
    (b"/X0 Do\n" * 500_000, b"BT /F1 9 Tf (" + b"a" * 10_000 + b") Tj ET", "characters"),
])
def test_a_form_drawn_over_and_over_is_refused(settings: Settings, page: bytes, form: bytes, limit: str) -> None:
    data = pdf_bytes([page], forms={"X0": form})
    assert len(data) < 10_000
    message = _refused(data, settings, name="forms.pdf")
    assert "decompression bomb" in message and limit in message


@pytest.mark.slow
def test_many_busy_pages_exhaust_the_files_budget(settings: Settings) -> None:
    data = pdf_bytes([b"BT /F1 9 Tf " + b"(a) Tj " * 99_000 + b"ET"] * 12)
    assert "more than 1,000,000 drawing operations" in _refused(data, settings, name="pages.pdf")
