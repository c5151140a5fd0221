"""The Search tab: a query, filters (documents, section, language), ranked clauses, the whole clause.

The documents filter is the scope multi-select of the Chat tab (none chosen = all documents); the
section filter offers a document's sections once exactly one document is chosen."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from policykb.app import render
from policykb.app.context import AppContext, friendly
from policykb.app.i18n import t
from policykb.app.picker import clause_opener, panel_id, parse_chip_ref
from policykb.app.scope import scope_choices, searched_in
from policykb.app.text import short as _short

if TYPE_CHECKING:
    from policykb.app.chrome import Chrome

__all__ = ["build_search_tab", "section_choices", "lang_choices"]


def _one(docs: str | list[str] | None) -> str | None:
    """The document whose sections the section filter offers: the only one chosen, else None."""
    if isinstance(docs, str):
        return docs or None
    return docs[0] if docs and len(docs) == 1 else None


def section_choices(ctx: AppContext, docs: str | list[str] | None, lang: str) -> list[tuple[str, str]]:
    """("All", "") then the sections of the one chosen document as ("2. Title", "2"); only "All" unless exactly
    one document is chosen."""
    choices = [(t("all", lang), "")]
    doc_id = _one(docs)
    if not doc_id:
        return choices
    seen: dict[str, str] = {}
    for c in ctx.kb.clauses(doc_id):
        seen.setdefault(c.section, f"{c.section}. {c.section_title}".strip(". ") if c.section_title else c.section)
    return choices + [(_short(label, 70), number) for number, label in seen.items()]


def lang_choices(lang: str) -> list[tuple[str, str]]:
    return [(t("all", lang), ""), (t("lang_en", lang), "en"), (t("lang_zh", lang), "zh")]


def build_search_tab(ctx: AppContext, lang_box: Any, chrome: Chrome) -> dict[str, Any]:
    """Lay out the Search tab; returns the components other tabs refresh (``doc``, ``section``)."""
    import gradio as gr

    terms_by_clause = gr.State({})
    with gr.Row(equal_height=True):
        query = chrome.add(
            gr.Textbox(label=t("query"), placeholder=t("query_placeholder"), scale=5, elem_id="pk-search-input"),
            label="query", placeholder="query_placeholder",
        )
        go = chrome.add(gr.Button(t("search"), variant="primary", scale=1, min_width=90, elem_id="pk-search-go"), value="search")
    with gr.Row():
        doc = gr.Dropdown(choices=[], value=[], multiselect=True, label=t("scope_label"), info=t("scope_info"),
                          elem_id="pk-filter-doc", min_width=260, filterable=True)
        section = gr.Dropdown(choices=[(t("all"), "")], value="", label=t("filter_section"), elem_id="pk-filter-section", min_width=200)
        lang = gr.Dropdown(choices=lang_choices("en"), value="", label=t("filter_lang"), elem_id="pk-filter-lang", min_width=140)
        k = chrome.add(gr.Slider(1, 20, value=ctx.settings.top_k, step=1, label=t("results_k"), elem_id="pk-search-k", min_width=160),
                       label="results_k")
    chrome.add_fn(doc, lambda ui: {"label": t("scope_label", ui), "info": t("scope_info", ui), "choices": scope_choices(ctx, ui)})
    chrome.add_fn(section, lambda ui: {"label": t("filter_section", ui)})
    chrome.add_fn(lang, lambda ui: {"label": t("filter_lang", ui), "choices": lang_choices(ui)})
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            results = gr.HTML(render.placeholder_html("search_hint"), elem_id="pk-search-results")
        with gr.Column(scale=2, min_width=300):
            panel = gr.HTML(render.placeholder_html("search_hint"), elem_id=panel_id("search"), elem_classes=["pk-panel"])

    @friendly
    def run(text: str, docs: list[str] | None, section_no: str, clause_lang: str, top_k: float, ui: str) -> tuple[str, Any, Any]:
        if not text or not text.strip():  # a light hint in place of the results, not an error
            return render.hint_html(t("empty_query", ui)), gr.update(), gr.update()
        if len(text.strip()) > ctx.settings.max_question_chars:
            return (render.hint_html(t("question_too_long", ui, n=f"{len(text.strip()):,}", limit=f"{ctx.settings.max_question_chars:,}")),
                    gr.update(), gr.update())
        scope = list(docs or [])
        result = ctx.kb.search(text.strip(), int(top_k), doc=scope, section=(section_no or None) if _one(scope) else None,
                               lang=clause_lang or None)
        terms = {h.clause.id: list(h.matched_terms) for h in (*result.hits, *result.related)}
        first = result.hits[0].clause.id if result.hits else ""
        panel_html = _clause(first, terms.get(first, []), ui) if first else render.placeholder_html("no_results", ui)
        searched = searched_in(ctx, result.scope, ui)
        note = f'<div class="pk-scope-note" id="pk-search-scope">{render.esc(searched)}</div>' if searched else ""
        return note + render.search_html(result, doc_titles=ctx.doc_titles(), lang=ui, doc=_one(scope) or ""), terms, panel_html

    def _clause(clause_id: str, terms: list[str], ui: str) -> str:
        return ctx.clause_panel(clause_id, scope="search", lang=ui, terms=terms)

    @friendly
    def open_clause(ref: str, terms: dict, ui: str) -> str:
        _, _, clause_id = parse_chip_ref(ref)
        return _clause(clause_id, (terms or {}).get(clause_id, []), ui)

    @friendly
    def on_doc(docs: list[str] | None, ui: str) -> Any:
        return gr.update(choices=section_choices(ctx, docs, ui), value="")

    search_io = dict(inputs=[query, doc, section, lang, k, lang_box], outputs=[results, terms_by_clause, panel], api_visibility="private")
    query.submit(run, **search_io)
    go.click(run, **search_io)
    # in the lists' queue (see app/ui.py): a section list drawn in one language never lands after a switch to the other
    doc.change(on_doc, inputs=[doc, lang_box], outputs=[section], api_visibility="private", concurrency_id="pk-lists",
               concurrency_limit=1)

    @friendly
    def relabel_sections(docs: list[str] | None, section_no: str, ui: str) -> Any:
        choices = section_choices(ctx, docs, ui)
        return gr.update(choices=choices, value=section_no if any(v == section_no for _, v in choices) else "")

    lang_box.change(relabel_sections, inputs=[doc, section, lang_box], outputs=[section], api_visibility="private",
                    show_progress="hidden", concurrency_id="pk-lists", concurrency_limit=1)
    clause_opener("search", open_clause, [terms_by_clause, lang_box], [panel])
    return {"doc": doc, "section": section}
