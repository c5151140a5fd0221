"""The feedback export: rating rows → gold rows for review, the rules, and eval on the export."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.eval import evaluate, feedback_to_gold, load_gold
from policykb.eval.feedback import detect_question_lang


def rating(row_id: int, question: str, rating: int, *, cited: tuple[str, ...] = (), abstained: bool = False,
           right_clause: str | None = None, comment: str = "") -> dict:
    """A rating row as the app's store lists it (only the fields the export reads)."""
    return {"id": row_id, "question": question, "cited": list(cited), "abstained": abstained, "rating": rating,
            "right_clause": right_clause, "comment": comment}


def test_export_rules() -> None:
    rows = feedback_to_gold([
        rating(1, "Which clause covers green bonds and pensions?", 1, cited=("d:1", "d:3")),
        rating(2, "温州的小微企业有什么支持？", -1, cited=("d:1",), right_clause="d:2", comment="should be (2)"),
        rating(3, "What about Ningbo?", -1, cited=("d:1",)),  # 👎 without a right clause: skipped
        rating(4, "What is the deposit insurance limit?", 1, abstained=True),
        rating(5, "Tell me about (4)", 1),  # 👍 on an answer citing nothing: skipped
    ])
    assert [r["id"] for r in rows] == ["fb-1", "fb-2", "fb-4"]
    assert rows[0]["gold"] == ["d:1", "d:3"] and rows[0]["answerable"] is True and rows[0]["lang"] == "en"
    assert rows[1]["gold"] == ["d:2"] and rows[1]["lang"] == "zh" and rows[1]["comment"] == "should be (2)"
    assert rows[2]["gold"] == [] and rows[2]["answerable"] is False
    assert all(r["review"] is True and r["facts"] == [] and r["kind"] == "feedback" for r in rows)


def test_export_keeps_the_order_it_is_given() -> None:
    rows = feedback_to_gold([rating(9, "b?", 1, cited=("d:2",)), rating(3, "a?", 1, cited=("d:1",))])
    assert [r["id"] for r in rows] == ["fb-9", "fb-3"]


def test_export_round_trips_through_load_gold_and_evaluate(tmp_path: Path, fake_kb) -> None:
    exported = feedback_to_gold([
        rating(1, "green bonds Ningbo", 1, cited=("d:1",)),
        rating(2, "Wenzhou enterprises", -1, cited=("d:1",), right_clause="d:2"),
        rating(3, "football tonight", 1, abstained=True),
    ])
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in exported), encoding="utf-8")
    rows = load_gold(path)
    assert [r.gold for r in rows] == [("d:1",), ("d:2",), ()]
    result = evaluate(fake_kb, rows)
    assert result.n == 3
    assert result.retrieval["recall@1"] == 1.0
    assert result.answers["abstain_recall"] == 1.0


@pytest.mark.parametrize(("question", "lang"), [
    ("哪些条款提到宁波？", "zh"), ("What does clause (12) say about Ningbo?", "en"), ("QFLP试点在哪里？", "zh"),
])
def test_detect_question_lang(question: str, lang: str) -> None:
    assert detect_question_lang(question) == lang
