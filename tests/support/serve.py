"""Start `policykb serve` on a free loopback port, wait until its page answers HTTP 200, and stop it again.

The one copy of this, shared by the app tests (tests/app/conftest.py), the route-access tests
(tests/security/test_routes_auth.py), the reliability tests and the load and crash benchmarks (benchmarks/).
It waits on conditions (the page answers, the process exits), never for a fixed time.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

__all__ = ["Served", "ServeError", "cli_env", "free_port", "policykb_command", "serving", "start_serve", "stop_serve"]

POLL_S = 0.3
"""Longest pause between two tries of the page; the pause ends at once when the process exits."""


class ServeError(RuntimeError):
    """`policykb serve` exited, or did not answer in time; the message ends with the tail of its log."""


@dataclass
class Served:
    """A running `policykb serve`: its address (ending in "/"), KB folder, log file and process."""

    url: str
    kb_dir: Path
    log: Path
    process: subprocess.Popen

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's log ("(no log)" when it cannot be read)."""
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no log)"


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(**extra: str) -> dict[str, str]:
    """Environment of a `policykb` child process: no POLICYKB_* settings from outside, no telemetry, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKB_")}
    env.update({"ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}, **extra)
    return env


def policykb_command() -> list[str]:
    """How to run the `policykb` CLI of this Python: the script beside the interpreter, else on PATH, else ``-m``."""
    beside = Path(sys.executable).parent / "policykb"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("policykb")
    return [found] if found else [sys.executable, "-m", "policykb.app.cli"]


def start_serve(kb_dir: Path, work: Path, *args: str, env: Mapping[str, str] | None = None,
                timeout: float = 120.0) -> Served:
    """Run ``policykb serve --kb kb_dir --port <free port> *args`` and return once its page answers HTTP 200.

    ``env`` is the child's environment (default :func:`cli_env`: no POLICYKB_* from outside); Gradio's temporary
    folder goes under ``work``, which also holds the log.

    Raises:
        ServeError: the app exited, or did not answer within ``timeout`` seconds (the process is then killed).
    """
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = work / f"serve-{port}.log"
    child_env = {**(cli_env() if env is None else env), "GRADIO_TEMP_DIR": str(work / "gradio-tmp"),
                 "GRADIO_ANALYTICS_ENABLED": "False"}
    with log.open("w") as out:
        process = subprocess.Popen([*policykb_command(), "serve", "--kb", str(kb_dir), "--port", str(port), *args],
                                   stdout=out, stderr=subprocess.STDOUT, env=child_env)
    served = Served(f"http://127.0.0.1:{port}/", Path(kb_dir), log, process)
    try:
        _wait_until_up(served, timeout)
    except BaseException:
        _kill(process)
        raise
    return served


def _wait_until_up(served: Served, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if served.process.poll() is not None:
            raise ServeError(f"policykb serve exited with {served.process.returncode}: {served.log_tail()}")
        try:
            with urllib.request.urlopen(served.url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise ServeError(f"policykb serve did not answer on {served.url} within {timeout:.0f} s: {served.log_tail()}")
        try:
            served.process.wait(timeout=POLL_S)  # returns early when the app exits
        except subprocess.TimeoutExpired:
            pass


def stop_serve(served: Served, timeout: float = 20.0) -> None:
    """Stop the app the way Ctrl+C would (SIGTERM), or kill it when it does not stop within ``timeout`` seconds."""
    if served.process.poll() is None:
        served.process.terminate()
        try:
            served.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    _kill(served.process)


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


@contextmanager
def serving(kb_dir: Path, work: Path, *args: str, env: Mapping[str, str] | None = None,
            timeout: float = 120.0) -> Iterator[Served]:
    """:func:`start_serve` for the length of a ``with`` block, stopped at its end (:func:`stop_serve`)."""
    served = start_serve(kb_dir, work, *args, env=env, timeout=timeout)
    try:
        yield served
    finally:
        stop_serve(served)
