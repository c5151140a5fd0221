"""FeedbackStore (app state): add / list, validation, the file in the KB, and the export of every stored rating."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from policykb.errors import ConfigError
from policykb.app.feedback import FEEDBACK_FILE, FeedbackStore
from policykb.kb.model import Answer, Citation
from policykb.settings import Settings


def _answer(*ids: str, abstained: bool = False) -> Answer:
    cites = tuple(Citation(i, "d", i[2:], f"({i[2:]})", "quote", "One", "Doc") for i in ids)
    return Answer("abstain" if abstained else f"See {', '.join(ids)}.", cites, abstained, "", "extractive", 12.5)


@pytest.fixture()
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "kb" / FEEDBACK_FILE)


def test_add_and_list_newest_first(store: FeedbackStore) -> None:
    first = store.add("Which clause covers green bonds?", _answer("d:1", "d:1"), 1, user="amy")
    second = store.add("宁波有什么安排？", _answer("d:3"), -1, right_clause=" d:2 ", comment="wrong city")
    assert second > first
    rows = store.list()
    assert [r["id"] for r in rows] == [second, first]
    newest = rows[0]
    assert newest["question"] == "宁波有什么安排？"
    assert newest["right_clause"] == "d:2" and newest["comment"] == "wrong city" and newest["rating"] == -1
    assert rows[1]["cited"] == ["d:1"] and rows[1]["user"] == "amy" and rows[1]["abstained"] is False
    assert rows[1]["answer_json"]["citations"][0]["id"] == "d:1"
    assert rows[1]["answer_json"]["latency_ms"] == 12.5
    assert rows[1]["created"].endswith("+00:00")
    assert len(store.list(limit=1)) == 1


def test_store_uses_wal_and_persists(store: FeedbackStore) -> None:
    store.add("q?", _answer("d:1"), 1)
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(FeedbackStore(store.path).list()) == 1


def test_for_settings_places_the_file_in_the_kb(tmp_path: Path) -> None:
    store = FeedbackStore.for_settings(Settings.from_env({}, kb_dir=tmp_path / "kb"))
    assert store.path == tmp_path / "kb" / "feedback.sqlite" and store.path.exists()


@pytest.mark.parametrize(
    ("question", "rating", "right", "message"),
    [
        ("  ", 1, None, "question is empty"),
        ("q?", 0, None, "rating 0 must be 1"),
        ("q?", True, None, "rating True must be 1"),
        ("q?", -1, "clause 12", "is not a clause id"),
    ],
)
def test_add_rejects_bad_values(store: FeedbackStore, question: str, rating: int, right: str | None, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        store.add(question, _answer("d:1"), rating, right_clause=right)
    assert store.list() == []


def test_export_gold_applies_the_export_rules_oldest_first(store: FeedbackStore) -> None:
    up = store.add("Which clause covers green bonds and pensions?", _answer("d:1", "d:3"), 1)
    down_fixed = store.add("温州的小微企业有什么支持？", _answer("d:1"), -1, right_clause="d:2", comment="should be (2)")
    store.add("What about Ningbo?", _answer("d:1"), -1)  # 👎 without a right clause: skipped
    off = store.add("What is the deposit insurance limit?", _answer(abstained=True), 1)
    store.add("Tell me about (4)", _answer(), 1)  # 👍 on an answer citing nothing: skipped
    rows = store.export_gold()
    assert [r["id"] for r in rows] == [f"fb-{up}", f"fb-{down_fixed}", f"fb-{off}"]
    assert rows[0]["gold"] == ["d:1", "d:3"] and rows[0]["answerable"] is True and rows[0]["lang"] == "en"
    assert rows[1]["gold"] == ["d:2"] and rows[1]["lang"] == "zh" and rows[1]["comment"] == "should be (2)"
    assert rows[2]["gold"] == [] and rows[2]["answerable"] is False
    assert all(r["review"] is True and r["facts"] == [] for r in rows)
