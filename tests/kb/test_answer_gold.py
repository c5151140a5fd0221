"""Every gold question answered by the real KB: quotes are verbatim, and the issue's acceptance levels hold.

One pass over eval/gold/opinions.jsonl (follow-ups asked with their history), shared by the tests.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from policykb.eval.gold import GoldRow, load_gold
from policykb.kb.model import Answer, Turn
from policykb.settings import repo_root

GOLD = repo_root() / "eval" / "gold" / "opinions.jsonl"


@dataclass(frozen=True)
class Asked:
    row: GoldRow
    answer: Answer
    history: tuple[Answer, ...]


@pytest.fixture(scope="module")
def gold_answers(corpus_kb) -> list[Asked]:
    out: list[Asked] = []
    for row in load_gold(GOLD):
        turns: list[Turn] = []
        for earlier in row.history:
            turns.append(Turn(earlier, corpus_kb.ask(earlier, history=tuple(turns))))
        answer = corpus_kb.ask(row.question, history=tuple(turns))
        out.append(Asked(row, answer, tuple(t.answer for t in turns if t.answer)))
    return out


def test_every_quote_is_a_verbatim_span_of_its_clause(corpus_kb, gold_answers: list[Asked]) -> None:
    checked = 0
    for asked in gold_answers:
        for answer in (asked.answer, *asked.history):
            for cite in (*answer.citations, *answer.related):
                clause = corpus_kb.clause(cite.id)
                assert cite.quote.strip(), (asked.row.id, cite.id)
                assert cite.quote in clause.text, (asked.row.id, cite.id, cite.quote)
                assert (cite.doc_id, cite.number, cite.label) == (clause.doc_id, clause.number, clause.label)
                checked += 1
    assert checked > len(gold_answers)


def test_abstained_answers_carry_no_citations(gold_answers: list[Asked]) -> None:
    for asked in gold_answers:
        if asked.answer.abstained:
            assert asked.answer.citations == () and asked.answer.related, asked.row.id
        else:
            assert asked.answer.citations, asked.row.id


def test_acceptance_levels_of_the_issue(gold_answers: list[Asked]) -> None:
    """Gold clause cited ≥95% per language; facts ≥85%; off-topic abstained ≥90%; answerable abstained ≤3%."""
    answerable = [a for a in gold_answers if a.row.answerable]
    offtopic = [a for a in gold_answers if not a.row.answerable]
    for lang in ("en", "zh"):
        rows = [a for a in answerable if a.row.lang == lang]
        hits = sum(1 for a in rows if not a.answer.abstained and {c.id for c in a.answer.citations} & set(a.row.gold))
        assert hits / len(rows) >= 0.95, (lang, hits, len(rows))
    facts = [(f, a) for a in answerable for f in a.row.facts]
    found = sum(1 for f, a in facts if f.casefold() in "\n".join([a.answer.answer, *(c.quote for c in a.answer.citations)]).casefold())
    assert found / len(facts) >= 0.85, (found, len(facts))
    assert sum(1 for a in offtopic if a.answer.abstained) / len(offtopic) >= 0.90
    assert sum(1 for a in answerable if a.answer.abstained) / len(answerable) <= 0.03


def test_follow_up_rows_record_the_question_answered(gold_answers: list[Asked]) -> None:
    followups = [a for a in gold_answers if a.row.history]
    assert followups
    for asked in followups:
        assert asked.answer.resolved_question and asked.answer.resolved_question != asked.row.question, asked.row.id
        assert {c.id for c in asked.answer.citations} & set(asked.row.gold), (asked.row.id, asked.answer.resolved_question)
