"""The Chat tab: multi-turn questions, streamed cited answers, the clause beside the chat, feedback.

A conversation is kept per browser session as a list of turns ``(question, Answer | None)``;
message ``2*i`` / ``2*i+1`` of the chatbot are turn ``i``'s question and answer, and the chips of
turn ``i`` carry ``chat|i|CLAUSE_ID`` so the panel can highlight the quote that turn cited.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Iterator

from policykb.app import render
from policykb.app.context import AppContext, friendly, user_message, username
from policykb.app.i18n import t
from policykb.app.picker import clause_opener

if TYPE_CHECKING:
    from policykb.app.chrome import Chrome
    from policykb.kb.model import Answer

__all__ = ["build_chat_tab", "parse_ref", "stream_steps", "HISTORY_TURNS", "EXAMPLES"]

HISTORY_TURNS = 6  # earlier exchanges passed to kb.ask to resolve follow-up questions
STREAM_STEPS = 14
STREAM_PAUSE_S = 0.02
EXAMPLES = [
    "How will savings bonds reach the countryside?",
    "储蓄国债下乡有什么安排？",
    "Which clauses mention Ningbo?",
    "第十三条讲了什么？",
]

Turns = list[tuple[str, "Answer | None"]]


def parse_ref(ref: str) -> tuple[str, str, str]:
    """Split a chip reference ``SCOPE|EXTRA|CLAUSE_ID`` (the clause id may itself hold ':')."""
    scope, _, rest = (ref or "").partition("|")
    extra, _, clause_id = rest.partition("|")
    return scope, extra, clause_id


def stream_steps(text: str, steps: int = STREAM_STEPS) -> list[str]:
    """Growing prefixes of ``text`` cut at spaces (or anywhere in Chinese), ending with the whole."""
    if not text:
        return [""]
    cuts: list[int] = []
    for i in range(1, steps):
        cut = len(text) * i // steps
        space = text.find(" ", cut)
        cut = space if 0 <= space - cut < 12 else cut
        if cut and (not cuts or cut > cuts[-1]) and cut < len(text):
            cuts.append(cut)
    return [text[:c] for c in cuts] + [text]


def build_chat_tab(ctx: AppContext, lang_box: Any, chrome: Chrome) -> None:
    """Lay out the Chat tab inside the current ``gr.Tab`` and wire its events."""
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
            gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[box], label=None, examples_per_page=len(EXAMPLES))
            with gr.Row():
                clear = chrome.add(gr.Button(t("clear"), size="sm", elem_id="pk-clear"), value="clear")
                copy = chrome.add(gr.Button(t("copy_md"), size="sm", elem_id="pk-copy-md"), value="copy_md")
            markdown = chrome.add(
                gr.Textbox(label=t("markdown"), lines=6, max_lines=16, visible=False, buttons=["copy"], elem_id="pk-markdown"),
                label="markdown",
            )
            with chrome.add(gr.Accordion(t("feedback"), open=False, elem_id="pk-feedback"), label="feedback") as feedback_box:
                with gr.Row():
                    up = chrome.add(gr.Button(t("helpful"), size="sm", elem_id="pk-up"), value="helpful")
                    down = chrome.add(gr.Button(t("not_helpful"), size="sm", elem_id="pk-down"), value="not_helpful")
                right = chrome.add(
                    gr.Dropdown(choices=[], value=None, label=t("right_clause"), elem_id="pk-right-clause", filterable=True),
                    label="right_clause",
                )
                comment = chrome.add(gr.Textbox(label=t("comment"), lines=1, elem_id="pk-comment"), label="comment")
                correct = chrome.add(gr.Button(t("send_correction"), size="sm", elem_id="pk-correct"), value="send_correction")
                status = gr.HTML("", elem_id="pk-feedback-status")
        with gr.Column(scale=2, min_width=300):
            panel = gr.HTML(render.placeholder_html("clause_hint"), elem_id="pk-clause-chat", elem_classes=["pk-panel"])

    @friendly
    def respond(message: str, history: list, turns_: Turns, lang: str) -> Iterator[tuple[Any, Any, Any]]:
        if not message or not message.strip():
            raise gr.Error(t("empty_question", lang), print_exception=False)
        if len(message.strip()) > ctx.settings.max_question_chars:
            raise gr.Error(t("question_too_long", lang, n=f"{len(message.strip()):,}", limit=f"{ctx.settings.max_question_chars:,}"),
                           print_exception=False)
        from policykb.kb.model import Turn

        history = list(history or [])
        history += [{"role": "user", "content": render.user_html(message)}, {"role": "assistant", "content": render.pending_html(lang)}]
        yield history, turns_, ""
        earlier = [Turn(q, a) for q, a in turns_[-HISTORY_TURNS:] if a is not None]
        try:
            answer = ctx.kb.ask(message.strip(), history=tuple(earlier))
        except Exception as exc:  # one line in the conversation, never a traceback
            history[-1] = {"role": "assistant", "content": render.message_html(user_message(exc), "error")}
            yield history, [*turns_, (message, None)], ""
            return
        for partial in stream_steps(answer.answer)[:-1]:
            history[-1] = {"role": "assistant", "content": render.streaming_html(partial)}
            yield history, turns_, ""
            time.sleep(STREAM_PAUSE_S)
        new_turns = [*turns_, (message.strip(), answer)]
        history[-1] = {"role": "assistant", "content": render.answer_html(answer, turn=len(new_turns) - 1, lang=lang)}
        yield history, new_turns, ""

    @friendly
    def open_clause(ref: str, turns_: Turns, lang: str) -> str:
        _, extra, clause_id = parse_ref(ref)
        quote = ""
        if extra.isdigit() and int(extra) < len(turns_):
            answer = turns_[int(extra)][1]
            if answer is not None:
                quote = next((c.quote for c in answer.citations if c.id == clause_id), "")
        return ctx.clause_panel(clause_id, scope="chat", lang=lang, quote=quote)

    def clear_chat(lang: str) -> tuple[Any, ...]:
        return [], [], render.placeholder_html("clause_hint"), gr.update(value="", visible=False), ""

    @friendly
    def as_markdown(turns_: Turns, lang: str) -> Any:
        last = _last_answered(turns_)
        if last is None:
            raise gr.Error(t("nothing_to_copy", lang), print_exception=False)
        return gr.update(value=render.answer_markdown(*last), visible=True)

    def rate_last(rating: int, turns_: Turns, lang: str, request: Any) -> str:
        last = _last_answered(turns_)
        if last is None:
            return render.message_html(t("no_answer_to_rate", lang), "error")
        ctx.feedback().add(last[0], last[1], rating, user=username(request))
        return render.message_html(t("thanks", lang), "ok")

    @friendly
    def rate_up(turns_: Turns, lang: str, request: gr.Request) -> str:
        return rate_last(1, turns_, lang, request)

    @friendly
    def rate_down(turns_: Turns, lang: str, request: gr.Request) -> str:
        return rate_last(-1, turns_, lang, request)

    @friendly
    def send_correction(right_id: str | None, note: str, turns_: Turns, lang: str, request: gr.Request) -> tuple[str, Any, Any]:
        last = _last_answered(turns_)
        if last is None:
            return render.message_html(t("no_answer_to_rate", lang), "error"), gr.update(), gr.update()
        if not right_id:
            return render.message_html(t("pick_right_clause", lang), "error"), gr.update(), gr.update()
        ctx.feedback().add(last[0], last[1], -1, right_clause=right_id, comment=note or "", user=username(request))
        return render.message_html(t("thanks", lang), "ok"), gr.update(value=None), gr.update(value="")

    @friendly
    def liked(turns_: Turns, lang: str, data: gr.LikeData, request: gr.Request) -> str:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = int(index) // 2
        if not isinstance(data.liked, bool) or turn >= len(turns_) or turns_[turn][1] is None:
            return ""
        question, answer = turns_[turn]
        ctx.feedback().add(question, answer, 1 if data.liked else -1, user=username(request))
        return render.message_html(t("thanks", lang), "ok")

    @friendly
    def refresh_clauses() -> Any:
        return gr.update(choices=ctx.clause_choices())

    chat_io = dict(inputs=[box, chatbot, turns, lang_box], outputs=[chatbot, turns, box], api_visibility="private")
    box.submit(respond, **chat_io)
    send.click(respond, **chat_io)
    clause_opener("chat", open_clause, [turns, lang_box], [panel])
    clear.click(clear_chat, inputs=[lang_box], outputs=[chatbot, turns, panel, markdown, status], api_visibility="private")
    copy.click(as_markdown, inputs=[turns, lang_box], outputs=[markdown], api_visibility="private").then(
        None, inputs=[markdown], outputs=None, js="(md) => { if (md && navigator.clipboard) navigator.clipboard.writeText(md).catch(() => {}); }",
    )
    up.click(rate_up, inputs=[turns, lang_box], outputs=[status], api_visibility="private")
    down.click(rate_down, inputs=[turns, lang_box], outputs=[status], api_visibility="private")
    correct.click(send_correction, inputs=[right, comment, turns, lang_box], outputs=[status, right, comment], api_visibility="private")
    chatbot.like(liked, inputs=[turns, lang_box], outputs=[status], api_visibility="private")
    feedback_box.expand(refresh_clauses, outputs=[right], api_visibility="private")


def _last_answered(turns: Turns) -> tuple[str, Answer] | None:
    for question, answer in reversed(turns or []):
        if answer is not None:
            return question, answer
    return None
