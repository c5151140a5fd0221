"""evaluate / write_report / feedback against the real KB built from the bundled corpus.

Skipped only while ``policykb.kb.KnowledgeBase`` cannot be imported.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policykb.app.feedback import FeedbackStore
from policykb.eval import EvalReport, evaluate, load_gold, write_report
from policykb.settings import Settings, repo_root

try:
    from policykb.kb import KnowledgeBase
except ImportError as err:  # the KB package is not importable yet
    pytest.skip(f"policykb.kb.KnowledgeBase is not available: {err}", allow_module_level=True)

pytestmark = pytest.mark.slow

DOC = "pbc-2022-60"
# Hand-made for this test (not taken from eval/gold): the runner must agree with an outside count.
GOLD = [
    {"id": "it-en-1", "question": "Can visitors from abroad pay with their phones in Zhejiang?", "lang": "en",
     "gold": [f"{DOC}:21"], "facts": ["mobile payment"], "answerable": True, "kind": "fact"},
    {"id": "it-en-2", "question": "Is there a pilot for insuring against natural catastrophes?", "lang": "en",
     "gold": [f"{DOC}:20"], "facts": ["catastrophe insurance"], "answerable": True, "kind": "fact"},
    {"id": "it-en-3", "question": "What does clause (24) say?", "lang": "en",
     "gold": [f"{DOC}:24"], "facts": ["carbon"], "answerable": True, "kind": "lookup"},
    {"id": "it-en-4", "question": "And for rental housing?", "lang": "en", "history": ["How is farm insurance supported?"],
     "gold": [f"{DOC}:19"], "facts": ["housing leasing"], "answerable": True, "kind": "follow-up"},
    {"id": "it-zh-1", "question": "农业保险方面有哪些创新要求？", "lang": "zh",
     "gold": [f"{DOC}:16"], "facts": ["agricultural insurance"], "answerable": True, "kind": "fact"},
    {"id": "it-zh-2", "question": "数字人民币试点是在哪一条提到的？", "lang": "zh",
     "gold": [f"{DOC}:21"], "facts": ["digital renminbi"], "answerable": True, "kind": "fact"},
    {"id": "it-off-1", "question": "How long should sourdough bread rise before baking?", "lang": "en",
     "gold": [], "facts": [], "answerable": False, "kind": "offtopic-out"},
    {"id": "it-off-2", "question": "明天杭州会下雨吗？", "lang": "zh", "gold": [], "facts": [], "answerable": False, "kind": "offtopic-out"},
]


@pytest.fixture(scope="session")
def kb_dir(corpus5_kb_dir: Path) -> Path:
    """The five bundled documents, ingested once for the session (tests/conftest.py); only read here."""
    return corpus5_kb_dir


@pytest.fixture(scope="session")
def kb(kb_dir: Path):
    knowledge_base = KnowledgeBase(Settings.from_env({}, kb_dir=kb_dir))
    yield knowledge_base
    knowledge_base.close()


@pytest.fixture(scope="session")
def gold_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eval-gold") / "small.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in GOLD), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def result(kb, gold_file: Path) -> EvalReport:
    return evaluate(kb, load_gold(gold_file))


def test_result_shape_and_modes(result: EvalReport) -> None:
    assert result.n == len(GOLD)
    assert set(result.retrieval) >= {"recall@1", "recall@3", "recall@5", "mrr", "ndcg@5"}
    assert set(result.answers) == {
        "citation_hit", "citation_precision", "fact_coverage", "abstain_precision", "abstain_recall", "false_abstain_rate", "invalid_citations",
        "confidently_wrong", "wrong_answered", "unsure_rate", "offtopic_sure",
    }
    assert set(result.by_lang) == {"en", "zh"}
    assert set(result.ablation) == {"lexical", "dense", "fused", "answer"}
    assert set(result.latency_ms) == {"search_p50", "ask_p50", "ask_p95"}
    assert result.latency_ms["search_p50"] > 0 and result.latency_ms["ask_p95"] >= result.latency_ms["ask_p50"]
    assert len(result.coverage) == 31


def test_recall_at_1_equals_an_outside_count_over_kb_search(kb, result: EvalReport) -> None:
    answerable = [q for q in result.questions if q["answerable"]]
    searches = [kb.search(q["query"], k=5) for q in answerable]
    firsts = [s.hits[0].clause.id if s.hits else None for s in searches]
    outside = sum(1 for q, first in zip(answerable, firsts) if first in q["gold"]) / len(answerable)
    assert result.retrieval["recall@1"] == round(outside, 4)


def test_direct_lookup_is_ranked_first(result: EvalReport) -> None:
    lookup = next(q for q in result.questions if q["id"] == "it-en-3")
    assert lookup["rank"] == 1 and lookup["modes"]["fused"]["ranked"][0] == f"{DOC}:24"


def test_detail_agrees_with_the_answer_metrics(kb, result: EvalReport) -> None:
    questions = result.questions
    answerable = [q for q in questions if q["answerable"]]
    hits = sum(1 for q in answerable if not q["abstained"] and set(q["cited"]) & set(q["gold"]))
    assert result.answers["citation_hit"] == round(hits / len(answerable), 4)
    assert result.answers["invalid_citations"] == sum(len(q["invalid"]) for q in questions)
    for q in questions:
        assert q["error"] == ""
        for cid in q["cited"]:
            assert cid in q["invalid"] or kb.clause(cid).id == cid
    follow_up = next(q for q in questions if q["id"] == "it-en-4")
    assert "rental housing" in follow_up["query"]


def test_report_from_the_real_run(result: EvalReport, tmp_path: Path) -> None:
    paths = write_report(result, tmp_path)
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    expected = result.retrieval["recall@1"]
    assert f"| recall@1 | {expected:.4f} |" in markdown
    assert all(p.stat().st_size > 0 for p in paths)


def test_recall_at_1_equals_an_outside_count_over_cli_search_batch(kb, kb_dir: Path, result: EvalReport, tmp_path: Path) -> None:
    """Issue acceptance: eval's recall@1 equals a count over `policykb search --batch` output."""
    plain = [q for q in result.questions if q["answerable"] and not q["history"]]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps({"id": q["id"], "question": q["question"]}, ensure_ascii=False) + "\n" for q in plain), encoding="utf-8")
    cli = Path(sys.executable).with_name("policykb")
    env = {**os.environ, "POLICYKB_HOME": str(kb_dir)}
    env.pop("POLICYKB_CHROMA_URL", None)
    done = subprocess.run([str(cli), "search", "--batch", str(batch), "--kb", str(kb_dir), "--json"],
                          capture_output=True, text=True, env=env, cwd=repo_root(), timeout=600)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    first = {row["id"]: (row["results"][0]["id"] if row["results"] else None) for row in lines}
    outside = sum(1 for q in plain if first[q["id"]] in q["gold"])
    assert sum(1 for q in plain if q["rank"] == 1) == outside


def test_feedback_export_round_trip_with_the_real_kb(kb, kb_dir: Path, tmp_path: Path) -> None:
    store = FeedbackStore.for_settings(Settings.from_env({}, kb_dir=tmp_path / "fb"))
    questions = ["Which clause supports digital renminbi pilots?", "绿色金融改革有什么要求？", "What is the best pizza topping?"]
    answers = [kb.ask(q) for q in questions]
    if answers[0].citations and not answers[0].abstained:
        store.add(questions[0], answers[0], 1)  # 👍: gold = the cited clauses
    else:
        store.add(questions[0], answers[0], -1, right_clause=f"{DOC}:21")
    store.add(questions[1], answers[1], -1, right_clause=f"{DOC}:23", comment="green finance is (23)")
    store.add(questions[2], answers[2], 1 if answers[2].abstained else -1, right_clause=None if answers[2].abstained else f"{DOC}:1")
    exported = store.export_gold()
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in exported), encoding="utf-8")
    rows = load_gold(path)
    assert [r.lang for r in rows] == ["en", "zh", "en"]
    assert rows[1].gold == (f"{DOC}:23",)
    assert all(r.id.startswith("fb-") for r in rows)
    result = evaluate(kb, rows, modes=("fused", "answer"))
    assert result.n == 3
    assert [q["id"] for q in result.questions] == [r.id for r in rows]
