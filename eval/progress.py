"""A one-line text progress bar for long runs: ``\\r[#####.....] 42/110 op-en-042``."""
from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["ProgressBar", "render_bar"]


def render_bar(done: int, total: int, label: str = "", width: int = 10) -> str:
    """The bar text without the leading carriage return, e.g. ``[#####.....] 5/10 q-005``."""
    total = max(total, 1)
    done = min(max(done, 0), total)
    filled = round(width * done / total)
    text = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
    return f"{text} {label}" if label else text


class ProgressBar:
    """Callable ``(done, total, label)`` that redraws one line on ``stream`` (stderr by default).

    Use it as the ``progress`` callback of :func:`policykb.eval.evaluate`; call :meth:`close`
    (or use it as a context manager) to end the line.
    """

    def __init__(self, stream: TextIO | None = None, width: int = 20) -> None:
        if width < 1:
            raise ValueError(f"width {width!r} must be at least 1")
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._shown = 0

    def __call__(self, done: int, total: int, label: str = "") -> None:
        text = render_bar(done, total, label, self.width)
        pad = " " * max(0, self._shown - len(text))  # wipe the tail of a longer previous line
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()
        self._shown = len(text)

    def close(self) -> None:
        """End the bar's line (once something was drawn)."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = 0

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
