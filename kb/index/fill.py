"""The background vector fill: one worker thread that embeds committed clauses whose vectors are not in yet.

An ingest that defers its vectors commits each document at once, its new clauses marked pending
(:class:`~policykb.kb.index.manifest.ClauseRow` ``embedded=False``): lookups and the lexical signals find them
straight away. This worker then runs the KB's fill (``KnowledgeBase.fill_vectors``) off the request path: the
fill embeds a batch at a time on the embedder's passage model (queries use their own model instance, so they never
wait behind it) and publishes what it stored as a new generation every few seconds, so readers go from lexical to
hybrid answers without a restart and always see one consistent snapshot. A kill leaves pending rows, which the next
fill (the next ``serve``, or ``policykb check --repair``) completes.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

__all__ = ["BackgroundFill", "FillProgress", "FillRun"]

log = logging.getLogger("policykb.fill")

FillRun = Callable[[Callable[[int], None], threading.Event], int]
"""``run(on_stored, stop) -> clauses embedded``: the fill itself; calls ``on_stored(n)`` after each stored batch."""


@dataclass(frozen=True)
class FillProgress:
    """How far the semantic index is: clauses whose vectors are in, of all committed clauses."""

    embedded: int
    total: int
    running: bool  # a fill is at work now
    error: str = ""  # the last fill's failure, "" when none

    @property
    def complete(self) -> bool:
        return self.embedded >= self.total


class BackgroundFill:
    """Runs ``run`` in one daemon thread whenever :meth:`request` is called (requests during a run start one more run)."""

    def __init__(self, run: FillRun, *, name: str = "policykb-vector-fill") -> None:
        self._run = run
        self._name = name
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._running = False
        self._in_flight = 0  # clauses stored by the current run and not yet published
        self.error = ""

    def request(self) -> None:
        """Ask for a fill: starts the worker on first use, or wakes it."""
        with self._lock:
            if self._stop.is_set():
                return
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()

    @property
    def running(self) -> bool:
        with self._lock:
            return self._running or self._wake.is_set()

    def stored_unpublished(self) -> int:
        with self._lock:
            return self._in_flight

    def _stored(self, n: int) -> None:
        with self._lock:
            self._in_flight = max(0, self._in_flight + n)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            with self._lock:
                self._wake.clear()
                self._running = True
                self._in_flight = 0
            try:
                self._run(self._stored, self._stop)
                self.error = ""
            except Exception as exc:  # the KB stays usable lexically; the next request or start tries again
                self.error = f"{type(exc).__name__}: {exc}"
                log.exception("the background vector fill failed")
            finally:
                with self._lock:
                    self._running = False
                    self._in_flight = 0

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the batch in hand (stored vectors of an unfinished fill stay and are published by the next)."""
        with self._lock:
            self._stop.set()
            self._wake.set()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        with self._lock:  # a later request starts a new worker (a closed KB reopens on use)
            if thread is None or not thread.is_alive():
                self._stop.clear()
                self._wake.clear()
                self._thread = None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no fill is running or requested (for tests and benchmarks); False on timeout."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.running:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True
