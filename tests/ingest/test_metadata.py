"""Metadata: sidecar beside the file wins over what the text says; language detection."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.ingest import detect_lang, load_document
from policykb.ingest.metadata import find_doc_number

TEXT = "Rules on Something\nNo. 7 [2021]\nIssued by: Bank A; Bureau B\n(1) One. Body one.\n(2) Two. Body two."


def test_metadata_from_text_without_sidecar(tmp_path: Path, settings) -> None:
    path = tmp_path / "rules.txt"
    path.write_text(TEXT, encoding="utf-8")
    doc = load_document(path, settings)
    assert (doc.doc_id, doc.title, doc.doc_number, doc.issuers, doc.lang) == ("rules", "Rules on Something", "No. 7 [2021]", ("Bank A", "Bureau B"), "en")
    assert doc.preamble == "Issued by: Bank A; Bureau B"
    assert doc.source_path == str(path) and doc.extra == {}


def test_sidecar_wins_and_explicit_doc_id_wins_over_it(tmp_path: Path, settings) -> None:
    path = tmp_path / "rules.txt"
    path.write_text(TEXT, encoding="utf-8")
    meta = {"doc_id": "side-id", "title": "Side title", "doc_number": "No. 1 [2020]", "issuers": ["X"], "lang": "en", "title_zh": "标题"}
    (tmp_path / "rules.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    doc = load_document(path, settings)
    assert (doc.doc_id, doc.title, doc.doc_number, doc.issuers) == ("side-id", "Side title", "No. 1 [2020]", ("X",))
    assert doc.extra == {"title_zh": "标题"}
    assert doc.clauses[0].id == "side-id:1"
    assert load_document(path, settings, doc_id="given").clauses[0].id == "given:1"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("(No. 60 [2022] of the People's Bank of China)", "No. 60 [2022]"),
        ("银发〔2022〕60号", "银发〔2022〕60号"),
        ("浙金规[2024]8号", "浙金规〔2024〕8号"),
        ("国办发〔2023〕第 15 号", "国办发〔2023〕第15号"),
        ("no number here", ""),
    ],
)
def test_doc_numbers(text: str, number: str) -> None:
    assert find_doc_number(text) == number


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("银行机构应当加强普惠金融服务。", "zh"),
        (
            "The Opinions (关于金融支持浙江高质量发展建设共同富裕示范区的意见) ask banks to lend more to small and micro "
            "enterprises in rural areas, to develop green finance and supply chain finance, and to protect the "
            "rights and interests of financial consumers across the province.",
            "en",
        ),
        ("第一条 本办法适用于 commercial banks 和 village banks。", "zh"),
        ("", "en"),
        ("12345 !!!", "en"),
    ],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang
