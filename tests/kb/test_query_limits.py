"""Long input cannot stall anyone: questions are capped (KB, CLI, batch rows), and a search never waits
behind an ingest's embedding (issue 14, point 5)."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kb_helpers import EN_RULE, clean_env, run_cli, settings_for
from policykb.errors import ConfigError

LONG = "How are green loans reported? " * 3500  # about 100 KB of text



def test_a_long_question_is_refused_before_any_work(en_rule_kb_dir: Path) -> None:
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(settings_for(en_rule_kb_dir))
    try:
        assert len(LONG) > 100_000
        for call in (lambda: kb.ask(LONG), lambda: kb.search(LONG)):
            with pytest.raises(ConfigError) as caught:
                call()
            message = str(caught.value)
            assert f"{len(LONG):,} characters long, over the limit of 2,000" in message
            assert "POLICYKB_MAX_QUESTION_CHARS" in message and "\n" not in message
        assert kb._embedder is None  # refused before the model was even loaded
    finally:
        kb.close()


def test_the_limit_is_a_setting(en_rule_kb_dir: Path) -> None:
    from policykb.kb import KnowledgeBase

    assert settings_for(en_rule_kb_dir).max_question_chars == 2000
    assert settings_for(en_rule_kb_dir, max_question_chars=None).max_question_chars == 2000
    from policykb.settings import Settings

    assert Settings.from_env(env={"POLICYKB_MAX_QUESTION_CHARS": "40"}).max_question_chars == 40
    with pytest.raises(ConfigError, match="POLICYKB_MAX_QUESTION_CHARS"):
        Settings.from_env(env={"POLICYKB_MAX_QUESTION_CHARS": "0"})
    kb = KnowledgeBase(settings_for(en_rule_kb_dir, max_question_chars=40))
    try:
        assert kb.search("green credit report quarterly", 3).hits  # 29 characters: answered
        with pytest.raises(ConfigError, match="41 characters long, over the limit of 40"):
            kb.search("x" * 41)
    finally:
        kb.close()


def test_the_cli_refuses_a_long_question_in_one_line(en_rule_kb_dir: Path, tmp_path: Path) -> None:
    long_file = tmp_path / "long.txt"
    long_file.write_text(LONG, encoding="utf-8")
    for verb in ("ask", "search"):
        run = run_cli([verb, LONG[:30_000], "--kb", str(en_rule_kb_dir)], timeout=120)
        assert run.code == 2, run
        assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1
        assert "over the limit of 2,000" in run.err and not run.out
    run = run_cli(["search", "green loans reported by banks", "--kb", str(en_rule_kb_dir)],
                  env=clean_env(POLICYKB_MAX_QUESTION_CHARS="20"), timeout=120)
    assert run.code == 2 and "over the limit of 20" in run.err


@pytest.mark.parametrize("verb", ["ask", "search"])
def test_a_long_batch_row_gets_its_error_and_the_others_run(en_rule_kb_dir: Path, tmp_path: Path, verb: str) -> None:
    batch = tmp_path / "batch.jsonl"
    rows = [{"id": "a", "question": "When is the green credit report due?"}, {"id": "long", "question": LONG},
            {"id": "b", "question": "How long are loan files kept?"}]
    batch.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run = run_cli([verb, "--batch", str(batch), "--kb", str(en_rule_kb_dir)], timeout=300)
    assert run.code == 1, run  # one row failed
    out = {row["id"]: row for row in run.jsonl()}
    assert list(out) == ["a", "long", "b"]
    assert "over the limit of 2,000" in out["long"]["error"]
    for ok in ("a", "b"):
        assert "error" not in out[ok]
        assert (out[ok]["results"] if verb == "search" else out[ok]["citations"]), out[ok]


# -- a search during an ingest ----------------------------------------------------------------------------
def _big_rule(clauses: int, sentences: int) -> str:
    """A generated English rule whose clauses have many sentences: each ingest embedding call is long."""
    topics = ["microloans", "deposit insurance", "branch openings", "mobile payments", "export credit", "farm insurance",
              "bond issuance", "credit ratings", "consumer complaints", "cash services"]
    lines = ["Generated Rules on Bank Operations (Test)", ""]
    for n in range(1, clauses + 1):
        body = " ".join(f"Rule {n}.{s} covers {topics[(n + s) % len(topics)]} for region {n * 7 + s} and staff group {s}."
                        for s in range(sentences))
        lines += [f"Article {n} {body}", ""]
    return "\n".join(lines)


class _Recorder:
    """Wraps the model instance that embeds passages, recording when each call starts and ends."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[list[float]] = []
        self.started = threading.Event()

    def passage(self, texts: list[str]) -> Any:
        call = [time.monotonic(), float("inf")]
        self.calls.append(call)
        self.started.set()
        try:
            return self.inner.passage(texts)
        finally:
            call[1] = time.monotonic()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.slow
def test_a_search_during_a_large_ingest_does_not_wait_for_its_embedding(en_rule_kb_dir: Path, tmp_path: Path) -> None:
    import shutil

    from policykb.kb import KnowledgeBase

    kb_dir = tmp_path / "kb"
    shutil.copytree(en_rule_kb_dir, kb_dir)
    big = tmp_path / "generated-bank-rules.txt"
    big.write_text(_big_rule(clauses=20, sentences=10), encoding="utf-8")
    kb = KnowledgeBase(settings_for(kb_dir))
    kb.warm_up()  # before the recorder goes in: it records the ingest's calls only
    embedder = kb.embedder
    attr = "_passage_model" if hasattr(embedder, "_passage_model") else "_model"
    model = getattr(embedder, attr)
    recorder = _Recorder(model)
    setattr(embedder, attr, recorder)  # the process's one embedder (load_embedder): put back at the end
    try:
        reports: list[Any] = []
        ingest = threading.Thread(target=lambda: reports.append(kb.ingest([big])), daemon=True)
        ingest.start()
        assert recorder.started.wait(300), "the ingest never started embedding"
        search_started = time.monotonic()
        result = kb.search("When is the green credit report due?", 3)
        search_ended = time.monotonic()
        still_ingesting = ingest.is_alive()
        ingest.join(600)
        assert result.hits and result.hits[0].clause.doc_id == EN_RULE
        assert still_ingesting, "the search returned only after the whole ingest"
        # the search began and ended inside one embedding call of the ingest: it did not wait for it
        assert any(start < search_started and search_ended < end for start, end in recorder.calls), recorder.calls
        assert reports and reports[0].added == 1 and reports[0].failed == 0
    finally:
        setattr(embedder, attr, model)
        kb.close()
