"""Access: loopback by default, users required beyond it, and every route closed without sign-in."""
from __future__ import annotations

import http.cookiejar
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

POLICYKB = Path(sys.executable).parent / "policykb"


def _status(url: str, *, data: bytes | None = None, opener: urllib.request.OpenerDirector | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


@pytest.mark.parametrize(("args", "message"), [
    (["--host", "0.0.0.0"], "policykb users add NAME --auth-file FILE"),
    (["--host", "192.168.1.20"], "refusing to listen on '192.168.1.20' without users"),
    (["--host", "0.0.0.0", "--auth-file", "{tmp}/missing.txt"], "does not exist"),
    (["--host", "0.0.0.0", "--auth-file", "{tmp}/empty.txt"], "has no users"),
])
def test_serve_beyond_loopback_without_users_refuses(tmp_path, args, message):
    (tmp_path / "empty.txt").write_text("# no users yet\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([str(POLICYKB), "serve", "--kb", str(tmp_path / "kb"), "--port", "9", *argv],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], done.stderr
    assert not (tmp_path / "kb").exists()  # refused before touching the KB


ROUTES = [
    ("GET", "config"),
    ("GET", "gradio_api/info"),
    ("GET", "gradio_api/openapi.json"),
    ("POST", "gradio_api/call/ask"),
    ("POST", "gradio_api/call/search"),
    ("POST", "gradio_api/run/ask"),
    ("POST", "gradio_api/queue/join"),
    ("GET", "gradio_api/queue/data?session_hash=x"),
    ("POST", "gradio_api/upload"),
    ("GET", "gradio_api/file=/etc/hostname"),
    ("GET", "gradio_api/file={kb}/manifest.sqlite"),
    ("GET", "gradio_api/heartbeat/x"),
    ("GET", "gradio_api/upload_progress?upload_id=x"),
    ("GET", "monitoring"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_every_route_is_closed_without_sign_in(auth_server, method, route):
    url = auth_server.url + route.replace("{kb}", str(auth_server.kb_dir))
    data = json.dumps({"data": ["charitable trusts"]}).encode() if method == "POST" else None
    status, body = _status(url, data=data, headers={"content-type": "application/json"})
    assert status == 401, (route, status, body[:200])
    assert "charitable" not in body and "pbc-2022-60" not in body


def test_the_page_without_sign_in_is_only_the_login_form(auth_server):
    status, body = _status(auth_server.url)
    assert status == 200
    assert '"auth_required":true' in body.replace(" ", "")
    assert "pk-chat-input" not in body and "Chat · 问答" not in body


def test_sign_in_opens_the_routes_and_a_wrong_password_does_not(auth_server, credentials):
    user, password = credentials
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = urllib.parse.urlencode({"username": user, "password": "wrong password"}).encode()
    assert _status(auth_server.url + "login", data=form, opener=opener)[0] == 400
    assert _status(auth_server.url + "config", opener=opener)[0] == 401
    form = urllib.parse.urlencode({"username": user, "password": password}).encode()
    assert _status(auth_server.url + "login", data=form, opener=opener)[0] == 200
    status, body = _status(auth_server.url + "config", opener=opener)
    assert status == 200 and "pk-chat-input" in body
    status, body = _status(auth_server.url + "gradio_api/info", opener=opener)
    assert status == 200 and "/ask" in body


def test_gradio_client_with_credentials(auth_server, credentials):
    from gradio_client import Client

    client = Client(auth_server.url, auth=credentials, verbose=False)
    answer = client.predict("第十八条讲了什么？", api_name="/ask")
    assert answer["citations"][0]["id"] == "pbc-2022-60:18"


@pytest.mark.browser
def test_feedback_and_uploads_record_the_signed_in_user(browser, auth_server, credentials, shot):
    from playwright.sync_api import expect

    from policykb.app.uploads import UploadLog
    from policykb.app.feedback import FeedbackStore
    from policykb.settings import repo_root

    user, password = credentials
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(auth_server.url)
    page.get_by_label("username").fill(user)
    page.get_by_label("password").fill(password)
    shot(page, "login")
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("#pk-chat-input textarea")
    expect(page.locator("#pk-user")).to_contain_text(user)
    page.fill("#pk-chat-input textarea", "What does clause (13) say?")
    page.click("#pk-send")
    page.wait_for_selector("#pk-chatbot .pk-meta")
    page.click("#pk-feedback")
    page.click("#pk-up")
    expect(page.locator("#pk-feedback-status .pk-msg-ok")).to_be_visible()
    row = FeedbackStore(auth_server.kb_dir / "feedback.sqlite").list()[-1]
    assert (row["user"], row["rating"], row["question"]) == (user, 1, "What does clause (13) say?")
    page.get_by_role("tab", name="Documents · 文档").click()
    page.set_input_files("#pk-upload input[type=file]", str(repo_root() / "tests" / "fixtures" / "en-article-rules.txt"))
    page.click("#pk-add")
    expect(page.locator("#pk-ingest-result tr[data-status='added']")).to_have_count(1, timeout=300_000)
    logged = UploadLog(auth_server.kb_dir / "uploads").rows()[-1]
    assert (logged["user"], logged["name"], logged["status"]) == (user, "en-article-rules.txt", "added")
    assert Path(logged["path"]).parent.name.split("-")[1] == user and Path(logged["path"]).is_file()
    context.close()
