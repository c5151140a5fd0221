"""Answering the same questions under many tunings, for calibration: retrieval signals are computed once.

The first search of a question embeds it and reads the lexical index; every later search of
it, under any :class:`~policykb.kb.config.RetrievalConfig`, re-fuses the cached signals in
memory. The verdict (abstain / unsure / sure, and the clauses cited) is computed without
composing answer text, except for direct lookups, which run the full extractive path.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from policykb.ingest.lang import detect_lang
from policykb.kb.answer.followup import resolve_followup
from policykb.kb.answer.naming import doc_names
from policykb.kb.answer.respond import _extractive, assess, prepare
from policykb.kb.config import DEFAULT_TUNING, RetrievalConfig, TuningConfig
from policykb.kb.model import DocumentInfo, Hit, Turn
from policykb.kb.retrieval.lookup import parse_lookup

if TYPE_CHECKING:
    from policykb.kb.retrieval.retriever import Retriever

__all__ = ["Replay", "Outcome"]


@dataclass(frozen=True)
class Outcome:
    """What the answerer would do: "abstain", "unsure", "sure" or "lookup", and the clause ids it cites."""

    kind: str
    cited: tuple[str, ...]


class Replay:
    """Searches and verdicts of one snapshot under any tuning, each question retrieved once."""

    def __init__(self, retriever: "Retriever", documents: Sequence[DocumentInfo]) -> None:
        self._base = retriever.with_config(retriever.config)
        self._base.signal_cache = {}
        self._documents = tuple(documents)
        self._retrievers: dict[RetrievalConfig, "Retriever"] = {}

    def resolve(self, question: str, history: Sequence[Turn] = ()) -> tuple[str, str | None]:
        """The question a follow-up stands for, and the document it is restricted to (None = all)."""
        resolution = resolve_followup(question.strip(), history, self._base.glossary, DEFAULT_TUNING.answer,
                                      doc_names(self._documents), self._base.snapshot.clause_numbers)
        return resolution.question, resolution.doc

    def search(self, asked: str, config: RetrievalConfig, k: int = DEFAULT_TUNING.answer.k,
               doc: str | None = None) -> tuple[list[Hit], str]:
        retriever = self._retrievers.get(config)
        if retriever is None:
            if len(self._retrievers) > 256:
                self._retrievers.clear()
            retriever = self._retrievers[config] = self._base.with_config(config)
        return retriever.search(asked, k, doc=doc)

    def context(self, question: str, asked: str, tuning: TuningConfig) -> Any:
        """What answering ``asked`` reads besides the hits (terms, corpus statistics, document-name words)."""
        return prepare(asked, detect_lang(question), self._base, self._documents, tuning)

    def fusion_inputs(self, asked: str) -> tuple[dict[str, dict[str, float]], dict[str, str], Any, float, str] | None:
        """A searched question's raw signals, the clause languages, the clause order key, its glossary coverage and
        language: what :func:`policykb.kb.retrieval.fusion.fuse` reads; None before the question was searched."""
        cached = (self._base.signal_cache or {}).get((asked, "fused"))
        if cached is None:
            return None
        lang = detect_lang(asked)
        return cached[0], self._base._clause_langs, self._base._order, self._base._bridge_coverage(asked, lang), lang

    def outcome(self, question: str, asked: str, hits: list[Hit], lookup_kind: str, tuning: TuningConfig) -> Outcome:
        """The verdict ``answer_question`` would reach on these hits (``question`` as typed, ``asked`` resolved)."""
        ctx = prepare(asked, detect_lang(question), self._base, self._documents, tuning)
        if lookup_kind or not hits or parse_lookup(asked) is not None:
            draft = _extractive(ctx, hits, lookup_kind)
            kind = "abstain" if draft.abstained else "lookup"
            return Outcome(kind, tuple(c.id for c in draft.citations))
        verdict = assess(ctx, hits)
        return Outcome(verdict.kind, tuple(h.clause.id for h in verdict.cite))
