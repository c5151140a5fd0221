"""Fixtures of the app tests: the real `policykb serve` in a subprocess over a copy of the corpus KB,
with and without users, and a headless Chromium page (Debian chromium + PyPI playwright)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from policykb.settings import repo_root

ARTIFACTS = repo_root() / "test-artifacts" / "app"
POLICYKB = Path(sys.executable).parent / "policykb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
USER, PASSWORD = "alice", "correct horse battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningApp:
    url: str
    kb_dir: Path
    log: Path
    process: subprocess.Popen


def start_app(kb_dir: Path, work: Path, *extra: str) -> RunningApp:
    """Run `policykb serve --kb kb_dir --port <free>` and wait until the page answers."""
    port = _free_port()
    log = work / f"serve-{port}.log"
    env = {**os.environ, "GRADIO_TEMP_DIR": str(work / "gradio-tmp"), "GRADIO_ANALYTICS_ENABLED": "False",
           "POLICYKB_CORPUS": str(repo_root() / "tests" / "fixtures" / "opinions-corpus")}
    env.pop("POLICYKB_USERS", None)
    with log.open("w") as out:
        process = subprocess.Popen([str(POLICYKB), "serve", "--kb", str(kb_dir), "--port", str(port), *extra],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"policykb serve exited with {process.returncode}: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return RunningApp(url, kb_dir, log, process)
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"policykb serve did not answer within 120 s: {log.read_text()[-3000:]}")


def stop_app(app: RunningApp) -> None:
    app.process.terminate()
    try:
        app.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        app.process.kill()
        app.process.wait(timeout=10)


def _kb_copy(corpus_kb_dir: Path, target: Path) -> Path:
    shutil.copytree(corpus_kb_dir, target)
    return target


@pytest.fixture(scope="package")
def app_server(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app without users (loopback), over a private copy of the corpus KB; shared by tests/app."""
    work = tmp_path_factory.mktemp("app")
    app = start_app(_kb_copy(corpus_kb_dir, work / "kb"), work)
    yield app
    stop_app(app)


@pytest.fixture(scope="package")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from policykb.app.users import add_user

    path = tmp_path_factory.mktemp("users") / "users.txt"
    add_user(path, USER, PASSWORD)
    return path


@pytest.fixture(scope="package")
def auth_server(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory, users_file: Path) -> Iterator[RunningApp]:
    """The app with users (sign-in required), over its own copy of the corpus KB."""
    work = tmp_path_factory.mktemp("auth-app")
    app = start_app(_kb_copy(corpus_kb_dir, work / "kb"), work, "--auth-file", str(users_file))
    yield app
    stop_app(app)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by playwright's sync API (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def shot():
    """``shot(page, name)`` saves a screenshot as test-artifacts/app/NAME.png and returns its path."""

    def save(page: object, name: str, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
        return path

    return save


@pytest.fixture(scope="session")
def credentials() -> tuple[str, str]:
    """The user and password of the users file of ``auth_server``."""
    return USER, PASSWORD
