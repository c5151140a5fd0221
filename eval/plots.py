"""PNG plots of an evaluation result (matplotlib, Agg backend, imported inside each function)."""
from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.eval.metrics import ANSWER_KEYS, RETRIEVAL_KEYS

if TYPE_CHECKING:
    from policykb.eval.runner import EvalReport

__all__ = ["plot_metrics_by_mode", "plot_clause_coverage", "PLOT_RETRIEVAL_KEYS", "PLOT_ANSWER_KEYS"]

# Rates on a 0–1 scale only: all_gold_recall@5 has few rows, invalid_citations is a count.
PLOT_RETRIEVAL_KEYS: tuple[str, ...] = tuple(k for k in RETRIEVAL_KEYS if k != "all_gold_recall@5")
PLOT_ANSWER_KEYS: tuple[str, ...] = tuple(k for k in ANSWER_KEYS if k != "invalid_citations")
_NEVER = "#c0392b"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_metrics_by_mode(report: EvalReport, path: Path) -> Path:
    """Grouped bars: retrieval metrics per search mode (top row) and answer metrics per answer
    mode (bottom row, when answers were evaluated); one panel per language plus "all"."""
    plt = _pyplot()
    ablation = report.ablation
    search_modes = [m for m, v in ablation.items() if "retrieval" in v]
    answer_modes = [m for m, v in ablation.items() if "answers" in v]
    langs = ["all", *report.by_lang]
    panels = [("retrieval", search_modes, PLOT_RETRIEVAL_KEYS)]
    if answer_modes:
        panels.append(("answers", answer_modes, PLOT_ANSWER_KEYS))
    fig, axes = plt.subplots(len(panels), len(langs), figsize=(4.6 * len(langs), 3.6 * len(panels)), squeeze=False)
    for row, (part, modes, keys) in enumerate(panels):
        for col, lang in enumerate(langs):
            ax = axes[row][col]
            width = 0.8 / max(len(modes), 1)
            for i, mode in enumerate(modes):
                entry = ablation[mode] if lang == "all" else ablation[mode]["by_lang"].get(lang, {})
                values = [_num(entry.get(part, {}).get(k)) for k in keys]
                xs = [j + (i - (len(modes) - 1) / 2) * width for j in range(len(keys))]
                ax.bar(xs, [0 if math.isnan(v) else v for v in values], width, label=mode)
                for x, v in zip(xs, values):
                    label = "n/a" if math.isnan(v) else f"{v:.2f}"
                    ax.text(x, (0 if math.isnan(v) else v) + 0.01, label, ha="center", va="bottom", fontsize=5.5, rotation=90)
            ax.set_xticks(range(len(keys)))
            ax.set_xticklabels(keys, rotation=30, ha="right", fontsize=8)
            ax.set_ylim(0, 1.3)
            ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
            n = report.n if lang == "all" else report.by_lang[lang]["n"]
            ax.set_title(f"{part} · {lang} (n={n})", fontsize=10)
            ax.grid(axis="y", alpha=0.3)
            if col == 0:
                ax.legend(fontsize=7, loc="upper center", ncol=len(modes), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_clause_coverage(report: EvalReport, path: Path) -> Path:
    """Per clause, over answerable questions: times it is gold, times the fused search put it
    first, and times it was first where it is gold; clauses never in any top k are marked in red."""
    plt = _pyplot()
    coverage = report.coverage
    ids = list(coverage)
    docs = {cid.rsplit(":", 1)[0] for cid in ids}
    labels = [cid.rsplit(":", 1)[1] if len(docs) == 1 else cid for cid in ids]
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(max(6.0, 0.32 * len(ids) + 2), 4.2))
    xs = range(len(ids))
    for x, cid in zip(xs, ids):
        if coverage[cid]["topk"] == 0:
            ax.axvspan(x - 0.5, x + 0.5, color=_NEVER, alpha=0.12, lw=0)
    ax.bar([x - 0.27 for x in xs], [coverage[c]["gold"] for c in ids], 0.27, label="asked as gold", color="#4c72b0")
    ax.bar(list(xs), [coverage[c]["top1"] for c in ids], 0.27, label="retrieved at rank 1", color="#8fd19e")
    ax.bar([x + 0.27 for x in xs], [coverage[c].get("top1_gold", 0) for c in ids], 0.27, label="rank 1 and gold", color="#2d7a3e")
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, rotation=90 if len(docs) > 1 else 0, fontsize=8)
    for tick, cid in zip(ax.get_xticklabels(), ids):
        if coverage[cid]["topk"] == 0:
            tick.set_color(_NEVER)
            tick.set_fontweight("bold")
    never = [c for c in ids if coverage[c]["topk"] == 0]
    if never:
        ax.scatter([ids.index(c) for c in never], [0] * len(never), marker="x", color=_NEVER, zorder=3, label="never in any top k (shaded)")
    ax.set_xlabel("clause" + (f" ({next(iter(docs))})" if len(docs) == 1 else ""))
    ax.set_ylabel("questions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(-0.6, len(ids) - 0.4)
    ax.set_title("Clause coverage over answerable questions: asked as gold vs. retrieved first (fused)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def _num(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float("nan")
