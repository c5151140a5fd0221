"""Structure parser: clean text → header, sections and numbered clauses (with items and references).

Only a marker at the start of a line can open a section, clause or item; a marker inside a
sentence ("依照本办法第八条", "under clause (5)") is a reference, recorded in ``refs``.

**Scheme.** The document's numbering scheme is chosen from the markers its lines start with:

- *article* — ``第X条`` / ``Article N`` lines are the clauses (number = digits, label as printed);
  ``第X章`` / ``Chapter N|I`` are sections, ``第X节`` / ``Section N`` subsections (shown in the clause's
  ``section_title`` as a breadcrumb: "第二章 业务规范 › 第一节 信贷"); every other marker inside an
  article — ``（一）``, ``1.``, ``(1)``, ``(a)``, ``i.``, ``第X款`` — is an item of that article;
  without chapters, ``第X节`` / ``Section N`` are the top level instead;
- *list* — ``（一）``/``(一)`` or ``(1)`` lines are the clauses; ``一、`` (Chinese) or a short
  ``1. Title`` / ``I. Title`` line without closing punctuation that a clause follows (English) are
  sections, as are chapters; other markers are items. Clause titles are the clause's heading
  sentence when it has one ("(18) Optimizing rural basic financial services. …" →
  "Optimizing rural basic financial services.");
- *flat* — only ``一、`` / ``1.`` / chapter markers: each of those blocks is a clause;
- *paragraphs* — no recognisable numbering: each paragraph (block between blank lines; each line
  if there are none) becomes a clause numbered "1", "2", … with label "¶1", "¶2", …, and the
  document carries the warning "no clause numbering found; split into N paragraphs". Ingesting
  such a file keeps it searchable instead of refusing it; the warning tells the user why its
  clause numbers are not the document's own.

**Numbering.** A clause runs until the next marker of the same or a higher level. A clause marker
is accepted only if its number is greater than the previous clause's (a jump is accepted with a
warning); a smaller or repeated number is an item of the current clause. If ``（一）`` numbering
restarts in each ``一、`` section (common in Chinese documents), clause numbers are made unique as
"{section}.{n}" — "2.1" is （一） of section 二、 — and references like 第（五）项 are then not resolved.
A chapter number that restarts before any clause (a table of contents) moves the earlier
headings into the header.

The text of a clause is everything after its label, heading sentence and item lines included.
A clause's ``section_title`` is the chapter as printed ("第一章 总则", "Chapter 2 Reporting
Requirements") or a list section's title alone ("General requirements"), plus the breadcrumb of
its 第X节 / Section N when there is one.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from .headings import clause_title, first_sentence, is_heading_line
from .markers import AR_DOT, AR_PAREN, ARTICLE, CHAPTER, ROMAN_DOT, SUBSECTION, ZH_LIST, ZH_PAREN, Marker, classify, label_number
from .metadata import looks_like_title
from .model import Clause, Item, Section
from .refs import article_refs, paren_refs

__all__ = ["ParsedText", "Scheme", "parse_structure", "detect_scheme"]

_SENTENCE_END = "。.！!？?"
_INLINE_ITEM = re.compile(r"(?:(?<=[：:；;。.，,\s])|^)([（(](?:[一二三四五六七八九十]{1,3}|\d{1,2}|[a-z])[）)])")


@dataclass(frozen=True)
class Scheme:
    """Which marker kinds play which role in a document."""

    name: str  # "article" | "list" | "flat" | "paragraphs"
    clause: str = ""
    sections: tuple[str, ...] = ()
    subsections: tuple[str, ...] = (SUBSECTION,)
    sentence_titles: bool = False


@dataclass(frozen=True)
class ParsedText:
    """The parser's result: header lines (title, number, preamble), sections, warnings."""

    header: tuple[str, ...]
    sections: tuple[Section, ...]
    warnings: tuple[str, ...]
    scheme: str


def detect_scheme(markers: list[Marker], lang: str = "en") -> Scheme:
    """Choose the numbering scheme from the markers that start the document's lines.

    In Chinese text ``1.`` is always an item; in English text ``1. Title`` and ``I. Title`` lines
    are section headings when a list-numbered clause follows them.
    """
    counts = Counter(m.kind for m in markers)
    # Without chapters, 第X节 / Section N are the top level.
    top, sub = ((CHAPTER,), (SUBSECTION,)) if counts[CHAPTER] or not counts[SUBSECTION] else ((SUBSECTION,), ())
    if counts[ARTICLE] >= 2 or any(m.kind == ARTICLE and m.number == 1 for m in markers):
        return Scheme("article", ARTICLE, top, sub)
    for kind in (ZH_PAREN, AR_PAREN):
        if counts[kind] >= 2 or any(m.kind == kind and m.number == 1 for m in markers):
            lists = (ZH_LIST,) if counts[ZH_LIST] or lang == "zh" else (ROMAN_DOT, AR_DOT)
            return Scheme("list", kind, top + lists, sub, sentence_titles=True)
    for kind in (ZH_LIST, AR_DOT, ROMAN_DOT, CHAPTER):
        if counts[kind] >= 2:
            return Scheme("flat", kind, (CHAPTER,) if kind != CHAPTER else ())
    return Scheme("paragraphs")


@dataclass
class _ItemDraft:
    label: str
    lines: list[str]
    open: bool = True


@dataclass
class _ClauseDraft:
    number: str
    label: str
    section: str
    section_title: str
    lines: list[str] = field(default_factory=list)
    items: list[_ItemDraft] = field(default_factory=list)

    def add(self, line: str, marker: Marker | None) -> None:
        self.lines.append(line)
        if marker is not None:
            self.items.append(_ItemDraft(marker.label, [marker.rest] if marker.rest else []))
        elif self.items and self.items[-1].open:
            item = self.items[-1]
            if item.lines and item.lines[-1][-1] in _SENTENCE_END:
                item.open = False
            else:
                item.lines.append(line)


@dataclass
class _SectionDraft:
    number: str
    label: str
    title: str
    kind: str
    intro: list[str] = field(default_factory=list)
    clauses: list[_ClauseDraft] = field(default_factory=list)


class _Parser:
    def __init__(self, lines: list[str], markers: list[Marker | None], scheme: Scheme, lang: str) -> None:
        self.lines = lines
        self.markers = markers
        self.scheme = scheme
        self.lang = lang
        self.header: list[str] = []
        self.sections: list[_SectionDraft] = []
        self.warnings: list[str] = []
        self.clause: _ClauseDraft | None = None
        self.subsection = ""
        self.last_section = 0
        self.last_subsection = 0
        self.last_clause = 0
        self.clauses_seen = 0
        self.restart = scheme.name == "list" and _numbering_restarts(markers, scheme)

    # -- the pass -------------------------------------------------------------------------
    def run(self) -> None:
        i = 0
        while i < len(self.lines):
            line, m = self.lines[i], self.markers[i]
            role = self._role(m, i)
            if role == "section":
                assert m is not None
                i = self._open_section(m, i)
            elif role == "subsection":
                assert m is not None
                i = self._open_subsection(m, i)
            elif role == "clause":
                assert m is not None
                self._open_clause(m)
            else:
                self._text(line, m if role == "item" else None)
            i += 1

    def _role(self, m: Marker | None, i: int) -> str | None:
        if m is None:
            return None
        s = self.scheme
        if m.kind in s.sections:
            if m.kind in (AR_DOT, ROMAN_DOT) and not (self._section_heading_shape(m) and self._clause_follows(i)):
                return "item"
            if m.number > self.last_section:
                if m.number != self.last_section + 1 and not self._section_heading_shape(m):
                    return "item"
                return "section"
            if self.clauses_seen == 0 and self.clause is None and m.number == 1:
                self._table_of_contents()
                return "section"
            if self.clause is not None:
                self.warnings.append(f"section marker {m.label!r} after section {self.last_section} kept as text of the clause before it")
            return "item"
        if m.kind == s.clause:
            if m.number > self.last_clause:
                if self.last_clause and m.number != self.last_clause + 1:
                    self.warnings.append(f"clause numbering jumps from {self.last_clause} to {m.number} at {m.label!r}")
                return "clause"
            if self.clause is not None:
                self.warnings.append(f"clause marker {m.label!r} after clause {self.clause.label!r} is out of sequence; kept as an item of it")
            return "item"
        if m.kind in s.subsections and self.sections:
            return "subsection" if m.number > self.last_subsection else "item"
        return "item"

    def _clause_follows(self, i: int) -> bool:
        nxt = self.markers[i + 1] if i + 1 < len(self.markers) else None
        return nxt is not None and nxt.kind == self.scheme.clause

    def _section_heading_shape(self, m: Marker) -> bool:
        rest = m.rest
        if not rest or rest[-1] in "。.；;：:，,":
            return False
        return len(rest) <= 60 if self.lang == "zh" else len(rest.split()) <= 25

    def _table_of_contents(self) -> None:
        for sec in self.sections:
            self.header.append(f"{sec.label} {sec.title}".strip())
            self.header.extend(sec.intro)
        self.sections.clear()
        self.last_section = self.last_subsection = 0

    def _next_title(self, rest: str, i: int) -> tuple[str, int]:
        """A heading's title: the rest of its line, or the next line when the label stands alone."""
        if rest:
            return rest, i
        if i + 1 < len(self.lines) and self.markers[i + 1] is None and is_heading_line(self.lines[i + 1], self.lang):
            return self.lines[i + 1], i + 1
        return "", i

    def _open_section(self, m: Marker, i: int) -> int:
        self._close_clause()
        if self.sections and m.number != self.last_section + 1 and self.last_section:
            self.warnings.append(f"section numbering jumps from {self.last_section} to {m.number} at {m.label!r}")
        title, i = self._next_title(m.rest, i)
        intro: list[str] = []
        if title and not is_heading_line(title, self.lang):
            head = first_sentence(title, self.lang)
            if head:
                title, intro = head.rstrip("。.").strip(), [title[len(head):].strip()]
        self.sections.append(_SectionDraft(str(m.number), m.label, title, m.kind, intro))
        self.last_section = m.number
        self.last_subsection = 0
        if self.restart:
            self.last_clause = 0
        self.subsection = ""
        return i

    def _open_subsection(self, m: Marker, i: int) -> int:
        self._close_clause()
        title, i = self._next_title(m.rest, i)
        self.subsection = f"{m.label} {title}".strip()
        self.last_subsection = m.number
        return i

    def _open_clause(self, m: Marker) -> None:
        self._close_clause()
        section = self.sections[-1] if self.sections else None
        number = str(m.number)
        if self.restart and section is not None:
            number = f"{section.number}.{m.number}"
        self.clause = _ClauseDraft(number, m.label, section.number if section else "", self._section_title(section))
        if m.rest:
            self.clause.lines.append(m.rest)
        self.last_clause = m.number

    def _section_title(self, section: _SectionDraft | None) -> str:
        if section is None:
            base = ""
        elif section.kind in (CHAPTER, SUBSECTION):
            base = f"{section.label} {section.title}".strip()
        else:
            base = section.title
        if self.subsection:
            return f"{base} › {self.subsection}" if base else self.subsection
        return base

    def _text(self, line: str, m: Marker | None) -> None:
        if self.clause is not None:
            self.clause.add(line, m)
        elif self.sections:
            self.sections[-1].intro.append(line)
        else:
            self.header.append(line)

    def _close_clause(self) -> None:
        if self.clause is None:
            return
        if not self.sections:
            self.sections.append(_SectionDraft("", "", "", ""))
        self.sections[-1].clauses.append(self.clause)
        self.clauses_seen += 1
        self.clause = None


def _numbering_restarts(markers: list[Marker | None], scheme: Scheme) -> bool:
    last = 0
    section_since = False
    for m in markers:
        if m is None:
            continue
        if m.kind in scheme.sections:
            section_since = True
        elif m.kind == scheme.clause:
            if last and m.number == 1 and section_since:
                return True
            last, section_since = m.number, False
    return False


def parse_structure(text: str, *, doc_id: str, lang: str) -> ParsedText:
    """Parse clean text into header lines, sections and clauses; see the module docstring for the rules."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    markers = [classify(ln) for ln in lines]
    scheme = detect_scheme([m for m in markers if m is not None], lang)
    if scheme.name == "paragraphs":
        return _paragraphs(text, doc_id=doc_id, lang=lang)
    p = _Parser(lines, markers, scheme, lang)
    p.run()
    p._close_clause()
    drafts = [(sec, c) for sec in p.sections for c in sec.clauses]
    numbers = {c.number for _, c in drafts}
    sections: list[Section] = []
    for sec in p.sections:
        clauses = tuple(_finish(c, doc_id=doc_id, lang=lang, scheme=scheme, numbers=numbers, restart=p.restart) for c in sec.clauses)
        sections.append(Section(sec.number, sec.label, sec.title, clauses, "\n".join(sec.intro).strip()))
    warnings = list(dict.fromkeys(p.warnings))
    if p.restart:
        warnings.append("clause numbering restarts in each section; clauses are numbered '{section}.{n}'")
    return ParsedText(tuple(p.header), tuple(sections), tuple(warnings), scheme.name)


def _finish(d: _ClauseDraft, *, doc_id: str, lang: str, scheme: Scheme, numbers: set[str], restart: bool) -> Clause:
    text = "\n".join(d.lines).strip()
    items = tuple(Item(i.label, "\n".join(i.lines).strip()) for i in d.items) or _inline_items(text)
    if restart:
        cited: list[int] = []
    elif scheme.name == "article":
        cited = article_refs(text)
    else:
        cited = paren_refs(text)
    refs = tuple(f"{doc_id}:{n}" for n in cited if str(n) in numbers and str(n) != d.number)
    title = clause_title(text, lang, sentence_titles=scheme.sentence_titles)
    return Clause(
        id=f"{doc_id}:{d.number}",
        doc_id=doc_id,
        section=d.section,
        section_title=d.section_title,
        number=d.number,
        label=d.label,
        title=title,
        text=text,
        items=items,
        refs=refs,
        lang=lang,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _inline_items(text: str) -> tuple[Item, ...]:
    """Items written inside one paragraph: "…如下：（一）…；（二）…。" / "including: (a) …; (b) …"."""
    found = list(_INLINE_ITEM.finditer(text))
    best: list[re.Match[str]] = []
    for start, m in enumerate(found):
        if label_number(m.group(1)) != 1 or not re.search(r"[：:]\s*$", text[: m.start()]):
            continue
        run = [m]
        for nxt in found[start + 1:]:
            if label_number(nxt.group(1)) == len(run) + 1 and _same_style(nxt.group(1), m.group(1)):
                run.append(nxt)
        if len(run) >= 2 and len(run) > len(best):
            best = run
    items = []
    for k, m in enumerate(best):
        end = best[k + 1].start() if k + 1 < len(best) else len(text)
        items.append(Item(m.group(1), text[m.end(): end].strip()))
    return tuple(items)


def _same_style(a: str, b: str) -> bool:
    def style(label: str) -> str:
        core = label[1:-1]
        return "d" if core.isdigit() else "a" if core.isascii() else "z"
    return style(a) == style(b)


def _paragraphs(text: str, *, doc_id: str, lang: str) -> ParsedText:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) == 1:
        blocks = [ln.strip() for ln in blocks[0].split("\n") if ln.strip()]
    header: list[str] = []
    if len(blocks) > 1 and "\n" not in blocks[0] and looks_like_title(blocks[0]):
        header.append(blocks.pop(0))
    clauses = []
    for n, block in enumerate(blocks, start=1):
        clauses.append(
            Clause(
                id=f"{doc_id}:{n}", doc_id=doc_id, section="", section_title="", number=str(n), label=f"¶{n}",
                title=clause_title(block, lang, sentence_titles=False), text=block, lang=lang,
                sha256=hashlib.sha256(block.encode("utf-8")).hexdigest(),
            )
        )
    warning = f"no clause numbering found; split into {len(clauses)} paragraph{'s' if len(clauses) != 1 else ''}"
    return ParsedText(tuple(header), (Section("", "", "", tuple(clauses)),), (warning,), "paragraphs")
