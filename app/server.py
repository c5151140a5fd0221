"""`policykb serve`: check access, fill an empty KB from the bundled corpus, run the Gradio app.

An empty KB is parsed and indexed lexically first (well under a second for the bundled corpus) and the app
answers at once; the clauses' vectors are embedded by a background thread (:mod:`policykb.kb.index.fill`),
and answers become hybrid as they come in, without a restart.

Access: the app listens on 127.0.0.1 by default. Any other address needs a users file
(``--auth-file`` or ``POLICYKB_USERS``) with at least one user; without one, serve refuses to
start and says how to add users. With users, every route needs a signed-in session.
"""
from __future__ import annotations

import ipaddress
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.errors import ConfigError

if TYPE_CHECKING:
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

__all__ = ["serve", "is_loopback", "ensure_corpus", "check_access", "auth_options"]


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, "localhost")."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_access(host: str, users_file: Path | None) -> Path | None:
    """The users file the app must use on ``host`` (None: open, loopback only).

    Raises:
        ConfigError: a non-loopback ``host`` without users, or a users file that is missing or empty.
    """
    from policykb.app.users import require_users

    if users_file is None:
        if is_loopback(host):
            return None
        raise ConfigError(
            f"refusing to listen on {host!r} without users (anyone on the network could use and change the KB); "
            f"add one with `policykb users add NAME --auth-file FILE`, then run `policykb serve --host {host} --auth-file FILE` "
            "(or set POLICYKB_USERS=FILE)"
        )
    require_users(Path(users_file))
    return Path(users_file)


def ensure_corpus(kb: KnowledgeBase, settings: Settings, log: Any = None) -> int:
    """Ingest ``settings.corpus_dir`` when the KB holds no document; returns the documents added."""
    if kb.documents():
        return 0
    corpus = Path(settings.corpus_dir)
    out = log or sys.stderr
    if not corpus.is_dir():
        print(f"the KB is empty and there is no corpus folder at {str(corpus)!r}; add documents in the app's Documents tab", file=out)
        return 0
    print(f"the KB at {settings.kb_dir} is empty; adding {corpus} …", file=out, flush=True)
    shown = [-1]

    def progress(message: str, fraction: float) -> None:
        step = int(fraction * 10)
        if step > shown[0]:
            shown[0] = step
            print(f"  {fraction * 100:3.0f}%  {message}", file=out, flush=True)

    report = kb.ingest([corpus], progress=progress, defer_vectors=True)
    for doc in report.documents:
        if doc.status == "failed":
            print(f"  failed: {doc.error}", file=out)
    progress_now = kb.fill_progress()
    waiting = progress_now.total - progress_now.embedded
    if waiting:
        print(f"  {report.added} documents added in {report.seconds:.2f} s: lookups and word search answer now; "
              f"{waiting} clauses are being embedded in the background for semantic search", file=out, flush=True)
    else:
        print(f"  {report.added} documents added ({report.embedded} clauses embedded in {report.seconds:.1f} s)", file=out, flush=True)
    return report.added


def _warm_then_fill(kb: KnowledgeBase) -> None:
    """In the background: load what the first question needs (the snapshot, the dictionary weighed against the KB's
    words, the tokenizer, the query model), then start the vector fill, which also completes vectors a stopped or
    killed fill left. Warming first keeps the fill's CPU from delaying the first answers."""
    import threading

    def run() -> None:
        try:
            kb.warm_up()
        except Exception as exc:  # the first request then loads what it needs itself
            print(f"warming up failed ({type(exc).__name__}: {exc}); the first answer loads the models itself", file=sys.stderr)
        kb.start_fill()

    threading.Thread(target=run, name="policykb-warm-up", daemon=True).start()


def auth_options(settings: Settings, users_file: Path) -> dict[str, Any]:
    """The ``launch()`` options of an app with users: the login check (bcrypt off the event loop), and the
    gate that requires a session everywhere, ends idle and removed users' sessions and limits failed sign-ins."""
    from starlette.middleware import Middleware

    from policykb.app.auth_gate import AuthGate
    from policykb.app.sessions import SessionTracker
    from policykb.app.signin import SignInLimiter, async_auth
    from policykb.app.users import UsersFile, make_auth

    users = UsersFile(users_file)
    sessions = SessionTracker(settings.session_idle_minutes * 60, users.names)
    limiter = SignInLimiter(settings.signin_max_failures, settings.signin_backoff_s)
    return {
        "auth": async_auth(make_auth(users)),
        "auth_message": "policykb: sign in with the user name and password you were given.",
        "app_kwargs": {"middleware": [Middleware(AuthGate, sessions=sessions, limiter=limiter)]},
    }


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 7860, auth_file: str | Path | None = None) -> int:
    """Run the app until interrupted; returns the exit code.

    Raises:
        ConfigError: refused access settings (see :func:`check_access`) or a port that is taken.
    """
    users_file = check_access(host, Path(auth_file) if auth_file else settings.users_file)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from policykb.app.ui import build_app, launch_options
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(settings)
    ensure_corpus(kb, settings)
    _warm_then_fill(kb)
    demo = build_app(settings, kb)
    demo.queue(default_concurrency_limit=settings.queue_concurrency)  # measured in docs/load.md
    from policykb.app.cors import install as install_cors

    install_cors(settings.allowed_origins)
    kwargs: dict[str, Any] = {}
    if users_file is not None:
        kwargs.update(auth_options(settings, users_file))
    shown_host = f"[{host}]" if ":" in host else host
    print(f"policykb app on http://{shown_host}:{port}/ ({'sign-in required' if users_file else 'no sign-in; loopback only'}); "
          "Ctrl+C stops it", file=sys.stderr, flush=True)
    try:
        demo.launch(
            server_name=host, server_port=port, quiet=True, ssr_mode=False, show_error=False, footer_links=["api"],
            max_file_size=settings.max_file_bytes, prevent_thread_lock=True, **kwargs, **launch_options(),
        )
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port} ({exc}); choose another port with --port") from None
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        demo.close()
        kb.close()
    return 0
