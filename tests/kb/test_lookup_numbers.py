"""Clause lookups of any size, parsed from the question alone (no KB)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policykb.ingest import int_to_chinese
from policykb.kb.answer.respond import _is_summary_request
from policykb.kb.retrieval.lookup import Lookup, parse_lookup


@pytest.mark.parametrize(
    "question, number",
    [
        ("What does clause 1800 say?", "1800"),
        ("What does clause 5000 say?", "5000"),
        ("clause (1800)", "1800"),
        ("What does (5000) say?", "5000"),
        ("(10000)", "10000"),
        ("Article 10000", "10000"),
        ("第1800条讲了什么？", "1800"),
        ("第一千八百条讲了什么？", "1800"),
        ("第一千零一条", "1001"),
        ("第一万条是什么？", "10000"),
        ("第一百零三条", "103"),
        ("第（一千零一）条", "1001"),
        ("What does clause 18 say?", "18"),
        ("意见（十八）", "18"),  # a bracketed number right after a document name
        ("《办法》(3)讲了什么？", "3"),
        ("存款保险条例（五）", "5"),
    ],
)
def test_clause_numbers_of_any_size(question: str, number: str) -> None:
    assert parse_lookup(question) == Lookup("clause", number)


def test_a_bare_year_in_brackets_is_not_a_clause() -> None:
    assert parse_lookup("What did the Opinions (2022) ask of banks?") is None
    assert parse_lookup("意见（2022）有哪些要求？") is None


def test_a_bracketed_number_after_an_ordinary_word_is_not_a_clause() -> None:
    assert parse_lookup("公司（一）的情况怎么样？") is None


def test_section_numbers_of_any_size() -> None:
    assert parse_lookup("What is in chapter 120?") == Lookup("section", "120")


@given(st.integers(min_value=1, max_value=10**8))
def test_every_number_is_looked_up_whole(n: int) -> None:
    assert parse_lookup(f"What does clause {n} say?") == Lookup("clause", str(n))
    assert parse_lookup(f"第{int_to_chinese(n)}条讲了什么？") == Lookup("clause", str(n))
    assert parse_lookup(f"第{n}条") == Lookup("clause", str(n))


@pytest.mark.parametrize("question, lang", [("What does (1800) say?", "en"), ("第一千八百条讲了什么？", "zh")])
def test_large_clause_numbers_are_summary_requests(question: str, lang: str) -> None:
    assert _is_summary_request(question, lang)


class _Row:
    def __init__(self, clause) -> None:
        self.clause = clause


class _Snapshot:
    def __init__(self, clauses) -> None:
        self.rows = [_Row(c) for c in clauses]


class _RankedRetriever:
    """Ranks the clauses by a fixed score table (whatever the query): the first article 39 high, the others not at all."""

    def __init__(self, clauses, scores: dict[str, float]) -> None:
        self.snapshot = _Snapshot(clauses)
        self._scores = scores

    def search(self, query, k, **_kw):
        from policykb.kb.model import Hit

        ranked = sorted((c for c in self.snapshot.rows if c.clause.id in self._scores), key=lambda r: -self._scores[r.clause.id])
        return [Hit(clause=r.clause, score=self._scores[r.clause.id]) for r in ranked][:k], ""


def _article(doc: str, number: int, text: str):
    from policykb.ingest.model import Clause

    return Clause(id=f"{doc}:{number}", doc_id=doc, section="", section_title="", number=str(number),
                  label=f"第{int_to_chinese(number)}条", title="", text=text, lang="zh")


def test_every_clause_so_numbered_is_a_match_on_the_same_top_score() -> None:
    from policykb.kb.retrieval.lookup import clause_lookup

    clauses = [_article("a", 39, "甲"), _article("a", 40, "乙"), _article("b", 39, "丙"), _article("c", 39, "丁"),
               _article("c", 7, "戊")]
    # The heading ranking that picks the related clauses finds a:39 and c:7, not b:39 or c:39.
    retriever = _RankedRetriever(clauses, {"a:39": 1.264, "c:7": 0.9, "a:40": 0.5})
    found = clause_lookup(retriever, "第三十九条", 5)  # type: ignore[arg-type]
    assert found is not None
    assert sorted(h.clause.id for h in found.hits) == ["a:39", "b:39", "c:39"]
    assert {h.score for h in found.hits} == {1.264}
    assert [h.clause.id for h in found.related] == ["c:7", "a:40"]
    assert all(r.score <= found.hits[-1].score for r in found.related)


class _RecordingRetriever(_RankedRetriever):
    """Records each search's (query, mode): a fused search embeds its query, the dearest step of a search."""

    def __init__(self, clauses, scores: dict[str, float]) -> None:
        super().__init__(clauses, scores)
        self.calls: list[tuple[str, str]] = []

    def search(self, query, k, **kw):
        self.calls.append((query, kw.get("mode", "fused")))
        return super().search(query, k, **kw)


def test_a_lookup_embeds_one_short_text() -> None:
    from policykb.kb.retrieval.lookup import clause_lookup

    lead = "设立商业银行的申请经审查符合本法第十四条规定的，申请人应当填写正式申请表，并提交下列文件、资料：" + "（一）章程草案；" * 20
    clauses = [_article("a", 15, lead), _article("b", 15, "乙"), _article("c", 7, "丙")]
    scores = {"a:15": 1.0, "b:15": 0.8, "c:7": 0.5}

    bare = _RecordingRetriever(clauses, scores)
    clause_lookup(bare, "第十五条", 5)  # type: ignore[arg-type]
    fused = [q for q, mode in bare.calls if mode == "fused"]
    # several documents' article 15: ordered lexically; the related clauses ranked for the first one's opening words
    # (to its colon, the article it cites left out)
    assert fused == ["设立商业银行的申请经审查符合本法 规定的，申请人应当填写正式申请表，并提交下列文件、资料"]
    assert [mode for _q, mode in bare.calls].count("lexical") == 1

    worded = _RecordingRetriever(clauses, scores)
    found = clause_lookup(worded, "商业银行法第十五条讲了什么？", 5)  # type: ignore[arg-type]
    assert worded.calls == [("商业银行法第十五条讲了什么？", "fused")]  # one ranking orders the articles and the rest
    assert found is not None and [h.clause.id for h in found.hits] == ["a:15", "b:15"]
    assert [h.clause.id for h in found.related] == ["c:7"]

    single = _RecordingRetriever(clauses[2:], scores)
    clause_lookup(single, "第七条", 5)  # type: ignore[arg-type]
    assert [mode for _q, mode in single.calls] == ["fused"]  # one article 7: nothing to order


def test_a_lookup_in_brackets_prefers_clauses_printed_in_brackets() -> None:
    from policykb.kb.retrieval.retriever import _same_numbering

    assert _same_numbering("（十八）", "(18)") and _same_numbering("(18)", "(18)")
    assert not _same_numbering("（十八）", "第十八条")
    assert _same_numbering("第十八条", "第十八条") and not _same_numbering("第十八条", "(18)")
