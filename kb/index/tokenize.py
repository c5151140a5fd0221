"""Tokens for the lexical index: jieba words for Chinese, stemmed word tokens for English.

Text is NFKC-normalised (full-width letters and digits become ASCII) and split into runs:
a Chinese run (Chinese characters, digits allowed between them, so 山区26县 stays one
run) is cut by jieba in precise mode with the policy-term user dictionary
``kb/data/userdict.txt``; every word longer than two characters is followed by the
dictionary words inside it (共同富裕示范区 → also 共同富裕, 示范区), so a query for a part
still meets the whole. Other runs give lower-case word tokens with a light stemmer.
Stopwords of both languages are dropped.

jieba's dictionary takes about a second to load, so the one process-wide tokenizer is
built on first use (:func:`load_tokenizer`), never at import.

Regenerate the user dictionary after editing the glossary (``kb/data/glossary.tsv``, owned by
``kb.retrieval``, which this layer may not import): ``.venv/bin/python scripts/regenerate_userdict.py``.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from policykb.ingest.lang import CJK as _CJK

if TYPE_CHECKING:
    import jieba

__all__ = [
    "TOKENIZER_VERSION",
    "USERDICT_PATH",
    "EN_STOPWORDS",
    "ZH_STOPWORDS",
    "tokenize",
    "stem",
    "tokenizer_config",
    "load_tokenizer",
    "read_userdict",
    "write_userdict",
]

TOKENIZER_VERSION = "1"
"""Bump when tokenization changes in a way that makes saved lexical indexes stale."""

USERDICT_PATH = Path(__file__).resolve().parent.parent / "data" / "userdict.txt"

# Policy terms get at least this jieba frequency, so that in an ambiguous cut the
# policy term wins (普惠金融/机构, not 普惠/金融机构).
USERDICT_MIN_FREQ = 100

_RUN = re.compile(rf"(?P<zh>[{_CJK}](?:[{_CJK}0-9]*[{_CJK}])?)|(?P<en>[a-z0-9]+)")
_POSSESSIVE = re.compile(r"(?<=[a-z])'s\b")
_VOWELS = frozenset("aeiouy")

EN_STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each either etc few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just may me might more most must my myself no nor not of off on once only or other our ours
    ourselves out over own per same shall she should so some such than that the their theirs them
    themselves then there these they this those through thus to too under until up upon us very via
    was we were what when where whether which while who whom whose why will with within without would
    you your yours yourself yourselves
    """.split()
)
"""English function words and question words; they carry no topic."""

ZH_STOPWORDS: frozenset[str] = frozenset(
    """
    的 了 和 与 及 以及 或 或者 是 在 对 于 为 为了 将 把 被 给 由 从 向 以 之 其 该 此 这 那 这些 那些 这个 那个
    也 都 就 又 还 而 并 并且 且 等 等等 中 上 下 里 内 个 些 着 过 吗 呢 吧 啊 呀 么 嘛 哪 哪些 哪个 哪条 哪几条
    什么 如何 怎么 怎样 怎么样 为何 为什么 是否 有没有 有 有关 关于 相关 哪里 多少 几 谁 我 我们 你 你们 他 他们
    她 它 它们 请 请问 一下 可以 能 能否 可否 要 需要 应该 应当 其中 涉及 提到 提及 讲 说 说明 规定 条款 条 款
    第 文件 意见 内容 方面 问题 以下 以上 如下 通过 按照 根据
    """.split()
)
"""Chinese function words, question words and the boilerplate of questions about clauses."""

_lock = threading.Lock()
_tokenizer: "jieba.Tokenizer | None" = None


def stem(word: str) -> str:
    """A light English stemmer: plural, -ing and -ed endings, y → i, a final silent e.

    finance, financing, financed → "financ"; companies, company → "compani";
    bonds → "bond". Words of three letters or fewer and numbers are kept as they are.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("sses"):
        word = word[:-2]
    elif len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and not word.endswith("eed"):
            base = word[: -len(suffix)]
            if len(base) >= 3 and _VOWELS.intersection(base):
                if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiouylsz":
                    base = base[:-1]
                word = base
            break
    if len(word) > 3 and word.endswith("y") and word[-2] not in _VOWELS:
        word = word[:-1] + "i"
    if len(word) >= 4 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Index/query tokens of a Chinese, English or mixed text, in text order.

    >>> tokenize("推动普惠金融 and supply chain financing")  # doctest: +SKIP
    ['推动', '普惠金融', '普惠', '金融', 'suppli', 'chain', 'financ']
    """
    norm = _POSSESSIVE.sub("", _normalize(text).lower())
    tokens: list[str] = []
    jieba_tok = None
    for match in _RUN.finditer(norm):
        run = match.group("zh")
        if run is None:
            word = match.group("en")
            if word in EN_STOPWORDS or (len(word) == 1 and not word.isdigit()):
                continue
            tokens.append(stem(word))
            continue
        if jieba_tok is None:
            jieba_tok = load_tokenizer()
        for word in jieba_tok.cut(run, HMM=True):
            if word in ZH_STOPWORDS:
                continue
            tokens.append(word)
            if len(word) > 2:
                tokens.extend(_subwords(word, jieba_tok.FREQ))
    return tokens


def _subwords(word: str, freq: dict[str, int]) -> list[str]:
    """Dictionary words inside a longer word, shorter ones first."""
    found: list[str] = []
    for n in range(2, len(word)):
        for i in range(len(word) - n + 1):
            part = word[i : i + n]
            if freq.get(part) and part not in ZH_STOPWORDS:
                found.append(part)
    return found


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")


def load_tokenizer() -> "jieba.Tokenizer":
    """The process-wide jieba tokenizer with the policy-term user dictionary (built once)."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            for word, freq in read_userdict():
                tok.add_word(word, max(freq, tok.FREQ.get(word) or 0))
            _tokenizer = tok
    return _tokenizer


def read_userdict(path: Path | None = None) -> list[tuple[str, int]]:
    """(word, frequency) pairs of a user dictionary (``word freq`` lines, ``#`` comments).

    Raises:
        ValueError: a line is not ``word freq``; the message names the file and line.
    """
    path = path or USERDICT_PATH
    pairs: list[tuple[str, int]] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise ValueError(f"{path}:{lineno}: {line!r} is not 'word frequency'; write one word, a space, a whole number")
        pairs.append((parts[0], int(parts[1])))
    return pairs


_EXTRA_HEADER = "# -- extra policy terms (edit by hand; kept when the file is regenerated) --"
_GLOSSARY_HEADER = "# -- glossary terms (generated from glossary.tsv; do not edit) --"


def write_userdict(path: Path, glossary_terms: Iterable[str]) -> int:
    """Regenerate the user dictionary at ``path``: its hand-kept extra terms plus ``glossary_terms``, the
    glossary's Chinese terms (``scripts/regenerate_userdict.py`` passes them for the bundled dictionary).

    Each word gets the larger of its jieba frequency and ``USERDICT_MIN_FREQ``. Only
    terms jieba can hold as one word (Chinese characters and digits) are written.

    Returns:
        The number of words written.
    """
    import jieba

    extras = _extra_terms(path) if path.exists() else []
    jieba.setLogLevel(logging.WARNING)
    base = jieba.Tokenizer()
    base.initialize()
    single = re.compile(rf"[{_CJK}][{_CJK}0-9]*")

    def line(word: str) -> str:
        return f"{word} {max(base.FREQ.get(word) or 0, USERDICT_MIN_FREQ)}"

    gloss = [t for t in dict.fromkeys(glossary_terms) if single.fullmatch(_normalize(t)) and t not in extras]
    extras = [t for t in extras if single.fullmatch(t)]
    lines = [
        "# jieba user dictionary of policy terms for policykb (word frequency per line).",
        "# Regenerate after editing glossary.tsv: .venv/bin/python scripts/regenerate_userdict.py",
        _EXTRA_HEADER,
        *[line(t) for t in extras],
        _GLOSSARY_HEADER,
        *[line(_normalize(t)) for t in gloss],
    ]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    return len(extras) + len(gloss)


def _extra_terms(path: Path) -> list[str]:
    """Words of the hand-kept section of an existing user dictionary."""
    words: list[str] = []
    in_extra = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line == _EXTRA_HEADER:
            in_extra = True
        elif line == _GLOSSARY_HEADER:
            in_extra = False
        elif in_extra and line and not line.startswith("#"):
            words.append(line.split()[0])
    return words


@lru_cache(maxsize=1)
def tokenizer_config() -> dict[str, Any]:
    """What a saved lexical index must record: any change here makes it stale."""
    from importlib.metadata import version

    stop = "\n".join(sorted(EN_STOPWORDS)) + "\n--\n" + "\n".join(sorted(ZH_STOPWORDS))
    return {
        "version": TOKENIZER_VERSION,
        "normalize": "NFKC+lower",
        "zh": "jieba-precise-hmm+subwords",
        "en": "words+light-stem",
        "jieba": version("jieba"),
        "userdict_sha256": hashlib.sha256(USERDICT_PATH.read_bytes()).hexdigest(),
        "stopwords_sha256": hashlib.sha256(stop.encode("utf-8")).hexdigest(),
        "userdict_min_freq": USERDICT_MIN_FREQ,
    }
