"""Answer latency benchmark: warm ``kb.ask`` against the time to embed the question alone.

    python -m benchmarks.bench_ask [--kb DIR] [--gold FILE] [--repeats N]

Over the gold questions (follow-ups asked with their history; only the follow-up itself is
timed), it prints the p50 of embedding each question alone, the warm ask p50/p95 (extractive
mode, as measured inside ``ask``: ``Answer.latency_ms``) and the ratio ask p50 / embed p50.
The issue's budget is a ratio of at most 4. Without --kb a temporary KB is built from the
bundled corpus. Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

from benchmarks import GOLD_DIR
from policykb.eval.gold import GoldRow, load_gold
from policykb.eval.metrics import percentile
from policykb.settings import Settings, repo_root

__all__ = ["main", "measure"]

GOLD = GOLD_DIR / "opinions.jsonl"
BUDGET = 4.0


def _embed_ms(kb: Any, question: str) -> float:
    started = time.perf_counter()
    kb.embedder.embed_queries([question])
    return (time.perf_counter() - started) * 1000


def measure(kb: Any, rows: Sequence[GoldRow], repeats: int = 1) -> dict[str, float]:
    """Embed-only p50, warm ask p50/p95 and their ratio over the rows (after one warm-up pass)."""
    from policykb.kb.model import Turn

    def histories(row: GoldRow) -> tuple[Turn, ...]:
        turns: list[Turn] = []
        for earlier in row.history:
            turns.append(Turn(earlier, kb.ask(earlier, history=tuple(turns), mode="extractive")))
        return tuple(turns)

    prepared = [(row, histories(row)) for row in rows]
    for row, turns in prepared:  # warm-up: model, stores, tokenizer, caches
        kb.ask(row.question, history=turns, mode="extractive")
        _embed_ms(kb, row.question)
    embed: list[float] = []
    ask: list[float] = []
    for _ in range(repeats):
        for row, turns in prepared:
            embed.append(_embed_ms(kb, row.question))
            ask.append(kb.ask(row.question, history=turns, mode="extractive").latency_ms)
    embed_p50 = percentile(embed, 50) or 0.0
    ask_p50 = percentile(ask, 50) or 0.0
    return {
        "questions": len(rows),
        "runs": len(ask),
        "embed_p50_ms": round(embed_p50, 2),
        "ask_p50_ms": round(ask_p50, 2),
        "ask_p95_ms": round(percentile(ask, 95) or 0.0, 2),
        "ratio": round(ask_p50 / embed_p50, 2) if embed_p50 else float("nan"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    from policykb.kb import KnowledgeBase

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_ask", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, help="an ingested KB folder (default: a temporary KB of the bundled corpus)")
    parser.add_argument("--gold", type=Path, default=GOLD, help="gold JSONL whose questions are timed")
    parser.add_argument("--repeats", type=int, default=2, help="timed passes over the questions")
    args = parser.parse_args(argv)

    tmp = None
    kb_dir = args.kb
    if kb_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="policykb-bench-ask-"))
        kb_dir = tmp / "kb"
    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir))
    try:
        if tmp is not None:
            print(f"building a temporary KB from {repo_root() / 'corpus'} …", file=sys.stderr)
            kb.ingest([repo_root() / "corpus"])
        figures = measure(kb, load_gold(args.gold), max(1, args.repeats))
    finally:
        kb.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"questions            {figures['questions']} ({figures['runs']} timed asks)")
    print(f"embed question p50   {figures['embed_p50_ms']:8.2f} ms")
    print(f"warm ask p50         {figures['ask_p50_ms']:8.2f} ms")
    print(f"warm ask p95         {figures['ask_p95_ms']:8.2f} ms")
    print(f"ratio ask/embed p50  {figures['ratio']:8.2f}  (budget ≤ {BUDGET:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
