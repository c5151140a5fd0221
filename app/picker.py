"""Opening a clause from a click on a chip: the chip-link format, the hidden "open" button and its pick box per tab.

A chip is ``<a href="#pk:REF" data-pk="REF">`` with REF = ``SCOPE|EXTRA|CLAUSE_ID`` (:func:`chip_ref`). The page
script (static/app.js, given :func:`page_constants` as ``window.pkChip``) stores a clicked chip's REF in
``window.pkPick`` and presses the hidden button ``#pk-open-SCOPE``; the button's event hands that value to
the handler as its first argument (:func:`parse_chip_ref` splits it), which fills the panel ``#pk-clause-SCOPE``.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Sequence

__all__ = ["clause_opener", "chip_ref", "parse_chip_ref", "panel_id", "page_constants", "CHIP_ATTR", "CHIP_HREF"]

_SEP = "|"
CHIP_ATTR = "data-pk"  # the attribute holding a chip's REF
CHIP_HREF = "#pk:"  # a chip's href: this prefix + REF
_OPEN_ID = "pk-open-"
_PICK_ID = "pk-pick-"
_PANEL_ID = "pk-clause-"


def chip_ref(scope: str, clause_id: str, extra: object = "") -> str:
    """The REF of a link opening ``clause_id`` in the panel of ``scope`` ("chat", "search", "browse", "eval")."""
    return f"{scope}{_SEP}{extra}{_SEP}{clause_id}"


def parse_chip_ref(ref: str) -> tuple[str, str, str]:
    """(scope, extra, clause id) of a REF; the clause id may itself hold ':'."""
    scope, _, rest = (ref or "").partition(_SEP)
    extra, _, clause_id = rest.partition(_SEP)
    return scope, extra, clause_id


def panel_id(scope: str) -> str:
    """The element id of the clause panel of ``scope``."""
    return f"{_PANEL_ID}{scope}"


def page_constants() -> str:
    """The script line giving static/app.js the chip-link format (``window.pkChip``)."""
    constants = {"sep": _SEP, "attr": CHIP_ATTR, "href": CHIP_HREF, "openId": _OPEN_ID, "panelId": _PANEL_ID}
    return f"window.pkChip = {json.dumps(constants)};"


def clause_opener(scope: str, fn: Callable[..., Any], inputs: Sequence[Any], outputs: Sequence[Any]) -> Any:
    """Create the hidden pick box and open button of ``scope`` and wire ``fn(pick, *inputs) -> outputs``."""
    import gradio as gr

    pick = gr.Textbox(visible="hidden", elem_id=f"{_PICK_ID}{scope}")
    button = gr.Button("open", visible="hidden", elem_id=f"{_OPEN_ID}{scope}")
    names = ", ".join(f"a{i}" for i in range(len(inputs)))
    js = f"(pick{', ' if names else ''}{names}) => [window.pkPick || pick || ''{', ' if names else ''}{names}]"
    # always_last: quick clicks on several chips open them in order, the panel ending on the last one clicked
    return button.click(fn, inputs=[pick, *inputs], outputs=list(outputs), js=js, api_visibility="private", show_progress="hidden",
                        trigger_mode="always_last")
