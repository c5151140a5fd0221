"""What kind of figure a question asks for, and whether a text states a figure of that kind.

A question that asks "how long", "多少钱" or "百分之多少" is answered only by a clause stating a
duration, a sum or a share. A clause that states some other number ("第三款", "两个以上") does
not answer it: near-domain questions the documents do not cover ("银行员工产假有多少天？", "What is
the stamp duty rate on share trades?") find clauses on the same subject that state figures of
another kind, or none. Kinds are general units of measure in both languages, not any document's
words. A question asking for a figure of no recognised kind ("how many banks …") is left to the
plainer check of :func:`policykb.kb.answer.abstain.states_number`.

The same test serves retrieval (:class:`FigureClauses`): a question asking for a kind of figure is answered by a
clause stating one, so such clauses get a small lift (the expected answer type of a question), enough to choose
between neighbouring articles on its subject ("最低限额为十亿元" vs "资本充足率不得低于百分之八" for a ratio), not to
bring in a clause on another subject.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

from policykb.ingest.model import Clause

__all__ = ["KIND_NAMES", "asked_kinds", "states_kind", "kinds_text", "FigureClauses"]

# bounded runs: a search over a long run of numerals stays linear in the text's length
_ZH_NUM = r"(?:\d[\d,，.]{0,24}|[零〇一二三四五六七八九十百千万亿两半]{1,12})"
_EN_NUM = (r"(?:\d[\d,.]{0,24}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
           r"forty|fifty|sixty|ninety|hundred|thousand|million|billion)")

# a share of something, which also states a sum (每日万分之五, 10% of the loan); and a multiple (三倍)
_SHARE_OF = rf"百分之{_ZH_NUM}|{_ZH_NUM}\s*(?:%|％|分之)|\d\s*%|\bper\s*cent\b|\bpercent\b"
_MULTIPLE = rf"{_ZH_NUM}\s*倍"

# kind → (what a question asking for it says, how a text states it)
_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "duration": (
        re.compile(r"多久|多长时间|多长的时间|几(?:个)?(?:天|日|月|年|周|星期|小时)|多少(?:个)?(?:天|日|月|年|周|小时)|期限(?:是|为)多"
                   r"|\bhow\s+(?:long|many\s+(?:\w+\s+)?(?:days|weeks|months|years|hours))\b|\bwithin\s+what\s+(?:time|period)\b"
                   r"|\bwhat\s+is\s+the\s+(?:time\s+limit|deadline|period)\b", re.I),
        re.compile(rf"{_ZH_NUM}\s*(?:个)?(?:工作日|日|天|周|星期|个月|月|年|小时|季度)|当日|当天|即时|立即|及时|随时"
                   r"|最(?:短|长)(?:的)?(?:时间|期限)|合理(?:的)?期限"
                   rf"|\b{_EN_NUM}[\s-]+(?:working\s+|business\s+|calendar\s+)?(?:days?|weeks?|months?|years?|hours?)\b"
                   r"|\b(?:immediately|promptly|without\s+delay|(?:shortest|minimum|maximum|reasonable)\s+(?:time|period))\b", re.I),
    ),
    "money": (
        re.compile(r"多少钱|多少元|几(?:万|千|百)?元|罚(?:款)?多少|赔(?:偿)?多少|赔多少|补偿多少|多少(?:罚款|赔偿|补偿|工资|钱)"
                   r"|\bhow\s+much\s+(?:money|is\s+the\s+fine|compensation|do\s+(?:i|they|we)\s+(?:get|pay|receive)|will)"
                   r"|\bwhat(?:'s|\s+is|\s+are)?\s+(?:the\s+)?(?:[\w-]+\s+){0,4}(?:fine|compensation|amount|payout|sum)s?"
                   r"(?=\s+(?:for|in|on|at|that|paid|payable)\b|\s*[?？]|\s*$)", re.I),
        # a sum may be stated as a multiple or a share of another
        re.compile(rf"{_ZH_NUM}\s*(?:元|万元|亿元|块)|{_MULTIPLE}|{_ZH_NUM}\s*个月(?:的)?(?:工资|月薪)|{_SHARE_OF}"
                   rf"|(?:yuan|rmb|usd|\$|¥)\s*{_EN_NUM}|\b{_EN_NUM}\s+(?:yuan|rmb|dollars?)\b|\b{_EN_NUM}\s+times\b", re.I),
    ),
    "share": (
        re.compile(r"百分之多少|百分之几|几成|多少(?:比例|比率|百分比)|(?:率|比例|比重|占比)(?:最低|最高|至少|最少|最多|一般|通常)?(?:能|可以|要|得)?(?:是|为|有|达到)?(?:多少|几)"
                   r"|\bwhat\s+(?:percentage|share|proportion)\b|\bhow\s+many\s+percent\b|\bwhat\s+per\s*cent"
                   r"|\bwhat(?:'s|\s+is|\s+are)\s+(?:the\s+)?(?:[\w-]+\s+){0,4}(?:ratio|rate|percentage|proportion)s?"
                   r"(?=\s+(?:for|of|in|on|at|that|must|should|required)\b|\s*[?？]|\s*$)", re.I),
        re.compile(rf"{_SHARE_OF}|{_ZH_NUM}\s*成|{_MULTIPLE}|\bhalf\b", re.I),
    ),
    "age": (
        re.compile(r"多少岁|几岁|多大(?:年纪|岁数)|年满多少|\bhow\s+old\b|\bwhat\s+age\b|\bat\s+what\s+age\b", re.I),
        re.compile(rf"{_ZH_NUM}\s*(?:周)?岁|\b{_EN_NUM}\s+years?\s+(?:of\s+age|old)\b|\bage\s+(?:of\s+)?\d", re.I),
    ),
}


KIND_NAMES = {"duration": "a duration", "money": "a sum of money", "share": "a share or rate", "age": "an age"}


def asked_kinds(question: str) -> frozenset[str]:
    """The kinds of figure the question asks for (empty when none is recognised)."""
    return frozenset(kind for kind, (asks, _states) in _KINDS.items() if asks.search(question))


def states_kind(text: str, kinds: frozenset[str]) -> bool:
    """Whether ``text`` states a figure of one of ``kinds`` (True when ``kinds`` is empty: nothing to check)."""
    return not kinds or any(_KINDS[kind][1].search(text) for kind in kinds if kind in _KINDS)


def kinds_text(kinds: Iterable[str]) -> str:
    """"a duration or a sum of money" for the figure kinds a question asks for."""
    return " or ".join(KIND_NAMES.get(k, "a figure") for k in kinds)


class FigureClauses:
    """Which clauses of a snapshot state a figure of each kind (each kind found once, on first use)."""

    def __init__(self, clauses: Mapping[str, Clause]) -> None:
        self._clauses = clauses
        self._found: dict[str, frozenset[str]] = {}

    def stating(self, kinds: Iterable[str]) -> frozenset[str]:
        """Ids of the clauses that state a figure of one of ``kinds``."""
        out: set[str] = set()
        for kind in kinds:
            if kind not in self._found:
                one = frozenset((kind,))
                self._found[kind] = frozenset(cid for cid, c in self._clauses.items() if kind in _KINDS and states_kind(c.text, one))
            out |= self._found[kind]
        return frozenset(out)

    def lift(self, question: str, scores: dict[str, float], bonus: float) -> dict[str, float]:
        """``scores`` with ``bonus`` added to each clause stating a figure of a kind the question asks for (the same
        dict, not a copy, when it asks for none)."""
        kinds = asked_kinds(question) if bonus else frozenset()
        if not kinds:
            return scores
        stating = self.stating(kinds)
        return {cid: v + bonus if cid in stating else v for cid, v in scores.items()}
