"""Typed results of the KB: hits, search results, citations, answers, ingest, check and copy reports.

Each ``to_json()`` gives the CLI's ``--json`` shape (DESIGN.md §3); the app's API returns the same."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from policykb.ingest.model import Clause
from policykb.kinds import AnswerMode, IngestStatus, Lang, LookupKind

__all__ = ["Hit", "SearchResult", "Citation", "Answer", "Turn", "DocumentInfo", "DocumentResult", "IngestReport",
           "CheckReport", "CopyReport"]


@dataclass(frozen=True)
class Hit:
    """A retrieved clause with its fused score and the per-signal scores behind it."""

    clause: Clause
    score: float
    signals: dict[str, float] = field(default_factory=dict)
    matched_terms: tuple[str, ...] = ()
    best_sentence: str = ""
    sentences: tuple[tuple[str, float], ...] = ()  # this clause's best-matching sentences (text, cosine), best first
    # the retrieval signals ("dense_clause", "dense_sentence", "lexical" with the dictionary bridge, "bridge") that rank
    # this clause first among the clauses of its language
    firsts: tuple[str, ...] = ()
    # what the question asks of a rule's frame ("commencement", "purpose"; kb/retrieval/intents.py) when this clause
    # states it, else ""
    intent: str = ""

    def to_json(self) -> dict[str, Any]:
        """A search result row: the clause's fields + ``score``."""
        return {**self.clause.to_dict(), "score": round(self.score, 6)}


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    latency_ms: float
    lookup: LookupKind | Literal[""] = ""  # the direct lookup the query made, or "" (ranked search)
    related: tuple[Hit, ...] = ()  # a clause lookup's other clauses, shown apart (scores on the hits' scale)
    lookup_value: str = ""  # the clause number a clause lookup asked for
    message: str = ""  # what the user should know about the results (e.g. no clause has that number)
    signals: tuple[str, ...] = ("lexical", "dense")  # the signal families that ranked it: "lexical", "dense"
    missing_vectors: int = 0  # clauses of the searched snapshot whose vectors were not in yet (found lexically only)
    scope: tuple[str, ...] = ()  # the document ids the search was limited to; () = every document

    @property
    def missing(self) -> bool:
        """True when the query named a clause number no clause has."""
        return bool(self.lookup_value) and not self.hits

    @property
    def lexical_only(self) -> bool:
        return "dense" not in self.signals

    def to_json(self) -> dict[str, Any]:
        """``{"query", "results": [clause fields + "score"], "latency_ms"}``, plus ``"related"`` (rows
        of the same shape), ``"lookup"`` (``{"kind", "value", "found"}`` for a clause lookup, else null),
        ``"message"``, ``"signals"``, ``"missing_vectors"``, and ``"scope"`` (doc ids) when limited."""
        lookup = {"kind": "clause", "value": self.lookup_value, "found": bool(self.hits)} if self.lookup_value else None
        data: dict[str, Any] = {
            "query": self.query, "results": [h.to_json() for h in self.hits], "latency_ms": round(self.latency_ms, 3),
            "related": [h.to_json() for h in self.related], "lookup": lookup, "message": self.message,
            "signals": list(self.signals), "missing_vectors": self.missing_vectors}
        if self.scope:
            data["scope"] = list(self.scope)
        return data


@dataclass(frozen=True)
class Citation:
    """A cited clause and a verbatim quote from its text."""

    id: str
    doc_id: str
    number: str
    label: str
    quote: str
    section_title: str
    doc_title: str


@dataclass(frozen=True)
class Answer:
    """An answer with its citations; ``abstained`` when the documents do not cover the question."""

    answer: str
    citations: tuple[Citation, ...]
    abstained: bool
    reason: str
    mode: AnswerMode
    latency_ms: float
    related: tuple[Citation, ...] = ()  # nearest clauses shown as "possibly related" when abstaining
    lang: Lang = "en"
    resolved_question: str = ""  # the question actually answered (a follow-up resolved against the conversation)
    confidence: str = "sure"  # "sure" | "unsure" (citations are candidates, most likely first) | "abstained" | "clarify" (a follow-up that cannot be resolved: the answer asks back)
    signals: tuple[str, ...] = ("lexical", "dense")  # the retrieval signal families behind it: "lexical", "dense"
    missing_vectors: int = 0  # clauses whose vectors were not in yet when it was answered (found lexically only)
    scope: tuple[str, ...] = ()  # the document ids the answer was limited to; () = every document
    # the LLM's citation check, run on its whole reply: "" (no LLM), "verified", "corrected" (citations or
    # sentences removed, see llm_note) or "fallback" (the reply failed; the extractive answer is shown, llm_note says why)
    llm_check: str = ""
    llm_note: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["latency_ms"] = round(self.latency_ms, 3)
        return data


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, used to resolve follow-up questions."""

    question: str
    answer: Answer | None = None


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    title: str
    doc_number: str
    issuers: tuple[str, ...]
    lang: str
    source_path: str
    sha256: str
    clauses: int
    sections: int
    preamble: str = ""
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, hash=False)  # further metadata: short_title, title_zh, history, …


@dataclass(frozen=True)
class DocumentResult:
    """What ingest did with one file."""

    doc_id: str
    path: str
    status: IngestStatus
    clauses: int = 0
    error: str = ""
    warnings: tuple[str, ...] = ()  # what the parser noticed (numbering gaps, no numbering found, …)


@dataclass(frozen=True)
class IngestReport:
    documents: tuple[DocumentResult, ...]
    added: int
    updated: int
    unchanged: int
    removed: int
    failed: int
    embedded: int
    seconds: float
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


@dataclass(frozen=True)
class CheckReport:
    """The integrity check of a KB (``policykb check``); after a repair, the problems left."""

    ok: bool
    problems: tuple[str, ...]
    repaired: tuple[str, ...]
    documents: int
    clauses: int
    generation: int
    duplicates: int
    orphans: int  # vectors of clause versions nobody committed
    stores: dict[str, int]  # entries per store: manifest, clause and sentence vectors, lexical
    repair_seconds: float
    pending: int = 0  # clauses committed with their vectors still to come (searchable lexically; not a problem)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CopyReport:
    """What ``policykb copy-vectors`` copied, from where to which Chroma server."""

    clauses: int
    sentences: int
    seconds: float
    source: str  # "embedded" or the Chroma URL the KB used
    target: str

    def to_json(self) -> dict[str, Any]:
        return {"clauses": self.clauses, "sentences": self.sentences, "seconds": self.seconds,
                "from": self.source, "to": self.target}
