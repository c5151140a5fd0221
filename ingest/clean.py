"""Cleaning of raw document text: removes web-copy artifacts and normalises width and whitespace.

What changes, and nothing else:

- line ends: CRLF and lone CR become LF; form feeds and vertical tabs become LF;
- invisible characters: zero-width spaces/joiners, word joiner, BOM, soft hyphen are removed;
- spaces: NBSP, ideographic (full-width) space, tabs and other Unicode spaces become " ",
  runs of spaces become one, lines are stripped, more than one blank line becomes one;
- width: full-width ASCII letters and digits (Ａ, ｚ, ０) become half-width; Chinese punctuation
  （，。；：“”（）、） is kept as it is;
- bookmark/anchor tags: ``[bookmark: _GoBack]``, ``[anchor: x]``, empty ``<a name="x"></a>``;
- inline stock quotes pasted after a word: `` (58.390, 2.53, 4.53%)`` with the space before it;
- stray punctuation left by removed links: ". , Digital" → ". Digital", ", ," → ",".
"""
from __future__ import annotations

import re

__all__ = ["clean_text", "ARTIFACT_PATTERNS"]

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = {ord(c): " " for c in "\t\u00a0\u202f\u2007\u3000\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f"}
_WIDTH = {o: o - 0xFEE0 for o in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_TABLE = {**_ZERO_WIDTH, **_SPACES, **_WIDTH}

_BOOKMARK = re.compile(r"\[(?:bookmark|anchor)\s*:[^\]\n]{0,200}\]|<a\s+(?:name|id)\s*=\s*\"[^\"]*\"\s*>\s*</a>", re.IGNORECASE)
_NUM = r"[+-]?\d+(?:\.\d+)?"
_STOCK_QUOTE = re.compile(rf" *[(（]\d+\.\d+ *[,，] *{_NUM} *[,，] *{_NUM}% *[)）]")
_STRAY_COMMA = re.compile(r"(?<=[.,;:!?]) +,(?= |\n|$)")
_SPACE_RUN = re.compile(r" {2,}")
_LINE_EDGES = re.compile(r" *\n *")
_BLANK_RUN = re.compile(r"\n{3,}")

#: The artifact patterns, in the order they are removed (exposed for tests and previews).
ARTIFACT_PATTERNS: tuple[re.Pattern[str], ...] = (_BOOKMARK, _STOCK_QUOTE, _STRAY_COMMA)


def clean_text(text: str) -> str:
    """Return ``text`` with the artifacts listed in this module removed and whitespace normalised.

    Idempotent: ``clean_text(clean_text(t)) == clean_text(t)``.
    """
    s = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    s = s.translate(_TABLE)
    s = _SPACE_RUN.sub(" ", s)  # first too: the patterns below match a run like one space, and scan it once
    s = _BOOKMARK.sub("", s)
    s = _STOCK_QUOTE.sub("", s)
    s = _STRAY_COMMA.sub("", s)
    s = _SPACE_RUN.sub(" ", s)
    s = _LINE_EDGES.sub("\n", s)
    s = _BLANK_RUN.sub("\n\n", s)
    return s.strip(" \n")
