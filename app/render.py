"""HTML for the app: clauses, answers, search results, outlines, evaluation tables.

Every piece of document or user text goes through :func:`esc` before it reaches HTML, so a
clause holding ``<script>`` shows the characters, never runs them. Clickable clause links are
chips (:func:`chip`) in the format of :mod:`policykb.app.picker`; the page script (static/app.js) turns
a click into opening that clause in the panel of its scope ("chat", "search", "browse", "eval").
"""
from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from policykb.app.i18n import t, tn
from policykb.app.picker import CHIP_ATTR, CHIP_HREF, chip_ref
from policykb.app.text import short as _short

if TYPE_CHECKING:
    from policykb.app.doc_status import DocRow
    from policykb.ingest.model import Clause, Document
    from policykb.kb.model import Answer, Citation, DocumentInfo, SearchResult

__all__ = [
    "esc", "hint_html", "plots_html", "find_quote", "term_spans", "highlight", "chip", "clause_html", "answer_html", "answer_markdown",
    "pending_html", "streaming_html", "user_html", "search_html", "outline_html", "eval_questions_html", "message_html",
    "placeholder_html", "chip_ref", "preview_html", "ingest_results_html", "documents_html",
]

_TEMPLATE_CHARS = {ord("{"): "&#123;", ord("}"): "&#125;", ord("$"): "&#36;", ord("`"): "&#96;", ord("\\"): "&#92;"}
_LATIN = re.compile(r"[A-Za-z0-9]")


def esc(text: object) -> str:
    """HTML-escape ``text``; braces, ``$``, backticks and backslashes become entities too, so no
    template or Markdown/LaTeX syntax inside document text is ever interpreted."""
    return html.escape(str(text), quote=True).translate(_TEMPLATE_CHARS)


def _text_html(text: str) -> str:
    return esc(text).replace("\n", "<br>")


def chip(ref: str, label: str, *, title: str = "", cls: str = "") -> str:
    """A clickable clause chip such as "(18)" or "第十八条"."""
    classes = esc(f"pk-chip {cls}".strip())
    tip = f' title="{esc(title)}"' if title else ""
    return f'<a class="{classes}" href="{CHIP_HREF}{esc(ref)}" {CHIP_ATTR}="{esc(ref)}"{tip}>{esc(label)}</a>'


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` occurs in ``text`` (exactly, else up to whitespace), or None."""
    quote = quote.strip().rstrip("…").strip()
    if not quote:
        return None
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = quote.split()
    if len(words) < 2:
        return None
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (match.start(), match.end()) if match else None


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Case-insensitive occurrences of ``terms`` in ``text``; Latin terms only from a word start."""
    lowered = text.casefold()
    spans: list[tuple[int, int]] = []
    for term in dict.fromkeys(t_.strip() for t_ in terms):
        if not term or (len(term) < 2 and _LATIN.match(term)):
            continue
        needle = term.casefold()
        start = lowered.find(needle)
        while start >= 0:
            if not (_LATIN.match(term[0]) and start > 0 and _LATIN.match(lowered[start - 1])):
                spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + len(needle))
    return spans


def highlight(text: str, quote: tuple[int, int] | None = None, terms: Sequence[tuple[int, int]] = ()) -> str:
    """``text`` as escaped HTML with the quote in ``<mark class="pk-quote">`` and the terms in
    ``<mark class="pk-term">`` (a term overlapping the quote or an earlier term is left plain)."""
    spans: list[tuple[int, int, str]] = []
    if quote is not None:
        spans.append((quote[0], quote[1], "pk-quote"))
    for start, end in sorted(terms, key=lambda span: (span[0], -span[1])):
        if all(end <= s or start >= e for s, e, _ in spans):
            spans.append((start, end, "pk-term"))
    out: list[str] = []
    pos = 0
    for start, end, cls in sorted(spans):
        out.append(_text_html(text[pos:start]))
        out.append(f'<mark class="{cls}">{_text_html(text[start:end])}</mark>')
        pos = end
    out.append(_text_html(text[pos:]))
    return "".join(out)


def placeholder_html(key_or_text: str, lang: str | None = None) -> str:
    """A muted hint. Given a string key of :mod:`i18n` and no ``lang``, both languages are written
    and the page shows the one the toggle selects (CSS on ``body[data-pk-lang]``)."""
    from policykb.app.i18n import STRINGS

    if lang is None and key_or_text in STRINGS:
        en, zh = STRINGS[key_or_text]
        return f'<div class="pk-placeholder"><span class="pk-l-en" lang="en">{esc(en)}</span><span class="pk-l-zh" lang="zh">{esc(zh)}</span></div>'
    text = t(key_or_text, lang) if key_or_text in STRINGS else key_or_text
    return f'<div class="pk-placeholder">{esc(text)}</div>'


def hint_html(message: str) -> str:
    """A light, inline hint next to an input (e.g. "Type a question first."), not an error."""
    return f'<div class="pk-hint" role="status">{esc(message)}</div>'


def message_html(message: str, kind: str = "info") -> str:
    """A one-line notice ("info", "ok", "error")."""
    return f'<div class="pk-msg pk-msg-{esc(kind)}">{esc(message)}</div>'


def clause_html(
    clause: Clause,
    *,
    doc_title: str,
    scope: str,
    lang: str,
    quote: str = "",
    terms: Sequence[str] = (),
    ref_labels: Mapping[str, str] | None = None,
) -> str:
    """The whole clause with its breadcrumb (document › section › clause), the quote and terms
    highlighted, and chips for the clauses it refers to."""
    section = f"{clause.section}. {clause.section_title}".strip(". ") if clause.section_title else (clause.section or "")
    crumb = " › ".join(esc(part) for part in (doc_title or clause.doc_id, section, clause.label) if part)
    text = clause.text
    span = find_quote(text, quote) if quote else None
    heading = esc(clause.label)
    if clause.title:
        heading += f' <span class="pk-clause-title">{esc(clause.title)}</span>'
    skip = len(clause.title) if clause.title and text.startswith(clause.title) and (span is None or span[0] >= len(clause.title)) else 0
    while skip < len(text) and text[skip].isspace():
        skip += 1
    body_text = text[skip:]
    if span is not None:
        span = (span[0] - skip, span[1] - skip)
    body = highlight(body_text, span, term_spans(body_text, terms))
    parts = [
        f'<article class="pk-clause" data-clause="{esc(clause.id)}" lang="{esc(clause.lang)}">',
        f'<nav class="pk-crumb">{crumb}</nav>',
        f'<h3 class="pk-clause-head">{heading}</h3>',
        f'<div class="pk-clause-text">{body}</div>',
    ]
    if clause.refs:
        labels = ref_labels or {}
        chips = " ".join(chip(chip_ref(scope, r), labels.get(r, r.rsplit(":", 1)[-1]), title=r) for r in clause.refs)
        parts.append(f'<div class="pk-refs"><span class="pk-h">{esc(t("refers_to", lang))}</span> {chips}</div>')
    parts.append(f'<div class="pk-id">{esc(clause.id)}</div></article>')
    return "".join(parts)


def user_html(question: str) -> str:
    return f'<div class="pk-question">{_text_html(question)}</div>'


def pending_html(lang: str) -> str:
    return f'<div class="pk-answer pk-pending"><span class="pk-dots"></span> {esc(t("thinking", lang))}</div>'


def streaming_html(partial: str, note: str = "") -> str:
    """An answer arriving from the LLM: the text so far with a caret, and a note under it (e.g. "Searched in: …")."""
    tail = f'<div class="pk-scope-note">{esc(note)}</div>' if note else ""
    return (f'<div class="pk-answer pk-streaming"><div class="pk-answer-text">{_text_html(partial)}'
            f'<span class="pk-caret">▍</span></div>{tail}</div>')


def check_html(answer: Answer, lang: str) -> str:
    """The result of the citation check of an LLM answer ("" when no LLM was asked)."""
    if answer.llm_check == "verified":
        labels = ", ".join(dict.fromkeys(c.label for c in answer.citations))
        return f'<div class="pk-check pk-check-ok">{esc(t("check_verified", lang, labels=labels))}</div>'
    if answer.llm_check in ("corrected", "fallback"):
        key = "check_corrected" if answer.llm_check == "corrected" else "check_fallback"
        return f'<div class="pk-check pk-check-warn">{esc(t(key, lang, note=_short(answer.llm_note, 200)))}</div>'
    return ""


def _label_forms(label: str) -> list[str]:
    """A label as it may be printed in an answer: "(18)" also as "（18）" (inside "第（18）条")."""
    forms = [label]
    wide = label.replace("(", "（").replace(")", "）")
    if wide != label:
        forms.append(wide)
    return forms


def _linked_text_html(text: str, citations: Sequence[Citation], turn: int) -> str:
    """The answer text as escaped HTML with its cited labels turned into chips.

    Labels are found in the raw text (longest first) and every piece is escaped on its own, so a
    label can never match inside an HTML entity of the escaped text.
    """
    by_label: dict[str, Citation] = {}
    for c in citations:
        for form in _label_forms(c.label):
            if form.strip():
                by_label.setdefault(form, c)
    if not by_label:
        return _text_html(text)
    pattern = re.compile("|".join(re.escape(label) for label in sorted(by_label, key=len, reverse=True)))
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        c = by_label[match.group(0)]
        out.append(_text_html(text[pos:match.start()]))
        out.append(chip(chip_ref("chat", c.id, turn), match.group(0), title=c.id))
        pos = match.end()
    out.append(_text_html(text[pos:]))
    return "".join(out)


def answer_html(answer: Answer, *, turn: int, lang: str, searched: str = "") -> str:
    """An answer bubble: text with clickable citation chips, the sources with their quotes, or, when
    the answer abstained, a marked notice and the possibly related clauses; the citation check of an
    LLM answer; ``searched`` ("Searched in: …") when the answer was limited to some documents."""
    classes = "pk-answer pk-abstain" if answer.abstained else "pk-answer"
    parts = [f'<div class="{classes}" data-turn="{turn}">']
    if answer.llm_check:
        parts.append(check_html(answer, lang))
    if answer.abstained:
        parts.append(f'<div class="pk-abstain-head">⚠ {esc(t("not_covered", lang))}</div>')
    linked = (*answer.citations, *answer.related) if answer.abstained else answer.citations
    parts.append(f'<div class="pk-answer-text">{_linked_text_html(answer.answer, linked, turn)}</div>')
    if answer.citations:
        items = "".join(
            f'<li>{chip(chip_ref("chat", c.id, turn), c.label, title=c.id)} '
            f'<span class="pk-src-title">{esc(c.section_title or c.doc_title)}</span>'
            f'<q class="pk-src-quote">{esc(_short(c.quote, 220))}</q></li>'
            for c in answer.citations
        )
        parts.append(f'<div class="pk-sources"><div class="pk-h">{esc(t("sources", lang))}</div><ul>{items}</ul></div>')
    if answer.abstained and answer.related:
        items = "".join(
            f'<li>{chip(chip_ref("chat", c.id, turn), c.label, title=c.id, cls="pk-chip-related")} '
            f'<span class="pk-src-title">{esc(c.section_title or c.doc_title)}</span></li>'
            for c in answer.related
        )
        parts.append(f'<div class="pk-related"><div class="pk-h">{esc(t("possibly_related", lang))}</div><ul>{items}</ul></div>')
    parts.append(signals_note_html(answer.signals, answer.missing_vectors, lang))
    if searched:
        parts.append(f'<div class="pk-scope-note">{esc(searched)}</div>')
    mode = t("mode_llm" if answer.mode == "llm" else "mode_extractive", lang)
    copy = f'<a class="pk-copy-answer" href="#pk:copy" title="{esc(t("copy_answer", lang))}">{esc(t("copy_answer", lang))}</a>'
    parts.append(f'<div class="pk-meta">{esc(t("answer_meta", lang, mode=mode, ms=f"{answer.latency_ms:.0f}"))} · {copy}</div></div>')
    return "".join(parts)


def signals_note_html(signals: Sequence[str], missing_vectors: int, lang: str) -> str:
    """A note under an answer or search results that the semantic index did not cover every clause ("" when it did):
    lexical only (no clause had its vectors yet; class ``pk-signals-lexical``), or partial (``pk-signals-partial``).
    Classes, not data attributes: the chat sanitises its messages' HTML."""
    if not missing_vectors:
        return ""
    lexical_only = "dense" not in signals
    key = "signals_lexical_only" if lexical_only else "signals_partial"
    kind = "lexical" if lexical_only else "partial"
    return f'<div class="pk-signals pk-signals-{kind}">{esc(t(key, lang, n=f"{missing_vectors:,}"))}</div>'


def semantic_status_html(embedded: int, total: int, lang: str, error: str = "") -> str:
    """The header's line while the semantic index is being built ("" once every clause has its vectors)."""
    if total <= 0 or embedded >= total:
        return ""
    values = {"done": f"{embedded:,}", "total": f"{total:,}"}
    text = t("semantic_failed", lang, error=error, **values) if error else t("semantic_filling", lang, **values)
    return (f'<div class="pk-semantic" data-embedded="{embedded}" data-total="{total}">'
            f'<progress max="{total}" value="{embedded}"></progress> {esc(text)}</div>')


def answer_markdown(question: str, answer: Answer) -> str:
    """An answer and its citations as Markdown, for pasting into a note or an e-mail."""
    lines = [f"**Q:** {question.strip()}", "", answer.answer.strip()]
    if answer.citations:
        lines += ["", "**Sources**"]
        for c in answer.citations:
            where = " › ".join(p for p in (c.doc_title, c.section_title, c.label) if p)
            lines.append(f"- {c.label} `{c.id}` ({where}): “{' '.join(c.quote.split())}”")
    if answer.abstained and answer.related:
        lines += ["", "**Possibly related:** " + ", ".join(f"{c.label} `{c.id}`" for c in answer.related)]
    return "\n".join(lines) + "\n"


def search_html(result: SearchResult, *, doc_titles: Mapping[str, str], lang: str, doc: str = "") -> str:
    """Search results as clickable cards: label, document › section, score, the best sentence
    with the matched terms highlighted, and the terms themselves. A clause lookup shows the clause,
    then its related clauses apart; a number no clause has is said so, with no unrelated clauses."""
    if result.missing:
        where = t("in_the_doc", lang, doc=_short(doc_titles.get(doc, doc), 48)) if doc else t("in_the_kb", lang)
        notice = f'<div class="pk-hint pk-no-such-clause" role="status">{esc(t("no_such_clause", lang, n=result.lookup_value, where=where))}</div>'
        if not result.related:
            return notice
        return notice + _result_cards(result.related, doc_titles, lang, start=0, related=True)
    if not result.hits:
        return placeholder_html("no_results", lang)
    head = t("n_results", lang, n=tn("n_clauses_short", len(result.hits), lang), ms=f"{result.latency_ms:.0f}")
    if result.lookup in ("clause", "mentions"):
        head += " · " + t("lookup_clause" if result.lookup == "clause" else "lookup_mentions", lang)
    out = (f'<div class="pk-results-head">{esc(head)}</div>' + signals_note_html(result.signals, result.missing_vectors, lang)
           + _result_cards(result.hits, doc_titles, lang, start=0))
    if result.related:
        out += _result_cards(result.related, doc_titles, lang, start=len(result.hits), related=True)
    return out


def _result_cards(hits: Sequence[Any], doc_titles: Mapping[str, str], lang: str, *, start: int, related: bool = False) -> str:
    cards = [f'<div class="pk-results-head pk-related-head">{esc(t("related_clauses", lang))}</div>' if related else "",
             f'<ol class="pk-results{" pk-results-related" if related else ""}">']
    for rank, hit in enumerate(hits, start):
        c = hit.clause
        snippet = hit.best_sentence or c.title or _short(c.text, 240)
        snippet_html = highlight(snippet, None, term_spans(snippet, hit.matched_terms))
        terms = "".join(f'<span class="pk-term-tag">{esc(term)}</span>' for term in hit.matched_terms)
        where = " › ".join(esc(p) for p in (_short(doc_titles.get(c.doc_id, c.doc_id), 48), c.section_title) if p)
        ref = chip_ref("search", c.id, rank)
        cards.append(
            f'<li class="pk-result" data-pk="{esc(ref)}">'
            f'<div class="pk-result-top">{chip(ref, c.label, title=c.id)}'
            f'<span class="pk-result-where">{where}</span>'
            f'<span class="pk-score" title="{esc(_signals(hit.signals))}">{esc(t("score", lang))} {hit.score:.3f}</span></div>'
            f'<div class="pk-result-snippet">{snippet_html}</div>'
            + (f'<div class="pk-result-terms"><span class="pk-h">{esc(t("matched", lang))}</span> {terms}</div>' if terms else "")
            + "</li>"
        )
    cards.append("</ol>")
    return "".join(cards)


def outline_html(doc: DocumentInfo, clauses: Sequence[Clause], *, lang: str) -> str:
    """A document's outline: title and number, then each section with its clauses as links."""
    parts = [f'<div class="pk-outline"><h3 class="pk-outline-title">{esc(doc.title)}</h3>']
    meta = " · ".join(esc(p) for p in (doc.doc_number, ", ".join(doc.issuers)) if p)
    if meta:
        parts.append(f'<div class="pk-outline-meta">{meta}</div>')
    history = [str(h) for h in (getattr(doc, "extra", None) or {}).get("history", ()) if str(h).strip()]
    if history:
        parts.append(f'<div class="pk-outline-history">{"<br>".join(esc(h) for h in history)}</div>')
    if doc.preamble:
        parts.append(f'<details class="pk-preamble"><summary>{esc(t("preamble", lang))}</summary><p>{_text_html(doc.preamble)}</p></details>')
    section_key = None
    for c in clauses:
        key = (c.section, c.section_title)
        if key != section_key:
            if section_key is not None:
                parts.append("</ul></section>")
            title = f"{c.section}. {c.section_title}".strip(". ") if c.section_title else c.section
            parts.append(f'<section class="pk-outline-section"><h4>{esc(title)}</h4><ul>')
            section_key = key
        ref = chip_ref("browse", c.id)
        parts.append(f'<li {CHIP_ATTR}="{esc(ref)}">{chip(ref, c.label, title=c.id)} <span>{esc(_short(c.title or c.text, 110))}</span></li>')
    if section_key is not None:
        parts.append("</ul></section>")
    parts.append("</div>")
    return "".join(parts)


def eval_questions_html(questions: Sequence[dict], *, labels: Mapping[str, str], lang: str) -> str:
    """The per-question evaluation table; every clause id is a link into the clause."""

    def links(ids: Iterable[str] | None, gold: Sequence[str] = ()) -> str:
        return " ".join(
            chip(chip_ref("eval", cid), labels.get(cid, cid), title=cid, cls="pk-chip-gold" if cid in gold else "")
            for cid in ids or ()
        )

    head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in ("col_id", "col_question", "col_gold", "col_ranked", "col_cited", "col_problems"))
    rows = []
    for q in questions:
        problems = list(q.get("problems") or [])
        cited = links(q.get("cited"), q.get("gold", ()))
        if q.get("abstained"):
            cited = f'<span class="pk-tag-abstain">{esc(t("abstained", lang))}</span> {cited}'
        rows.append(
            f'<tr class="{"pk-row-bad" if problems else "pk-row-ok"}">'
            f'<td class="pk-nowrap">{esc(q.get("id", ""))}<br><small>{esc(q.get("lang", ""))}</small></td>'
            f'<td>{esc(q.get("question", ""))}</td>'
            f"<td>{links(q.get('gold'), q.get('gold', ()))}</td>"
            f"<td>{links((q.get('ranked') or [])[:5], q.get('gold', ()))}</td>"
            f"<td>{cited}</td>"
            f'<td>{"<br>".join(esc(p) for p in problems) or "✓"}</td></tr>'
        )
    return f'<div class="pk-table-wrap"><table class="pk-eval-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def plots_html(paths: Sequence[object]) -> str:
    """Evaluation plots at a readable size: each PNG inline (data URI), as wide as the page allows."""
    import base64
    from pathlib import Path

    figures = []
    for path in paths:
        data = base64.b64encode(Path(str(path)).read_bytes()).decode("ascii")
        name = Path(str(path)).stem.replace("_", " ")
        figures.append(f'<figure class="pk-plot"><img src="data:image/png;base64,{data}" alt="{esc(name)}">'
                       f'<figcaption>{esc(name)}</figcaption></figure>')
    return f'<div class="pk-plots">{"".join(figures)}</div>' if figures else ""


def preview_html(name: str, doc: Document | None, error: str, *, lang: str, max_clauses: int = 12) -> str:
    """How one file would be cut into clauses (nothing is written), or its one-line error."""
    if doc is None:
        return f'<div class="pk-preview-doc"><h4>{esc(name)}</h4>{message_html(error, "error")}</div>'
    clauses = doc.clauses
    meta = " · ".join(esc(p) for p in (doc.doc_id, doc.doc_number, ", ".join(doc.issuers), doc.lang) if p)
    counts = t("preview_counts", lang, sections=tn("n_sections", len(doc.sections), lang), clauses=tn("n_clauses", len(clauses), lang))
    items = "".join(f"<li><strong>{esc(c.label)}</strong> {esc(_short(c.title or c.text, 110))}</li>" for c in clauses[:max_clauses])
    more = f'<div class="pk-small">{esc(t("preview_more", lang, n=len(clauses) - max_clauses))}</div>' if len(clauses) > max_clauses else ""
    warnings = "".join(f'<div class="pk-warn">⚠ {esc(t("warning", lang))}: {esc(w)}</div>' for w in doc.warnings)
    return (
        f'<div class="pk-preview-doc" data-doc="{esc(doc.doc_id)}"><h4>{esc(doc.title or name)}</h4>'
        f'<div class="pk-outline-meta">{esc(name)} → {meta}</div><div><strong>{esc(counts)}</strong></div>'
        f"{warnings}<ol>{items}</ol>{more}</div>"
    )


def documents_html(rows: Sequence[DocRow], *, lang: str) -> str:
    """The live documents table: title (and id), kind, clauses, status (ingesting / ready / failed with the
    reason), when added and by whom. Each cell carries its column name, so a phone can show rows as cards."""
    if not rows:
        return placeholder_html("no_documents", lang)
    keys = ("col_title", "col_kind", "col_clauses", "col_state", "col_added")
    head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in keys)
    labels = [esc(t(k, lang)) for k in keys]
    body = []
    for r in rows:
        title = esc(r.title) + (f'<div class="pk-mono pk-small">{esc(r.doc_id)}</div>' if r.doc_id else "")
        state = esc(t(f"state_{r.status}", lang))
        if r.status == "ingesting":
            state = f"⏳ {state}"
        if r.reason:
            state += f'<div class="pk-small pk-reason">{esc(r.reason)}</div>'
        clauses = "" if r.clauses is None else str(r.clauses)
        added = esc(r.added) + (f' <span class="pk-small">· {esc(r.user)}</span>' if r.user else "")
        doc_attr = f' data-doc="{esc(r.doc_id)}"' if r.doc_id and r.status == "ready" else ""
        body.append(
            f'<tr{doc_attr} data-state="{esc(r.status)}" data-name="{esc(r.title)}">'
            f'<td data-col="{labels[0]}" class="pk-doc-title">{title}</td><td data-col="{labels[1]}">{esc(r.kind)}</td>'
            f'<td data-col="{labels[2]}" class="pk-num pk-clause-count">{clauses}</td>'
            f'<td data-col="{labels[3]}" class="pk-state pk-state-{esc(r.status)}">{state}</td>'
            f'<td data-col="{labels[4]}" class="pk-nowrap">{added or "—"}</td></tr>'
        )
    return (f'<div class="pk-table-wrap"><table class="pk-table pk-docs-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def ingest_results_html(rows: Sequence[Mapping[str, object]], summary: str, *, lang: str) -> str:
    """The per-file outcome of an upload: file, result, document id, clauses and the message."""
    head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in ("col_file", "col_status", "col_doc_id", "col_clauses", "col_message"))
    body = []
    for row in rows:
        status = str(row.get("status", ""))
        cls = "pk-status-failed" if status in ("failed", "skipped") else "pk-status-ok"
        shown = t(f"status_{status}", lang) if f"status_{status}" in _STATUS_KEYS else status
        body.append(
            f'<tr data-status="{esc(status)}"><td>{esc(row.get("name", ""))}</td><td class="{cls}">{esc(shown)}</td>'
            f'<td>{esc(row.get("doc_id", ""))}</td><td>{esc(row.get("clauses", ""))}</td><td>{esc(row.get("error", ""))}</td></tr>'
        )
    kind = "error" if any(str(r.get("status")) in ("failed", "skipped") for r in rows) else "ok"
    return (f'{message_html(summary, kind)}<div class="pk-table-wrap"><table class="pk-table pk-ingest-table">'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


_STATUS_KEYS = {f"status_{s}" for s in ("added", "updated", "unchanged", "failed", "removed", "skipped")}


def _signals(signals: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {v:.3f}" for k, v in signals.items())
