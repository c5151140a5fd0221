"""Clause numbers of any size, and the numbering check that names gaps and jumps."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policykb.app.cli import main
from policykb.ingest import int_to_chinese, load_document, parse_text
from policykb.ingest.markers import ARTICLE, AR_DOT, classify
from policykb.ingest.numbering import gap_warnings
from policykb.settings import Settings

N = 10_000


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.from_env(env={})


@pytest.mark.parametrize("style", ["dot", "article"])
def test_a_file_of_ten_thousand_clauses_parses_into_ten_thousand(style: str, settings: Settings, tmp_path: Path) -> None:
    if style == "dot":
        lines = [f"{n}. Banks shall keep register entry {n} for five years." for n in range(1, N + 1)]
    else:
        lines = [f"第{int_to_chinese(n)}条 银行应当保存第{n}号登记簿五年。" for n in range(1, N + 1)]
    path = tmp_path / f"big-{style}.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = load_document(path, settings)
    clauses = doc.clauses
    assert len(clauses) == N
    assert [c.number for c in clauses] == [str(n) for n in range(1, N + 1)]
    assert doc.warnings == ()
    last = clauses[-1]
    assert last.label == ("10000." if style == "dot" else "第一万条")
    assert "\n" not in clauses[998].text and "\n" not in last.text  # clause 999 swallows nothing
    if style == "article":
        assert clauses[1000].label == "第一千零一条" and clauses[102].label == "第一百零三条"


@given(st.integers(min_value=1, max_value=10**9))
def test_markers_of_any_size(n: int) -> None:
    article = classify(f"第{int_to_chinese(n)}条 内容。")
    assert article is not None and (article.kind, article.number) == (ARTICLE, n)
    assert classify(f"第{n}条 内容。").number == n
    dot = classify(f"{n}. Text.")
    assert dot is not None and (dot.kind, dot.number) == (AR_DOT, n)
    assert classify(f"Article {n} Text.").number == n


def test_gaps_and_jumps_are_named_in_a_warning() -> None:
    numbers = [1, 2, 3, 7, 8, 1000, 1001]
    text = "\n".join(f"第{int_to_chinese(n)}条 银行应当报告。" for n in numbers)
    doc = parse_text(text, doc_id="gap")
    assert [c.number for c in doc.clauses] == [str(n) for n in numbers]
    (warning,) = doc.warnings
    assert "4–6 missing (between 3 and 7)" in warning and "9–999 missing (between 8 and 1000)" in warning


def test_a_numbering_that_starts_late_is_named() -> None:
    doc = parse_text("(3) Three. Body.\n(4) Four. Body.", doc_id="late")
    assert doc.warnings == ("clause numbering has gaps: 1–2 missing (before 3); check that no clause marker was lost or mistyped",)


def test_a_jump_that_the_numbering_does_not_follow_is_text_not_a_clause() -> None:
    doc = parse_text("(1) One. Body.\n(2) Two. Body:\n(2022) a year at the start of a line.\n(3) Three. Body.", doc_id="yr")
    assert [c.number for c in doc.clauses] == ["1", "2", "3"]
    assert "(2022) a year" in doc.clauses[1].text
    assert any("'(2022)'" in w and "breaks the numbering" in w for w in doc.warnings)


def test_many_gaps_are_summarised() -> None:
    warning = gap_warnings(list(range(1, 100, 2)))[0]
    assert warning.count("missing") == 10 and "and 39 more gaps" in warning
    assert gap_warnings([1, 2, 3]) == [] and gap_warnings([]) == []


def test_restarting_numbering_checks_each_section() -> None:
    doc = parse_text("一、甲\n（一）子。内容。\n（三）丑。内容。\n二、乙\n（一）寅。内容。\n（二）卯。内容。", doc_id="rs")
    assert [c.number for c in doc.clauses] == ["1.1", "1.3", "2.1", "2.2"]
    assert any(w.startswith("section 一、: clause numbering has gaps: 2 missing") for w in doc.warnings)


def test_parse_prints_the_gap_warning_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gappy.txt"
    path.write_text("第一条 甲。\n第二条 乙。\n第五条 丙。\n", encoding="utf-8")
    assert main(["parse", str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning: clause numbering has gaps: 3–4 missing (between 2 and 5)" in err
