"""Answers name the bundled documents from their metadata: 《商业银行法》, labels as printed."""
from __future__ import annotations


import pytest

from policykb.ingest import load_document
from policykb.kb.answer.naming import clause_ref, doc_names
from policykb.kb.model import DocumentInfo
from policykb.settings import Settings, repo_root

CORPUS = repo_root() / "corpus"


def _info(doc) -> DocumentInfo:
    """What the manifest keeps of a document (as kb/index/manifest.py builds it)."""
    return DocumentInfo(doc_id=doc.doc_id, title=doc.title, doc_number=doc.doc_number, issuers=doc.issuers, lang=doc.lang,
                        source_path=doc.source_path, sha256=doc.sha256, clauses=len(doc.clauses), sections=len(doc.sections),
                        preamble=doc.preamble, warnings=doc.warnings, extra=dict(doc.extra))


@pytest.fixture(scope="module")
def corpus() -> dict:
    settings = Settings.from_env(env={})
    paths = [p for p in sorted(CORPUS.iterdir()) if p.suffix in (".txt", ".md")]
    return {d.doc_id: d for d in (load_document(p, settings) for p in paths)}


def test_all_five_documents_have_stable_ids(corpus: dict) -> None:
    assert sorted(corpus) == ["commercial-bank-law-2015", "deposit-insurance-regs-2015", "pbc-2022-60", "pbc-law-2003", "pipl-2021"]


@pytest.mark.parametrize(
    "doc_id, en, zh",
    [
        ("commercial-bank-law-2015", "《商业银行法》", "《商业银行法》"),
        ("pbc-law-2003", "《中国人民银行法》", "《中国人民银行法》"),
        ("pipl-2021", "《个人信息保护法》", "《个人信息保护法》"),
        ("deposit-insurance-regs-2015", "《存款保险条例》 (中华人民共和国国务院令第660号)", "《存款保险条例》（中华人民共和国国务院令第660号）"),
        ("pbc-2022-60", "the Opinions (No. 60 [2022])", "《意见》（No. 60 [2022]）"),
    ],
)
def test_documents_are_named_by_their_short_titles(corpus: dict, doc_id: str, en: str, zh: str) -> None:
    names = doc_names(_info(d) for d in corpus.values())
    assert names[doc_id].cite("en") == en
    assert names[doc_id].cite("zh") == zh


def test_labels_are_shown_as_printed(corpus: dict) -> None:
    article = corpus["commercial-bank-law-2015"].clauses[38]
    assert clause_ref(article, "zh") == "第三十九条"
    assert clause_ref(article, "en") == "Article 39 (第三十九条)"
    clause = corpus["pbc-2022-60"].clauses[17]
    assert clause_ref(clause, "en") == "Clause (18)"


def test_names_follow_metadata_not_code(corpus: dict) -> None:
    """Another short title in the metadata changes the name; without one, statutes drop the national prefix."""
    doc = corpus["commercial-bank-law-2015"]
    renamed = DocumentInfo(**{**_info(doc).__dict__, "extra": {"short_title": "the Banking Law", "short_title_zh": "银行法"}})
    name = doc_names([renamed])[doc.doc_id]
    assert (name.cite("en"), name.cite("zh")) == ("the Banking Law", "《银行法》")
    bare = DocumentInfo(**{**_info(doc).__dict__, "extra": {}, "title": "中华人民共和国某某法"})
    assert doc_names([bare])[doc.doc_id].cite("zh") == "《某某法》"
