"""The app's API for scripts: named endpoints ``/ask`` and ``/search`` (JSON in the CLI's shapes).

``gradio_client.Client(url).predict("…", api_name="/ask")`` returns an Answer as a dict
(``answer``, ``citations``, ``abstained``, ``reason``, ``mode``, ``latency_ms``, ``related``…);
``api_name="/search"`` returns ``{"query", "results": [clause fields + "score", …], "latency_ms"}``.
Errors arrive as the one-line message of the KB.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from policykb.app.contracts import check_k, check_lang
from policykb.app.context import AppContext, friendly
from policykb.kb.model import Turn

if TYPE_CHECKING:
    from policykb.kinds import AnswerMode

__all__ = ["register_api"]


def _earlier_questions(history: str) -> list[str]:
    """The earlier questions of an /ask call: a JSON list of strings, or one question per line."""
    import json

    import gradio as gr

    text = (history or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            rows = json.loads(text)
        except ValueError:
            rows = None
        if not isinstance(rows, list) or not all(isinstance(r, str) for r in rows):
            raise gr.Error("history must be a JSON list of earlier questions (oldest first), or one question per line",
                           print_exception=False)
        return [r.strip() for r in rows if r.strip()]
    return [line.strip() for line in text.splitlines() if line.strip()]


def register_api(ctx: AppContext) -> None:
    """Register the ``ask`` and ``search`` endpoints on the Blocks being built."""
    import gradio as gr

    @friendly
    def ask(question: str, mode: str = "", history: str = "") -> dict:
        """Answer a question from the documents, citing clauses, or abstain.

        Args:
            question: the question, in English or Chinese.
            mode: "" (default answerer), "extractive", or "llm" (needs an LLM endpoint).
            history: earlier questions of the conversation, oldest first (a JSON list, or one per line):
                the question is then a follow-up ("那第十五条呢？").
        """
        if not question or not question.strip():
            raise gr.Error("the question is empty; send a question such as 第十八条讲了什么？", print_exception=False)
        answer_mode = cast("AnswerMode | None", mode or None)
        turns: list[Turn] = []
        for earlier in _earlier_questions(history):
            turns.append(Turn(earlier, ctx.kb.ask(earlier, history=tuple(turns), mode=answer_mode)))
        return ctx.kb.ask(question.strip(), history=tuple(turns), mode=answer_mode).to_json()  # the KB checks it

    @friendly
    def search(query: str, k: int = 5, doc: str = "", section: str = "", lang: str = "") -> dict:
        """Rank the clauses for a query.

        Args:
            query: words, a question, or a clause number such as (12) or 第十二条.
            k: number of results, 1 to 100.
            doc: only this document id ("" = all).
            section: only this section number of the document ("" = all).
            lang: only clauses in this language, "en" or "zh" ("" = all).
        """
        result = ctx.kb.search(query or "", check_k(k), doc=doc or None, section=section or None, lang=check_lang(lang))
        return result.to_json()

    ask.__annotations__.update({"question": str, "mode": str, "history": str, "return": dict})
    search.__annotations__.update({"query": str, "k": int, "doc": str, "section": str, "lang": str, "return": dict})
    gr.api(ask, api_name="ask")
    gr.api(search, api_name="search")
