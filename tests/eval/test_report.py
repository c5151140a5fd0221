"""write_report: the files exist, the plots are PNGs, and the Markdown agrees with the JSON."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.errors import ConfigError
from policykb.eval import EvalReport, GoldRow, evaluate, write_report
from policykb.eval.metrics import ANSWER_KEYS, RETRIEVAL_KEYS
from policykb.eval.report import fmt, render_markdown, summary_text

ROWS = [
    GoldRow("en-1", "green bonds Ningbo", "en", ("d:1",), ("green bonds",), True),
    GoldRow("en-2", "finance", "en", ("d:2", "d:3"), (), True, kind="multi"),
    GoldRow("zh-1", "Wenzhou enterprises bogus", "zh", ("d:2",), ("Wenzhou",), True),
    GoldRow("zh-2", "football scores", "zh", (), (), False),
]


def _tables(markdown: str) -> dict[str, list[dict[str, str]]]:
    """Markdown tables by the heading above them, each row as {column: cell}."""
    tables: dict[str, list[dict[str, str]]] = {}
    heading, header = "", None
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading, header = line[3:], None
        elif line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            if header is None:
                header = cells
            else:
                tables.setdefault(heading, []).append(dict(zip(header, cells)))
    return tables


def _same(cell: str, value: object) -> bool:
    return value is None and cell == "—" or value is not None and float(cell) == pytest.approx(value, abs=5e-5)


@pytest.fixture()
def written(fake_kb, tmp_path: Path) -> tuple[EvalReport, list[Path]]:
    result = evaluate(fake_kb, ROWS, modes=("lexical", "dense", "fused", "answer", "llm"))
    return result, write_report(result, tmp_path / "report")


def test_writes_json_markdown_and_pngs(written: tuple[EvalReport, list[Path]]) -> None:
    result, paths = written
    assert [p.name for p in paths] == ["report.json", "report.md", "metrics_by_mode.png", "clause_coverage.png"]
    assert json.loads(paths[0].read_text(encoding="utf-8")) == json.loads(json.dumps(result.to_json()))
    for png in paths[2:]:
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_markdown_numbers_agree_with_json(written: tuple[EvalReport, list[Path]]) -> None:
    result, paths = written
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    tables = _tables(paths[1].read_text(encoding="utf-8"))
    headline = {row["metric"]: row["value"] for row in tables["Headline"]}
    for key in RETRIEVAL_KEYS:
        assert _same(headline[key], data["retrieval"][key]), key
    for key in ANSWER_KEYS:
        assert _same(headline[key], data["answers"][key]), key
    assert headline["n"] == "4"
    by_lang = {row["lang"]: row for row in tables["By language: retrieval (fused)"]}
    assert set(by_lang) == {"en", "zh"}
    assert _same(by_lang["zh"]["recall@1"], data["by_lang"]["zh"]["retrieval"]["recall@1"])
    assert _same(by_lang["en"]["mrr"], data["by_lang"]["en"]["retrieval"]["mrr"])
    answers = {row["lang"]: row for row in tables["By language: answers and latency (ms)"]}
    assert _same(answers["zh"]["abstain_recall"], data["by_lang"]["zh"]["answers"]["abstain_recall"])
    assert _same(answers["en"]["search_p50"], data["by_lang"]["en"]["latency_ms"]["search_p50"])
    ablation = {(row["mode"], row["lang"]): row for row in tables["Ablation: retrieval by mode"]}
    assert {m for m, _ in ablation} == {"fused", "lexical", "dense"}
    for (mode, lang), row in ablation.items():
        source = data["ablation"][mode] if lang == "all" else data["ablation"][mode]["by_lang"][lang]
        for key in RETRIEVAL_KEYS:
            assert _same(row[key], source["retrieval"][key]), (mode, lang, key)
    by_mode = {(row["mode"], row["lang"]): row for row in tables["Answers by mode"]}
    assert _same(by_mode[("llm", "all")]["citation_hit"], data["ablation"]["llm"]["answers"]["citation_hit"])
    assert by_mode[("llm", "all")]["ask_p50"] == "—"
    kinds = {row["kind"]: row for row in tables["By kind (fused search, full answerer)"]}
    assert set(kinds) == {"multi", "(none)"}
    multi = [q for q in data["questions"] if q["kind"] == "multi"]
    assert _same(kinds["multi"]["recall@1"], sum(q["rank"] == 1 for q in multi) / len(multi))
    assert kinds["(none)"]["abstained"] == f"{sum(q['abstained'] for q in data['questions'] if not q['kind'])}/3"
    latency = tables["Latency (ms)"][0]
    assert _same(latency["ask_p95"], data["latency_ms"]["ask_p95"])


def test_failed_questions_listed_with_rank_and_citations(written: tuple[EvalReport, list[Path]]) -> None:
    result, paths = written
    failed = {row["id"]: row for row in _tables(paths[1].read_text(encoding="utf-8"))["Failed questions"]}
    expected = {q["id"] for q in result.questions if q["problems"]}
    assert set(failed) == expected and "en-2" in failed and "en-1" not in failed
    assert failed["en-2"]["rank"] == "2"
    assert failed["en-2"]["cited"] == "d:1"
    assert failed["zh-1"]["problems"] == "invalid citation"


def test_markdown_marks_unmeasured_values_and_escapes_pipes() -> None:
    result = EvalReport(
        n=1,
        retrieval=dict.fromkeys(RETRIEVAL_KEYS),
        answers=dict.fromkeys(ANSWER_KEYS),
        by_lang={},
        latency_ms={"search_p50": 3.0, "ask_p50": None, "ask_p95": None},
        ablation={},
        questions=[
            {"id": "a|b", "lang": "en", "kind": "", "question": "x | y", "gold": ["d:1"], "ranked": [], "cited": None, "rank": None,
             "answerable": True, "problems": ["gold not retrieved"]}
        ],
        coverage={"d:1": {"gold": 1, "top1": 0, "topk": 0, "cited": 0}},
    )
    text = render_markdown(result)
    assert "| recall@1 | — |" in text
    assert "a\\|b" in text and "x \\| y" in text
    assert "Clauses never retrieved in any top k: d:1." in text
    assert "recall@1 —" in summary_text(result)


def test_fmt() -> None:
    assert [fmt(None), fmt(0.5), fmt(3), fmt(True)] == ["—", "0.5000", "3", "yes"]


def test_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot write the report"):
        write_report({"n": 0}, blocker / "sub")
