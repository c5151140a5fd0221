"""The bundled Opinions parse into exactly their 9 sections and 31 clauses, clean and whole."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from policykb.ingest import clean_text, load_document, parse_text
from policykb.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
OPINIONS = CORPUS / "pbc-2022-60-zhejiang-common-prosperity-opinions.txt"
ARTIFACTS = ("[bookmark: _GoBack]", " (58.390, 2.53, 4.53%)", " (5.450, -0.05, -0.91%)")
SECTION_TITLES = [
    "General requirements",
    "Optimizing the allocation of financial resources to support high-quality economic development",
    "Improve the level of cross-border financial services and promote high-standard opening up",
    "Innovate small and micro financial service models to help narrow the income gap",
    "Deepen the reform of rural finance and help the coordinated development of urban and rural areas",
    "Improve the level of financial services and promote the equalization of public services",
    "Deepen the reform of green finance and promote the construction of ecological civilization",
    "Improve financial risk prevention and control, and keep the bottom line of financial security",
    "Safeguard measures",
]
CLAUSES_PER_SECTION = [4, 4, 3, 3, 4, 4, 2, 3, 4]


@pytest.fixture(scope="module")
def raw() -> str:
    return OPINIONS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def doc():
    return load_document(OPINIONS, Settings.from_env(env={}))


def test_nine_sections_with_titles(doc) -> None:
    assert [s.number for s in doc.sections] == [str(i) for i in range(1, 10)]
    assert [s.label for s in doc.sections] == [f"{i}." for i in range(1, 10)]
    assert [s.title for s in doc.sections] == SECTION_TITLES
    assert [len(s.clauses) for s in doc.sections] == CLAUSES_PER_SECTION


def test_31_clauses_numbered_through(doc) -> None:
    clauses = doc.clauses
    assert [c.number for c in clauses] == [str(i) for i in range(1, 32)]
    assert [c.label for c in clauses] == [f"({i})" for i in range(1, 32)]
    assert [c.id for c in clauses] == [f"pbc-2022-60:{i}" for i in range(1, 32)]
    assert {c.lang for c in clauses} == {"en"}
    for section in doc.sections:
        assert {c.section for c in section.clauses} == {section.number}
        assert {c.section_title for c in section.clauses} == {section.title}
    assert doc.warnings == ()
    assert all(c.items == () and c.refs == () for c in clauses)  # "(set)" and "(58.390, …)" are not numbering


def test_clause_titles_are_heading_sentences_and_text_is_whole(doc, raw: str) -> None:
    c18 = doc.clauses[17]
    assert c18.title == "Optimizing rural basic financial services."
    assert c18.text.startswith("Optimizing rural basic financial services. Promoting the deepening reform pilot")
    assert c18.text.endswith("online banking, mobile banking, and convenience service stations.")
    for clause in doc.clauses:
        assert clause.title and clause.text.startswith(clause.title), clause.id
        line = next(ln for ln in raw.splitlines() if ln.startswith(clause.label + " "))
        for artifact in ARTIFACTS:
            line = line.replace(artifact, "")
        assert clause.text == line[len(clause.label) + 1:].replace(". , ", ". ").strip(), clause.id


def test_no_artifacts_left(doc) -> None:
    everything = "\n".join([doc.title, doc.preamble] + [c.text for c in doc.clauses])
    for bad in ("58.390", "5.450", "bookmark", "_GoBack", ". ,", ", ,", "4.53%"):
        assert bad not in everything
    assert "Digital trade capabilities" in doc.clauses[7].text
    assert "new industries, new business forms" in everything
    assert "agricultural products, cold chain warehousing" in everything


def test_every_word_kept(doc, raw: str) -> None:
    cleaned_words = re.findall(r"[\w'-]+", "\n".join([doc.preamble] + [c.text for c in doc.clauses]))
    body = raw.split("hereby offered.", 1)[0].split("(No. 60 [2022] of the People's Bank of China)", 1)[1] + "hereby offered."
    body += raw.split("hereby offered.", 1)[1]
    for artifact in ARTIFACTS:
        body = body.replace(artifact, "")
    body = re.sub(r"^\d\. .*$|^\(\d+\) ", "", body, flags=re.MULTILINE)
    assert cleaned_words == re.findall(r"[\w'-]+", body)


def test_cleaned_text_is_raw_minus_exactly_the_artifacts(raw: str) -> None:
    expected = raw
    for artifact in ARTIFACTS:
        assert artifact in expected
        expected = expected.replace(artifact, "")
    expected = expected.replace(". , Digital", ". Digital")
    expected = "\n".join(line.strip() for line in expected.split("\n")).strip()
    assert clean_text(raw) == expected


def test_preamble_title_and_number(doc, raw: str) -> None:
    assert doc.preamble.startswith("For the purposes of thoroughly implementing")
    assert doc.preamble.endswith("the following opinions are hereby offered.")
    assert doc.doc_number == "No. 60 [2022]"
    assert doc.doc_id == "pbc-2022-60"
    assert doc.extra["doc_number_zh"] == "银发〔2022〕60号"


def test_without_sidecar_metadata_comes_from_the_text(raw: str) -> None:
    doc = parse_text(raw, doc_id="opinions")
    assert doc.title.startswith("Opinions of the People's Bank of China, the China Banking")
    assert doc.title.endswith("Common Prosperity Demonstration Zone in Zhejiang")
    assert doc.doc_number == "No. 60 [2022]"
    assert doc.lang == "en"
    assert doc.preamble.startswith("For the purposes of")
    assert len(doc.clauses) == 31 and doc.clauses[0].id == "opinions:1"


def test_ids_and_hashes_stable_across_reingestion(doc) -> None:
    again = load_document(OPINIONS, Settings.from_env(env={}))
    assert [(c.id, c.sha256) for c in again.clauses] == [(c.id, c.sha256) for c in doc.clauses]
    assert again.sha256 == doc.sha256
