"""An English question over Chinese clauses is sure only when enough retrieval signals rank its top clause first."""
from __future__ import annotations

from dataclasses import replace

from policykb.ingest.model import Clause
from policykb.kb.answer.abstain import Evidence
from policykb.kb.answer.respond import unsure_why
from policykb.kb.config import DEFAULT_TUNING
from policykb.kb.model import Hit

_PROBATION = "劳动合同期限三个月以上不满一年的，试用期不得超过一个月。"


def _hit(cos: float) -> Hit:
    clause = Clause(id="law:19", doc_id="law", section="1", section_title="", number="19", label="第十九条", title="",
                    text=_PROBATION, items=(), refs=(), lang="zh", sha256="")
    return Hit(clause=clause, score=1.0, signals={"dense_sentence": cos}, sentences=((clause.text, cos),))


def _evidence(agreed: int, *, rendered: bool = True, pair: str = "en-zh") -> Evidence:
    # a close cosine and every topic word found: nothing else makes the answer unsure
    return Evidence(sent_cos=0.93, cross=pair[:2] != pair[3:], topic_words=2, supported=2, unknown=0, pair=pair,
                    rendered=rendered, agreed=agreed)


def test_a_translated_match_is_sure_only_when_three_signals_agree() -> None:
    hit = _hit(0.93)
    assert DEFAULT_TUNING.confidence.sure_agree == 3
    assert unsure_why([hit], [hit], _evidence(3), DEFAULT_TUNING) == ""
    assert unsure_why([hit], [hit], _evidence(4), DEFAULT_TUNING) == ""
    why = unsure_why([hit], [hit], _evidence(2), DEFAULT_TUNING)
    assert "only 2 of the four retrieval signals rank the best clause first" in why
    assert "only 1 of the four retrieval signals ranks" in unsure_why([hit], [hit], _evidence(1), DEFAULT_TUNING)
    assert "none of the four retrieval signals ranks" in unsure_why([hit], [hit], _evidence(0), DEFAULT_TUNING)


def test_the_rule_reads_translated_matches_only() -> None:
    hit = _hit(0.93)
    # a Chinese question over Chinese clauses, or any question whose words were not read through renderings
    assert unsure_why([hit], [hit], _evidence(0, rendered=False, pair="zh-zh"), DEFAULT_TUNING) == ""
    assert unsure_why([hit], [hit], _evidence(0, rendered=False), DEFAULT_TUNING) == ""


def test_the_setting_moves_the_bar() -> None:
    hit = _hit(0.93)
    never = replace(DEFAULT_TUNING, confidence=replace(DEFAULT_TUNING.confidence, sure_agree=5))
    assert unsure_why([hit], [hit], _evidence(4), never) != ""  # five of four signals: never sure
    loose = replace(DEFAULT_TUNING, confidence=replace(DEFAULT_TUNING.confidence, sure_agree=1))
    assert unsure_why([hit], [hit], _evidence(1), loose) == ""
