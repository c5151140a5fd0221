"""Chat conversations kept per user in the KB folder: saved after every answer, listed, reopened, renamed,
deleted, and exported as Markdown or JSON (answers with their citations and quotes).

Each conversation is one JSON file ``kb_dir/conversations/<user>/<id>.json`` holding its title, times,
scope (the document ids its questions are limited to; [] = every document) and turns (question + the
whole Answer). Files are written whole to a temporary name and renamed, so a
crash never leaves half a conversation. User names and ids are made file-safe; an id never names a
path outside the user's folder.
"""
from __future__ import annotations

import builtins

import json
import os
import re
import secrets
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from policykb.errors import NotFoundError

if TYPE_CHECKING:
    from policykb.kb.model import Answer

__all__ = ["ConversationStore", "answer_from_dict", "conversation_markdown", "conversation_json", "TITLE_CHARS"]

TITLE_CHARS = 60
_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def answer_from_dict(data: dict[str, Any]) -> Answer:
    """An :class:`Answer` back from its JSON form (unknown fields ignored)."""
    from dataclasses import fields

    from policykb.kb.model import Answer, Citation

    cite_fields = {f.name for f in fields(Citation)}

    def cites(items: Any) -> tuple[Citation, ...]:
        return tuple(Citation(**{k: v for k, v in item.items() if k in cite_fields}) for item in items or ())

    known = {f.name for f in fields(Answer)}
    values = {k: v for k, v in data.items() if k in known}
    values["citations"] = cites(data.get("citations"))
    values["related"] = cites(data.get("related"))
    values["scope"] = tuple(str(d) for d in data.get("scope") or ())
    if "signals" in values:
        values["signals"] = tuple(str(s) for s in values["signals"] or ())
    return Answer(**values)


class ConversationStore:
    """One user's conversations in ``root/<user>/``."""

    def __init__(self, root: Path, user: str) -> None:
        from policykb.app.uploads import safe_name

        self.folder = Path(root) / safe_name(user or "local")

    def _path(self, conv_id: str) -> Path:
        if not _ID.match(conv_id or ""):
            raise NotFoundError(f"conversation {conv_id!r} does not exist; choose one from the list")
        return self.folder / f"{conv_id}.json"

    @staticmethod
    def new_id() -> str:
        return f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"

    def save(self, conv_id: str, turns: Sequence[tuple[str, Answer | None]], title: str = "",
             scope: Sequence[str] | None = None) -> dict[str, Any]:
        """Write the conversation (its answered turns); keeps an earlier title unless ``title`` is given, and an
        earlier scope (the document ids its questions are limited to, [] = all) unless ``scope`` is given."""
        path = self._path(conv_id)
        old = self._read(path) if path.exists() else {}
        answered = [(q, a) for q, a in turns if a is not None]
        first = " ".join(answered[0][0].split()) if answered else ""
        data = {
            "id": conv_id,
            "title": title or old.get("title") or (first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"),
            "created": old.get("created") or _now(),
            "updated": _now(),
            "scope": list(scope) if scope is not None else list(old.get("scope") or []),
            "turns": [{"question": q, "answer": a.to_json()} for q, a in answered],
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
        return data

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        return dict(json.loads(path.read_text(encoding="utf-8")))

    def list(self) -> list[dict[str, Any]]:
        """id, title, updated and the number of turns of each conversation, newest first (unreadable files skipped)."""
        out = []
        for path in self.folder.glob("*.json") if self.folder.is_dir() else ():
            try:
                data = self._read(path)
            except (OSError, ValueError):
                continue
            out.append({"id": data.get("id", path.stem), "title": data.get("title", ""), "updated": data.get("updated", ""),
                        "turns": len(data.get("turns", []))})
        return sorted(out, key=lambda c: c["updated"], reverse=True)

    def load(self, conv_id: str) -> tuple[dict[str, Any], builtins.list[tuple[str, Answer]]]:
        """The conversation's record and its turns as (question, Answer)."""
        path = self._path(conv_id)
        if not path.exists():
            raise NotFoundError(f"conversation {conv_id!r} does not exist (deleted?); choose one from the list")
        data = self._read(path)
        return data, [(t["question"], answer_from_dict(t["answer"])) for t in data.get("turns", [])]

    def rename(self, conv_id: str, title: str) -> None:
        data, turns = self.load(conv_id)
        self.save(conv_id, turns, title=" ".join(title.split())[:120] or data.get("title", ""))

    def delete(self, conv_id: str) -> None:
        self._path(conv_id).unlink(missing_ok=True)


def conversation_markdown(title: str, turns: Sequence[tuple[str, Answer]]) -> str:
    """The whole conversation as Markdown: each question, its answer, citations with their quotes."""
    from policykb.app.render import answer_markdown

    parts = [f"# {title}\n"]
    for question, answer in turns:
        parts.append(answer_markdown(question, answer))
    return "\n".join(parts)


def conversation_json(data: dict[str, Any]) -> str:
    """The stored conversation as pretty JSON (answers whole: text, citations with quotes, abstention)."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
