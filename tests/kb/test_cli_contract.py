"""The `policykb` command-line contract (DESIGN.md §3): exit codes, one-line errors naming the bad value,
exact JSON keys, JSONL batches, never a traceback. Runs the installed console script."""
from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from kb_helpers import CORPUS, OPINIONS, Run, op, run_cli
from policykb.ingest.model import Clause
from policykb.kb.model import Answer, Citation

CLAUSE_KEYS = {f.name for f in fields(Clause)}
INGEST_KEYS = {"documents", "added", "updated", "unchanged", "removed", "failed", "embedded", "seconds"}
INGEST_DOC_KEYS = {"doc_id", "path", "status", "clauses", "error"}
SEARCH_KEYS = {"query", "results", "latency_ms", "related", "lookup", "message", "signals", "missing_vectors"}


def no_traceback(run: Run) -> Run:
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err
    return run


def cli(*args: object, **kwargs: object) -> Run:
    return no_traceback(run_cli([str(a) for a in args], **kwargs))


# -- usage and failures: (args, exit code, a fragment stderr must hold) -------------------------------
# {kb}: the session's ingested corpus (read-only here); {tmp}: this test's empty folder.
ERRORS = [
    (["frob"], 2, "invalid choice: 'frob'"),
    ([], 2, "VERB"),
    (["search", "--kb", "{kb}"], 2, "search needs QUERY"),
    (["search", "   ", "--kb", "{kb}"], 2, "search needs QUERY"),
    (["search", "x", "-k", "0"], 2, "'0' must be at least 1"),
    (["search", "x", "-k", "many"], 2, "'many' is not a whole number"),
    (["search", "x", "--kb", "{kb}", "--chroma-url", "ftp://x"], 2, "'ftp://x'"),
    (["search", "x", "--mode", "psychic"], 2, "invalid choice: 'psychic'"),
    (["search", "--batch", "{tmp}/missing.jsonl", "--kb", "{kb}"], 2, "missing.jsonl"),
    (["ask", "--kb", "{kb}"], 2, "ask needs QUESTION"),
    (["eval", "--kb", "{kb}"], 2, "--gold"),
    (["ingest", "--kb", "{tmp}/kb"], 2, "PATH"),
    (["serve", "--port", "0"], 2, "'0' must be at least 1"),
    (["ingest", "{tmp}/no/such/file.txt", "--kb", "{tmp}/kb"], 1, "{tmp}/no/such/file.txt"),
    (["ingest", "{tmp}/empty.txt", "--kb", "{tmp}/kb"], 1, "empty.txt"),
    (["clauses", "--doc", "nope", "--kb", "{kb}"], 1, "'nope'"),
    (["search", "charitable trusts", "--doc", "nope", "--kb", "{kb}"], 1, "'nope'"),
    (["remove", "nope", "--kb", "{kb}"], 1, "'nope'"),
    (["eval", "--gold", "{tmp}/missing-gold.jsonl", "--kb", "{kb}"], 2, "missing-gold.jsonl"),
    (["calibrate", "--kb", "{kb}"], 2, "--gold"),
    (["calibrate", "--gold", "{tmp}/missing-gold.jsonl", "--kb", "{kb}"], 2, "missing-gold.jsonl"),
    (["calibrate", "--gold", "{tmp}/missing-gold.jsonl", "--folds", "none"], 2, "'none' is not a whole number"),
]


@pytest.mark.parametrize("args,code,fragment", ERRORS, ids=[" ".join(a[:3]) or "(none)" for a, _, _ in ERRORS])
def test_usage_errors_and_failures(corpus_kb_dir: Path, tmp_path: Path, args: list[str], code: int, fragment: str) -> None:
    (tmp_path / "empty.txt").write_text("  \n\n")
    fill = lambda s: s.replace("{kb}", str(corpus_kb_dir)).replace("{tmp}", str(tmp_path))  # noqa: E731
    run = cli(*map(fill, args))
    assert run.code == code, (run.code, run.err)
    assert fill(fragment) in run.err
    if code == 1:  # a failed piece of work: one line that says what and how to fix it
        errors = [line for line in run.err.splitlines() if line.startswith(("error:", "failed:"))]
        assert len(errors) == 1, run.err


def test_help_lists_the_verbs() -> None:
    run = cli("--help")
    assert run.code == 0
    for verb in ("ingest", "clauses", "search", "ask", "eval", "calibrate", "serve"):
        assert verb in run.out


# -- JSON outputs ---------------------------------------------------------------------------------
def test_ingest_json_has_exactly_the_documented_keys(kb_copy: Path, tmp_path: Path) -> None:
    missing = tmp_path / "gone.txt"
    run = cli("ingest", CORPUS, missing, "--kb", kb_copy, "--json")
    assert run.code == 1  # one input failed
    data = json.loads(run.out)
    assert set(data) == INGEST_KEYS
    assert all(set(d) == INGEST_DOC_KEYS for d in data["documents"])
    by_status = {d["status"]: d for d in data["documents"]}
    assert by_status["unchanged"]["doc_id"] == OPINIONS and by_status["unchanged"]["clauses"] == 31
    assert str(missing) in by_status["failed"]["error"] and by_status["failed"]["path"] == str(missing)
    assert (data["unchanged"], data["failed"], data["embedded"], data["added"], data["updated"], data["removed"]) == (1, 1, 0, 0, 0, 0)
    assert isinstance(data["seconds"], (int, float)) and data["seconds"] >= 0
    assert "failed:" in run.err


def test_search_json_has_exactly_the_documented_keys(corpus_kb_dir: Path) -> None:
    run = cli("search", "储蓄国债下乡", "--kb", corpus_kb_dir, "--json", "-k", "3")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert set(data) == SEARCH_KEYS
    assert data["query"] == "储蓄国债下乡" and data["latency_ms"] > 0
    assert len(data["results"]) == 3
    assert all(set(r) == CLAUSE_KEYS | {"score"} for r in data["results"])
    assert data["related"] == [] and data["lookup"] is None and data["message"] == ""
    assert data["results"][0]["id"] == op(18)
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_search_for_a_missing_clause_says_so_in_text_and_json(corpus_kb_dir: Path) -> None:
    data = cli("search", "第九十九条", "--kb", corpus_kb_dir, "--json").json()
    assert set(data) == SEARCH_KEYS
    assert data["results"] == [] and data["related"] == []
    assert data["lookup"] == {"kind": "clause", "value": "99", "found": False}
    assert data["message"] == "no clause numbered 99 in the KB"
    text = cli("search", "第九十九条", "--kb", corpus_kb_dir)
    assert text.code == 0 and text.out.startswith("no clause numbered 99 in the KB")
    assert op(1) not in text.out and "pbc-2022-60:" not in text.out


def test_search_for_a_clause_shows_it_then_related_clauses_apart(corpus_kb_dir: Path) -> None:
    data = cli("search", "(18)", "--kb", corpus_kb_dir, "--json", "-k", "5").json()
    assert [r["id"] for r in data["results"]] == [op(18)]
    assert len(data["related"]) == 4 and op(18) not in [r["id"] for r in data["related"]]
    assert all(set(r) == CLAUSE_KEYS | {"score"} for r in data["related"])
    assert data["lookup"] == {"kind": "clause", "value": "18", "found": True}
    assert all(r["score"] < 10 for r in data["results"] + data["related"])  # one scale: no lookup bonus
    lines = cli("search", "(18)", "--kb", corpus_kb_dir).out.splitlines()
    assert lines[0].startswith("1. (18)") and "related clauses:" in lines


def test_ask_takes_earlier_questions_for_a_follow_up(corpus_kb_dir: Path, tmp_path: Path) -> None:
    data = cli("ask", "那第十五条呢？", "--history", "第十三条讲了什么？", "--kb", corpus_kb_dir, "--json").json()
    assert [c["id"] for c in data["citations"]] == [op(15)] and "十五" in data["resolved_question"]
    batch = tmp_path / "conversation.jsonl"
    rows = [{"id": "a", "question": "那第十八条呢？", "history": ["第十三条讲了什么？", "那第十五条呢？"]},
            {"id": "b", "question": "第十三条讲了什么？"}, {"id": "c", "question": "x", "history": "not a list"}]
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    run = cli("ask", "--batch", batch, "--kb", corpus_kb_dir)
    out = run.jsonl()
    assert [c["id"] for c in out[0]["citations"]] == [op(18)]
    assert [c["id"] for c in out[1]["citations"]] == [op(13)]
    assert "history" in out[2]["error"] and run.code == 1


def test_clauses_json_is_a_list_of_clause_objects(corpus_kb_dir: Path) -> None:
    run = cli("clauses", "--doc", OPINIONS, "--kb", corpus_kb_dir, "--json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert isinstance(data, list) and len(data) == 31
    assert all(set(c) == CLAUSE_KEYS for c in data)
    assert [c["id"] for c in data] == [op(n) for n in range(1, 32)]
    assert data[11]["label"] == "(12)" and data[11]["doc_id"] == OPINIONS


def test_ask_json_is_an_answer(corpus_kb_dir: Path) -> None:
    run = cli("ask", "第十八条讲了什么？", "--kb", corpus_kb_dir, "--json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert set(data) == {f.name for f in fields(Answer)}
    assert data["abstained"] is False and data["mode"] == "extractive"
    assert data["citations"] and all(set(c) == {f.name for f in fields(Citation)} for c in data["citations"])
    assert data["citations"][0]["id"] == op(18)
    assert data["confidence"] == "sure"  # a direct lookup is sure


def test_ask_json_off_topic_is_abstained_with_confidence(corpus_kb_dir: Path) -> None:
    data = json.loads(cli("ask", "How long should sourdough bread rise before baking?", "--kb", corpus_kb_dir, "--json").out)
    assert data["abstained"] is True and data["confidence"] == "abstained" and data["citations"] == []


# -- JSONL batches --------------------------------------------------------------------------------
BATCH = [
    '{"id": "q1", "question": "储蓄国债下乡"}',
    '{"id": "q2", "question": "charitable trusts"',  # malformed JSON
    '{"id": "q3", "question": "(12)"}',
    '{"id": "q4"}',  # no question
    '{"id": 5, "question": "Which clauses mention Ningbo?"}',
]


@pytest.mark.parametrize("verb", ["search", "ask"])
def test_batch_gives_one_line_per_input_and_reports_bad_lines(corpus_kb_dir: Path, tmp_path: Path, verb: str) -> None:
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join(BATCH) + "\n", encoding="utf-8")
    run = cli(verb, "--batch", batch, "--kb", corpus_kb_dir)
    assert run.code == 1  # some lines failed, the others were still answered
    rows = run.jsonl()
    assert len(rows) == len(BATCH)
    assert [r["id"] for r in rows] == ["q1", 2, "q3", 4, 5]  # an unreadable line is named by its line number
    good, bad = [rows[0], rows[2], rows[4]], [rows[1], rows[3]]
    assert all("error" not in r and r["latency_ms"] > 0 for r in good)
    assert all(r["error"] for r in bad)
    assert run.err.count("error:") == 2 and ":2:" in run.err and ":4:" in run.err
    if verb == "search":
        assert rows[0]["results"][0]["id"] == op(18)
        assert rows[2]["results"][0]["id"] == op(12)
        assert {r["id"] for r in rows[4]["results"][:2]} == {op(12), op(20)}
        assert all(set(r) == SEARCH_KEYS | {"id"} for r in good)
    else:
        assert rows[0]["citations"][0]["id"] == op(18)
        assert rows[2]["citations"][0]["id"] == op(12)


def test_clean_batch_exits_zero(corpus_kb_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "ok.jsonl"
    batch.write_text('{"id": "a", "question": "第十二条"}\n\n{"id": "b", "question": "慈善信托"}\n', encoding="utf-8")
    run = cli("search", "--batch", batch, "--kb", corpus_kb_dir, "-k", "1")
    assert run.code == 0, run.err
    rows = run.jsonl()
    assert [(r["id"], r["results"][0]["id"]) for r in rows] == [("a", op(12)), ("b", op(13))]


def test_an_explicitly_named_unsupported_file_fails_and_the_good_one_still_lands(tmp_path: Path) -> None:
    bad = tmp_path / "notes.xyz"
    bad.write_text("not a policy document", encoding="utf-8")
    good = tmp_path / "rule.txt"
    good.write_text("第一条 为了规范普惠金融服务，制定本办法。\n第二条 本办法自公布之日起施行。\n", encoding="utf-8")
    run = run_cli(["ingest", bad, good, "--kb", tmp_path / "kb", "--json"])
    assert run.code == 1
    report = json.loads(run.out)
    statuses = {Path(d["path"]).name: d["status"] for d in report["documents"]}
    assert statuses == {"notes.xyz": "failed", "rule.txt": "added"}
    assert "notes.xyz" in run.err and "unsupported" in run.err and "Traceback" not in run.err
