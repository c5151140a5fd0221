"""The Evaluate tab: run a gold set (bundled or uploaded) with progress; metrics, plots, per question, report."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.app import render
from policykb.app.context import AppContext, friendly, ui_error, username
from policykb.app.i18n import metric_help, t, tn
from policykb.app.picker import clause_opener, panel_id, parse_chip_ref

if TYPE_CHECKING:
    from policykb.app.chrome import Chrome
    from policykb.eval.runner import EvalReport

__all__ = ["build_evaluate_tab", "bundled_gold_files", "run_evaluation", "run_calibration", "metrics_table", "gold_size", "eval_hint",
           "EvalOutcome", "SECONDS_PER_QUESTION"]


def bundled_gold_files() -> dict[str, Path]:
    """The gold sets shipped in ``policykb.eval``'s ``gold/`` folder: file name → path."""
    import policykb.eval

    folder = Path(policykb.eval.__file__).resolve().parent / "gold"
    return {p.name: p for p in sorted(folder.glob("*.jsonl"))}


# Measured: the 176 questions of the bundled Opinions set took about 35 s on two loaded cores with the
# models warm (each question searched three ways and answered), i.e. ~0.2 s per question.
SECONDS_PER_QUESTION = 0.2


def metrics_table(result: EvalReport, lang: str) -> dict[str, Any]:
    """Rows of (metric, all, one column per language, what it measures) for retrieval, answers and latency."""
    from policykb.eval.metrics import ANSWER_KEYS, RETRIEVAL_KEYS
    from policykb.eval.report import fmt

    by_lang = result.by_lang
    langs = list(by_lang)
    rows: list[list[str]] = [["n", fmt(result.n), *(fmt(by_lang[g].get("n")) for g in langs), metric_help("n", lang)]]
    for key in RETRIEVAL_KEYS:
        rows.append([key, fmt(result.retrieval.get(key)), *(fmt(by_lang[g]["retrieval"].get(key)) for g in langs),
                     metric_help(key, lang)])
    for key in ANSWER_KEYS:
        rows.append([key, fmt(result.answers.get(key)), *(fmt(by_lang[g]["answers"].get(key)) for g in langs),
                     metric_help(key, lang)])
    for key, value in result.latency_ms.items():
        rows.append([f"{key} (ms)", fmt(value), *(fmt(by_lang[g].get("latency_ms", {}).get(key)) for g in langs),
                     metric_help(key, lang)])
    return {"headers": [t("col_metric", lang), t("col_all", lang), *langs, t("col_meaning", lang)], "data": rows}


def gold_size(path: Path) -> int:
    """The number of questions (non-blank lines) in a gold JSONL file; 0 when it cannot be read."""
    try:
        with Path(path).open(encoding="utf-8") as lines:
            return sum(1 for line in lines if line.strip())
    except (OSError, UnicodeDecodeError):
        return 0


def eval_hint(n: int, lang: str) -> str:
    """The time a run of ``n`` questions takes, from the measured cost per question."""
    if n <= 0:
        return t("eval_hint_none", lang)
    seconds = max(1, round(n * SECONDS_PER_QUESTION))
    return t("eval_hint", lang, questions=tn("n_questions", n, lang), seconds=seconds, per=f"{SECONDS_PER_QUESTION:g}")


class EvalOutcome:
    """What one run produced: the result, the report folder, its zip and the plot paths."""

    def __init__(self, result: EvalReport, folder: Path, archive: Path, plots: list[Path]) -> None:
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
    first_gold = next(iter(bundled.values()), None)
    hint = gr.HTML(render.hint_html(eval_hint(gold_size(first_gold) if first_gold else 0, "en")), elem_id="pk-eval-hint")
    run = chrome.add(gr.Button(t("run_eval"), variant="primary", elem_id="pk-eval-run"), value="run_eval")
    with gr.Row(equal_height=False):
        calibrate_btn = chrome.add(gr.Button(t("run_calibrate"), variant="secondary", elem_id="pk-eval-calibrate"), value="run_calibrate")
        calibrate_hint = gr.Markdown(t("calibrate_hint"), elem_id="pk-calibrate-hint")
        chrome.add_fn(calibrate_hint, lambda ui: {"value": t("calibrate_hint", ui)})
    calibrate_out = gr.Textbox(value="", label="", lines=11, interactive=False, visible=False, elem_id="pk-calibrate-result")
    summary = gr.HTML("", elem_id="pk-eval-summary")
    metrics = chrome.add(gr.Dataframe(value=None, label=t("metrics"), interactive=False, elem_id="pk-eval-metrics", max_height=620,
                                      wrap=True, visible=False),
                         label="metrics")
    plots = gr.HTML("", elem_id="pk-eval-plots")
    only_failing = chrome.add(gr.Checkbox(label=t("only_failing"), value=False, elem_id="pk-eval-failing", visible=False),
                              label="only_failing")
    questions_state = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            per_question = gr.HTML("", elem_id="pk-eval-questions")
        with gr.Column(scale=2, min_width=280):
            panel = gr.HTML(render.placeholder_html("eval_clause_hint"), elem_id=panel_id("eval"), elem_classes=["pk-panel"])
    report = chrome.add(gr.File(label=t("report"), interactive=False, elem_id="pk-eval-report", visible=False), label="report")

    def chosen_gold(pick: str | None, uploaded: str | None) -> Path | None:
        if uploaded:
            return Path(uploaded)
        return bundled.get(pick) if pick else None

    @friendly
    def update_hint(pick: str | None, uploaded: str | None, first: float | None, ui: str) -> str:
        path = chosen_gold(pick, uploaded)
        n = gold_size(path) if path else 0
        if first and int(first) > 0:
            n = min(n, int(first))
        return render.hint_html(eval_hint(n, ui))

    def questions_html(questions: list[dict], failing_only: bool, ui: str) -> str:
        shown = [q for q in questions if q.get("problems")] if failing_only else questions
        return render.eval_questions_html(shown, labels=ctx.labels(), lang=ui)

    @friendly
    def on_run(pick: str | None, uploaded: str | None, first: float | None, failing_only: bool, ui: str, request: gr.Request,
               progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        path = chosen_gold(pick, uploaded)
        if path is None:
            raise ui_error(t("no_gold", ui), ui)
        progress(0.0, desc=path.name)

        def step(done: int, total: int, row_id: str) -> None:
            progress((done, total), desc=row_id, unit="questions")

        outcome = run_evaluation(ctx, path, int(first or 0), username(request), step)
        questions = outcome.result.questions
        answerable = sum(1 for q in questions if q.get("answerable"))
        problems = sum(1 for q in questions if q.get("problems"))
        head = render.message_html(
            t("eval_done", ui, n=outcome.result.n, answerable=answerable, off=len(questions) - answerable, problems=problems),
            "ok" if not problems else "info",
        )
        return (head, gr.update(value=metrics_table(outcome.result, ui), visible=True), render.plots_html(outcome.plots),
                gr.update(visible=True), questions, questions_html(questions, failing_only, ui),
                gr.update(value=str(outcome.archive), visible=True))

    @friendly
    def refilter(questions: list[dict], failing_only: bool, ui: str) -> str:
        return questions_html(questions or [], failing_only, ui) if questions else ""

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
        return ctx.clause_panel(parse_chip_ref(ref)[2], scope="eval", lang=ui)

    hint_io = dict(inputs=[gold_pick, gold_file, limit, lang_box], outputs=[hint], api_visibility="private", show_progress="hidden")
    for trigger in (gold_pick.change, gold_file.change, limit.change, lang_box.change):
        trigger(update_hint, **hint_io)
    run.click(on_run, inputs=[gold_pick, gold_file, limit, only_failing, lang_box],
              outputs=[summary, metrics, plots, only_failing, questions_state, per_question, report],
              api_visibility="private", concurrency_id="eval", concurrency_limit=1, show_progress_on=[summary])
    only_failing.change(refilter, inputs=[questions_state, only_failing, lang_box], outputs=[per_question], api_visibility="private",
                        show_progress="hidden")
    calibrate_btn.click(on_calibrate, inputs=[gold_pick, gold_file, lang_box], outputs=[calibrate_out],
                        api_visibility="private", concurrency_id="eval", concurrency_limit=1)
    clause_opener("eval", open_clause, [lang_box], [panel])
