"""Input contracts (issue 14, point 8): one validator for the CLI and the API, read verbs never create a KB,
a file given as --kb is named as such, app users never see server paths, and the same bytes under another
name are one document."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kb_helpers import EN_RULE, EN_RULE_TXT, run_cli, settings_for
from policykb.app.contracts import check_k, check_lang
from policykb.errors import ConfigError



@pytest.mark.parametrize("value, message", [
    (0, "k 0 must be at least 1"), (-1, "k -1 must be at least 1"), ("0", "k '0' must be at least 1"),
    (101, "k 101 must be at most 100"), ("many", "k 'many' is not a whole number"), (2.5, "k 2.5 is not a whole number"),
    (True, "k True is not a whole number"),
])
def test_k_outside_1_to_100_is_refused(value: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_k(value)
    assert str(caught.value).startswith(message)


def test_k_and_lang_accept_what_they_should() -> None:
    assert [check_k(v) for v in (None, "", 1, "7", 100, 3.0)] == [None, None, 1, 7, 100, 3]
    assert [check_lang(v) for v in (None, "", "en", "zh", "ZH ")] == [None, None, "en", "zh", "zh"]
    for bad in ("fr", "english", 3):
        with pytest.raises(ConfigError, match='use "en" or "zh"'):
            check_lang(bad)


@pytest.mark.parametrize("args, fragment", [
    (["search", "x", "-k", "101"], "must be at most 100"),
    (["search", "x", "--lang", "fr"], "'fr' is not a language of the KB"),
])
def test_the_cli_uses_the_same_rules(args: list[str], fragment: str) -> None:
    run = run_cli(args)
    assert run.code == 2 and fragment in run.err and "Traceback" not in run.err


READS = [["clauses"], ["search", "green credit"], ["ask", "When is the report due?"], ["documents"],
         ["eval", "--gold", "{gold}"], ["check"], ["remove", "some-doc"]]


@pytest.mark.parametrize("args", READS, ids=[a[0] for a in READS])
def test_a_read_verb_on_a_missing_kb_says_so_and_creates_nothing(tmp_path: Path, args: list[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g1", "question": "q", "lang": "en", "gold": [], "facts": [], "answerable": False}) + "\n")
    missing = tmp_path / "no-such-kb"
    run = run_cli([a.replace("{gold}", str(gold)) for a in args] + ["--kb", str(missing)], timeout=120)
    assert run.code == 2, run
    assert run.err.strip() == (f"error: --kb {str(missing)!r} does not exist; check the path, or create the KB with "
                               f"`policykb ingest PATH --kb {missing}`")
    assert not missing.exists()


@pytest.mark.parametrize("args", [["search", "green credit"], ["documents"], ["ingest", str(EN_RULE_TXT)]])
def test_a_file_given_as_kb_gets_a_clear_message(tmp_path: Path, args: list[str]) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("not a KB\n")
    run = run_cli(args + ["--kb", str(not_a_folder)], timeout=120)
    assert run.code == 2, run
    assert "is a file, not a folder" in run.err and "unexpected" not in run.err and "Traceback" not in run.err
    assert not_a_folder.read_text() == "not a KB\n"


def test_the_same_bytes_under_another_name_are_one_document(en_rule_kb_dir: Path, tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    shutil.copytree(en_rule_kb_dir, kb_dir)
    again = tmp_path / "uploads" / "green-credit-copy.txt"
    again.parent.mkdir()
    shutil.copyfile(EN_RULE_TXT, again)
    twice = tmp_path / "uploads" / "and-again.txt"
    shutil.copyfile(EN_RULE_TXT, twice)
    run = run_cli(["ingest", str(again), str(twice), "--kb", str(kb_dir), "--json"], timeout=300)
    assert run.code == 0, run.err
    report = run.json()
    assert (report["added"], report["unchanged"], report["embedded"]) == (0, 2, 0)
    assert {d["doc_id"] for d in report["documents"]} == {EN_RULE}
    assert all(f"as document {EN_RULE!r}; not added again" in d["error"] for d in report["documents"])
    documents = run_cli(["documents", "--kb", str(kb_dir), "--json"]).json()
    assert [d["doc_id"] for d in documents] == [EN_RULE]
    changed = tmp_path / "uploads" / "green-credit-v2.txt"
    changed.write_text(EN_RULE_TXT.read_text(encoding="utf-8") + "\nArticle 99 A new article added later.\n", encoding="utf-8")
    assert run_cli(["ingest", str(changed), "--kb", str(kb_dir), "--json"]).json()["added"] == 1  # other bytes: a new document


def test_app_uploads_recognise_content_and_never_show_server_paths(en_rule_kb_dir: Path, tmp_path: Path) -> None:
    from policykb.app.context import AppContext, hide_paths
    from policykb.app.ui_documents import ingest_files
    from policykb.kb import KnowledgeBase

    kb_dir = tmp_path / "kb"
    shutil.copytree(en_rule_kb_dir, kb_dir)
    settings = settings_for(kb_dir)
    kb = KnowledgeBase(settings)
    try:
        ctx = AppContext(settings=settings, kb=kb)
        browser = tmp_path / "browser"
        browser.mkdir()
        first = browser / "dup.txt"
        first.write_text("Rules on Duplicate Names (Test)\n\nArticle 1 The first text of dup.\n\nArticle 2 More.\n", encoding="utf-8")
        rows, _ = ingest_files(ctx, [first], "alice")
        assert rows[0]["status"] == "added" and rows[0]["doc_id"] == "dup"
        renamed = browser / "renamed-copy.txt"
        shutil.copyfile(EN_RULE_TXT, renamed)
        rows, _ = ingest_files(ctx, [renamed], "alice")
        assert (rows[0]["status"], rows[0]["doc_id"]) == ("unchanged", EN_RULE)
        other = tmp_path / "elsewhere"
        other.mkdir()
        clash = other / "dup.txt"  # the same name (doc id), other content
        clash.write_text("Other Rules (Test)\n\nArticle 1 Another text altogether.\n", encoding="utf-8")
        rows, _ = ingest_files(ctx, [clash], "bob")
        assert rows[0]["status"] == "failed" and "document id 'dup' is already used by dup.txt" in rows[0]["error"]
        for row in rows:
            assert str(tmp_path) not in row["error"] and "/uploads/" not in row["error"]
        assert sorted(d.doc_id for d in kb.documents()) == sorted([EN_RULE, "dup"])
    finally:
        kb.close()
    assert hide_paths("cannot read /srv/policykb/kb/uploads/x/a.txt (see http://host:8000/api/v2)") == \
        "cannot read a.txt (see http://host:8000/api/v2)"
