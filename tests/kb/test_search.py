"""Search over the real ingested corpus (bundled model, embedded Chroma): lookups, mentions, topical queries,
filters, modes, errors; and the Chinese test rule beside the Opinions (第X条, en→zh glossary bridge)."""
from __future__ import annotations

import re

import pytest

from kb_helpers import CHINESE, ENGLISH, LOOKUPS, OPINIONS, ZH_RULE, op, zj
from policykb.errors import NotFoundError, PolicyKBError


def ids(result) -> list[str]:
    return [h.clause.id for h in result.hits]


# -- direct clause lookups -----------------------------------------------------------------
@pytest.mark.parametrize("query,number", LOOKUPS)
def test_direct_lookup_returns_that_clause_first(corpus_kb, query: str, number: int) -> None:
    result = corpus_kb.search(query, 5)
    assert result.lookup == "clause" and result.lookup_value == str(number)
    assert ids(result) == [op(number)]  # the clause, and the related clauses apart
    assert len(result.related) == 4 and op(number) not in [h.clause.id for h in result.related]


def test_lookup_of_a_number_the_document_lacks_says_so_and_lists_nothing_unrelated(corpus_kb) -> None:
    for query in ("第九十九条", "(99)", "What does clause 99 say?"):
        result = corpus_kb.search(query, 3)
        assert result.lookup == "clause" and result.missing
        assert result.hits == () and result.related == ()
        assert result.message == "no clause numbered 99 in the KB"
    with_words = corpus_kb.search("第九十九条 储蓄国债", 3)  # the number is missing; the words still search
    assert with_words.missing and with_words.related and with_words.related[0].clause.id == op(18)


def test_a_lookup_scores_the_clause_and_its_related_clauses_on_one_scale(corpus_kb) -> None:
    result = corpus_kb.search("(18)", 5)
    scores = [h.score for h in (*result.hits, *result.related)]
    bonus = corpus_kb.tuning.retrieval.lookup_bonus
    assert all(0 <= s < bonus for s in scores), scores  # no lookup bonus beside plain fused scores
    assert scores == sorted(scores, reverse=True)  # ranked by the clause's own heading, it comes first


# -- "which clauses mention X" ---------------------------------------------------------------
def mentioning(kb, *words: str) -> set[str]:
    """Clause ids whose text names any of the words (worked out here, independently of the KB's lookup code)."""
    return {c.id for c in kb.clauses() if any(re.search(rf"\b{w}\b" if w.isascii() else w, c.text) for w in words)}


@pytest.mark.parametrize(
    "query,entity,expected",
    [
        ("Which clauses mention Ningbo?", "Ningbo", {12, 20}),
        ("哪些条款提到宁波", "Ningbo", {12, 20}),
        ("Which clauses mention Hangzhou?", "Hangzhou", {5, 10}),
        ("哪些条款提到杭州？", "Hangzhou", {5, 10}),
    ],
)
@pytest.mark.parametrize("k", [1, 5])
def test_mentions_return_every_mentioning_clause_first(corpus_kb, query: str, entity: str, expected: set[int], k: int) -> None:
    wanted = {op(n) for n in expected}
    assert mentioning(corpus_kb, entity) == wanted  # the expectation itself is right
    result = corpus_kb.search(query, k)
    assert result.lookup == "mentions"
    assert set(ids(result)[: len(wanted)]) == wanted
    assert len(result.hits) == max(k, len(wanted))


# -- topical queries -------------------------------------------------------------------------
@pytest.mark.parametrize("query,number", ENGLISH + CHINESE)
def test_topical_query_ranks_the_right_clause_first(corpus_kb, query: str, number: int) -> None:
    result = corpus_kb.search(query, 3)
    assert result.lookup == ""
    assert ids(result)[0] == op(number), [(h.clause.id, round(h.score, 3)) for h in result.hits]


def test_ranked_hits_are_sorted_and_carry_their_signals(corpus_kb) -> None:
    result = corpus_kb.search("green bonds and ESG disclosure", 7)
    assert len(result.hits) == 7
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert len(set(ids(result))) == 7
    assert set(result.hits[0].signals) == {"dense_clause", "dense_sentence", "lexical", "bridge", "dictionary"}
    assert result.latency_ms > 0
    assert result.query == "green bonds and ESG disclosure"


# -- modes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["dense", "lexical"])
@pytest.mark.parametrize("query,number", [("charitable trusts", 13), ("housing lease guarantee bonds", 19), ("储蓄国债下乡", 18)])
def test_single_family_modes_find_the_clause(corpus_kb, mode: str, query: str, number: int) -> None:
    result = corpus_kb.search(query, 3, mode=mode)
    assert ids(result)[0] == op(number)
    silent = ("lexical", "bridge") if mode == "dense" else ("dense_clause", "dense_sentence")
    assert all(h.signals[s] == 0.0 for h in result.hits for s in silent)


def test_unknown_mode_is_refused(corpus_kb) -> None:
    with pytest.raises(PolicyKBError, match="mode"):
        corpus_kb.search("charitable trusts", mode="hybrid")


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_an_error(corpus_kb, query: str) -> None:
    with pytest.raises(PolicyKBError, match="empty"):
        corpus_kb.search(query)


def test_unknown_document_is_not_found(corpus_kb) -> None:
    with pytest.raises(NotFoundError, match="'no-such-doc'"):
        corpus_kb.search("charitable trusts", doc="no-such-doc")
    with pytest.raises(NotFoundError, match="'no-such-doc'"):
        corpus_kb.clauses("no-such-doc")
    with pytest.raises(NotFoundError, match="'no-such-doc:1'"):
        corpus_kb.clause("no-such-doc:1")


def test_browse_returns_clauses_in_document_order(corpus_kb) -> None:
    clauses = corpus_kb.clauses(OPINIONS)
    assert [c.number for c in clauses] == [str(n) for n in range(1, 32)]
    assert corpus_kb.clause(op(18)).label == "(18)"


# -- the Chinese test rule beside the Opinions -------------------------------------------------
@pytest.mark.parametrize(
    "query,number", [("第八条", 8), ("第十九条讲了什么？", 19), ("第（十二）条", 12), ("第二十一条的内容", 21), ("第二十五条", 25)]
)
def test_chinese_article_lookup_returns_the_rule_article_first(mixed_kb, query: str, number: int) -> None:
    result = mixed_kb.search(query, 4)
    assert result.lookup == "clause"
    assert ids(result)[0] == zj(number)
    assert set(ids(result)[:2]) == {zj(number), op(number)}  # both documents have a clause of that number


@pytest.mark.parametrize(
    "query,number",
    [
        ("complaint handling deadline", 19),
        ("digital renminbi acceptance in farmers' markets", 13),
        ("personal information protection of borrowers", 18),
        ("due diligence exemption for loan officers", 12),
        ("supply chain finance based on core enterprises' trade data", 11),
    ],
)
def test_english_query_finds_a_chinese_article_through_the_glossary(mixed_kb, query: str, number: int) -> None:
    fused = mixed_kb.search(query, 3, doc=ZH_RULE)
    assert ids(fused)[0] == zj(number)
    top = fused.hits[0]
    assert top.signals["lexical"] == 0.0  # English words cannot match Chinese text directly …
    assert top.signals["bridge"] > 0.0  # … the glossary's Chinese renderings do
    assert top.matched_terms  # and the bridged terms are reported
    bridge_only = mixed_kb.search(query, 3, doc=ZH_RULE, mode="lexical")
    assert ids(bridge_only)[0] == zj(number)


def test_english_query_ranks_a_chinese_article_first_without_filters(mixed_kb) -> None:
    assert ids(mixed_kb.search("complaint handling deadline", 3))[0] == zj(19)


@pytest.mark.parametrize(
    "query,number",
    [
        ("客户投诉以后银行最晚几天要给答复？", 19),
        ("无还本续贷", 10),
        ("被评为信用户的农民，不用担保最多能贷多少钱？", 15),
        ("网上放贷的风险控制可以交给外面的公司来做吗？", 14),  # colloquial: 网上放贷/外面的公司 for 互联网贷款/合作机构
        ("普惠金融尽职免责", 12),
    ],
)
def test_chinese_query_finds_the_chinese_article(mixed_kb, query: str, number: int) -> None:
    assert ids(mixed_kb.search(query, 3))[0] == zj(number)


@pytest.mark.parametrize(
    "query,words",
    [
        ("哪些条款提到了丽水？", ("丽水", "Lishui")),
        ("Which articles mention Lishui?", ("丽水", "Lishui")),
        ("哪些条款提到宁波", ("宁波", "Ningbo")),
        ("Which clauses mention Ningbo?", ("宁波", "Ningbo")),
    ],
)
def test_mentions_cross_languages_through_the_glossary(mixed_kb, query: str, words: tuple[str, str]) -> None:
    wanted = mentioning(mixed_kb, *words)
    assert {d.split(":")[0] for d in wanted} == {OPINIONS, ZH_RULE}  # both documents name the place
    result = mixed_kb.search(query, 1)
    assert result.lookup == "mentions"
    assert set(ids(result)[: len(wanted)]) == wanted


# -- filters ---------------------------------------------------------------------------------
def test_doc_filter(mixed_kb) -> None:
    for doc in (OPINIONS, ZH_RULE):
        result = mixed_kb.search("保险 insurance", 8, doc=doc)
        assert len(result.hits) == 8
        assert {h.clause.doc_id for h in result.hits} == {doc}
    assert ids(mixed_kb.search("第八条", 3, doc=OPINIONS))[0] == op(8)


def test_lang_filter(mixed_kb) -> None:
    for lang in ("zh", "en"):
        result = mixed_kb.search("insurance for farmers 农业保险", 6, lang=lang)
        assert len(result.hits) == 6
        assert {h.clause.lang for h in result.hits} == {lang}
    assert ids(mixed_kb.search("agricultural insurance", 1, lang="zh"))[0] == zj(17)


def test_section_filter(mixed_kb) -> None:
    result = mixed_kb.search("insurance", 10, doc=OPINIONS, section="5")
    expected = {c.id for c in mixed_kb.clauses(OPINIONS) if c.section == "5"}
    assert set(ids(result)) == expected == {op(n) for n in (15, 16, 17, 18)}
    assert ids(result)[0] == op(16)
    assert mixed_kb.search("insurance", 5, doc=OPINIONS, section="42").hits == ()


def test_filters_apply_to_lookups(mixed_kb) -> None:
    result = mixed_kb.search("哪些条款提到宁波", 5, doc=ZH_RULE)
    assert result.lookup == "mentions"
    assert ids(result)[0] == zj(7)
    assert {h.clause.doc_id for h in result.hits} == {ZH_RULE}


@pytest.mark.parametrize("query,expected", [
    ("意见第三条讲什么？", "pbc-2022-60:3"),  # the Opinions print (3); the rule's 第三条 matches the style, not the name
    ("意见（三）", "pbc-2022-60:3"),
    ("办法（三）", None),  # the rule's short name 《办法》 before a bracketed number
])
def test_a_lookup_naming_its_document_by_short_name_finds_that_documents_clause(mixed_kb, query: str, expected) -> None:
    assert ids(mixed_kb.search(query, 3))[0] == (expected or zj(3))
