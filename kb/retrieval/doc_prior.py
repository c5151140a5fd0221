"""A document prior from the question's match against document titles, for KBs of many documents.

Staff name the subject of the rule they mean ("deposit insurance", "personal information",
"commercial banks"); that subject is the title of one document (存款保险条例, 个人信息保护法,
商业银行法). The question's tokens, with their glossary and dictionary renderings, are matched
against each document's title tokens (title, and short or translated titles where metadata
gives them). Title tokens shared by half the documents or more (中华人民共和国, 法) say nothing
about which one is meant and are left out; the others weigh by their rarity among titles. A
document's prior is the share of its distinctive title weight the question covers, above a
floor, so a passing word ("bank") does not move a question to a whole document.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

from policykb.kb.index.tokenize import tokenize

__all__ = ["TitlePrior", "TITLE_FLOOR"]

# Tuned on goldA corpus5.jsonl, a dev set of 40 English questions over the four Chinese rules and
# eval/gold/opinions.jsonl (grid 0.0 / 0.2 / 0.35): 0.2 kept the Opinions' Chinese questions at their
# figure while English questions over the rules gained; without a floor any shared word moved documents.
TITLE_FLOOR = 0.2


class TitlePrior:
    """Title tokens of each document, ready to score questions."""

    def __init__(self, titles: Mapping[str, Sequence[str]]) -> None:
        self._tokens = {doc: frozenset(t for title in names if title for t in tokenize(title)) for doc, names in titles.items()}
        n = len(self._tokens)
        df: dict[str, int] = {}
        for tokens in self._tokens.values():
            for t in tokens:
                df[t] = df.get(t, 0) + 1
        # Distinctive tokens only: in fewer than half the titles (all of them when there is one document).
        self._weight = {t: math.log(1 + n / c) for t, c in df.items() if n == 1 or c < n / 2}
        self._mass = {doc: sum(self._weight.get(t, 0.0) for t in tokens) for doc, tokens in self._tokens.items()}

    def __bool__(self) -> bool:
        return len(self._tokens) > 1

    def scores(self, token_weights: Mapping[str, float]) -> dict[str, float]:
        """Document → prior in [0, 1] for a question's weighted tokens (absent documents: 0)."""
        out: dict[str, float] = {}
        for doc, tokens in self._tokens.items():
            mass = self._mass[doc]
            if mass <= 0:
                continue
            got = sum(min(token_weights.get(t, 0.0), 1.0) * self._weight.get(t, 0.0) for t in tokens)
            share = got / mass
            if share > TITLE_FLOOR:
                out[doc] = (share - TITLE_FLOOR) / (1.0 - TITLE_FLOOR)
        return out
