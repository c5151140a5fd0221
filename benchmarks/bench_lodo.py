"""Leave-one-document-out: for each document, calibrate on the gold rows of the others and measure on its own.

Shows whether `policykb calibrate` generalises to a document it never saw: per held-out
document and in total, recall@1/@3, confidently wrong (sure answers citing no gold clause, share
of answerable rows), unsure rate and off-topic abstained, before (the KB's current tuning,
the defaults unless it was calibrated) and after (the tuning fitted without that document).

Rows name their document in ``kind`` ("fact:<doc_id>"); off-topic rows are spread over the folds.
Each question is retrieved once; the grid re-fuses in memory. Never point it at a held-out set::

    policykb ingest ../shared/realdocs corpus/ --kb /tmp/kb5
    python -m benchmarks.bench_lodo --kb /tmp/kb5 --gold eval/gold/corpus5.jsonl [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

_COLUMNS = (("recall@1", "r@1"), ("recall@3", "r@3"), ("confidently_wrong", "conf.wrong"), ("unsure_rate", "unsure"),
            ("abstain_recall", "off-topic abst."), ("false_abstain_rate", "false abst."))


def run(kb_dir: Path, gold: Path, progress: bool = True) -> dict[str, Any]:
    """The leave-one-document-out figures of ``gold`` over the KB at ``kb_dir``."""
    from policykb.errors import ConfigError
    from policykb.eval.calibrate import cross_validate, prepare_rows, row_document, warm
    from policykb.eval.gold import load_gold
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

    rows = load_gold(gold)
    untagged = [r.id for r in rows if r.answerable and ":" not in r.kind]
    if untagged:
        raise ConfigError(f"rows {untagged[:3]!r} name no document in 'kind' (e.g. fact:DOC_ID); leave-one-document-out needs it")
    kb = KnowledgeBase(Settings.from_env(kb_dir=kb_dir))
    started = time.perf_counter()

    def say(message: str, fraction: float) -> None:
        if progress:
            sys.stderr.write(f"\r{fraction * 100:5.1f}% {message[:60]:<60}")
            sys.stderr.flush()

    try:
        base = kb.tuning
        replay, items = prepare_rows(kb, rows, say)
        fast = warm(replay, items, base)
        result = cross_validate(replay, items, base, by_document=True, progress=say, fast=fast)
    finally:
        kb.close()
    if progress:
        sys.stderr.write("\n")
    result["documents"] = sorted({row_document(r) for r in rows if r.answerable})
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["gold"] = str(gold)
    return result


def table(result: dict[str, Any]) -> str:
    """A Markdown table: one line per held-out document, before → after, and the total."""
    def fmt(v: Any) -> str:
        return "—" if v is None else f"{v:.3f}"

    head = ["held-out document", "rows", *(label for _key, label in _COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for entry in [*result["per_fold"], {"fold": "**all (each row held out)**", "before": result["before"], "after": result["after"]}]:
        b, a = entry["before"], entry["after"]
        cells = [entry["fold"], f"{a['answerable']}+{a['offtopic']}"]
        cells += [f"{fmt(b.get(key))} → {fmt(a.get(key))}" for key, _label in _COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", required=True, type=Path, help="a KB holding every document the gold set names")
    parser.add_argument("--gold", required=True, type=Path, help="gold JSONL whose rows carry kind 'fact:<doc_id>'")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args(argv)
    from policykb.errors import PolicyKBError

    try:
        result = run(args.kb, args.gold, progress=sys.stderr.isatty())
    except PolicyKBError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"{result['gold']}: leave-one-document-out over {len(result['documents'])} documents "
              f"({result['seconds']} s; before = the KB's current tuning, after = fitted without the held-out document)\n")
        print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
