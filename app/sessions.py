"""Live app sessions: a session ends after an idle time, and at once when its user leaves the users file.

Gradio keeps its sessions in ``app.tokens`` (token → user name) and never ends them. The auth gate
asks :meth:`SessionTracker.user` on every request; a session that is idle too long, or whose user
was removed (``policykb users remove``), is deleted from ``app.tokens`` and the request is treated
as anonymous. The clock is injectable for tests.
"""
from __future__ import annotations

import threading
import time
from typing import Callable, MutableMapping

__all__ = ["SessionTracker"]


class SessionTracker:
    """When each session token was last used, and whether it may still be used."""

    def __init__(self, idle_s: float, users: Callable[[], set[str]] | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_s = idle_s
        self.users = users
        self.clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._checks = 0

    def started(self, token: str) -> None:
        """A sign-in just created ``token``."""
        with self._lock:
            self._seen[token] = self.clock()

    def user(self, tokens: MutableMapping[str, str], token: str) -> str | None:
        """The user of a live session ``token`` (its idle time restarts), or None; an ended session is deleted."""
        name = tokens.get(token)
        now = self.clock()
        with self._lock:
            self._checks += 1
            if self._checks % 1000 == 0:
                self._sweep(tokens, now)
            if name is None:
                self._seen.pop(token, None)
                return None
            last = self._seen.get(token, now)
            if now - last > self.idle_s or (self.users is not None and name not in self.users()):
                tokens.pop(token, None)
                self._seen.pop(token, None)
                return None
            self._seen[token] = now
            return name

    def end_user(self, tokens: MutableMapping[str, str], name: str) -> int:
        """End every session of ``name``; returns how many ended."""
        ended = [token for token, user in list(tokens.items()) if user == name]
        with self._lock:
            for token in ended:
                tokens.pop(token, None)
                self._seen.pop(token, None)
        return len(ended)

    def _sweep(self, tokens: MutableMapping[str, str], now: float) -> None:
        for token, last in list(self._seen.items()):
            if now - last > self.idle_s:
                tokens.pop(token, None)
                del self._seen[token]
