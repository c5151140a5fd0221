"""The same core search behaviour through a real `chroma run` server (--chroma-url), and a clear one-line
error when the server is down."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb_helpers import CHINESE, CORPUS, ENGLISH, LOOKUPS, OPINIONS, free_port, op, run_cli, settings_for

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server_kb_dir(chroma_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus ingested with its vectors on the Chroma server (manifest and lexical index stay local)."""
    from policykb.kb import KnowledgeBase

    kb_dir = tmp_path_factory.mktemp("server-kb") / "kb"
    kb = KnowledgeBase(settings_for(kb_dir, chroma_url=chroma_server))
    report = kb.ingest([CORPUS])
    kb.close()
    assert (report.added, report.failed, report.embedded) == (1, 0, 31), report
    return kb_dir


@pytest.fixture(scope="module")
def server_kb(server_kb_dir: Path, chroma_server: str):
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(settings_for(server_kb_dir, chroma_url=chroma_server))
    yield kb
    kb.close()


def test_vectors_live_on_the_server(server_kb_dir: Path, server_kb, chroma_server: str) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    assert not (server_kb_dir / "chroma").exists()  # nothing embedded locally
    host, port = chroma_server.rsplit("//", 1)[1].split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))
    kb_id = server_kb.manifest.kb_id
    counts = {c.name: c.count() for c in client.list_collections() if c.name.startswith(f"pkb-{kb_id}-")}
    rows = server_kb.manifest.clause_rows()
    assert counts == {f"pkb-{kb_id}-clauses-en": 31, f"pkb-{kb_id}-sentences-en": sum(r.n_sentences for r in rows)}


@pytest.mark.parametrize("query,number", LOOKUPS[:7])
def test_lookups_through_the_server(server_kb, query: str, number: int) -> None:
    result = server_kb.search(query, 5)
    assert result.lookup == "clause"
    assert result.hits[0].clause.id == op(number)


@pytest.mark.parametrize("query", ["Which clauses mention Ningbo?", "哪些条款提到宁波"])
def test_mentions_through_the_server(server_kb, query: str) -> None:
    result = server_kb.search(query, 1)
    assert result.lookup == "mentions"
    assert {h.clause.id for h in result.hits[:2]} == {op(12), op(20)}


@pytest.mark.parametrize("query,number", [ENGLISH[0], CHINESE[0], ENGLISH[4], CHINESE[5]])
def test_topical_queries_through_the_server(server_kb, query: str, number: int) -> None:
    result = server_kb.search(query, 3)
    assert result.hits[0].clause.id == op(number)
    assert result.hits[0].signals["dense_sentence"] > 0  # the server's vectors took part


def test_reingest_through_the_server_embeds_nothing(server_kb_dir: Path, chroma_server: str) -> None:
    run = run_cli(["ingest", CORPUS, "--kb", server_kb_dir, "--chroma-url", chroma_server, "--json"])
    assert run.code == 0, run.err
    data = run.json()
    assert (data["embedded"], data["unchanged"], data["added"]) == (0, 1, 0)


def test_cli_search_through_the_server(server_kb_dir: Path, chroma_server: str) -> None:
    run = run_cli(["search", "储蓄国债下乡", "--kb", server_kb_dir, "--chroma-url", chroma_server, "--json", "-k", "3"])
    assert run.code == 0, run.err
    assert run.json()["results"][0]["id"] == op(18)


@pytest.mark.parametrize(
    "args",
    [
        ["search", "charitable trusts"],
        ["search", "第十二条", "--json"],
        ["ingest", str(CORPUS)],
        ["clauses", "--doc", OPINIONS],
    ],
)
def test_server_down_is_one_clear_line(kb_copy: Path, args: list[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    run = run_cli([*args, "--kb", kb_copy, "--chroma-url", url])
    assert run.code == 1
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert url in lines[0] and "chroma run" in lines[0]
    assert "Traceback" not in run.err
    assert run.out == ""
