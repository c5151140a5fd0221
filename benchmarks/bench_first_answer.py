"""First-answer benchmark: how soon `policykb serve` on an empty KB answers, and when its answers become hybrid.

    python -m benchmarks.bench_first_answer [--corpus DIR] [--lookup QUESTION ...] [--timeout S] [--json PATH]

Starts `policykb serve` on a new, empty KB folder with ``--corpus`` (default: the bundled ``corpus/``) as its
corpus, as a newcomer's first `make run` does, and times from the moment the process is started:

- the page answering HTTP 200;
- each lookup question answered through the app's /ask API with a citation (the first answer a user can get),
  with the signals it used and how many clauses still had no vectors;
- the semantic index complete: /search reports no clause without vectors (full hybrid answers).

Serve parses and indexes the corpus lexically before it listens and embeds in a background thread; before
that change, the page only answered once every clause was embedded (the "hybrid" figure is that time). Figures
are printed as a Markdown table (and written as JSON with --json), never asserted. Run from the repository root.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

from policykb.settings import repo_root
from tests.support.serve import cli_env, start_serve, stop_serve

__all__ = ["main", "measure"]

LOOKUPS = ("What does clause (18) say?", "第三十九条讲了什么？")
SEARCH = "savings bonds in rural areas"


def measure(corpus: Path, work: Path, lookups: Sequence[str], timeout: float = 1800.0, log: Any = None) -> dict[str, Any]:
    """Start serve on an empty KB under ``work`` and time the first answers and the end of the fill (seconds)."""
    from gradio_client import Client

    out = log or sys.stderr
    started = time.perf_counter()
    served = start_serve(work / "kb", work, env=cli_env(POLICYKB_CORPUS=str(corpus)), timeout=timeout)
    figures: dict[str, Any] = {"corpus": str(corpus), "page_s": round(time.perf_counter() - started, 2), "lookups": []}
    print(f"{figures['page_s']:7.1f} s  the page answers", file=out, flush=True)
    try:
        client = Client(served.url, verbose=False)
        for question in lookups:
            answer = client.predict(question, "", api_name="/ask")
            figures["lookups"].append({
                "question": question, "answered_s": round(time.perf_counter() - started, 2),
                "cited": [c["id"] for c in answer["citations"]][:3], "signals": answer["signals"],
                "missing_vectors": answer["missing_vectors"], "latency_ms": round(answer["latency_ms"], 1),
            })
            print(f"{figures['lookups'][-1]['answered_s']:7.1f} s  {question!r} → {figures['lookups'][-1]['cited'][:1]} "
                  f"({'+'.join(answer['signals'])}, {answer['missing_vectors']} clauses without vectors)", file=out, flush=True)
        total = None
        while True:
            found = client.predict(SEARCH, 5, "", "", "", api_name="/search")
            if total is None:  # the most clauses any answer saw without vectors: the fill's size, near enough
                total = max([found["missing_vectors"], *(item["missing_vectors"] for item in figures["lookups"])])
                figures["clauses_to_embed"] = total
            if found["missing_vectors"] == 0:
                figures["hybrid_s"] = round(time.perf_counter() - started, 2)
                break
            if time.perf_counter() - started > timeout:
                figures["hybrid_s"] = None
                break
            time.sleep(1.0)
        print(f"{figures['hybrid_s']:7.1f} s  every clause embedded: hybrid answers", file=out, flush=True)
        again = client.predict(lookups[0], "", api_name="/ask")
        figures["after_fill_signals"] = again["signals"]
    finally:
        stop_serve(served)
    text = served.log.read_text(encoding="utf-8", errors="replace")
    added = re.search(r"(\d+) documents added in ([\d.]+) s", text)
    if added:
        figures["documents"], figures["lexical_commit_s"] = int(added.group(1)), float(added.group(2))
    deferred = re.search(r"(\d+) clauses are being embedded in the background", text)
    if deferred:
        figures["clauses_to_embed"] = int(deferred.group(1))
    embedded = figures.get("clauses_to_embed") or 0
    first = figures["lookups"][0]["answered_s"] if figures["lookups"] else None
    if first is not None and figures.get("hybrid_s"):
        figures["fill_s"] = round(figures["hybrid_s"] - first, 2)
        figures["clauses_per_s"] = round(embedded / max(figures["hybrid_s"] - figures["page_s"], 1e-9), 2)
    figures["load_average"] = _load_average()
    return figures


def _load_average() -> float | None:
    """The machine's 1-minute load average at the end (the figures stretch with it on a shared machine)."""
    try:
        return round(float(Path("/proc/loadavg").read_text().split()[0]), 1)
    except (OSError, ValueError, IndexError):
        return None


def markdown(figures: dict[str, Any]) -> str:
    rows = [("page answers (HTTP 200)", f"{figures['page_s']:.1f} s", "")]
    for item in figures["lookups"]:
        rows.append((f"first answer: {item['question']}", f"{item['answered_s']:.1f} s",
                     f"cites {', '.join(item['cited'][:1])}; {'+'.join(item['signals'])}; "
                     f"{item['missing_vectors']} clauses without vectors"))
    hybrid = figures.get("hybrid_s")
    rows.append(("full hybrid (every clause embedded)", f"{hybrid:.1f} s" if hybrid else "not within the timeout",
                 f"{figures.get('clauses_to_embed', '?')} clauses; after: {'+'.join(figures.get('after_fill_signals', []))}"))
    lines = ["| from `serve` start | time | notes |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    if figures.get("load_average") is not None:
        lines.append(f"\nLoad average at the end of the run: {figures['load_average']} (on {_cores()} cores).")
    if "lexical_commit_s" in figures:
        lines.append(f"\nParsing and the lexical commit of {figures['documents']} documents took {figures['lexical_commit_s']} s.")
    return "\n".join(lines)


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_first_answer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=repo_root() / "corpus", help="the corpus serve ingests (default: corpus/)")
    parser.add_argument("--lookup", action="append", help="a lookup question to time (repeatable; default: two)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up waiting for the fill after this many seconds")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: --corpus {str(args.corpus)!r} is not a folder; give the folder of documents serve should ingest",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="pkb-first-answer-") as tmp:
        figures = measure(args.corpus.resolve(), Path(tmp), args.lookup or LOOKUPS, args.timeout)
    print(markdown(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
