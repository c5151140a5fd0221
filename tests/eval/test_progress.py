"""The text progress bar."""
from __future__ import annotations

import io

from policykb.eval.progress import ProgressBar, render_bar


def test_render_bar() -> None:
    assert render_bar(42, 110, "op-en-042") == "[####......] 42/110 op-en-042"
    assert render_bar(0, 5, width=4) == "[....] 0/5"
    assert render_bar(9, 5, width=4) == "[####] 5/5"


def test_progress_bar_redraws_one_line_and_wipes_longer_labels() -> None:
    out = io.StringIO()
    with ProgressBar(out, width=4) as bar:
        bar(1, 2, "long-label-1")
        bar(2, 2, "x")
    text = out.getvalue()
    assert text.startswith("\r[##..] 1/2 long-label-1\r[####] 2/2 x")
    first, second = text.split("\r")[1:]
    assert len(second.rstrip("\n")) == len(first)  # padded to wipe the previous line
    assert text.endswith("\n") and text.count("\n") == 1


def test_close_without_drawing_writes_nothing() -> None:
    out = io.StringIO()
    ProgressBar(out).close()
    assert out.getvalue() == ""
