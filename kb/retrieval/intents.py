"""Questions about a rule's own frame: when it takes effect, and what it was made for.

Chinese laws and rules end with an article stating when they take effect ("本法自2015年10月1日起施行",
"本办法自发布之日起施行") and usually open with one stating their purpose ("为了……，制定本法").
Staff ask exactly that ("When did the deposit insurance regulations come into force?",
"个人信息保护法什么时候施行？"), in words the article barely holds: a date question shares no word
with a date, so neither the dense nor the lexical signals find it. These are the patterns of the
kind of text, in both languages, not of any one document. A question of such an intent lifts each
document's matching clauses just above that document's best clause, so the documents keep their
order and the right document's frame article comes first.
"""
from __future__ import annotations

import re
from typing import Mapping

from policykb.ingest.model import Clause

__all__ = ["question_intent", "states_intent", "IntentClauses", "INTENT_NAMES"]

INTENT_NAMES = {"commencement": "when the rule takes effect", "purpose": "what the rule is for"}

_LAW_KIND = r"(?:法|条例|办法|规定|细则|意见|规则|决定|通知|指引|准则)"
_EN_LAW_KIND = r"(?:law|act|regulations?|rules?|measures|provisions|opinions?|guidelines?|document)"

# intent → (how a question asks for it, how a clause states it)
_INTENTS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "commencement": (
        re.compile(
            rf"{_LAW_KIND}》?(?:是|从|自)?(?:什么时候|啥时候|何时|哪天|哪一天|几号|哪年|什么时间)(?:开始|起)?(?:施行|生效|实施|执行|实行)"
            r"|(?:施行|生效|实施)(?:的)?(?:日期|时间)"
            r"|\b(?:when|what\s+date|since\s+when|from\s+what\s+date)\b.{0,120}?\b(?:(?:come|came|comes|enter|entered|enters)"
            r"\s+into\s+(?:force|effect)|(?:take|took|takes)\s+effect|become\s+effective|became\s+effective|in\s+force)\b"
            r"|\b(?:effective|commencement)\s+date\b",
            re.I,
        ),
        re.compile(
            r"自\s*[^。；;\n]{0,30}?起\s*(?:施行|生效|实施|执行)"
            r"|\b(?:shall\s+)?(?:come|enter)\s+into\s+(?:force|effect)\b|\btake\s+effect\b|\bbecome\s+effective\b",
            re.I,
        ),
    ),
    "purpose": (
        re.compile(
            rf"{_LAW_KIND}》?(?:的)?(?:立法)?(?:目的|宗旨)|立法(?:目的|宗旨)|为什么(?:要)?(?:制定|出台|颁布)"
            rf"|\b(?:purpose|aim|objective|goal)s?\s+of\s+(?:the|this|these)\s+(?:[\w-]+\s+){{0,5}}?{_EN_LAW_KIND}\b"
            rf"|\bwhy\s+(?:was|were|did)\b.{{0,80}}?\b(?:enacted|made|adopted|issued|passed|introduced)\b",
            re.I,
        ),
        re.compile(
            r"^\s*为(?:了)?[^。]{2,200}?(?:特)?制定本"
            r"|^\s*in\s+order\s+to\b[^.]{2,300}?\b(?:this|these)\s+(?:law|regulations?|rules|measures|provisions)\s+(?:is|are)\s+"
            r"(?:hereby\s+)?(?:formulated|enacted|made|adopted)",
            re.I,
        ),
    ),
}


# "存款保险是从哪天开始实行的？": when something takes effect, asked without a rule's kind word (法, 条例 …). The
# question must end on the verb, so "什么时候开始实行限额偿付" (when a measure applies) is not read this way, and it counts
# only for a question that names a document (see question_intent): "新规什么时候开始实行？" names none.
_UNNAMED_COMMENCEMENT = re.compile(
    r"(?:什么时候|啥时候|何时|哪天|哪一天|几号|哪年|什么时间)(?:开始|起)?(?:施行|生效|实施|实行)(?:的)?"
    r"\s*(?:了|呢|吗|啊)?\s*[？?。!！]*\s*$")


def question_intent(question: str, names_document: bool = False) -> str:
    """"commencement" or "purpose" when the question asks when a rule takes effect or what it is for, else "".

    ``names_document``: the question names one of the KB's documents by its subject (the title prior), so a
    question asking when something takes effect without a rule's kind word asks when that document does."""
    for intent, (asks, _states) in _INTENTS.items():
        if asks.search(question):
            return intent
    if names_document and _UNNAMED_COMMENCEMENT.search(question):
        return "commencement"
    return ""


def states_intent(text: str, intent: str) -> bool:
    """Whether a clause's text states ``intent`` (its opening 600 characters are read)."""
    return intent in _INTENTS and bool(_INTENTS[intent][1].search(text[:600]))


class IntentClauses:
    """Which clauses of a snapshot state each intent (found once, on first use)."""

    def __init__(self, clauses: Mapping[str, Clause]) -> None:
        self._clauses = clauses
        self._found: dict[str, frozenset[str]] = {}

    def of(self, intent: str) -> frozenset[str]:
        """Ids of the clauses that state ``intent`` (empty for an unknown intent)."""
        if intent not in self._found:
            self._found[intent] = frozenset(cid for cid, c in self._clauses.items() if states_intent(c.text, intent))
        return self._found[intent]

    def lift(self, intent: str, scores: Mapping[str, float], margin: float) -> dict[str, float]:
        """``scores`` with each document's ``intent`` clauses raised to ``margin`` above the document's best clause
        (only documents some scored clause belongs to; clauses already above keep their score)."""
        out = dict(scores)
        best: dict[str, float] = {}
        for cid, v in scores.items():
            doc = self._clauses[cid].doc_id
            best[doc] = max(v, best.get(doc, v))
        for cid in self.of(intent):
            doc = self._clauses[cid].doc_id
            if doc in best:
                out[cid] = max(out.get(cid, float("-inf")), best[doc] + margin)
        return out
