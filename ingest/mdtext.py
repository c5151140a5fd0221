"""Markdown → plain text: emphasis, links, bullets and tables become plain lines; headings stay ``# …``.

ATX headings are kept as ``#``-marked lines (normalised to ``## text``) because the structure parser
reads their levels (see :mod:`.lines`); HTML comments go.

Every pattern scans a bounded stretch from where it starts (an emphasis never spans its own
marker, link text never spans a "["), so hostile text cannot make the conversion quadratic.
"""
from __future__ import annotations

import re

__all__ = ["markdown_to_text"]

_SUBS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s{0,3}(?:```|~~~).*$", re.MULTILINE), ""),
    (re.compile(r"^\s{0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE), r"\1 \2"),  # kept: the parser reads levels
    (re.compile(r"^\s{0,3}#{1,6}[ \t]*$", re.MULTILINE), ""),
    (re.compile(r"^\s{0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE), ""),  # thematic break
    (re.compile(r"^\s{0,3}(?:=+|-+)[ \t]*$", re.MULTILINE), ""),  # setext underline
    (re.compile(r"^\s{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.MULTILINE), ""),  # link definition
    (re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$", re.MULTILINE), ""),  # table rule
    (re.compile(r"^((?:[ \t]*>)+)[ \t]?", re.MULTILINE), ""),  # blockquote
    (re.compile(r"^[ \t]*[-*+][ \t]+", re.MULTILINE), ""),  # bullet
    (re.compile(r"!\[([^\[\]\n]*)\]\([^)\[\n]*\)"), r"\1"),
    (re.compile(r"\[([^\[\]\n]+)\]\([^)\[\n]*\)"), r"\1"),
    (re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)((?:(?!\1).)+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*\\])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w\\])_(?=\S)([^_\n]+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)((?:(?!~~).)+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
)
_TABLE_ROW = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$", re.MULTILINE)


def markdown_to_text(text: str) -> str:
    """Strip Markdown syntax (but heading marks) and keep every word of the content, line by line."""
    for pattern, repl in _SUBS:
        text = pattern.sub(repl, text)
    return _TABLE_ROW.sub(lambda m: " ".join(c.strip() for c in m.group(1).split("|")), text)
