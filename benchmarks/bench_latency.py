"""Latency at size: warm search and ask against the query-embedding time, a profile, and the RSS of `serve`.

    python -m benchmarks.bench_latency [--kb DIR ...] [--synthetic N[,N...]] [--corpus] [--work-dir DIR]
        [--chroma-url URL] [--copy-to URL] [--serve] [--profile] [--json FILE]

1. Latency, in one process, question by question in turn: the time to embed the question alone
   (``embed_queries``), a warm ``kb.search`` (k=5) and a warm ``kb.ask`` (extractive), after a warm-up pass;
   each timed around the call (wall time, what a caller waits) and in the process's CPU time (steadier on a
   shared machine). Printed: search p50 and p95 and ask p50, each also divided by the embedding p50 of the same
   run (budgets: search p50 ≤ 3×, p95 ≤ 5×, ask p50 ≤ 4×). Questions: the gold sets that match the KB's
   documents (``eval/gold``), else 60 synthetic ones (:func:`benchmarks.synthetic.queries`).
2. ``--profile``: cProfile of warm searches and warm asks (each question once), summarised as the
   functions with the most own time and the main stages by cumulative time.
3. ``--serve``: ``policykb serve`` on the KB (and on the Chroma server with --chroma-url), a few searches
   and asks through its API, then its resident memory (VmRSS, and the peak VmHWM).

The KBs: each ``--kb DIR`` (an ingested KB); ``--corpus``: the bundled corpus ingested into ``--work-dir``;
``--synthetic N,N…``: synthetic bilingual corpora of N clauses (:mod:`benchmarks.synthetic`), built into
``--work-dir`` (kept there: a later run with the same work folder measures them again without building).
With none of these, the bundled corpus. A synthetic KB is filled cheaply (:class:`WordFill`: a bag of words
under a fixed random projection, no model), so 50,000 clauses fill in minutes instead of an hour; queries
are embedded by the real model as always. What a search costs depends on how many vectors the stores hold,
not on how they were made; what it finds in a synthetic KB is not measured here. ``--copy-to URL`` copies
each KB's vectors to a Chroma server (``policykb copy-vectors``; skipped when the server already holds as
many) and measures there as well. At the end one table has a row per KB and store. Figures are printed,
never asserted.
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

__all__ = ["main", "WordFill", "latency", "profile", "serve_memory", "table"]

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
    """Question by question: embed alone, warm search, warm ask; p50/p95 and the ratios to the embedding p50
    (wall time; the same in the process's CPU time under ``cpu_``)."""
    kb.warm_up()
    for q in questions[:5]:  # warm-up: model, stores, tokenizer, dictionary, caches
        kb.search(q, 5)
        kb.ask(q, mode="extractive")
    runs: dict[str, tuple[list[float], list[float]]] = {"embed": ([], []), "search": ([], []), "ask": ([], [])}
    calls = {"embed": lambda q: kb.embedder.embed_queries([q]), "search": lambda q: kb.search(q, 5),
             "ask": lambda q: kb.ask(q, mode="extractive")}
    for q in questions:
        for name, call in calls.items():
            cpu, wall = time.process_time(), time.perf_counter()
            call(q)
            runs[name][0].append((time.perf_counter() - wall) * 1000)
            runs[name][1].append((time.process_time() - cpu) * 1000)
    out: dict[str, Any] = {"questions": len(questions)}
    for prefix, i in (("", 0), ("cpu_", 1)):
        e50 = percentile(runs["embed"][i], 50) or float("nan")
        s50, s95 = percentile(runs["search"][i], 50), percentile(runs["search"][i], 95)
        a50, a95 = percentile(runs["ask"][i], 50), percentile(runs["ask"][i], 95)
        out.update({f"{prefix}embed_p50_ms": round(e50, 1), f"{prefix}search_p50_ms": round(s50, 1),
                    f"{prefix}search_p95_ms": round(s95, 1), f"{prefix}ask_p50_ms": round(a50, 1),
                    f"{prefix}ask_p95_ms": round(a95, 1), f"{prefix}search_p50_x": round(s50 / e50, 2),
                    f"{prefix}search_p95_x": round(s95 / e50, 2), f"{prefix}ask_p50_x": round(a50 / e50, 2)})
    out["load"] = [round(x, 2) for x in os.getloadavg()]
    return out


# Stages of a warm search or ask, by the cumulative time of the functions that run them: (label, file, functions).
STAGES = (
    ("query embedding (the model)", "embed.py", ("embed_queries",)),
    ("vector queries (Chroma, clause and sentence × language)", "vectors.py", ("query",)),
    ("sentence texts of the hits shown (Chroma get)", "vectors.py", ("texts",)),
    ("BM25 (lexical, glossary and dictionary bridges)", "lexical.py", ("scores", "weighted_scores")),
    ("dictionary and glossary renderings of the question", "retriever.py",
     ("dictionary_terms", "_bridge_tokens", "_bridge_coverage", "word_renderings", "_query_terms")),
    ("fusion", "fusion.py", ("fuse",)),
    ("document priors (title, coverage)", "doc_prior.py", ("scores",)),
    ("document priors (title, coverage)", "doc_coverage.py", ("scores",)),
    ("the answer after its search (extractive, abstention checks)", "respond.py", ("answer_question",)),
)


def stages(stats: pstats.Stats, total: float, searched: float) -> list[tuple[str, float]]:
    """Seconds per stage (:data:`STAGES`) from a profile; the answer's own time is its total less its search."""
    out: dict[str, float] = {}
    table = stats.stats  # type: ignore[attr-defined]
    for label, filename, functions in STAGES:
        seconds = sum(ct for (file, _line, name), (_cc, _nc, _tt, ct, _callers) in table.items()
                      if file.endswith(filename) and name in functions)
        if label.startswith("the answer"):
            seconds = max(seconds - searched, 0.0) if seconds else 0.0
        if seconds:
            out[label] = out.get(label, 0.0) + seconds
    out["other (policykb's own Python: candidate maps, sorting, hits)"] = max(total - sum(out.values()), 0.0)
    return list(out.items())


def profile(kb: Any, questions: Sequence[str], top: int = 12) -> dict[str, Any]:
    """Per stage (:func:`stages`), then own-time and cumulative-time tables of cProfile over warm searches and asks."""
    out: dict[str, Any] = {}
    for name, run in (("search", lambda q: kb.search(q, 5)), ("ask", lambda q: kb.ask(q, mode="extractive"))):
        for q in questions[:3]:
            run(q)
        prof = cProfile.Profile()
        started = time.process_time()
        prof.enable()
        for q in questions:
            run(q)
        prof.disable()
        cpu = time.process_time() - started
        text = io.StringIO()
        stats = pstats.Stats(prof, stream=text)
        table = stats.stats  # type: ignore[attr-defined]
        total = sum(tt for (_cc, _nc, tt, _ct, _callers) in table.values())
        searched = sum(ct for (file, _line, fn), (_cc, _nc, _tt, ct, _callers) in table.items()
                       if file.endswith("retriever.py") and fn == "search")
        per_stage = stages(stats, total, searched)
        text.write(f"{len(questions)} warm {name} calls: {total:.2f} s profiled ({1000 * total / len(questions):.0f} ms each; "
                   f"CPU {cpu:.2f} s)\n")
        for label, seconds in per_stage:
            text.write(f"  {label:<64} {seconds:6.2f} s  {100 * seconds / total:4.0f}%\n")
        stats = stats.strip_dirs()
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top + 8)
        out[name] = text.getvalue()
        out[f"{name}_stages"] = {label: round(seconds, 3) for label, seconds in per_stage}
        out[f"{name}_total_s"] = round(total, 3)
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


def _build(kb_dir: Path, synthetic: int, work: Path, chroma_url: str | None, seed: int) -> Path:
    """A KB of the bundled corpus (``synthetic`` 0) or of a synthetic corpus in ``kb_dir``; one already built
    there (with as many clauses) is measured as it is."""
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir, chroma_url=chroma_url))
    try:
        if synthetic and (kb_dir / "manifest.sqlite").exists() and len(kb.clauses()) == synthetic:
            print(f"KB {kb_dir}: {synthetic} clauses, built before", file=sys.stderr, flush=True)
            return kb_dir
        kb.warm_up()
        if synthetic:
            from benchmarks.synthetic import write_corpus

            corpus = write_corpus(work / f"synthetic-{synthetic}-corpus", synthetic, seed=seed)
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


def _copy(kb_dir: Path, url: str) -> None:
    """Copy the KB's vectors to the Chroma server at ``url``, unless it already holds as many of each kind."""
    from policykb.kb import KnowledgeBase
    from policykb.kb.index.vectors import KINDS, VectorStore

    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir))
    try:
        target = VectorStore(kb_dir=kb_dir, chroma_url=url, kb_id=kb.manifest.kb_id, embedder_name=kb.embedder.name,
                             dim=kb.embedder.dim)
        try:
            held = {kind: target.count(kind) for kind in KINDS}
        finally:
            target.close()
        if all(held[kind] == kb.vectors.count(kind) for kind in KINDS):
            print(f"{url} already holds the {held['clauses']} clause and {held['sentences']} sentence vectors of {kb_dir}",
                  file=sys.stderr)
            return
        copied = kb.copy_vectors_to(url).to_json()
    finally:
        kb.close()
    print(f"copied {copied['clauses']} clause and {copied['sentences']} sentence vectors to {url} "
          f"in {copied['seconds']:.0f} s", file=sys.stderr)


def _measure(kb_dir: Path, chroma_url: str | None, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Latency (and with --profile, --serve: a profile, the RSS of `serve`) of one KB on one store."""
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir, chroma_url=chroma_url))
    try:
        gold = _questions(kb)
        if gold:
            questions = gold
        else:
            from benchmarks.synthetic import queries

            questions = queries(60, seed=args.seed + 1)
        questions = questions[: args.questions or None]
        figures: dict[str, Any] = {"kb": str(kb_dir), "store": chroma_url or "embedded", "clauses": len(kb.clauses()),
                                   "documents": len(kb.documents()), "sentences": kb.vectors.count("sentences"),
                                   "question_source": "gold" if gold else "synthetic", **latency(kb, questions)}
        _print_latency(figures)
        if args.profile:
            figures["profile"] = profile(kb, questions[: args.profile_questions])
            for name in ("search", "ask"):
                print(f"\n## cProfile: {args.profile_questions} warm {name} calls\n{figures['profile'][name]}")
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
    for label, p in (("wall", ""), ("CPU ", "cpu_")):
        print(f"  {label}: embed one query p50 {f[p + 'embed_p50_ms']:6.1f} ms | search p50 {f[p + 'search_p50_ms']:6.1f} ms = "
              f"{f[p + 'search_p50_x']:.2f}× (≤ 3), p95 {f[p + 'search_p95_ms']:6.1f} ms = {f[p + 'search_p95_x']:.2f}× (≤ 5) | "
              f"ask p50 {f[p + 'ask_p50_ms']:6.1f} ms = {f[p + 'ask_p50_x']:.2f}× (≤ 4), p95 {f[p + 'ask_p95_ms']:6.1f} ms", flush=True)


def table(runs: Sequence[dict[str, Any]]) -> str:
    """One Markdown table: a row per KB and store (wall-time ratios, the CPU-time ratios beside them)."""
    head = ("| KB | store | questions | one query embedding p50 | search p50 (× embedding) | search p95 (×) | "
            "ask p50 (×) | CPU-time ratios: search p50 / p95 / ask p50 | RSS of `serve` (at first answer) | load |")
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for f in runs:
        kb = f"{f['documents']} documents, {f['clauses']:,} clauses, {f['sentences']:,} sentence vectors"
        serve = f.get("serve")
        rss = f"{serve['rss_mb']:.0f} MB ({serve['rss_started_mb']:.0f} MB)" if serve and serve.get("rss_mb") else "–"
        lines.append(
            f"| {kb} | {'server' if f['store'] != 'embedded' else 'embedded'} | {f['questions']} {f['question_source']} | "
            f"{f['embed_p50_ms']:.0f} ms | {f['search_p50_ms']:.0f} ms ({f['search_p50_x']:.1f}×) | "
            f"{f['search_p95_ms']:.0f} ms ({f['search_p95_x']:.1f}×) | {f['ask_p50_ms']:.0f} ms ({f['ask_p50_x']:.1f}×) | "
            f"{f['cpu_search_p50_x']:.1f} / {f['cpu_search_p95_x']:.1f} / {f['cpu_ask_p50_x']:.1f} | {rss} | "
            f"{' '.join(f'{x:.1f}' for x in f['load'])} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, action="append", default=[], help="an ingested KB folder (repeat for several)")
    parser.add_argument("--corpus", action="store_true", help="the bundled corpus ingested into --work-dir (the default "
                                                               "when neither --kb nor --synthetic is given)")
    parser.add_argument("--synthetic", default="", help="synthetic KBs of N clauses, comma-separated (cheap vector fill)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", type=Path, help="where KBs are built and kept (default: a temporary folder)")
    parser.add_argument("--chroma-url", help="build and measure on this Chroma server instead of the embedded store")
    parser.add_argument("--copy-to", metavar="URL", help="also copy the vectors to this Chroma server and measure there")
    parser.add_argument("--serve", action="store_true", help="also measure the RSS of `policykb serve` on the KB")
    parser.add_argument("--profile", action="store_true", help="also profile warm searches and asks")
    parser.add_argument("--profile-questions", type=int, default=20, help="questions under the profiler (default 20)")
    parser.add_argument("--questions", type=int, default=0, help="measure only the first N questions (default: all)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    try:
        sizes = [int(n) for n in args.synthetic.split(",") if n.strip()]
    except ValueError:
        print(f"error: --synthetic {args.synthetic!r} is not a comma-separated list of clause counts, e.g. 10000,50000",
              file=sys.stderr)
        return 2
    for kb_dir in args.kb:
        if not (kb_dir / "manifest.sqlite").exists():
            print(f"error: --kb {kb_dir} holds no KB; ingest documents into it first or leave --kb out", file=sys.stderr)
            return 2
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="policykb-bench-latency-"))
    work.mkdir(parents=True, exist_ok=True)
    kb_dirs = list(args.kb)
    if args.corpus or not (args.kb or sizes):
        kb_dirs.append(_build(work / "corpus", 0, work, args.chroma_url, args.seed))
    kb_dirs += [_build(work / f"synthetic-{n}", n, work, args.chroma_url, args.seed) for n in sizes]
    runs = []
    for kb_dir in kb_dirs:
        runs.append(_measure(kb_dir, args.chroma_url, args, work))
        if args.copy_to and not args.chroma_url:
            _copy(kb_dir, args.copy_to)
            runs.append(_measure(kb_dir, args.copy_to, args, work))
        if args.json:  # after each KB, so a long run keeps what it measured
            args.json.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
    print("\n" + table(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
