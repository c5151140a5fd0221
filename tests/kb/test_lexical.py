"""The BM25 lexical index: build, scores, persistence, refusal of a stale index, and the Opinions."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Sequence

import pytest

from policykb.errors import IndexMismatchError
from policykb.kb.retrieval.glossary import Glossary
from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.index.tokenize import tokenize, tokenizer_config
from policykb.settings import repo_root

OPINIONS = repo_root() / "corpus" / "pbc-2022-60-zhejiang-common-prosperity-opinions.txt"

CLAUSES = {
    "zh:1": "（一）发展普惠金融。推动普惠金融机构为小微企业提供信贷支持，扩大首贷户覆盖面。",
    "zh:2": "（二）发展供应链金融。依托核心企业，为产业链上下游企业提供融资服务。",
    "zh:3": "（三）推动储蓄国债下乡，拓展网上银行、手机银行等销售渠道。",
    "en:1": "(1) Develop charitable trusts and give full play to the third distribution.",
    "en:2": "(2) Promote the distribution of savings bonds to the countryside through online banking.",
}


@pytest.fixture(scope="module")
def small() -> LexicalIndex:
    return LexicalIndex.build(list(CLAUSES), list(CLAUSES.values()))


def top(index: LexicalIndex, query: str | Sequence[str], k: int) -> list[str]:
    """The ``k`` best ids for a query text (or ready tokens), best first, ties in build order."""
    scores = index.scores(tokenize(query) if isinstance(query, str) else query)
    order = {cid: n for n, cid in enumerate(index.ids)}
    return sorted(scores, key=lambda cid: (-scores[cid], order[cid]))[:k]


# -- postings ----------------------------------------------------------------------------
def test_postings_give_each_token_its_documents_and_counts() -> None:
    texts = {"a": "存款 存款 存款 贷款", "b": "存款 利率", "c": "贷款 贷款 利率 利率 利率 deposit deposit"}
    index = LexicalIndex.build(list(texts), list(texts.values()))
    expected = {cid: Counter(tokenize(text)) for cid, text in texts.items()}
    seen = 0
    for token, positions, counts in index.postings():
        held = {index.ids[p]: int(n) for p, n in zip(positions, counts)}
        assert held == {cid: c[token] for cid, c in expected.items() if token in c}, token
        seen += 1
    assert seen == len(index.vocabulary)


def test_held_among_agrees_with_holders() -> None:
    import numpy as np

    index = LexicalIndex.from_tokens(["a", "b", "c"], [["银行", "存款"], ["存款"], ["利率"]])
    positions = np.array([2, 0, 1, -1])  # c, a, b and a position the index does not have
    for token in ("存款", "银行", "利率", "保险"):
        held = index.held_among(token, positions)
        assert [bool(h) for h in held] == [index.ids[p] in index.holders(token) if p >= 0 else False for p in positions]


def test_postings_count_once_when_the_scores_are_not_bm25(monkeypatch: pytest.MonkeyPatch) -> None:
    index = LexicalIndex.build(["a", "b"], ["存款 存款 贷款", "贷款"])
    scores = dict(index._bm25.scores)  # type: ignore[union-attr]
    scores["data"] = scores["data"] * 0 + 0.5  # not a read-back-able BM25
    monkeypatch.setattr(index._bm25, "scores", scores)
    assert {token: list(counts) for token, _positions, counts in index.postings()} == {"存款": [1], "贷款": [1, 1]}


# -- building and searching -------------------------------------------------------------
def test_search_finds_chinese_and_english_clauses(small: LexicalIndex) -> None:
    assert len(small) == 5
    assert top(small, "普惠金融", 3)[0] == "zh:1"
    assert top(small, "供应链金融", 3)[0] == "zh:2"
    assert top(small, "charitable trust", 3) == ["en:1"]
    assert set(top(small, "储蓄国债", 5)) == {"zh:3"}


def test_the_best_match_scores_highest(small: LexicalIndex) -> None:
    scores = small.scores(tokenize("savings bonds distribution banking 手机银行"))
    assert all(s > 0 for s in scores.values())
    assert max(scores, key=scores.__getitem__) == "en:2"


def test_a_part_of_a_compound_finds_the_whole(small: LexicalIndex) -> None:
    index = LexicalIndex.build(["a", "b"], ["高质量发展建设共同富裕示范区", "推进乡村振兴"])
    assert top(index, "共同富裕", 2) == ["a"]


def test_scores_gives_every_positive_score(small: LexicalIndex) -> None:
    scores = small.scores(tokenize("金融 distribution"))
    assert set(scores) == {"zh:1", "zh:2", "en:1", "en:2"}
    assert all(v > 0 for v in scores.values())


def test_scores_top_keeps_the_best_ones(small: LexicalIndex) -> None:
    everything = small.scores(tokenize("普惠金融 供应链金融 distribution"))
    best_two = small.scores(tokenize("普惠金融 供应链金融 distribution"), top=2)
    assert len(everything) > 2
    assert best_two == dict(sorted(everything.items(), key=lambda kv: -kv[1])[:2])
    assert small.scores(tokenize("普惠金融"), top=50) == small.scores(tokenize("普惠金融"))


def test_repeated_query_tokens_count_once(small: LexicalIndex) -> None:
    assert small.scores(["trust"]) == small.scores(["trust", "trust", "trust"])


@pytest.mark.parametrize("query", ["", "the of and", "的 了", "unseen words only", "完全无关"])
def test_queries_without_known_tokens_find_nothing(small: LexicalIndex, query: str) -> None:
    assert small.scores(tokenize(query)) == {}


def test_empty_index(tmp_path: Path) -> None:
    empty = LexicalIndex.build([], [])
    assert len(empty) == 0
    assert empty.scores(tokenize("普惠金融")) == {}
    assert empty.scores(["x"]) == {}
    empty.save(tmp_path / "lex")
    assert len(LexicalIndex.load(tmp_path / "lex")) == 0


def test_index_of_texts_without_tokens(tmp_path: Path) -> None:
    index = LexicalIndex.build(["a", "b"], ["的", ""])
    assert len(index) == 2
    assert index.scores(tokenize("的")) == {}
    index.save(tmp_path / "lex")
    assert LexicalIndex.load(tmp_path / "lex").ids == ("a", "b")


@pytest.mark.parametrize(
    "ids_, texts, message",
    [
        (["a"], ["x", "y"], "1 ids for 2 texts"),
        (["a", "a"], ["x", "y"], "'a' occurs twice"),
    ],
)
def test_build_rejects_bad_input(ids_: list[str], texts: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LexicalIndex.build(ids_, texts)


# -- persistence ------------------------------------------------------------------------
def test_save_load_round_trip_gives_the_same_results(small: LexicalIndex, tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    small.save(folder)
    loaded = LexicalIndex.load(folder)
    assert loaded.ids == small.ids
    for query in ["普惠金融", "savings bonds", "储蓄国债下乡", "charitable trusts 信托"]:
        assert loaded.scores(tokenize(query)) == small.scores(tokenize(query))
    version = folder / (folder / "CURRENT").read_text().strip()
    params = json.loads((version / "params.json").read_text())
    assert params["tokenizer"] == tokenizer_config()


def test_saving_again_replaces_the_index_and_keeps_at_most_two_versions(small: LexicalIndex, tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    small.save(folder)
    other = LexicalIndex.build(["x"], ["数字人民币试点"])
    for _ in range(3):
        other.save(folder)
    assert LexicalIndex.load(folder).ids == ("x",)
    assert len([p for p in folder.iterdir() if p.name.startswith("v-")]) <= 2


def test_an_interrupted_save_leaves_the_old_index_readable_and_is_cleaned_up(small: LexicalIndex, tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    small.save(folder)
    leftover = folder / ".v-deadbeef.tmp"
    leftover.mkdir()
    (leftover / "ids.json").write_text("[half")
    (folder / ".CURRENT.v-deadbeef.tmp").write_text("v-deadbeef")
    assert LexicalIndex.load(folder).ids == small.ids
    small.save(folder)
    assert not leftover.exists()
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_loading_a_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="policykb ingest"):
        LexicalIndex.load(tmp_path / "nothing")


def _edit_params(folder: Path, change) -> None:
    version = folder / (folder / "CURRENT").read_text().strip()
    params = json.loads((version / "params.json").read_text())
    change(params)
    (version / "params.json").write_text(json.dumps(params))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: p["tokenizer"].update(version="0"), r"other tokenizer settings \(version: '0' → "),
        (lambda p: p["tokenizer"].update(userdict_sha256="abc"), "userdict_sha256"),
        (lambda p: p["tokenizer"].pop("jieba"), "jieba: None"),
        (lambda p: p.update(format=99), "format 99"),
        (lambda p: p.update(n_docs=7), "ids for 7 documents"),
    ],
)
def test_a_stale_or_damaged_index_is_refused_with_a_rebuild_hint(small: LexicalIndex, tmp_path: Path, change, message: str) -> None:
    folder = tmp_path / "lex"
    small.save(folder)
    _edit_params(folder, change)
    with pytest.raises(IndexMismatchError, match=message) as err:
        LexicalIndex.load(folder)
    assert "rebuild with: policykb ingest --rebuild" in str(err.value)


def test_unreadable_params_are_refused(small: LexicalIndex, tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    small.save(folder)
    version = folder / (folder / "CURRENT").read_text().strip()
    (version / "params.json").write_text("{not json")
    with pytest.raises(IndexMismatchError, match="cannot be read"):
        LexicalIndex.load(folder)


# -- the Opinions ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def opinions() -> dict[str, str]:
    """The 31 numbered paragraphs "(N) ..." of the English Opinions, by number."""
    text = OPINIONS.read_text(encoding="utf-8")
    paragraphs = dict(re.findall(r"^\((\d+)\)\s*(.+)$", text, flags=re.MULTILINE))
    assert list(paragraphs) == [str(n) for n in range(1, 32)]
    return paragraphs


@pytest.fixture(scope="module")
def opinions_index(opinions: dict[str, str]) -> LexicalIndex:
    return LexicalIndex.build(list(opinions), list(opinions.values()))


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


def bridged(glossary: Glossary, query: str) -> list[str]:
    return [t for term in glossary.bridge_query(query, "zh", "en") for t in tokenize(term)]


@pytest.mark.parametrize(
    "query, clause",
    [
        ("charitable trusts", "13"),
        ("savings bonds for the countryside", "18"),
        ("indemnificatory rental housing", "19"),
        ("catastrophe insurance pilots", "20"),
        ("digital renminbi", "21"),
        ("illegal fund-raising", "26"),
        ("Qiantang River Financial Harbor", "14"),
        ("carbon emission reduction support tools", "24"),
        ("exchange rate hedging for foreign trade enterprises", "11"),
        ("Zheli Yonge Insurance", "8"),
        ("QFLP and QDLP pilots", "10"),
        ("loan codes and first loan users", "12"),
    ],
)
def test_english_queries_rank_the_right_clause_first(opinions_index: LexicalIndex, query: str, clause: str) -> None:
    assert top(opinions_index, query, 3)[0] == clause


@pytest.mark.parametrize(
    "query, clause",
    [
        ("慈善信托", "13"),
        ("储蓄国债下乡", "18"),
        ("保障性租赁住房", "19"),
        ("巨灾保险", "20"),
        ("碳减排支持工具", "24"),
        ("本外币一体化资金池", "10"),
        ("非法集资", "26"),
        ("钱塘江金融港湾", "14"),
        ("山区26县", "17"),
        ("汇率避险", "11"),
        ("QFLP试点", "10"),
        ("清廉金融", "28"),
    ],
)
def test_chinese_queries_bridged_by_the_glossary_rank_the_right_clause_first(
    opinions_index: LexicalIndex, glossary: Glossary, query: str, clause: str
) -> None:
    assert top(opinions_index, bridged(glossary, query), 3)[0] == clause


def test_chinese_queries_without_the_bridge_find_nothing_in_english_text(opinions_index: LexicalIndex) -> None:
    assert opinions_index.scores(tokenize("慈善信托")) == {}


@pytest.mark.parametrize("query", ["宁波", "哪些条款提到宁波", "宁波市"])
def test_a_bridged_place_name_finds_exactly_the_clauses_that_mention_it(
    opinions_index: LexicalIndex, opinions: dict[str, str], glossary: Glossary, query: str
) -> None:
    mentioning = {n for n, text in opinions.items() if "Ningbo" in text}
    assert mentioning == {"12", "20"}
    assert set(opinions_index.scores(bridged(glossary, query))) == mentioning
