"""Chinese (and Roman) numerals ↔ integers."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policykb.ingest import chinese_to_int, int_to_chinese
from policykb.ingest.numerals import roman_to_int


@given(st.integers(min_value=0, max_value=999))
def test_round_trip_0_to_999(n: int) -> None:
    assert chinese_to_int(int_to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=9999))
def test_round_trip_to_9999_and_digit_form(n: int) -> None:
    assert chinese_to_int(int_to_chinese(n)) == n
    digits = "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    assert chinese_to_int(digits) == n
    assert chinese_to_int(str(n)) == n


@given(st.integers(min_value=1, max_value=999))
def test_written_form_uses_only_numeral_characters(n: int) -> None:
    text = int_to_chinese(n)
    assert set(text) <= set("零一二三四五六七八九十百")
    assert not text.endswith("零") and "零零" not in text


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("零", 0), ("〇", 0), ("一", 1), ("十", 10), ("一十", 10), ("十二", 12), ("二十", 20), ("二十一", 21),
        ("三十一", 31), ("一百", 100), ("一百零三", 103), ("一百一十", 110), ("一百十", 110), ("一百五", 150),
        ("两百", 200), ("两百零八", 208), ("九百九十九", 999), ("一〇三", 103), ("一千零五", 1005), ("１２", 12),
    ],
)
def test_known_forms(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value


@pytest.mark.parametrize("n, text", [(0, "零"), (10, "十"), (12, "十二"), (21, "二十一"), (103, "一百零三"), (110, "一百一十"), (999, "九百九十九")])
def test_int_to_chinese(n: int, text: str) -> None:
    assert int_to_chinese(n) == text


@pytest.mark.parametrize("bad", ["", "十十", "百", "一百零", "三二十", "二十百", "两两", "第十", "12a", "十二条", "万", "一万零",
                                 "一万二万", "万一", "亿万", "一万二三"])
def test_invalid_numerals_raise_with_the_value(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        chinese_to_int(bad)
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_int_to_chinese_range(bad) -> None:
    with pytest.raises(ValueError):
        int_to_chinese(bad)


@pytest.mark.parametrize(("roman", "value"), [("I", 1), ("iv", 4), ("IX", 9), ("XII", 12), ("XL", 40)])
def test_roman(roman: str, value: int) -> None:
    assert roman_to_int(roman) == value


@pytest.mark.parametrize("bad", ["", "IIII", "VX", "ABC"])
def test_bad_roman(bad: str) -> None:
    with pytest.raises(ValueError):
        roman_to_int(bad)


# -- numbers of any size -------------------------------------------------------------------
@given(st.integers(min_value=1, max_value=10**16 - 1))
def test_round_trip_any_size(n: int) -> None:
    text = int_to_chinese(n)
    assert chinese_to_int(text) == n
    assert not text.endswith("零") and "零零" not in text
    assert set(text) <= set("零一二三四五六七八九十百千万亿")


@given(st.integers(min_value=0, max_value=10**12))
def test_digit_by_digit_and_ascii_of_any_size(n: int) -> None:
    assert chinese_to_int("".join("〇一二三四五六七八九"[int(d)] for d in str(n))) == n
    assert chinese_to_int(str(n)) == n


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9999))
def test_wan_splits_into_high_and_low_parts(high: int, low: int) -> None:
    n = high * 10_000 + low
    text = int_to_chinese(n)
    assert text.startswith(int_to_chinese(high) + "万")
    assert chinese_to_int(text) == n


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一万", 10_000), ("一千零一", 1001), ("一万零一", 10_001), ("一万零一十", 10_010), ("十万零一十", 100_010),
        ("一万一千", 11_000), ("一万五", 15_000), ("两万", 20_000), ("十万", 100_000), ("九千九百九十九", 9999),
        ("一百万", 1_000_000), ("一亿", 100_000_000), ("一亿零一", 100_000_001), ("一亿二千万", 120_000_000),
        ("三百七十八万五千一百八十五亿", 378_518_500_000_000), ("一〇〇〇〇", 10_000), ("萬", None),
    ],
)
def test_large_known_forms(numeral: str, value: int | None) -> None:
    if value is None:
        with pytest.raises(ValueError):
            chinese_to_int(numeral)
    else:
        assert chinese_to_int(numeral) == value


@pytest.mark.parametrize("n, text", [(1001, "一千零一"), (1010, "一千零一十"), (10_000, "一万"), (10_001, "一万零一"),
                                     (100_010, "十万零一十"), (10_500, "一万零五百"), (100_000_001, "一亿零一")])
def test_int_to_chinese_large(n: int, text: str) -> None:
    assert int_to_chinese(n) == text
