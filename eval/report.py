"""Write an evaluation result as report.json, a Markdown summary and PNG plots."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from policykb.errors import ConfigError
from policykb.eval.metrics import ANSWER_KEYS, RETRIEVAL_KEYS, retrieval_metrics

if TYPE_CHECKING:
    from policykb.eval.runner import EvalReport

__all__ = ["write_report", "render_markdown", "summary_text", "fmt", "REPORT_JSON", "REPORT_MD"]

REPORT_JSON = "report.json"
REPORT_MD = "report.md"

DEFINITIONS = """\
- **recall@k** — share of answerable questions whose top-k results contain any gold clause.
- **mrr** — mean of 1/rank of the first gold clause (0 when none is returned).
- **ndcg@5** — binary relevance, each gold clause counted once, normalised by the ideal ranking.
- **all_gold_recall@5** — questions with several gold clauses whose top 5 (top |gold| when more
  than 5) contains every one of them.
- **citation_hit** — share of answerable questions, not abstained, citing a gold clause
  (abstentions count as misses).
- **citation_precision** — cited clauses that are gold / all cited clauses (answerable questions).
- **fact_coverage** — gold facts found (case-insensitive) in the answer text and its quotes / all facts.
- **abstain_precision** — abstentions on off-topic questions / all abstentions.
- **abstain_recall** — abstentions on off-topic questions / off-topic questions.
- **false_abstain_rate** — abstentions on answerable questions / answerable questions.
- **invalid_citations** — cited ids that do not exist or were not retrieved for the question.
- **confidently_wrong** — answerable questions answered as sure (not abstained, not unsure) citing no
  gold clause / answerable questions: the answers that mislead.
- **wrong_answered** — answerable questions not abstained and citing no gold clause, sure or unsure
  / answerable questions.
- **unsure_rate** — questions answered as unsure (candidate clauses cited, most likely first) / all questions.
- **offtopic_sure** — off-topic questions answered as sure (neither abstained nor unsure) / off-topic questions.
- **latency** — measured inside each call (warm); p50/p95 by nearest rank, in milliseconds.
- "—" means not measured (no question the metric applies to).
"""


def write_report(result: EvalReport, folder: Path) -> list[Path]:
    """Write ``report.json``, ``report.md``, ``metrics_by_mode.png`` and ``clause_coverage.png``.

    Returns:
        The written paths, in that order.

    Raises:
        ConfigError: ``folder`` cannot be created or written.
    """
    from policykb.eval.plots import plot_clause_coverage, plot_metrics_by_mode

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        json_path = folder / REPORT_JSON
        json_path.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        md_path = folder / REPORT_MD
        md_path.write_text(render_markdown(result), encoding="utf-8")
        paths = [json_path, md_path]
        paths.append(plot_metrics_by_mode(result, folder / "metrics_by_mode.png"))
        paths.append(plot_clause_coverage(result, folder / "clause_coverage.png"))
    except OSError as err:
        raise ConfigError(f"cannot write the report to {str(folder)!r} ({err.strerror}); choose a writable folder (--report DIR)") from None
    return paths


def fmt(value: Any) -> str:
    """How a metric value appears in the Markdown: ratios with 4 decimals, counts as is, None as "—"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def render_markdown(report: EvalReport) -> str:
    """The Markdown summary of an :func:`policykb.eval.evaluate` result."""
    result = report.to_json()
    questions = result.get("questions", [])
    answerable = sum(1 for q in questions if q.get("answerable"))
    ablation = result.get("ablation", {})
    search_modes = [m for m, v in ablation.items() if "retrieval" in v]
    answer_modes = [m for m, v in ablation.items() if "answers" in v]
    out: list[str] = ["# Evaluation report", ""]
    out.append(
        f"{result['n']} questions ({answerable} answerable, {len(questions) - answerable} off-topic); "
        f"languages: {', '.join(result.get('by_lang', {})) or '—'}; "
        f"search modes: {', '.join(search_modes) or '—'}; answer modes: {', '.join(answer_modes) or '—'}. "
        "Headline numbers: fused search and the full answerer."
    )
    a = result.get("answers", {})
    out += ["", f"**Confidently wrong: {fmt(a.get('confidently_wrong'))}** of answerable questions "
                f"(unsure: {fmt(a.get('unsure_rate'))} of all; off-topic abstained: {fmt(a.get('abstain_recall'))}, "
                f"answered as sure: {fmt(a.get('offtopic_sure'))})."]
    out += ["", "## Headline", "", _table(["metric", "value"], [[k, fmt(v)] for k, v in _headline(result)])]
    by_lang = result.get("by_lang", {})
    out += ["", "## By language: retrieval (fused)", ""]
    out.append(_table(["lang", "n", *RETRIEVAL_KEYS], [[lang, fmt(g["n"]), *(fmt(g["retrieval"].get(k)) for k in RETRIEVAL_KEYS)] for lang, g in by_lang.items()]))
    out += ["", "## By language: answers and latency (ms)", ""]
    lat_keys = ("search_p50", "ask_p50", "ask_p95")
    out.append(
        _table(
            ["lang", "n", *ANSWER_KEYS, *lat_keys],
            [[lang, fmt(g["n"]), *(fmt(g["answers"].get(k)) for k in ANSWER_KEYS), *(fmt(g.get("latency_ms", {}).get(k)) for k in lat_keys)]
             for lang, g in by_lang.items()],
        )
    )
    kinds = _by_kind(questions)
    if len(kinds) > 1:
        out += ["", "## By kind (fused search, full answerer)", ""]
        out.append(_table(["kind", "n", "recall@1", "recall@5", "mrr", "citation_hit", "abstained"], kinds))
    out += ["", "## Ablation: retrieval by mode", ""]
    rows = []
    for mode in search_modes:
        entry = ablation[mode]
        rows.append([mode, "all", fmt(result["n"]), *(fmt(entry["retrieval"].get(k)) for k in RETRIEVAL_KEYS)])
        for lang, g in entry["by_lang"].items():
            rows.append([mode, lang, fmt(g["n"]), *(fmt(g["retrieval"].get(k)) for k in RETRIEVAL_KEYS)])
    out.append(_table(["mode", "lang", "n", *RETRIEVAL_KEYS], rows))
    if answer_modes:
        out += ["", "## Answers by mode", ""]
        rows = []
        for mode in answer_modes:
            entry = ablation[mode]
            lat = entry.get("latency_ms", {})
            rows.append([mode, "all", *(fmt(entry["answers"].get(k)) for k in ANSWER_KEYS), fmt(lat.get("ask_p50")), fmt(lat.get("ask_p95"))])
            for lang, g in entry["by_lang"].items():
                rows.append([mode, lang, *(fmt(g["answers"].get(k)) for k in ANSWER_KEYS), "", ""])
        out.append(_table(["mode", "lang", *ANSWER_KEYS, "ask_p50", "ask_p95"], rows))
        for mode in answer_modes:
            errors = [(q["id"], q["answers"][mode]["error"]) for q in questions if q.get("answers", {}).get(mode, {}).get("error")]
            if errors:
                out.append("")
                out.append(f"{mode}: {len(errors)} question(s) failed with an error (counted as answered without citations); first: {errors[0][0]}: {errors[0][1]}")
    lat = result.get("latency_ms", {})
    out += ["", "## Latency (ms)", "", _table(["search_p50", "ask_p50", "ask_p95"], [[fmt(lat.get(k)) for k in ("search_p50", "ask_p50", "ask_p95")]])]
    out += ["", "## Failed questions", ""]
    failed = [q for q in questions if q.get("problems")]
    if failed:
        out.append(
            _table(
                ["id", "lang", "kind", "problems", "rank", "gold", "ranked", "cited", "question"],
                [
                    [q["id"], q["lang"], q.get("kind") or "", "; ".join(q["problems"]), fmt(q.get("rank")), ", ".join(q["gold"]),
                     ", ".join(q.get("ranked", [])), ", ".join(q.get("cited") or []), q["question"]]
                    for q in failed
                ],
            )
        )
    else:
        out.append("None.")
    never = [cid for cid, c in result.get("coverage", {}).items() if c["topk"] == 0]
    out += ["", "## Clause coverage", ""]
    out.append(f"Over the answerable questions. Clauses never retrieved in any top k: {', '.join(never) if never else 'none'}.")
    unasked = [cid for cid, c in result.get("coverage", {}).items() if c["gold"] == 0]
    out.append(f"Clauses no question has as gold: {', '.join(unasked) if unasked else 'none'}.")
    out += ["", "![metrics by mode](metrics_by_mode.png)", "", "![clause coverage](clause_coverage.png)"]
    out += ["", "## Definitions", "", DEFINITIONS]
    return "\n".join(out)


def summary_text(report: EvalReport) -> str:
    """A few plain lines for a terminal: headline metrics, per-language recall and the failures count."""
    result = report.to_json()
    lines = [f"{result['n']} questions"]
    r, a, lat = result["retrieval"], result["answers"], result.get("latency_ms", {})
    lines.append("retrieval (fused): " + "  ".join(f"{k} {fmt(r.get(k))}" for k in ("recall@1", "recall@3", "recall@5", "mrr", "ndcg@5")))
    lines.append("answers: " + "  ".join(f"{k} {fmt(a.get(k))}" for k in ANSWER_KEYS))
    for lang, g in result.get("by_lang", {}).items():
        lines.append(
            f"  {lang} (n={g['n']}): recall@1 {fmt(g['retrieval'].get('recall@1'))}  mrr {fmt(g['retrieval'].get('mrr'))}"
            f"  citation_hit {fmt(g['answers'].get('citation_hit'))}  confidently_wrong {fmt(g['answers'].get('confidently_wrong'))}"
        )
    for mode, entry in result.get("ablation", {}).items():
        if "retrieval" in entry:
            lines.append(f"  {mode:<8} recall@1 {fmt(entry['retrieval'].get('recall@1'))}  recall@5 {fmt(entry['retrieval'].get('recall@5'))}")
    lines.append("latency ms: " + "  ".join(f"{k} {fmt(v)}" for k, v in lat.items()))
    failed = sum(1 for q in result.get("questions", []) if q.get("problems"))
    lines.append(f"questions with problems: {failed} (see report.md with --report DIR)")
    return "\n".join(lines)


def _by_kind(questions: Sequence[dict]) -> list[list[str]]:
    """Rows of the per-kind table, computed from the per-question detail."""
    groups: dict[str, list[dict]] = {}
    for q in questions:
        groups.setdefault(q.get("kind") or "(none)", []).append(q)
    rows = []
    for kind, qs in sorted(groups.items()):
        r = retrieval_metrics([q.get("ranked", []) for q in qs], [q["gold"] for q in qs])
        answerable = [q for q in qs if q["answerable"] and q.get("cited") is not None]
        hits = sum(1 for q in answerable if not q["abstained"] and set(q["cited"]) & set(q["gold"]))
        measured = [q for q in qs if q.get("abstained") is not None]
        abstained = f"{sum(1 for q in measured if q['abstained'])}/{len(measured)}" if measured else None
        rows.append([kind, fmt(len(qs)), fmt(r["recall@1"]), fmt(r["recall@5"]), fmt(r["mrr"]),
                     fmt(round(hits / len(answerable), 4) if answerable else None), fmt(abstained)])
    return rows


def _headline(result: dict) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = [("n", result["n"])]
    items += [(k, result["retrieval"].get(k)) for k in RETRIEVAL_KEYS]
    items += [(k, result["answers"].get(k)) for k in ANSWER_KEYS]
    items += [(f"latency {k}", v) for k, v in result.get("latency_ms", {}).items()]
    return items


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
