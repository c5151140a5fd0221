"""The Gradio app: header with the 中文/English toggle, then the tabs Chat, Search, Browse, Documents, Evaluate.

:func:`build_app` returns the ``gr.Blocks``; :func:`launch_options` the theme, CSS and page script
to pass to ``launch()`` (Gradio 6 takes them there). The app is a thin layer over
:class:`policykb.kb.KnowledgeBase`; each tab lives in its own ``ui_*`` module.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.app import render
from policykb.app.chrome import Chrome
from policykb.app.context import AppContext, friendly, username
from policykb.app.i18n import LANG_CHOICES, t
from policykb.app.picker import page_constants

if TYPE_CHECKING:
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

__all__ = ["build_app", "launch_options", "TAB_LABELS", "STATIC_DIR"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
TAB_KEYS: tuple[str, ...] = ("tab_chat", "tab_search", "tab_browse", "tab_documents", "tab_evaluate")
TAB_LABELS: tuple[str, ...] = tuple(t(key) for key in TAB_KEYS)  # short, in the interface language: all fit on a phone
APP_TITLE = "policykb"
SEMANTIC_POLL_S = 2.0  # how often a page redraws the semantic index's progress (one cheap SQLite count)


def launch_options() -> dict[str, Any]:
    """Theme, CSS and the page script, for ``Blocks.launch``."""
    import gradio as gr

    theme = gr.themes.Soft(
        primary_hue="teal",
        secondary_hue="amber",
        font=["Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    )
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    return {
        "theme": theme,
        "css": (STATIC_DIR / "app.css").read_text(encoding="utf-8") + _localized_css(),
        "head": f"<script>{page_constants()}\n{script}</script>",
    }


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _localized_css() -> str:
    """Gradio's own upload prompt ("Drop File Here - or - Click to Upload") and toast titles ("Error")
    follow the browser's locale or are fixed, not the app's toggle: in 中文 mode the app's strings replace them."""
    zh = 'body[data-pk-lang="zh"]'
    rules = [
        f'{zh} [data-testid="upload-text"] {{ font-size: 0 !important; }}',
        f'{zh} [data-testid="upload-text"]::after {{ content: {_css_string(t("drop_files", "zh"))}; font-size: var(--text-lg); }}',
    ]
    for kind in ("error", "warning", "info", "success"):
        rules.append(f'{zh} .toast-title.{kind} {{ font-size: 0 !important; }}')
        rules.append(f'{zh} .toast-title.{kind}::before {{ content: {_css_string(t(f"toast_{kind}", "zh"))}; '
                     'font-size: var(--text-md); }')
    return "\n" + "\n".join(rules) + "\n"


def _header_html(lang: str) -> str:
    return f'<div><h1>{APP_TITLE}</h1><p class="pk-sub">{render.esc(t("subtitle", lang))}</p></div>'


def _semantic_html(kb: KnowledgeBase, lang: str) -> str:
    from policykb.app.context import hide_paths

    progress = kb.fill_progress()
    return render.semantic_status_html(progress.embedded, progress.total, lang, hide_paths(progress.error))


def build_app(settings: Settings, kb: KnowledgeBase | None = None) -> Any:
    """Build the whole app over ``kb`` (a new :class:`KnowledgeBase` on ``settings`` when None)."""
    import gradio as gr

    from policykb.app.api import register_api
    from policykb.app.ui_browse import browse_doc_choices, build_browse_tab
    from policykb.app.ui_chat import build_chat_tab
    from policykb.app.ui_documents import build_documents_tab
    from policykb.app.ui_evaluate import build_evaluate_tab
    from policykb.app.scope import kept, scope_choices
    from policykb.app.ui_search import build_search_tab, section_choices

    if kb is None:
        from policykb.kb import KnowledgeBase

        kb = KnowledgeBase(settings)
    ctx = AppContext(settings=settings, kb=kb)
    chrome = Chrome()
    with gr.Blocks(title=APP_TITLE, analytics_enabled=False, fill_width=False) as demo:
        with gr.Row(elem_id="pk-header", equal_height=True):
            header = gr.HTML(_header_html("en"), elem_id="pk-title", min_width=280)
            chrome.add_fn(header, lambda lang: {"value": _header_html(lang)})
            with gr.Column(scale=0, min_width=220):
                lang_box = gr.Radio(choices=LANG_CHOICES, value="en", label=t("ui_language"), elem_id="pk-lang",
                                    container=False)
                who = gr.HTML("", elem_id="pk-user")
        # While the vectors of newly added clauses are embedded in the background: how far (every tab, every session)
        semantic = gr.HTML(_semantic_html(kb, "en"), elem_id="pk-semantic-status")
        chrome.add_fn(semantic, lambda lang: {"value": _semantic_html(kb, lang)})
        semantic_timer = gr.Timer(SEMANTIC_POLL_S)
        with gr.Tabs(elem_id="pk-tabs"):
            with chrome.add(gr.Tab(TAB_LABELS[0], id="chat", elem_id="pk-tab-chat"), label=TAB_KEYS[0]):
                chat = build_chat_tab(ctx, lang_box, chrome)
            with chrome.add(gr.Tab(TAB_LABELS[1], id="search", elem_id="pk-tab-search"), label=TAB_KEYS[1]):
                search = build_search_tab(ctx, lang_box, chrome)
            with chrome.add(gr.Tab(TAB_LABELS[2], id="browse", elem_id="pk-tab-browse"), label=TAB_KEYS[2]):
                browse = build_browse_tab(ctx, lang_box, chrome)
            with chrome.add(gr.Tab(TAB_LABELS[3], id="documents", elem_id="pk-tab-documents"), label=TAB_KEYS[3]):
                documents = build_documents_tab(ctx, lang_box, chrome)
            with chrome.add(gr.Tab(TAB_LABELS[4], id="evaluate", elem_id="pk-tab-evaluate"), label=TAB_KEYS[4]):
                build_evaluate_tab(ctx, lang_box, chrome)
        register_api(ctx)

        doc_lists = [search["doc"], search["section"], browse["doc"], documents["remove_pick"], chat["scope"]]
        list_inputs = [lang_box, browse["doc"], search["doc"], chat["scope"], documents["remove_pick"]]

        @friendly
        def refresh_doc_lists(lang: str, current: str | None, search_docs: list[str] | None = None,
                              chat_docs: list[str] | None = None, remove_current: str | None = None) -> tuple[Any, ...]:
            browse_choices = browse_doc_choices(ctx)
            ids = [value for _, value in browse_choices]
            keep = current if current in ids else (ids[0] if ids else None)
            scopes = scope_choices(ctx, lang)
            search_kept = kept(search_docs, scopes)
            search_gone = search_kept != list(search_docs or [])

            def scope_update(chosen: list[str] | None) -> Any:
                # the choice is left alone (a user may be making it right now) unless a chosen document has gone
                remaining = kept(chosen, scopes)
                return gr.update(choices=scopes, value=remaining) if remaining != list(chosen or []) else gr.update(choices=scopes)

            return (
                scope_update(search_docs),
                # the section filter is reset only when the chosen documents changed under it; its "All" follows the
                # interface language through the language switch alone (a refresh read the language when it was
                # triggered, and one that finished after a switch labelled the filter in the old language)
                gr.update(choices=section_choices(ctx, search_kept, lang), value="") if search_gone else gr.update(),
                # the Browse document likewise: set only when none is chosen or it has gone (a refresh that read the
                # choice before the user changed it set the old document back and redrew the outline under the pointer)
                gr.update(choices=browse_choices) if current in ids else gr.update(choices=browse_choices, value=keep),
                # the document picked for removal is left alone unless it has gone: a refresh (another session's upload,
                # the fill's progress) may have read the pick before the user made it, and must not undo it
                gr.update(choices=browse_choices) if remove_current is None or remove_current in ids
                else gr.update(choices=browse_choices, value=None),
                scope_update(chat_docs),
            )

        @friendly
        def on_load(lang: str, request: gr.Request) -> tuple[Any, ...]:
            user = username(request)
            signed = f'{render.esc(t("signed_in", lang))} <strong>{render.esc(user)}</strong> · <a href="logout">logout</a>' if user else ""
            rows, count = browse["find_terms"]("", lang)
            return (signed, *refresh_doc_lists(lang, None), rows, count)

        # the lists are labelled ("All" / "全部") again in the language chosen by the time the load is done
        # Everything that labels the document lists ("All" / "全部") runs one at a time, in the order it was
        # triggered: a refresh started before a language switch can then never finish after it.
        lists: dict[str, Any] = dict(concurrency_id="pk-lists", concurrency_limit=1, api_visibility="private")
        demo.load(on_load, inputs=[lang_box], outputs=[who, *doc_lists, browse["glossary_table"], browse["glossary_count"]],
                  **lists).then(refresh_doc_lists, inputs=list_inputs, outputs=doc_lists, show_progress="hidden", **lists).then(
            None, js="() => { document.body.dataset.pkLists = 'ready'; }")  # the page's document lists are filled
        for event in documents["changed"]:
            event.then(refresh_doc_lists, inputs=list_inputs, outputs=doc_lists, show_progress="hidden", **lists)

        # The document lists follow uploads and removals from any session, whichever tab is open (a tab's own
        # components, the Documents table's timer among them, only run once the tab has been shown): a page-level
        # timer polls the same cheap fingerprint into a hidden box and refreshes the lists when it changes.
        from policykb.app.doc_status import documents_key
        from policykb.app.ui_documents import POLL_SECONDS

        try:
            start_key = documents_key(ctx)  # what the page's first lists show; a later change refreshes them
        except Exception:  # a KB not readable yet: the first tick refreshes
            start_key = ""
        known_docs = gr.Textbox(value=start_key, visible="hidden", elem_id="pk-lists-key")  # a State's change would not fire
        docs_timer = gr.Timer(POLL_SECONDS)

        def poll_documents(known: str) -> Any:
            key = documents_key(ctx)
            return key if key != known else gr.update()

        docs_timer.tick(poll_documents, inputs=[known_docs], outputs=[known_docs], api_visibility="private",
                        show_progress="hidden", queue=False)
        known_docs.change(refresh_doc_lists, inputs=list_inputs, outputs=doc_lists, show_progress="hidden", **lists)

        @friendly
        def switch_language(lang: str) -> list[Any]:
            return chrome.updates(lang)

        @friendly
        def poll_semantic(lang: str) -> str:
            return _semantic_html(kb, lang)

        semantic_timer.tick(poll_semantic, inputs=[lang_box], outputs=[semantic], api_visibility="private",
                            show_progress="hidden", queue=False)

        lang_box.change(switch_language, inputs=[lang_box], outputs=chrome.components, concurrency_id="pk-lists",
                        concurrency_limit=1, api_visibility="private", show_progress="hidden", js="(lang) => { document.body.dataset.pkLang = lang; return lang; }")
    return demo
