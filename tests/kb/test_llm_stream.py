"""LLM answers streamed (llama-index ``stream_chat`` over SSE from the loopback OpenAI double): the text arrives in
pieces before the answer, the citation check runs on the whole reply once complete, and extractive answers come whole."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from policykb.kb.model import Answer

from doubles.openai_double import OpenAIChatDouble, ScriptedReply
from kb_helpers import op, settings_for

BOND = "Promote the distribution of savings bonds to the countryside"
QUESTION = "储蓄国债下乡有什么安排？"


@pytest.fixture(scope="module")
def double() -> Iterator[OpenAIChatDouble]:
    with OpenAIChatDouble() as server:
        yield server


@pytest.fixture(scope="module")
def llm_kb(corpus_kb_dir: Path, double: OpenAIChatDouble):
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(settings_for(corpus_kb_dir, llm_base_url=double.base_url, llm_model="test-double", llm_timeout_s=30))
    yield kb
    kb.close()


def _split(items: list[str | Answer]) -> tuple[list[str], Answer]:
    assert isinstance(items[-1], Answer) and all(isinstance(i, str) for i in items[:-1])
    return [str(i) for i in items[:-1]], items[-1]  # type: ignore[return-value]


def test_the_reply_streams_in_pieces_then_the_checked_answer(llm_kb, double: OpenAIChatDouble) -> None:
    reply = f"储蓄国债将下乡销售 [(18)]。原文：“{BOND}” [(18)]。"
    pieces = ("储蓄国债", "将下乡销售 [(1", "8)]。原文：“", BOND[:30], BOND[30:] + "” [(18)]。")
    double.script(ScriptedReply(reply, pieces=pieces, hold_after=2))
    stream = llm_kb.ask_stream(QUESTION)
    received = [next(stream), next(stream)]  # the first two pieces arrive while the double holds back the rest
    assert double.held.wait(10) and double.chunks_sent == 2
    assert "".join(received) == "储蓄国债将下乡销售 [(1"  # a label split across pieces: checked only once whole
    double.release()
    texts, answer = _split([*received, *stream])
    assert "".join(texts) == reply and len(texts) == len(pieces)
    assert double.requests[-1]["stream"] is True
    assert answer.mode == "llm" and answer.llm_check == "verified" and answer.llm_note == ""
    assert [c.id for c in answer.citations] == [op(18)] and answer.citations[0].quote == BOND


def test_a_streamed_reply_citing_what_was_not_supplied_falls_back_with_the_reason(llm_kb, double: OpenAIChatDouble) -> None:
    double.script("Every bank must open a kiosk in each village [(99)].")
    texts, answer = _split(list(llm_kb.ask_stream(QUESTION)))
    assert "".join(texts) == "Every bank must open a kiosk in each village [(99)]."  # what the user saw arrive …
    assert answer.mode == "extractive" and answer.llm_check == "fallback"  # … is replaced by the extractive answer
    assert answer.citations[0].id == op(18) and "(99)" in answer.llm_note and "kiosk" not in answer.answer


def test_a_corrected_reply_says_what_the_check_removed(llm_kb, double: OpenAIChatDouble) -> None:
    double.script("Savings bonds go to the countryside [(18)]. Every bank must sell them [(99)].")
    _, answer = _split(list(llm_kb.ask_stream(QUESTION)))
    assert answer.mode == "llm" and answer.llm_check == "corrected" and "(99)" in answer.llm_note
    assert "(99)" not in answer.answer


def test_extractive_and_abstaining_answers_come_whole_without_the_llm(llm_kb, double: OpenAIChatDouble) -> None:
    before = len(double.requests)
    items = list(llm_kb.ask_stream(QUESTION, mode="extractive"))
    assert len(items) == 1 and isinstance(items[0], Answer) and items[0].llm_check == ""
    items = list(llm_kb.ask_stream("How do I make a sourdough starter?"))
    assert len(items) == 1 and items[0].abstained  # type: ignore[union-attr]
    assert len(double.requests) == before


def test_ask_without_streaming_still_asks_for_the_whole_reply(llm_kb, double: OpenAIChatDouble) -> None:
    double.script(f"“{BOND}” [(18)].")
    answer = llm_kb.ask(QUESTION)
    assert answer.llm_check == "verified" and double.requests[-1].get("stream") in (None, False)
