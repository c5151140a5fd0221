"""Gold sets: one JSON object per line, validated line by line.

A row (DESIGN.md §3)::

    {"id": "op-en-001", "question": "...", "lang": "en", "gold": ["pbc-2022-60:12"],
     "facts": ["inclusive finance"], "answerable": true,
     "history": ["an earlier question"], "kind": "follow-up"}

``id``, ``question``, ``lang``, ``gold``, ``facts`` and ``answerable`` are required;
``history`` (earlier questions of a conversation, oldest first) and ``kind`` (a free label
such as "lookup", "mentions", "follow-up", "off-topic") are optional. Other keys (for example
``review`` on rows exported from feedback) are allowed and ignored. An answerable row names at
least one gold clause id; an unanswerable row names none.

A ``kind`` may name the documents a row is about, after a colon: ``"fact:pipl-2021"``, or
``"multi:commercial-bank-law-2015+deposit-insurance-regs-2015"`` when its gold spans several.
The part before the colon is the label (:attr:`GoldRow.label`), the doc_ids after it
(:attr:`GoldRow.documents`) must be exactly the documents of the gold ids, so gold sets over many
documents can be split by document (leave one document out). A kind without a colon names no
document; the documents of an answerable row then come from its gold ids.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from policykb.errors import ConfigError

__all__ = ["GoldRow", "load_gold", "parse_gold_row", "REQUIRED_KEYS"]

REQUIRED_KEYS: tuple[str, ...] = ("id", "question", "lang", "gold", "facts", "answerable")
_CLAUSE_ID = re.compile(r"^[^\s:]+:[^\s:]+$")
_DOC_ID = re.compile(r"^[^\s:+]+$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")


@dataclass(frozen=True)
class GoldRow:
    """One gold question: the clause ids that answer it and the facts the answer must state."""

    id: str
    question: str
    lang: str
    gold: tuple[str, ...]
    facts: tuple[str, ...]
    answerable: bool
    history: tuple[str, ...] = ()
    kind: str = ""

    @property
    def label(self) -> str:
        """The kind without its document part: ``"fact"`` for ``"fact:pipl-2021"``."""
        return self.kind.partition(":")[0]

    @property
    def documents(self) -> tuple[str, ...]:
        """The doc_ids the row is about: from ``kind`` when it names them, else from ``gold``."""
        named = _kind_documents(self.kind)
        if named:
            return named
        return tuple(dict.fromkeys(clause_id.partition(":")[0] for clause_id in self.gold))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("gold", "facts", "history"):
            data[key] = list(data[key])
        return data


def load_gold(path: Path) -> list[GoldRow]:
    """Read and validate a gold JSONL file.

    Raises:
        ConfigError: the file is missing, empty, or a line is not a valid row; the message
            names ``file:line`` and what is wrong.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"gold file {str(path)!r} does not exist; pass a JSONL file of gold rows (--gold FILE)") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"gold file {str(path)!r} is not UTF-8 ({err.reason}); save it as UTF-8 JSONL") from None
    except OSError as err:
        raise ConfigError(f"gold file {str(path)!r} cannot be read ({err.strerror}); check the path and permissions") from None
    rows: list[GoldRow] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            raise ConfigError(f"{where}: not valid JSON ({err.msg} at column {err.colno}); each line must be one JSON object") from None
        row = parse_gold_row(data, where)
        if row.id in seen:
            raise ConfigError(f"{where}: id {row.id!r} is already used on line {seen[row.id]}; give every row its own id")
        seen[row.id] = number
        rows.append(row)
    if not rows:
        raise ConfigError(f"gold file {str(path)!r} holds no rows; add one JSON object per line")
    return rows


def parse_gold_row(data: Any, where: str = "row") -> GoldRow:
    """Validate one decoded JSON value as a gold row; ``where`` prefixes error messages."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a JSON object, got {type(data).__name__} {_short(data)}")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ConfigError(f"{where}: missing key(s) {', '.join(map(repr, missing))}; every row needs {', '.join(REQUIRED_KEYS)}")
    row_id = _text(data, "id", where)
    question = _text(data, "question", where)
    lang = _text(data, "lang", where)
    if not _LANG.match(lang):
        raise ConfigError(f"{where}: 'lang' {lang!r} is not a language code; use e.g. 'en' or 'zh'")
    gold = _strings(data, "gold", where, unique=True)
    for clause_id in gold:
        if not _CLAUSE_ID.match(clause_id):
            raise ConfigError(f"{where}: gold id {clause_id!r} is not a clause id; use 'doc_id:number' such as 'pbc-2022-60:12'")
    facts = _strings(data, "facts", where)
    answerable = data["answerable"]
    if not isinstance(answerable, bool):
        raise ConfigError(f"{where}: 'answerable' must be true or false, got {_short(answerable)}")
    if answerable and not gold:
        raise ConfigError(f"{where}: row {row_id!r} is answerable but 'gold' is empty; list the clause ids that answer it")
    if not answerable and gold:
        raise ConfigError(f"{where}: row {row_id!r} is not answerable but names gold ids {list(gold)!r}; empty 'gold' or set answerable true")
    history = _strings(data, "history", where) if "history" in data else ()
    kind = _text(data, "kind", where, allow_empty=True) if "kind" in data else ""
    _check_kind(kind, gold, where)
    return GoldRow(row_id, question, lang, gold, facts, answerable, history, kind)


def _kind_documents(kind: str) -> tuple[str, ...]:
    """The doc_ids named after the colon of ``kind`` ("label:doc-a+doc-b"), in order."""
    _, colon, rest = kind.partition(":")
    return tuple(part.strip() for part in rest.split("+")) if colon else ()


def _check_kind(kind: str, gold: tuple[str, ...], where: str) -> None:
    """A kind that names documents names valid doc_ids, and exactly those of the gold ids."""
    if ":" not in kind:
        return
    label = kind.partition(":")[0].strip()
    named = _kind_documents(kind)
    if not label or any(not _DOC_ID.match(doc) for doc in named):
        raise ConfigError(
            f"{where}: 'kind' {kind!r} is not 'label' or 'label:doc_id[+doc_id...]'; write e.g. 'fact:pipl-2021'"
        )
    if len(set(named)) != len(named):
        raise ConfigError(f"{where}: 'kind' {kind!r} names a document twice; name each once")
    gold_docs = {clause_id.partition(":")[0] for clause_id in gold}
    if gold and set(named) != gold_docs:
        raise ConfigError(
            f"{where}: 'kind' {kind!r} names documents {sorted(named)!r} but the gold ids are in "
            f"{sorted(gold_docs)!r}; name exactly the documents of the gold ids after the colon"
        )


def _text(data: dict[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key!r} must be a string, got {type(value).__name__} {_short(value)}")
    value = value.strip()
    if not value and not allow_empty:
        raise ConfigError(f"{where}: {key!r} is empty; give it a value")
    return value


def _strings(data: dict[str, Any], key: str, where: str, *, unique: bool = False) -> tuple[str, ...]:
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key!r} must be a list of strings, got {_short(value)}")
    cleaned = tuple(v.strip() for v in value)
    if any(not v for v in cleaned):
        raise ConfigError(f"{where}: {key!r} holds an empty string; remove it")
    if unique and len(set(cleaned)) != len(cleaned):
        raise ConfigError(f"{where}: {key!r} lists a value twice ({list(cleaned)!r}); list each once")
    return cleaned


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
