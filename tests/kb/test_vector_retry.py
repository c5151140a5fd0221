"""An embedded store's call that meets a locked SQLite file is tried again; any other error is raised at once."""
from __future__ import annotations

import pytest

from policykb.kb.index.vectors import retry_locked

_LOCKED = "Database error: error returned from database: (code: 5) database is locked"


def test_a_call_that_meets_a_locked_file_is_tried_again_until_it_succeeds() -> None:
    calls: list[int] = []

    def locked_twice() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError(_LOCKED)
        return "done"

    assert retry_locked(locked_twice, pauses=(0.0, 0.0, 0.0)) == "done"
    assert len(calls) == 3


def test_a_lock_that_stays_is_raised_after_the_last_pause() -> None:
    calls: list[int] = []

    def always_locked() -> None:
        calls.append(1)
        raise RuntimeError(_LOCKED)

    with pytest.raises(RuntimeError, match="database is locked"):
        retry_locked(always_locked, pauses=(0.0, 0.0))
    assert len(calls) == 3  # the first try and one after each pause


def test_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def missing() -> None:
        calls.append(1)
        raise ValueError("Collection pkb-x-clauses-en does not exist")

    with pytest.raises(ValueError):
        retry_locked(missing, pauses=(0.0, 0.0))
    assert len(calls) == 1
