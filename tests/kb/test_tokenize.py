"""Tokens for the lexical index: jieba with the policy user dictionary, English words with a light stemmer."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from policykb.kb.retrieval.glossary import Glossary
from policykb.kb.index.tokenize import (
    TOKENIZER_VERSION,
    USERDICT_MIN_FREQ,
    USERDICT_PATH,
    read_userdict,
    stem,
    tokenize,
    tokenizer_config,
    write_userdict,
)

SINGLE_RUN = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff0-9]*")


@pytest.mark.parametrize("term", ["共同富裕示范区", "普惠金融", "供应链金融", "碳减排支持工具", "保障性租赁住房", "储蓄国债", "山区26县"])
def test_user_dictionary_keeps_policy_terms_whole(term: str) -> None:
    assert tokenize(term)[0] == term


@pytest.mark.parametrize(
    "sentence, term",
    [
        ("高质量发展建设共同富裕示范区的金融支持", "共同富裕示范区"),
        ("推动普惠金融机构发展", "普惠金融"),
        ("探索发展农业供应链金融", "农业供应链金融"),
        ("加大对供应链金融的支持", "供应链金融"),
        ("推动储蓄国债下乡", "储蓄国债"),
    ],
)
def test_policy_terms_stay_whole_in_sentences(sentence: str, term: str) -> None:
    assert term in tokenize(sentence)


def test_every_glossary_term_is_in_the_user_dictionary() -> None:
    words = {word for word, _ in read_userdict()}
    missing = [t for t in Glossary.load().zh_terms if SINGLE_RUN.fullmatch(t) and t not in words]
    assert missing == [], "regenerate with: .venv/bin/python scripts/regenerate_userdict.py"


def test_every_user_dictionary_word_comes_out_whole() -> None:
    broken = [word for word, _ in read_userdict() if word not in tokenize(word)]
    assert broken == []


def test_user_dictionary_frequencies_are_at_least_the_floor() -> None:
    assert all(freq >= USERDICT_MIN_FREQ for _, freq in read_userdict())


def test_long_words_also_give_the_dictionary_words_inside_them() -> None:
    tokens = tokenize("共同富裕示范区")
    assert tokens[0] == "共同富裕示范区"
    assert {"共同富裕", "示范区"} <= set(tokens)


def test_mixed_chinese_and_english_in_text_order() -> None:
    tokens = tokenize("推动普惠金融 and Supply Chain Financing，支持ＱＦＬＰ试点")
    assert tokens.index("普惠金融") < tokens.index("suppli") < tokens.index("chain") < tokens.index("financ") < tokens.index("qflp")
    assert "试点" in tokens
    assert "and" not in tokens


def test_digits_inside_chinese_stay_with_the_term_and_alone_are_tokens() -> None:
    assert "山区26县" in tokenize("支持山区26县发展")
    assert "2022" in tokenize("No. 60 [2022]")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("哪些条款提到宁波？", ["宁波"]),
        ("什么是慈善信托", ["慈善信托", "慈善", "信托"]),
        ("Which clauses mention the Ningbo?", ["claus", "mention", "ningbo"]),
        ("", []),
        ("的了和，。！", []),
    ],
)
def test_stopwords_and_punctuation_are_dropped(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_possessives_and_curly_apostrophes() -> None:
    assert tokenize("the People’s Bank of China's") == ["peopl", "bank", "china"]


@pytest.mark.parametrize(
    "forms",
    [
        ("finance", "financing", "financed"),
        ("bond", "bonds"),
        ("company", "companies"),
        ("house", "houses", "housing"),
        ("trust", "trusts"),
        ("apply", "applies", "applied", "applying"),
        ("plan", "plans", "planning", "planned"),
        ("tax", "taxes"),
        ("area", "areas"),
    ],
)
def test_stemmer_conflates_inflections(forms: tuple[str, ...]) -> None:
    assert len({stem(f) for f in forms}) == 1


@pytest.mark.parametrize("word", ["business", "status", "basis", "bank", "rmb", "2022", "gas", "need"])
def test_stemmer_leaves_these_alone(word: str) -> None:
    assert stem(word) == word


def test_stemmer_keeps_distinct_words_apart() -> None:
    assert stem("finance") != stem("financial")
    assert stem("insurance") != stem("insured")
    assert stem("saving") != stem("service")


def test_tokenizer_config_records_what_a_saved_index_depends_on() -> None:
    import hashlib

    config = tokenizer_config()
    assert config["version"] == TOKENIZER_VERSION
    assert config["userdict_sha256"] == hashlib.sha256(USERDICT_PATH.read_bytes()).hexdigest()
    assert json.loads(json.dumps(config)) == config


def test_importing_the_module_does_not_load_jieba_dictionary() -> None:
    code = (
        "import policykb.kb.index.tokenize as t, sys\n"
        "print(t._tokenizer is None)\n"
        "t.tokenize('普惠金融')\n"
        "print(t._tokenizer is not None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_write_userdict_keeps_extra_terms_and_adds_glossary_terms(tmp_path: Path) -> None:
    path = tmp_path / "userdict.txt"
    path.write_text(
        "# header\n"
        "# -- extra policy terms (edit by hand; kept when the file is regenerated) --\n"
        "共富工坊 1\n"
        "# -- glossary terms (generated from glossary.tsv; do not edit) --\n"
        "旧词条 5\n",
        encoding="utf-8",
    )
    n = write_userdict(path, ["普惠金融", "保险+期货", "宁波"])
    words = dict(read_userdict(path))
    assert n == 3
    assert set(words) == {"共富工坊", "普惠金融", "宁波"}  # "保险+期货" cannot be one jieba word; 旧词条 is gone
    assert words["共富工坊"] >= USERDICT_MIN_FREQ
    assert words["宁波"] > USERDICT_MIN_FREQ  # jieba's own frequency when it is higher
    write_userdict(path, ["普惠金融"])
    assert set(dict(read_userdict(path))) == {"共富工坊", "普惠金融"}


def test_read_userdict_names_file_and_line_of_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_text("# c\n普惠金融 100\n供应链金融 many\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"u\.txt:3: '供应链金融 many'"):
        read_userdict(path)
