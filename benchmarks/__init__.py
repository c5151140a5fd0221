"""Benchmarks of policykb: search and ask latency with signal ablation (bench_search, bench_ask), load on the
running app (bench_load), kills mid-ingest (bench_crash), abstention threshold fitting (calibrate_abstain), and the
synthetic bilingual corpus they grow (synthetic).

Not installed and never imported by the product. Run them from the repository root, e.g.
``.venv/bin/python -m benchmarks.bench_search --kb data``; they import the package (``policykb``) and the shared
serve helper of the tests (``tests.support.serve``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["ROOT", "GOLD_DIR", "module_command", "with_root_on_path"]

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: the folder holding ``benchmarks/`` and ``tests/``."""

GOLD_DIR = ROOT / "eval" / "gold"
"""The bundled gold sets (``opinions.jsonl``, ``zh-rule.jsonl``)."""


def module_command(module: str, *args: str) -> list[str]:
    """``python -m module args`` with this interpreter (give the child :func:`with_root_on_path` as its environment)."""
    return [sys.executable, "-m", module, *args]


def with_root_on_path(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's environment) with the repository root first on PYTHONPATH, so a child
    started from any folder imports ``benchmarks`` and ``tests.support``."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env
