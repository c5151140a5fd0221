"""Loaders for .md, .html, .docx and .pdf give back the words of the document, parsed into clauses."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from policykb.errors import CorruptFileError, EmptyDocumentError, UnsupportedFileError
from policykb.ingest import load_document
from policykb.ingest.htmltext import html_to_text
from policykb.ingest.mdtext import markdown_to_text


def test_markdown_markup_is_stripped(tmp_path: Path, settings) -> None:
    path = tmp_path / "rule.md"
    path.write_text(
        "# Green Credit Rules\n\n## Chapter 1 General\n\n"
        "**Article 1** These *Measures* apply to [banks](https://example.org) and `village banks`.\n\n"
        "- Article 2 Banks shall __report__ quarterly:\n  - (a) balances;\n  - (b) benefits.\n\n"
        "> Article 3 See Article 2 of these Measures.\n\n---\n\n| Article 4 | Reports are public. |\n|---|---|\n",
        encoding="utf-8",
    )
    doc = load_document(path, settings)
    assert doc.title == "Green Credit Rules"
    assert [c.label for c in doc.clauses] == ["Article 1", "Article 2", "Article 3", "Article 4"]
    assert doc.clauses[0].text == "These Measures apply to banks and village banks."
    assert [i.label for i in doc.clauses[1].items] == ["(a)", "(b)"]
    assert doc.clauses[2].refs == ("rule:2",)
    assert doc.clauses[3].text == "Reports are public."
    assert doc.sections[0].title == "General"


def test_markdown_keeps_snake_case_and_lone_asterisks() -> None:
    assert markdown_to_text("a_b_c costs 2 * 3 and **bold** text") == "a_b_c costs 2 * 3 and bold text"


def test_html_drops_scripts_styles_nav_and_breaks_blocks(tmp_path: Path, settings) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='gbk'><title>站点标题</title><style>p{color:red}</style></head><body>"
        "<nav><a href='/'>首页</a> | <a href='/news'>新闻</a></nav><script>var x = '第九条';</script>"
        "<h1>普惠金融办法</h1><p>第一条&nbsp;为了规范服务，制定本办法。</p>"
        "<div>第二条 银行应当做到：<br>（一）公开收费；<br/>（二）保护信息。</div>"
        "<table><tr><td>第三条</td><td>本办法自公布之日起施行。</td></tr></table></body></html>",
        encoding="gbk",
    )
    doc = load_document(path, settings)
    assert doc.title == "普惠金融办法"
    assert [c.label for c in doc.clauses] == ["第一条", "第二条", "第三条"]
    assert doc.clauses[0].text == "为了规范服务，制定本办法。"
    assert [i.label for i in doc.clauses[1].items] == ["（一）", "（二）"]
    assert doc.clauses[2].text == "本办法自公布之日起施行。"
    everything = doc.title + doc.preamble + "".join(c.text for c in doc.clauses)
    for dropped in ("首页", "新闻", "var x", "color", "站点标题"):
        assert dropped not in everything


def test_html_without_declared_charset_is_detected() -> None:
    assert html_to_text("<p>a</p><p>b <b>c</b></p>").split() == ["a", "b", "c"]


def test_htm_suffix_and_empty_page(tmp_path: Path, settings) -> None:
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><title>x</title></head><body><script>1</script></body></html>", encoding="utf-8")
    with pytest.raises(EmptyDocumentError) as info:
        load_document(path, settings)
    assert str(info.value).startswith("empty.htm: ")


def test_docx_paragraphs_and_tables_in_order(make_docx, settings) -> None:
    path = make_docx(
        "浙江办法.docx",
        [
            "第一章 总则",
            "第一条 为了规范普惠金融服务，制定本办法。",
            "第二条 银行机构应当做到：",
            "（一）公开收费标准；",
            "（二）保护个人信息。",
            [["第三条", "本办法自2024年7月1日起施行。"]],
        ],
        heading="浙江省普惠金融办法（样例）",
    )
    doc = load_document(path, settings)
    assert doc.doc_id == "浙江办法"
    assert doc.title == "浙江省普惠金融办法（样例）"
    assert [c.label for c in doc.clauses] == ["第一条", "第二条", "第三条"]
    assert [i.text for i in doc.clauses[1].items] == ["公开收费标准；", "保护个人信息。"]
    assert doc.clauses[2].text == "本办法自2024年7月1日起施行。"
    assert doc.sections[0].title == "总则"
    assert len(doc.sha256) == 64


def test_pdf_text_comes_back(tmp_path: Path, settings, minimal_pdf) -> None:
    path = tmp_path / "green.pdf"
    path.write_bytes(
        minimal_pdf(
            [
                "Green Credit Reporting Rules (Sample)",
                "Article 1 These Measures apply to banks (including village banks).",
                "Article 2 Banks shall report quarterly:",
                "(a) balances;",
                "(b) benefits.",
                "Article 3 Reports under Article 2 are public.",
            ]
        )
    )
    doc = load_document(path, settings)
    assert doc.title == "Green Credit Reporting Rules (Sample)"
    assert [c.label for c in doc.clauses] == ["Article 1", "Article 2", "Article 3"]
    assert doc.clauses[0].text == "These Measures apply to banks (including village banks)."
    assert [i.label for i in doc.clauses[1].items] == ["(a)", "(b)"]
    assert doc.clauses[2].refs == ("green:2",)


def test_pdf_without_text_suggests_ocr(tmp_path: Path, settings) -> None:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as f:
        writer.write(f)
    with pytest.raises(EmptyDocumentError) as info:
        load_document(path, settings)
    assert str(info.value).startswith("scan.pdf: ") and "OCR" in str(info.value)


def test_password_protected_pdf(tmp_path: Path, settings, minimal_pdf) -> None:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(minimal_pdf(["Article 1 Secret."]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as f:
        writer.write(f)
    with pytest.raises(CorruptFileError) as info:
        load_document(path, settings)
    assert str(info.value).startswith("locked.pdf: ") and "password" in str(info.value)


def test_unsupported_type(tmp_path: Path, settings) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFileError) as info:
        load_document(path, settings)
    assert str(info.value).startswith("sheet.xlsx: unsupported file type '.xlsx'")


def test_upper_case_suffix(tmp_path: Path, settings) -> None:
    path = tmp_path / "RULE.TXT"
    path.write_text("(1) One. Body.\n(2) Two. Body.", encoding="utf-8")
    assert load_document(path, settings).doc_id == "rule"
