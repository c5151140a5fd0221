"""`policykb calibrate`: refuses a gold set too small to fit on, and on a real KB writes a tuning.json the KB then loads."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policykb.settings import Settings, repo_root

OPINIONS_GOLD = repo_root() / "eval" / "gold" / "opinions.jsonl"
POLICYKB = Path(sys.executable).with_name("policykb")
FIGURES = {"recall@1", "recall@3", "citation_hit", "confidently_wrong", "wrong_answered", "unsure_rate",
           "false_abstain_rate", "abstain_precision", "abstain_recall"}


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKB_")}
    return subprocess.run([str(POLICYKB), *map(str, args)], capture_output=True, text=True, env=env, timeout=1800)


def _rows(answerable: int, offtopic: int) -> list[dict]:
    """The first standalone answerable and off-topic rows of the Opinions gold set."""
    rows = [json.loads(line) for line in OPINIONS_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    plain = [r for r in rows if not r.get("history")]
    return [r for r in plain if r["answerable"]][:answerable] + [r for r in plain if not r["answerable"]][:offtopic]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("answerable, offtopic", [(3, 2), (29, 10), (40, 4)])
def test_calibrate_refuses_a_small_gold_set(tmp_path: Path, answerable: int, offtopic: int) -> None:
    gold = _write(tmp_path / "small.jsonl", _rows(answerable, offtopic))
    run = _cli("calibrate", "--gold", gold, "--kb", tmp_path / "kb")
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert f"{answerable} answerable and {offtopic} off-topic" in lines[0] and "at least 30 answerable and 5 off-topic" in lines[0]
    assert not (tmp_path / "kb" / "tuning.json").exists()


@pytest.mark.slow
def test_calibrate_writes_a_tuning_the_kb_loads(corpus_kb_dir: Path, tmp_path: Path) -> None:
    from policykb.kb import KnowledgeBase

    kb_dir = tmp_path / "kb"
    shutil.copytree(corpus_kb_dir, kb_dir)
    gold = _write(tmp_path / "gold.jsonl", _rows(32, 6))
    run = _cli("calibrate", "--gold", gold, "--kb", kb_dir, "--folds", "3", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert {"gold", "rows", "answerable", "offtopic", "scheme", "folds", "before", "after", "per_fold", "tuning", "sources",
            "written", "seconds"} <= set(result)
    assert (result["rows"], result["answerable"], result["offtopic"], result["folds"]) == (38, 32, 6, 3)
    assert result["scheme"] == "k-fold"  # these rows carry no document in 'kind'
    for side in ("before", "after"):
        assert FIGURES <= set(result[side])
        assert all(v is None or 0.0 <= v <= 1.0 for k, v in result[side].items() if k in FIGURES)
    assert len(result["per_fold"]) == 3

    path = kb_dir / "tuning.json"
    assert result["written"] == str(path) and path.is_file()
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["values"] == result["tuning"]
    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=kb_dir))
    try:
        tuning = kb.tuning
        assert tuning.path == str(path)
        assert tuning.values() == result["tuning"]
        assert "policykb calibrate on gold.jsonl" in tuning.source_of("abstain.pairs.en-en.sure")
        assert "policykb calibrate" not in tuning.source_of("answer.lead_chars")  # not fitted: the default's source
        answer = kb.ask("How are savings bonds distributed in rural areas?")
        assert answer.confidence in ("sure", "unsure") and not answer.abstained
    finally:
        kb.close()


def test_a_broken_tuning_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "tuning.json").write_text('{"values": {"confidence": {"margin": 7}}}', encoding="utf-8")
    run = _cli("ask", "anything", "--kb", tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "values.confidence.margin must lie between 0 and 1, got 7" in run.stderr
