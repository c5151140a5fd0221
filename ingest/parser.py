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

**Headings.** Markdown headings (``# title``, ``## 第二章 …``, ``### 第一节 …``, ``## 二、关于…``) are
headings in any file (see :mod:`.lines`): the first heading before any numbered line is the title;
a chapter or section heading opens a section or subsection; any other heading (a part heading such as
"二、关于保证合同", or an unnumbered "附则") opens a section of its own. A heading line is never text of
a clause. Without Markdown, a short ``二、关于…`` line without closing punctuation that an article
follows is a part heading too. HTML comments and adoption/amendment lines never reach a clause (the
latter are the document's ``history``).

**Numbering.** Numbers of any size (``10000.``, ``第一万条``). A clause runs until the next marker of the same or a higher level. A clause marker
is accepted only if its number is greater than the previous clause's; a smaller or repeated number
is an item of the current clause (with a warning). A jump is accepted, unless the next clause marker
continues the numbering from before the jump (then the jumping marker is text, e.g. a year "(2022)").
Gaps in the final numbering are named in one warning, so no clause silently swallows the rest. If ``（一）`` numbering
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
from dataclasses import dataclass, field, replace

from .headings import clause_title, first_sentence, is_heading_line
from .lines import Line, prepare_lines, tidy_heading
from .markers import AR_DOT, AR_PAREN, ARTICLE, CHAPTER, ITEM, ROMAN_DOT, SUBSECTION, ZH_LIST, ZH_PAREN, Marker, classify, label_number
from .metadata import looks_like_title
from .model import Clause, Item, Section
from .numbering import capped, gap_warnings
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
    title: str = ""  # the document's own heading ("# 中华人民共和国商业银行法"), when it has one
    history: tuple[str, ...] = ()  # adoption / amendment lines, in order


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


_PART = "part"  # the kind of a section opened by a heading that is not a chapter
_CONTENTS = re.compile(r"目\s*录|(?:table of )?contents", re.IGNORECASE)  # a heading that opens a table of contents


class _Parser:
    def __init__(self, lines: list[str], markers: list[Marker | None], scheme: Scheme, lang: str, levels: list[int] | None = None) -> None:
        self.lines = lines
        self.markers = markers
        self.levels = levels or [0] * len(lines)
        self.next_clause = _next_numbers(markers, scheme.clause)
        self.scheme = scheme
        self.lang = lang
        self.header: list[str] = []
        self.sections: list[_SectionDraft] = []
        self.warnings: list[str] = []
        self.clause: _ClauseDraft | None = None
        self.subsection = ""
        self.section_level = 0  # the Markdown level of the heading that opened the current section (0: none)
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
            elif role == "part":
                self._open_part(line, m, i)
            elif role == "subheading":
                self._open_subheading(line, m)
            else:
                self._text(line, m if role == "item" else None)
            i += 1

    def _role(self, m: Marker | None, i: int) -> str | None:
        s = self.scheme
        if self.levels[i] and not (m is None and _CONTENTS.fullmatch(self.lines[i])):
            return self._heading_role(m, self.levels[i])
        if m is None:
            return None
        if s.name == "article" and m.kind == ZH_LIST and self._section_heading_shape(m) and self._clause_follows(i):
            return "part"
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
                if m.number != self.last_clause + 1 and self.next_clause[i] == self.last_clause + 1:
                    self.warnings.append(
                        f"clause marker {m.label!r} after clause {self.last_clause} breaks the numbering "
                        f"({self.last_clause + 1} follows it); kept as text"
                    )
                    return "item"
                return "clause"
            if self.clause is not None:
                self.warnings.append(f"clause marker {m.label!r} after clause {self.clause.label!r} is out of sequence; kept as an item of it")
            return "item"
        if m.kind in s.subsections and self.sections:
            return "subsection" if m.number > self.last_subsection else "item"
        return "item"

    def _heading_role(self, m: Marker | None, level: int) -> str:
        """The role of a Markdown heading line: never text of a clause. A heading deeper than the one that
        opened the current section is a subsection of it (``## 二、关于…`` › ``### 第一节 …``)."""
        s = self.scheme
        if m is not None and m.kind == s.clause and m.number > self.last_clause:
            return "clause"
        if self.sections and self.section_level and level > self.section_level:
            return "subsection" if m is not None and m.kind == SUBSECTION and m.number > self.last_subsection else "subheading"
        if m is not None and m.kind in s.sections and m.number > self.last_section:
            return "section"
        if m is not None and m.kind in s.subsections and self.sections:
            return "subsection"
        return "part"

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
        if (i + 1 < len(self.lines) and self.markers[i + 1] is None and not self.levels[i + 1]
                and is_heading_line(self.lines[i + 1], self.lang)):
            return self.lines[i + 1], i + 1
        return "", i

    def _open_section(self, m: Marker, i: int) -> int:
        self._close_clause()
        self.section_level = self.levels[i]
        if self.sections and m.number != self.last_section + 1 and self.last_section:
            self.warnings.append(f"section numbering jumps from {self.last_section} to {m.number} at {m.label!r}")
        title, i = self._next_title(m.rest, i)
        intro: list[str] = []
        if title and not is_heading_line(title, self.lang):
            head = first_sentence(title, self.lang)
            if head:
                title, intro = head.rstrip("。.").strip(), [title[len(head):].strip()]
        if self.lang == "zh":
            title = tidy_heading(title)
        self.sections.append(_SectionDraft(str(m.number), m.label, title, m.kind, intro))
        self.last_section = m.number
        self.last_subsection = 0
        if self.restart:
            self.last_clause = 0
        self.subsection = ""
        return i

    def _open_part(self, line: str, m: Marker | None, i: int) -> None:
        """A section opened by a heading that is not a chapter: "二、关于保证合同", "附则"."""
        self._close_clause()
        self.section_level = self.levels[i]
        if m is not None and m.kind != ITEM:
            number, label, title = str(m.number), m.label, m.rest
        else:
            number, label, title = "", "", line
        self.sections.append(_SectionDraft(number, label, tidy_heading(title) if self.lang == "zh" else title, _PART))
        self.last_section = 0  # chapters may start again under a part
        self.last_subsection = 0
        if self.restart:
            self.last_clause = 0
        self.subsection = ""

    def _open_subheading(self, line: str, m: Marker | None) -> None:
        """A heading below the current section's that is not a numbered 第X节: shown in the breadcrumb."""
        self._close_clause()
        tidy = tidy_heading if self.lang == "zh" else str.strip
        self.subsection = f"{m.label} {tidy(m.rest)}".strip() if m is not None and m.kind != ITEM else tidy(line)

    def _open_subsection(self, m: Marker, i: int) -> int:
        self._close_clause()
        title, i = self._next_title(m.rest, i)
        if self.lang == "zh":
            title = tidy_heading(title)
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


def _next_numbers(markers: list[Marker | None], kind: str) -> list[int]:
    """For each line, the number of the next line after it that starts with a marker of ``kind`` (0: none)."""
    out = [0] * len(markers)
    nxt = 0
    for i in range(len(markers) - 1, -1, -1):
        out[i] = nxt
        m = markers[i]
        if m is not None and m.kind == kind:
            nxt = m.number
    return out


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
    prepared = prepare_lines(text)
    lines = [ln.text for ln in prepared.lines]
    levels = [ln.level for ln in prepared.lines]
    markers = [classify(ln) for ln in lines]
    title, lines, levels, markers = _take_title(lines, levels, markers)
    scheme = detect_scheme([m for m in markers if m is not None], lang)
    if scheme.name == "paragraphs":
        para = _paragraphs(_paragraph_blocks(prepared.lines, title), doc_id=doc_id, lang=lang, titled=bool(title))
        return replace(para, title=title, history=prepared.history)
    p = _Parser(lines, markers, scheme, lang, levels)
    p.run()
    p._close_clause()
    drafts = [(sec, c) for sec in p.sections for c in sec.clauses]
    numbers = {c.number for _, c in drafts}
    sections: list[Section] = []
    for sec in p.sections:
        clauses = tuple(_finish(c, doc_id=doc_id, lang=lang, scheme=scheme, numbers=numbers, restart=p.restart) for c in sec.clauses)
        sections.append(Section(sec.number, sec.label, sec.title, clauses, "\n".join(sec.intro).strip()))
    warnings = capped(p.warnings)
    if p.restart:
        warnings.append("clause numbering restarts in each section; clauses are numbered '{section}.{n}'")
        for sec in p.sections:
            in_section = [int(c.number.rsplit(".", 1)[-1]) for c in sec.clauses]
            warnings.extend(gap_warnings(in_section, what=f"section {sec.label or sec.number}: clause"))
    else:
        warnings.extend(gap_warnings([int(c.number) for _, c in drafts]))
    return ParsedText(tuple(p.header), tuple(sections), tuple(warnings), scheme.name, title, prepared.history)


def _take_title(lines: list[str], levels: list[int], markers: list[Marker | None]) -> tuple[str, list[str], list[int], list[Marker | None]]:
    """The document's own heading: of the unnumbered Markdown headings before the first numbered line,
    the first of the highest level ("# 商业银行法" rather than a "## 目录" before it)."""
    candidates: list[int] = []
    for i, (level, m) in enumerate(zip(levels, markers)):
        if m is not None:
            break
        if level:
            candidates.append(i)
    if not candidates:
        return "", lines, levels, markers
    i = min(candidates, key=lambda k: (levels[k], k))
    return lines[i], lines[:i] + lines[i + 1:], levels[:i] + levels[i + 1:], markers[:i] + markers[i + 1:]


def _paragraph_blocks(lines: tuple[Line, ...], title: str) -> list[list[str]]:
    """Paragraphs (blocks of lines between blank lines) of a document without numbering; a heading
    stands alone, and the title heading is not one of them."""
    blocks: list[list[str]] = []
    title_taken = not title
    after_heading = False
    for line in lines:
        if line.level and not title_taken and line.text == title:
            title_taken, after_heading = True, True
            continue
        if not blocks or line.blank_before or line.level or after_heading:
            blocks.append([line.text])
        else:
            blocks[-1].append(line.text)
        after_heading = bool(line.level)
    return blocks


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


def _paragraphs(line_blocks: list[list[str]], *, doc_id: str, lang: str, titled: bool = False) -> ParsedText:
    if len(line_blocks) == 1:
        line_blocks = [[ln] for ln in line_blocks[0]]
    blocks = ["\n".join(b) for b in line_blocks if b]
    header: list[str] = []
    if not titled and len(blocks) > 1 and "\n" not in blocks[0] and looks_like_title(blocks[0]):
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
