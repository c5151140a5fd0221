"""Shared fixtures: one ingested copy of the bundled corpus per test session, and a real Chroma server.

The repository root goes on ``sys.path`` here, so tests import the shared helpers as ``tests.support.*`` and the
benchmarks they exercise as ``benchmarks.*`` (neither is part of the installed package).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import settings as hypothesis_settings  # noqa: E402

from policykb.settings import Settings, repo_root  # noqa: E402
from tests.support.built_once import built_once  # noqa: E402
from tests.support.serve import free_port  # noqa: E402

# The Opinions alone (a copy of corpus/'s file and sidecar): the fixtures and figures of these tests are about it.
CORPUS = repo_root() / "tests" / "fixtures" / "opinions-corpus"
FIXTURES = Path(__file__).parent / "fixtures"


# `make test-fast` runs the unit tests only: `-m "not integration and not slow and not browser and not server"`,
# with the "fast" Hypothesis profile (fewer examples for the property tests that keep Hypothesis's default).
# A test is an integration test when it is marked so (a module's `pytestmark`), lives in one of these folders, or uses
# one of these fixtures, directly or through another fixture: each loads the embedding model, starts a `policykb`
# process or a server, or drives a browser.
INTEGRATION_FOLDERS = ("reliability", "bench")
INTEGRATION_FIXTURES = frozenset({
    "corpus_kb_dir", "corpus5_kb_dir", "chroma_server", "app_server", "auth_server", "browser", "en_rule_kb_dir", "server", "gated",
    "kbs", "kb_dir", "minilm", "open_kb", "held_app", "deferred",
})  # a new fixture that loads the model or starts a process belongs here (or its module in INTEGRATION_TESTS)

# Tests that run the `policykb` CLI or a fresh interpreter, or load the model or Gradio themselves (node id prefixes).
INTEGRATION_TESTS = (
    "tests/kb/test_embedders.py", "tests/kb/test_cli_contract.py", "tests/kb/test_ingest_warnings.py",
    "tests/app/test_cli_imports.py", "tests/eval/test_calibrate.py", "tests/kb/test_vector_fill.py",
    "tests/kb/test_input_contracts.py::test_the_cli_uses_the_same_rules",
    "tests/kb/test_input_contracts.py::test_a_read_verb_on_a_missing_kb_says_so_and_creates_nothing",
    "tests/kb/test_input_contracts.py::test_a_file_given_as_kb_gets_a_clear_message",
    "tests/app/test_app_server.py::test_ensure_corpus_fills_an_empty_kb",
    "tests/kb/test_tokenize.py::test_importing_the_module_does_not_load_jieba_dictionary",
    "tests/security/test_html_escape.py::test_error_messages_reach_gradio_escaped",
)

hypothesis_settings.register_profile("fast", max_examples=20)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the integration tests (see INTEGRATION_FIXTURES), so that `make test-fast` can leave them out."""
    here = Path(__file__).parent
    for item in items:
        path = Path(str(item.fspath))
        folder = path.relative_to(here).parts[0] if path.is_relative_to(here) else ""
        if (folder in INTEGRATION_FOLDERS or item.nodeid.startswith(INTEGRATION_TESTS)
                or INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def corpus_kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KB folder holding the Opinions test corpus, ingested once per run with the real bundled model."""

    def build(kb_dir: Path) -> None:
        from policykb.kb import KnowledgeBase

        kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=kb_dir))
        try:
            report = kb.ingest([CORPUS])
        finally:
            kb.close()
        assert report.failed == 0, report

    return built_once(tmp_path_factory, "corpus-kb", build)


@pytest.fixture(scope="session")
def corpus5_kb_dir(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KB folder holding the five bundled documents of corpus/ (read-only: copy it to write).

    Built from the Opinions KB above: the Opinions in corpus/ are the same bytes, so the copy is relocated to
    corpus/'s file and the ingest of corpus/ embeds only the four related rules."""

    def build(kb_dir: Path) -> None:
        from policykb.kb import KnowledgeBase

        shutil.copytree(corpus_kb_dir, kb_dir)
        settings = Settings.from_env(env={}, kb_dir=kb_dir)
        kb = KnowledgeBase(settings)
        try:
            for doc in kb.documents():
                kb.manifest.relocate(doc.doc_id, str((settings.corpus_dir / Path(doc.source_path).name).resolve()))
            report = kb.ingest([settings.corpus_dir])
        finally:
            kb.close()
        assert (report.added, report.failed) == (4, 0), report

    return built_once(tmp_path_factory, "corpus5-kb", build)


@pytest.fixture(scope="session")
def corpus_kb(corpus_kb_dir: Path):
    """A read-mostly KnowledgeBase over the bundled corpus (do not ingest into it; copy it with `kb_copy`)."""
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=corpus_kb_dir))
    yield kb
    kb.close()


@pytest.fixture
def kb_copy(corpus_kb_dir: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the ingested corpus KB."""
    target = tmp_path / "kb"
    shutil.copytree(corpus_kb_dir, target)
    return target


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on loopback, started for this test session."""
    chroma = Path(sys.executable).parent / "chroma"
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = open(path / "server.log", "w")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            try:
                proc.wait(timeout=0.3)  # a pause that ends at once when the server exits
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"chroma server exited: {(path / 'server.log').read_text()[-2000:]}") from None
    else:
        proc.kill()
        raise RuntimeError("chroma server did not start within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
