"""Text-encoding detection for text files: never guess silently.

Strategy, in order:

1. a byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. NUL bytes mean BOM-less UTF-16 (or binary data): both byte orders are tried and scored;
3. strict UTF-8;
4. strict GB18030 (covers GBK and GB2312), Big5 (cp950), and — when every non-ASCII byte stands
   alone, as in English text with curly quotes — Windows-1252; each decoding is scored by the
   share of its non-ASCII characters that are common Chinese characters (simplified or
   traditional, :mod:`.cjkfreq`) or punctuation. Mojibake is made of rare characters, so the right
   decoding scores far above the wrong ones. charset-normalizer breaks near-ties.

When no decoding is clearly best, or the result holds control characters, an
:class:`~policykb.errors.EncodingError` / :class:`~policykb.errors.CorruptFileError` names the file
and asks for a UTF-8 copy.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

from policykb.errors import CorruptFileError, EmptyDocumentError, EncodingError

from .cjkfreq import COMMON_CHARS
from .lang import is_cjk

__all__ = ["decode_bytes", "decoding_scores"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MIN_SCORE = 0.5
_MIN_MARGIN = 0.15
_ALLOWED_CONTROLS = set("\t\n\r\f\v\x1a")
_WIDE_PUNCT = set("“”‘’—–…·•●■□◆○★☆℃°±×÷‰§№")
_SAVE_AS_UTF8 = "open it in an editor and save it as UTF-8, then ingest it again"
_SCORE_CHARS = 200_000  # a prefix this long decides; scoring more changes nothing but time
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")
_HIGH_PAIR = re.compile(rb"[\x80-\xff]{2}")


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, encoding)``.

    Raises:
        EmptyDocumentError: nothing but whitespace.
        EncodingError: the encoding cannot be determined with confidence.
        CorruptFileError: the bytes look like binary data, not text.
    """
    text, encoding = _decode(data, name)
    if not text.strip():
        raise EmptyDocumentError(f"{name}: the file is empty (no text in it); check that this is the right file")
    _check_not_binary(text, name)
    return text, encoding


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise EncodingError(
                    f"{name}: starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(bad bytes at offset {exc.start + len(bom)}); {_SAVE_AS_UTF8}"
                ) from None
    if not data.strip():
        return "", "ascii"
    if b"\x00" in data:
        return _decode_utf16(data, name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    scores = decoding_scores(data)
    if not scores:
        raise EncodingError(f"{name}: is neither UTF-8, UTF-16, GB18030 nor Big5 text; {_SAVE_AS_UTF8}")
    ranked = sorted(scores.items(), key=lambda kv: kv[1][0], reverse=True)
    (best, (best_score, best_text)) = ranked[0]
    runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
    if best_score >= _MIN_SCORE and best_score - runner_up >= _MIN_MARGIN:
        return best_text, best
    tie_break = _charset_normalizer_guess(data)
    close = [enc for enc, (score, _) in ranked if score >= _MIN_SCORE and best_score - score < _MIN_MARGIN]
    if tie_break in close:
        return scores[tie_break][1], tie_break
    guesses = ", ".join(f"{enc} {score:.2f}" for enc, (score, _) in ranked[:3])
    raise EncodingError(f"{name}: cannot tell the text encoding with confidence (scores: {guesses}); {_SAVE_AS_UTF8}")


def _decode_utf16(data: bytes, name: str) -> tuple[str, str]:
    best: tuple[float, str, str] | None = None
    if len(data) % 2 == 0:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            score = _score(text, ascii_counts=True)
            if best is None or score > best[0]:
                best = (score, text, encoding)
    if best is None or best[0] < 0.6:
        raise CorruptFileError(
            f"{name}: looks like binary data, not text (it contains NUL bytes); "
            "convert it to a .txt (UTF-8), .docx or .pdf file"
        )
    return best[1], best[2]


def decoding_scores(data: bytes) -> dict[str, tuple[float, str]]:
    """Each candidate encoding that decodes ``data`` strictly → (plausibility 0..1, text)."""
    candidates = ["gb18030", "cp950"]
    if _high_bytes_isolated(data):
        candidates.append("cp1252")
    out: dict[str, tuple[float, str]] = {}
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        out["big5" if encoding == "cp950" else encoding] = (_score(text, ascii_counts=False), text)
    return out


def _high_bytes_isolated(data: bytes) -> bool:
    return _HIGH_PAIR.search(data) is None


def _score(text: str, *, ascii_counts: bool) -> float:
    """Mean plausibility of the characters: common Chinese / punctuation 1, rare ideographs 0.3."""
    total = 0.0
    n = 0
    for ch in text[:_SCORE_CHARS]:
        if ch.isascii():
            if not ascii_counts:
                continue
            weight = 1.0 if (ch.isprintable() or ch in _ALLOWED_CONTROLS) else 0.0
        elif ch in COMMON_CHARS or ch in _WIDE_PUNCT or 0x3000 <= ord(ch) <= 0x303F or 0xFF01 <= ord(ch) <= 0xFF65:
            weight = 1.0
        elif is_cjk(ch):
            weight = 0.3
        elif unicodedata.category(ch) in ("Ll", "Lu") and ord(ch) < 0x250:
            weight = 0.8  # accented Latin letters
        else:
            weight = 0.0
        total += weight
        n += 1
    return total / n if n else 1.0


def _charset_normalizer_guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    best = from_bytes(data[:65536]).best()
    if best is None:
        return None
    encoding = best.encoding.lower().replace("_", "")
    return {"gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "big5": "big5", "cp950": "big5",
            "cp1252": "cp1252"}.get(encoding)


def _check_not_binary(text: str, name: str) -> None:
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 200):
        raise CorruptFileError(
            f"{name}: looks like binary data, not text ({controls} control characters); "
            "convert it to a .txt (UTF-8), .docx or .pdf file"
        )
