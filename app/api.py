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

if TYPE_CHECKING:
    from policykb.kinds import AnswerMode

__all__ = ["register_api"]


def register_api(ctx: AppContext) -> None:
    """Register the ``ask`` and ``search`` endpoints on the Blocks being built."""
    import gradio as gr

    @friendly
    def ask(question: str, mode: str = "", doc: Union[list[str], str] = "") -> dict:
        """Answer a question from the documents, citing clauses, or abstain.

        Args:
            question: the question, in English or Chinese.
            mode: "" (default answerer), "extractive", or "llm" (needs an LLM endpoint).
            doc: answer only from these document ids (a list; [] or "" = every document).
        """
        if not question or not question.strip():
            raise gr.Error("the question is empty; send a question such as 第十八条讲了什么？", print_exception=False)
        scope = check_docs(doc)
        return ctx.kb.ask(question.strip(), mode=cast("AnswerMode | None", mode or None), doc=scope).to_json()  # the KB checks it

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
    ask.__annotations__.update({"question": str, "mode": str, "doc": docs_type, "return": dict})
    search.__annotations__.update({"query": str, "k": int, "doc": docs_type, "section": str, "lang": str, "return": dict})
    gr.api(ask, api_name="ask")
    gr.api(search, api_name="search")
