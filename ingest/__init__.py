"""policykb.ingest: files (txt, md, html, docx, pdf; any common Chinese encoding) → clean numbered clauses.

Modules, one job each: :mod:`.encoding` (detect the text encoding), :mod:`.loaders` (file types),
:mod:`.clean` (artifacts, width, whitespace), :mod:`.numerals`, :mod:`.markers` and :mod:`.parser`
(numbering → sections, clauses, items), :mod:`.refs` (in-text references), :mod:`.metadata`
(sidecar and header), :mod:`.discover` (folders → files), :mod:`.document` (the pipeline).
"""
from __future__ import annotations

from .clean import clean_text
from .discover import discover_files, doc_id_from_path
from .document import PARSER_VERSION, load_document, parse_text
from .lang import detect_lang
from .loaders import SUPPORTED_SUFFIXES
from .model import Clause, Document, Item, Section, clause_from_dict
from .numerals import chinese_to_int, int_to_chinese

__all__ = [
    "PARSER_VERSION",
    "SUPPORTED_SUFFIXES",
    "load_document",
    "parse_text",
    "discover_files",
    "doc_id_from_path",
    "clean_text",
    "chinese_to_int",
    "int_to_chinese",
    "detect_lang",
    "Clause",
    "Document",
    "Item",
    "Section",
    "clause_from_dict",
]
