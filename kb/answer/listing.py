"""Questions that ask for all ("宁波有哪些政策？", "List the measures for green finance", "What does the text say
about Ningbo?"): every clause that matches is cited, grouped by document.

"Matches" is decided lexically from the evidence: the question's key terms are its specific terms
(glossary terms and names, in every rendering) that the best clause found contains; every clause of
the KB that holds all of them matches. With no such term, the ranked answer stands as it is.
"""
from __future__ import annotations

import re
from typing import Sequence

from policykb.ingest.model import Clause
from policykb.kb.answer.evidence import CorpusStats, QueryTerms, group_in
from policykb.kb.model import Hit

__all__ = ["asks_for_all", "key_groups", "matching_clauses", "MAX_LISTED"]

MAX_LISTED = 20  # most clauses an enumeration cites (a term in more clauses is not what "which" asks about)
# A key term is specific: held by at most this share of the KB's clauses (and at least by two clauses' worth).
_KEY_SHARE = 0.34

_ALL_ZH = re.compile(r"哪些|哪几|都有什么|都有哪|列出|列举|所有|全部|各项")
_ALL_EN = re.compile(
    r"^\s*(?:please\s+)?list\b|\bwhich\s+(?:clauses?|articles?|provisions?|measures?|policies|parts?|items?)\b|"
    r"\bwhat\s+(?:does|do)\s+(?:the\s+)?(?:text|document|documents|opinions?|law|laws|rules?|regulations?|measures)\s+"
    r"(?:say|state|provide|set out)\s+(?:about|on|regarding)\b|"
    r"\bwhat\s+are\s+(?:all\s+)?the\s+(?:measures|policies|provisions|clauses|rules)\b|\ball\s+(?:the\s+)?(?:clauses|measures|provisions|policies)\b",
    re.I,
)


def asks_for_all(question: str, lang: str) -> bool:
    """True when the question asks for every clause on a subject, not for the one best answer."""
    return bool((_ALL_ZH if lang == "zh" else _ALL_EN).search(question))


def key_groups(terms: QueryTerms, stats: CorpusStats, top: Clause, generic: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
    """The question's specific terms that the best clause holds (each as its renderings).

    A term naming a document (``generic``: "存款保险" in a KB holding the Deposit Insurance Regulations)
    or held by more than :data:`MAX_LISTED` clauses is the subject of a whole text, not a key.
    """
    limit = min(MAX_LISTED, max(2, int(_KEY_SHARE * stats.n)))
    return [g for g in terms.groups
            if 0 < stats.group_df(g) <= limit and group_in(g, top.text) and not any(v.lower() in generic for v in g)]


def matching_clauses(clauses: Sequence[Clause], hits: Sequence[Hit], keys: Sequence[tuple[str, ...]],
                     first: Sequence[Hit] = ()) -> list[Hit]:
    """Every clause holding all the key terms, grouped by document (the best-ranked document first), in
    document order; clauses the search ranked keep their hit (and its sentence matches), others get one."""
    if not keys:
        return []
    ranked = {h.clause.id: h for h in hits}
    matched = [c for c in clauses if all(group_in(g, c.text) for g in keys)][: MAX_LISTED]
    if not matched:
        return []
    order = {c.id: i for i, c in enumerate(clauses)}
    doc_rank: dict[str, int] = {}
    for h in [*first, *hits]:
        doc_rank.setdefault(h.clause.doc_id, len(doc_rank))
    matched.sort(key=lambda c: (doc_rank.get(c.doc_id, len(doc_rank)), order[c.id]))
    return [ranked.get(c.id) or Hit(clause=c, score=0.0) for c in matched]
