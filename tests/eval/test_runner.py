"""evaluate() bookkeeping against a word-overlap stand-in KB (numbers worked out by hand)."""
from __future__ import annotations

import pytest

from policykb.errors import ConfigError
from policykb.eval import EvalReport, GoldRow, evaluate

ROWS = [
    GoldRow("en-1", "green bonds Ningbo", "en", ("d:1",), ("green bonds",), True, kind="fact"),
    GoldRow("en-2", "pension elderly", "en", ("d:3",), ("elderly care", "annuity"), True),
    GoldRow("en-3", "finance", "en", ("d:2", "d:3"), (), True, kind="multi"),
    GoldRow("zh-1", "Wenzhou enterprises bogus", "zh", ("d:2",), ("Wenzhou",), True),
    GoldRow("zh-2", "football scores tonight", "zh", (), (), False, kind="offtopic"),
    GoldRow("zh-3", "weather green", "zh", (), (), False),
]


@pytest.fixture()
def result(fake_kb) -> EvalReport:
    return evaluate(fake_kb, ROWS)


def test_top_level_keys_and_main_numbers(result: EvalReport) -> None:
    assert list(result.to_json()) == ["n", "retrieval", "answers", "by_lang", "latency_ms", "ablation", "questions", "coverage"]
    assert result.n == 6
    r = result.retrieval
    # fused ranks: en-1 d:1 first; en-2 d:3 first; en-3 "finance" → d:1,d:2,d:3 (gold first at 2); zh-1 d:2 first
    assert r["recall@1"] == 0.75
    assert r["recall@3"] == 1.0
    assert r["mrr"] == round((1 + 1 + 0.5 + 1) / 4, 4)
    assert r["all_gold_recall@5"] == 1.0
    a = result.answers
    assert a["citation_hit"] == 0.75  # en-3 cites d:1 (not gold)
    assert a["citation_precision"] == 0.6  # d:1, d:3, d:1, d:2, d:99 → 3 gold of 5
    assert a["fact_coverage"] == 0.75  # "green bonds", "elderly care" (from quotes), "Wenzhou"; not "annuity"
    assert a["invalid_citations"] == 1  # d:99 on zh-1; the answer to "weather green" cites d:1 which was retrieved → valid
    assert a["abstain_recall"] == 0.5  # "football…" abstains; "weather green" answers
    assert a["abstain_precision"] == 1.0
    assert a["false_abstain_rate"] == 0.0


def test_by_lang_and_latency(result: EvalReport) -> None:
    assert list(result.by_lang) == ["en", "zh"]
    zh = result.by_lang["zh"]
    assert zh["n"] == 3
    assert zh["retrieval"]["recall@1"] == 1.0  # only zh-1 is answerable
    assert zh["answers"]["abstain_recall"] == 0.5
    # search latency = len(query): 18, 15, 7, 25, 23, 13 → nearest-rank p50 = 3rd of sorted = 15
    assert result.latency_ms["search_p50"] == 15.0
    assert result.latency_ms["ask_p50"] == 7.0
    assert result.latency_ms["ask_p95"] == 7.0


def test_ablation_runs_every_mode(result: EvalReport) -> None:
    ab = result.ablation
    assert set(ab) == {"fused", "lexical", "dense", "answer"}
    assert ab["fused"]["retrieval"] == result.retrieval
    # dense returns d:4, d:3, d:2, d:1 for everything: en-2 at 2, en-3 at 2, en-1 at 4, zh-1 at 3
    assert ab["dense"]["retrieval"]["recall@1"] == 0.0
    assert ab["dense"]["retrieval"]["mrr"] == round((1 / 4 + 1 / 2 + 1 / 2 + 1 / 3) / 4, 4)
    assert ab["dense"]["by_lang"]["zh"]["retrieval"]["recall@3"] == 1.0
    assert ab["answer"]["answers"] == result.answers
    assert ab["answer"]["by_lang"]["en"]["answers"] == result.by_lang["en"]["answers"]


def test_question_detail(result: EvalReport) -> None:
    q = {d["id"]: d for d in result.questions}
    assert q["en-3"]["ranked"] == ["d:1", "d:2", "d:3"]
    assert q["en-3"]["rank"] == 2
    assert q["en-3"]["modes"]["dense"]["rank"] == 2
    assert q["en-3"]["problems"] == ["no gold cited"]
    assert q["zh-1"]["invalid"] == ["d:99"]
    assert "invalid citation" in q["zh-1"]["problems"]
    assert q["en-2"]["facts_found"] == ["elderly care"] and q["en-2"]["facts_missing"] == ["annuity"]
    assert q["en-1"]["facts_found"] == ["green bonds"]
    assert q["zh-2"]["abstained"] is True and q["zh-2"]["problems"] == []
    assert q["zh-3"]["problems"] == ["answered off-topic question"]
    assert q["zh-2"]["rank"] is None and q["zh-2"]["cited"] == []
    assert all("_text" not in a for d in result.questions for a in d["answers"].values())


def test_coverage_lists_every_clause_of_the_gold_documents(result: EvalReport) -> None:
    cov = result.coverage
    assert list(cov) == ["d:1", "d:2", "d:3", "d:4"]
    assert cov["d:3"] == {"gold": 2, "top1": 1, "top1_gold": 1, "topk": 2, "cited": 1}
    assert cov["d:4"] == {"gold": 0, "top1": 0, "top1_gold": 0, "topk": 0, "cited": 0}
    # first for en-1 (gold) and en-3 (not gold); the off-topic zh-3 is not counted
    assert cov["d:1"]["top1"] == 2 and cov["d:1"]["top1_gold"] == 1


def test_follow_up_asks_history_first_and_searches_the_joined_text(fake_kb) -> None:
    kb = fake_kb
    row = GoldRow("f-1", "And Wenzhou?", "en", ("d:2",), (), True, history=("What about pension care?",), kind="follow-up")
    result = evaluate(kb, [row], modes=("fused", "answer"))
    assert kb.asks == [("What about pension care?", (), None), ("And Wenzhou?", ("What about pension care?",), None)]
    assert result.questions[0]["query"] == "What about pension care? And Wenzhou?"
    assert ("What about pension care? And Wenzhou?", 5, "fused") in kb.searches
    assert result.latency_ms["ask_p50"] == 8.0  # the follow-up's own answer, not the history's


def test_follow_up_searches_the_resolved_question_when_the_answer_has_one(fake_kb_class) -> None:
    kb = fake_kb_class(resolve=True)
    row = GoldRow("f-1", "And Wenzhou?", "en", ("d:2",), (), True, history=("What about pension care?",))
    result = evaluate(kb, [row], modes=("lexical", "fused", "answer"))
    assert result.questions[0]["query"] == "And Wenzhou? (What about pension care?)"
    assert {(q, m) for q, _, m in kb.searches} == {("And Wenzhou? (What about pension care?)", "lexical"), ("And Wenzhou? (What about pension care?)", "fused")}


def test_cited_clause_outside_top_k_is_checked_in_a_deeper_search(fake_kb) -> None:
    kb = fake_kb
    row = GoldRow("e-1", "Ningbo green elsewhere", "en", ("d:1",), (), True)
    result = evaluate(kb, [row], modes=("fused", "answer"), k=1)
    # d:4 cited, not in the top 1 nor in the deeper search (no word overlap) → invalid
    assert result.questions[0]["invalid"] == ["d:4"]
    assert ("Ningbo green elsewhere", 10, "fused") in kb.searches


def test_answer_errors_are_recorded_not_counted_as_abstentions(fake_kb) -> None:
    result = evaluate(fake_kb, ROWS[:1] + ROWS[4:5], modes=("fused", "answer", "llm"))
    llm = result.ablation["llm"]
    assert llm["answers"]["abstain_recall"] == 0.0
    assert llm["answers"]["citation_hit"] == 0.0
    assert llm["latency_ms"] == {"ask_p50": None, "ask_p95": None}
    detail = result.questions[0]["answers"]["llm"]
    assert "timed out" in detail["error"] and detail["abstained"] is False
    assert result.answers["citation_hit"] == 1.0  # the main answerer is unaffected


def test_without_answer_modes_answers_are_not_measured(fake_kb) -> None:
    result = evaluate(fake_kb, ROWS, modes=("lexical",))
    assert set(result.ablation) == {"fused", "lexical"}
    assert all(v is None for v in result.answers.values())
    assert result.latency_ms["ask_p50"] is None
    assert result.questions[0]["cited"] is None


def test_progress_callback(fake_kb) -> None:
    seen: list[tuple[int, int, str]] = []
    evaluate(fake_kb, ROWS[:3], modes=("fused",), progress=lambda d, t, label: seen.append((d, t, label)))
    assert seen == [(1, 3, "en-1"), (2, 3, "en-2"), (3, 3, "en-3")]


@pytest.mark.parametrize(
    ("rows", "kwargs", "message"),
    [
        (ROWS, {"modes": ("fused", "bm25")}, "unknown eval mode(s) ['bm25']"),
        (ROWS, {"k": 0}, "k 0 must be"),
        ([], {}, "gold set is empty"),
        ([GoldRow("x", "q", "en", ("d:7",), (), True)], {}, "the KB has no clause 'd:7' (row 'x')"),
    ],
)
def test_bad_arguments(fake_kb, rows: list, kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        evaluate(fake_kb, rows, **kwargs)
    assert message in str(info.value)
