"""The document scope of a chat or a search: the multi-select's choices and the names an answer shows.

A scope is a list of document ids (empty = every document). The multi-select lists each document by its
short name in the interface language ("the Opinions (No. 60 [2022])", "《存款保险条例》"); the same names
say on an answer where it was searched ("Searched in: 《商业银行法》, 《存款保险条例》").
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from policykb.app.i18n import t

if TYPE_CHECKING:
    from policykb.app.context import AppContext

__all__ = ["scope_choices", "scope_names", "searched_in", "kept"]


def _names(ctx: AppContext, lang: str) -> dict[str, str]:
    """Document id → its short name in ``lang``; a name two documents share gets the id after it."""
    from policykb.kb.answer.naming import doc_names

    names = {doc_id: name.cite(lang) for doc_id, name in doc_names(ctx.kb.documents()).items()}
    names = {doc_id: name[:1].upper() + name[1:] if lang != "zh" else name for doc_id, name in names.items()}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {doc_id: name if counts[name] == 1 else f"{name} [{doc_id}]" for doc_id, name in names.items()}


def scope_choices(ctx: AppContext, lang: str) -> list[tuple[str, str]]:
    """(short name, doc id) of every document of the KB, for the scope multi-select."""
    return [(name, doc_id) for doc_id, name in _names(ctx, lang).items()]


def scope_names(ctx: AppContext, scope: Sequence[str], lang: str) -> list[str]:
    """The short names of the scope's documents (an id no longer in the KB is shown as is)."""
    names = _names(ctx, lang) if scope else {}
    return [names.get(doc_id, doc_id) for doc_id in scope]


def searched_in(ctx: AppContext, scope: Sequence[str], lang: str) -> str:
    """"Searched in: 《商业银行法》, 《存款保险条例》" for a limited scope, "" for every document."""
    if not scope:
        return ""
    return t("searched_in", lang, docs=("、" if lang == "zh" else ", ").join(scope_names(ctx, scope, lang)))


def kept(current: Any, choices: Sequence[tuple[str, str]]) -> list[str]:
    """The chosen ids that are still documents of the KB (after an upload or a removal)."""
    ids = {value for _, value in choices}
    return [d for d in (current or []) if d in ids]
