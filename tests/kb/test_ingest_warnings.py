"""An ingest names each document's numbering gaps: in the report and on stderr, never silently."""
from __future__ import annotations

from pathlib import Path


from kb_helpers import run_cli, settings_for


def test_gaps_are_in_the_report_and_on_stderr(tmp_path: Path) -> None:
    from policykb.kb import KnowledgeBase

    rule = tmp_path / "docs" / "gappy.txt"
    rule.parent.mkdir()
    rule.write_text("第一条 银行应当报告。\n第二条 银行应当披露。\n第一千零一条 本办法自公布之日起施行。\n", encoding="utf-8")
    kb = KnowledgeBase(settings_for(tmp_path / "kb"))
    try:
        report = kb.ingest([rule])
    finally:
        kb.close()
    (doc,) = report.documents
    assert (doc.status, doc.clauses) == ("added", 3)
    assert doc.warnings == ("clause numbering has gaps: 3–1000 missing (between 2 and 1001); check that no clause marker was lost or mistyped",)
    run = run_cli(["ingest", rule, "--kb", tmp_path / "kb"])
    assert run.code == 0
    assert "warning: gappy: clause numbering has gaps: 3–1000 missing (between 2 and 1001)" in run.err
