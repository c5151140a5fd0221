"""Numbering markers at the start of a line: what kind, which number, the label as printed.

Only the start of a line is looked at; the parser decides from the document's scheme and the
running numbering which role (section, clause, item) a marker plays. A marker immediately
followed by words that make it a reference ("第八条规定的…", "Article 8 of these Measures …")
is not a marker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .numerals import CHINESE_NUMERAL_CHARS, letter_to_int, to_int

__all__ = ["Marker", "classify", "CHAPTER", "SUBSECTION", "ARTICLE", "ZH_PAREN", "AR_PAREN", "ZH_LIST", "AR_DOT", "ROMAN_DOT", "ITEM", "label_number"]

CHAPTER = "chapter"  # 第一章 / Chapter 1 / Chapter I
SUBSECTION = "subsection"  # 第一节 / Section 1
ARTICLE = "article"  # 第一条 / Article 1
ZH_PAREN = "zh_paren"  # （一） / (一)
AR_PAREN = "ar_paren"  # (1) / （1）
ZH_LIST = "zh_list"  # 一、
AR_DOT = "ar_dot"  # 1. / 1． / 1、
ROMAN_DOT = "roman_dot"  # I. / II. / IV.
ITEM = "item"  # (a), a., i., (iv), 第一款: only ever items

_N = f"[{CHINESE_NUMERAL_CHARS}]+"
_SEP = r"[ .:：\-–—]*"
# Words that, right after 第X条, make it a reference rather than a heading.
_ZH_REF_TAIL = "规規所的中之第、，,和及与與或至到项項款并並也"
_EN_REF_TAIL = r"of|and|or|to|through|shall|is|are|in|under|above|below|as|apply|applies|provides|stipulates"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (CHAPTER, re.compile(rf"^(第(?:{_N}|\d+)章)\s*(.*)$")),
    (SUBSECTION, re.compile(rf"^(第(?:{_N}|\d+)[节節])\s*(.*)$")),
    (ARTICLE, re.compile(rf"^(第(?:{_N}|\d+)[条條])(?![{_ZH_REF_TAIL}])\s*(.*)$")),
    (ITEM, re.compile(rf"^(第(?:{_N}|\d+)款)(?![{_ZH_REF_TAIL}])\s*(.*)$")),
    (CHAPTER, re.compile(rf"^((?:Chapter|CHAPTER)\s+(?:\d+|[IVXLC]+))\b(?!\s+(?:{_EN_REF_TAIL})\b){_SEP}(.*)$")),
    (SUBSECTION, re.compile(rf"^((?:Section|SECTION)\s+(?:\d+|[IVXLC]+))\b(?!\s+(?:{_EN_REF_TAIL})\b){_SEP}(.*)$")),
    (ARTICLE, re.compile(rf"^((?:Article|ARTICLE)\s+\d+)\b(?![\d,]|\s+(?:{_EN_REF_TAIL})\b){_SEP}(.*)$")),
    (ZH_LIST, re.compile(rf"^({_N}、)\s*(.*)$")),
    (ZH_PAREN, re.compile(rf"^([（(]{_N}[）)])\s*(.*)$")),
    (AR_PAREN, re.compile(r"^([（(]\d+[）)])\s*(.*)$")),
    (AR_DOT, re.compile(r"^(\d+[.．、])(?![\d.．])\s*(.*)$")),
    (ROMAN_DOT, re.compile(r"^([IVXLC]{1,6}\.)\s+(.*)$")),
    (ITEM, re.compile(r"^([（(](?:[a-z]|[A-Z]|(?:i{1,3}|iv|vi{0,3}|ix|x{1,3}))[）)])\s*(.*)$")),
    (ITEM, re.compile(r"^((?:[a-z]|(?:i{1,3}|iv|vi{0,3}|ix|x{1,3}))[.)])\s+(.*)$")),
)


@dataclass(frozen=True)
class Marker:
    """A numbering marker found at the start of a line."""

    kind: str
    number: int
    label: str  # as printed: "（十二）", "第十二条", "Article 12", "1."
    rest: str  # the text after the label on the same line


def classify(line: str) -> Marker | None:
    """The marker this line starts with, or None."""
    for kind, pattern in _PATTERNS:
        m = pattern.match(line)
        if m:
            label = m.group(1)
            number = label_number(label)
            if number is None:
                continue
            return Marker(kind, number, label.strip(), m.group(2).strip())
    return None


def label_number(label: str) -> int | None:
    """The number a label stands for ("（十二）" → 12, "Article 5" → 5, "(b)" → 2, "iv." → 4), or None."""
    core = label.strip().strip("（()）.．、").strip()
    for prefix in ("Chapter", "CHAPTER", "Section", "SECTION", "Article", "ARTICLE"):
        if core.startswith(prefix):
            core = core[len(prefix):].strip()
    if core.startswith("第"):
        core = core[1:-1]  # 第十二条 / 第十二條 / 第二章 / 第一节 / 第一款
    try:
        return to_int(core)
    except ValueError:
        pass
    try:
        return letter_to_int(core)
    except ValueError:
        return None
