"""Language of a text: "zh" when Chinese characters carry it, else "en"."""
from __future__ import annotations

import re

from policykb.kinds import Lang

__all__ = ["detect_lang", "is_cjk", "CJK", "CJK_CHAR"]

# CJK ideographs: the basic block, extension A, the compatibility ideographs and extensions B-F with their supplement.
_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
CJK = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES)
"""The ranges for a regular-expression character class: ``f"[{CJK}]"``."""
CJK_CHAR = re.compile(f"[{CJK}]")


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph (see :data:`CJK`)."""
    return CJK_CHAR.match(ch) is not None


def detect_lang(text: str) -> Lang:
    """Return "zh" if Chinese characters make up a real share of the text, else "en".

    One Chinese character carries about as much as a four-letter English word, so a
    text counts as Chinese when its CJK characters are at least a quarter of its Latin letters.
    An English document quoting a few Chinese terms stays "en"; a text with neither is "en".
    """
    cjk = latin = 0
    for ch in text:
        if is_cjk(ch):
            cjk += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    return "zh" if cjk and cjk * 4 >= latin else "en"
