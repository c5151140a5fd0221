"""The typed, frozen data model of a parsed document (JSON via ``dataclasses.asdict``)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Item", "Clause", "Section", "Document", "clause_from_dict"]


@dataclass(frozen=True)
class Item:
    """A sub-item of a clause: "(a)", "1.", "（一）" inside an article."""

    label: str
    text: str


@dataclass(frozen=True)
class Clause:
    """One numbered clause (or article) of a document, the unit that answers cite.

    ``id`` is ``"{doc_id}:{number}"`` and stays stable across re-ingestion.
    ``text`` is the whole clean clause (heading sentence and items included);
    ``sha256`` hashes ``text`` so unchanged clauses are never re-embedded.
    """

    id: str
    doc_id: str
    section: str
    section_title: str
    number: str
    label: str
    title: str
    text: str
    items: tuple[Item, ...] = ()
    refs: tuple[str, ...] = ()
    lang: str = "en"
    sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Section:
    """A numbered section (英文 "1." / 中文 "一、" / "第一章") and the clauses in it."""

    number: str
    label: str
    title: str
    clauses: tuple[Clause, ...] = ()
    intro: str = ""  # text between the section heading and its first clause, if any


@dataclass(frozen=True)
class Document:
    """A parsed document: metadata, the preamble before the first clause, and its sections."""

    doc_id: str
    title: str
    doc_number: str
    issuers: tuple[str, ...]
    lang: str
    source_path: str
    sha256: str
    sections: tuple[Section, ...]
    preamble: str = ""
    warnings: tuple[str, ...] = field(default=())
    extra: dict[str, Any] = field(default_factory=dict, hash=False)  # further sidecar metadata (e.g. title_zh, doc_number_zh)

    @property
    def clauses(self) -> list[Clause]:
        """All clauses in document order."""
        return [c for s in self.sections for c in s.clauses]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clause_from_dict(data: dict[str, Any]) -> Clause:
    """Rebuild a :class:`Clause` from its ``asdict`` form (e.g. read back from JSON)."""
    values = dict(data)
    values["items"] = tuple(Item(**i) if isinstance(i, dict) else Item(*i) for i in values.get("items", ()))
    values["refs"] = tuple(values.get("refs", ()))
    return Clause(**{k: v for k, v in values.items() if k in Clause.__dataclass_fields__})
