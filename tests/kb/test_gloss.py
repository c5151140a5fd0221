"""English glosses of Chinese clauses: the dictionary read in its own direction (kb/retrieval/gloss.py)."""
from __future__ import annotations

import dataclasses

import pytest

from policykb.ingest.model import Clause
from policykb.kb.config import DEFAULT_TUNING
from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.index.manifest import ClauseRow
from policykb.kb.index.snapshot import Snapshot
from policykb.kb.index.tokenize import tokenize
from policykb.kb.retrieval.dictionary import Dictionary, english_tokens, parse_cedict
from policykb.kb.retrieval.gloss import GlossIndex, either_translation, word_gloss
from policykb.kb.retrieval.retriever import Retriever

SAMPLE = """\
貸款 贷款 [dai4 kuan3] /loan/to provide a loan/
借款 借款 [jie4 kuan3] /to lend money/to borrow money/loan/
放款 放款 [fang4 kuan3] /loan/
拆借 拆借 [chai1 jie4] /loan/
股東 股东 [gu3 dong1] /shareholder/stockholder/
銀行 银行 [yin2 hang2] /bank/
會計 会计 [kuai4 ji4] /accountant/accounting/
年度 年度 [nian2 du4] /year/annual/
限 限 [xian4] /to limit/
額 额 [e2] /forehead/amount/
"""


@pytest.fixture(scope="module")
def dictionary() -> Dictionary:
    return Dictionary(parse_cedict(SAMPLE.splitlines()))


def zh_clause(n: str, text: str, lang: str = "zh") -> Clause:
    return Clause(id=f"rule:{n}", doc_id="rule", section="1", section_title="", number=n, label=f"第{n}条", title="",
                  text=text, lang=lang)


def snapshot_of(clauses: list[Clause]) -> Snapshot:
    lexical = LexicalIndex.build([c.id for c in clauses], [c.text for c in clauses])
    return Snapshot(
        generation=1, rows=tuple(ClauseRow(c, f"{c.id}@v", 0) for c in clauses), by_id={c.id: c for c in clauses},
        vec_to_clause={f"{c.id}@v": c.id for c in clauses}, lexical=lexical, langs=frozenset(c.lang for c in clauses),
    )


def test_a_word_is_glossed_by_every_sense_it_has(dictionary: Dictionary) -> None:
    assert word_gloss("借款", dictionary) == ("lend", "money", "borrow", "loan")  # "money" once
    assert word_gloss("股东", dictionary) == ("shareholder", "stockholder")
    assert word_gloss("没有", dictionary) == ()


def test_a_word_the_dictionary_lacks_is_glossed_through_its_parts(dictionary: Dictionary) -> None:
    assert "限额" not in dictionary
    assert word_gloss("限额", dictionary) == ("limit", "forehead", "amount")


def gloss_index(clauses: list[Clause], dictionary: Dictionary) -> GlossIndex:
    snapshot = snapshot_of(clauses)
    return GlossIndex.build(snapshot.lexical, {c.id: c.lang for c in clauses}, dictionary)


def test_only_chinese_clauses_are_glossed_and_scored(dictionary: Dictionary) -> None:
    clauses = [zh_clause("1", "股东借款"), zh_clause("2", "会计年度"), zh_clause("3", "Loans to shareholders.", lang="en")]
    index = gloss_index(clauses, dictionary)
    assert len(index) == 2
    assert set(index.scores("Can shareholders borrow?")) == {"rule:1"}
    assert set(index.scores("When does the accounting year start?")) == {"rule:2"}
    assert index.scores("volcanoes") == {}


def test_gloss_scores_are_bm25_of_the_glossed_text(dictionary: Dictionary) -> None:
    # The index reads its glosses off the lexical index's postings; it must score as BM25 over the glosses written out.
    texts = {"1": "股东借款，股东贷款。", "2": "会计年度", "3": "银行放款和拆借", "4": "股东"}
    clauses = [zh_clause(n, t) for n, t in texts.items()]
    index = gloss_index(clauses, dictionary)
    written = LexicalIndex.from_tokens(
        [c.id for c in clauses],
        [[g for word in tokenize(c.text) if not word.isascii() for g in word_gloss(word, dictionary)] for c in clauses])
    for question in ("Can shareholders get a loan?", "money lent by a bank", "accounting year"):
        expected = written.scores(list(english_tokens(question)))
        got = index.scores(question)
        assert got.keys() == expected.keys() and all(got[k] == pytest.approx(v, rel=1e-4) for k, v in expected.items())


def test_the_larger_estimate_wins_and_the_gloss_is_scaled() -> None:
    merged = either_translation({"a": 2.0, "b": 1.0}, {"b": 3.0, "c": 1.0}, 0.5)
    assert merged == {"a": 2.0, "b": 1.5, "c": 0.5}
    assert either_translation({"a": 2.0}, {"a": 1.0}, 1.0) == {"a": 2.0}  # never a sum


def test_the_gloss_finds_a_clause_whose_word_the_question_side_left_out(dictionary: Dictionary) -> None:
    # Four words mean "loan"; the question side keeps only the best few renderings of a word, so one article
    # is out of its reach. Its gloss still says "loan".
    words = ("贷款", "借款", "放款", "拆借")
    clauses = [zh_clause(str(i), f"银行{w}") for i, w in enumerate(words, 1)]
    snapshot = snapshot_of(clauses)

    def retriever(scale: float) -> Retriever:
        config = dataclasses.replace(DEFAULT_TUNING.retrieval, gloss_scale=scale)
        return Retriever(snapshot, embedder=None, vectors=None, glossary=None, dictionary=dictionary, config=config)  # type: ignore[arg-type]

    off = retriever(0.0)
    rendered = set(off.dictionary_terms("What about a loan?", "en"))
    left_out = [c.id for c, w in zip(clauses, words) if w not in rendered]
    assert left_out, "the sample must give one word more than the question side keeps"
    hits_off = {h.clause.id: h for h in off.search("What about a loan?", 4, mode="lexical")[0]}
    hits_on = {h.clause.id: h for h in retriever(1.0).search("What about a loan?", 4, mode="lexical")[0]}
    for cid in left_out:
        assert cid not in hits_off
        assert hits_on[cid].signals["dictionary"] > 0
    for cid in hits_off:  # the clauses the question side found keep at least their evidence
        assert hits_on[cid].signals["dictionary"] >= hits_off[cid].signals["dictionary"]


def test_chinese_questions_and_english_only_kbs_have_no_gloss(dictionary: Dictionary) -> None:
    english = snapshot_of([zh_clause("1", "Banks shall keep reserves.", lang="en")])
    assert Retriever(english, embedder=None, vectors=None, glossary=None, dictionary=dictionary).gloss_index() is None  # type: ignore[arg-type]
    chinese = snapshot_of([zh_clause("1", "股东借款"), zh_clause("2", "会计年度")])
    config = dataclasses.replace(DEFAULT_TUNING.retrieval, gloss_scale=1.0)
    on = Retriever(chinese, embedder=None, vectors=None, glossary=None, dictionary=dictionary, config=config)  # type: ignore[arg-type]
    off = Retriever(chinese, embedder=None, vectors=None, glossary=None, dictionary=dictionary,  # type: ignore[arg-type]
                    config=dataclasses.replace(config, gloss_scale=0.0))
    question = "股东可以借款吗？"
    assert [(h.clause.id, h.score) for h in on.search(question, 2, mode="lexical")[0]] == \
        [(h.clause.id, h.score) for h in off.search(question, 2, mode="lexical")[0]]


def test_specific_words_are_those_few_glosses_hold(dictionary: Dictionary) -> None:
    clauses = [zh_clause(str(n), text) for n, text in enumerate(["银行贷款", "银行借款", "银行股东", "银行会计年度"], 1)]
    index = gloss_index(clauses, dictionary)
    assert index.holders("loan") == {"rule:1", "rule:2"}
    assert index.holders("volcano") == frozenset()
    # "bank" is in every gloss, so no specific word; "loan" (in half of them) is not asked
    assert index.specific_holders("Do banks lend to shareholders each year?", 0.25) == {
        "lend": frozenset({"rule:2"}), "shareholder": frozenset({"rule:3"}), "year": frozenset({"rule:4"})}
