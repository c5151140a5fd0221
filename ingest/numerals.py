"""Chinese and Roman numerals ↔ integers, as used in clause labels (十二, 二十一, 一百零三, 一万零一, XII).

Accepted Chinese forms, of any size: unit form (十二, 一十二, 二十, 一百零三, 一百一十, 一百十, 两百, 三千零五,
一万, 一万零一, 十万零三百, 一亿二千万), digit-by-digit form (一〇三, 二零二二, 一〇〇〇〇), 〇/零 for zero, 两/兩
for two, 万/萬 and 亿/億 as the large units, and ASCII or full-width digits.
"""
from __future__ import annotations

__all__ = [
    "CHINESE_NUMERAL_CHARS",
    "chinese_to_int",
    "int_to_chinese",
    "roman_to_int",
    "letter_to_int",
    "to_int",
]

_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS) + "".join(_BIG_UNITS)
_NAMES = "零一二三四五六七八九"


def chinese_to_int(numeral: str) -> int:
    """Convert a Chinese numeral ("十二", "一百零三", "两百", "一〇三") or digits ("12") to an int.

    Raises:
        ValueError: the string is not a well-formed numeral.
    """
    s = numeral.strip()
    if not s:
        raise ValueError(f"{numeral!r} is not a Chinese numeral: it is empty")
    half = s.translate({ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")})
    if half.isascii() and half.isdigit():
        return int(half)
    if any(c not in _DIGITS and c not in _UNITS and c not in _BIG_UNITS for c in s):
        raise ValueError(f"{numeral!r} is not a Chinese numeral: use only {CHINESE_NUMERAL_CHARS!r}")
    if not any(c in _UNITS or c in _BIG_UNITS for c in s):
        if len(s) > 1 and ("两" in s or "兩" in s):
            raise ValueError(f"{numeral!r} is not a Chinese numeral: '两' is not used digit by digit")
        return int("".join(str(_DIGITS[c]) for c in s))
    return _parse_big(s, numeral, 100_000_000 * 10_000)


def _parse_big(s: str, original: str, limit: int) -> int:
    """Unit form with 亿 and 万: [part]亿 [零] [part]万 [零] [part], each part below the unit before it.

    The part before a large unit may itself hold smaller large units (一万亿); ``limit`` is the
    unit this stretch must stay below.
    """
    for char, unit in sorted(_BIG_UNITS.items(), key=lambda kv: -kv[1]):
        if unit >= limit or char not in s:
            continue
        head, _, tail = s.rpartition(char) if unit == 100_000_000 else s.partition(char)
        if char in tail or (_other_spelling(char) in tail):
            raise ValueError(f"{original!r} is not a Chinese numeral: {char!r} appears twice")
        if not head:
            raise ValueError(f"{original!r} is not a Chinese numeral: {char!r} needs a number before it")
        high = _parse_big(head, original, unit * unit if unit == 100_000_000 else unit)
        if not tail:
            return high * unit
        if tail[0] in "零〇○":
            tail = tail[1:]
            if not tail:
                raise ValueError(f"{original!r} is not a Chinese numeral: it ends in a zero")
        elif len(tail) == 1 and tail in _DIGITS:
            return high * unit + _DIGITS[tail] * (unit // 10)  # colloquial 一万五 = 15000
        low = _parse_big(tail, original, unit)
        return high * unit + low
    if any(c in _BIG_UNITS for c in s):
        raise ValueError(f"{original!r} is not a Chinese numeral: a large unit is out of order")
    if not any(c in _UNITS for c in s):
        if len(s) == 1:
            return _DIGITS[s]
        raise ValueError(f"{original!r} is not a Chinese numeral: digits without units inside a larger number")
    return _parse_units(s, original)


def _other_spelling(char: str) -> str:
    return {"万": "萬", "萬": "万", "亿": "億", "億": "亿"}[char]


def _parse_units(s: str, original: str) -> int:
    """Unit form: [d]千 [零] [d]百 [零] [d]十 [d], with colloquial 一百十 (110) and 一百五 (150)."""
    total = 0
    last_unit = 10_000
    kinds: list[str] = []  # "digit" / "unit" / "zero", one per character seen
    digit = 0
    for c in s:
        prev = kinds[-1] if kinds else None
        if c in _UNITS:
            unit = _UNITS[c]
            if unit >= last_unit:
                raise ValueError(f"{original!r} is not a Chinese numeral: unit {c!r} is out of order")
            if prev == "digit":
                total += digit * unit
            elif unit == 10 and prev in (None, "unit", "zero"):
                total += 10  # 十二, 一百十, 一千零十
            else:
                raise ValueError(f"{original!r} is not a Chinese numeral: {c!r} needs a digit before it")
            last_unit = unit
            kinds.append("unit")
        elif _DIGITS[c] == 0:
            if prev != "unit":
                raise ValueError(f"{original!r} is not a Chinese numeral: misplaced zero")
            kinds.append("zero")
        else:
            if prev == "digit":
                raise ValueError(f"{original!r} is not a Chinese numeral: two digits in a row")
            digit = _DIGITS[c]
            kinds.append("digit")
    if kinds[-1] == "zero":
        raise ValueError(f"{original!r} is not a Chinese numeral: it ends in a zero")
    if kinds[-1] == "digit":
        if len(kinds) >= 2 and kinds[-2] == "unit" and last_unit >= 100:
            total += digit * (last_unit // 10)  # colloquial 一百五 = 150
        else:
            total += digit
    return total


def int_to_chinese(n: int) -> str:
    """Write a non-negative int the way clause labels do.

    10 → "十", 12 → "十二", 103 → "一百零三", 110 → "一百一十", 10000 → "一万", 10001 → "一万零一",
    100010 → "十万零一十", 100000000 → "一亿".
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"{n!r} cannot be written as a Chinese numeral: expected a non-negative int")
    if n == 0:
        return "零"
    return _write(n, leading=True)


def _write(n: int, *, leading: bool) -> str:
    """``n`` ≥ 1 in unit form; ``leading`` drops the 一 of a first 十 (十二, but 一万零一十)."""
    for unit, name in ((100_000_000, "亿"), (10_000, "万")):
        if n >= unit:
            high, low = divmod(n, unit)
            text = _write(high, leading=leading) + name
            if low:
                text += ("零" if low < unit // 10 else "") + _write(low, leading=False)
            return text
    text = _group_to_chinese(n)
    return text if leading or not text.startswith("十") else "一" + text


def _group_to_chinese(n: int) -> str:
    """1..9999 in unit form, 十 without a leading 一."""
    parts: list[str] = []
    zero_pending = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = (n // unit) % 10
        if d == 0:
            if parts:
                zero_pending = True
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        if not (unit == 10 and d == 1 and not parts):
            parts.append(_NAMES[d])
        parts.append(name)
    return "".join(parts)


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_to_int(numeral: str) -> int:
    """Convert a Roman numeral (either case: "XII", "iv") to an int; ValueError if it is not one."""
    s = numeral.strip().upper()
    if not s or any(c not in _ROMAN for c in s):
        raise ValueError(f"{numeral!r} is not a Roman numeral")
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN[c]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    if _int_to_roman(total) != s:
        raise ValueError(f"{numeral!r} is not a well-formed Roman numeral")
    return total


def _int_to_roman(n: int) -> str:
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def letter_to_int(letter: str) -> int:
    """"a" → 1, "b" → 2 … (item labels (a), (b)); ValueError for anything but one ASCII letter."""
    if len(letter) != 1 or not letter.isascii() or not letter.isalpha():
        raise ValueError(f"{letter!r} is not a single letter a-z")
    return ord(letter.lower()) - ord("a") + 1


def to_int(numeral: str) -> int:
    """Digits, Chinese or Roman numeral → int (the label parts the parser meets)."""
    s = numeral.strip()
    try:
        return chinese_to_int(s)
    except ValueError:
        return roman_to_int(s)
