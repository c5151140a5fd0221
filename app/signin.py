"""Sign-in flood control: failed passwords per user name and per address, with exponential backoff.

After ``max_failures`` wrong passwords for one user name (or ``address_factor`` times as many from
one address), sign-in for that name (address) is refused for ``backoff_s`` seconds; each further
failure after a wait doubles it, up to ``cap_s``. A refusal is answered at once, without checking
the password, so a flood costs the server almost nothing; a right password during the wait is
refused too. A success clears the user name's count. Counts of a key are forgotten after ``cap_s``
of quiet. The clock is injectable so tests can move time instead of sleeping.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Awaitable, Callable

__all__ = ["SignInLimiter", "refusal_message", "async_auth"]


class SignInLimiter:
    """Counts failed sign-ins per user name and per client address; answers how long a new attempt must wait."""

    def __init__(self, max_failures: int = 5, backoff_s: float = 30.0, *, address_factor: int = 4, cap_s: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000) -> None:
        self.max_failures = max_failures
        self.backoff_s = backoff_s
        self.address_factor = address_factor
        self.cap_s = cap_s
        self.clock = clock
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._state: dict[tuple[str, str], list[float]] = {}  # key -> [failures, locked_until, last_failure]

    def _keys(self, user: str, address: str) -> list[tuple[str, str]]:
        keys = [("user", user.strip().lower())] if user.strip() else []
        return keys + ([("address", address)] if address else [])

    def _limit(self, key: tuple[str, str]) -> int:
        return self.max_failures * (self.address_factor if key[0] == "address" else 1)

    def retry_after(self, user: str, address: str) -> float:
        """Seconds until ``user`` may try again from ``address``; 0 when an attempt may go ahead now."""
        now = self.clock()
        with self._lock:
            waits = [state[1] - now for key in self._keys(user, address) if (state := self._state.get(key))]
        return max([0.0, *waits])

    def failed(self, user: str, address: str) -> None:
        """Record a wrong password for ``user`` from ``address``."""
        now = self.clock()
        with self._lock:
            for key in self._keys(user, address):
                state = self._state.get(key)
                if state is None or now - state[2] > self.cap_s:
                    state = self._state[key] = [0.0, 0.0, now]
                state[0] += 1
                state[2] = now
                over = int(state[0]) - self._limit(key)
                if over >= 0:
                    state[1] = now + min(self.backoff_s * 2 ** min(over, 30), self.cap_s)
            if len(self._state) > self.max_keys:  # a flood of made-up names: drop the oldest counts
                for key, _ in sorted(self._state.items(), key=lambda item: item[1][2])[: len(self._state) - self.max_keys]:
                    del self._state[key]

    def succeeded(self, user: str, address: str) -> None:
        """A right password: the user name's failures are forgiven (the address keeps its count)."""
        with self._lock:
            self._state.pop(("user", user.strip().lower()), None)


def refusal_message(wait_s: float) -> str:
    """The one line a refused sign-in gets."""
    return f"too many attempts, try again in {max(1, math.ceil(wait_s))} s"


def async_auth(check: Callable[[str, str], bool], *, workers: int = 2) -> Callable[[str, str], Awaitable[bool]]:
    """``check`` (bcrypt, about 0.3 s of CPU) run in worker threads, at most ``workers`` at once, never on the
    event loop: a burst of sign-ins cannot hold up the requests of signed-in users."""
    import anyio

    limiter: list[anyio.CapacityLimiter] = []

    async def auth(name: str, password: str) -> bool:
        if not limiter:
            limiter.append(anyio.CapacityLimiter(workers))
        return bool(await anyio.to_thread.run_sync(check, name, password, limiter=limiter[0]))

    return auth
