"""Fixtures for the eval tests: a small in-memory stand-in for the KB's public API, for testing the runner's bookkeeping.

It answers with plain word overlap, so every expected number in the tests can be worked out
by hand. The real KnowledgeBase is exercised in test_integration.py.
"""
from __future__ import annotations

import re
from typing import Sequence

import pytest

from policykb.errors import LLMError, NotFoundError
from policykb.ingest.model import Clause
from policykb.kb.model import Answer, Citation, Hit, SearchResult, Turn

TEXTS = {
    "d:1": "Green finance and green bonds for Ningbo.",
    "d:2": "Inclusive finance for small enterprises in Wenzhou.",
    "d:3": "Pension finance and elderly care services.",
    "d:4": "Digital renminbi pilots.",
}
_STOP = {"and", "for", "in", "the", "what", "about", "does", "say", "on", "of", "which", "is"}


def clause(cid: str) -> Clause:
    number = cid.split(":")[1]
    return Clause(id=cid, doc_id="d", section="1", section_title="One", number=number, label=f"({number})", title="", text=TEXTS[cid])


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w not in _STOP}


class FakeKB:
    """search: word overlap ("dense" returns the document order reversed); ask: cites the best
    overlapping clause or abstains; a question containing "bogus" also cites a missing clause,
    one containing "elsewhere" cites d:4 (never retrieved for it); mode "llm" always fails."""

    def __init__(self, resolve: bool = False) -> None:
        self.resolve = resolve  # set Answer.resolved_question on follow-ups
        self.asks: list[tuple[str, tuple[str, ...], str | None]] = []
        self.searches: list[tuple[str, int, str]] = []

    def clause(self, clause_id: str) -> Clause:
        if clause_id not in TEXTS:
            raise NotFoundError(f"no clause {clause_id!r}")
        return clause(clause_id)

    def clauses(self, doc_id: str | None = None) -> list[Clause]:
        return [clause(cid) for cid in TEXTS if doc_id in (None, "d")]

    def _rank(self, query: str) -> list[str]:
        q = words(query)
        scored = [(len(q & words(text)), cid) for cid, text in TEXTS.items()]
        return [cid for score, cid in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]

    def search(self, query: str, k: int = 5, *, mode: str = "fused", **_: object) -> SearchResult:
        self.searches.append((query, k, mode))
        ids = list(reversed(TEXTS)) if mode == "dense" else self._rank(query)
        hits = tuple(Hit(clause(cid), 1.0 / (i + 1)) for i, cid in enumerate(ids[:k]))
        return SearchResult(query, hits, latency_ms=float(len(query)))

    def ask(self, question: str, *, history: Sequence[Turn] = (), mode: str | None = None) -> Answer:
        self.asks.append((question, tuple(t.question for t in history), mode))
        if mode == "llm":
            raise LLMError("endpoint 'http://x' timed out")
        text = " ".join([*(t.question for t in history), question])
        ranked = self._rank(text)
        if not ranked:
            return Answer("The documents do not cover this.", (), True, "no match", "extractive", 5.0)
        cited = [ranked[0]]
        if "bogus" in question:
            cited.append("d:99")
        if "elsewhere" in question:
            cited.append("d:4")
        cites = tuple(Citation(c, "d", c[2:], f"({c[2:]})", TEXTS.get(c, ""), "One", "Doc") for c in cited)
        resolved = f"{question} ({history[-1].question})" if self.resolve and history else ""
        return Answer(f"See {ranked[0]}.", cites, False, "", "extractive", 7.0 + len(history), resolved_question=resolved)


@pytest.fixture()
def fake_kb() -> FakeKB:
    """A fresh stand-in KB (it records the calls it receives)."""
    return FakeKB()


@pytest.fixture()
def fake_kb_class() -> type[FakeKB]:
    """The stand-in class itself, for tests that construct it with options."""
    return FakeKB
