"""The CLI starts without loading llama-index (or other heavy libraries): they load only where they are used."""
from __future__ import annotations

import subprocess
import sys

HEAVY = ("llama_index", "openai", "torch", "chromadb", "gradio", "sentence_transformers")

_PROBE = """
import sys
{code}
heavy = sorted({{m.split('.')[0] for m in sys.modules if m.split('.')[0] in {heavy!r}}})
print('loaded:' + ','.join(heavy))
"""


def _loaded_after(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _PROBE.format(code=code, heavy=HEAVY)],
                         capture_output=True, text=True, timeout=120, check=True)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("loaded:")][-1]
    return [m for m in line.removeprefix("loaded:").split(",") if m]


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import policykb.app.cli") == []


def test_policykb_help_loads_no_heavy_library() -> None:
    code = ("from policykb.app.cli import main\n"
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            "        main(['--help'])\n"
            "    except SystemExit as exc:\n"
            "        assert exc.code == 0, exc.code\n")
    assert _loaded_after(code) == []


def test_the_llamaindex_module_is_where_llama_index_loads() -> None:
    assert "llama_index" in _loaded_after("import policykb.kb.llamaindex")
    assert "llama_index" not in _loaded_after("import policykb.kb")
