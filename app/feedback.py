"""Ratings of answers (app state), stored in SQLite.

One table, ``feedback``: the question, the answer (text, cited ids, abstained, the whole Answer
as JSON), the rating (+1 / -1), the clause staff say is right, a comment, the user and the time.
The store lives at ``settings.kb_dir / "feedback.sqlite"`` (:meth:`FeedbackStore.for_settings`).
Turning ratings into gold rows for review is evaluation's job: :func:`policykb.eval.feedback.feedback_to_gold`
(:meth:`FeedbackStore.export_gold` applies it to every stored rating).
"""
from __future__ import annotations

import builtins
import json
import re
import sqlite3
from contextlib import closing
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.errors import ConfigError, StoreUnavailableError

if TYPE_CHECKING:
    from policykb.kb.model import Answer

__all__ = ["FeedbackStore", "FEEDBACK_FILE"]

FEEDBACK_FILE = "feedback.sqlite"
_CLAUSE_ID = re.compile(r"^[^\s:]+:[^\s:]+$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    cited TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    mode TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    right_clause TEXT,
    comment TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL DEFAULT ''
)
"""


class FeedbackStore:
    """Ratings of answers in one SQLite file (WAL mode). Safe to use from several threads:
    every call opens its own short-lived connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(_SCHEMA)
                db.commit()
        except (OSError, sqlite3.Error) as err:
            raise StoreUnavailableError(
                f"cannot open the feedback store {str(self.path)!r} ({err}); check that the KB folder is writable"
            ) from None

    @classmethod
    def for_settings(cls, settings: Any) -> "FeedbackStore":
        """The store of a KB: ``settings.kb_dir / "feedback.sqlite"``."""
        return cls(Path(settings.kb_dir) / FEEDBACK_FILE)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    def add(
        self,
        question: str,
        answer: Answer,
        rating: int,
        *,
        right_clause: str | None = None,
        comment: str = "",
        user: str = "",
    ) -> int:
        """Store one rating; returns its row id.

        Raises:
            ConfigError: empty question, rating not +1/-1, or a right clause that is not a clause id.
        """
        if not isinstance(question, str) or not question.strip():
            raise ConfigError("the rated question is empty; rate an answer to a question")
        if isinstance(rating, bool) or rating not in (1, -1):
            raise ConfigError(f"rating {rating!r} must be 1 (helpful) or -1 (not helpful)")
        if right_clause is not None:
            right_clause = right_clause.strip() or None
        if right_clause is not None and not _CLAUSE_ID.match(right_clause):
            raise ConfigError(f"right clause {right_clause!r} is not a clause id; use 'doc_id:number' such as 'pbc-2022-60:12'")
        cited = list(dict.fromkeys(c.id for c in answer.citations))
        values = (
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            question.strip(),
            answer.answer,
            json.dumps(cited),
            int(answer.abstained),
            answer.mode,
            json.dumps(asdict(answer), ensure_ascii=False),
            rating,
            right_clause,
            comment.strip(),
            user.strip(),
        )
        with closing(self._connect()) as db, db:
            cur = db.execute(
                "INSERT INTO feedback (created, question, answer, cited, abstained, mode, answer_json, rating, right_clause, comment, user)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            return int(cur.lastrowid or 0)  # always set after an INSERT

    def correct(self, row_id: int, *, right_clause: str | None = None, comment: str = "") -> None:
        """Add the right clause and a comment to a stored rating (a 👎 the user then explains).

        Raises:
            ConfigError: a right clause that is not a clause id, or no rating ``row_id``.
        """
        if right_clause is not None:
            right_clause = right_clause.strip() or None
        if right_clause is not None and not _CLAUSE_ID.match(right_clause):
            raise ConfigError(f"right clause {right_clause!r} is not a clause id; use 'doc_id:number' such as 'pbc-2022-60:12'")
        with closing(self._connect()) as db, db:
            cur = db.execute("UPDATE feedback SET right_clause = ?, comment = ? WHERE id = ?",
                             (right_clause, comment.strip(), int(row_id)))
            if cur.rowcount == 0:
                raise ConfigError(f"there is no rating {row_id}; rate the answer again")

    def list(self, limit: int | None = 100) -> list[dict]:
        """Stored ratings, newest first (``limit`` None = all)."""
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ConfigError(f"limit {limit!r} must be a whole number of at least 1, or None for all")
        sql = "SELECT * FROM feedback ORDER BY id DESC" + (" LIMIT ?" if limit is not None else "")
        with closing(self._connect()) as db:
            rows = db.execute(sql, (limit,) if limit is not None else ()).fetchall()
        return [_row_dict(r) for r in rows]

    def export_gold(self) -> builtins.list[dict]:  # `list` here is the method above
        """Every stored rating as gold rows for review (oldest first); the rules are those of
        :func:`policykb.eval.feedback.feedback_to_gold`."""
        from policykb.eval.feedback import feedback_to_gold

        return feedback_to_gold(reversed(self.list(limit=None)))


def _row_dict(row: sqlite3.Row) -> dict:
    data = dict(row)
    data["cited"] = json.loads(data["cited"])
    data["abstained"] = bool(data["abstained"])
    data["answer_json"] = json.loads(data["answer_json"])
    return data
