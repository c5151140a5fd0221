"""The typed tuning config: every value documented with its source; tuning.json overlays and validates."""
from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from policykb.errors import ConfigError
from policykb.kb.config import DEFAULT_TUNING, TuningConfig, describe, load_tuning, parse_tuning, save_tuning


def test_every_field_has_help_and_source() -> None:
    def walk(cls_or_obj: object) -> None:
        for f in fields(cls_or_obj):
            if f.name in ("sources", "path") and isinstance(cls_or_obj, TuningConfig):
                continue
            value = getattr(cls_or_obj, f.name)
            if f.metadata:
                assert f.metadata.get("help") and f.metadata.get("source"), f.name
            if is_dataclass(value):
                walk(value)

    for part in (DEFAULT_TUNING.retrieval, DEFAULT_TUNING.abstain, DEFAULT_TUNING.confidence, DEFAULT_TUNING.answer):
        walk(part)
    rows = list(describe())
    assert all(help and source for _path, _value, help, source in rows)
    assert ("abstain.pairs.zh-zh.sure", 0.895) in {(p, v) for p, v, _h, _s in rows}


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_tuning(tmp_path) is DEFAULT_TUNING


def test_a_saved_tuning_round_trips_with_its_sources(tmp_path: Path) -> None:
    tuned = parse_tuning({"values": {"retrieval": {"same_language": {"bridge": 0.55}}, "confidence": {"margin": 0.1},
                                     "abstain": {"pairs": {"en-zh": {"sure": 0.9}}}},
                          "sources": {"confidence.margin": "fitted on my.jsonl"}})
    save_tuning(tmp_path, tuned, {"rows": 40})
    loaded = load_tuning(tmp_path)
    assert loaded.retrieval.same_language.bridge == 0.55 and loaded.retrieval.same_language.lexical == 0.15
    assert loaded.confidence.margin == 0.1 and loaded.abstain.pairs["en-zh"].sure == 0.9
    assert loaded.abstain.pairs["zh-zh"] == DEFAULT_TUNING.abstain.pairs["zh-zh"]
    assert loaded.source_of("confidence.margin") == "fitted on my.jsonl"
    assert loaded.source_of("confidence.other_doc_margin") == DEFAULT_TUNING.source_of("confidence.other_doc_margin")
    assert json.loads((tmp_path / "tuning.json").read_text())["calibration"] == {"rows": 40}


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("{not json", "is not valid JSON"),
        ('{"values": {"retrieval": {"speed": 1}}}', "values.retrieval: unknown key(s) ['speed']"),
        ('{"values": {"answer": {"k": 0}}}', "values.answer.k must be a whole number of at least 1, got 0"),
        ('{"values": {"answer": {"k": 2.5}}}', "values.answer.k must be a whole number"),
        ('{"values": {"confidence": {"margin": "high"}}}', 'values.confidence.margin must be a number, got "high"'),
        ('{"values": {"speed": {}}}', "unknown section(s) ['speed']"),
        ('[1, 2]', "expected a JSON object"),
        ('{"format": 9}', "format 9 is not 1"),
    ],
)
def test_a_bad_tuning_file_names_the_file_and_the_key(tmp_path: Path, text: str, fragment: str) -> None:
    (tmp_path / "tuning.json").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_tuning(tmp_path)
    assert fragment in str(err.value) and "tuning.json" in str(err.value)
