"""The Evaluate tab: run a gold set (bundled or uploaded) with progress; metrics, plots, per question, report."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.app import render
from policykb.app.context import AppContext, friendly, username
from policykb.app.i18n import t
from policykb.app.picker import clause_opener
from policykb.app.ui_chat import parse_ref

if TYPE_CHECKING:
    from policykb.app.chrome import Chrome

__all__ = ["build_evaluate_tab", "bundled_gold_files", "run_evaluation", "run_calibration", "metrics_table", "EvalOutcome"]


def bundled_gold_files() -> dict[str, Path]:
    """The gold sets shipped in ``policykb.eval``'s ``gold/`` folder: file name → path."""
    import policykb.eval

    folder = Path(policykb.eval.__file__).resolve().parent / "gold"
    return {p.name: p for p in sorted(folder.glob("*.jsonl"))}


def metrics_table(result: dict, lang: str) -> dict[str, Any]:
    """Rows of (metric, all, one column per language) for retrieval, answers and latency."""
    from policykb.eval.metrics import ANSWER_KEYS, RETRIEVAL_KEYS
    from policykb.eval.report import fmt

    by_lang = result.get("by_lang", {})
    langs = list(by_lang)
    rows: list[list[str]] = [["n", fmt(result.get("n")), *(fmt(by_lang[g].get("n")) for g in langs)]]
    for key in RETRIEVAL_KEYS:
        rows.append([key, fmt(result["retrieval"].get(key)), *(fmt(by_lang[g]["retrieval"].get(key)) for g in langs)])
    for key in ANSWER_KEYS:
        rows.append([key, fmt(result["answers"].get(key)), *(fmt(by_lang[g]["answers"].get(key)) for g in langs)])
    for key, value in result.get("latency_ms", {}).items():
        rows.append([f"{key} (ms)", fmt(value), *(fmt(by_lang[g].get("latency_ms", {}).get(key)) for g in langs)])
    return {"headers": [t("col_metric", lang), t("col_all", lang), *langs], "data": rows}


class EvalOutcome:
    """What one run produced: the result dict, the report folder, its zip and the plot paths."""

    def __init__(self, result: dict, folder: Path, archive: Path, plots: list[Path]) -> None:
        self.result, self.folder, self.archive, self.plots = result, folder, archive, plots


def run_evaluation(ctx: AppContext, gold_path: Path, limit: int, user: str, progress: Any = None) -> EvalOutcome:
    """Evaluate the first ``limit`` rows (all when 0) of a gold file; write the report under ``kb_dir/reports``."""
    from policykb.app.uploads import safe_name
    from policykb.eval import evaluate, load_gold, write_report

    rows = load_gold(gold_path)
    if limit and limit > 0:
        rows = rows[: int(limit)]
    result = evaluate(ctx.kb, rows, progress=progress)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = ctx.reports_dir / f"{stamp}-{safe_name(Path(gold_path).stem)}-{safe_name(user or 'local')}"
    written = write_report(result, folder)
    archive = Path(shutil.make_archive(str(folder), "zip", root_dir=folder))
    return EvalOutcome(result, folder, archive, [p for p in written if p.suffix == ".png"])


def run_calibration(ctx: AppContext, gold_path: Path, progress: Any = None) -> str:
    """Calibrate the KB on a gold file (all rows), store the tuning with it; the before/after figures as text."""
    from policykb.eval.calibrate import calibrate, summary_text
    from policykb.eval.gold import load_gold

    rows = load_gold(gold_path)
    result = calibrate(ctx.kb, rows, gold_name=Path(gold_path).name, progress=progress)
    return summary_text(result)


def build_evaluate_tab(ctx: AppContext, lang_box: Any, chrome: Chrome) -> None:
    """Lay out the Evaluate tab inside the current ``gr.Tab`` and wire its events."""
    import gradio as gr

    bundled = bundled_gold_files()
    with gr.Row(equal_height=False):
        gold_pick = chrome.add(
            gr.Dropdown(choices=list(bundled), value=next(iter(bundled), None), label=t("gold_bundled"), elem_id="pk-gold-pick", min_width=200),
            label="gold_bundled",
        )
        gold_file = chrome.add(gr.File(label=t("gold_upload"), file_count="single", type="filepath", elem_id="pk-gold-upload",
                                       min_width=220), label="gold_upload")
        limit = chrome.add(gr.Number(value=0, precision=0, minimum=0, label=t("gold_limit"), elem_id="pk-gold-limit", min_width=140),
                           label="gold_limit")
    hint = gr.Markdown(t("eval_hint"), elem_id="pk-eval-hint")
    chrome.add_fn(hint, lambda ui: {"value": t("eval_hint", ui)})
    run = chrome.add(gr.Button(t("run_eval"), variant="primary", elem_id="pk-eval-run"), value="run_eval")
    with gr.Row(equal_height=False):
        calibrate_btn = chrome.add(gr.Button(t("run_calibrate"), variant="secondary", elem_id="pk-eval-calibrate"), value="run_calibrate")
        calibrate_hint = gr.Markdown(t("calibrate_hint"), elem_id="pk-calibrate-hint")
        chrome.add_fn(calibrate_hint, lambda ui: {"value": t("calibrate_hint", ui)})
    calibrate_out = gr.Textbox(value="", label="", lines=11, interactive=False, visible=False, elem_id="pk-calibrate-result")
    summary = gr.HTML("", elem_id="pk-eval-summary")
    metrics = chrome.add(gr.Dataframe(value=None, label=t("metrics"), interactive=False, elem_id="pk-eval-metrics", max_height=520,
                                      visible=False),
                         label="metrics")
    plots = chrome.add(gr.Gallery(label=t("plots"), columns=2, height="auto", object_fit="contain", elem_id="pk-eval-plots",
                                  allow_preview=True, visible=False), label="plots")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            per_question = gr.HTML("", elem_id="pk-eval-questions")
        with gr.Column(scale=2, min_width=280):
            panel = gr.HTML(render.placeholder_html("eval_clause_hint"), elem_id="pk-clause-eval", elem_classes=["pk-panel"])
    report = chrome.add(gr.File(label=t("report"), interactive=False, elem_id="pk-eval-report", visible=False), label="report")

    @friendly
    def on_run(pick: str | None, uploaded: str | None, first: float | None, ui: str, request: gr.Request,
               progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        if uploaded:
            path = Path(uploaded)
        elif pick and pick in bundled:
            path = bundled[pick]
        else:
            raise gr.Error(t("no_gold", ui), print_exception=False)
        progress(0.0, desc=path.name)

        def step(done: int, total: int, row_id: str) -> None:
            progress((done, total), desc=row_id, unit="questions")

        outcome = run_evaluation(ctx, path, int(first or 0), username(request), step)
        questions = outcome.result.get("questions", [])
        answerable = sum(1 for q in questions if q.get("answerable"))
        problems = sum(1 for q in questions if q.get("problems"))
        head = render.message_html(
            t("eval_done", ui, n=outcome.result["n"], answerable=answerable, off=len(questions) - answerable, problems=problems),
            "ok" if not problems else "info",
        )
        table = render.eval_questions_html(questions, labels=ctx.labels(), lang=ui)
        return (head, gr.update(value=metrics_table(outcome.result, ui), visible=True),
                gr.update(value=[str(p) for p in outcome.plots], visible=True), table, gr.update(value=str(outcome.archive), visible=True))

    @friendly
    def on_calibrate(pick: str | None, uploaded: str | None, ui: str, progress: gr.Progress = gr.Progress()) -> Any:
        if uploaded:
            path = Path(uploaded)
        elif pick and pick in bundled:
            path = bundled[pick]
        else:
            raise gr.Error(t("no_gold", ui), print_exception=False)

        def step(message: str, fraction: float) -> None:
            progress(fraction, desc=message)

        return gr.update(value=run_calibration(ctx, path, step), visible=True)

    @friendly
    def open_clause(ref: str, ui: str) -> str:
        return ctx.clause_panel(parse_ref(ref)[2], scope="eval", lang=ui)

    run.click(on_run, inputs=[gold_pick, gold_file, limit, lang_box], outputs=[summary, metrics, plots, per_question, report],
              api_visibility="private", concurrency_id="eval", concurrency_limit=1)
    calibrate_btn.click(on_calibrate, inputs=[gold_pick, gold_file, lang_box], outputs=[calibrate_out],
                        api_visibility="private", concurrency_id="eval", concurrency_limit=1)
    clause_opener("eval", open_clause, [lang_box], [panel])
