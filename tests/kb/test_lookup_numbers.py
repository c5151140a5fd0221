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
    ],
)
def test_clause_numbers_of_any_size(question: str, number: str) -> None:
    assert parse_lookup(question) == Lookup("clause", number)


def test_a_bare_year_in_brackets_is_not_a_clause() -> None:
    assert parse_lookup("What did the Opinions (2022) ask of banks?") is None


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
