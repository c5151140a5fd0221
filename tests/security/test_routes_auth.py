"""Access with users: every route of the running app — each one the app really has, enumerated from its
route table — answers 401 without a signed-in session; file downloads too; signed in, files outside
Gradio's own uploads (the users file, the KB's files) are still never served."""
from __future__ import annotations

import asyncio
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from policykb.app.auth_gate import AuthGate, is_public_path
from tests.support.serve import cli_env, serving

pytestmark = pytest.mark.slow  # starts the real app

USER, PASSWORD = "carol", "a long enough password"
SECRET = "VAULT-CODE-4471"
RULE = f"Sample Vault Rules\n\nArticle 1 The vault code is {SECRET}.\n\nArticle 2 Staff keep the code to themselves.\n"


@dataclass
class Server:
    url: str
    kb_dir: Path
    users_file: Path
    work: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`policykb serve --auth-file` over a KB holding one small document with a secret in it."""
    from policykb.app.users import add_user

    work = tmp_path_factory.mktemp("routes")
    (work / "corpus").mkdir()
    (work / "corpus" / "vault-rules.txt").write_text(RULE, encoding="utf-8")
    users_file = work / "users.txt"
    add_user(users_file, USER, PASSWORD)
    env = cli_env(POLICYKB_CORPUS=str(work / "corpus"), POLICYKB_MAX_FILE_MB="1")
    with serving(work / "kb", work, "--auth-file", str(users_file), env=env, timeout=300) as served:
        yield Server(served.url.rstrip("/"), served.kb_dir, users_file, work)


@pytest.fixture(scope="module")
def signed_in(server: Server) -> Iterator[httpx.Client]:
    client = httpx.Client(base_url=server.url, timeout=60)
    assert client.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
    yield client
    client.close()


def _app_routes(kb_dir: Path) -> list[tuple[str, str]]:
    """(method, path template) of every route of the app `serve` builds, read from its route table."""
    from gradio.routes import App

    from policykb.app.ui import build_app
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

    settings = Settings.from_env(env={}, kb_dir=kb_dir)
    kb = KnowledgeBase(settings)
    try:
        app = App.create_app(build_app(settings, kb))
    finally:
        kb.close()
    found: list[tuple[str, str]] = []

    def walk(routes: list) -> None:
        for route in routes:
            if hasattr(route, "path"):
                found.extend((method, route.path) for method in sorted(getattr(route, "methods", None) or {"GET"}))
            else:  # an included router
                walk(route.original_router.routes)

    walk(app.routes)
    return sorted(set(found))


def _fill(template: str, file_path: Path) -> str:
    """A concrete path for a route template: file routes ask for a real file of the KB."""
    def value(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        if name in ("path_or_url", "path") and m.group(1).endswith(":path"):
            return str(file_path).lstrip("/") if template.startswith(("/svelte", "/static", "/assets")) else str(file_path)
        return {"api_name": "ask", "size": "192", "ext": "ts"}.get(name, "x")

    return re.sub(r"\{([^}]+)\}", value, template)


def test_every_route_of_the_app_needs_sign_in(server: Server) -> None:
    routes = _app_routes(server.work / "scratch-kb")
    paths = {path for _, path in routes}
    assert len(routes) > 80 and {"/gradio_api/file={path_or_url:path}", "/gradio_api/upload", "/config",
                                  "/gradio_api/call/{api_name}", "/monitoring/{key}", "/gradio_api/token"} <= paths
    manifest = next(server.kb_dir.glob("*.sqlite"))
    checked = 0
    with httpx.Client(base_url=server.url, timeout=60) as anonymous:
        for method, template in routes:
            path = _fill(template, manifest)
            response = anonymous.request(method, path, json={"data": ["vault code"]} if method == "POST" else None)
            assert SECRET not in response.text and "pbc-2022-60" not in response.text, (method, path)
            if is_public_path(path if path.startswith("/") else "/" + path):
                continue
            assert response.status_code == 401, (method, template, response.status_code, response.text[:200])
            checked += 1
    assert checked >= 60  # the rest are the login page and its assets


def test_the_public_paths_are_only_the_login_page_and_its_assets(server: Server) -> None:
    page = httpx.get(server.url + "/", timeout=60)
    assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
    assert SECRET not in page.text and "pk-chat-input" not in page.text
    for tricky in ("/assets/../config", "/assets/%2e%2e/config", "/static//config", "/assets/..%2fconfig", "//config",
                   "/gradio_api/static/../../config"):
        response = httpx.get(server.url + tricky, timeout=60)
        assert response.status_code in (401, 404) and "pk-chat-input" not in response.text, (tricky, response.status_code)


def test_the_api_answers_only_when_signed_in(server: Server, signed_in: httpx.Client) -> None:
    body = {"data": ["vault code", 5, "", "", ""]}
    assert httpx.post(server.url + "/gradio_api/call/search", json=body, timeout=60).status_code == 401
    started = signed_in.post("/gradio_api/call/search", json=body)
    assert started.status_code == 200, started.text
    event = started.json()["event_id"]
    assert httpx.get(f"{server.url}/gradio_api/call/search/{event}", timeout=60).status_code == 401
    result = signed_in.get(f"/gradio_api/call/search/{event}")
    assert SECRET in result.text


def test_file_downloads_need_sign_in_and_never_reach_beyond_uploads(server: Server, signed_in: httpx.Client) -> None:
    uploaded = signed_in.post("/gradio_api/upload", files={"files": ("note.txt", f"Article 1 {SECRET} upload.".encode())})
    assert uploaded.status_code == 200, uploaded.text
    path = uploaded.json()[0]
    for route in (f"/gradio_api/file={path}", f"/gradio_api/file/{path}", f"/file={path}"):
        response = httpx.get(server.url + route, timeout=60)
        assert response.status_code == 401 and SECRET not in response.text, route
    served = signed_in.get(f"/gradio_api/file={path}")
    assert served.status_code == 200 and SECRET in served.text
    for private in (server.users_file, next(server.kb_dir.glob("*.sqlite")), Path("/etc/passwd"),
                    server.work / "corpus" / "vault-rules.txt", Path(path).parent / ".." / ".." / "users.txt"):
        response = signed_in.get(f"/gradio_api/file={private}")
        assert response.status_code in (403, 404), (private, response.status_code)
        assert "$2b$" not in response.text and SECRET not in response.text


def test_an_upload_over_the_size_limit_is_refused_by_the_server(server: Server, signed_in: httpx.Client) -> None:
    before = {p for p in (server.work / "gradio-tmp").rglob("*") if p.is_file()}
    response = signed_in.post("/gradio_api/upload", files={"files": ("big.txt", b"Article 1 x. " * 120_000)})  # about 1.5 MB
    assert response.status_code in (400, 413), (response.status_code, response.text[:200])
    after = {p for p in (server.work / "gradio-tmp").rglob("*") if p.is_file()}
    assert not any(p.name == "big.txt" for p in after - before)


def test_a_wrong_password_opens_nothing(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.post("/login", data={"username": USER, "password": "not the password"}).status_code == 400
        assert client.post("/login", data={"username": "nobody", "password": PASSWORD}).status_code == 400
        assert client.get("/config").status_code == 401 and client.get("/gradio_api/info").status_code == 401


def test_a_websocket_without_a_session_is_refused(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        status = sock.recv(200).split(b"\r\n", 1)[0]
    assert b" 101 " not in status and (b" 403 " in status or b" 401 " in status), status


def test_the_gate_refuses_websockets_and_passes_signed_in_ones() -> None:
    class FakeApp:
        tokens = {"good-token": "carol"}
        cookie_id = "abc"

    calls: list[str] = []

    async def inner(scope: dict, receive, send) -> None:
        calls.append(scope.get("path", scope["type"]))

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    gate = AuthGate(inner)
    anonymous = {"type": "websocket", "path": "/gradio_api/queue/join", "headers": [], "app": FakeApp()}
    asyncio.run(gate(anonymous, receive, send))
    assert calls == [] and sent == [{"type": "websocket.close", "code": 1008}]
    signed = {**anonymous, "headers": [(b"cookie", b"access-token-abc=good-token")]}
    asyncio.run(gate(signed, receive, send))
    forged = {**anonymous, "headers": [(b"cookie", b"access-token-abc=forged")]}
    asyncio.run(gate(forged, receive, send))
    assert calls == ["/gradio_api/queue/join"] and len(sent) == 2
    asyncio.run(gate({"type": "lifespan"}, receive, send))
    assert len(calls) == 2
