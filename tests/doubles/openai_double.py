"""TEST DOUBLE — a scripted stand-in for an OpenAI-compatible chat endpoint. It is not a language model.

A real HTTP server on 127.0.0.1 (stdlib ``http.server`` in a thread, port 0) that speaks the
chat-completions protocol (``POST /v1/chat/completions``, JSON; ``"stream": true`` answered as
server-sent events) and replies with whatever the test scripted: a good cited answer, an answer
citing a clause that was not supplied, a fabricated quote, a delay longer than the client's
timeout, or an HTTP 500. Every request body is recorded for the test to inspect.

A streamed reply is sent as ``data: {chat.completion.chunk}`` events, one per scripted piece (by
default one per word). ``hold_after=N`` makes the double stop after its N-th piece, with the
connection open, until the test calls :meth:`OpenAIChatDouble.release`: a test can then observe
the partial text on the client's side before the last piece is sent (``held`` tells it the double
is waiting). The wait is bounded by ``hold_timeout_s``, so a failing test cannot hang the server.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["ScriptedReply", "OpenAIChatDouble"]


@dataclass(frozen=True)
class ScriptedReply:
    """What the double answers to the next request."""

    content: str = ""
    status: int = 200
    delay_s: float = 0.0
    pieces: tuple[str, ...] = ()  # the streamed chunks' texts (joined they must equal content); () = one per word
    hold_after: int | None = None  # streamed: pause after this many pieces until release()
    hold_timeout_s: float = 120.0

    def chunks(self) -> list[str]:
        """The texts of the streamed chunks."""
        if self.pieces:
            return list(self.pieces)
        words = self.content.split(" ")
        return [word if i == 0 else " " + word for i, word in enumerate(words)]


class OpenAIChatDouble:
    """The loopback test double. Use as a context manager; ``base_url`` is what a client's api_base takes."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._replies: deque[ScriptedReply] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.held = threading.Event()  # set while a streamed reply is paused at its hold_after piece
        self._release = threading.Event()
        self.chunks_sent = 0  # streamed chunks written so far, over all requests

    def release(self) -> None:
        """Let a paused streamed reply send the rest of its pieces."""
        self._release.set()

    # -- scripting ------------------------------------------------------------------
    def script(self, *replies: ScriptedReply | str) -> None:
        """Queue replies, one per coming request (a plain string is a 200 reply with that content)."""
        with self._lock:
            self._replies.extend(r if isinstance(r, ScriptedReply) else ScriptedReply(r) for r in replies)

    def _next(self, body: dict[str, Any]) -> ScriptedReply:
        with self._lock:
            self.requests.append(body)
            if self._replies:
                return self._replies.popleft()
        return ScriptedReply("the test double has no scripted reply left", status=500)

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> "OpenAIChatDouble":
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                return

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "test-double", "object": "model", "owned_by": "tests"}]})
                else:
                    self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
                    return
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self._json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
                    return
                reply = double._next(body)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                try:
                    if reply.status != 200:
                        self._json(reply.status, {"error": {"message": reply.content or "scripted failure", "type": "server_error"}})
                    elif body.get("stream"):
                        self._stream(body, reply)
                    else:
                        self._json(200, _completion(body, reply.content))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], reply: ScriptedReply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                for i, piece in enumerate(reply.chunks()):
                    if reply.hold_after is not None and i == reply.hold_after:
                        double.held.set()
                        double._release.wait(reply.hold_timeout_s)
                        double.held.clear()
                        double._release.clear()
                    delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
                    self._event(_chunk(body, delta, None))
                    with double._lock:
                        double.chunks_sent += 1
                self._event(_chunk(body, {}, "stop"))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="openai-chat-double", daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the test double is not running; call start() or use it as a context manager")
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "OpenAIChatDouble":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-double",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "test-double"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-double",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "test-double"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
