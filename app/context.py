"""What every tab of the app shares: the settings, the knowledge base, and error handling.

Handlers are wrapped by :func:`friendly`: a :class:`PolicyKBError` reaches the user as its one-line
message (``gr.Error``, HTML-escaped), anything else as one line naming the error type; never a traceback.
"""
from __future__ import annotations

import functools
import html
import inspect
import logging
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from policykb.app.doc_status import IngestingUploads
from policykb.errors import NotFoundError, PolicyKBError

if TYPE_CHECKING:
    from policykb.app.feedback import FeedbackStore
    from policykb.ingest.model import Clause
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

__all__ = ["AppContext", "friendly", "gradio_annotations", "hide_paths", "ui_error", "user_message", "username"]

log = logging.getLogger("policykb.app")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    """The settings and the one KnowledgeBase the app serves, plus the app's folders in the KB."""

    settings: Settings
    kb: KnowledgeBase
    ingesting: IngestingUploads = field(default_factory=IngestingUploads, repr=False)
    _feedback: FeedbackStore | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def uploads_dir(self) -> Path:
        """Uploaded files are kept here, one folder per upload (who and when)."""
        return Path(self.settings.kb_dir) / "uploads"

    @property
    def conversations_dir(self) -> Path:
        """Chat conversations, one folder per user (see :mod:`policykb.app.conversations`)."""
        return Path(self.settings.kb_dir) / "conversations"

    @property
    def reports_dir(self) -> Path:
        """Evaluation reports written from the app."""
        return Path(self.settings.kb_dir) / "reports"

    def feedback(self) -> FeedbackStore:
        """The ratings store of this KB (``kb_dir/feedback.sqlite``), opened on first use."""
        with self._lock:
            if self._feedback is None:
                from policykb.app.feedback import FeedbackStore

                self._feedback = FeedbackStore.for_settings(self.settings)
            return self._feedback

    def doc_titles(self) -> dict[str, str]:
        return {d.doc_id: d.title or d.doc_id for d in self.kb.documents()}

    def clause(self, clause_id: str) -> Clause | None:
        """The clause, or None when it is not (or no longer) in the KB."""
        try:
            return self.kb.clause(clause_id)
        except NotFoundError:
            return None

    def clause_panel(self, clause_id: str, *, scope: str, lang: str, quote: str = "", terms: Sequence[str] = ()) -> str:
        """The clause shown beside a tab, quote or terms highlighted; a note when it is gone from the KB."""
        from policykb.app import render

        clause = self.clause(clause_id)
        if clause is None:
            return render.placeholder_html("clause_gone", lang)
        return render.clause_html(clause, doc_title=self.doc_titles().get(clause.doc_id, ""), scope=scope, lang=lang,
                                  quote=quote, terms=terms, ref_labels=self.labels())

    def labels(self) -> dict[str, str]:
        """Clause id → printed label, for every clause in the KB."""
        return {c.id: c.label for c in self.kb.clauses()}

    def clause_choices(self) -> list[tuple[str, str]]:
        """(shown text, clause id) for pickers, e.g. ("(18) Heading …", "pbc-2022-60:18")."""
        titles = self.doc_titles()
        multi = len(titles) > 1
        out = []
        for c in self.kb.clauses():
            head = " ".join((c.title or c.text).split())
            head = head if len(head) <= 60 else head[:59] + "…"
            suffix = f" — {titles.get(c.doc_id, c.doc_id)[:40]}" if multi else ""
            out.append((f"{c.label} {head}{suffix}", c.id))
        return out


def user_message(exc: BaseException) -> str:
    """The one line a user sees for an error (server paths shortened to file names)."""
    if isinstance(exc, PolicyKBError):
        return hide_paths(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    first = str(exc).splitlines()[0] if str(exc) else ""
    return hide_paths(f"unexpected {type(exc).__name__}{': ' + first if first else ''} (the server log has details)")


# an absolute POSIX path's folders: "/srv/kb/uploads/2026…/" in "/srv/kb/uploads/2026…/dup.txt" (not a URL's path)
_FOLDERS = re.compile(r"(?<![\w/.:~-])/(?:[^\s/'\"<>(),;]+/)+")


def hide_paths(message: str) -> str:
    """``message`` with every absolute server path cut to its last part (the file name): app users never see
    where the server keeps its files."""
    return _FOLDERS.sub("", message)


def _gr_error(exc: BaseException, lang: str = "en") -> Exception:
    import gradio as gr

    from policykb.app.i18n import t

    if not isinstance(exc, PolicyKBError):
        log.exception("unexpected error in the app")
    # Gradio renders an error's message as HTML; a message may quote a file name or document text
    return gr.Error(html.escape(user_message(exc), quote=False), title=t("error", lang), print_exception=False)


def ui_error(message: str, lang: str) -> Exception:
    """A ``gr.Error`` toast for the user, its title ("Error" / "错误") in the interface language."""
    import gradio as gr

    from policykb.app.i18n import t

    return gr.Error(html.escape(message, quote=False), title=t("error", lang), print_exception=False)


def _ui_lang(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The interface language a handler was called with: its ``ui`` argument, else its ``lang``."""
    from policykb.app.i18n import lang_code

    try:
        bound = signature.bind_partial(*args, **kwargs).arguments
    except TypeError:
        return "en"
    value = bound.get("ui") if "ui" in signature.parameters else bound.get("lang")
    return lang_code(value if isinstance(value, str) else None)


def friendly(fn: F) -> F:
    """Wrap a Gradio handler (plain or generator) so errors reach the user as one line.

    The wrapper also carries the handler's Gradio-typed annotations (``gr.Request``,
    ``gr.LikeData``, ``gr.SelectData``…) as real objects: Gradio finds these parameters by type,
    and string annotations of functions nested in a builder cannot be resolved later.
    """
    import gradio as gr

    signature = inspect.signature(fn)
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as exc:
                raise _gr_error(exc, _ui_lang(signature, args, kwargs)) from None

        wrapped: Any = gen_wrapper
    else:

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as exc:
                raise _gr_error(exc, _ui_lang(signature, args, kwargs)) from None

        wrapped = wrapper
    wrapped.__annotations__ = gradio_annotations(fn)
    return wrapped


def gradio_annotations(fn: Callable[..., Any]) -> dict[str, Any]:
    """The annotations of ``fn`` that name Gradio classes, resolved to the classes themselves."""
    import gradio as gr

    namespace = {**getattr(fn, "__globals__", {}), "gr": gr}
    resolved: dict[str, Any] = {}
    for name, annotation in getattr(fn, "__annotations__", {}).items():
        if isinstance(annotation, str):
            if "gr." not in annotation:
                continue
            try:
                annotation = eval(annotation, namespace)  # noqa: S307 - our own source annotations
            except Exception:
                continue
        if isinstance(annotation, type) and annotation.__module__.startswith("gradio"):
            resolved[name] = annotation
    return resolved


def username(request: Any) -> str:
    """The logged-in user of a Gradio request ("" when the app runs without users)."""
    return str(getattr(request, "username", None) or "")


def _configure_logging() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


_configure_logging()
