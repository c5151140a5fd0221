"""Issue 12's follow-ups, enumerations and clause lookups on a KB holding the five bundled documents, through the
CLI (`policykb ask --history … --json`, `ask --batch`, `search --batch`) and the served app's `/ask` and `/search`.

Four of the five documents are Chinese laws numbered 第一条 … and the Opinions are numbered (1) … (31), so most
article numbers exist in several documents at once: a bare number is ambiguous unless the conversation names its
document. The expected clauses are worked out from the KB's own clause texts, never written down by hand.

One CLI run per verb (the batches), and one app process over a copy of the session's five-document KB.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from policykb.settings import Settings, repo_root
from tests.support.serve import Served, cli_env, policykb_command, start_serve, stop_serve

pytestmark = pytest.mark.integration  # runs the CLI and starts the app (some tests reach them only through `ask`)

BANKS, OPINIONS = "commercial-bank-law-2015", "pbc-2022-60"

# id: (question, earlier questions, oldest first)
ASK: dict[str, tuple[str, list[str]]] = {
    "zh-13": ("商业银行法第十三条是怎么规定的？", []),
    "zh-15": ("那第十五条呢？", ["商业银行法第十三条是怎么规定的？"]),
    "zh-18": ("那第十八条呢？", ["商业银行法第十三条是怎么规定的？", "那第十五条呢？"]),
    "en-13": ("What does Article 13 of the Commercial Banking Law say?", []),
    "en-15": ("And Article 15?", ["What does Article 13 of the Commercial Banking Law say?"]),
    "zh-unresolved": ("那第十五条呢？", ["今天天气怎么样？"]),
    "en-unresolved": ("And Article 15?", ["Who won the 2022 World Cup final?"]),
    "zh-that-document": ("那份文件的第十五条呢？", []),
    "zh-mentions": ("哪些条款提到同业拆借？", []),
    "zh-all": ("利率有哪些规定？", []),
    "en-list": ("List the articles that mention foreign exchange", []),
    "en-depositors": ("List the articles that mention depositors", []),
    "en-which": ("Which articles mention interest rates?", []),
    "zh-39": ("第三十九条讲了什么？", []),
    "en-39": ("What does Article 39 say?", []),
    "zh-99": ("第九十九条讲了什么？", []),
    "zh-900": ("第九百条", []),
    "en-99": ("What does Article 99 say?", []),
    "en-18": ("(18)", []),
}
SEARCH = ["第三十九条", "Article 39", "第九十九条", "第九百条", "Article 99", "(18)"]
CHANNELS = ["cli", "api"]


# -- the KB's own clauses -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clauses(corpus5_kb_dir: Path) -> list[Any]:
    """Every clause of the five-document KB, in KB order."""
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=corpus5_kb_dir))
    try:
        assert len(kb.documents()) == 5
        return list(kb.clauses())
    finally:
        kb.close()


def numbered(clauses: list[Any], number: str) -> set[str]:
    return {c.id for c in clauses if c.number == number}


def mentioning(clauses: list[Any], *renderings: str) -> set[str]:
    """The clauses holding any of ``renderings`` (Latin ones case-insensitive)."""
    return {c.id for c in clauses if any(re.search(re.escape(r), c.text, re.I) for r in renderings)}


def cited(answer: dict) -> list[str]:
    return [c["id"] for c in answer["citations"]]


def documents_in_runs(ids: list[str]) -> list[str]:
    """The documents of ``ids`` in order, one entry per run of consecutive clauses of the same document."""
    runs: list[str] = []
    for cid in ids:
        doc = cid.split(":")[0]
        if not runs or runs[-1] != doc:
            runs.append(doc)
    return runs


# -- the two channels ---------------------------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([*policykb_command(), *args], capture_output=True, text=True, env=cli_env(), timeout=900)
    assert "Traceback" not in run.stderr, run.stderr
    return run


def _batch(verb: str, rows: list[dict], kb_dir: Path, work: Path) -> dict[str, dict]:
    path = work / f"{verb}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    run = _cli(verb, "--batch", str(path), "--kb", str(kb_dir))
    assert run.returncode == 0, run.stderr
    out = {row["id"]: row for row in map(json.loads, run.stdout.splitlines())}
    assert set(out) == {r["id"] for r in rows} and not any("error" in row for row in out.values()), out
    return out


@pytest.fixture(scope="module")
def cli_results(corpus5_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict]]:
    """Every case through the CLI: one `ask --batch` and one `search --batch` over the five-document KB (read only)."""
    work = tmp_path_factory.mktemp("five-cli")
    asked = _batch("ask", [{"id": i, "question": q, **({"history": h} if h else {})} for i, (q, h) in ASK.items()],
                   corpus5_kb_dir, work)
    searched = _batch("search", [{"id": q, "question": q} for q in SEARCH], corpus5_kb_dir, work)
    return {"ask": asked, "search": searched}


@pytest.fixture(scope="module")
def five_server(corpus5_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app over a private copy of the five-document KB (its corpus is corpus/, already ingested)."""
    work = tmp_path_factory.mktemp("five-app")
    kb_dir = work / "kb"
    shutil.copytree(corpus5_kb_dir, kb_dir)
    app = start_serve(kb_dir, work, env=cli_env(POLICYKB_CORPUS=str(repo_root() / "corpus")))
    yield app
    stop_serve(app)


@pytest.fixture(scope="module")
def client(five_server: Served) -> Any:
    from gradio_client import Client

    return Client(five_server.url, verbose=False)


@pytest.fixture(params=CHANNELS)
def ask(request) -> Callable[[str], dict]:
    """``ask(case_id)``: the Answer (as JSON) of case ``case_id`` of :data:`ASK`, through the CLI or /ask."""
    if request.param == "cli":
        results = request.getfixturevalue("cli_results")["ask"]
        return lambda case: results[case]
    client = request.getfixturevalue("client")

    def via_api(case: str) -> dict:
        question, history = ASK[case]
        return client.predict(question, "", json.dumps(history, ensure_ascii=False), api_name="/ask")

    return via_api


@pytest.fixture(params=CHANNELS)
def search(request) -> Callable[[str], dict]:
    """``search(query)``: the search result (as JSON, k = 5) of a query of :data:`SEARCH`, through the CLI or /search."""
    if request.param == "cli":
        results = request.getfixturevalue("cli_results")["search"]
        return lambda query: results[query]
    client = request.getfixturevalue("client")
    return lambda query: client.predict(query, 5, api_name="/search")


def test_ask_with_history_on_the_command_line_keeps_the_named_law(corpus5_kb_dir: Path) -> None:
    """`ask --history … --json`, the form the README shows: the bare number keeps the conversation's document."""
    run = _cli("ask", "那第十五条呢？", "--history", ASK["zh-15"][1][0], "--kb", str(corpus5_kb_dir), "--json")
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert cited(answer) == [f"{BANKS}:15"] and answer["confidence"] == "sure"
    assert "十五" in answer["resolved_question"]


# -- follow-ups ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bare_number_after_a_named_law_takes_that_laws_article(ask, lang) -> None:
    assert cited(ask(f"{lang}-13")) == [f"{BANKS}:13"]
    follow_up = ask(f"{lang}-15")  # article 15 of the Commercial Banking Law, not article 15 of every document
    assert cited(follow_up) == [f"{BANKS}:15"]
    assert follow_up["abstained"] is False and follow_up["confidence"] == "sure"
    if lang == "zh":
        assert cited(ask("zh-18")) == [f"{BANKS}:18"]  # and the next follow-up keeps it


@pytest.mark.parametrize("case", ["zh-unresolved", "en-unresolved", "zh-that-document"])
def test_a_follow_up_with_no_document_in_the_conversation_is_asked_back(ask, clauses, case) -> None:
    answer = ask(case)
    assert answer["confidence"] == "clarify" and answer["citations"] == [], answer
    if case != "zh-that-document":  # the answer names the documents that have an article 15
        holders = {cid.split(":")[0] for cid in numbered(clauses, "15")}
        assert len(holders) > 1
        assert answer["answer"].count("《") >= len(holders) - 1  # each named (the Opinions by its short name)


# -- enumerations -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case, renderings", [
    ("zh-mentions", ("同业拆借",)),
    ("zh-all", ("利率",)),
    ("en-list", ("外汇", "foreign exchange")),
    ("en-depositors", ("存款人",)),  # the dictionary's rendering: the glossary has no "depositor"
    ("en-which", ("利率", "interest rate")),
])
def test_an_enumeration_cites_every_matching_clause_grouped_by_document(ask, clauses, case, renderings) -> None:
    answer = ask(case)
    expected = mentioning(clauses, *renderings)
    assert len({cid.split(":")[0] for cid in expected}) >= 2  # the subject spans several documents
    ids = cited(answer)
    assert answer["abstained"] is False and set(ids) == expected, (ids, expected)
    assert len(ids) == len(set(ids))
    runs = documents_in_runs(ids)
    assert len(runs) == len(set(runs)), runs  # each document's clauses together


# -- clause lookups -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["zh-39", "en-39"])
def test_an_article_several_documents_have_is_quoted_from_each(ask, clauses, case) -> None:
    answer = ask(case)
    expected = numbered(clauses, "39")
    assert len({cid.split(":")[0] for cid in expected}) == len(expected) > 1  # one per document that has it
    assert answer["abstained"] is False and set(cited(answer)) == expected
    assert all(c["quote"] for c in answer["citations"])


@pytest.mark.parametrize("case, number", [("zh-99", "99"), ("zh-900", "900"), ("en-99", "99")])
def test_an_article_no_document_has_is_said_to_be_missing(ask, clauses, case, number) -> None:
    assert not numbered(clauses, number)
    answer = ask(case)
    assert answer["abstained"] is True and answer["confidence"] == "abstained" and answer["citations"] == []
    assert number in answer["reason"] and number in answer["answer"]


def test_a_clause_printed_as_asked_comes_first(ask, clauses) -> None:
    ids = cited(ask("en-18"))
    assert ids[0] == f"{OPINIONS}:18"  # the Opinions print "(18)"; the laws 第十八条
    assert set(ids) <= numbered(clauses, "18")


@pytest.mark.parametrize("query", ["第三十九条", "Article 39"])
def test_search_for_an_article_several_documents_have_shows_each_then_related_apart(search, clauses, query) -> None:
    result = search(query)
    expected = numbered(clauses, "39")
    ids = [r["id"] for r in result["results"]]
    assert set(ids) == expected and len(ids) == len(expected)
    assert result["lookup"] == {"kind": "clause", "value": "39", "found": True}
    related = [r["id"] for r in result["related"]]
    assert related and not set(related) & expected
    assert len(ids) + len(related) <= 5
    assert all(r["score"] < 10 for r in result["results"] + result["related"])  # one scale: no lookup bonus
    scores = {r["score"] for r in result["results"]}
    assert len(scores) == 1 and min(scores) > 0  # each exact match shown as one, on the same top score …
    assert all(r["score"] <= min(scores) for r in result["related"])  # … and every related clause after them


@pytest.mark.parametrize("query, number", [("第九十九条", "99"), ("第九百条", "900"), ("Article 99", "99")])
def test_search_for_an_article_no_document_has_says_so_and_lists_nothing(search, query, number) -> None:
    result = search(query)
    assert result["results"] == [] and result["related"] == []
    assert result["lookup"] == {"kind": "clause", "value": number, "found": False}
    assert number in result["message"]


def test_search_for_18_shows_the_clause_printed_so_first(search, clauses) -> None:
    result = search("(18)")
    ids = [r["id"] for r in result["results"]]
    assert ids[0] == f"{OPINIONS}:18" and set(ids) <= numbered(clauses, "18")
    assert result["lookup"] == {"kind": "clause", "value": "18", "found": True}
    assert not {r["id"] for r in result["related"]} & numbered(clauses, "18")
    assert all(r["score"] < 10 for r in result["results"] + result["related"])
