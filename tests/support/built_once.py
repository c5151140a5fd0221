"""Build an expensive test folder (an ingested KB) once per test run, even when pytest-xdist runs several workers.

Without xdist the folder is built in the session's temporary folder. Under xdist the first worker to ask builds it in
the run's shared temporary folder while holding a file lock; every worker then gets its own copy, so that no two
processes ever open the same KB folder.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

__all__ = ["built_once"]


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """``build(folder)`` run once per test run; returns this worker's copy of ``folder`` (``<name>N/kb``)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name) / "kb"
        build(folder)
        return folder
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, parent of every worker's basetemp
    built, done = shared / f"shared-{name}" / "kb", shared / f"shared-{name}.done"
    with FileLock(str(shared / f"shared-{name}.lock")):
        if not done.exists():
            shutil.rmtree(built.parent, ignore_errors=True)  # what a failed build of another worker left
            build(built)
            done.touch()
    copy = tmp_path_factory.mktemp(name) / "kb"
    shutil.copytree(built, copy)
    return copy
