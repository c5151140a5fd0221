"""File loaders: the bytes of a .txt/.md/.html/.htm/.docx/.pdf file → raw text (not yet cleaned)."""
from __future__ import annotations

import codecs
import io
import logging
from typing import Any, Callable, Sequence

from policykb.errors import CorruptFileError, EmptyDocumentError, FileTooLargeError, UnsupportedFileError
from policykb.settings import Settings

from .archive import MAX_RATIO, check_docx_archive
from .encoding import decode_bytes
from .htmltext import declared_charset, html_to_text
from .mdtext import markdown_to_text

__all__ = ["SUPPORTED_SUFFIXES", "extract_text", "load_txt", "load_markdown", "load_html", "load_docx", "load_pdf"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"})
_MB = 1024 * 1024
_RATIO_FLOOR = 10 * _MB  # content this small may compress well without harm


def load_txt(data: bytes, name: str, settings: Settings) -> str:
    """Plain text in any supported encoding (see :mod:`.encoding`)."""
    return decode_bytes(data, name)[0]


def load_markdown(data: bytes, name: str, settings: Settings) -> str:
    """Markdown: decoded, then heading markers, emphasis, links and bullets stripped."""
    return markdown_to_text(decode_bytes(data, name)[0])


def load_html(data: bytes, name: str, settings: Settings) -> str:
    """HTML: decoded (a declared ``<meta charset>`` is tried first), then reduced to its visible text."""
    text: str | None = None
    charset = declared_charset(data)
    if charset:
        try:
            text = data.decode(codecs.lookup(charset).name)
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text = decode_bytes(data, name)[0]
    out = html_to_text(text)
    if not out.strip():
        raise EmptyDocumentError(f"{name}: the page has no visible text; check that this is the right file")
    return out


def load_docx(data: bytes, name: str, settings: Settings) -> str:
    """Word .docx: body paragraphs and table rows in document order, after the zip-bomb checks."""
    check_docx_archive(data, name, settings.max_unpacked_bytes)
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
            else:
                lines.append(block.text)
    except Exception as exc:  # python-docx raises many types for damaged parts
        raise CorruptFileError(
            f"{name}: is a damaged Word document ({type(exc).__name__}: {_one_line(exc)}); open it in Word and save it again"
        ) from None
    text = "\n".join(lines)
    if not text.strip():
        raise EmptyDocumentError(f"{name}: the Word document has no text; check that this is the right file")
    return text


def _table_lines(table: object) -> list[str]:
    lines = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        for cell in row.cells:
            t = cell.text.strip()
            if t and (not cells or cells[-1] != t):  # merged cells repeat their text
                cells.append(t)
        if cells:
            lines.append(" ".join(cells))
    return lines


def load_pdf(data: bytes, name: str, settings: Settings) -> str:
    """PDF: the text layer of every page (scanned pages have none: OCR them first).

    Guarded against decompression bombs: the pages' content streams may unpack to at most
    ``settings.max_unpacked_bytes`` and :data:`~.archive.MAX_RATIO` times the file's size, and text
    extraction (whose cost grows faster than the text on a page) stops at the limits of
    :class:`_PdfWork`: forms drawn over and over again are the PDF form of a zip bomb.
    """
    import pypdf
    from pypdf.errors import LimitReachedError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                unlocked = bool(reader.decrypt(""))
            except Exception:
                unlocked = False
            if not unlocked:
                raise CorruptFileError(f"{name}: the PDF is password-protected; save an unprotected copy and ingest that")
        if len(reader.pages) == 0:
            raise CorruptFileError(f"{name}: the PDF has no pages; re-export it as PDF or save it as .docx/.txt")
        pages = list(reader.pages)
        _check_pdf_content(pages, len(data), name, settings.max_unpacked_bytes)
        work = _PdfWork(max(_PDF_OPERATIONS_FLOOR, len(data) * _PDF_OPERATIONS_PER_BYTE))
        texts: list[str] = []
        for page in pages:
            work.next_page()
            texts.append(page.extract_text(visitor_operand_before=work.operation, visitor_text=work.text) or "")
    except (CorruptFileError, FileTooLargeError):
        raise
    except (LimitReachedError, _TooMuchWork) as exc:
        raise FileTooLargeError(
            f"{name}: the PDF unpacks to far more than its size ({_one_line(exc)}); "
            "it looks like a decompression bomb, not a document — check where it came from"
        ) from None
    except Exception as exc:  # pypdf raises many types for damaged files
        raise CorruptFileError(
            f"{name}: is not a readable PDF ({type(exc).__name__}: {_one_line(exc)}); re-export it as PDF or save it as .docx/.txt"
        ) from None
    text = "\n".join(texts)
    if not text.strip():
        raise EmptyDocumentError(
            f"{name}: the PDF has no extractable text (probably scanned images); run OCR on it (e.g. ocrmypdf) and ingest the result"
        )
    return text


_PDF_OPERATIONS_FLOOR = 1_000_000  # a 300-page policy document draws under a million
_PDF_OPERATIONS_PER_BYTE = 2  # compressed content is about 0.5 operations per byte of file


class _TooMuchWork(Exception):
    """Text extraction passed a limit of :class:`_PdfWork`."""


class _PdfWork:
    """pypdf visitors that stop text extraction beyond what a real document needs.

    Limits: ``total`` operations over the whole file; per page 100,000 operations, 5,000 forms
    drawn and 200,000 characters of text (a dense page holds about 5,000).
    """

    PAGE_OPERATIONS = 100_000
    PAGE_FORMS = 5_000
    PAGE_CHARS = 200_000

    def __init__(self, total: int) -> None:
        self.total = total
        self.operations = 0
        self.page_operations = self.page_forms = self.page_chars = 0

    def next_page(self) -> None:
        self.page_operations = self.page_forms = self.page_chars = 0

    def operation(self, operator: bytes, *_: object) -> None:
        self.operations += 1
        self.page_operations += 1
        self.page_forms += operator == b"Do"
        if self.operations > self.total:
            raise _TooMuchWork(f"more than {self.total:,} drawing operations")
        if self.page_operations > self.PAGE_OPERATIONS:
            raise _TooMuchWork(f"a page draws more than {self.PAGE_OPERATIONS:,} operations")
        if self.page_forms > self.PAGE_FORMS:
            raise _TooMuchWork(f"a page draws more than {self.PAGE_FORMS:,} forms")
        if self.page_chars > self.PAGE_CHARS:
            raise _TooMuchWork(f"a page holds more than {self.PAGE_CHARS:,} characters")

    def text(self, text: str, *_: object) -> None:
        self.page_chars += len(text)


def _check_pdf_content(pages: Sequence[Any], packed: int, name: str, max_unpacked: int) -> None:
    """Refuse pages whose content streams unpack to more than the limits allow (see :func:`load_pdf`)."""
    total = 0
    for page in pages:
        contents = page.get_contents()
        if contents is None:
            continue
        total += len(contents.get_data())
        if total > max_unpacked:
            raise FileTooLargeError(
                f"{name}: the PDF's pages unpack to more than {max_unpacked / _MB:.0f} MB; "
                "it looks like a decompression bomb — if it is a genuine document, raise POLICYKB_MAX_UNPACKED_MB"
            )
    ratio = total / max(packed, 1)
    if total > _RATIO_FLOOR and ratio > MAX_RATIO:
        raise FileTooLargeError(
            f"{name}: the PDF's pages unpack to {total / _MB:.0f} MB from {packed / _MB:.1f} MB ({ratio:.0f}:1); "
            "it looks like a decompression bomb, not a document — check where it came from"
        )


_LOADERS: dict[str, Callable[[bytes, str, Settings], str]] = {
    ".txt": load_txt,
    ".md": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".docx": load_docx,
    ".pdf": load_pdf,
}


def extract_text(data: bytes, suffix: str, name: str, settings: Settings) -> str:
    """Raw text of a file's bytes, by its (lower-case) suffix.

    Raises:
        UnsupportedFileError: the suffix is not one of :data:`SUPPORTED_SUFFIXES`.
        IngestError subclasses from the loaders.
    """
    loader = _LOADERS.get(suffix.lower())
    if loader is None:
        raise UnsupportedFileError(
            f"{name}: unsupported file type {suffix or '(no extension)'!r}; "
            f"convert it to one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    return loader(data, name, settings)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
