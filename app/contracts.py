"""The input rules the CLI and the API share: one validator per argument, one clear message each.

Each function takes what a user sent (a CLI string, or a JSON value from the API) and returns the
value to use, or raises :class:`ConfigError` naming the argument, the bad value and what to send.
"""
from __future__ import annotations

from typing import Any

from policykb.errors import ConfigError

__all__ = ["MAX_K", "LANGS", "check_docs", "check_k", "check_lang"]

MAX_K = 100
LANGS: tuple[str, ...] = ("en", "zh")


def check_k(value: Any, *, name: str = "k") -> int | None:
    """The number of results asked for: a whole number from 1 to :data:`MAX_K`; None or "" = the default.

    Raises:
        ConfigError: 0, a negative number, a fraction, text, or more than :data:`MAX_K`.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ConfigError(f"{name} {value!r} is not a whole number; give the number of results, 1 to {MAX_K}")
    try:
        number = float(value) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise ConfigError(f"{name} {value!r} is not a whole number; give the number of results, 1 to {MAX_K}") from None
    if number != int(number):
        raise ConfigError(f"{name} {value!r} is not a whole number; give the number of results, 1 to {MAX_K}")
    if int(number) < 1:
        raise ConfigError(f"{name} {value!r} must be at least 1; give the number of results, 1 to {MAX_K}")
    if int(number) > MAX_K:
        raise ConfigError(f"{name} {value!r} must be at most {MAX_K}; give the number of results, 1 to {MAX_K}")
    return int(number)


def check_lang(value: Any, *, name: str = "lang") -> str | None:
    """A clause language filter: "en", "zh", or None/"" for all languages.

    Raises:
        ConfigError: any other value.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip().lower() not in LANGS:
        raise ConfigError(f"{name} {value!r} is not a language of the KB; use \"en\" or \"zh\", or \"\" for both")
    return value.strip().lower()


def check_docs(value: Any, *, name: str = "doc") -> tuple[str, ...]:
    """The documents to search or answer from: one document id, a list of them, or None/""/[] for every document.

    Only the shape is checked here; the KB refuses an id it does not hold (naming its ids).

    Raises:
        ConfigError: anything but a string or a list of strings, or an empty id inside a list.
    """
    if value is None or value == "":
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
        raise ConfigError(f"{name} {value!r} is not a document id or a list of them; "
                          "send ids such as [\"pbc-2022-60\"] (`policykb documents` lists them), or [] for every document")
    ids = [item.strip() for item in items]
    if any(not item for item in ids):
        raise ConfigError(f"{name} {value!r} holds an empty document id; send ids such as [\"pbc-2022-60\"], or [] for every document")
    return tuple(dict.fromkeys(ids))
