"""Paths: the folder walk never follows a link out of the folder it was given, says so in one line per
link, and keeps ingesting the rest; hostile file names stay one inert line; metadata files cannot be
links to files elsewhere."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policykb.errors import CorruptFileError
from policykb.ingest import discover_files, load_document
from policykb.ingest.metadata import MAX_SIDECAR_BYTES
from policykb.settings import Settings

POLICYKB = Path(sys.executable).parent / "policykb"
SECRET = "TOP-SECRET-91c2"
RULE = "Sample Kiosk Rules\n\nArticle 1 Kiosks open on market days.\n\nArticle 2 Staff explain the redemption terms.\n"


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A folder with one good document and every kind of link out of it (and a loop)."""
    outside = tmp_path / "outside"
    (outside / "private").mkdir(parents=True)
    (outside / "secret.txt").write_text(f"Article 1 {SECRET}.\n", encoding="utf-8")
    (outside / "private" / "more.txt").write_text(f"Article 1 {SECRET} again.\n", encoding="utf-8")
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "kiosk-rules.txt").write_text(RULE, encoding="utf-8")
    os.symlink(outside / "secret.txt", root / "link-out.txt")
    os.symlink(outside / "private", root / "sub" / "private-dir")
    os.symlink(root / "link-out.txt", root / "sub" / "chain.txt")  # inside → inside → outside
    os.symlink("../../outside/secret.txt", root / "sub" / "relative.txt")
    os.symlink(root / "loop-b.txt", root / "loop-a.txt")
    os.symlink(root / "loop-a.txt", root / "loop-b.txt")
    os.symlink(root / "kiosk-rules.txt", root / "sub" / "alias.txt")  # stays inside: deduplicated, no note
    return root


def test_the_walk_skips_every_link_out_of_the_folder_with_one_line_each(tree: Path) -> None:
    files, notes = discover_files([tree])
    assert files == [tree / "kiosk-rules.txt"]
    assert all("\n" not in n for n in notes)
    by_name = {n.split(": skipped", 1)[0]: n for n in notes}
    for link in ("link-out.txt", "sub/private-dir", "sub/chain.txt", "sub/relative.txt"):
        note = by_name[str(tree / link)]
        assert "symbolic link to" in note and "outside" in note and str(tree.parent / "outside") in note, note
    for link in ("loop-a.txt", "loop-b.txt"):
        assert "loops back on itself" in by_name[str(tree / link)]
    assert str(tree / "sub" / "alias.txt") not in by_name and len(notes) == 6


def test_a_link_named_explicitly_is_followed(tree: Path) -> None:
    files, notes = discover_files([tree / "link-out.txt"])
    assert files == [tree / "link-out.txt"] and notes == []


def test_hostile_file_names_are_one_inert_line(tmp_path: Path) -> None:
    root = tmp_path / "names"
    root.mkdir()
    for name in ("evil\nname\x1b[31m.xlsx", "rtl\u202etxt.exe", "ok.txt"):
        (root / name).write_text("Article 1 Text.", encoding="utf-8")
    bad = os.fsencode(root) + b"/latin1-\xe9.txt"
    with open(bad, "wb") as out:
        out.write(b"Article 1 Text.")
    files, notes = discover_files([root])
    assert [p.name for p in files] == ["ok.txt"]
    assert len(notes) == 3 and all(n.isprintable() for n in notes), notes
    joined = "\n".join(notes)
    assert "evil\\nname\\x1b[31m.xlsx: skipped (unsupported type" in joined
    assert "rtl\\u202etxt.exe: skipped" in joined
    assert "latin1-\\udce9.txt: skipped (its name is not valid UTF-8; rename it)" in joined


def test_a_metadata_file_linked_from_elsewhere_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "config.json").write_text(json.dumps({"title": "T", "api_token": SECRET}), encoding="utf-8")
    doc = tmp_path / "docs" / "rules.txt"
    doc.parent.mkdir()
    doc.write_text(RULE, encoding="utf-8")
    os.symlink(tmp_path / "elsewhere" / "config.json", doc.parent / "rules.meta.json")
    with pytest.raises(CorruptFileError) as info:
        load_document(doc, Settings.from_env(env={}))
    message = str(info.value)
    assert message.startswith("rules.txt: its metadata file rules.meta.json is a symbolic link") and SECRET not in message


def test_an_oversized_metadata_file_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "rules.txt"
    doc.write_text(RULE, encoding="utf-8")
    (tmp_path / "rules.meta.json").write_text(json.dumps({"title": "x" * MAX_SIDECAR_BYTES}), encoding="utf-8")
    with pytest.raises(CorruptFileError, match=r"rules.txt: its metadata file rules.meta.json is [\d,]+ bytes"):
        load_document(doc, Settings.from_env(env={}))


@pytest.mark.slow
def test_cli_ingest_of_a_folder_says_so_per_link_and_ingests_the_rest(tree: Path, tmp_path: Path) -> None:
    (tree / "evil\nname.txt").write_text("Article 1 Text with a hostile name.\n", encoding="utf-8")
    kb = tmp_path / "kb"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "POLICYKB_HOME": str(kb)}
    done = subprocess.run([str(POLICYKB), "ingest", str(tree)], capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    skipped = [line for line in done.stderr.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 6, done.stderr
    assert sum("outside" in line for line in skipped) == 4 and sum("loops back" in line for line in skipped) == 2
    assert "Traceback" not in done.stderr
    assert "2 added" in done.stdout and "evil\\x0aname.txt" in done.stdout  # the hostile name printed on one line
    listed = subprocess.run([str(POLICYKB), "clauses", "--json"], capture_output=True, text=True, timeout=600, env=env)
    clauses = json.loads(listed.stdout)
    assert {c["doc_id"] for c in clauses} == {"kiosk-rules", "evil-name"}
    assert SECRET not in listed.stdout
