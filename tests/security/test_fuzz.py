"""Fuzzing the loaders and the parser: 10,200 generated inputs, and nothing but an IngestError ever escapes.

Every input goes through a loader (txt, md, html, docx, pdf) and, when that yields text, through
``parse_text`` too; the parser is also fed text built from numbering markers, web artifacts and
control characters. Hypothesis runs derandomized (the same inputs on every run, no example
database), so CI is deterministic. Each test checks it really ran its share of the inputs.

Last, hostile inputs that made the standard-library-based converters quadratic (``**a`` or
``[a](`` repeated, ``<a`` repeated, runs of spaces, unterminated bookmarks) go through at a
size where the old code would have run for hours; the suite's timeout catches a regression.
"""
from __future__ import annotations

import io
import zipfile
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykb.errors import IngestError
from policykb.ingest import parse_text
from policykb.ingest.loaders import load_docx, load_html, load_markdown, load_pdf, load_txt
from policykb.ingest.model import Document
from policykb.settings import Settings

from hostile_files import docx_bytes, docx_with, pdf_bytes, zip_bytes

pytestmark = pytest.mark.slow

EXAMPLES = {"parser": 4000, "txt": 1500, "md": 1200, "html": 1500, "docx": 1000, "pdf": 1000}
assert sum(EXAMPLES.values()) >= 10_000

SETTINGS = Settings.from_env(env={})
DOC_ID = "fuzz-doc"

_MARKERS = [
    "第", "一", "二", "三", "十", "百", "零", "两", "条", "章", "节", "款", "项", "（", "）", "(", ")", "、", ".", "．", "：",
    "Article ", "ARTICLE ", "Chapter ", "Section ", "Clause ", "1", "9", "12", "31", "99", "100", "999", "a", "b", "i", "iv",
    "IV", "x", "\n", "\n\n", " ", "\u3000", "，", "。", "；", "[bookmark: _GoBack]", "[anchor: x", " (58.390, 2.53, 4.53%)", ", ,",
    "依照本办法第八条", "under clause (5)", "No. 60 [2022]", "银发〔2022〕60号", "发布机关：", "Issued by: ", "\r", "\r\n", "\t",
    "\x00", "\x1b[31m", "\ufeff", "\u200b", "\u202e", "Ａ", "１", "<script>", "&amp;", "{{x}}", "$", "\\", "…", "—",
]
_TEXT = st.lists(st.one_of(st.sampled_from(_MARKERS), st.text(max_size=6)), max_size=80).map("".join)
_HTML_TOKENS = [
    "<", ">", "</", "/>", "<p>", "</p>", "<br>", "<div>", "<td>", "<pre>", "</pre>", "<script>", "</script>", "<style>",
    "<!--", "-->", "<![", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<!DOCTYPE x [", "<!ENTITY a 'b'>", "<?xml ?>", "&amp;",
    "&#", "&#x", "&#0;", "&lt;", "<meta charset=\"", "gbk", "utf-16", "big5", "nonsense", "\"", "'", "=", "<a href=",
]
_MD_TOKENS = [
    "#", "# ", "##", "**", "__", "*", "_", "~~", "`", "```", "[", "]", "(", ")", "![", "](", "> ", "- ", "* ", "+ ", "|", "---",
    "===", "\\", "<!--", "-->", "[x]: http://a", "\n", "  ", "\t",
]
_ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]


def _mixed(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(tokens), st.sampled_from(_MARKERS), st.text(max_size=5)), max_size=80).map("".join)


@st.composite
def _encoded(draw: st.DrawFn, text: st.SearchStrategy[str]) -> bytes:
    """Text in some encoding (characters it cannot encode become "?"), or raw bytes."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=600))
    return draw(text).encode(draw(st.sampled_from(_ENCODINGS)), errors="replace")


@st.composite
def _mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` with a few bytes overwritten, a slice cut out, or its tail cut off."""
    data = bytearray(base)
    for _ in range(draw(st.integers(0, 6))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(data)))
        del data[start:start + draw(st.integers(0, 64))]
    if draw(st.integers(0, 5)) == 0:
        del data[draw(st.integers(0, len(data))):]
    return bytes(data)


_BASE_DOCX = docx_bytes(["第一条 为了规范服务，制定本办法。", "第二条 本办法自公布之日起施行。"])
_BASE_XML = zipfile.ZipFile(io.BytesIO(_BASE_DOCX)).read("word/document.xml").decode()
_XML_TOKENS = ["<", ">", "</w:p>", "<w:p>", "<w:r>", "<w:t>", "</w:t>", "<w:tbl>", "<w:tr>", "<w:tc>", "&", "&lol;", "\"", "]]>", "\x00"]
_DOCX_PARTS = ["word/document.xml", "[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/styles.xml", "x.zip"]


@st.composite
def _docx_inputs(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 2))
    if kind == 0:  # the document's XML edited, re-zipped: python-docx parses it
        xml = _BASE_XML
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(xml)))
            xml = xml[:at] + draw(_mixed(_XML_TOKENS)) + xml[at + draw(st.integers(0, 40)):]
        return docx_with(_BASE_DOCX, replace={"word/document.xml": xml.encode("utf-8", errors="replace")})
    if kind == 1:  # the archive's bytes damaged
        return draw(_mutated(_BASE_DOCX))
    members = draw(st.dictionaries(st.sampled_from(_DOCX_PARTS), st.binary(max_size=200), max_size=5))
    return zip_bytes(members)


_PDF_OPS = [
    "BT ", "ET ", "/F1 ", "/F9 ", "11 ", "-3 ", "0.5 ", "Tf ", "Td ", "TD ", "Tm ", "T* ", "TL ", "Tj ", "TJ ", "' ", "\" ", "Tc ",
    "Tw ", "cm ", "q ", "Q ", "(text) ", "(第一条) ", "<FEFF7B2C> ", "[(a) -200 (b)] ", "[", "]", "(", ")", "<", ">", "<<", ">>",
    "/X0 Do ", "/X1 Do ", "re f ", "1 0 0 1 0 0 cm ", "\n",
]
_BASE_PDF = pdf_bytes([b"BT /F1 11 Tf 56 780 Td (Article 1 Banks shall serve villages.) Tj ET"],
                      forms={"X0": b"BT /F1 9 Tf (Article 2 Inside a form.) Tj ET"})


@st.composite
def _pdf_inputs(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):  # well-formed file, generated drawing operations (forms included)
        ops = st.lists(st.sampled_from(_PDF_OPS), max_size=40).map(lambda parts: "".join(parts).encode("utf-8"))
        return pdf_bytes(draw(st.lists(ops, min_size=1, max_size=3)), forms={"X0": draw(ops)})
    return draw(_mutated(_BASE_PDF))


def _check(document: Document) -> None:
    ids = [c.id for c in document.clauses]
    assert len(ids) == len(set(ids)), ids
    for clause in document.clauses:
        assert clause.doc_id == DOC_ID and clause.id == f"{DOC_ID}:{clause.number}"


def _through(loader: Callable[[bytes, str, Settings], str], name: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        try:
            _check(parse_text(loader(data, name, SETTINGS), doc_id=DOC_ID))
        except IngestError as err:
            assert str(err) and "\n" not in str(err).strip(), repr(err)

    return run


def _fuzz(strategy: st.SearchStrategy, body: Callable[[object], None], examples: int) -> int:
    """Run ``body`` on ``examples`` generated inputs; returns how many it saw."""
    seen = [0]

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(value: object) -> None:
        seen[0] += 1
        body(value)

    run()
    return seen[0]


def test_fuzz_parser() -> None:
    def parse(text: str) -> None:
        try:
            _check(parse_text(text, doc_id=DOC_ID))
        except IngestError as err:
            assert str(err), repr(err)

    assert _fuzz(_TEXT, parse, EXAMPLES["parser"]) >= EXAMPLES["parser"]


@pytest.mark.parametrize(("kind", "strategy", "loader"), [
    ("txt", _encoded(_TEXT), load_txt),
    ("md", _encoded(_mixed(_MD_TOKENS)), load_markdown),
    ("html", _encoded(_mixed(_HTML_TOKENS)), load_html),
    ("docx", _docx_inputs(), load_docx),
    ("pdf", _pdf_inputs(), load_pdf),
])
def test_fuzz_loaders(kind: str, strategy: st.SearchStrategy, loader: Callable[[bytes, str, Settings], str]) -> None:
    assert _fuzz(strategy, _through(loader, f"fuzz.{kind}"), EXAMPLES[kind]) >= EXAMPLES[kind]


N = 200_000


@pytest.mark.timeout(600)
@pytest.mark.parametrize(("loader", "data"), [
    (load_markdown, b"**a " * N),
    (load_markdown, b"__a " * N),
    (load_markdown, b"~~a " * N),
    (load_markdown, b"[a](" * N),
    (load_markdown, b"![a](" * N),
    (load_html, b"<p>" + b"<a " * N),
    (load_html, b"<p>" + b"<!--" * N),
    (load_html, b"<p>" + b"</a " * N),
    (load_html, b"<p>x</p><![foo[ y ]]>"),
    (load_txt, b"Article 1 x" + b" " * (8 * N) + b"y"),
    (load_txt, b"Article 1 " + b"[bookmark: " * N),
], ids=["md-bold", "md-underscore", "md-strike", "md-link", "md-image", "html-tags", "html-comments", "html-end-tags",
        "html-marked-section", "txt-spaces", "txt-bookmarks"])
def test_inputs_that_broke_the_converters_now_load(loader: Callable[[bytes, str, Settings], str], data: bytes) -> None:
    text = loader(data, "hostile", SETTINGS)
    document = parse_text(text, doc_id=DOC_ID)
    assert document.clauses
