"""Search benchmark: signal ablation on the gold sets, warm latency against query embedding, and scale.

    python -m benchmarks.bench_search [--kb DIR] [--chroma-url URL] [--sizes 1000,10000] [--grow] [--copy-to URL]

1. Ablation — recall@1, recall@3 and MRR per gold set and question language for each
   retrieval signal alone (a fusion table with one non-zero weight), the dense and lexical
   families, and the fused ranking. Measured on the topical rows (kinds "fact" and "multi":
   lookups and "which clauses mention X" take rule paths, follow-ups need the answerer);
   the fused ranking is also shown over every answerable row except follow-ups.
   ``eval/gold/zh-rule.jsonl`` joins when its document is in the KB.
2. Latency — warm ``kb.search`` p50/p95 over the gold questions next to the time to embed
   one query alone (``kb.embed_query_ms()``), and their ratio.
3. Scale — for each size, a synthetic bilingual corpus (:mod:`benchmarks.synthetic`) is
   ingested into a fresh KB (embedded Chroma, or the server given by --chroma-url) in a
   child process of its own, which reports ingest throughput, warm search p50/p95 and its
   resident memory (current and peak). With --grow one KB grows through the sizes instead
   (1k → 10k → 50k adds 9k, then 40k clauses; the corpus of a smaller size is the start of
   a larger one), so each step embeds only its new clauses and throughput is theirs.
   --copy-to URL then copies each size's vectors to a Chroma server (``policykb copy-vectors``:
   nothing is re-embedded) and measures search there as well.

Without --kb a temporary KB is built from the bundled corpus and, when present, the Chinese
test rule. Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from benchmarks import GOLD_DIR, module_command, with_root_on_path
from policykb.errors import PolicyKBError
from policykb.eval.gold import GoldRow, load_gold
from policykb.eval.metrics import percentile, retrieval_metrics
from policykb.settings import Settings, repo_root

__all__ = ["main", "ablation", "latency", "scale_one", "memory_mb"]

GOLD_SETS = {"opinions": GOLD_DIR / "opinions.jsonl", "zh-rule": GOLD_DIR / "zh-rule.jsonl"}
ZH_RULE_DOC = "zj-inclusive-finance-rules"
ZH_RULE_FILE = repo_root() / "tests" / "fixtures" / "zj-inclusive-finance-rules.txt"
TOPICAL = ("fact", "multi")
SIGNALS = ("dense_clause", "dense_sentence", "lexical", "bridge")


def memory_mb() -> dict[str, float]:
    """Resident memory of this process now (VmRSS) and at its peak (VmHWM), in MB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = round(int(value.split()[0]) / 1024, 1)
    if "peak_rss_mb" not in out:
        import resource

        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


# -- 1. ablation ------------------------------------------------------------------------------
def _rankers(kb: Any) -> dict[str, Callable[[str], list[str]]]:
    """Name → function ranking clause ids for a question (top 5)."""
    from policykb.kb.retrieval.fusion import Weights
    from policykb.kb.retrieval.retriever import Retriever
    from policykb.kinds import SearchMode
    from policykb.kb.index.snapshot import load_snapshot

    snapshot = load_snapshot(kb.manifest, kb.kb_dir)

    def retriever(weights: dict[str, Weights] | None) -> Retriever:
        return Retriever(snapshot, kb.embedder, kb.vectors, kb.glossary(), weights=weights)

    def ranker(r: Retriever, mode: SearchMode, positive_only: bool) -> Callable[[str], list[str]]:
        def rank(question: str) -> list[str]:
            hits, _ = r.search(question, 5, mode=mode)
            return [h.clause.id for h in hits if h.score > 0 or not positive_only]

        return rank

    out = {}
    for signal in SIGNALS:
        alone = Weights(**{s: 1.0 if s == signal else 0.0 for s in SIGNALS})
        out[signal] = ranker(retriever({"same": alone, "cross": alone}), "fused", True)
    default = retriever(None)
    out["dense (clause+sentence)"] = ranker(default, "dense", True)
    out["lexical (bm25+bridge)"] = ranker(default, "lexical", True)
    out["fused"] = ranker(default, "fused", False)
    return out


def _gold_sets(kb: Any) -> dict[str, list[GoldRow]]:
    docs = {d.doc_id for d in kb.documents()}
    sets = {}
    for name, path in GOLD_SETS.items():
        rows = load_gold(path)
        if all(cid.split(":")[0] in docs for row in rows for cid in row.gold):
            sets[name] = rows
    return sets


def ablation(kb: Any) -> list[dict[str, Any]]:
    """One row per (gold set, question language, ranker, row selection) with n, recall@1/3 and MRR."""
    rankers = _rankers(kb)
    table = []
    for set_name, rows in _gold_sets(kb).items():
        for lang in sorted({r.lang for r in rows}):
            topical = [r for r in rows if r.lang == lang and r.answerable and r.kind in TOPICAL]
            answerable = [r for r in rows if r.lang == lang and r.answerable and r.kind != "followup" and not r.history]
            selections = [("topical", name, topical) for name in rankers] + [("answerable", "fused", answerable)]
            for selection, name, chosen in selections:
                if not chosen:
                    continue
                ranked = [rankers[name](r.question) for r in chosen]
                m = retrieval_metrics(ranked, [list(r.gold) for r in chosen])
                table.append({"set": set_name, "lang": lang, "rows": selection, "ranker": name, "n": len(chosen),
                              "recall@1": m["recall@1"], "recall@3": m["recall@3"], "mrr": m["mrr"]})
    return table


def print_ablation(table: list[dict[str, Any]]) -> None:
    print("\n## Ablation (recall@1 / recall@3 / MRR)")
    print(f"{'gold set':<10} {'lang':<4} {'rows':<10} {'n':>4}  {'ranker':<24} {'R@1':>6} {'R@3':>6} {'MRR':>6}")
    for row in table:
        print(f"{row['set']:<10} {row['lang']:<4} {row['rows']:<10} {row['n']:>4}  {row['ranker']:<24} "
              f"{row['recall@1']:>6.3f} {row['recall@3']:>6.3f} {row['mrr']:>6.3f}")
    print("targets (issue 3): en R@1 ≥ 0.95, R@3 ≥ 0.98; zh→en R@1 ≥ 0.85, R@3 ≥ 0.95 (fused)")


# -- 2. latency -------------------------------------------------------------------------------
def latency(kb: Any, questions: Sequence[str], *, k: int = 5) -> dict[str, float]:
    """Warm search latency over the questions, and the query-embedding time alone."""
    kb.warm_up()
    for q in questions[:3]:
        kb.search(q, k)
    times = [kb.search(q, k).latency_ms for q in questions]
    embed_ms = kb.embed_query_ms(repeats=9)
    p50, p95 = percentile(times, 50), percentile(times, 95)
    return {"n": len(times), "search_p50_ms": p50, "search_p95_ms": p95, "embed_query_ms": round(embed_ms, 2),
            "p50_over_embed": round(p50 / embed_ms, 2) if embed_ms else float("nan")}


def print_latency(title: str, figures: dict[str, float]) -> None:
    print(f"\n## Warm search latency — {title}")
    print(f"queries {figures['n']}: search p50 {figures['search_p50_ms']:.1f} ms, p95 {figures['search_p95_ms']:.1f} ms; "
          f"one query embedding {figures['embed_query_ms']:.1f} ms; p50 / embedding = {figures['p50_over_embed']:.2f} (target ≤ 3)")


# -- 3. scale ---------------------------------------------------------------------------------
def scale_one(n: int, work_dir: Path, chroma_url: str | None, seed: int, n_queries: int = 60,
              keep: bool = False) -> dict[str, Any]:
    """Generate, ingest and search a synthetic corpus of ``n`` clauses in this process.

    ``keep`` leaves the KB (and its server collections) in place for a larger size to grow from.
    """
    from benchmarks.synthetic import queries, write_corpus
    from policykb.kb import KnowledgeBase
    from policykb.kb.index.vectors import drop_collections

    corpus = write_corpus(work_dir / "corpus", n, seed=seed)
    settings = Settings.from_env(kb_dir=work_dir / "kb", chroma_url=chroma_url)
    kb = KnowledgeBase(settings)
    kb.warm_up()  # model load is not ingest time
    before = memory_mb()
    last = [0.0]

    def progress(message: str, fraction: float) -> None:
        if time.monotonic() - last[0] > 30:
            last[0] = time.monotonic()
            print(f"  [{n}] {fraction * 100:5.1f}% {message}", file=sys.stderr, flush=True)

    report = kb.ingest([corpus.folder], progress=progress)
    after_ingest = memory_mb()
    figures = latency(kb, queries(n_queries, seed=seed + 1))
    after_search = memory_mb()
    clauses = len(kb.clauses())
    sentences = kb.vectors.count("sentences")
    if chroma_url and not keep:
        drop_collections(kb_dir=kb.kb_dir, chroma_url=chroma_url, kb_id=kb.manifest.kb_id)
    kb.close()
    return {
        "clauses": clauses, "documents": len(corpus.files), "sentences": sentences, "store": chroma_url or "embedded",
        "ingest_s": round(report.seconds, 1), "clauses_per_s": round(report.embedded / report.seconds, 1),
        "embedded": report.embedded, "failed": report.failed,
        **figures,
        "rss_before_ingest_mb": before["rss_mb"], "rss_after_ingest_mb": after_ingest["rss_mb"],
        "rss_after_search_mb": after_search["rss_mb"], "peak_rss_mb": after_search["peak_rss_mb"],
        "kb_disk_mb": round(sum(p.stat().st_size for p in (work_dir / "kb").rglob("*") if p.is_file()) / 2**20, 1),
    }


def scale_copy(n: int, work_dir: Path, target_url: str, seed: int, n_queries: int = 60, keep: bool = False) -> dict[str, Any]:
    """Copy the vectors of an embedded synthetic KB to a Chroma server (``policykb copy-vectors``), then search there."""
    from benchmarks.synthetic import queries
    from policykb.kb import KnowledgeBase
    from policykb.kb.index.vectors import drop_collections

    kb = KnowledgeBase(Settings.from_env(kb_dir=work_dir / "kb"))
    copied = kb.copy_vectors_to(target_url).to_json()
    kb.close()
    kb = KnowledgeBase(Settings.from_env(kb_dir=work_dir / "kb", chroma_url=target_url))
    figures = latency(kb, queries(n_queries, seed=seed + 1))
    after_search = memory_mb()
    clauses, documents = len(kb.clauses()), len(kb.documents())
    if not keep:
        drop_collections(kb_dir=kb.kb_dir, chroma_url=target_url, kb_id=kb.manifest.kb_id)
    kb.close()
    return {
        "clauses": clauses, "documents": documents, "sentences": copied["sentences"],
        "store": f"{target_url} (copied)", "ingest_s": copied["seconds"],
        "clauses_per_s": round(copied["clauses"] / copied["seconds"], 1) if copied["seconds"] else float("nan"),
        "embedded": 0, "failed": 0, **figures,
        "rss_before_ingest_mb": float("nan"), "rss_after_ingest_mb": float("nan"),
        "rss_after_search_mb": after_search["rss_mb"], "peak_rss_mb": after_search["peak_rss_mb"],
        "kb_disk_mb": round(sum(p.stat().st_size for p in (work_dir / "kb").rglob("*") if p.is_file() and "chroma" not in p.parts) / 2**20, 1),
    }


def _scale_in_child(n: int, work_dir: Path, chroma_url: str | None, seed: int, keep: bool,
                    copy_to: str | None = None) -> dict[str, Any]:
    cmd = module_command("benchmarks.bench_search", "--one-size", str(n), "--work-dir", str(work_dir), "--seed", str(seed))
    if chroma_url:
        cmd += ["--chroma-url", chroma_url]
    if copy_to:
        cmd += ["--copy-to", copy_to]
    if keep:
        cmd.append("--keep")
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=with_root_on_path())
    if proc.returncode != 0:
        raise PolicyKBError(f"the scale run for {n} clauses failed (exit {proc.returncode}); see the messages above")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def print_scale(rows: list[dict[str, Any]]) -> None:
    print("\n## Scale (synthetic bilingual clauses; one fresh process per size)")
    print(f"{'clauses':>8} {'sent.':>7} {'store':<32} {'embedded':>8} {'ingest s':>9} {'clauses/s':>9} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'embed ms':>8} {'p50/emb':>7} {'RSS MB':>7} {'peak MB':>8} {'disk MB':>8}")
    for r in rows:
        print(f"{r['clauses']:>8} {r['sentences']:>7} {r['store'][:32]:<32} {r['embedded']:>8} {r['ingest_s']:>9.1f} {r['clauses_per_s']:>9.1f} "
              f"{r['search_p50_ms']:>7.1f} {r['search_p95_ms']:>7.1f} {r['embed_query_ms']:>8.1f} {r['p50_over_embed']:>7.2f} "
              f"{r['rss_after_search_mb']:>7.0f} {r['peak_rss_mb']:>8.0f} {r['kb_disk_mb']:>8.1f}")
    print("clauses/s counts the clauses embedded in that run (for a copied KB: clause vectors copied, with their\n"
          "sentences, per second). RSS is the benchmark process (model, manifest,\n"
          "lexical index; with embedded Chroma also the vector index).")


# -- driver -----------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_search", description=__doc__.split("\n\n")[0])
    p.add_argument("--kb", type=Path, help="an ingested KB for the ablation and latency (default: a temporary one)")
    p.add_argument("--chroma-url", help="Chroma server for every KB of the run (default: embedded)")
    p.add_argument("--sizes", default="", help="comma-separated synthetic corpus sizes, e.g. 1000,10000 (default: none)")
    p.add_argument("--skip-ablation", action="store_true", help="only the scale runs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work-dir", type=Path, help="where synthetic corpora and KBs go (default: a temporary folder, removed)")
    p.add_argument("--grow", action="store_true", help="grow one KB through the sizes instead of a fresh KB per size")
    p.add_argument("--copy-to", metavar="URL",
                   help="after each embedded size, copy its vectors to this Chroma server and measure search there too")
    p.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    p.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--keep", action="store_true", help=argparse.SUPPRESS)
    return p


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise SystemExit(f"--sizes {text!r} must be comma-separated whole numbers, e.g. 1000,10000") from None
    if any(s < 1 for s in sizes):
        raise SystemExit(f"--sizes {text!r}: every size must be at least 1")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.one_size:
        try:
            if args.copy_to:
                row = scale_copy(args.one_size, args.work_dir, args.copy_to, args.seed, keep=args.keep)
            else:
                row = scale_one(args.one_size, args.work_dir, args.chroma_url, args.seed, keep=args.keep)
            print(json.dumps(row))
        except PolicyKBError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    sizes = _sizes(args.sizes)
    figures: dict[str, Any] = {}
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="policykb-bench-"))
    try:
        if not args.skip_ablation:
            figures.update(_gold_benchmarks(args, work))
        if sizes:
            rows = []
            for i, n in enumerate(sizes):
                print(f"scale: {n} clauses …", file=sys.stderr, flush=True)
                folder = work / "scale-grown" if args.grow else work / f"scale-{n}"
                keep = args.grow and i < len(sizes) - 1
                rows.append(_scale_in_child(n, folder, args.chroma_url, args.seed, keep))
                if args.copy_to and not args.chroma_url:
                    rows.append(_scale_in_child(n, folder, None, args.seed, keep, copy_to=args.copy_to))
                print_scale(rows)
            figures["scale"] = rows
    except PolicyKBError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0


def _gold_benchmarks(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from policykb.kb import KnowledgeBase

    kb_dir = args.kb or work / "gold-kb"
    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir, chroma_url=args.chroma_url))
    try:
        if args.kb is None:
            paths = [kb.settings.corpus_dir] + ([ZH_RULE_FILE] if ZH_RULE_FILE.exists() else [])
            print(f"building a temporary KB from {', '.join(map(str, paths))} …", file=sys.stderr, flush=True)
            kb.ingest(paths)
        questions = [r.question for rows in _gold_sets(kb).values() for r in rows if not r.history]
        if not questions:
            print(f"no gold set matches the documents of the KB at {kb_dir}; ingest corpus/ first", file=sys.stderr)
            return {}
        table = ablation(kb)
        print_ablation(table)
        figures = latency(kb, questions)
        print_latency(f"{len(kb.clauses())} clauses ({', '.join(d.doc_id for d in kb.documents())}), "
                      f"{args.chroma_url or 'embedded Chroma'}", figures)
        return {"ablation": table, "latency": figures}
    finally:
        kb.close()


if __name__ == "__main__":
    sys.exit(main())
