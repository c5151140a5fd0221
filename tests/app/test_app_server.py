"""Serve's access rules, the empty-KB start, the auth gate's public paths, uploads and the chrome strings."""
from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest

from policykb.app import i18n
from policykb.app.auth_gate import is_public_path
from policykb.app.server import check_access, ensure_corpus, is_loopback
from policykb.app.uploads import UploadLog, safe_name, stage_files
from policykb.app.users import add_user
from policykb.errors import ConfigError
from policykb.settings import Settings

APP_DIR = Path(__file__).resolve().parents[2] / "app"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.1.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("192.168.1.5", False), ("::", False), ("example.org", False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_check_access(tmp_path):
    assert check_access("127.0.0.1", None) is None
    with pytest.raises(ConfigError, match=r"refusing to listen on '0.0.0.0' without users.*policykb users add NAME --auth-file FILE"):
        check_access("0.0.0.0", None)
    path = tmp_path / "users.txt"
    add_user(path, "alice", "long-password")
    assert check_access("0.0.0.0", path) == path
    assert check_access("127.0.0.1", path) == path  # users given: sign-in on loopback too


def test_ensure_corpus_leaves_a_filled_kb_alone(corpus_kb):
    log = io.StringIO()
    assert ensure_corpus(corpus_kb, corpus_kb.settings, log) == 0
    assert log.getvalue() == ""


def test_ensure_corpus_without_a_corpus_folder_says_what_to_do(tmp_path):
    from policykb.kb import KnowledgeBase

    settings = Settings.from_env(env={}, kb_dir=tmp_path / "kb", corpus_dir=tmp_path / "no-corpus")
    log = io.StringIO()
    assert ensure_corpus(KnowledgeBase(settings), settings, log) == 0
    assert "Documents tab" in log.getvalue()


def test_ensure_corpus_fills_an_empty_kb(tmp_path):
    import shutil

    from policykb.kb import KnowledgeBase
    from policykb.settings import repo_root

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(repo_root() / "tests" / "fixtures" / "en-article-rules.txt", corpus)
    settings = Settings.from_env(env={}, kb_dir=tmp_path / "kb", corpus_dir=corpus)
    kb = KnowledgeBase(settings)
    log = io.StringIO()
    assert ensure_corpus(kb, settings, log) == 1
    assert [d.doc_id for d in kb.documents()] == ["en-article-rules"]
    assert "is empty; adding" in log.getvalue() and "1 documents added" in log.getvalue()
    assert "10 clauses are being embedded in the background" in log.getvalue()  # serve then starts the fill
    assert kb.fill_progress().embedded == 0 and kb.search("Article 4").hits[0].clause.id == "en-article-rules:4"
    assert ensure_corpus(kb, settings, log) == 0
    kb.close()


def test_run_evaluation_on_the_first_rows_of_a_bundled_gold_set(corpus_kb_dir, tmp_path):
    import shutil
    import zipfile

    from policykb.app.context import AppContext
    from policykb.app.ui_evaluate import bundled_gold_files, metrics_table, run_evaluation
    from policykb.kb import KnowledgeBase

    kb_dir = tmp_path / "kb"
    shutil.copytree(corpus_kb_dir, kb_dir)
    settings = Settings.from_env(env={}, kb_dir=kb_dir)
    ctx = AppContext(settings=settings, kb=KnowledgeBase(settings))
    gold = bundled_gold_files()
    assert "opinions.jsonl" in gold
    steps: list[tuple[int, int, str]] = []
    outcome = run_evaluation(ctx, gold["opinions.jsonl"], 2, "carol", lambda d, n, r: steps.append((d, n, r)))
    assert outcome.result.n == 2 and [s[:2] for s in steps] == [(1, 2), (2, 2)]
    assert outcome.folder.parent == kb_dir / "reports" and outcome.folder.name.endswith("-opinions-carol")
    assert {p.name for p in outcome.plots} == {"metrics_by_mode.png", "clause_coverage.png"}
    with zipfile.ZipFile(outcome.archive) as zipped:
        assert "report.md" in zipped.namelist()
    table = metrics_table(outcome.result, "zh")
    assert table["headers"][:2] == ["指标", "全部"] and table["data"][0][:2] == ["n", "2"]
    assert any(row[0] == "recall@1" for row in table["data"])
    ctx.kb.close()


@pytest.mark.parametrize("path", ["/", "/login", "/assets/index-abc.js", "/theme.css", "/favicon.ico", "/gradio_api/login_check"])
def test_login_page_paths_are_public(path):
    assert is_public_path(path)


@pytest.mark.parametrize("path", ["/config", "/gradio_api/info", "/gradio_api/call/ask", "/gradio_api/file=/etc/passwd",
                                  "/gradio_api/queue/join", "/gradio_api/upload", "/gradio_api/heartbeat/x", "/monitoring",
                                  "/gradio_api/stream/1", "/login/../config", "/assets/../config", "/assets/%2e%2e/config",
                                  "/static//etc/passwd"])
def test_everything_else_needs_a_session(path):
    assert not is_public_path(path)


@pytest.mark.parametrize(("name", "safe"), [
    ("rules.txt", "rules.txt"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\evil.docx", "evil.docx"),
    (".hidden.txt", "hidden.txt"),
    ("浙江 普惠办法.docx", "浙江_普惠办法.docx"),
    ("a;rm -rf $HOME.txt", "a_rm_-rf_HOME.txt"),
    ("..", "upload"),
    ("", "upload"),
])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


def test_stage_files_stays_in_the_folder_and_keeps_names_distinct(tmp_path):
    source = tmp_path / "in"
    (source / "a").mkdir(parents=True)
    (source / "b").mkdir()
    (source / "a" / "rule.txt").write_text("one")
    (source / "b" / "rule.txt").write_text("two")
    folder = tmp_path / "out"
    folder.mkdir()
    staged = stage_files([source / "a" / "rule.txt", source / "b" / "rule.txt"], folder)
    assert [(n, p.name) for n, p in staged] == [("rule.txt", "rule.txt"), ("rule.txt", "rule-2.txt")]
    assert all(p.parent == folder for _, p in staged) and staged[1][1].read_text() == "two"


def test_uploads_record_the_user(kb_copy):
    from policykb.app.context import AppContext
    from policykb.app.ui_documents import ingest_files
    from policykb.kb import KnowledgeBase
    from policykb.settings import repo_root

    settings = Settings.from_env(env={}, kb_dir=kb_copy)
    ctx = AppContext(settings=settings, kb=KnowledgeBase(settings))
    rows, report = ingest_files(ctx, [repo_root() / "tests" / "fixtures" / "en-article-rules.txt"], "bob")
    assert [r["status"] for r in rows] == ["added"] and report.added == 1
    logged = UploadLog(ctx.uploads_dir).rows()
    assert [(r["user"], r["name"], r["status"], r["clauses"]) for r in logged] == [("bob", "en-article-rules.txt", "added", rows[0]["clauses"])]
    assert len(logged[0]["sha256"]) == 64 and Path(logged[0]["path"]).is_file()
    ctx.kb.close()


def test_every_chrome_string_has_both_languages_and_same_fields():
    for key, (en, zh) in i18n.STRINGS.items():
        assert en.strip() and zh.strip(), key
        assert sorted(re.findall(r"{(\w+)}", en)) == sorted(re.findall(r"{(\w+)}", zh)), key
    assert i18n.t("removed", "zh", doc="d", n=i18n.tn("n_clauses", 3, "zh")) == "已删除 d（3 个条款）。"
    assert i18n.tn("n_sections", 1, "en") == "1 section" and i18n.tn("n_sections", 2, "en") == "2 sections"
    assert i18n.t("send", "中文") == "发送" and i18n.t("send", "fr") == "Send"


def test_every_string_key_used_by_the_app_exists():
    used: set[str] = set()
    for path in APP_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("t", "placeholder_html"):
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    used.add(node.args[0].value)
            if isinstance(node, ast.keyword) and node.arg in ("label", "placeholder", "value") and isinstance(node.value, ast.Constant):
                if isinstance(node.value.value, str) and node.value.value in i18n.STRINGS:
                    used.add(node.value.value)
    missing = sorted(k for k in used if k not in i18n.STRINGS)
    assert not missing and len(used) > 40


def test_app_modules_import_gradio_only_inside_functions():
    for path in APP_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                assert not any(n.split(".")[0] in ("gradio", "gradio_client", "torch", "chromadb") for n in names), path.name
