"""The Documents tab: what the KB holds, uploads with a parse preview and progress, removal."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from policykb.app import render
from policykb.app.context import AppContext, friendly, hide_paths, user_message, username
from policykb.app.doc_status import documents_key
from policykb.app.i18n import t, tn
from policykb.app.uploads import UploadLog, new_upload_dir, screen_uploads, stage_files

if TYPE_CHECKING:
    from policykb.app.chrome import Chrome

__all__ = ["build_documents_tab", "documents_table", "count_clauses", "preview_files", "ingest_files", "is_sidecar", "POLL_SECONDS"]

POLL_SECONDS = 2.0  # how often an open Documents table checks for changes made by other sessions

def is_sidecar(path: str | Path) -> bool:
    return Path(path).name.lower().endswith(".meta.json")


def documents_table(ctx: AppContext, lang: str) -> str:
    """The live documents table (title, kind, clauses, ingesting / ready / failed with the reason, added when, by whom)."""
    from policykb.app.doc_status import document_rows

    return render.documents_html(document_rows(ctx), lang=lang)


def count_clauses(ctx: AppContext, paths: Sequence[Path]) -> dict[Path, int]:
    """The clauses each document file will give (parsed as ingest will parse it); unreadable files are left out."""
    from policykb.ingest import load_document

    counts: dict[Path, int] = {}
    for path in paths:
        try:
            counts[path] = len(load_document(path, ctx.settings).clauses)
        except Exception:  # ingest reports the file's error itself
            continue
    return counts


def preview_files(ctx: AppContext, files: Sequence[str | Path], lang: str) -> str:
    """Parse each uploaded file as ingest would (sidecars beside it), without touching the KB; refused files show why."""
    from policykb.ingest import load_document

    accepted, refused = screen_uploads(files, ctx.settings)
    with tempfile.TemporaryDirectory(prefix="policykb-preview-") as tmp:
        parts = [render.message_html(t("preview_note", lang), "info")]
        parts += [render.preview_html(row["name"], None, row["error"], lang=lang) for row in refused]
        for name, path in stage_files(accepted, Path(tmp)):
            if is_sidecar(path):
                continue
            try:
                parts.append(render.preview_html(name, load_document(path, ctx.settings), "", lang=lang))
            except Exception as exc:
                parts.append(render.preview_html(name, None, user_message(exc), lang=lang))
    return "".join(parts)


def ingest_files(ctx: AppContext, files: Sequence[str | Path], user: str, progress: Any = None) -> tuple[list[dict[str, Any]], Any]:
    """Check the uploads, copy the accepted ones into a kept folder, ingest them, log each file (refused ones too);
    returns per-file rows (refused first) and the report.

    ``progress(message, done_clauses, total_clauses)`` hears how far the embedding is, in clauses. While the
    files are being read, every session's documents table lists them as ingesting; then they are committed (found
    by lookups and words at once, listed as ready) and the call follows the background fill until their vectors
    are in.
    """
    from policykb.kb.model import IngestReport

    accepted, refused = screen_uploads(files, ctx.settings)
    for row in refused:
        row["error"] = hide_paths(row["error"])
    log = UploadLog(ctx.uploads_dir)
    for row in refused:
        log.add(user=user, name=row["name"], path=None, status="failed", error=row["error"])
    if not accepted:
        return refused, IngestReport((), 0, 0, 0, 0, len(refused), 0, 0.0)
    folder = new_upload_dir(ctx.uploads_dir, user)
    staged = stage_files(accepted, folder)
    documents = [(name, path) for name, path in staged if not is_sidecar(path)]
    counts = count_clauses(ctx, [path for _, path in documents])
    names = [name for name, _ in documents]
    ctx.ingesting.start(names, user, {name: counts[path] for name, path in documents if path in counts})

    try:
        # Committed at once (found by lookups and words in every session straight away), embedded by the KB's
        # background fill; the upload follows its documents' vectors, the bar counting embedded clauses.
        report = ctx.kb.ingest([path for _, path in documents], defer_vectors=True)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        ctx.ingesting.finish(names)
    by_path = {str(Path(d.path).resolve()): d for d in report.documents}
    rows: list[dict[str, Any]] = list(refused)
    for name, path in documents:
        result = by_path.get(str(path.resolve()))
        if result is not None:
            error = hide_paths(result.error.replace(str(path.resolve()), name).replace(str(path), name))
            row = {"name": name, "status": result.status, "doc_id": result.doc_id, "clauses": result.clauses, "error": error}
        else:
            note = next((n for n in report.notes if n.startswith(str(path))), "")
            row = {"name": name, "status": "skipped", "doc_id": "", "clauses": 0,
                   "error": hide_paths(note.replace(str(path), name, 1)) if note else "not ingested"}
        log.add(user=user, name=name, path=path, status=row["status"], doc_id=row["doc_id"], clauses=row["clauses"], error=row["error"])
        rows.append(row)
    if not any(r["status"] in ("added", "updated", "unchanged") for r in rows):
        shutil.rmtree(folder, ignore_errors=True)  # nothing in the KB refers to these copies
    # the upload ends once its documents' vectors are in (they answer by words and lookups meanwhile)
    kept = {d.doc_id for d in report.documents if d.doc_id and d.status in ("added", "updated", "unchanged")}
    waiting = ctx.kb.manifest.vector_counts(kept) if kept else (0, 0)
    label = ", ".join(sorted(names)) if len(names) <= 3 else f"{len(names)} files"

    def embedded_clauses(done: int, of: int) -> None:
        if progress is not None:
            progress(f"embedding {label}", done, of)

    if waiting[0] < waiting[1]:
        before = waiting[0]
        done, _ = ctx.kb.follow_fill(kept, embedded_clauses)
        report = replace(report, embedded=report.embedded + max(0, done - before))
    return rows, report


def build_documents_tab(ctx: AppContext, lang_box: Any, chrome: Chrome) -> dict[str, Any]:
    """Lay out the Documents tab; returns the events after which other tabs refresh their document lists."""
    import gradio as gr

    heading = gr.Markdown(f"### {t('documents')}")
    chrome.add_fn(heading, lambda ui: {"value": f"### {t('documents', ui)}"})
    table = gr.HTML(documents_table(ctx, "en"), elem_id="pk-documents")
    chrome.add_fn(table, lambda ui: {"value": documents_table(ctx, ui)})
    refresh = chrome.add(gr.Button(t("refresh"), size="sm", elem_id="pk-docs-refresh"), value="refresh")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            upload = chrome.add(gr.File(label=t("upload"), file_count="multiple", type="filepath", elem_id="pk-upload"),
                                label="upload")
            with gr.Row():
                preview_btn = chrome.add(gr.Button(t("preview"), elem_id="pk-preview"), value="preview")
                add_btn = chrome.add(gr.Button(t("add_docs"), variant="primary", elem_id="pk-add"), value="add_docs")
        with gr.Column(scale=2, min_width=260):
            remove_head = gr.Markdown(f"#### {t('remove_doc')}")
            chrome.add_fn(remove_head, lambda ui: {"value": f"#### {t('remove_doc', ui)}"})
            remove_pick = chrome.add_fn(gr.Dropdown(choices=[], value=None, label=t("filter_doc"), elem_id="pk-remove-doc"),
                                        lambda ui: {"label": t("filter_doc", ui)})
            remove_btn = chrome.add(gr.Button(t("remove"), size="sm", elem_id="pk-remove"), value="remove")
            confirm_btn = gr.Button(t("remove"), variant="stop", size="sm", visible=False, elem_id="pk-remove-confirm")
            remove_status = gr.HTML("", elem_id="pk-remove-status")
    result = gr.HTML("", elem_id="pk-ingest-result")
    preview = gr.HTML("", elem_id="pk-preview-out")

    @friendly
    def refresh_table(ui: str) -> str:
        return documents_table(ctx, ui)

    @friendly
    def on_preview(files: list[str] | None, ui: str) -> str:
        if not files:
            return render.message_html(t("no_files", ui), "error")
        return preview_files(ctx, files, ui)

    @friendly
    def on_add(files: list[str] | None, ui: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[str, Any, Any, str]:
        if not files:
            return render.message_html(t("no_files", ui), "error"), gr.update(), gr.update(), ""
        progress(0.0, desc="…")

        def report_progress(message: str, done: int, total: int) -> None:
            name = message.split(" ", 1)[-1] if message.startswith(("reading ", "embedding ")) else message
            progress((done, max(total, 1)), desc=t("ingest_progress", ui, name=name, done=done, total=total), unit="clauses")

        rows, report = ingest_files(ctx, files, username(request), report_progress)
        summary = t("ingest_summary", ui, added=report.added, updated=report.updated, unchanged=report.unchanged,
                    failed=sum(1 for r in rows if r["status"] in ("failed", "skipped")), embedded=report.embedded,
                    seconds=f"{report.seconds:.1f}")
        return render.ingest_results_html(rows, summary, lang=ui), documents_table(ctx, ui), gr.update(value=None), ""

    @friendly
    def ask_remove(doc_id: str | None, ui: str) -> tuple[str, Any]:
        if not doc_id:
            return render.message_html(t("pick_doc", ui), "error"), gr.update(visible=False)
        clauses = next((d.clauses for d in ctx.kb.documents() if d.doc_id == doc_id), 0)
        return "", gr.update(value=t("confirm_remove", ui, doc=doc_id, n=tn("n_clauses", clauses, ui)), visible=True)

    @friendly
    def on_remove(doc_id: str | None, ui: str, request: gr.Request) -> tuple[str, Any, Any]:
        if not doc_id:
            return render.message_html(t("pick_doc", ui), "error"), gr.update(), gr.update(visible=False)
        removed = ctx.kb.remove(doc_id)
        UploadLog(ctx.uploads_dir).add(user=username(request), name=doc_id, path=None, status="removed", doc_id=doc_id, clauses=removed)
        return render.message_html(t("removed", ui, doc=doc_id, n=tn("n_clauses", removed, ui)), "ok"), documents_table(ctx, ui), gr.update(visible=False)

    # the table follows changes made by any session: a timer polls a cheap fingerprint, and only a new
    # fingerprint redraws the table (and, through ``changed``, the document lists of the other tabs)
    seen = gr.Textbox(value="", visible="hidden", elem_id="pk-docs-key")
    timer = gr.Timer(POLL_SECONDS)

    @friendly
    def poll(known: str) -> Any:
        key = documents_key(ctx)
        return key if key != known else gr.update()

    timer.tick(poll, inputs=[seen], outputs=[seen], api_visibility="private", show_progress="hidden", queue=False)
    poll_event = seen.change(refresh_table, inputs=[lang_box], outputs=[table], api_visibility="private", show_progress="hidden")
    refresh_event = refresh.click(refresh_table, inputs=[lang_box], outputs=[table], api_visibility="private")
    preview_btn.click(on_preview, inputs=[upload, lang_box], outputs=[preview], api_visibility="private")
    add_event = add_btn.click(on_add, inputs=[upload, lang_box], outputs=[result, table, upload, preview], api_visibility="private",
                              concurrency_id="kb-write", concurrency_limit=1, show_progress_on=[result])
    remove_btn.click(ask_remove, inputs=[remove_pick, lang_box], outputs=[remove_status, confirm_btn], api_visibility="private")
    remove_pick.change(lambda: gr.update(visible=False), outputs=[confirm_btn], api_visibility="private", show_progress="hidden")
    remove_event = confirm_btn.click(on_remove, inputs=[remove_pick, lang_box], outputs=[remove_status, table, confirm_btn],
                                     api_visibility="private", concurrency_id="kb-write", concurrency_limit=1)
    return {"table": table, "remove_pick": remove_pick, "changed": [add_event, remove_event, refresh_event, poll_event]}
