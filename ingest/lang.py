"""Language of a text: "zh" when Chinese characters carry it, else "en"."""
from __future__ import annotations

__all__ = ["detect_lang", "is_cjk"]


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph (basic block, extension A and compatibility ideographs)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F


def detect_lang(text: str) -> str:
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
