"""Text files decode correctly in every common encoding without being told which, or fail clearly."""
from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from policykb.errors import CorruptFileError, EncodingError
from policykb.ingest import load_document
from policykb.ingest.encoding import decode_bytes

SIMPLIFIED = (
    "浙江省普惠金融服务办法\n第一条　为了支持小微企业发展，提高金融服务水平，制定本办法。\n"
    "第二条　银行机构应当在宁波、温州、台州、丽水推广供应链金融和数字人民币。\n"
    "第三条　个人信息保护和投诉处理依照本办法第二条执行。\n"
)
TRADITIONAL = (
    "臺灣地區銀行業普惠金融說明\n第一條　為了支持小微企業發展，提高金融服務水準，制定本辦法。\n"
    "第二條　銀行機構應當推廣供應鏈金融與綠色信貸，並加強個人資料保護。\n"
    "第三條　投訴處理依照本辦法第二條辦理。\n"
)


@pytest.mark.parametrize(
    ("text", "raw_encoding", "detected"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8"),
        (SIMPLIFIED, "utf-16", "utf-16-le"),  # Python writes a BOM, little-endian
        (SIMPLIFIED, "utf-16-le", "utf-16-le"),  # no BOM: found from the NUL bytes
        (SIMPLIFIED, "utf-16-be", "utf-16-be"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (SIMPLIFIED, "gbk", "gb18030"),
        (SIMPLIFIED, "gb2312", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL, "utf-8", "utf-8"),
        (TRADITIONAL, "utf-16-be", "utf-16-be"),
    ],
)
def test_decodes_without_being_told(text: str, raw_encoding: str, detected: str) -> None:
    data = text.encode(raw_encoding)
    assert decode_bytes(data, "f.txt") == (text, detected)


def test_utf16_be_with_bom_and_utf32() -> None:
    assert decode_bytes(codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), "f.txt")[0] == SIMPLIFIED
    assert decode_bytes(SIMPLIFIED.encode("utf-32"), "f.txt")[0] == SIMPLIFIED


@pytest.mark.parametrize("encoding", ["gb18030", "big5", "utf-16-le", "utf-8-sig"])
def test_files_in_each_encoding_parse_to_the_same_clauses(tmp_path: Path, settings, encoding: str) -> None:
    text = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    reference = tmp_path / "ref.txt"
    reference.write_text(text, encoding="utf-8")
    other = tmp_path / f"other-{encoding}.txt"
    other.write_bytes(text.encode(encoding))
    a = load_document(reference, settings, doc_id="x")
    b = load_document(other, settings, doc_id="x")
    assert a.clauses == b.clauses and len(a.clauses) == 3
    assert a.clauses[2].refs == ("x:2",)


def test_english_windows_1252_with_curly_quotes() -> None:
    text = "Article 1 The bank\u2019s \u201cgreen\u201d loans \u2014 caf\u00e9 owners included."
    assert decode_bytes(text.encode("cp1252"), "f.txt") == (text, "cp1252")


def test_not_confident_means_an_error_not_mojibake() -> None:
    data = "测试".encode("gb18030")  # two uncommon characters: GB18030 and Big5 both decode them
    with pytest.raises(EncodingError) as info:
        decode_bytes(data, "short.txt")
    message = str(info.value)
    assert message.startswith("short.txt: cannot tell the text encoding") and "UTF-8" in message and "\n" not in message


def test_bad_bytes_after_a_bom() -> None:
    with pytest.raises(EncodingError) as info:
        decode_bytes(codecs.BOM_UTF8 + b"abc \xff\xfe\xfd", "bom.txt")
    assert str(info.value).startswith("bom.txt: starts with a utf-8 byte-order mark")


@pytest.mark.parametrize("seed", range(5))
def test_binary_garbage_is_refused(seed: int) -> None:
    data = random.Random(seed).randbytes(4096)
    with pytest.raises((CorruptFileError, EncodingError)) as info:
        decode_bytes(data, "garbage.txt")
    assert str(info.value).startswith("garbage.txt: ")


def test_binary_without_nul_bytes_but_with_control_characters() -> None:
    data = bytes(range(1, 32)) * 50 + b"some text"
    with pytest.raises(CorruptFileError) as info:
        decode_bytes(data, "ctl.txt")
    assert "binary" in str(info.value)
