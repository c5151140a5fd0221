"""The Chat tab: multi-turn questions, cited answers, the clause beside the chat, feedback, and the scope.

An extractive answer appears at once; an LLM's answer streams in as the model writes it, then is replaced
by the answer its citation check kept, with the check's result. The scope multi-select limits the
conversation to chosen documents (none = all); it is saved with the conversation and follow-ups stay in it.

A conversation is kept per browser session as a list of turns ``(question, Answer | None)``;
message ``2*i`` / ``2*i+1`` of the chatbot are turn ``i``'s question and answer, and the chips of
turn ``i`` carry ``chat|i|CLAUSE_ID`` so the panel can highlight the quote that turn cited.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from policykb.app import render
from policykb.app.context import AppContext, friendly, ui_error, user_message, username
from policykb.app.i18n import t
from policykb.app.conversations import ConversationStore, conversation_json, conversation_markdown
from policykb.app.picker import clause_opener, panel_id, parse_chip_ref
from policykb.app.scope import kept, scope_choices, searched_in
from policykb.app.uploads import safe_name

if TYPE_CHECKING:
    from policykb.app.chrome import Chrome
    from policykb.kb.model import Answer

__all__ = ["build_chat_tab", "HISTORY_TURNS", "EXAMPLES"]

HISTORY_TURNS = 6  # earlier exchanges passed to kb.ask to resolve follow-up questions
EXAMPLES = [
    "How will savings bonds reach the countryside?",
    "储蓄国债下乡有什么安排？",
    "Which clauses mention Ningbo?",
    "第十三条讲了什么？",
]

Turns = list[tuple[str, "Answer | None"]]


def build_chat_tab(ctx: AppContext, lang_box: Any, chrome: Chrome) -> dict[str, Any]:
    """Lay out the Chat tab inside the current ``gr.Tab`` and wire its events; returns the components other
    parts of the app refresh (``scope``, the documents multi-select)."""
    import gradio as gr

    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chatbot = gr.Chatbot(
                height=520, show_label=False, elem_id="pk-chatbot", latex_delimiters=[], sanitize_html=True,
                feedback_options=("Like", "Dislike"), group_consecutive_messages=False, autoscroll=True,
                placeholder=f"**{t('chat_empty', 'en')}**<br>{t('chat_empty', 'zh')}",
            )
            with gr.Row(equal_height=True):
                box = chrome.add(
                    gr.Textbox(show_label=False, placeholder=t("chat_placeholder"), lines=1, max_lines=5, scale=5,
                               elem_id="pk-chat-input", autofocus=True),
                    placeholder="chat_placeholder",
                )
                send = chrome.add(gr.Button(t("send"), variant="primary", scale=1, min_width=90, elem_id="pk-send"), value="send")
            hint = gr.HTML("", elem_id="pk-chat-hint")
            scope = gr.Dropdown(choices=[], value=[], multiselect=True, label=t("scope_label"), info=t("scope_info"),
                                elem_id="pk-chat-scope", filterable=True)
            chrome.add_fn(scope, lambda ui: {"label": t("scope_label", ui), "info": t("scope_info", ui),
                                             "choices": scope_choices(ctx, ui)})
            examples = gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[box], label=t("examples"), examples_per_page=len(EXAMPLES))
            chrome.add(examples.dataset, label="examples")
            with gr.Row():
                clear = chrome.add(gr.Button(t("clear"), size="sm", elem_id="pk-clear"), value="clear")
                copy = chrome.add(gr.Button(t("copy_md"), size="sm", elem_id="pk-copy-md"), value="copy_md")
            markdown = chrome.add(
                gr.Textbox(label=t("markdown"), lines=6, max_lines=16, visible=False, buttons=["copy"], elem_id="pk-markdown"),
                label="markdown",
            )
            # one feedback mechanism: the 👍/👎 under each answer; a 👎 then asks (optionally) for the right clause
            disliked = gr.State(None)  # the feedback row id of the last 👎, which a correction completes
            with gr.Column(visible=False, variant="panel", elem_id="pk-correction") as correction:
                correction_head = gr.HTML(render.message_html(t("correction_head"), "info"), elem_id="pk-correction-head")
                chrome.add_fn(correction_head, lambda ui: {"value": render.message_html(t("correction_head", ui), "info")})
                right = chrome.add(
                    gr.Dropdown(choices=[], value=None, label=t("right_clause"), elem_id="pk-right-clause", filterable=True),
                    label="right_clause",
                )
                comment = chrome.add(gr.Textbox(label=t("comment"), lines=1, elem_id="pk-comment"), label="comment")
                with gr.Row():
                    correct = chrome.add(gr.Button(t("send_correction"), size="sm", variant="primary", elem_id="pk-correct"),
                                         value="send_correction")
                    skip = chrome.add(gr.Button(t("correction_skip"), size="sm", elem_id="pk-correction-skip"), value="correction_skip")
            status = gr.HTML("", elem_id="pk-feedback-status")
            conv_id = gr.State("")
            with chrome.add(gr.Accordion(t("conversations"), open=False, elem_id="pk-conversations"), label="conversations") as history_box:
                conv_pick = chrome.add(gr.Dropdown(choices=[], value=None, label=t("conv_pick"), elem_id="pk-conv-pick"),
                                       label="conv_pick")
                with gr.Row():
                    conv_open = chrome.add(gr.Button(t("conv_open"), size="sm", variant="primary", elem_id="pk-conv-open"),
                                           value="conv_open")
                    conv_delete = chrome.add(gr.Button(t("conv_delete"), size="sm", variant="stop", elem_id="pk-conv-delete"),
                                             value="conv_delete")
                with gr.Row(equal_height=True):
                    conv_title = chrome.add(gr.Textbox(label=t("conv_title"), lines=1, scale=3, elem_id="pk-conv-title"),
                                            label="conv_title")
                    conv_rename = chrome.add(gr.Button(t("conv_rename"), size="sm", scale=1, elem_id="pk-conv-rename"),
                                             value="conv_rename")
                with gr.Row():
                    export_md = chrome.add(gr.Button(t("conv_export_md"), size="sm", elem_id="pk-conv-md"), value="conv_export_md")
                    export_json = chrome.add(gr.Button(t("conv_export_json"), size="sm", elem_id="pk-conv-json"),
                                             value="conv_export_json")
                conv_file = gr.File(label=None, interactive=False, visible=False, elem_id="pk-conv-file")
                conv_status = gr.HTML("", elem_id="pk-conv-status")
        with gr.Column(scale=2, min_width=300):
            panel = gr.HTML(render.placeholder_html("clause_hint"), elem_id=panel_id("chat"), elem_classes=["pk-panel"])

    @friendly
    def respond(message: str, history: list, turns_: Turns, docs: list[str] | None, lang: str) -> Iterator[tuple[Any, ...]]:
        if not message or not message.strip():  # a light hint beside the input, not an error
            yield gr.update(), turns_, gr.update(), render.hint_html(t("empty_question", lang))
            return
        if len(message.strip()) > ctx.settings.max_question_chars:  # also a hint in place, with the limit
            yield gr.update(), turns_, gr.update(), render.hint_html(
                t("question_too_long", lang, n=f"{len(message.strip()):,}", limit=f"{ctx.settings.max_question_chars:,}"))
            return
        from policykb.kb.model import Turn

        history = list(history or [])
        history += [{"role": "user", "content": render.user_html(message)}, {"role": "assistant", "content": render.pending_html(lang)}]
        yield history, turns_, "", ""
        earlier = [Turn(q, a) for q, a in turns_[-HISTORY_TURNS:] if a is not None]
        scope_ids = list(docs or [])
        searched = searched_in(ctx, scope_ids, lang)
        answer: Answer | None = None
        text = ""
        try:
            # an LLM's text streams in as it arrives; an extractive answer (or an abstention) comes whole, at once
            for item in ctx.kb.ask_stream(message.strip(), history=tuple(earlier), doc=scope_ids):
                if isinstance(item, str):
                    text += item
                    history[-1] = {"role": "assistant", "content": render.streaming_html(text, t("check_running", lang))}
                    yield history, turns_, "", ""
                else:
                    answer = item
        except Exception as exc:  # one line in the conversation, never a traceback
            history[-1] = {"role": "assistant", "content": render.message_html(user_message(exc), "error")}
            yield history, [*turns_, (message, None)], "", ""
            return
        if answer is None:  # the KB always ends with its answer; guard against a broken stream all the same
            return
        new_turns = [*turns_, (message.strip(), answer)]
        history[-1] = {"role": "assistant",
                       "content": render.answer_html(answer, turn=len(new_turns) - 1, lang=lang, searched=searched)}
        yield history, new_turns, "", ""

    @friendly
    def open_clause(ref: str, turns_: Turns, lang: str) -> str:
        _, extra, clause_id = parse_chip_ref(ref)
        quote = ""
        if extra.isdigit() and int(extra) < len(turns_):
            answer = turns_[int(extra)][1]
            if answer is not None:
                quote = next((c.quote for c in answer.citations if c.id == clause_id), "")
        return ctx.clause_panel(clause_id, scope="chat", lang=lang, quote=quote)

    def clear_chat(lang: str) -> tuple[Any, ...]:
        return [], [], render.placeholder_html("clause_hint"), gr.update(value="", visible=False), "", gr.update(visible=False), "", ""

    @friendly
    def as_markdown(turns_: Turns, lang: str) -> Any:
        last = _last_answered(turns_)
        if last is None:
            raise ui_error(t("nothing_to_copy", lang), lang)
        return gr.update(value=render.answer_markdown(*last), visible=True)

    @friendly
    def liked(turns_: Turns, lang: str, data: gr.LikeData, request: gr.Request) -> tuple[Any, ...]:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = int(index) // 2
        question, answer = turns_[turn] if turn < len(turns_) else ("", None)
        if not isinstance(data.liked, bool) or answer is None:
            return "", gr.update(visible=False), None, gr.update()
        row_id = ctx.feedback().add(question, answer, 1 if data.liked else -1, user=username(request))
        if data.liked:
            return render.message_html(t("thanks", lang), "ok"), gr.update(visible=False), None, gr.update()
        return "", gr.update(visible=True), row_id, gr.update(choices=ctx.clause_choices(), value=None)

    @friendly
    def send_correction(right_id: str | None, note: str, row_id: int | None, lang: str) -> tuple[Any, ...]:
        if row_id is None:
            return render.message_html(t("no_answer_to_rate", lang), "error"), gr.update(), gr.update(), gr.update(), None
        if not right_id and not (note or "").strip():
            return render.message_html(t("pick_right_clause", lang), "error"), gr.update(), gr.update(), gr.update(), row_id
        ctx.feedback().correct(int(row_id), right_clause=right_id or None, comment=note or "")
        return (render.message_html(t("correction_saved", lang), "ok"), gr.update(value=None), gr.update(value=""),
                gr.update(visible=False), None)

    def skip_correction(lang: str) -> tuple[Any, ...]:
        return render.message_html(t("thanks", lang), "ok"), gr.update(visible=False), None

    def store(request: gr.Request) -> ConversationStore:
        return ConversationStore(ctx.conversations_dir, username(request))

    def conv_choices(conversations: ConversationStore) -> list[tuple[str, str]]:
        return [(f"{c['title'] or c['id']} · {c['updated'][:16].replace('T', ' ')}", c["id"]) for c in conversations.list()]

    @friendly
    def save_conversation(turns_: Turns, current: str, docs: list[str] | None, request: gr.Request) -> tuple[Any, Any]:
        if not any(a is not None for _, a in turns_ or []):
            return current, gr.update()
        conversations = store(request)
        current = current or conversations.new_id()
        conversations.save(current, turns_, scope=list(docs or []))
        return current, gr.update(choices=conv_choices(conversations), value=current)

    @friendly
    def list_conversations(current: str, request: gr.Request) -> Any:
        choices = conv_choices(store(request))
        return gr.update(choices=choices, value=current if any(v == current for _, v in choices) else None)

    @friendly
    def open_conversation(picked: str | None, lang: str, request: gr.Request) -> tuple[Any, ...]:
        if not picked:
            return (gr.update(), gr.update(), gr.update(), gr.update(), render.message_html(t("conv_pick_first", lang), "error"),
                    gr.update())
        data, loaded = store(request).load(picked)
        history: list[dict[str, str]] = []
        for i, (question, answer) in enumerate(loaded):
            history += [{"role": "user", "content": render.user_html(question)},
                        {"role": "assistant", "content": render.answer_html(answer, turn=i, lang=lang,
                                                                           searched=searched_in(ctx, answer.scope, lang))}]
        # the conversation's scope comes back with it (documents removed since are dropped), so follow-ups stay in it
        choices = scope_choices(ctx, lang)
        return history, list(loaded), picked, data.get("title", ""), "", gr.update(choices=choices, value=kept(data.get("scope"), choices))

    @friendly
    def rename_conversation(picked: str | None, title: str, lang: str, request: gr.Request) -> tuple[Any, str]:
        if not picked or not (title or "").strip():
            return gr.update(), render.message_html(t("conv_pick_first", lang), "error")
        conversations = store(request)
        conversations.rename(picked, title)
        return gr.update(choices=conv_choices(conversations), value=picked), render.message_html(t("conv_renamed", lang), "ok")

    @friendly
    def delete_conversation(picked: str | None, current: str, lang: str, request: gr.Request) -> tuple[Any, ...]:
        if not picked:
            return gr.update(), current, render.message_html(t("conv_pick_first", lang), "error")
        conversations = store(request)
        conversations.delete(picked)
        return (gr.update(choices=conv_choices(conversations), value=None), "" if picked == current else current,
                render.message_html(t("conv_deleted", lang), "ok"))

    def export(picked: str | None, current: str, kind: str, lang: str, request: gr.Request) -> tuple[Any, str]:
        chosen = picked or current
        if not chosen:
            return gr.update(visible=False), render.message_html(t("conv_pick_first", lang), "error")
        conversations = store(request)
        data, loaded = conversations.load(chosen)
        text = conversation_json(data) if kind == "json" else conversation_markdown(data.get("title", chosen), loaded)
        folder = conversations.folder / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{safe_name(data.get('title') or chosen)[:60]}-{chosen}.{'json' if kind == 'json' else 'md'}"
        path.write_text(text, encoding="utf-8")
        return gr.update(value=str(path), visible=True), ""

    @friendly
    def export_markdown(picked: str | None, current: str, lang: str, request: gr.Request) -> tuple[Any, str]:
        return export(picked, current, "md", lang, request)

    @friendly
    def export_as_json(picked: str | None, current: str, lang: str, request: gr.Request) -> tuple[Any, str]:
        return export(picked, current, "json", lang, request)

    chat_io = dict(inputs=[box, chatbot, turns, scope, lang_box], outputs=[chatbot, turns, box, hint], api_visibility="private",
                   show_progress_on=[chatbot])
    for trigger in (box.submit, send.click):
        trigger(respond, **chat_io).then(save_conversation, inputs=[turns, conv_id, scope], outputs=[conv_id, conv_pick],
                                         api_visibility="private", show_progress="hidden")
    history_box.expand(list_conversations, inputs=[conv_id], outputs=[conv_pick], api_visibility="private", show_progress="hidden")
    conv_open.click(open_conversation, inputs=[conv_pick, lang_box],
                    outputs=[chatbot, turns, conv_id, conv_title, conv_status, scope], api_visibility="private")
    conv_rename.click(rename_conversation, inputs=[conv_pick, conv_title, lang_box], outputs=[conv_pick, conv_status],
                      api_visibility="private")
    conv_delete.click(delete_conversation, inputs=[conv_pick, conv_id, lang_box], outputs=[conv_pick, conv_id, conv_status],
                      api_visibility="private")
    export_md.click(export_markdown, inputs=[conv_pick, conv_id, lang_box], outputs=[conv_file, conv_status], api_visibility="private")
    export_json.click(export_as_json, inputs=[conv_pick, conv_id, lang_box], outputs=[conv_file, conv_status], api_visibility="private")
    clause_opener("chat", open_clause, [turns, lang_box], [panel])
    clear.click(clear_chat, inputs=[lang_box], outputs=[chatbot, turns, panel, markdown, status, correction, hint, conv_id],
                api_visibility="private")
    copy.click(as_markdown, inputs=[turns, lang_box], outputs=[markdown], api_visibility="private").then(
        None, inputs=[markdown], outputs=None, js="(md) => { if (md && navigator.clipboard) navigator.clipboard.writeText(md).catch(() => {}); }",
    )
    chatbot.like(liked, inputs=[turns, lang_box], outputs=[status, correction, disliked, right], api_visibility="private")
    correct.click(send_correction, inputs=[right, comment, disliked, lang_box], outputs=[status, right, comment, correction, disliked],
                  api_visibility="private")
    skip.click(skip_correction, inputs=[lang_box], outputs=[status, correction, disliked], api_visibility="private")
    return {"scope": scope}


def _last_answered(turns: Turns) -> tuple[str, Answer] | None:
    for question, answer in reversed(turns or []):
        if answer is not None:
            return question, answer
    return None
