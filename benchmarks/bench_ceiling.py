"""How high could ranking go with the signals the KB has? Each signal's own ranking, the fused one, and their ceiling.

    .venv/bin/python -m benchmarks.bench_ceiling --kb DIR --gold FILE [--gold FILE ...] [--json]

For every answerable row (follow-ups left out) the question is searched once over the whole KB
(``KnowledgeBase.search`` with k = every clause) and the gold article's rank is read in:

- ``fused``: the product's order;
- each retrieval signal's own order, from the raw score every hit carries (``Hit.signals``): the clause
  cosine and the best sentence cosine (each centred on its language's mean, as the fusion centres them), BM25 of the question's own words, BM25 of its dictionary renderings
  (and, for an English question over Chinese clauses, of the clauses' English glosses), and the glossary bridge;
- ``ceiling``: the best of those ranks, per question. A question counts at 1 when **any** of the rankings puts
  a gold article first: what a perfect choice among the rankings could reach, knowing the answer. A fusion can
  in principle place first an article that no single signal does, so this is not a proof, but a ranking built
  from these signals has rarely beaten it.

Printed per question language: rows, recall@1 / recall@3 of each ranking and of the ceiling, and the share with a
gold article in the fused top 10. Figures are printed, never asserted. A stronger embedding model
(``POLICYKB_EMBED_MODEL=st:…``) changes the dense rows and the ceiling; this is how to see by how much.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["main", "gold_rank", "signal_orders", "summarise", "RANKINGS"]

SIGNAL_NAMES = ("dense_clause", "dense_sentence", "lexical", "dictionary", "bridge")
RANKINGS = ("fused", *SIGNAL_NAMES, "ceiling")
MISSING = 10**6  # the rank of a gold article a ranking does not hold


def gold_rank(order: Sequence[str], gold: Iterable[str]) -> int:
    """The 1-based rank of the first gold id in ``order``; :data:`MISSING` when none is there."""
    wanted = set(gold)
    return next((i for i, cid in enumerate(order, 1) if cid in wanted), MISSING)


def signal_orders(hits: Sequence[tuple[str, str, Mapping[str, float]]]) -> dict[str, list[str]]:
    """Each signal's own order of the hits (clause id, clause language, raw scores): highest score first, clauses it
    did not score (zero) left out, ties in the fused order. Cosines are first centred on their language's mean, as
    the fusion centres them (``fusion.normalise``): a question's cosine with any text of its own language sits higher."""
    from policykb.kb.retrieval.fusion import normalise

    langs = {cid: lang for cid, lang, _scores in hits}
    position = {cid: i for i, (cid, _lang, _scores) in enumerate(hits)}
    out: dict[str, list[str]] = {}
    for name in SIGNAL_NAMES:
        raw = {cid: scores[name] for cid, _lang, scores in hits if scores.get(name, 0.0) > 0}
        scores = normalise(raw, dense=True, groups=langs) if name.startswith("dense") else raw
        out[name] = sorted(scores, key=lambda cid: (-scores[cid], position[cid]))
    return out


def summarise(ranks: Sequence[tuple[str, Mapping[str, int]]]) -> dict[str, dict[str, Any]]:
    """Per question language (and "all"): rows, recall@1 and recall@3 of each ranking, and the fused top-10 share.

    ``ranks`` holds (question language, ranking → gold rank) per row; the ceiling is the best rank of the row."""
    groups: dict[str, list[Mapping[str, int]]] = {}
    for lang, row in ranks:
        full = {**row, "ceiling": min(row.values(), default=MISSING)}
        for key in (lang, "all"):
            groups.setdefault(key, []).append(full)
    out: dict[str, dict[str, Any]] = {}
    for key, rows in groups.items():
        n = len(rows)
        entry: dict[str, Any] = {"rows": n, "fused_top10": round(sum(r["fused"] <= 10 for r in rows) / n, 3)}
        for name in RANKINGS:
            entry[name] = {"recall@1": round(sum(r.get(name, MISSING) == 1 for r in rows) / n, 3),
                           "recall@3": round(sum(r.get(name, MISSING) <= 3 for r in rows) / n, 3)}
        out[key] = entry
    return out


def run(kb_dir: Path, gold: Path) -> dict[str, Any]:
    """The rankings' figures for the answerable rows of ``gold`` over the KB at ``kb_dir``."""
    from policykb.eval.gold import load_gold
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

    rows = [r for r in load_gold(gold) if r.answerable and not r.history]
    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir))
    try:
        every = max(len(kb.clauses()), 1)
        ranks: list[tuple[str, dict[str, int]]] = []
        for row in rows:
            hits = kb.search(row.question, k=every).hits
            orders = signal_orders([(h.clause.id, h.clause.lang, h.signals) for h in hits])
            orders["fused"] = [h.clause.id for h in hits]
            ranks.append((row.lang, {name: gold_rank(order, row.gold) for name, order in orders.items()}))
    finally:
        kb.close()
    return {"gold": str(gold), "kb": str(kb_dir), "by_lang": summarise(ranks)}


def table(results: Sequence[dict[str, Any]]) -> str:
    """A Markdown table: one line per gold set and question language, recall@1 / recall@3 per ranking."""
    head = ["gold set", "lang", "rows", *RANKINGS, "fused top 10"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for result in results:
        for lang, entry in sorted(result["by_lang"].items(), key=lambda kv: kv[0] == "all"):
            cells = [Path(result["gold"]).name, lang, str(entry["rows"])]
            cells += [f"{entry[name]['recall@1']:.3f} / {entry[name]['recall@3']:.3f}" for name in RANKINGS]
            cells.append(f"{entry['fused_top10']:.3f}")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", required=True, type=Path, help="a KB holding every document the gold sets name")
    parser.add_argument("--gold", required=True, type=Path, action="append", help="gold JSONL (repeat for several)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    from policykb.errors import PolicyKBError

    try:
        results = [run(args.kb, gold) for gold in args.gold]
    except PolicyKBError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        print("recall@1 / recall@3 of each ranking; ceiling = the best rank any of them gives, per question\n")
        print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
