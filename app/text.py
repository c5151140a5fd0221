"""Plain-text helpers shared by the CLI and the app's pages."""
from __future__ import annotations

__all__ = ["short"]


def short(text: str, width: int) -> str:
    """``text`` on one line (runs of whitespace become one space), cut to ``width`` characters with "…"."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
