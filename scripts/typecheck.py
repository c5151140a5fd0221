"""Type-check the installed ``policykb`` package with mypy, reporting paths in the source tree.

The design card's folders (``kb/``, ``ingest/``, ``app/``, ``eval/``) install as ``policykb.kb`` and so on
through ``[tool.setuptools.package-dir]``; the editable install maps them with an import hook that mypy
cannot follow. So this builds a tree of symlinks under ``build/typecheck/`` from that same mapping, runs
``mypy -p policykb`` on it (settings in ``[tool.mypy]``) and prints each error with its source path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "build" / "typecheck"


def package_dirs() -> dict[str, str]:
    """``{"policykb.kb": "kb", ...}`` less the packages that lie in their parent's folder (the parent's link covers them)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    out: dict[str, str] = {}
    for name, folder in mapping.items():
        parent, _, last = name.rpartition(".")
        if parent in mapping and folder.rstrip("/") == f"{mapping[parent].rstrip('/')}/{last}":
            continue
        out[name] = folder
    return out


def build_tree() -> dict[str, str]:
    """Lay the symlink tree; returns {path in the tree: path in the source} prefixes, longest first."""
    shutil.rmtree(TREE, ignore_errors=True)
    (TREE / "policykb").mkdir(parents=True)
    prefixes: dict[str, str] = {}
    for name, folder in package_dirs().items():
        inside = name.replace(".", "/")
        if name == "policykb":
            for file in (ROOT / folder).glob("*.py"):
                os.symlink(file, TREE / inside / file.name)
        else:
            os.symlink(ROOT / folder, TREE / inside, target_is_directory=True)
        prefixes[inside + "/"] = folder.rstrip("/") + "/"
    return dict(sorted(prefixes.items(), key=lambda kv: -len(kv[0])))


def main() -> int:
    prefixes = build_tree()
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
           "--cache-dir", str(ROOT / "build" / "mypy-cache"), "--python-executable", sys.executable,
           "-p", "policykb", *sys.argv[1:]]
    proc = subprocess.run(cmd, cwd=TREE, capture_output=True, text=True)
    pattern = re.compile("^(" + "|".join(re.escape(p) for p in prefixes) + ")", re.M)
    for stream, text in ((sys.stdout, proc.stdout), (sys.stderr, proc.stderr)):
        stream.write(pattern.sub(lambda m: prefixes[m.group(1)], text))
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
