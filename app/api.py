"""The app's API for scripts: named endpoints ``/ask`` and ``/search`` (JSON in the CLI's shapes).

``gradio_client.Client(url).predict("…", api_name="/ask")`` returns an Answer as a dict
(``answer``, ``citations``, ``abstained``, ``reason``, ``mode``, ``latency_ms``, ``related``…);
``api_name="/search"`` returns ``{"query", "results": [clause fields + "score", …], "latency_ms"}``.
Both take ``doc``: a list of document ids to limit the answer or search to (one id as a string also
works; ``[]`` or ``""`` = every document); a scoped result says so in ``scope``.
Errors (an unknown document id, a bad ``k``…) arrive as the one-line message of the KB.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Union, cast

from policykb.app.contracts import check_docs, check_k, check_lang
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
    def ask(question: str, mode: str = "", history: str = "", doc: Union[list[str], str] = "") -> dict:
        """Answer a question from the documents, citing clauses, or abstain.

        Args:
            question: the question, in English or Chinese.
            mode: "" (default answerer), "extractive", or "llm" (needs an LLM endpoint).
            doc: answer only from these document ids (a list; [] or "" = every document).
            history: earlier questions of the conversation, oldest first (a JSON list, or one per line):
                the question is then a follow-up ("那第十五条呢？").
        """
        if not question or not question.strip():
            raise gr.Error("the question is empty; send a question such as 第十八条讲了什么？", print_exception=False)
        answer_mode = cast("AnswerMode | None", mode or None)
        scope = check_docs(doc)
        turns: list[Turn] = []
        for earlier in _earlier_questions(history):
            turns.append(Turn(earlier, ctx.kb.ask(earlier, history=tuple(turns), mode=answer_mode, doc=scope)))
        return ctx.kb.ask(question.strip(), history=tuple(turns), mode=answer_mode, doc=scope).to_json()  # the KB checks it

    @friendly
    def search(query: str, k: int = 5, doc: Union[list[str], str] = "", section: str = "", lang: str = "") -> dict:
        """Rank the clauses for a query.

        Args:
            query: words, a question, or a clause number such as (12) or 第十二条.
            k: number of results, 1 to 100.
            doc: only these document ids (a list, or one id; [] or "" = all).
            section: only this section number of the document ("" = all).
            lang: only clauses in this language, "en" or "zh" ("" = all).
        """
        scope = check_docs(doc)
        result = ctx.kb.search(query or "", check_k(k), doc=scope, section=section or None, lang=check_lang(lang))
        return result.to_json()

    docs_type = Union[list[str], str]
    ask.__annotations__.update({"question": str, "mode": str, "history": str, "doc": docs_type, "return": dict})
    search.__annotations__.update({"query": str, "k": int, "doc": docs_type, "section": str, "lang": str, "return": dict})
    gr.api(ask, api_name="ask")
    gr.api(search, api_name="search")
