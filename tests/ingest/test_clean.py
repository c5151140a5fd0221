"""Cleaning removes the listed artifacts, normalises width and whitespace, and changes nothing else."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policykb.ingest import clean_text

# Words of running text: ASCII letters/digits, Chinese characters, and punctuation that attaches to words.
_WORD = st.text(alphabet=st.sampled_from("abcXYZ09浙江金融普惠银行贷款的一二三"), min_size=1, max_size=8)
_PUNCT = st.sampled_from(["", "", ".", ",", ";", ":", "。", "，", "；", "：", "、", "”", "）", "%", "-"])
_LEAD = st.sampled_from(["", "", "", "“", "（", "("])
_TOKEN = st.builds(lambda lead, word, punct: lead + word + punct, _LEAD, _WORD, _PUNCT)
_SEP = st.sampled_from([" ", " ", " ", "\n", "\n\n"])


@st.composite
def clean_documents(draw) -> str:
    """Text that is already clean: single spaces, no artifacts, no space before a comma."""
    tokens = draw(st.lists(_TOKEN, min_size=1, max_size=40))
    out = tokens[0]
    for token in tokens[1:]:
        out += draw(_SEP) + token
    return out


ARTIFACTS = st.sampled_from(
    [
        " [bookmark: _GoBack]",
        "[bookmark: _Toc12345]",
        " (58.390, 2.53, 4.53%)",
        " (5.450, -0.05, -0.91%)",
        " [anchor: top]",
        "\u200b",
        "\ufeff",
    ]
)


@given(clean_documents())
def test_clean_text_leaves_clean_text_alone(text: str) -> None:
    assert clean_text(text) == text


@given(st.text(max_size=300))
def test_idempotent_on_any_text(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


_HALF = {o: o - 0xFEE0 for o in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}


def _visible(text: str) -> str:
    return "".join(ch for ch in text.translate(_HALF) if not ch.isspace() and ch not in "\u200b\u200c\u200d\u2060\ufeff\u00ad")


def _is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_only_deletes_and_never_reorders(text: str) -> None:
    """Apart from width and whitespace, cleaning only deletes characters: the visible output is a
    subsequence of the visible input, so no character is invented, altered or moved."""
    assert _is_subsequence(_visible(clean_text(text)), _visible(text))


@given(st.text(alphabet=st.sampled_from("ab浙江（），。；：“”、.,;:()[]%-0123456789 \n\u3000Ａ１"), max_size=120))
def test_only_artifacts_are_deleted(text: str) -> None:
    """Every deleted visible character belongs to a bookmark, stock quote or stray comma."""
    from policykb.ingest.clean import ARTIFACT_PATTERNS

    stripped = " ".join(text.replace("\u3000", " ").translate(_HALF).split(" "))
    for pattern in ARTIFACT_PATTERNS:
        stripped = pattern.sub("", stripped)
    assert _visible(clean_text(text)) == _visible(stripped)


@given(clean_documents(), st.lists(st.tuples(st.integers(min_value=0), ARTIFACTS), max_size=5))
def test_injected_artifacts_are_removed_exactly(text: str, inserts: list[tuple[int, str]]) -> None:
    words = text.split(" ")
    for pos, artifact in inserts:
        i = pos % len(words)
        words[i] = words[i] + artifact
    dirty = " ".join(words)
    assert clean_text(dirty) == text


@given(clean_documents())
def test_width_whitespace_and_line_ends_normalise(text: str) -> None:
    wide = text.translate({o: o + 0xFEE0 for o in [*range(0x30, 0x3A), *range(0x41, 0x5B), *range(0x61, 0x7B)]})
    messy = "  " + wide.replace(" ", " \u00a0\t ").replace("\n", " \r\n") + "\u3000\n\n\n"
    assert clean_text(messy) == text


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("financial services. , Digital trade", "financial services. Digital trade"),
        ("banks, , insurers", "banks, insurers"),
        ("new industries (58.390, 2.53, 4.53%), new business", "new industries, new business"),
        ("[bookmark: _GoBack](No. 60 [2022])", "(No. 60 [2022])"),
        ("ＡＢＣ１２３，。；：“”（）、", "ABC123，。；：“”（）、"),
        ("第一条\u3000为了规范", "第一条 为了规范"),
        ("a\u200bb\u00a0c", "ab c"),
        ("line one\r\nline two\rline three", "line one\nline two\nline three"),
        ("p1\n\n\n\n\np2", "p1\n\np2"),
        ("the first (set) of major equipment", "the first (set) of major equipment"),
        ("rates (3.5, up)", "rates (3.5, up)"),
        ("1,000, 2,000", "1,000, 2,000"),
    ],
)
def test_examples(dirty: str, clean: str) -> None:
    assert clean_text(dirty) == clean
