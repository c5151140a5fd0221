"""Clean text → the lines the structure parser reads: Markdown heading levels, no comments, no adoption lines.

Real rules saved from the web are Markdown, often in files named ``.txt``: a ``# title``, adoption and
amendment lines ("1995年5月10日 第八届全国人民代表大会常务委员会第十三次会议通过"), an
``<!-- INFO END -->`` comment, ``## 第一章 总则`` / ``### 第一节 …`` headings and ``## 二、关于…`` part
headings. Here every ``#`` heading line becomes a line with its level (whatever the file's suffix),
HTML comments go, and adoption lines are set aside as the document's history, so none of them can end
up in a clause's text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lang import CJK as _CJK

__all__ = ["Line", "PreparedText", "prepare_lines", "is_adoption_line", "tidy_heading"]

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?$")
_MD_EMPTY_HEADING = re.compile(r"^#{1,6}$")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
_ADOPTION_ZH = re.compile(
    r"^[（(]?\s*(?:根据\s*)?\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?[^。；;！？!?\n]{0,400}?"
    r"(?:通过|修正|修订|修改|公布|施行|发布|印发|批准|颁布)[^。；;！？!?\n]{0,40}$"
)
_ADOPTION_EN = re.compile(
    r"^\(?\s*(?:Adopted|Amended|Revised|Promulgated|Issued|Approved)\b[^\n]{0,400}\b(?:1[89]|20)\d{2}\b[^\n.]{0,40}\)?\.?$"
)


@dataclass(frozen=True)
class Line:
    """One non-blank line: its text (heading marks removed) and its Markdown heading level (0: not a heading)."""

    text: str
    level: int = 0
    blank_before: bool = False  # a blank line (a paragraph break) comes before it


@dataclass(frozen=True)
class PreparedText:
    """The lines to parse, and the adoption/amendment lines taken out of them, in order."""

    lines: tuple[Line, ...]
    history: tuple[str, ...]


def is_adoption_line(line: str) -> bool:
    """A line stating when the document was adopted, amended, promulgated or takes effect (not a sentence of it)."""
    line = line.strip()
    if len(line) > 500:
        return False
    return bool(_ADOPTION_ZH.match(line) or _ADOPTION_EN.match(line))


def tidy_heading(text: str) -> str:
    """A heading as one reads it: spaces between Chinese characters go ("总 则" → "总则")."""
    return _CJK_GAP.sub("", text.strip())


def strip_html_comments(text: str) -> str:
    """``text`` without its ``<!-- … -->`` comments; an unterminated ``<!--`` stays as text.

    Linear in the text's length: the regex ``<!--.*?-->`` rescans to the end from every unterminated
    ``<!--``, which made a file of many of them quadratic.
    """
    if "<!--" not in text:
        return text
    parts: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            break
        end = text.find("-->", start + 4)
        if end < 0:
            break  # no comment closes after here: nothing more to remove
        parts.append(text[pos:start])
        pos = end + 3
    parts.append(text[pos:])
    return "".join(parts)


def prepare_lines(text: str) -> PreparedText:
    """Split clean text into :class:`Line` s; drop HTML comments; set adoption lines aside."""
    text = strip_html_comments(text)
    lines: list[Line] = []
    history: list[str] = []
    blank = False
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            blank = True
            continue
        if _MD_EMPTY_HEADING.match(line):
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            body = heading.group(2).strip()
            if body:
                lines.append(Line(body, len(heading.group(1)), blank))
                blank = False
            continue
        if is_adoption_line(line):
            history.append(line)
            continue
        lines.append(Line(line, 0, blank))
        blank = False
    return PreparedText(tuple(lines), tuple(history))
