"""A second lock on the door when users are configured: every HTTP route needs a signed-in session.

Gradio's own login check guards the page, the API and file routes; a few routes of its (queue
heartbeats, stream segments, monitoring) are not covered by it. This ASGI middleware answers
401 to any request without a valid session cookie, except the login page and the static assets
the login form needs, and refuses such a websocket handshake. It reads the session the way Gradio
writes it (``app.tokens``, cookie ``access-token[-unsecure]-<cookie_id>``).

Given a :class:`~policykb.app.sessions.SessionTracker`, it also ends idle sessions and those of
removed users; given a :class:`~policykb.app.signin.SignInLimiter`, it answers ``POST /login``
itself with 429 "too many attempts, try again in N s" while a user name or an address is
waiting, and records each failure and success. The login page served to an anonymous visitor
carries no API description (Gradio embeds ``window.gradio_api_info`` in it).
"""
from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, Awaitable, Callable

if TYPE_CHECKING:
    from policykb.app.sessions import SessionTracker
    from policykb.app.signin import SignInLimiter

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

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], *, sessions: SessionTracker | None = None,
                 limiter: SignInLimiter | None = None) -> None:
        self.app = app
        self.sessions = sessions
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        signed_in = self._signed_in(scope)
        if kind == "http" and scope.get("method") == "POST" and path in ("/login", "/login/"):
            await self._login(scope, receive, send)
            return
        if signed_in:
            await self.app(scope, receive, send)
            return
        if is_public_path(path):
            await self.app(scope, receive, _without_api_info(send) if kind == "http" else send)
            return
        if kind == "websocket":  # refuse the handshake: the server answers 403
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return
        await _json(send, 401, {"detail": "Not authenticated; sign in on the app's page first"})

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse at once while the user name or address waits; otherwise let Gradio check, and count the outcome."""
        if self.limiter is None and self.sessions is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive, limit=_MAX_LOGIN_BODY)
        if body is None:
            await _json(send, 413, {"detail": "the sign-in form is too large"})
            return
        user = await _form_user(scope, body)
        client = scope.get("client")
        address = str(client[0]) if client else ""
        if self.limiter is not None:
            wait = self.limiter.retry_after(user, address)
            if wait > 0:
                from policykb.app.signin import refusal_message

                await _json(send, 429, {"detail": refusal_message(wait)}, [(b"retry-after", str(max(1, int(wait + 0.999))).encode())])
                return
        outcome: dict[str, Any] = {}

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"set-cookie" and value.startswith(b"access-token"):
                        outcome["token"] = value.split(b";", 1)[0].split(b"=", 1)[-1].decode("latin-1")
            await send(message)

        await self.app(scope, _replay(body, receive), watch)
        status = outcome.get("status")
        if status == 200 and outcome.get("token"):
            if self.limiter is not None:
                self.limiter.succeeded(user, address)
            if self.sessions is not None:
                self.sessions.started(outcome["token"])
        elif status in (400, 401) and self.limiter is not None:
            self.limiter.failed(user, address)

    def _signed_in(self, scope: Scope) -> bool:
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
        found = False
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            morsel = jar.get(name)
            if morsel is None:
                continue
            if self.sessions is not None:
                found = self.sessions.user(tokens, morsel.value) is not None or found
            elif tokens.get(morsel.value):
                found = True
        return found


_MAX_LOGIN_BODY = 64 * 1024
# Gradio's login form shows nothing for an answer other than 200 or 400: show a refused sign-in's reason above it
_LOGIN_WAIT_SCRIPT = rb"""<script>(function(){var f=window.fetch;window.fetch=async function(){var r=await f.apply(this,arguments);
try{var a=arguments[0],u=new URL(String(a&&a.url||a),location.href);if(r.status===429&&/\/login\/?$/.test(u.pathname)){
var d=(await r.clone().json()).detail||"",p=document.getElementById("pk-login-wait");if(!p){p=document.createElement("p");
p.id="pk-login-wait";p.setAttribute("role","alert");p.style.cssText="position:fixed;top:1em;left:0;right:0;text-align:center;color:#b91c1c;font-weight:600;z-index:1000";
document.body.appendChild(p);}p.textContent=d;}}catch(e){}return r;};})();</script>"""
_API_INFO = re.compile(rb"<script>\s*window\.gradio_api_info\s*=.*?</script>", re.S)


async def _json(send: Send, status: int, data: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(data).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive, *, limit: int) -> bytes | None:
    """The whole request body, or None when it is longer than ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = [False]

    async def replay() -> dict[str, Any]:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _form_user(scope: Scope, body: bytes) -> str:
    """The user name a sign-in form carries ("" when there is none)."""
    from starlette.requests import Request

    try:
        form = await Request(scope, _replay(body, _no_more)).form()
        value = form.get("username")
        await form.close()
    except Exception:
        return ""
    return value.strip()[:200] if isinstance(value, str) else ""


async def _no_more() -> dict[str, Any]:
    return {"type": "http.disconnect"}


def _without_api_info(send: Send) -> Send:
    """A ``send`` that strips Gradio's embedded API description from an HTML page (the anonymous login page)."""
    state: dict[str, Any] = {"html": False, "start": None, "parts": []}

    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            content_type = next((v for k, v in message.get("headers", []) if k.lower() == b"content-type"), b"")
            if content_type.startswith(b"text/html"):
                state.update(html=True, start=message)
                return
            await send(message)
            return
        if not state["html"] or message["type"] != "http.response.body":
            await send(message)
            return
        state["parts"].append(message.get("body", b""))
        if message.get("more_body"):
            return
        page = _API_INFO.sub(b"<script>window.gradio_api_info = null;</script>" + _LOGIN_WAIT_SCRIPT, b"".join(state["parts"]), count=1)
        start = state["start"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
        await send({"type": "http.response.body", "body": page})

    return wrapped
