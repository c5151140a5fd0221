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

from policykb.settings import Settings, repo_root  # noqa: E402
from tests.support.serve import free_port  # noqa: E402

# The Opinions alone (a copy of corpus/'s file and sidecar): the fixtures and figures of these tests are about it.
CORPUS = repo_root() / "tests" / "fixtures" / "opinions-corpus"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def corpus_kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KB folder holding the bundled corpus, ingested once with the real bundled model."""
    from policykb.kb import KnowledgeBase

    kb_dir = tmp_path_factory.mktemp("corpus-kb")
    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=kb_dir))
    report = kb.ingest([CORPUS])
    assert report.failed == 0, report
    kb.close()
    return kb_dir


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
