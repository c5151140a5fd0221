"""Run a gold set through the KB's public API: every search mode and answerer, side by side.

The headline numbers (DESIGN.md §3 keys) come from the "fused" search and the full answerer
("answer" = ``kb.ask`` with its default mode). ``ablation`` repeats the retrieval metrics for each
search mode ("lexical", "dense", "fused") and the answer metrics for each answer mode ("answer",
and "llm" when asked for). ``questions`` holds the per-question detail; ``coverage`` counts, per
clause of every document the gold set touches and over the answerable questions, how often it is
gold ("gold"), retrieved first ("top1"), retrieved first where it is gold ("top1_gold"), in the
top k ("topk") and cited ("cited"); clauses of other documents are not counted there.
Metric definitions: :mod:`policykb.eval.metrics`.

Follow-up rows ask each ``history`` question first, in order, and pass the earlier exchanges to
``kb.ask`` as :class:`Turn`. Their search text is the full answerer's ``Answer.resolved_question``
when it set one, else the history questions and the question joined by spaces.

The "fused" search always runs: the headline retrieval and the check that cited clauses were
retrieved rest on it. A cited clause outside the fused top k is looked up once more in a fused
search of depth ``max(10, 2k)`` before it counts as "not retrieved". A question whose ``kb.ask``
raised a PolicyKBError counts as answered without citations (never as an abstention) and carries
the message in its detail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from policykb.errors import ConfigError, NotFoundError, PolicyKBError
from policykb.eval.gold import GoldRow
from policykb.kinds import SEARCH_MODES, AnswerMode, SearchMode
from policykb.eval.metrics import (
    ANSWER_KEYS,
    AnswerOutcome,
    answer_metrics,
    facts_found,
    first_gold_rank,
    invalid_citations,
    percentile,
    retrieval_metrics,
)

if TYPE_CHECKING:
    from policykb.kb.model import Answer, SearchResult

__all__ = ["evaluate", "EvalReport", "SEARCH_MODES", "ASK_MODES", "DEFAULT_MODES", "MAIN_SEARCH", "MAIN_ANSWER"]

ASK_MODES: dict[str, AnswerMode | None] = {"answer": None, "llm": "llm"}  # eval answer mode -> kb.ask(mode=...)
DEFAULT_MODES: tuple[str, ...] = ("lexical", "dense", "fused", "answer")
MAIN_SEARCH: SearchMode = "fused"
MAIN_ANSWER = "answer"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class EvalReport:
    """What :func:`evaluate` measured; ``to_json()`` is ``policykb eval --json`` and report.json (DESIGN.md §3 keys first)."""

    n: int
    retrieval: dict[str, float | None]  # fused search: recall@1/3/5, mrr, ndcg@5
    answers: dict[str, Any]  # the full answerer: citation_hit, citation_precision, fact_coverage, abstention, …
    by_lang: dict[str, dict[str, Any]]  # the same per question language, with "n" and "latency_ms"
    latency_ms: dict[str, float | None]  # search_p50, ask_p50, ask_p95
    ablation: dict[str, dict[str, Any]]  # per search mode and per answer mode
    questions: list[dict[str, Any]]  # per-question detail
    coverage: dict[str, dict[str, int]]  # per clause: gold, top1, top1_gold, topk, cited

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "retrieval": self.retrieval, "answers": self.answers, "by_lang": self.by_lang,
                "latency_ms": self.latency_ms, "ablation": self.ablation, "questions": self.questions,
                "coverage": self.coverage}


def evaluate(
    kb: Any,
    rows: Sequence[GoldRow],
    *,
    modes: Sequence[str] = DEFAULT_MODES,
    k: int = 5,
    progress: Progress | None = None,
) -> EvalReport:
    """Evaluate ``rows`` against ``kb`` (a :class:`policykb.kb.KnowledgeBase`).

    Args:
        modes: search modes ("lexical", "dense", "fused") and answer modes ("answer", "llm").
        k: results per search.
        progress: called after each question as ``progress(done, total, row_id)``.

    Returns:
        an :class:`EvalReport` (``n``, ``retrieval``, ``answers``, ``by_lang``, ``latency_ms``, ``ablation``,
        ``questions``, ``coverage``).

    Raises:
        ConfigError: unknown mode, k < 1, no rows, or gold ids the KB does not hold.
    """
    search_modes, answer_modes = _split_modes(modes)
    if not isinstance(k, int) or k < 1:
        raise ConfigError(f"k {k!r} must be a whole number of at least 1")
    if not rows:
        raise ConfigError("the gold set is empty; give at least one row")
    checker = _ClauseChecker(kb)
    checker.require_gold(rows)
    details: list[dict] = []
    for done, row in enumerate(rows, start=1):
        details.append(_run_row(kb, row, search_modes, answer_modes, k, checker))
        if progress is not None:
            progress(done, len(rows), row.id)
    return _summarise(rows, details, search_modes, answer_modes, checker.universe(rows))


# ---------------------------------------------------------------- one question


@dataclass
class _AskResult:
    answer: Answer | None
    error: str = ""


@dataclass
class _RowRun:
    searches: dict[str, SearchResult] = field(default_factory=dict)
    asks: dict[str, _AskResult] = field(default_factory=dict)


def _run_row(kb: Any, row: GoldRow, search_modes: Sequence[str], answer_modes: Sequence[str], k: int, checker: "_ClauseChecker") -> dict:
    run = _RowRun()
    for mode in answer_modes:
        run.asks[mode] = _ask(kb, row, ASK_MODES[mode])
    query = _search_text(row, run.asks.get(MAIN_ANSWER) or next(iter(run.asks.values()), None))
    for mode in search_modes:
        run.searches[mode] = kb.search(query, k=k, mode=mode)
    fused_ids = _ids(run.searches[MAIN_SEARCH])
    deep: list[str] = []

    def retrieved(cited: Sequence[str]) -> set[str]:
        if not deep and any(c not in fused_ids for c in cited):
            deep.extend(_ids(kb.search(query, k=max(10, 2 * k), mode=MAIN_SEARCH)))
        return set(fused_ids) | set(deep)

    detail: dict[str, Any] = {
        "id": row.id,
        "lang": row.lang,
        "kind": row.kind,
        "question": row.question,
        "history": list(row.history),
        "answerable": row.answerable,
        "gold": list(row.gold),
        "facts": list(row.facts),
        "query": query,
        "lookup": run.searches[MAIN_SEARCH].lookup,
        "ranked": fused_ids,
        "rank": first_gold_rank(fused_ids, row.gold) if row.gold else None,
        "search_ms": round(run.searches[MAIN_SEARCH].latency_ms, 3),
        "modes": {
            mode: {"ranked": _ids(res), "rank": first_gold_rank(_ids(res), row.gold) if row.gold else None, "latency_ms": round(res.latency_ms, 3)}
            for mode, res in run.searches.items()
        },
        "answers": {mode: _answer_detail(row, ask, retrieved, checker) for mode, ask in run.asks.items()},
    }
    main = detail["answers"].get(MAIN_ANSWER)
    for key in ("cited", "abstained", "confidence", "facts_found", "facts_missing", "answer", "invalid", "error"):
        detail[key] = main[key] if main else None
    detail["ask_ms"] = main["latency_ms"] if main else None
    detail["problems"] = _problems(detail, main)
    return detail


def _ask(kb: Any, row: GoldRow, mode: AnswerMode | None) -> _AskResult:
    from policykb.kb.model import Turn

    turns: list[Turn] = []
    try:
        for earlier in row.history:
            turns.append(Turn(earlier, kb.ask(earlier, history=tuple(turns), mode=mode)))
        return _AskResult(kb.ask(row.question, history=tuple(turns), mode=mode))
    except PolicyKBError as err:
        return _AskResult(None, str(err))


def _search_text(row: GoldRow, ask: _AskResult | None) -> str:
    if not row.history:
        return row.question
    resolved = getattr(ask.answer, "resolved_question", "") if ask and ask.answer else ""
    if isinstance(resolved, str) and resolved.strip():
        return resolved.strip()
    return " ".join((*row.history, row.question))


def _answer_detail(row: GoldRow, ask: _AskResult, retrieved: Callable[[Sequence[str]], set[str]], checker: "_ClauseChecker") -> dict:
    answer = ask.answer
    if answer is None:
        cited: tuple[str, ...] = ()
        text, abstained, reason, latency = "", False, "", None  # an error never counts as a (correct) abstention
        confidence = "sure"
    else:
        cited = tuple(dict.fromkeys(c.id for c in answer.citations))
        text = "\n".join([answer.answer, *(c.quote for c in answer.citations)])
        abstained, reason, latency = answer.abstained, answer.reason, round(answer.latency_ms, 3)
        confidence = getattr(answer, "confidence", "abstained" if abstained else "sure")
    found = facts_found(row.facts, text)
    invalid = invalid_citations(cited, retrieved(cited), checker.exists) if cited else ()
    return {
        "cited": list(cited),
        "abstained": abstained,
        "confidence": confidence,
        "reason": reason,
        "answer": answer.answer if answer else "",
        "facts_found": found,
        "facts_missing": [f for f in row.facts if f not in found],
        "invalid": list(invalid),
        "latency_ms": latency,
        "mode": answer.mode if answer else "",
        "error": ask.error,
        "_text": text,
    }


def _problems(detail: dict, main: dict | None) -> list[str]:
    problems: list[str] = []
    if detail["answerable"] and detail["rank"] is None:
        problems.append("gold not retrieved")
    if main is None:
        return problems
    if main["error"]:
        problems.append(f"error: {main['error']}")
    elif detail["answerable"] and main["abstained"]:
        problems.append("false abstention")
    elif detail["answerable"] and not set(main["cited"]) & set(detail["gold"]):
        problems.append("no gold cited (unsure)" if main.get("confidence") == "unsure" else "no gold cited")
    if not detail["answerable"] and not main["abstained"] and not main["error"]:
        problems.append("answered off-topic question")
    if main["invalid"]:
        problems.append("invalid citation")
    return problems


def _ids(result: SearchResult) -> list[str]:
    return [hit.clause.id for hit in result.hits]


# ---------------------------------------------------------------- clause checks


class _ClauseChecker:
    """Caches ``kb.clause`` look-ups (existence of gold and cited ids)."""

    def __init__(self, kb: Any) -> None:
        self._kb = kb
        self._known: dict[str, str | None] = {}  # clause id -> doc_id, None when unknown

    def exists(self, clause_id: str) -> bool:
        return self._doc(clause_id) is not None

    def _doc(self, clause_id: str) -> str | None:
        if clause_id not in self._known:
            try:
                self._known[clause_id] = self._kb.clause(clause_id).doc_id
            except NotFoundError:
                self._known[clause_id] = None
        return self._known[clause_id]

    def require_gold(self, rows: Sequence[GoldRow]) -> None:
        missing = [(row.id, c) for row in rows for c in row.gold if not self.exists(c)]
        if missing:
            shown = ", ".join(f"{c!r} (row {r!r})" for r, c in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise ConfigError(
                f"the KB has no clause {shown}{more}; ingest the document the gold set was written for, or point --kb at that KB"
            )

    def universe(self, rows: Sequence[GoldRow]) -> list[str]:
        """Every clause id of the documents the gold ids belong to, in document order."""
        docs = dict.fromkeys(self._doc(c) for row in rows for c in row.gold)
        return [clause.id for doc in docs if doc for clause in self._kb.clauses(doc)]


# ---------------------------------------------------------------- summary


def _split_modes(modes: Sequence[str]) -> tuple[list[str], list[str]]:
    if isinstance(modes, str):
        modes = [modes]
    unknown = [m for m in modes if m not in SEARCH_MODES and m not in ASK_MODES]
    if unknown:
        raise ConfigError(f"unknown eval mode(s) {unknown!r}; choose from {[*SEARCH_MODES, *ASK_MODES]!r}")
    search: list[str] = [m for m in dict.fromkeys(modes) if m in SEARCH_MODES]
    if MAIN_SEARCH not in search:
        search.append(MAIN_SEARCH)
    answer = [m for m in dict.fromkeys(modes) if m in ASK_MODES]
    return search, answer


def _outcome(row: GoldRow, answer: dict) -> AnswerOutcome:
    return AnswerOutcome(
        gold=row.gold,
        answerable=row.answerable,
        facts=row.facts,
        cited=tuple(answer["cited"]),
        abstained=answer["abstained"],
        text=answer["_text"],
        invalid=tuple(answer["invalid"]),
        unsure=answer.get("confidence") == "unsure",
        asked_back=answer.get("confidence") == "clarify",
    )


def _retrieval(pairs: Sequence[tuple[GoldRow, dict]], mode: str) -> dict:
    return retrieval_metrics([d["modes"][mode]["ranked"] for _, d in pairs], [r.gold for r, _ in pairs])


def _answers(pairs: Sequence[tuple[GoldRow, dict]], mode: str | None) -> dict:
    if mode is None:
        return dict.fromkeys(ANSWER_KEYS)
    return answer_metrics([_outcome(r, d["answers"][mode]) for r, d in pairs])


def _latency(pairs: Sequence[tuple[GoldRow, dict]], answer_mode: str | None) -> dict:
    search = [d["search_ms"] for _, d in pairs]
    asks = [d["answers"][answer_mode]["latency_ms"] for _, d in pairs] if answer_mode else []
    asks = [a for a in asks if a is not None]
    return {"search_p50": percentile(search, 50), "ask_p50": percentile(asks, 50), "ask_p95": percentile(asks, 95)}


def _by_lang(pairs: Sequence[tuple[GoldRow, dict]]) -> dict[str, list[tuple[GoldRow, dict]]]:
    groups: dict[str, list[tuple[GoldRow, dict]]] = {}
    for pair in pairs:
        groups.setdefault(pair[0].lang, []).append(pair)
    return dict(sorted(groups.items()))


def _summarise(rows: Sequence[GoldRow], details: list[dict], search_modes: Sequence[str], answer_modes: Sequence[str], universe: list[str]) -> EvalReport:
    pairs = list(zip(rows, details))
    groups = _by_lang(pairs)
    main_answer = MAIN_ANSWER if MAIN_ANSWER in answer_modes else None
    ablation: dict[str, dict] = {}
    for mode in search_modes:
        ablation[mode] = {
            "retrieval": _retrieval(pairs, mode),
            "by_lang": {lang: {"n": len(g), "retrieval": _retrieval(g, mode)} for lang, g in groups.items()},
        }
    for mode in answer_modes:
        ablation[mode] = {
            "answers": _answers(pairs, mode),
            "by_lang": {lang: {"n": len(g), "answers": _answers(g, mode)} for lang, g in groups.items()},
            "latency_ms": {k: v for k, v in _latency(pairs, mode).items() if k.startswith("ask")},
        }
    result = EvalReport(
        n=len(rows),
        retrieval=_retrieval(pairs, MAIN_SEARCH),
        answers=_answers(pairs, main_answer),
        by_lang={
            lang: {"n": len(g), "retrieval": _retrieval(g, MAIN_SEARCH), "answers": _answers(g, main_answer), "latency_ms": _latency(g, main_answer)}
            for lang, g in groups.items()
        },
        latency_ms=_latency(pairs, main_answer),
        ablation=ablation,
        questions=details,
        coverage=_coverage(details, universe),
    )
    for detail in details:
        for answer in detail["answers"].values():
            answer.pop("_text", None)
    return result


def _coverage(details: Sequence[dict], universe: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per clause, over answerable questions: times gold, first (fused), first while gold, in top k, cited."""
    keys = ("gold", "top1", "top1_gold", "topk", "cited")
    counts = {cid: dict.fromkeys(keys, 0) for cid in universe}

    def bump(cid: str, key: str) -> None:
        if cid in counts:
            counts[cid][key] += 1

    for d in details:
        if not d["answerable"]:
            continue
        for cid in d["gold"]:
            bump(cid, "gold")
        if d["ranked"]:
            bump(d["ranked"][0], "top1")
            if d["ranked"][0] in d["gold"]:
                bump(d["ranked"][0], "top1_gold")
        for cid in dict.fromkeys(d["ranked"]):
            bump(cid, "topk")
        for cid in dict.fromkeys(d["cited"] or ()):
            bump(cid, "cited")
    return counts
