"""The CC-CEDICT dictionary bridge: parsing, the cached table, sense weighting, and retrieval through it."""
from __future__ import annotations

from pathlib import Path

import pytest

from policykb.ingest.model import Clause
from policykb.kb.index.lexical import LexicalIndex
from policykb.kb.index.manifest import ClauseRow
from policykb.kb.index.snapshot import Snapshot
from policykb.kb.index.tokenize import tokenize
from policykb.kb.retrieval import dictionary as dictionary_module
from policykb.kb.retrieval.dictionary import Dictionary, english_tokens, load_dictionary, parse_cedict
from policykb.kb.retrieval.retriever import Retriever

SAMPLE = """\
# CC-CEDICT sample
存款 存款 [cun2 kuan3] /to deposit money (in a bank etc)/bank savings/bank deposit/
押金 押金 [ya1 jin1] /deposit/down payment/
老闆 老板 [lao3 ban3] /boss/business proprietor/CL:個|个[ge4]/
雇主 雇主 [gu4 zhu3] /employer/
張 张 [Zhang1] /surname Zhang/
張 张 [zhang1] /to open up/sheet (of paper)/
偽造 伪造 [wei3 zao4] /to forge/to fake/to counterfeit/
禁止 禁止 [jin4 zhi3] /to prohibit/to forbid/to ban/
限 限 [xian4] /to limit/to restrict/(Tw) boundary/
額 额 [e2] /forehead/amount/
峯 峰 [feng1] /old variant of 峰[feng1]/
銀行 银行 [yin2 hang2] /bank/CL:家[jia1],個|个[ge4]/
"""


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "cedict_sample.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


# -- parsing and loading -------------------------------------------------------------------
def test_parse_keeps_senses_and_drops_notes_surnames_variants_and_measure_words() -> None:
    table = parse_cedict(SAMPLE.splitlines())
    d = Dictionary(table)
    assert d.senses("存款") == ("deposit money", "bank sav", "bank deposit")  # "(in a bank etc)" dropped, stemmed
    assert d.senses("老板") == ("boss", "business proprietor")  # CL: dropped
    assert d.senses("张") == ("open", "sheet")  # the surname line adds nothing; both lines merge
    assert "峰" not in d  # only a variant reference
    assert d.senses("银行") == ("bank",)
    assert d.senses("没有这个词") == ()


def test_english_tokens_match_the_lexical_tokenizer_stems() -> None:
    assert english_tokens("to deposit money (in a bank etc)") == ("deposit", "money", "bank")
    for phrase in ("Personal information", "deposits insured", "commercial banks' capital"):
        assert english_tokens(phrase) == tuple(tokenize(phrase))


def test_load_writes_a_cache_and_reads_it_back(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = load_dictionary(sample)
    cached = list((tmp_path / "cache" / "policykb").glob("cedict-*.marshal"))
    assert len(cached) == 1
    # A second load is served by the cache: make the source unreadable as text to prove it is not parsed.
    calls: list[int] = []
    real = dictionary_module.parse_cedict
    monkeypatch.setattr(dictionary_module, "parse_cedict", lambda lines: calls.append(1) or real(lines))
    second = load_dictionary(sample)
    assert calls == []
    assert second.senses("存款") == first.senses("存款") and len(second) == len(first)


def test_unwritable_cache_folder_still_loads(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert load_dictionary(sample).senses("雇主") == ("employer",)


def test_bundled_dictionary_is_cc_cedict() -> None:
    d = load_dictionary()
    assert len(d) > 90_000
    assert "maternity leav" in " | ".join(d.senses("产假")).replace("materniti", "maternity")
    assert d.senses("雇主") == ("employ",) or "employ" in d.senses("雇主")[0]


# -- sense weighting ---------------------------------------------------------------------------
def bridge_over(words: dict[str, int], n_docs: int = 10):
    return Dictionary(parse_cedict(SAMPLE.splitlines())).for_vocabulary(list(words), words, n_docs)


def test_only_words_the_kb_holds_are_proposed() -> None:
    out = bridge_over({"押金": 1}).en_to_zh(["deposit"])
    assert set(out) == {"押金"}
    assert bridge_over({"雇主": 1}).en_to_zh(["deposit"]) == {}


def test_a_sense_that_is_the_phrase_beats_one_that_contains_it() -> None:
    out = bridge_over({"存款": 1, "押金": 1}).en_to_zh(["deposit"])
    # 押金's sense IS "deposit"; 存款 only has "bank deposit" / "deposit money" (and three senses).
    assert out["押金"] > out.get("存款", 0.0)
    # With only the containing sense in the KB, it is still proposed.
    assert bridge_over({"存款": 1}).en_to_zh(["deposit"])["存款"] > 0


def test_a_longer_phrase_outweighs_its_words() -> None:
    out = bridge_over({"存款": 1, "押金": 1}).en_to_zh(["bank", "deposit"])
    assert max(out, key=out.get) == "存款"


def test_single_characters_and_common_words_count_for_less() -> None:
    rare = bridge_over({"伪造": 1, "禁止": 1}, n_docs=10).en_to_zh(["counterfeit", "prohibit"])
    common = bridge_over({"伪造": 1, "禁止": 9}, n_docs=10).en_to_zh(["counterfeit", "prohibit"])
    assert common["禁止"] < rare["禁止"]
    assert common["伪造"] == rare["伪造"]
    single = bridge_over({"限": 1, "禁止": 1}).en_to_zh(["limit", "prohibit"])
    assert single["限"] < single["禁止"]


def test_words_missing_from_the_dictionary_are_glossed_through_their_parts() -> None:
    out = bridge_over({"限额": 1}).en_to_zh(["limit"])
    assert "限额" in out  # 限 + 额: "limit", "amount"


def test_chinese_words_give_english_tokens_and_synonyms_through_english() -> None:
    b = bridge_over({"boss": 1, "employ": 1, "雇主": 1, "老板": 1})
    assert "boss" in b.zh_to_en(["老板"])
    assert b.zh_to_en(["老板"], skip=frozenset({"老板"})) == {}
    syn = Dictionary(parse_cedict((SAMPLE + "僱主 雇主 [gu4 zhu3] /boss/\n").splitlines()))
    assert "雇主" in syn.for_vocabulary(["雇主"], {"雇主": 1}, 10).zh_synonyms(["老板"])


def test_expansion_is_capped() -> None:
    words = {f"词{i}": 1 for i in range(60)}
    lines = [f"詞{i} 词{i} [ci2] /deposit/" for i in range(60)]
    b = Dictionary(parse_cedict(lines)).for_vocabulary(list(words), words, 100)
    assert len(b.en_to_zh(["deposit"])) <= dictionary_module.PER_NGRAM


# -- retrieval through the dictionary, the glossary turned off -------------------------------------
ARTICLES = {
    "1": "存款保险实行限额偿付，最高偿付限额为人民币五十万元。",
    "2": "商业银行的会计年度自公历一月一日起至十二月三十一日止。",
    "3": "个人信息处理者应当对敏感个人信息采取严格保护措施。",
    "4": "禁止伪造、变造人民币。",
}


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    clauses = [
        Clause(id=f"rule:{n}", doc_id="rule", section="1", section_title="", number=n, label=f"第{n}条", title="", text=t, lang="zh")
        for n, t in ARTICLES.items()
    ]
    lexical = LexicalIndex.build([c.id for c in clauses], [c.text for c in clauses])
    return Snapshot(
        generation=1, rows=tuple(ClauseRow(c, f"{c.id}@v", 0) for c in clauses), by_id={c.id: c for c in clauses},
        vec_to_clause={f"{c.id}@v": c.id for c in clauses}, lexical=lexical, langs=frozenset({"zh"}),
    )


@pytest.mark.parametrize(
    "question,number",
    [
        ("Is counterfeiting banknotes forbidden?", "4"),
        ("When does the accounting year begin?", "2"),
        ("What is the deposit insurance payout limit?", "1"),
        ("How must sensitive personal information be protected?", "3"),
    ],
)
def test_english_question_finds_the_chinese_article_through_the_dictionary(snapshot: Snapshot, question: str, number: str) -> None:
    with_dictionary = Retriever(snapshot, embedder=None, vectors=None, glossary=None, dictionary=True)  # type: ignore[arg-type]
    hits, _ = with_dictionary.search(question, 2, mode="lexical")
    assert hits and hits[0].clause.id == f"rule:{number}"
    assert hits[0].signals["dictionary"] > 0
    without = Retriever(snapshot, embedder=None, vectors=None, glossary=None, dictionary=False)  # type: ignore[arg-type]
    assert without.search(question, 2, mode="lexical")[0] == []


# -- whole-phrase renderings for "which clauses mention X" -----------------------------------
MENTION_SAMPLE = SAMPLE + """\
人 人 [ren2] /person/people/
金 金 [jin1] /gold/metal/money/
資本 资本 [zi1 ben3] /capital/
黃金 黄金 [huang2 jin1] /gold/golden/
市場 市场 [shi4 chang3] /market/
存放 存放 [cun2 fang4] /to deposit/to store/
"""


def mention_bridge(words: dict[str, int]):
    return Dictionary(parse_cedict(MENTION_SAMPLE.splitlines())).for_vocabulary(list(words), words, 10)


def test_an_agent_noun_is_rendered_by_the_kb_word_naming_the_party() -> None:
    bridge = mention_bridge({"存款人": 3, "存款": 5, "存放": 2, "押金": 1})
    # "depositor" is no sense of any word here: the retrieval bridge meets it on the stem prefix ("deposit") …
    assert "存款人" not in bridge.en_to_zh(list(english_tokens("depositors")))
    # … a mention lookup takes the word that names the one who deposits, not the act of depositing.
    assert set(bridge.phrase_words(list(english_tokens("depositors")))) == {"存款人"}


def test_phrase_words_render_the_whole_phrase_as_a_word_of_its_own() -> None:
    bridge = mention_bridge({"黄金": 2, "黄金市场": 1, "资本金": 4, "金": 1, "银行": 5})
    assert set(bridge.phrase_words(["gold"])) == {"黄金", "黄金市场"}  # not 资本金 (its part 金), not the character 金
    assert bridge.phrase_words(list(english_tokens("dinosaurs"))) == {}
    assert bridge.phrase_words(["gold", "bank"]) == {}  # no word renders the phrase as a whole
