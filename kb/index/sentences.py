"""Splitting clause text into sentences for the sentence-level vectors."""
from __future__ import annotations

import re

__all__ = ["split_sentences"]

# An English sentence ends at . ! ? ; followed by space; a Chinese one at 。！？； (no space needed).
_EN_END = re.compile(r"(?<=[.!?;])\s+(?=[\"“(A-Z0-9])")
_ZH_END = re.compile(r"(?<=[。！？；])")
_MIN_CHARS = 12


def split_sentences(text: str) -> list[str]:
    """Sentences of a clause, in order; fragments too short to embed well join their neighbour."""
    pieces: list[str] = []
    for line in text.splitlines():
        for part in _EN_END.split(line):
            pieces.extend(p for p in _ZH_END.split(part) if p.strip())
    out: list[str] = []
    for piece in (p.strip() for p in pieces):
        if out and (len(piece) < _MIN_CHARS or len(out[-1]) < _MIN_CHARS):
            out[-1] = f"{out[-1]} {piece}" if _is_latin(out[-1]) else out[-1] + piece
        else:
            out.append(piece)
    return out


def _is_latin(text: str) -> bool:
    return bool(text) and text[-1].isascii()
