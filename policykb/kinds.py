"""The closed sets of names every layer shares, each defined once: a ``Literal`` type for the checker and
the tuple of its values for run-time checks and CLI choices. Plain strings at run time (JSON as before)."""
from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "SearchMode", "SEARCH_MODES", "AnswerMode", "ANSWER_MODES", "LookupKind", "LOOKUP_KINDS",
    "IngestStatus", "INGEST_STATUSES", "Lang", "LANGS",
]

SearchMode = Literal["fused", "dense", "lexical"]
"""How search ranks clauses: all signals fused, the dense (embedding) signals only, or the lexical (BM25) ones."""
SEARCH_MODES: tuple[SearchMode, ...] = get_args(SearchMode)

AnswerMode = Literal["extractive", "llm"]
"""Who wrote an answer: quoted sentences of the clauses, or an LLM given the clauses."""
ANSWER_MODES: tuple[AnswerMode, ...] = get_args(AnswerMode)

LookupKind = Literal["clause", "section", "mentions"]
"""What a query asks for directly: a clause number, a section number, every clause mentioning an entity."""
LOOKUP_KINDS: tuple[LookupKind, ...] = get_args(LookupKind)

IngestStatus = Literal["added", "updated", "unchanged", "failed", "removed"]
"""What ingest did with one document."""
INGEST_STATUSES: tuple[IngestStatus, ...] = get_args(IngestStatus)

Lang = Literal["zh", "en"]
"""The language of a text, a clause or a question."""
LANGS: tuple[Lang, ...] = get_args(Lang)
