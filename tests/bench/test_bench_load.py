"""The load benchmark: its checks of results and options, and a short real run against `policykb serve`
started by the script itself on a copy of the corpus KB."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import bench_load
from benchmarks.bench_load import LoadRun, RequestRecord, check_result, load_questions, parse_counts, parse_mix, summarize
from policykb.errors import ConfigError
from policykb.settings import Settings

GOOD_ANSWER = {"answer": "Clause (18) provides …", "abstained": False,
               "citations": [{"id": "pbc-2022-60:18", "quote": "Promote the distribution of savings bonds"}]}


@pytest.mark.parametrize(("kind", "value", "problem"), [
    ("ask", GOOD_ANSWER, ""),
    ("ask", {"answer": "The documents do not cover this.", "abstained": True, "citations": []}, ""),
    ("ask", {"answer": "Something.", "abstained": False, "citations": []}, "no citations and does not abstain"),
    ("ask", {**GOOD_ANSWER, "answer": "  "}, "missing or empty"),
    ("ask", {**GOOD_ANSWER, "citations": [{"id": "pbc-2022-60:18", "quote": ""}]}, "lacks an 'id' or a 'quote'"),
    ("ask", {"answer": "x", "citations": []}, "'abstained' flag"),
    ("ask", ["not", "an", "object"], "not an object"),
    ("search", {"query": "q", "results": [{"id": "pbc-2022-60:13", "score": 0.8}]}, ""),
    ("search", {"query": "q", "results": [{"id": "pbc-2022-60:13"}]}, "numeric 'score'"),
    ("search", {"query": "q"}, "no list 'results'"),
])
def test_check_result(kind, value, problem):
    found = check_result(kind, value)
    assert (found == "") if problem == "" else (problem in found)


def test_questions_exclude_follow_ups_and_keep_both_languages_and_off_topic():
    from policykb.eval.gold import load_gold

    rows = load_gold(bench_load.GOLD)
    questions = load_questions(bench_load.GOLD)
    follow_ups = {r.question for r in rows if r.history}
    assert follow_ups and not follow_ups & set(questions)
    assert len(questions) == len(rows) - len([r for r in rows if r.history])
    chosen = [r for r in rows if r.question in set(questions)]
    assert {r.lang for r in chosen} == {"en", "zh"} and any(not r.answerable for r in chosen)


@pytest.mark.parametrize(("text", "error"), [
    ("ask:0.7,search:0.3", None), ("search:1", None), ("ask", "KIND:WEIGHT"), ("browse:1", "KIND:WEIGHT"),
    ("ask:x", "not a number"), ("ask:0,search:0", "weight 0"), ("ask:1,ask:2", "named once"),
])
def test_parse_mix(text, error):
    if error is None:
        assert set(parse_mix(text)) <= {"ask", "search"}
    else:
        with pytest.raises(ConfigError, match=error):
            parse_mix(text)


def test_parse_counts():
    assert parse_counts("1,8,32", "--users") == [1, 8, 32]
    for bad in ("0", "a,b", ""):
        with pytest.raises(ConfigError, match="--users"):
            parse_counts(bad, "--users")


def test_summary_counts_errors_and_keeps_them_out_of_latency():
    run = LoadRun(users=2, seconds=1.0, elapsed_s=2.0, records=[
        RequestRecord("ask", 100.0, server_ms=60.0), RequestRecord("ask", 300.0, server_ms=80.0),
        RequestRecord("search", 50.0, server_ms=20.0), RequestRecord("ask", 9000.0, "RuntimeError: /ask error event"),
    ])
    summary = summarize(run)
    assert summary["requests"] == 4 and summary["errors"] == 1 and summary["throughput_rps"] == 2.0
    assert summary["p99_ms"] == 300.0 and summary["p50_ms"] == 100.0
    assert summary["by_kind"]["ask"] == {"requests": 3, "errors": 1, "p50_ms": 100.0, "p95_ms": 300.0, "p99_ms": 300.0,
                                         "server_p50_ms": 60.0}
    assert summary["error_samples"] == ["RuntimeError: /ask error event"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--url", "http://10.0.0.5:7860/"], "on this machine"),
    (["--url", "http://127.0.0.1:7860/", "--concurrency", "1,2"], "go with --start"),
    (["--start", "--user", "alice"], "goes with --url"),
    (["--url", "http://127.0.0.1:7860/", "--user", "alice"], "needs --password"),
    (["--start", "--users", "0"], "positive whole numbers"),
    (["--start", "--mix", "browse:1"], "KIND:WEIGHT"),
])
def test_bad_options_exit_2_with_one_line(argv, message, capsys):
    assert bench_load.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_short_load_run_against_a_started_server(kb_copy: Path, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.delenv("POLICYKB_QUEUE_CONCURRENCY", raising=False)
    out = tmp_path / "load.json"
    code = bench_load.main(["--start", "--kb", str(kb_copy), "--users", "2", "--seconds", "2", "--json", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    report = json.loads(out.read_text())
    assert report["errors"] == 0 and len(report["runs"]) == 1
    run = report["runs"][0]
    assert run["users"] == 2 and run["errors"] == 0 and run["warmup_errors"] == 0 and run["error_samples"] == []
    assert run["requests"] >= 2 and run["requests"] == sum(k["requests"] for k in run["by_kind"].values())
    assert run["requests"] == sum(len(v) for v in run["latencies_ms"].values())
    assert set(run["by_kind"]) <= {"ask", "search"}
    assert 0 < run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"] and run["throughput_rps"] > 0
    default = Settings.from_env(env={}).queue_concurrency
    assert run["concurrency"] == default and run["rss_mb"] > 0 and run["peak_rss_mb"] >= run["rss_mb"]
    table = printed.out.strip().splitlines()
    assert table[0].startswith("| queue concurrency | N |") and len(table) == 3
    assert table[2].startswith(f"| {default} | 2 | 1 |")
