"""`policykb serve` on an empty KB answers before its semantic index is built (issue 14, point 1).

The served app's passage embedding is held back on purpose (tests/support/held_embedder: every passage
embedding waits for a gate file), so no clause has its vectors while the tests ask: a lookup must still get a
cited answer, marked as lexical only, and the page must show the semantic index being built. Opening the gate
lets the background fill run; hybrid answers must then follow in the same running app, without a restart.

The browser test runs first and needs the gate closed; the API test opens it.
"""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from policykb.settings import repo_root
from tests.support.serve import Served, cli_env, policykb_command, start_serve, stop_serve

CORPUS = repo_root() / "tests" / "fixtures" / "opinions-corpus"  # the Opinions: 31 clauses
HELD_EMBEDDER = repo_root() / "tests" / "support" / "held_embedder"
CLAUSES = 31
LOOKUP = "What does clause (18) say?"


@pytest.fixture(scope="module")
def held_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    """`serve` on an empty KB with the corpus above, its passage embedding held until the gate file exists."""
    work = tmp_path_factory.mktemp("warm-start")
    gate = work / "release-the-embedder"
    env = cli_env(POLICYKB_CORPUS=str(CORPUS), PYTHONPATH=str(HELD_EMBEDDER), PKB_TEST_PASSAGE_GATE=str(gate))
    app = start_serve(work / "kb", work, env=env)
    try:
        yield app, gate
    finally:
        gate.touch()
        stop_serve(app)
    assert "Traceback" not in app.log.read_text()


@pytest.mark.browser
def test_a_lookup_gets_a_cited_answer_in_the_browser_before_any_clause_is_embedded(held_app, browser, shot) -> None:
    from playwright.sync_api import expect

    app, gate = held_app
    assert not gate.exists()
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(app.url)
        page.wait_for_selector("#pk-chat-input textarea")
        status = page.locator("#pk-semantic-status .pk-semantic")
        expect(status).to_contain_text(f"Semantic index: 0 / {CLAUSES} clauses")
        page.fill("#pk-chat-input textarea", LOOKUP)
        page.click("#pk-send")
        answer = page.locator("#pk-chatbot .pk-answer").last
        expect(answer.locator(".pk-sources .pk-chip").first).to_have_text("(18)")
        expect(answer.locator(".pk-signals.pk-signals-lexical")).to_contain_text("Lexical only")
        expect(status).to_contain_text(f"0 / {CLAUSES}")  # the answer came while nothing was embedded
        shot(page, "14-warm-start-lexical-answer-1440", full_page=False)
        page.locator("#pk-lang").get_by_text("中文").click()
        expect(status).to_contain_text(f"语义索引：0 / {CLAUSES} 条")
    finally:
        context.close()


def test_the_api_and_cli_mark_lexical_answers_and_hybrid_ones_follow_the_fill(held_app) -> None:
    from gradio_client import Client

    app, gate = held_app
    client = Client(app.url, verbose=False)
    if not gate.exists():
        answer = client.predict(LOOKUP, "", api_name="/ask")
        assert answer["citations"][0]["id"] == "pbc-2022-60:18" and not answer["abstained"], answer
        assert answer["signals"] == ["lexical"] and answer["missing_vectors"] == CLAUSES, answer
        found = client.predict("savings bonds in rural areas", 5, "", "", "", api_name="/search")
        assert found["results"] and found["signals"] == ["lexical"] and found["missing_vectors"] == CLAUSES
        cli = subprocess.run([*policykb_command(), "search", "(18)", "--kb", str(app.kb_dir), "--json"],
                             capture_output=True, text=True, env=cli_env(), timeout=600)
        assert cli.returncode == 0, cli.stderr
        data = json.loads(cli.stdout)
        assert data["results"][0]["id"] == "pbc-2022-60:18"
        assert data["signals"] == ["lexical"] and data["missing_vectors"] == CLAUSES
        gate.touch()

    deadline = time.monotonic() + 900
    while True:  # the same running app, never restarted, until every clause has its vectors
        found = client.predict("savings bonds in rural areas", 5, "", "", "", api_name="/search")
        assert found["results"]
        if found["missing_vectors"] == 0:
            break
        assert found["missing_vectors"] < CLAUSES or "dense" not in found["signals"]
        assert time.monotonic() < deadline, f"the fill did not finish: {found['missing_vectors']} clauses left"
        time.sleep(1.0)
    assert found["signals"] == ["lexical", "dense"]
    answer = client.predict(LOOKUP, "", api_name="/ask")
    assert answer["citations"][0]["id"] == "pbc-2022-60:18" and answer["signals"] == ["lexical", "dense"]
    assert answer["missing_vectors"] == 0
    check = subprocess.run([*policykb_command(), "check", "--kb", str(app.kb_dir), "--json"],
                           capture_output=True, text=True, env=cli_env(), timeout=600)
    report = json.loads(check.stdout)
    assert report["ok"] and report["pending"] == 0 and report["stores"]["clause_vectors"] == CLAUSES, report
