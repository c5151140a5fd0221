"""The README's environment-variable table and :class:`Settings` name the same variables, both ways."""
from __future__ import annotations

import re
from dataclasses import fields

from policykb.settings import Settings, repo_root

README = repo_root() / "README.md"


def readme_variables() -> list[str]:
    """The first column of the table headed ``| variable | meaning |``, in order."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"\|\s*variable\s*\|\s*meaning\s*\|", line.strip()))
    names: list[str] = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cell = line.split("|")[1].strip()
        match = re.fullmatch(r"`([A-Z0-9_]+)`", cell)
        assert match, f"README.md: the variable cell {cell!r} should be one `NAME` in backticks"
        names.append(match.group(1))
    return names


def settings_variables() -> list[str]:
    return [f.metadata["env"] for f in fields(Settings)]


def test_every_setting_has_an_environment_variable_and_help() -> None:
    for f in fields(Settings):
        assert re.fullmatch(r"POLICYKB_[A-Z0-9_]+", f.metadata.get("env", "")), f"Settings.{f.name} names no POLICYKB_ variable"
        assert f.metadata.get("help", "").strip(), f"Settings.{f.name} has no help text"


def test_the_readme_table_lists_every_settings_variable_once() -> None:
    documented = readme_variables()
    assert len(documented) == len(set(documented)), f"README.md lists a variable twice: {documented}"
    missing = [v for v in settings_variables() if v not in documented]
    assert not missing, f"README.md's configuration table lacks {missing}; add a row for each"


def test_the_readme_table_lists_no_variable_that_settings_does_not_read() -> None:
    unknown = [v for v in readme_variables() if v not in settings_variables()]
    assert not unknown, f"README.md's configuration table lists {unknown}, which Settings does not read"
