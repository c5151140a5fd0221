"""`policykb copy-vectors`: an embedded KB moves to a real Chroma server without re-embedding, and answers the same."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb_helpers import free_port, run_cli

pytestmark = pytest.mark.server

QUERIES = ["How are savings bonds distributed in rural areas?", "储蓄国债下乡", "(12)", "Which clauses mention Ningbo?"]


def _top(kb_dir: Path, query: str, *extra: str) -> list[str]:
    run = run_cli(["search", query, "--kb", kb_dir, "--json", "-k", "3", *extra])
    assert run.code == 0, run.err
    return [h["id"] for h in json.loads(run.out)["results"]]


def test_copy_to_a_server_then_search_there(kb_copy: Path, chroma_server: str) -> None:
    before = {q: _top(kb_copy, q) for q in QUERIES}
    run = run_cli(["copy-vectors", "--kb", kb_copy, "--to", chroma_server, "--json"])
    assert run.code == 0, run.err
    copied = json.loads(run.out)
    assert (copied["from"], copied["to"], copied["clauses"]) == ("embedded", chroma_server, 31)
    assert copied["sentences"] > 31

    run = run_cli(["check", "--kb", kb_copy, "--chroma-url", chroma_server, "--json"])
    assert run.code == 0 and json.loads(run.out)["ok"], run.out + run.err
    assert {q: _top(kb_copy, q, "--chroma-url", chroma_server) for q in QUERIES} == before

    again = json.loads(run_cli(["copy-vectors", "--kb", kb_copy, "--to", chroma_server, "--json"]).out)
    assert (again["clauses"], again["sentences"]) == (31, copied["sentences"])  # idempotent


def test_copy_refuses_a_bad_or_unreachable_target(kb_copy: Path, chroma_server: str) -> None:
    run = run_cli(["copy-vectors", "--kb", kb_copy, "--to", "localhost:8000"])
    assert run.code != 0 and "http://host:port" in run.err and len(run.err.strip().splitlines()) == 1

    down = f"http://127.0.0.1:{free_port()}"
    run = run_cli(["copy-vectors", "--kb", kb_copy, "--to", down])
    assert run.code != 0 and "not reachable" in run.err and len(run.err.strip().splitlines()) == 1

    run = run_cli(["copy-vectors", "--kb", kb_copy, "--chroma-url", chroma_server, "--to", chroma_server])
    assert run.code != 0 and "already live" in run.err

    run = run_cli(["copy-vectors", "--kb", kb_copy, "--to", ""])  # an empty URL would mean the embedded store
    assert run.code == 2 and "needs a Chroma server URL" in run.err and len(run.err.strip().splitlines()) == 1
