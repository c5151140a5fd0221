"""Gold file loading: valid rows parse; every bad line is reported as file:line with the reason."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.errors import ConfigError, PolicyKBError
from policykb.eval import GoldRow, load_gold

GOOD = {"id": "q1", "question": "Which clause covers green finance?", "lang": "en", "gold": ["doc:12"], "facts": ["green"], "answerable": True}


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_rows_with_optional_fields(tmp_path: Path) -> None:
    follow = {**GOOD, "id": "q2", "question": "那宁波呢？", "lang": "zh", "history": ["绿色金融在哪一条？"], "kind": "follow-up", "review": True}
    off = {**GOOD, "id": "q3", "gold": [], "facts": [], "answerable": False}
    path = _write(tmp_path, json.dumps(GOOD), "", json.dumps(follow, ensure_ascii=False), json.dumps(off))
    rows = load_gold(path)
    assert rows[0] == GoldRow("q1", "Which clause covers green finance?", "en", ("doc:12",), ("green",), True)
    assert rows[1].history == ("绿色金融在哪一条？",) and rows[1].kind == "follow-up" and rows[1].lang == "zh"
    assert rows[2].answerable is False and rows[2].gold == ()
    assert rows[0].to_dict()["gold"] == ["doc:12"]


BAD_LINES = [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "facts"}), "missing key(s) 'facts'"),
    (json.dumps({**GOOD, "gold": "doc:12"}), "'gold' must be a list of strings"),
    (json.dumps({**GOOD, "facts": [1]}), "'facts' must be a list of strings"),
    (json.dumps({**GOOD, "answerable": "yes"}), "'answerable' must be true or false"),
    (json.dumps({**GOOD, "id": 7}), "'id' must be a string"),
    (json.dumps({**GOOD, "question": "  "}), "'question' is empty"),
    (json.dumps({**GOOD, "lang": "English"}), "not a language code"),
    (json.dumps({**GOOD, "gold": ["12"]}), "is not a clause id"),
    (json.dumps({**GOOD, "gold": ["doc:1", "doc:1"]}), "lists a value twice"),
    (json.dumps({**GOOD, "gold": []}), "answerable but 'gold' is empty"),
    (json.dumps({**GOOD, "answerable": False}), "not answerable but names gold ids"),
    (json.dumps({**GOOD, "history": "earlier"}), "'history' must be a list of strings"),
    (json.dumps({**GOOD, "kind": 3}), "'kind' must be a string"),
    (json.dumps({**GOOD, "kind": "fact:"}), "is not 'label' or 'label:doc_id"),
    (json.dumps({**GOOD, "kind": ":doc"}), "is not 'label' or 'label:doc_id"),
    (json.dumps({**GOOD, "kind": "fact:other"}), "name exactly the documents of the gold ids"),
    (json.dumps({**GOOD, "gold": ["doc:1", "law:2"], "kind": "multi:doc"}), "name exactly the documents of the gold ids"),
    (json.dumps({**GOOD, "kind": "fact:doc+doc"}), "names a document twice"),
]


@pytest.mark.parametrize(("line", "expected"), BAD_LINES)
def test_bad_line_names_file_line_and_problem(tmp_path: Path, line: str, expected: str) -> None:
    path = _write(tmp_path, json.dumps(GOOD), line)
    with pytest.raises(ConfigError) as info:
        load_gold(path)
    message = str(info.value)
    assert f"{path}:2:" in message
    assert expected in message
    assert isinstance(info.value, PolicyKBError)


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, json.dumps(GOOD), json.dumps(GOOD))
    with pytest.raises(ConfigError, match=r"gold\.jsonl:2: id 'q1' is already used on line 1"):
        load_gold(path)


def test_missing_empty_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_gold(tmp_path / "nope.jsonl")
    with pytest.raises(ConfigError, match="holds no rows"):
        load_gold(_write(tmp_path, "", "  "))
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(json.dumps({**GOOD, "question": "绿色金融"}, ensure_ascii=False).encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_gold(gbk)


def test_kind_may_name_the_documents_of_the_gold_ids(tmp_path: Path) -> None:
    one = {**GOOD, "kind": "fact:doc"}
    two = {**GOOD, "id": "q2", "gold": ["doc:1", "law:39"], "kind": "multi:law+doc"}
    off = {**GOOD, "id": "q3", "gold": [], "facts": [], "answerable": False, "kind": "offtopic-near"}
    plain = {**GOOD, "id": "q4", "gold": ["law:2", "doc:3", "law:4"], "kind": "multi"}
    rows = load_gold(_write(tmp_path, *(json.dumps(r) for r in (one, two, off, plain))))
    assert [(r.label, r.documents) for r in rows] == [
        ("fact", ("doc",)),
        ("multi", ("law", "doc")),
        ("offtopic-near", ()),
        ("multi", ("law", "doc")),
    ]
    assert rows[0].kind == "fact:doc"
