"""Checks of a document's clause numbering: gaps and jumps, named in one warning."""
from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["gap_warnings", "capped", "MAX_LISTED"]

#: How many gaps one warning names before it says how many more there are.
MAX_LISTED = 10


def _span(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}–{b}"


def gap_warnings(numbers: Sequence[int], *, what: str = "clause") -> list[str]:
    """Warnings naming the numbers missing from an ascending run of clause numbers.

    ``[1, 2, 5, 9]`` → ``["clause numbering has gaps: 3–4 missing (between 2 and 5), 6–8 missing
    (between 5 and 9)"]``; a run that does not start at 1 says so too. Empty when the run is 1, 2, 3, …
    """
    if not numbers:
        return []
    gaps: list[str] = []
    if numbers[0] > 1:
        gaps.append(f"{_span(1, numbers[0] - 1)} missing (before {numbers[0]})")
    for before, after in zip(numbers, numbers[1:]):
        if after > before + 1:
            gaps.append(f"{_span(before + 1, after - 1)} missing (between {before} and {after})")
    if not gaps:
        return []
    listed = "; ".join(gaps[:MAX_LISTED])
    more = f"; and {len(gaps) - MAX_LISTED} more gap{'s' if len(gaps) - MAX_LISTED != 1 else ''}" if len(gaps) > MAX_LISTED else ""
    return [f"{what} numbering has gaps: {listed}{more}; check that no clause marker was lost or mistyped"]


def capped(warnings: Iterable[str], limit: int = MAX_LISTED) -> list[str]:
    """The first ``limit`` distinct warnings, then one line saying how many more there were."""
    unique = list(dict.fromkeys(warnings))
    if len(unique) <= limit:
        return unique
    return unique[:limit] + [f"… and {len(unique) - limit} more warnings like these"]
