"""Latency at size: warm search and ask against the query-embedding time, a profile, and the RSS of `serve`.

    python -m benchmarks.bench_latency [--kb DIR | --synthetic N] [--work-dir DIR] [--chroma-url URL]
        [--copy-to URL] [--serve] [--profile] [--json FILE]

1. Latency, in one process, question by question in turn: the time to embed the question alone
   (``embed_queries``), a warm ``kb.search`` (k=5) and a warm ``kb.ask`` (extractive), after a warm-up pass.
   Printed: search p50 and p95 and ask p50, each also divided by the embedding p50 of the same run
   (budgets: search p50 ≤ 3×, p95 ≤ 5×, ask p50 ≤ 4×). Questions: the gold sets that match the KB's
   documents (``eval/gold``), else 60 synthetic ones (:func:`benchmarks.synthetic.queries`).
2. ``--profile``: cProfile of warm searches and warm asks (each question once), summarised as the
   functions with the most own time and the main stages by cumulative time.
3. ``--serve``: ``policykb serve`` on the KB (and on the Chroma server with --chroma-url), a few searches
   and asks through its API, then its resident memory (VmRSS, and the peak VmHWM).

The KB: ``--kb DIR`` (an ingested KB), else the bundled corpus ingested into ``--work-dir``, or with
``--synthetic N`` a synthetic bilingual corpus of N clauses (:mod:`benchmarks.synthetic`). A synthetic
KB is filled cheaply (:class:`WordFill`: a bag of words under a fixed random projection, no model), so
50,000 clauses fill in minutes instead of an hour; queries are embedded by the real model as always.
What a search costs depends on how many vectors the stores hold, not on how they were made; what it
finds in a synthetic KB is not measured here. ``--copy-to URL`` copies the KB's vectors to a Chroma server
(``policykb copy-vectors``) and measures there as well. Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from benchmarks import GOLD_DIR
from policykb.eval.metrics import percentile
from policykb.settings import Settings, repo_root

__all__ = ["main", "WordFill", "latency", "profile", "serve_memory"]

_WORD = re.compile(r"[a-z]+|\d+|[\u4e00-\u9fff]")


class WordFill:
    """Cheap passage vectors for synthetic KBs: a bag of words under a fixed random projection.

    Each distinct word (an English word, or one Chinese character) gets a random unit vector seeded by its
    hash; a passage's vector is the normalised sum of its words' vectors. Passages sharing words lie
    close together, as real embeddings of texts sharing words do; no model runs, so 50,000 clauses with
    their sentences fill in minutes. (The real model's own vectors of each word were tried first: at
    ~1 s of CPU per 100 clauses they made a 50k fill take an hour on a busy machine.)
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.words: dict[str, np.ndarray] = {}

    def _vector(self, word: str) -> np.ndarray:
        vector = self.words.get(word)
        if vector is None:
            seed = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            vector = self.words[word] = vector / np.linalg.norm(vector)
        return vector

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[i] += self._vector(word)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _questions(kb: Any) -> list[str]:
    from policykb.eval.gold import load_gold

    docs = {d.doc_id for d in kb.documents()}
    out: list[str] = []
    for path in sorted(GOLD_DIR.glob("*.jsonl")):
        rows = load_gold(path)
        if rows and all(cid.split(":")[0] in docs for r in rows for cid in r.gold):
            out.extend(r.question for r in rows if not r.history)
    return list(dict.fromkeys(out))


def latency(kb: Any, questions: Sequence[str]) -> dict[str, Any]:
    """Question by question: embed alone, warm search, warm ask; p50/p95 and the ratios to the embedding p50."""
    kb.warm_up()
    for q in questions[:5]:  # warm-up: model, stores, tokenizer, dictionary, caches
        kb.search(q, 5)
        kb.ask(q, mode="extractive")
    embed, search, ask = [], [], []
    for q in questions:
        started = time.perf_counter()
        kb.embedder.embed_queries([q])
        embed.append((time.perf_counter() - started) * 1000)
        search.append(kb.search(q, 5).latency_ms)
        ask.append(kb.ask(q, mode="extractive").latency_ms)
    e50 = percentile(embed, 50) or float("nan")
    s50, s95, a50, a95 = (percentile(search, 50), percentile(search, 95), percentile(ask, 50), percentile(ask, 95))
    return {"questions": len(questions), "embed_p50_ms": round(e50, 1), "search_p50_ms": round(s50, 1),
            "search_p95_ms": round(s95, 1), "ask_p50_ms": round(a50, 1), "ask_p95_ms": round(a95, 1),
            "search_p50_x": round(s50 / e50, 2), "search_p95_x": round(s95 / e50, 2), "ask_p50_x": round(a50 / e50, 2),
            "load": [round(x, 2) for x in os.getloadavg()]}


def profile(kb: Any, questions: Sequence[str], top: int = 12) -> dict[str, str]:
    """Own-time and cumulative-time tables of cProfile over warm searches and warm asks."""
    out = {}
    for name, run in (("search", lambda q: kb.search(q, 5)), ("ask", lambda q: kb.ask(q, mode="extractive"))):
        for q in questions[:3]:
            run(q)
        prof = cProfile.Profile()
        prof.enable()
        for q in questions:
            run(q)
        prof.disable()
        text = io.StringIO()
        stats = pstats.Stats(prof, stream=text).strip_dirs()
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top + 8)
        out[name] = text.getvalue()
    return out


def serve_memory(kb_dir: Path, work: Path, questions: Sequence[str], chroma_url: str | None) -> dict[str, Any]:
    """RSS of `policykb serve` on the KB after a few searches and asks through its API."""
    import httpx

    from benchmarks.bench_load import call, started_server

    saved = os.environ.get("POLICYKB_CHROMA_URL")
    if chroma_url:
        os.environ["POLICYKB_CHROMA_URL"] = chroma_url
    try:
        with started_server(kb_dir, None, work) as server:
            started_mb = server.memory_mb()
            with httpx.Client(timeout=300) as client:
                for q in questions[:8]:
                    call(client, server.url, "search", q)
                    call(client, server.url, "ask", q)
            return {"store": chroma_url or "embedded", "rss_started_mb": started_mb["rss_mb"], **server.memory_mb()}
    finally:
        if saved is None:
            os.environ.pop("POLICYKB_CHROMA_URL", None)
        else:
            os.environ["POLICYKB_CHROMA_URL"] = saved


def _build(args: argparse.Namespace, work: Path) -> Path:
    """The KB folder to measure: --kb, or one built into the work folder."""
    from policykb.kb import KnowledgeBase

    if args.kb:
        return args.kb
    kb_dir = work / (f"synthetic-{args.synthetic}" if args.synthetic else "corpus")
    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir, chroma_url=args.chroma_url))
    try:
        kb.warm_up()
        if args.synthetic:
            from benchmarks.synthetic import write_corpus

            corpus = write_corpus(work / f"synthetic-{args.synthetic}-corpus", args.synthetic, seed=args.seed)
            kb.embedder.embed_passages = WordFill(kb.embedder.dim)  # type: ignore[method-assign]
            paths = [corpus.folder]
        else:
            paths = [repo_root() / "corpus"]
        started = time.perf_counter()
        report = kb.ingest(paths)
        print(f"KB {kb_dir}: {len(kb.clauses())} clauses, {report.embedded} embedded in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)
    finally:
        kb.close()
    return kb_dir


def _measure(kb_dir: Path, chroma_url: str | None, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir, chroma_url=chroma_url))
    try:
        questions = _questions(kb)
        if not questions:
            from benchmarks.synthetic import queries

            questions = queries(60, seed=args.seed + 1)
        figures: dict[str, Any] = {"store": chroma_url or "embedded", "clauses": len(kb.clauses()),
                                   "sentences": kb.vectors.count("sentences"), **latency(kb, questions)}
        _print_latency(figures)
        if args.profile:
            figures["profile"] = profile(kb, questions[: args.profile_questions])
            for name, text in figures["profile"].items():
                print(f"\n## cProfile: {args.profile_questions} warm {name}es\n{text}")
    finally:
        kb.close()
    if args.serve:
        figures["serve"] = serve_memory(kb_dir, work, questions, chroma_url)
        s = figures["serve"]
        print(f"serve ({s['store']}): RSS {s['rss_started_mb']} MB when the page answered, "
              f"{s['rss_mb']} MB after 8 searches and 8 asks (peak {s['peak_rss_mb']} MB)", flush=True)
    return figures


def _print_latency(f: dict[str, Any]) -> None:
    print(f"\n{f['clauses']} clauses ({f['sentences']} sentence vectors), {f['store']}, {f['questions']} questions, load {f['load']}")
    print(f"  embed one query p50 {f['embed_p50_ms']:7.1f} ms")
    print(f"  search p50 {f['search_p50_ms']:7.1f} ms = {f['search_p50_x']:.2f}×  (≤ 3)   "
          f"p95 {f['search_p95_ms']:7.1f} ms = {f['search_p95_x']:.2f}×  (≤ 5)")
    print(f"  ask    p50 {f['ask_p50_ms']:7.1f} ms = {f['ask_p50_x']:.2f}×  (≤ 4)   p95 {f['ask_p95_ms']:7.1f} ms", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, help="an ingested KB folder (default: build one in --work-dir)")
    parser.add_argument("--synthetic", type=int, default=0, help="build a synthetic KB of N clauses (cheap vector fill)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", type=Path, help="where KBs are built and kept (default: a temporary folder)")
    parser.add_argument("--chroma-url", help="build and measure on this Chroma server instead of the embedded store")
    parser.add_argument("--copy-to", metavar="URL", help="also copy the vectors to this Chroma server and measure there")
    parser.add_argument("--serve", action="store_true", help="also measure the RSS of `policykb serve` on the KB")
    parser.add_argument("--profile", action="store_true", help="also profile warm searches and asks")
    parser.add_argument("--profile-questions", type=int, default=20, help="questions under the profiler (default 20)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.kb and args.synthetic:
        print("error: give --kb or --synthetic, not both", file=sys.stderr)
        return 2
    if args.kb and not (args.kb / "manifest.sqlite").exists():
        print(f"error: --kb {args.kb} holds no KB; ingest documents into it first or leave --kb out", file=sys.stderr)
        return 2
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="policykb-bench-latency-"))
    work.mkdir(parents=True, exist_ok=True)
    kb_dir = _build(args, work)
    runs = [_measure(kb_dir, args.chroma_url, args, work)]
    if args.copy_to and not args.chroma_url:
        from policykb.kb import KnowledgeBase

        kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir))
        try:
            copied = kb.copy_vectors_to(args.copy_to).to_json()
        finally:
            kb.close()
        print(f"copied {copied['clauses']} clause and {copied['sentences']} sentence vectors to {args.copy_to} "
              f"in {copied['seconds']:.0f} s", file=sys.stderr)
        runs.append(_measure(kb_dir, args.copy_to, args, work))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
