"""The named API endpoints `/ask` and `/search`, called with gradio_client against the running app
(the example the README shows)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def client(app_server):
    from gradio_client import Client

    return Client(app_server.url, verbose=False)


def test_only_ask_and_search_are_exposed(client):
    endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert set(endpoints) == {"/ask", "/search"}
    params = [p["parameter_name"] for p in endpoints["/search"]["parameters"]]
    assert params == ["query", "k", "doc", "section", "lang"]


def test_ask_returns_a_cited_answer(client):
    answer = client.predict("How will savings bonds reach the countryside?", api_name="/ask")
    assert answer["abstained"] is False
    assert "pbc-2022-60:18" in [c["id"] for c in answer["citations"]]
    assert all(c["quote"] for c in answer["citations"])
    assert answer["mode"] == "extractive" and answer["latency_ms"] > 0


def test_ask_abstains_off_topic(client):
    answer = client.predict("Who won the 2022 World Cup final?", api_name="/ask")
    assert answer["abstained"] is True and answer["citations"] == []


def test_search_with_keywords_and_filters(client):
    result = client.predict("charitable trusts", 3, api_name="/search")
    assert result["query"] == "charitable trusts"
    assert [r["id"] for r in result["results"]][0] == "pbc-2022-60:13"
    assert len(result["results"]) == 3 and "score" in result["results"][0]
    only = client.predict(query="第十三条", k=5, doc="pbc-2022-60", api_name="/search")
    assert only["results"][0]["id"] == "pbc-2022-60:13"
    section = client.predict(query="finance", k=10, doc="pbc-2022-60", section="2", api_name="/search")
    assert section["results"] and {r["section"] for r in section["results"]} == {"2"}


def test_errors_arrive_as_one_line(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as caught:
        client.predict("charitable trusts", 3, "no-such-doc", api_name="/search")
    message = str(caught.value)
    assert "no-such-doc" in message and "\n" not in message and "Traceback" not in message
    with pytest.raises(AppError, match="empty"):
        client.predict("   ", api_name="/ask")


def test_search_gives_the_fields_and_results_of_the_cli_json(client, corpus_kb_dir):
    """One serializer: the API's /search and `policykb search --json` agree field for field."""
    import json
    import subprocess
    import sys

    api = client.predict("储蓄国债下乡", 3, api_name="/search")
    run = subprocess.run([sys.executable, "-m", "policykb.app.cli", "search", "储蓄国债下乡", "-k", "3",
                          "--kb", str(corpus_kb_dir), "--json"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    cli = json.loads(run.stdout)
    assert set(api) == set(cli) == {"query", "results", "latency_ms", "related", "lookup", "message", "signals", "missing_vectors"}
    assert api["results"] == cli["results"]
    assert "signals" not in api["results"][0] and "matched_terms" not in api["results"][0]


def test_search_for_a_missing_clause_says_so(client):
    result = client.predict("第九十九条", 5, api_name="/search")
    assert result["results"] == [] and result["related"] == []
    assert result["lookup"] == {"kind": "clause", "value": "99", "found": False}
    assert "no clause numbered 99" in result["message"]
    found = client.predict("(18)", 5, api_name="/search")
    assert [r["id"] for r in found["results"]] == ["pbc-2022-60:18"] and len(found["related"]) == 4


def test_ask_resolves_a_follow_up_from_earlier_questions(client):
    answer = client.predict("那第十五条呢？", "", "第十三条讲了什么？", api_name="/ask")
    assert [c["id"] for c in answer["citations"]] == ["pbc-2022-60:15"]
    chained = client.predict("那第十八条呢？", "", '["第十三条讲了什么？", "那第十五条呢？"]', api_name="/ask")
    assert [c["id"] for c in chained["citations"]] == ["pbc-2022-60:18"]
