"""Fixtures of the app tests: the real `policykb serve` in a subprocess over a copy of the corpus KB,
with and without users, and a headless Chromium page (Debian chromium + PyPI playwright)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from policykb.settings import repo_root
from tests.support.serve import Served, cli_env, start_serve, stop_serve

ARTIFACTS = repo_root() / "test-artifacts" / "app"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
USER, PASSWORD = "alice", "correct horse battery"


def start_app(kb_dir: Path, work: Path, *extra: str) -> Served:
    """`policykb serve --kb kb_dir` on a free port, the Opinions test corpus as its corpus, once its page answers."""
    return start_serve(kb_dir, work, *extra,
                       env=cli_env(POLICYKB_CORPUS=str(repo_root() / "tests" / "fixtures" / "opinions-corpus")))


def _kb_copy(corpus_kb_dir: Path, target: Path) -> Path:
    shutil.copytree(corpus_kb_dir, target)
    return target


@pytest.fixture(scope="package")
def app_server(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app without users (loopback), over a private copy of the corpus KB; shared by tests/app."""
    work = tmp_path_factory.mktemp("app")
    app = start_app(_kb_copy(corpus_kb_dir, work / "kb"), work)
    yield app
    stop_serve(app)


@pytest.fixture(scope="module")
def own_app_server(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """An app of the module's own, over a private copy of the corpus KB: for modules that upload or remove
    documents, so that the package's shared ``app_server`` keeps the Opinions alone whatever order modules run in."""
    work = tmp_path_factory.mktemp("own-app")
    app = start_app(_kb_copy(corpus_kb_dir, work / "kb"), work)
    yield app
    stop_serve(app)


@pytest.fixture(scope="package")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from policykb.app.users import add_user

    path = tmp_path_factory.mktemp("users") / "users.txt"
    add_user(path, USER, PASSWORD)
    return path


@pytest.fixture(scope="package")
def auth_server(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory, users_file: Path) -> Iterator[Served]:
    """The app with users (sign-in required), over its own copy of the corpus KB."""
    work = tmp_path_factory.mktemp("auth-app")
    app = start_app(_kb_copy(corpus_kb_dir, work / "kb"), work, "--auth-file", str(users_file))
    yield app
    stop_serve(app)


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
