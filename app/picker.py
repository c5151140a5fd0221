"""Opening a clause from a click on a chip: the hidden "open" button and its pick box per tab.

The page script (static/app.js) stores the clicked chip's ``SCOPE|EXTRA|CLAUSE_ID`` in
``window.pkPick`` and presses the hidden button ``#pk-open-SCOPE``; the button's event hands that
value to the handler as its first argument.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

__all__ = ["clause_opener"]


def clause_opener(scope: str, fn: Callable[..., Any], inputs: Sequence[Any], outputs: Sequence[Any]) -> Any:
    """Create the hidden pick box and open button of ``scope`` and wire ``fn(pick, *inputs) -> outputs``."""
    import gradio as gr

    pick = gr.Textbox(visible="hidden", elem_id=f"pk-pick-{scope}")
    button = gr.Button("open", visible="hidden", elem_id=f"pk-open-{scope}")
    names = ", ".join(f"a{i}" for i in range(len(inputs)))
    js = f"(pick{', ' if names else ''}{names}) => [window.pkPick || pick || ''{', ' if names else ''}{names}]"
    # always_last: quick clicks on several chips open them in order, the panel ending on the last one clicked
    return button.click(fn, inputs=[pick, *inputs], outputs=list(outputs), js=js, api_visibility="private", show_progress="hidden",
                        trigger_mode="always_last")
