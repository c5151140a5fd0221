"""Extractive answers: pick the sentences of the retrieved clauses that answer the question, and compose them.

Sentences are scored by their cosine to the question (the retriever's sentence vectors; no
extra embedding) plus lexical evidence (question tokens and glossary terms they contain).
Every quote is a verbatim span of the cited clause's text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from policykb.ingest.model import Clause
from policykb.kb.config import DEFAULT_TUNING, AnswerConfig
from policykb.kb.answer.evidence import CorpusStats, QueryTerms, group_in, term_pattern, tokens_of
from policykb.kb.retrieval.glossary import Glossary
from policykb.kb.model import Citation, Hit
from policykb.kb.answer.naming import DocName, clause_ref, unknown_doc
from policykb.kb.answer.quotes import clause_sentences, is_heading, lead_span, with_content

__all__ = [
    "Pick",
    "pick_sentences",
    "choose_hits",
    "citation",
    "compose_ranked",
    "compose_clause",
    "compose_mentions",
    "compose_section",
    "compose_abstention",
    "gloss_note",
    "mention_sentence",
]

# Sentence score = cosine + w_token * shared question tokens + w_term * specific question terms present; a
# clause's second sentence is quoted when within second_gap of its best or carrying a term the best lacks.
# Further clauses are cited when their fused score is at least rel_score of the first clause's and their best
# sentence cosine within sent_gap of the first's, or when they hold a specific question term (in at most
# specific_df of the clauses) the clauses cited so far lack. Values: policykb.kb.config.AnswerConfig.
_DEFAULT = DEFAULT_TUNING.answer
# A sentence that opens a list ("应当遵守下列规定：", "shall comply with the following:") and the items after it.
_LIST_LEAD = re.compile(r"[:：]\s*$")
_ITEM = re.compile(r"^\s*(?:[（(]\s*(?:[一二三四五六七八九十百零〇两]+|\d{1,3}|[a-zA-Z])\s*[)）]|\d{1,3}\s*[.、．]|[一二三四五六七八九十]+、|[a-z][.)])")


@dataclass(frozen=True)
class Pick:
    """The sentences chosen from one clause, and the quote its citation carries."""

    hit: Hit
    spans: tuple[str, ...]  # verbatim sentences, in text order
    quote: str  # one verbatim span of the clause text

    @property
    def clause(self) -> Clause:
        return self.hit.clause


def _squash(text: str) -> str:
    return "".join(text.split())


def pick_sentences(hit: Hit, terms: QueryTerms, max_sentences: int = 2, config: AnswerConfig = _DEFAULT) -> Pick:
    """The clause's sentences that best answer the question (cosine + lexical evidence).

    A chosen sentence that introduces a list ("应当遵守下列规定：") brings the list's items along
    (up to ``config.list_items``): the lead-in alone answers nothing.
    """
    text = hit.clause.text
    sentences = clause_sentences(text)
    if not sentences:
        return Pick(hit, (text.strip(),), text.strip())
    dense = {_squash(s): cos for s, cos in hit.sentences}
    floor = (min(dense.values()) if dense else hit.signals.get("dense_clause", 0.0)) - 0.01
    scored: list[tuple[float, int, str, frozenset[int]]] = []
    for index, (span, _start) in enumerate(sentences):
        groups = frozenset(i for i, g in enumerate(terms.groups) if group_in(g, span))
        shared = len(tokens_of(span) & terms.tokens)
        score = dense.get(_squash(span), floor) + config.w_token * shared + config.w_term * len(groups)
        scored.append((score, index, span, groups))
    scored.sort(key=lambda s: (-s[0], s[1]))
    title = _squash(hit.clause.title)
    is_heading = [bool(title) and _squash(span) == title for _s, _i, span, _g in scored]
    best = scored[0]
    chosen = [best]
    covered = set(best[3])
    budget = max_sentences + (1 if is_heading[0] else 0)  # a heading alone rarely answers: it does not count
    for cand, heading in zip(scored[1:], is_heading[1:]):
        if len(chosen) >= budget:
            break
        if cand[0] >= best[0] - config.second_gap or (cand[3] - covered) or (is_heading[0] and len(chosen) == 1 and not heading):
            chosen.append(cand)
            covered |= cand[3]
    indices = sorted(_with_list_items(_with_bodies({c[1] for c in chosen}, sentences, hit.clause.title), sentences,
                                      config.list_items))
    runs: list[list[int]] = []
    for index in indices:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    spans = tuple(text[sentences[r[0]][1]: sentences[r[-1]][1] + len(sentences[r[-1]][0])] for r in runs)
    quote = next(span for span, r in zip(spans, runs) if best[1] in r)
    return Pick(hit, spans, quote)


def _with_bodies(indices: set[int], sentences: Sequence[tuple[str, int]], title: str) -> set[int]:
    """``indices`` plus, after each heading among them, the sentences up to the first that carries content."""
    out = set(indices)
    for index in sorted(indices):
        j = index
        while j + 1 < len(sentences) and is_heading(sentences[j][0], title):
            j += 1
            out.add(j)
    return out


def _with_list_items(indices: set[int], sentences: Sequence[tuple[str, int]], limit: int) -> set[int]:
    """``indices`` plus, after each sentence ending in a colon, the item sentences that follow it."""
    out = set(indices)
    for index in sorted(indices):
        if not _LIST_LEAD.search(sentences[index][0]):
            continue
        following = range(index + 1, min(len(sentences), index + 1 + limit))
        for j in following:
            if not _ITEM.match(sentences[j][0]):
                break
            out.add(j)
    return out


def choose_hits(hits: Sequence[Hit], terms: QueryTerms, stats: CorpusStats, config: AnswerConfig = _DEFAULT) -> list[Hit]:
    """The hits worth citing: the first, then others with comparable evidence or covering a missing term."""
    if not hits:
        return []
    top = hits[0]
    chosen = [top]
    specific = [g for g in terms.groups if 0 < stats.group_df(g) <= max(1, config.specific_df * stats.n)]
    covered = {i for i, g in enumerate(specific) if group_in(g, top.clause.text)}
    top_sent = top.signals.get("dense_sentence", 0.0)
    for hit in hits[1:]:
        if len(chosen) >= config.max_cited:
            break
        new = {i for i, g in enumerate(specific) if i not in covered and group_in(g, hit.clause.text)}
        strong = hit.score >= config.rel_score * top.score and hit.signals.get("dense_sentence", 0.0) >= top_sent - config.sent_gap
        if new or strong:
            chosen.append(hit)
            covered |= new
    return chosen


def citation(clause: Clause, quote: str, names: Mapping[str, DocName]) -> Citation:
    name = names.get(clause.doc_id) or unknown_doc(clause.doc_id)
    return Citation(
        id=clause.id, doc_id=clause.doc_id, number=clause.number, label=clause.label, quote=quote,
        section_title=clause.section_title, doc_title=name.title,
    )


def gloss_note(quote_text: str, clause_lang: str, answer_lang: str, glossary: Glossary, terms: QueryTerms | None = None,
               max_pairs: int = _DEFAULT.max_gloss) -> str:
    """Glossary terms found in a quote, shown for readers of the other language: "（储蓄国债 = savings bonds）"."""
    if clause_lang == answer_lang:
        return ""
    entries = glossary.terms_in(quote_text, clause_lang)
    seen: dict[str, str] = {}
    for entry in entries:
        key = entry.en if clause_lang == "en" else entry.zh
        seen.setdefault(key, f"{entry.zh} = {entry.en}")
    if not seen:
        return ""
    wanted = {v for g in terms.groups for v in g} if terms else set()
    ordered = sorted(seen.items(), key=lambda kv: (kv[0] not in wanted, -len(kv[0])))
    pairs = [pair for _, pair in ordered[:max_pairs]]
    return f"（{'；'.join(pairs)}）" if answer_lang == "zh" else f" ({'; '.join(pairs)})"


def _quoted(spans: Sequence[str], lang: str) -> str:
    joiner = "……" if lang == "zh" else " … "
    return f"“{joiner.join(spans)}”"


def _intro(clause: Clause, names: Mapping[str, DocName], lang: str) -> str:
    name = names.get(clause.doc_id) or unknown_doc(clause.doc_id)
    ref = clause_ref(clause, lang)
    if lang == "zh":
        return f"根据{name.cite('zh')}{ref}"
    return f"{ref} of {name.cite('en')}"


def compose_ranked(picks: Sequence[Pick], names: Mapping[str, DocName], lang: str, glossary: Glossary,
                   terms: QueryTerms) -> tuple[str, tuple[Citation, ...]]:
    """The answer text and citations for a ranked search: one line per cited clause."""
    lines: list[str] = []
    for i, pick in enumerate(picks):
        note = gloss_note(" ".join(pick.spans), pick.clause.lang, lang, glossary, terms)
        quoted = _quoted(pick.spans, lang)
        if lang == "zh":
            lead = "" if i == 0 else "另外，"
            lines.append(f"{lead}{_intro(pick.clause, names, 'zh')}：{quoted}{note}")
        else:
            verb = "provides" if i == 0 else "also provides"
            lines.append(f"{_intro(pick.clause, names, 'en')} {verb}: {quoted}{note}")
    return "\n".join(lines), tuple(citation(p.clause, p.quote, names) for p in picks)


def compose_clause(clauses: Sequence[Clause], names: Mapping[str, DocName], lang: str,
                   glossary: Glossary, lead_chars: int = _DEFAULT.lead_chars) -> tuple[str, tuple[Citation, ...]]:
    """"What does (12) say": each clause's heading and its opening sentences."""
    lines: list[str] = []
    cites: list[Citation] = []
    for clause in clauses:
        quote = lead_span(clause.text, lead_chars, min_sentences=2)
        title = clause.title.strip()
        body = quote[len(title):].strip() if title and quote.startswith(title) else quote
        note = gloss_note(quote, clause.lang, lang, glossary)
        name = names.get(clause.doc_id) or unknown_doc(clause.doc_id)
        ref = clause_ref(clause, lang)
        if lang == "zh":
            head = f"{name.cite('zh')}{ref}"
            if title and body:
                lines.append(f"{head}的标题是“{title}”，正文开头规定：“{body}”{note}")
            else:
                lines.append(f"{head}规定：“{quote}”{note}")
        else:
            head = f"{ref} of {name.cite('en')}"
            if title and body:
                lines.append(f"{head} is headed “{title}” and begins: “{body}”{note}")
            else:
                lines.append(f"{head} provides: “{quote}”{note}")
        cites.append(citation(clause, quote, names))
    return "\n".join(lines), tuple(cites)


def mention_sentence(clause: Clause, variants: Sequence[str]) -> str:
    """The first sentence of a clause naming any of the variants (verbatim), else its first sentence."""
    patterns = [term_pattern(v) for v in variants if v.strip()]
    for span, _start in clause_sentences(clause.text):
        if any(p.search(span) for p in patterns):
            return with_content(clause.text, span, clause.title)
    sentences = clause_sentences(clause.text)
    return sentences[0][0] if sentences else clause.text.strip()


def compose_mentions(entity: str, clauses: Sequence[Clause], variants: Sequence[str], names: Mapping[str, DocName],
                     lang: str, glossary: Glossary, partial: str = "") -> tuple[str, tuple[Citation, ...]]:
    """"Which clauses mention X": every such clause with the sentence naming X.

    ``partial``: no clause names X itself; the clauses name ``partial``, a term inside X.
    """
    lines: list[str] = []
    cites: list[Citation] = []
    for clause in clauses:
        quote = mention_sentence(clause, variants)
        note = gloss_note(quote, clause.lang, lang, glossary)
        name = names.get(clause.doc_id) or unknown_doc(clause.doc_id)
        ref = clause_ref(clause, lang)
        if lang == "zh":
            lines.append(f"- {name.cite('zh')}{ref}：“{quote}”{note}")
        else:
            lines.append(f"- {ref} of {name.cite('en')}: “{quote}”{note}")
        cites.append(citation(clause, quote, names))
    n = len(clauses)
    if partial and lang == "zh":
        head = f"没有条款直接提到“{entity}”；提到“{partial}”的有{n}条："
    elif partial:
        head = f"No clause mentions “{entity}” as such; {n} clause{'s' if n != 1 else ''} mention{'s' if n == 1 else ''} “{partial}”:"
    elif lang == "zh":
        head = f"共有{n}条提到“{entity}”："
    else:
        head = f"{n} clause{'s' if n != 1 else ''} mention{'s' if n == 1 else ''} “{entity}”:"
    return "\n".join([head, *lines]), tuple(cites)


def compose_section(clauses: Sequence[Clause], names: Mapping[str, DocName], lang: str,
                    glossary: Glossary) -> tuple[str, tuple[Citation, ...]]:
    """A section lookup: the section's clauses, each with its heading."""
    first = clauses[0]
    name = names.get(first.doc_id) or unknown_doc(first.doc_id)
    lines: list[str] = []
    cites: list[Citation] = []
    for clause in clauses:
        quote = clause.title.strip() if clause.title.strip() and clause.title.strip() in clause.text else lead_span(clause.text, 200)
        note = gloss_note(quote, clause.lang, lang, glossary)
        sep = "：" if lang == "zh" else ": "
        lines.append(f"- {clause_ref(clause, lang)}{sep}“{quote}”{note}")
        cites.append(citation(clause, quote, names))
    if lang == "zh":
        head = f"{name.cite('zh')}第{first.section}部分“{first.section_title}”共{len(clauses)}条："
    else:
        head = f"Section {first.section} of {name.cite('en')}, “{first.section_title}”, has {len(clauses)} clause{'s' if len(clauses) != 1 else ''}:"
    return "\n".join([head, *lines]), tuple(cites)


def compose_abstention(question: str, related: Sequence[Clause], names: Mapping[str, DocName], lang: str,
                       what: str = "") -> str:
    """"The indexed documents do not address …", with the nearest clauses as possibly related."""
    subject = what or question.strip().rstrip("?？。.")
    by_doc: dict[str, list[str]] = {}
    for c in related:  # each document named once, its clauses after it (first-seen order)
        by_doc.setdefault(c.doc_id, []).append(clause_ref(c, lang))
    refs = [f"{(names.get(d) or unknown_doc(d)).cite(lang)}{'、'.join(labels)}" if lang == "zh"
            else f"{', '.join(labels)} of {(names.get(d) or unknown_doc(d)).cite(lang)}" for d, labels in by_doc.items()]
    if lang == "zh":
        text = f"现有文件未涉及“{subject}”。"
        return text + (f"可能相关的条款：{'；'.join(refs)}。" if refs else "")
    text = f"The indexed documents do not address “{subject}”."
    return text + (f" Possibly related: {'; '.join(refs)}." if refs else "")
