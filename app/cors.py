"""Cross-origin requests: only the app's own origin (and origins the admin lists) may call it from a browser.

Gradio's own CORS layer echoes any origin when the app listens on a non-local name, and any
``localhost`` origin (another local web app on another port) with credentials when it listens
locally. :class:`OwnOriginCORS` takes its place: an origin is allowed when its host and port are
the request's ``Host`` (the page the app itself served), or when it is listed in
``POLICYKB_CORS_ORIGINS``. Other origins get no ``Access-Control-Allow-*`` headers, their
preflights are refused (403), and their non-GET requests are refused (403) before they run, so a
foreign page can neither read answers nor submit forms with a signed-in user's cookie.
"""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import urlsplit

__all__ = ["OwnOriginCORS", "install"]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
_SAFE = frozenset({"GET", "HEAD"})
_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"


class OwnOriginCORS:
    """ASGI middleware: CORS for the app's own origin and the configured ones, nothing for the rest."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], *_: Any, allowed: Iterable[str] = (),
                 **__: Any) -> None:
        self.app = app
        self.allowed = frozenset(o.rstrip("/").lower() for o in allowed)

    def is_allowed(self, origin: str, host: str) -> bool:
        """Whether a browser page of ``origin`` may call the app reached as ``host``."""
        origin = origin.rstrip("/").lower()
        if origin in self.allowed:
            return True
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc == host.lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = self.is_allowed(origin, headers.get("host", ""))
        method = scope.get("method", "GET")
        if method == "OPTIONS" and "access-control-request-method" in headers:
            if not allowed:
                await _refuse(send, origin)
                return
            out = [(b"access-control-allow-origin", origin.encode("latin-1")), (b"access-control-allow-credentials", b"true"),
                   (b"access-control-allow-methods", _METHODS.encode()), (b"access-control-max-age", b"600"), (b"vary", b"Origin")]
            if "access-control-request-headers" in headers:
                out.append((b"access-control-allow-headers", headers["access-control-request-headers"].encode("latin-1")))
            await send({"type": "http.response.start", "status": 200, "headers": [*out, (b"content-length", b"2")]})
            await send({"type": "http.response.body", "body": b"OK"})
            return
        if not allowed:
            if method not in _SAFE:
                await _refuse(send, origin)
                return
            await self.app(scope, receive, send)  # a read: the browser keeps the answer from the foreign page
            return

        async def send_with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if not k.lower().startswith(b"access-control-allow-")]
                message = {**message, "headers": [*kept, (b"access-control-allow-origin", origin.encode("latin-1")),
                                                  (b"access-control-allow-credentials", b"true"), (b"vary", b"Origin")]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


async def _refuse(send: Send, origin: str) -> None:
    body = json.dumps({"detail": f"cross-origin request from {origin[:100]!r} refused; "
                                 "an admin can allow an origin with POLICYKB_CORS_ORIGINS"}).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def install(allowed: Iterable[str]) -> None:
    """Make the Gradio apps this process creates use :class:`OwnOriginCORS` in place of Gradio's CORS layer.

    Gradio adds its CORS middleware itself, outside any middleware an app is given, so it is replaced
    where ``gradio.routes`` looks it up (``policykb serve`` runs one app per process).
    """
    import functools

    import gradio.routes

    gradio.routes.CustomCORSMiddleware = functools.partial(OwnOriginCORS, allowed=tuple(allowed))  # type: ignore[misc, assignment]
