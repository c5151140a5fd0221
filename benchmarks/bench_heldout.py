"""Held-out benchmark: lay questions over real Chinese laws from outside finance that nothing is tuned on.

    .venv/bin/python -m benchmarks.bench_heldout [--kb DIR] [--gold FILE] [--laws DIR] [--json]

The laws in ``eval/heldout/laws/`` (劳动合同法, 消费者权益保护法, 道路交通安全法, official texts) are
ingested into a temporary KB, or into ``--kb DIR`` (documents already there and unchanged are not
embedded again, so a second run with the same ``--kb`` starts at once). Every row of
``eval/heldout/lay.jsonl`` — questions a worker, a shopper or a driver would type, in Chinese and
English, and near-domain questions the laws do not answer — is then run through

1. ``KnowledgeBase.search`` with k=10 in three rankers:
   - ``fused``: the product's ranking (dense + lexical + bridge);
   - ``lexical``: the product's own lexical mode (``mode="lexical"``: its BM25 with its tokenizer,
     user dictionary, stemming and cross-lingual bridge);
   - ``bm25-jieba``: a plain baseline without any of our tweaks — ``bm25s`` defaults over the
     clause texts cut by a fresh ``jieba.Tokenizer()`` (stock dictionary, no user dictionary, no
     stopwords, no translation), so the comparison with a plain BM25 is honest.
   For each: gold-in-top-10 (share of gold articles found in the top 10; share of questions with
   any gold article in the top 10), recall@1 and MRR (over the top 10), overall and per language.
2. ``KnowledgeBase.ask``: over answerable rows, citation hit (a gold article cited), confidently
   wrong (answered as sure — not abstained, not marked unsure, not asking back which document is
   meant — and citing no gold article),
   wrong answered (not abstained and no gold cited, sure or unsure), unsure and abstained shares;
   over off-topic rows, the share abstained.

Before measuring, every gold id is looked up in the KB and every fact must be a substring of one
of its row's gold articles; failures are listed (they mean the gold set or the parser is wrong).
Figures are printed, never asserted. Never tune anything on these questions or laws.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from policykb.errors import PolicyKBError
from policykb.eval.gold import GoldRow, load_gold

__all__ = ["main", "search_metrics", "ask_metrics", "check_gold", "PlainBM25"]

ROOT = Path(__file__).resolve().parent.parent
HELDOUT_DIR = ROOT / "eval" / "heldout"
K = 10
Ranker = Callable[[str], list[str]]


# -- the plain baseline --------------------------------------------------------------------------
class PlainBM25:
    """bm25s with its default parameters over jieba's stock cut of each clause text, nothing else."""

    _KEEP = re.compile(r"\w", re.UNICODE)

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        import logging

        import bm25s
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()  # a fresh instance: the product's user dictionary is not loaded into it
        self.ids = list(ids)
        self._model = bm25s.BM25()
        self._model.index([self._tokens(t) for t in texts], show_progress=False)

    def _tokens(self, text: str) -> list[str]:
        return [w.lower() for w in self._jieba.lcut(text) if self._KEEP.search(w)]

    def rank(self, query: str, k: int = K) -> list[str]:
        """Clause ids best first; only clauses sharing at least one token with the query."""
        import numpy as np

        scores = self._model.get_scores(self._tokens(query))
        order = np.argsort(-scores, kind="stable")[:k]
        return [self.ids[i] for i in order if scores[i] > 0]


# -- metrics -------------------------------------------------------------------------------------
def search_metrics(ranked: Sequence[Sequence[str]], rows: Sequence[GoldRow], k: int = K) -> dict[str, Any]:
    """Gold-in-top-k (articles and questions), recall@1 and MRR@k over the answerable rows."""
    pairs = [(list(r)[:k], set(row.gold)) for r, row in zip(ranked, rows) if row.answerable]
    if not pairs:
        return {"n": 0}
    gold_total = sum(len(g) for _, g in pairs)
    ranks = [next((i for i, cid in enumerate(r, start=1) if cid in g), None) for r, g in pairs]
    return {
        "n": len(pairs),
        f"gold_articles_in_top{k}": round(sum(len(g & set(r)) for r, g in pairs) / gold_total, 4),
        f"questions_with_gold_in_top{k}": round(sum(1 for rank in ranks if rank) / len(pairs), 4),
        "recall@1": round(sum(1 for rank in ranks if rank == 1) / len(pairs), 4),
        f"mrr@{k}": round(sum(1.0 / rank for rank in ranks if rank) / len(pairs), 4),
    }


def ask_metrics(outcomes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Answer outcomes: each dict has ``answerable``, ``gold``, ``cited``, ``confidence`` (sure/unsure/clarify/abstained)."""
    answerable = [o for o in outcomes if o["answerable"]]
    offtopic = [o for o in outcomes if not o["answerable"]]

    def share(items: Sequence[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> float | None:
        return round(sum(1 for o in items if test(o)) / len(items), 4) if items else None

    def gold_cited(o: dict[str, Any]) -> bool:
        return bool(set(o["cited"]) & set(o["gold"]))

    return {
        "answerable": len(answerable),
        "citation_hit": share(answerable, lambda o: o["confidence"] != "abstained" and gold_cited(o)),
        "confidently_wrong": share(answerable, lambda o: o["confidence"] == "sure" and not gold_cited(o)),
        "wrong_answered": share(answerable, lambda o: o["confidence"] != "abstained" and not gold_cited(o)),
        "unsure": share(answerable, lambda o: o["confidence"] == "unsure"),
        "abstained": share(answerable, lambda o: o["confidence"] == "abstained"),
        "unsure_or_abstained": share(answerable, lambda o: o["confidence"] != "sure"),
        "offtopic": len(offtopic),
        "offtopic_abstained": share(offtopic, lambda o: o["confidence"] == "abstained"),
        "offtopic_unsure": share(offtopic, lambda o: o["confidence"] == "unsure"),
    }


def confidence_of(answer: Any) -> str:
    """"sure", "unsure", "clarify" (the reply asks which document is meant: no answer, not a confident one) or
    "abstained" (answers from before ``Answer.confidence`` existed are sure unless abstained)."""
    if answer.abstained:
        return "abstained"
    confidence = getattr(answer, "confidence", "sure")
    return confidence if confidence in ("unsure", "clarify") else "sure"


def check_gold(kb: Any, rows: Sequence[GoldRow]) -> list[str]:
    """Problems with the gold rows against the KB: unknown ids, facts not in any gold article's text."""
    problems = []
    for row in rows:
        texts = []
        for cid in row.gold:
            try:
                texts.append(kb.clause(cid).text)
            except PolicyKBError:
                problems.append(f"{row.id}: gold id {cid!r} is not a clause of the KB")
        for fact in row.facts:
            if texts and not any(fact in text for text in texts):
                problems.append(f"{row.id}: fact {fact!r} is in none of {list(row.gold)}")
    return problems


# -- running -------------------------------------------------------------------------------------
def _rankers(kb: Any) -> dict[str, Ranker]:
    clauses = kb.clauses()
    plain = PlainBM25([c.id for c in clauses], [c.text for c in clauses])

    def product(mode: str) -> Ranker:
        return lambda q: [h.clause.id for h in kb.search(q, K, mode=mode).hits]

    return {"fused": product("fused"), "lexical": product("lexical"), "bm25-jieba": plain.rank}


def run(kb: Any, rows: Sequence[GoldRow], progress: Callable[[str], None]) -> dict[str, Any]:
    """All figures for ``rows`` over ``kb``."""
    report: dict[str, Any] = {"rows": len(rows), "gold_problems": check_gold(kb, rows), "search": {}, "misses": {}}
    langs = sorted({r.lang for r in rows})
    for name, rank in _rankers(kb).items():
        started = time.perf_counter()
        ranked = [rank(r.question) for r in rows]
        progress(f"search {name}: {len(rows)} questions in {time.perf_counter() - started:.1f} s")
        figures = {"all": search_metrics(ranked, rows)}
        for lang in langs:
            figures[lang] = search_metrics([x for x, r in zip(ranked, rows) if r.lang == lang], [r for r in rows if r.lang == lang])
        for doc in sorted({g.split(":")[0] for r in rows for g in r.gold}):
            picked = [(x, r) for x, r in zip(ranked, rows) if r.gold and r.gold[0].startswith(doc + ":")]
            figures[doc] = search_metrics([x for x, _ in picked], [r for _, r in picked])
        report["search"][name] = figures
        report["misses"][name] = [r.id for x, r in zip(ranked, rows) if r.answerable and not set(x[:K]) & set(r.gold)]
    started = time.perf_counter()
    outcomes = []
    for row in rows:
        answer = kb.ask(row.question)
        outcomes.append({"id": row.id, "lang": row.lang, "answerable": row.answerable, "gold": list(row.gold),
                         "cited": [c.id for c in answer.citations], "confidence": confidence_of(answer)})
    progress(f"ask: {len(rows)} questions in {time.perf_counter() - started:.1f} s")
    report["ask"] = {"all": ask_metrics(outcomes)}
    for lang in langs:
        report["ask"][lang] = ask_metrics([o for o in outcomes if o["lang"] == lang])
    report["confidently_wrong_ids"] = [o["id"] for o in outcomes
                                       if o["answerable"] and o["confidence"] == "sure" and not set(o["cited"]) & set(o["gold"])]
    report["offtopic_answered_ids"] = [o["id"] for o in outcomes if not o["answerable"] and o["confidence"] != "abstained"]
    return report


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{100 * value:5.1f}%"


def print_report(report: dict[str, Any], out: Any = sys.stdout) -> None:
    """The figures as plain tables."""
    print(f"held-out lay questions: {report['rows']} rows", file=out)
    for problem in report["gold_problems"]:
        print(f"  GOLD PROBLEM {problem}", file=out)
    print(f"\nsearch, k={K}: gold articles in top {K} | questions with gold in top {K} | recall@1 | MRR@{K}", file=out)
    for name, figures in report["search"].items():
        for part, m in figures.items():
            if not m.get("n"):
                continue
            print(f"  {name:<11} {part:<24} n={m['n']:<3} {_pct(m[f'gold_articles_in_top{K}'])}  "
                  f"{_pct(m[f'questions_with_gold_in_top{K}'])}  {_pct(m['recall@1'])}  {m[f'mrr@{K}']:.3f}", file=out)
    for name, ids in report["misses"].items():
        print(f"  no gold in top {K} ({name}): {', '.join(ids) or '-'}", file=out)
    print("\nask (answerable rows): citation hit | confidently wrong | wrong answered | unsure | abstained ; "
          "off-topic abstained | unsure", file=out)
    for part, m in report["ask"].items():
        print(f"  {part:<4} n={m['answerable']:<3} {_pct(m['citation_hit'])}  {_pct(m['confidently_wrong'])}  "
              f"{_pct(m['wrong_answered'])}  {_pct(m['unsure'])}  {_pct(m['abstained'])} ; "
              f"n={m['offtopic']} {_pct(m['offtopic_abstained'])} {_pct(m['offtopic_unsure'])}", file=out)
    print(f"  confidently wrong: {', '.join(report['confidently_wrong_ids']) or '-'}", file=out)
    print(f"  off-topic not abstained: {', '.join(report['offtopic_answered_ids']) or '-'}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_heldout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, help="KB folder to ingest the laws into and reuse (default: a temporary one)")
    parser.add_argument("--gold", type=Path, default=HELDOUT_DIR / "lay.jsonl", help="gold JSONL (default: %(default)s)")
    parser.add_argument("--laws", type=Path, default=HELDOUT_DIR / "laws", help="folder of the held-out laws (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    args = parser.parse_args(argv)

    from policykb.kb.knowledge_base import KnowledgeBase
    from policykb.settings import Settings

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        rows = load_gold(args.gold)
        laws = sorted(p for p in args.laws.glob("*") if p.suffix.lower() in (".md", ".txt")) if args.laws.is_dir() else []
        if not laws:
            raise PolicyKBError(f"--laws {str(args.laws)!r} holds no .md or .txt law texts; point it at eval/heldout/laws")
    except PolicyKBError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    kb_dir = args.kb or Path(tempfile.mkdtemp(prefix="policykb-heldout-"))
    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir))
    try:
        started = time.perf_counter()
        ingest = kb.ingest(laws)
        progress(f"ingest into {kb_dir}: {ingest.added} added, {ingest.updated} updated, {ingest.unchanged} unchanged, "
                 f"{ingest.failed} failed, {ingest.embedded} clauses embedded, {time.perf_counter() - started:.0f} s")
        if ingest.failed:
            raise PolicyKBError(f"{ingest.failed} held-out law(s) failed to ingest; run `policykb ingest {args.laws}` to see why")
        kb.warm_up()
        report = run(kb, rows, progress)
    except PolicyKBError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        kb.close()
        if args.kb is None:
            shutil.rmtree(kb_dir, ignore_errors=True)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
