"""File loaders: the bytes of a .txt/.md/.html/.htm/.docx/.pdf file → raw text (not yet cleaned)."""
from __future__ import annotations

import codecs
import io
import logging
from typing import Callable

from policykb.errors import CorruptFileError, EmptyDocumentError, UnsupportedFileError
from policykb.settings import Settings

from .archive import check_docx_archive
from .encoding import decode_bytes
from .htmltext import declared_charset, html_to_text
from .mdtext import markdown_to_text

__all__ = ["SUPPORTED_SUFFIXES", "extract_text", "load_txt", "load_markdown", "load_html", "load_docx", "load_pdf"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"})


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
    """PDF: the text layer of every page (scanned pages have none: OCR them first)."""
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except Exception:
                unlocked = 0
            if not unlocked:
                raise CorruptFileError(f"{name}: the PDF is password-protected; save an unprotected copy and ingest that")
        if len(reader.pages) == 0:
            raise CorruptFileError(f"{name}: the PDF has no pages; re-export it as PDF or save it as .docx/.txt")
        pages = [page.extract_text() or "" for page in reader.pages]
    except CorruptFileError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise CorruptFileError(
            f"{name}: is not a readable PDF ({type(exc).__name__}: {_one_line(exc)}); re-export it as PDF or save it as .docx/.txt"
        ) from None
    text = "\n".join(pages)
    if not text.strip():
        raise EmptyDocumentError(
            f"{name}: the PDF has no extractable text (probably scanned images); run OCR on it (e.g. ocrmypdf) and ingest the result"
        )
    return text


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
