"""The running app under an outside probe (issue 14, points 5, 7 and 8): long questions beside a searching
client, API input rules, the anonymous login page, CORS, a removed user's session, and a sign-in flood
beside a signed-in user. One real `policykb serve --auth-file` over a one-document KB.

The flood test locks sign-in from 127.0.0.1, so it runs last in this module."""
from __future__ import annotations

import re

import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from policykb.settings import repo_root

pytestmark = pytest.mark.slow  # starts the real app

POLICYKB = Path(sys.executable).parent / "policykb"
RULE = repo_root() / "tests" / "fixtures" / "en-article-rules.txt"
USER, PASSWORD = "frank", "a long enough password"
LONG = "How are green loans reported? " * 3500  # about 100 KB


@dataclass
class Server:
    url: str
    users_file: Path
    work: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from policykb.app.users import add_user

    work = tmp_path_factory.mktemp("served-limits")
    (work / "corpus").mkdir()
    (work / "corpus" / RULE.name).write_bytes(RULE.read_bytes())
    users_file = work / "users.txt"
    add_user(users_file, USER, PASSWORD)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKB_")}
    env.update({"GRADIO_TEMP_DIR": str(work / "gradio-tmp"), "GRADIO_ANALYTICS_ENABLED": "False", "POLICYKB_CORPUS": str(work / "corpus")})
    log = (work / "serve.log").open("w")
    process = subprocess.Popen([str(POLICYKB), "serve", "--kb", str(work / "kb"), "--port", str(port), "--auth-file", str(users_file)],
                               stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"policykb serve exited: {(work / 'serve.log').read_text()[-3000:]}")
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"policykb serve did not answer: {(work / 'serve.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield Server(url, users_file, work)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def signed_in_client(server: Server, user: str = USER, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=120)
    answer = client.post("/login", data={"username": user, "password": password})
    assert answer.status_code == 200, answer.text
    return client


@pytest.fixture(scope="module")
def staff(server: Server) -> Iterator[httpx.Client]:
    client = signed_in_client(server)
    yield client
    client.close()


def call(client: httpx.Client, api: str, *data: Any) -> tuple[str, Any]:
    """Call a named endpoint; returns ("complete", result) or ("error", message)."""
    started = client.post(f"/gradio_api/call/{api}", json={"data": list(data)})
    assert started.status_code == 200, started.text
    stream = client.get(f"/gradio_api/call/{api}/{started.json()['event_id']}")
    event, payload = "", None
    for line in stream.text.splitlines():
        if line.startswith("event: "):
            event = line[7:].strip()
        elif line.startswith("data: ") and event in ("complete", "error"):
            payload = json.loads(line[6:])
    if event == "complete":
        return event, payload[0]
    return event, payload


def test_a_100kb_question_is_refused_while_another_user_searches(server: Server, staff: httpx.Client) -> None:
    other = signed_in_client(server)
    outcome: dict[str, Any] = {}

    def ask_long() -> None:
        outcome["ask"] = call(other, "ask", LONG, "", "", "")

    thread = threading.Thread(target=ask_long)
    thread.start()
    searches = [call(staff, "search", "When is the green credit report due?", 3, "", "", "") for _ in range(3)]
    thread.join(120)
    other.close()
    assert not thread.is_alive()
    kind, message = outcome["ask"]
    assert kind == "error" and "over the limit of 2,000" in json.dumps(message), message
    for kind, result in searches:
        assert kind == "complete" and result["results"] and result["results"][0]["doc_id"] == "en-article-rules"
    kind, message = call(staff, "search", LONG[:5000], 3, "", "", "")
    assert kind == "error" and "5,000 characters long" in json.dumps(message)


@pytest.mark.parametrize("k, lang, fragment", [
    (0, "", "k 0 must be at least 1"), (-1, "", "k -1 must be at least 1"), (5000, "", "k 5000 must be at most 100"),
    (5, "fr", "lang 'fr' is not a language of the KB"),
])
def test_the_api_validates_like_the_cli(staff: httpx.Client, k: int, lang: str, fragment: str) -> None:
    kind, message = call(staff, "search", "green credit", k, "", "", lang)
    assert kind == "error" and fragment in json.dumps(message), message


def test_the_api_still_answers_good_input(staff: httpx.Client) -> None:
    kind, result = call(staff, "search", "green credit", 2, "", "", "en")
    assert kind == "complete" and len(result["results"]) == 2


def test_the_anonymous_login_page_has_no_api_description(server: Server, staff: httpx.Client) -> None:
    page = httpx.get(server.url + "/", timeout=60)
    assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
    assert "named_endpoints" not in page.text and "/search" not in page.text
    assert "window.gradio_api_info = null" in page.text
    assert "named_endpoints" in staff.get("/").text  # signed in, the page has it


def test_cors_allows_only_the_apps_own_origin(server: Server, staff: httpx.Client) -> None:
    port = server.url.rsplit(":", 1)[1]
    for foreign in ("http://localhost:9999", f"http://localhost:{port}", "https://evil.example", "null"):
        read = staff.get("/config", headers={"Origin": foreign})
        assert "access-control-allow-origin" not in read.headers, (foreign, read.headers)
        preflight = httpx.options(server.url + "/gradio_api/call/search", timeout=60,
                                  headers={"Origin": foreign, "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers, foreign
        posted = staff.post("/gradio_api/call/search", headers={"Origin": foreign}, json={"data": ["green", 3, "", "", ""]})
        assert posted.status_code == 403 and "POLICYKB_CORS_ORIGINS" in posted.text, foreign
    own = staff.post("/gradio_api/call/search", headers={"Origin": server.url}, json={"data": ["green", 3, "", "", ""]})
    assert own.status_code == 200 and own.headers["access-control-allow-origin"] == server.url


def test_a_removed_users_session_ends(server: Server, staff: httpx.Client) -> None:
    from policykb.app.users import add_user

    add_user(server.users_file, "gina", "gina's good password")
    gina = signed_in_client(server, "gina", "gina's good password")
    assert gina.get("/config").status_code == 200
    assert call(gina, "search", "green credit", 1, "", "", "")[0] == "complete"
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKB_")}
    removed = subprocess.run([str(POLICYKB), "users", "remove", "gina", "--auth-file", str(server.users_file)],
                             capture_output=True, text=True, env=env, timeout=60)
    assert removed.returncode == 0, removed.stderr
    assert gina.get("/config").status_code == 401
    assert gina.post("/gradio_api/call/search", json={"data": ["green", 3, "", "", ""]}).status_code == 401
    assert '"auth_required":true' in gina.get("/").text.replace(" ", "")
    assert staff.get("/config").status_code == 200  # other users keep their sessions
    gina.close()


def test_the_app_gives_a_localized_hint_for_a_long_question(server: Server) -> None:
    """Real Chromium: sign in, send a 2,500-character question in Search and Chat; the hint follows the 中文 toggle."""
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip(f"{chromium} is not installed (apt install chromium)")
    from playwright.sync_api import expect, sync_playwright

    question = ("What must the quarterly green credit report include? " * 48).strip()
    n = f"{len(question):,}"  # 2,543
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                                   "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(90_000)
            page.goto(server.url)
            page.get_by_label("username").fill(USER)
            page.get_by_label("password").fill(PASSWORD)
            page.get_by_role("button", name="Login").click()
            page.wait_for_selector("#pk-chat-input textarea")
            page.fill("#pk-chat-input textarea", question)
            page.click("#pk-send")
            expect(page.get_by_text(f"Your question is {n} characters long; questions are limited to 2,000.").first).to_be_visible(timeout=90_000)
            page.locator("#pk-lang").get_by_text("中文").click()
            page.get_by_role("tab", name=re.compile(r"^(?:检索|Search)$")).click()  # relabelled by the 中文 switch
            page.fill("#pk-search-input textarea", question)
            page.click("#pk-search-go")
            expect(page.get_by_text(f"问题长度为 {n} 个字符，超过上限 2,000 个字符。").first).to_be_visible(timeout=90_000)
        finally:
            browser.close()


def test_a_sign_in_flood_is_refused_and_a_signed_in_user_keeps_working(server: Server, staff: httpx.Client) -> None:
    stop = threading.Event()
    codes: list[int] = []
    details: list[str] = []

    def flood(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            while not stop.is_set():
                answer = client.post("/login", data={"username": USER, "password": f"wrong guess {n}"})
                codes.append(answer.status_code)
                if answer.status_code == 429:
                    details.append(answer.json()["detail"])

    threads = [threading.Thread(target=flood, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    try:
        while len(codes) < 50:
            time.sleep(0.05)
        before = len(codes)
        kind, result = call(staff, "search", "When is the green credit report due?", 3, "", "", "")
        after = len(codes)
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)
    assert kind == "complete" and result["results"], result
    assert after > before  # the search ran while the flood went on
    assert set(codes) <= {400, 429} and codes.count(400) <= 5 + 16  # at most the allowed failures (and those in flight) checked
    assert details and all(d.startswith("too many attempts, try again in ") and d.endswith(" s") for d in details)
    with httpx.Client(base_url=server.url, timeout=60) as late:
        refused = late.post("/login", data={"username": USER, "password": PASSWORD})  # the right password, during the wait
        assert refused.status_code == 429 and "too many attempts" in refused.json()["detail"]
        assert late.get("/config").status_code == 401
    assert staff.get("/config").status_code == 200
    chromium = "/usr/bin/chromium"
    if Path(chromium).exists():  # the login form says why it refuses
        from playwright.sync_api import expect, sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            try:
                page = browser.new_page()
                page.set_default_timeout(90_000)
                page.goto(server.url)
                page.get_by_label("username").fill(USER)
                page.get_by_label("password").fill(PASSWORD)
                page.get_by_role("button", name="Login").click()
                expect(page.locator("#pk-login-wait")).to_contain_text("too many attempts, try again in", timeout=90_000)
            finally:
                browser.close()
