"""A second lock on the door when users are configured: every HTTP route needs a signed-in session.

Gradio's own login check guards the page, the API and file routes; a few routes of its (queue
heartbeats, stream segments, monitoring) are not covered by it. This ASGI middleware answers
401 to any request without a valid session cookie, except the login page and the static assets
the login form needs, and refuses such a websocket handshake. It reads the session the way Gradio
writes it (``app.tokens``, cookie ``access-token[-unsecure]-<cookie_id>``).
"""
from __future__ import annotations

import json
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable

__all__ = ["AuthGate", "is_public_path", "PUBLIC_PREFIXES", "PUBLIC_PATHS"]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

PUBLIC_PATHS: frozenset[str] = frozenset({
    "/", "/login", "/login/", "/logout", "/logout/", "/favicon.ico", "/theme.css", "/robots.txt", "/manifest.json",
    "/gradio_api/login_check", "/gradio_api/login_check/", "/gradio_api/theme.css", "/gradio_api/startup-events",
    "/gradio_api/app_id", "/gradio_api/app_id/",
})
PUBLIC_PREFIXES: tuple[str, ...] = ("/assets/", "/static/", "/svelte/", "/gradio_api/static/", "/gradio_api/svelte/", "/pwa_icon")


def is_public_path(path: str) -> bool:
    """True for the login page and the assets it needs (everything else needs a session).

    A path with "." or ".." segments, or an empty segment, is never public.
    """
    if any(part in (".", "..") for part in path.split("/")) or "//" in path or "\\" in path or "%" in path:
        return False
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


class AuthGate:
    """ASGI middleware: 401 for any non-public HTTP request (and a refused websocket) that carries no valid Gradio session."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket") or is_public_path(scope.get("path", "")) or self._signed_in(scope):
            await self.app(scope, receive, send)
            return
        if kind == "websocket":  # refuse the handshake: the server answers 403
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps({"detail": "Not authenticated; sign in on the app's page first"}).encode()
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _signed_in(scope: Scope) -> bool:
        gradio_app = scope.get("app")
        tokens = getattr(gradio_app, "tokens", None)
        cookie_id = getattr(gradio_app, "cookie_id", None)
        if not tokens or cookie_id is None:
            return False
        raw = b"; ".join(value for name, value in scope.get("headers", []) if name == b"cookie").decode("latin-1")
        if not raw:
            return False
        jar = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:
            return False
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            morsel = jar.get(name)
            if morsel is not None and tokens.get(morsel.value):
                return True
        return False
