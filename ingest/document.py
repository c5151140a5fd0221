"""One file or text → a :class:`~policykb.ingest.model.Document`: read, decode, clean, parse, add metadata."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from policykb.errors import ConfigError, EmptyDocumentError, FileTooLargeError, IngestError, UnsupportedFileError
from policykb.settings import Settings

from .clean import clean_text
from .discover import doc_id_from_path
from .lang import detect_lang
from .loaders import SUPPORTED_SUFFIXES, extract_text
from .metadata import DOC_ID_PATTERN, read_sidecar, split_header
from .model import Document
from .parser import parse_structure

__all__ = ["PARSER_VERSION", "load_document", "parse_text"]

#: Bumped whenever parsing output changes; the KB stores it beside its index.
PARSER_VERSION = "2"

_META_KEYS = ("doc_id", "title", "doc_number", "issuers", "lang")
_MB = 1024 * 1024


def load_document(path: Path, settings: Settings, *, doc_id: str | None = None) -> Document:
    """Read, decode, clean and parse one file.

    Metadata comes from the sidecar ``<file stem>.meta.json`` beside the file when present
    (doc_id, title, doc_number, issuers, lang; other keys land in ``Document.extra``), else from
    the text. ``doc_id`` wins over the sidecar's, which wins over the file name's slug.
    ``Document.sha256`` hashes the file's bytes.

    Raises:
        IngestError (or a subclass): one line that starts with the file name, says what is wrong
        and what to do.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise IngestError(f"{name}: {what} ({str(path)!r}); check the path")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileError(
            f"{name}: unsupported file type {suffix or '(no extension)'!r}; "
            f"convert it to one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        raise FileTooLargeError(
            f"{name}: is {size / _MB:.1f} MB, over the {settings.max_file_mb:g} MB limit; "
            "split the file, or raise POLICYKB_MAX_FILE_MB"
        )
    if size == 0:
        raise EmptyDocumentError(f"{name}: the file is empty (0 bytes); check that this is the right file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{name}: cannot be read ({exc.strerror or exc}); check that it exists and is readable") from None
    text = extract_text(data, suffix, name, settings)
    meta = read_sidecar(path)
    final_id = doc_id or meta.get("doc_id") or doc_id_from_path(path)
    document = parse_text(text, doc_id=final_id, source_path=str(path), meta=meta)
    return replace(document, sha256=hashlib.sha256(data).hexdigest())


def parse_text(text: str, *, doc_id: str, source_path: str = "", meta: Mapping[str, Any] | None = None) -> Document:
    """Clean and parse already-decoded text (tests, previews, uploads).

    ``meta`` overrides what the text says (title, doc_number, issuers, lang); unknown keys go to
    ``Document.extra``. The title is, in order: ``meta["title"]``, the text's own heading (``# …``),
    the first header line that reads like a title, the file name. Adoption and amendment lines are
    kept as ``extra["history"]``. ``Document.sha256`` hashes the cleaned text.

    Raises:
        ConfigError: ``doc_id`` is not a usable id.
        EmptyDocumentError: no text left after cleaning, or nothing but a title and adoption lines.
    """
    if not DOC_ID_PATTERN.match(doc_id or ""):
        raise ConfigError(f"document id {doc_id!r} may only hold letters, digits, '-', '_' and '.'; choose another")
    meta = dict(meta or {})
    name = Path(source_path).name if source_path else doc_id
    cleaned = clean_text(text)
    if not cleaned:
        raise EmptyDocumentError(f"{name}: no text left after cleaning (only whitespace or markup); check that this is the right file")
    lang = meta.get("lang") or detect_lang(cleaned)
    parsed = parse_structure(cleaned, doc_id=doc_id, lang=lang)
    if not any(sec.clauses for sec in parsed.sections):
        raise EmptyDocumentError(
            f"{name}: holds only a title, comments or adoption lines, no text to cut into clauses; check that this is the right file"
        )
    header = split_header(list(parsed.header))
    title = meta.get("title") or parsed.title or header.title or (Path(source_path).stem if source_path else doc_id)
    extra = {k: v for k, v in meta.items() if k not in _META_KEYS}
    if parsed.history and "history" not in extra:
        extra["history"] = list(parsed.history)
    return Document(
        doc_id=doc_id,
        title=title,
        doc_number=meta.get("doc_number") or header.doc_number,
        issuers=tuple(meta.get("issuers") or header.issuers),
        lang=lang,
        source_path=source_path,
        sha256=hashlib.sha256(cleaned.encode("utf-8")).hexdigest(),
        sections=parsed.sections,
        preamble=header.preamble,
        warnings=parsed.warnings,
        extra=extra,
    )
