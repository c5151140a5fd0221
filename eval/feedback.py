"""Rated answers → gold rows for review: the feedback export of evaluation.

The ratings are app state (:class:`policykb.app.feedback.FeedbackStore`); this module only turns rating
rows — dicts with ``id``, ``question``, ``cited``, ``abstained``, ``rating``, ``right_clause`` and ``comment``,
as the store lists them — into gold rows.

Export rules: 👍 on an answer → gold = its cited ids (answerable), or, when it abstained,
an off-topic row (answerable false, no gold); 👎 with a right clause → gold = [that clause];
👎 without one, or 👍 on an answer that cited nothing → skipped. Rows get ids ``fb-<rowid>``,
``facts: []`` and ``review: true`` — a person checks them before they join a gold set.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from policykb.ingest.lang import detect_lang

__all__ = ["feedback_to_gold", "detect_question_lang"]



def detect_question_lang(text: str) -> str:
    """"zh" or "en" for a question, as the ingester tells a text's language."""
    return detect_lang(text)


def feedback_to_gold(ratings: Iterable[Mapping[str, Any]]) -> list[dict]:
    """Gold rows for review from rating rows, in the order given (the export passes the oldest first);
    see the module docstring for the rules."""
    gold_rows: list[dict] = []
    for row in ratings:
        if row["rating"] == 1:
            if row["abstained"]:
                gold, answerable = [], False
            elif row["cited"]:
                gold, answerable = list(row["cited"]), True
            else:
                continue
        elif row["right_clause"]:
            gold, answerable = [row["right_clause"]], True
        else:
            continue
        gold_rows.append(
            {
                "id": f"fb-{row['id']}",
                "question": row["question"],
                "lang": detect_question_lang(row["question"]),
                "gold": gold,
                "facts": [],
                "answerable": answerable,
                "kind": "feedback",
                "review": True,
                "rating": row["rating"],
                "comment": row["comment"],
            }
        )
    return gold_rows
