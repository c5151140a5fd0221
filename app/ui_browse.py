"""The Browse tab: each document's outline (sections → clauses), the clause text, and the glossary."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from policykb.app import render
from policykb.app.context import AppContext, friendly
from policykb.app.i18n import t
from policykb.app.picker import clause_opener, panel_id, parse_chip_ref

if TYPE_CHECKING:
    from policykb.app.chrome import Chrome

__all__ = ["build_browse_tab", "browse_doc_choices", "glossary_rows", "GLOSSARY_ROWS"]

GLOSSARY_ROWS = 200


def browse_doc_choices(ctx: AppContext) -> list[tuple[str, str]]:
    return [(title if len(title) <= 90 else title[:89] + "…", doc_id) for doc_id, title in ctx.doc_titles().items()]


def glossary_rows(ctx: AppContext, text: str, limit: int = GLOSSARY_ROWS) -> tuple[list[list[str]], int]:
    """Rows [中文, English] of the glossary entries matching ``text`` (at most ``limit``) and the total count."""
    found = ctx.kb.glossary().search(text or "")
    return [[e.zh, e.en] for e in found[:limit]], len(found)


def build_browse_tab(ctx: AppContext, lang_box: Any, chrome: Chrome) -> dict[str, Any]:
    """Lay out the Browse tab; returns the components other tabs refresh (``doc``, ``outline``)."""
    import gradio as gr

    doc = chrome.add_fn(gr.Dropdown(choices=[], value=None, label=t("filter_doc"), elem_id="pk-browse-doc"),
                        lambda ui: {"label": t("filter_doc", ui)})
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300):
            outline = gr.HTML(render.placeholder_html("browse_hint"), elem_id="pk-outline")
        with gr.Column(scale=3, min_width=300):
            panel = gr.HTML(render.placeholder_html("browse_hint"), elem_id=panel_id("browse"), elem_classes=["pk-panel"])
    heading = gr.Markdown(f"### {t('glossary')}", elem_id="pk-glossary-head")
    chrome.add_fn(heading, lambda ui: {"value": f"### {t('glossary', ui)}"})
    with gr.Row():
        needle = chrome.add(gr.Textbox(label=t("glossary_search"), scale=3, elem_id="pk-glossary-search"), label="glossary_search")
        count = gr.Markdown("", elem_id="pk-glossary-count")
    table = gr.Dataframe(headers=[t("glossary_zh"), t("glossary_en")], value=[], interactive=False, wrap=True,
                         max_height=420, elem_id="pk-glossary")

    @friendly
    def show_outline(doc_id: str | None, ui: str) -> str:
        if not doc_id:
            return render.placeholder_html("no_documents" if not ctx.doc_titles() else "browse_hint", ui)
        info = next((d for d in ctx.kb.documents() if d.doc_id == doc_id), None)
        if info is None:
            return render.placeholder_html("clause_gone", ui)
        return render.outline_html(info, ctx.kb.clauses(doc_id), lang=ui)

    @friendly
    def open_clause(ref: str, ui: str) -> str:
        return ctx.clause_panel(parse_chip_ref(ref)[2], scope="browse", lang=ui)

    @friendly
    def find_terms(text: str, ui: str) -> tuple[Any, str]:
        rows, total = glossary_rows(ctx, text)
        value = {"headers": [t("glossary_zh", ui), t("glossary_en", ui)], "data": rows or [["", ""]]}
        return value, t("glossary_count", ui, n=len(rows), total=total)

    doc.change(show_outline, inputs=[doc, lang_box], outputs=[outline], api_visibility="private")
    clause_opener("browse", open_clause, [lang_box], [panel])
    needle.change(find_terms, inputs=[needle, lang_box], outputs=[table, count], api_visibility="private",
                  trigger_mode="always_last", show_progress="hidden")
    return {"doc": doc, "outline": outline, "show_outline": show_outline, "find_terms": find_terms,
            "glossary_table": table, "glossary_count": count, "needle": needle}
