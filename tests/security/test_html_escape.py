"""Every string that comes from a document (or a user) is text in the app's HTML, never markup.

Each rendering function is fed generated hostile strings in every field; the HTML it returns is
parsed, and may hold only the app's own tags and attributes (no event handlers, links only to
``#pk:`` clause references), while the hostile string itself is shown verbatim as text. A hostile
document also goes through the real parser into every view, and error messages (which Gradio
renders as HTML) are escaped.
"""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykb.app import render
from policykb.app.doc_status import DocRow
from policykb.ingest import parse_text
from policykb.ingest.model import Clause
from policykb.kb.model import Answer, Citation, DocumentInfo, Hit, SearchResult

TAGS = {"div", "span", "a", "article", "nav", "h3", "h4", "mark", "br", "q", "ul", "ol", "li", "strong", "small", "table",
        "thead", "tbody", "tr", "th", "td", "section", "details", "summary", "p"}
ATTRIBUTES = {"class", "href", "data-pk", "title", "data-clause", "lang", "data-turn", "data-doc", "data-status", "data-state", "data-name", "data-col"}
PIECES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "'", '"', "<", ">", "&",
          "&lt;", "&#60;", "&amp;lt;", "<!--", "-->", "]]>", "javascript:alert(1)", "[x](javascript:alert(1))", "${x}", "{{x}}",
          "`x`", "$$x$$", "\\(x\\)", "\\", "</div>", "</a>", "<a href='#pk:chat|0|x'>", "onmouseover=alert(1)", "(18)", "第十八条",
          "pk-chip", "|", ":", "中文", "a", "1"]
HOSTILE = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)


class _Page(HTMLParser):
    """The tags, attributes and text of an HTML fragment."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"a comment reached the HTML: {data!r}")

    def unknown_decl(self, data: str) -> None:
        raise AssertionError(f"a declaration reached the HTML: {data!r}")


def assert_inert(markup: str, shown: str | None = None) -> None:
    """``markup`` holds only the app's tags and attributes; ``shown`` appears in its text."""
    page = _Page(markup)
    for tag, attrs in page.tags:
        assert tag in TAGS, (tag, markup)
        for name, value in attrs:
            assert name in ATTRIBUTES and not name.startswith("on"), (tag, name, markup)
            if name == "href":
                assert (value or "").startswith("#pk:"), (value, markup)
    if shown is not None:
        visible = "".join(page.text) + " ".join(v or "" for _, attrs in page.tags for _, v in attrs)
        assert shown in visible, (shown, markup)


def _clause(payload: str, **changes: object) -> Clause:
    values: dict[str, object] = dict(id="doc-1:18", doc_id="doc-1", section=payload, section_title=payload, number="18",
                                     label=payload, title=payload, text=f"{payload} body {payload}", refs=("doc-1:8",), lang="en")
    values.update(changes)
    return Clause(**values)  # type: ignore[arg-type]


def _citation(payload: str) -> Citation:
    return Citation(id="doc-1:18", doc_id="doc-1", number="18", label=payload, quote=payload, section_title=payload, doc_title=payload)


def _info(payload: str) -> DocumentInfo:
    return DocumentInfo(doc_id="doc-1", title=payload, doc_number=payload, issuers=(payload, payload), lang=payload,
                        source_path=f"/x/{payload}", sha256="", clauses=1, sections=1, preamble=payload, warnings=(payload,),
                        extra={"history": [payload]})


VIEWS: dict[str, Callable[[str], str]] = {
    "clause": lambda p: render.clause_html(_clause(p), doc_title=p, scope="chat", lang="en", quote=p, terms=[p, p[:3]],
                                           ref_labels={"doc-1:8": p}),
    "answer": lambda p: render.answer_html(Answer(answer=f"{p} says {p}.", citations=(_citation(p),), abstained=False, reason=p,
                                                  mode="llm", latency_ms=1.0), turn=0, lang="en"),
    "abstention": lambda p: render.answer_html(Answer(answer=p, citations=(), abstained=True, reason=p, mode="extractive",
                                                      latency_ms=1.0, related=(_citation(p),)), turn=1, lang="zh"),
    "search": lambda p: render.search_html(SearchResult(query=p, hits=(Hit(clause=_clause(p), score=0.5, signals={p: 0.1},
                                                                           matched_terms=(p,), best_sentence=p),),
                                                        latency_ms=1.0), doc_titles={"doc-1": p}, lang="en"),
    "outline": lambda p: render.outline_html(_info(p), [_clause(p), _clause(p, id="doc-1:19", number="19")], lang="en"),
    "documents": lambda p: render.documents_html([DocRow(p, p, p, 1, "failed", p, p, p)], lang="en"),
    "preview": lambda p: render.preview_html(p, parse_text(f"{p}\n\nArticle 1 {p}\n\nArticle 2 {p}", doc_id="doc-1"), "", lang="en"),
    "preview-error": lambda p: render.preview_html(p, None, p, lang="en"),
    "eval": lambda p: render.eval_questions_html([{"id": p, "lang": p, "question": p, "gold": ["doc-1:18"], "ranked": [p],
                                                   "cited": [p], "abstained": True, "problems": [p]}],
                                                 labels={"doc-1:18": p}, lang="en"),
    "ingest": lambda p: render.ingest_results_html([{"name": p, "status": p, "doc_id": p, "clauses": p, "error": p}], p, lang="en"),
    "message": lambda p: render.message_html(p, p),
    "placeholder": lambda p: render.placeholder_html(p, "en"),
    "question": lambda p: render.user_html(p),
    "streaming": lambda p: render.streaming_html(p),
    "chip": lambda p: render.chip(render.chip_ref(p, p, p), p, title=p, cls=p),
}


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_hostile_strings_are_shown_as_text_in_every_view(view: str) -> None:
    @settings(max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(HOSTILE)
    def check(payload: str) -> None:
        assert_inert(VIEWS[view](payload), payload if view not in ("preview",) else None)

    check()


HOSTILE_DOCUMENT = """<script>window.pkPwned=1</script> Kiosk Rules <img src=x onerror="window.pkPwned=2">
No. 60 [2022]
Issued by: <iframe src="//evil.example"></iframe>; {{config}}

1. General provisions <svg onload=alert(1)>
(1) <b>Bold</b> kiosks open ${market} days. See [the rules](javascript:alert(1)) and `code` $$x^2$$.
(2) Staff <a href="javascript:alert(3)">explain</a> the terms, as clause (1) says.
"""


def test_a_hostile_document_parsed_for_real_renders_inert_everywhere() -> None:
    doc = parse_text(HOSTILE_DOCUMENT, doc_id="hostile")
    assert len(doc.clauses) == 2 and "<script>" in doc.title
    info = DocumentInfo(doc_id=doc.doc_id, title=doc.title, doc_number=doc.doc_number, issuers=doc.issuers, lang=doc.lang,
                        source_path="/x/<b>.txt", sha256=doc.sha256, clauses=len(doc.clauses), sections=len(doc.sections),
                        preamble=doc.preamble, warnings=doc.warnings)
    first, second = doc.clauses
    pieces = [
        render.preview_html("<svg onload=alert(1)>.txt", doc, "", lang="en"),
        render.outline_html(info, list(doc.clauses), lang="en"),
        render.documents_html([DocRow(info.doc_id, info.title, "TXT", info.clauses, "ready", "", "", "<b>")], lang="zh"),
        *(render.clause_html(c, doc_title=doc.title, scope="browse", lang="en", quote=c.text[:30], terms=["kiosks", "<b>"],
                             ref_labels={first.id: first.label}) for c in doc.clauses),
    ]
    for markup in pieces:
        assert_inert(markup)
    assert_inert(pieces[3], "<b>Bold</b> kiosks open ${market} days.")
    assert_inert(pieces[4], '<a href="javascript:alert(3)">explain</a>')
    assert "&lt;script&gt;" in pieces[1] and "&#36;&#123;market&#125;" in pieces[3]


def test_error_messages_reach_gradio_escaped() -> None:
    import gradio as gr

    from policykb.app.context import friendly
    from policykb.errors import NotFoundError

    @friendly
    def handler() -> None:
        raise NotFoundError("no clause '<img src=x onerror=alert(1)>' in the KB; pick one from the list")

    with pytest.raises(gr.Error) as info:
        handler()
    assert info.value.message == "no clause '&lt;img src=x onerror=alert(1)&gt;' in the KB; pick one from the list"
