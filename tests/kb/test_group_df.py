"""CorpusStats.group_df counts what group_in finds, text by text, without running the patterns on every text."""
from __future__ import annotations

import random

from policykb.ingest.model import Clause
from policykb.kb.answer.evidence import CorpusStats, group_in

_WORDS = ["bank", "Banks", "BANK-level", "banking", "loan", "loans", "e-CNY", "savings bond", "Savings Bonds",
          "KELVIN", "\u212aelvin", "\u0130nsurance", "ınsurance", "cla\u017fs", "class", "存款保险", "存款", "保险",
          "数字人民币", "(12)", "rate.", "risk-based", "low-carbon", "carbon", ""]
_GROUPS = [("bank",), ("Bank",), ("savings bond", "储蓄国债"), ("e-CNY", "数字人民币"), ("insurance",),
           ("class",), ("kelvin",), ("存款",), ("carbon",), ("rate",), ("risk",), ("bank", "loan", "保险"), ("(12)",)]


def _clause(i: int, text: str) -> Clause:
    return Clause(id=f"d:{i}", doc_id="d", section="", section_title="", number=str(i), label=f"({i})", title="", text=text)


def test_group_df_equals_the_pattern_count_on_every_text() -> None:
    rng = random.Random(7)
    texts = [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 12))) for _ in range(400)]
    stats = CorpusStats([_clause(i, t) for i, t in enumerate(texts)])
    for group in _GROUPS:
        assert stats.group_df(group) == sum(1 for t in texts if group_in(group, t)), group


def test_a_text_holding_the_separator_is_counted_the_plain_way() -> None:
    texts = ["bank\x00loan", "loan", "banks"]
    stats = CorpusStats([_clause(i, t) for i, t in enumerate(texts)])
    assert stats.group_df(("bank",)) == sum(1 for t in texts if group_in(("bank",), t)) == 2
