"""Calibrate the abstention rule (policykb.kb.answer.abstain) on gold questions, and print why the thresholds are what they are.

For every gold row whose search is not a direct lookup (lookups never abstain), the script
resolves follow-ups through ``kb.ask``, runs the same search ``ask`` runs and computes the
abstention signals. It prints each signal's distribution for answerable and off-topic rows,
then grid-searches, per language pair ("en-en", "zh-en": Chinese question over an English
clause, "zh-zh", "en-zh"), the thresholds ``sure``, ``floor`` and ``min_support`` of
:func:`policykb.kb.answer.abstain.decide`: the most off-topic rows abstained on while at most
``--max-false`` (default 3%) of ALL answerable rows are; ties go to fewer false abstentions,
then the lowest floor, then the highest sure cosine (the least aggressive cut-offs). A question
abstains only when every language group of its hits does (:func:`policykb.kb.answer.abstain.judge`), so
the pairs are searched coordinate-wise.

The constants in kb/answer/abstain.py come from the Opinions gold set run on two KBs — the bundled
corpus alone, and the corpus plus the Chinese test rule (so Chinese questions also meet
Chinese clauses) — with the Chinese rule's own gold set held out as the check::

    policykb ingest corpus --kb /tmp/kb-corpus
    cp -r /tmp/kb-corpus /tmp/kb-mixed && policykb ingest tests/fixtures/zj-inclusive-finance-rules.txt --kb /tmp/kb-mixed
    python -m benchmarks.calibrate_abstain --kb /tmp/kb-corpus /tmp/kb-mixed \\
        --gold eval/gold/opinions.jsonl --check eval/gold/zh-rule.jsonl
"""
from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from policykb.eval.gold import GoldRow, load_gold

__all__ = ["Sample", "collect", "grid_search", "main"]

_FLOORS = [round(0.74 + 0.004 * i, 3) for i in range(41)]  # 0.740 … 0.900
_SURES = [round(0.82 + 0.005 * i, 3) for i in range(29)]  # 0.820 … 0.960
_SUPPORTS = [0.0, 0.2, 0.25, 0.34, 0.5]


@dataclass(frozen=True)
class Sample:
    row: GoldRow
    question: str  # the resolved question
    evidence: tuple  # policykb.kb.answer.abstain.Evidence per clause language of the hits, the top hit's first


def collect(kb, rows: Sequence[GoldRow]) -> tuple[list[Sample], int]:
    """Signals for the rows that reach the abstention rule, and the number of answerable rows overall."""
    from policykb.ingest.lang import detect_lang
    from policykb.kb.answer.abstain import by_language, gather
    from policykb.kb.answer.evidence import corpus_stats, query_terms
    from policykb.kb.retrieval.lookup import parse_lookup
    from policykb.kb.model import Turn

    clauses = kb.clauses()
    stats = corpus_stats(clauses)
    langs = {c.lang for c in clauses}
    glossary = kb.glossary()
    samples: list[Sample] = []
    for row in rows:
        question = row.question
        if row.history:
            turns: list[Turn] = []
            for earlier in row.history:
                turns.append(Turn(earlier, kb.ask(earlier, history=tuple(turns), mode="extractive")))
            answer = kb.ask(row.question, history=tuple(turns), mode="extractive")
            question = answer.resolved_question or question
        result = kb.search(question, k=5)
        if result.lookup or parse_lookup(question) is not None:
            continue
        terms = query_terms(question, detect_lang(question), glossary, langs)
        lang = detect_lang(row.question)
        evidence = tuple(gather(group, terms, stats, lang, question) for group in by_language(result.hits))
        samples.append(Sample(row, question, evidence))
    return samples, sum(1 for r in rows if r.answerable)


def _abstains(sample: Sample, table: dict) -> bool:
    """The rule of policykb.kb.answer.abstain.judge: abstain when every language group of the hits abstains."""
    from policykb.kb.answer.abstain import decide

    return all(decide(ev, table)[0] for ev in sample.evidence)


def _score(samples: Sequence[Sample], table: dict) -> tuple[int, int]:
    """(off-topic rows abstained on, answerable rows abstained on)."""
    caught = fa = 0
    for s in samples:
        if _abstains(s, table):
            if s.row.answerable:
                fa += 1
            else:
                caught += 1
    return caught, fa


def grid_search(samples: Sequence[Sample], answerable_total: int, max_false: float, start: dict,
                rounds: int = 3) -> tuple[dict, dict]:
    """Thresholds per language pair: most off-topic rows abstained on within the false-abstention budget.

    A question is judged per language group of its hits, so the pairs interact; the search is
    coordinate-wise: each pair's grid in turn with the others fixed, for a few rounds.
    """
    from policykb.kb.answer.abstain import Thresholds

    budget = int(max_false * answerable_total)
    pairs = sorted({ev.pair for s in samples for ev in s.evidence})
    table = dict(start)
    for pair in pairs:
        table.setdefault(pair, start.get(pair) or start["cross" if pair.split("-")[0] != pair.split("-")[1] else "same"])
    for _ in range(rounds):
        changed = False
        for pair in pairs:
            involved = [s for s in samples if any(ev.pair == pair for ev in s.evidence)]
            fixed_caught, fixed_fa = _score([s for s in samples if s not in involved], table)
            best_key, best_t = None, table[pair]
            for floor in _FLOORS:
                for sure in _SURES:
                    if sure <= floor:
                        continue
                    for support in _SUPPORTS:
                        trial = {**table, pair: Thresholds(sure=sure, floor=floor, min_support=support)}
                        caught, fa = _score(involved, trial)
                        if fa + fixed_fa > budget:
                            continue
                        key = (caught + fixed_caught, -(fa + fixed_fa), -floor, sure, -support)
                        if best_key is None or key > best_key:
                            best_key, best_t = key, trial[pair]
            if best_t != table[pair]:
                table[pair], changed = best_t, True
        if not changed:
            break
    caught, fa = _score(samples, table)
    if fa > budget:
        raise SystemExit("no thresholds keep false abstentions within the budget; raise --max-false")
    return {p: table[p] for p in pairs}, {"budget": budget, "false": fa, "caught": caught}


def _quantiles(values: Iterable[float]) -> str:
    vals = sorted(values)
    if not vals:
        return "—"
    q = statistics.quantiles(vals, n=10, method="inclusive") if len(vals) > 1 else [vals[0]] * 9
    return f"min {vals[0]:.3f}  p10 {q[0]:.3f}  p50 {statistics.median(vals):.3f}  p90 {q[8]:.3f}  max {vals[-1]:.3f}  (n={len(vals)})"


def _print_distributions(samples: Sequence[Sample]) -> None:
    print("Signal distributions per language pair (question-clause) of the hit groups, rows reaching the abstention rule")
    for pair in sorted({ev.pair for s in samples for ev in s.evidence}):
        for answerable in (True, False):
            group = [ev for s in samples for ev in s.evidence if ev.pair == pair and s.row.answerable == answerable]
            if not group:
                continue
            label = f"{pair:5s} {'answerable' if answerable else 'off-topic '}"
            print(f"  {label} sent_cos       {_quantiles(e.sent_cos for e in group)}")
            print(f"  {label} support        {_quantiles(e.support for e in group)}")
            print(f"  {label} unknown share  {_quantiles(e.unknown_share for e in group)}")
            flags = {
                "asks a figure, none stated": sum(1 for e in group if e.asks_quantity and not e.states_number),
                "unknown proper name": sum(1 for e in group if e.unknown_names),
                "no policy term found": sum(1 for e in group if e.concepts_found == 0),
                "only place names found": sum(1 for e in group if e.names_only),
                "asked-about mention found": sum(1 for e in group if e.mentioned),
            }
            print(f"  {label} flags          " + ", ".join(f"{k}: {v}" for k, v in flags.items()))


def _report(name: str, samples: Sequence[Sample], answerable_total: int, offtopic_total: int, thresholds: dict) -> None:
    from policykb.kb.answer.abstain import decide

    wrong = []
    fa = caught = 0
    for s in samples:
        abstain = _abstains(s, thresholds)
        why = "; ".join(f"{ev.pair}: {decide(ev, thresholds)[1]}" for ev in s.evidence)
        if s.row.answerable and abstain:
            fa += 1
            wrong.append(("false abstention", s, why))
        elif not s.row.answerable and abstain:
            caught += 1
        elif not s.row.answerable:
            wrong.append(("answered off-topic", s, why))
    recall = caught / offtopic_total if offtopic_total else float("nan")
    rate = fa / answerable_total if answerable_total else float("nan")
    print(f"{name}: abstain recall {caught}/{offtopic_total} = {recall:.3f}; false abstentions {fa}/{answerable_total} = {rate:.3f}")
    for what, s, why in wrong:
        print(f"    {what:18s} {s.row.id:12s} {s.question[:60]!r}: {why}")


def _thresholds_text(thresholds: dict) -> str:
    return "\n".join(
        f'    "{pair}": Thresholds(sure={t.sure}, floor={t.floor}, min_support={t.min_support}),' for pair, t in thresholds.items()
    )


def _holds(kb, rows: Sequence[GoldRow]) -> bool:
    """True when the KB holds every gold clause of the rows (the gold set was written for its documents)."""
    from policykb.errors import NotFoundError

    try:
        for row in rows:
            for cid in row.gold:
                kb.clause(cid)
    except NotFoundError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    from policykb.kb import KnowledgeBase
    from policykb.kb.answer.abstain import THRESHOLDS
    from policykb.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m benchmarks.calibrate_abstain", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, nargs="+", required=True, help="ingested KB folder(s); the gold sets run on each")
    parser.add_argument("--gold", type=Path, nargs="+", required=True, help="gold JSONL file(s) to calibrate on")
    parser.add_argument("--check", type=Path, nargs="*", default=[], help="gold JSONL file(s) to check only (held out)")
    parser.add_argument("--max-false", type=float, default=0.03, help="largest share of answerable rows abstained on")
    args = parser.parse_args(argv)

    kbs = [KnowledgeBase(Settings.from_env(kb_dir=path)) for path in args.kb]
    try:
        rows = [row for path in args.gold for row in load_gold(path)]
        samples: list[Sample] = []
        answerable_total = offtopic_total = 0
        for kb in kbs:
            found_samples, answerable = collect(kb, rows)
            samples += found_samples
            answerable_total += answerable
            offtopic_total += sum(1 for r in rows if not r.answerable)
        _print_distributions(samples)
        found, info = grid_search(samples, answerable_total, args.max_false, THRESHOLDS)
        chosen = {**THRESHOLDS, **found}
        print(f"\nBudget: at most {info['budget']} false abstentions of {answerable_total} answerable rows "
              f"({len(kbs)} KB(s)); chosen: {info['caught']} off-topic rows caught with {info['false']} false abstentions")
        print("Chosen thresholds:\n" + _thresholds_text(chosen))
        print("Current constants in kb/answer/abstain.py:\n" + _thresholds_text(THRESHOLDS) + "\n")
        for path, kb in zip(args.kb, kbs):
            kb_samples, kb_answerable = collect(kb, rows)
            print(f"On {path}:")
            _report("  chosen ", kb_samples, kb_answerable, sum(1 for r in rows if not r.answerable), chosen)
            _report("  current", kb_samples, kb_answerable, sum(1 for r in rows if not r.answerable), THRESHOLDS)
        for check in args.check:
            check_rows = load_gold(check)
            for path, kb in zip(args.kb, kbs):
                if not _holds(kb, check_rows):
                    continue
                check_samples, check_answerable = collect(kb, check_rows)
                check_off = sum(1 for r in check_rows if not r.answerable)
                print(f"\nCheck (held out) {check} on {path}:")
                _report("  chosen ", check_samples, check_answerable, check_off, chosen)
                _report("  current", check_samples, check_answerable, check_off, THRESHOLDS)
    finally:
        for kb in kbs:
            kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
