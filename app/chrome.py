"""The language toggle's bookkeeping: which component shows which chrome string.

Tabs register their components with :meth:`Chrome.add` (attribute → string key) or
:meth:`Chrome.add_fn` (a function of the language giving the whole update); the toggle's
handler returns :meth:`Chrome.updates` for :attr:`Chrome.components`.
"""
from __future__ import annotations

from typing import Any, Callable

from policykb.app.i18n import t

__all__ = ["Chrome"]


class Chrome:
    """Components whose labels, placeholders or values follow the 中文/English toggle."""

    def __init__(self) -> None:
        self._items: list[tuple[Any, Callable[[str], dict[str, Any]]]] = []

    def add(self, component: Any, **keys: str) -> Any:
        """Register ``component``: each keyword is an attribute ("label", "placeholder", "value",
        "info") and its value the key of the string to show there. Returns the component."""
        self._items.append((component, lambda lang: {attr: t(key, lang) for attr, key in keys.items()}))
        return component

    def add_fn(self, component: Any, make: Callable[[str], dict[str, Any]]) -> Any:
        """Register ``component`` with a function returning its update for a language."""
        self._items.append((component, make))
        return component

    @property
    def components(self) -> list[Any]:
        return [component for component, _ in self._items]

    def updates(self, lang: str) -> list[Any]:
        """One ``gr.update`` per registered component, in :attr:`components` order."""
        import gradio as gr

        return [gr.update(**make(lang)) for _, make in self._items]
