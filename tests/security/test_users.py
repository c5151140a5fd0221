"""The users file holds bcrypt hashes only, private to its owner; passwords bcrypt cannot hold whole are refused
with one line instead of failing or being silently cut."""
from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from policykb.app import users
from policykb.app.cli import main
from policykb.errors import ConfigError


def test_the_file_holds_hashes_only_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "users.txt"
    users.add_user(path, "alice", "correct horse battery")
    users.add_user(path, "bob", "密码是一句很长的话")
    text = path.read_text(encoding="utf-8")
    assert "correct horse" not in text and "密码" not in text
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert [line.split(":", 1)[0] for line in lines] == ["alice", "bob"]
    assert all(line.split(":", 1)[1].startswith("$2b$12$") and len(line.split(":", 1)[1]) == 60 for line in lines)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = users.load_users(path)
    assert users.verify(loaded, "bob", "密码是一句很长的话") and not users.verify(loaded, "bob", "correct horse battery")


@pytest.mark.parametrize(("password", "message"), [
    ("x" * 73, "too long (73 bytes in UTF-8)"),
    ("长" * 25, "too long (75 bytes in UTF-8)"),
    ("before\x00after", "NUL character"),
    ("abc12", "too short"),
])
def test_passwords_bcrypt_cannot_hold_whole_are_refused(tmp_path: Path, password: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        users.add_user(tmp_path / "users.txt", "alice", password)
    assert message in str(info.value) and password not in str(info.value) and "\n" not in str(info.value)
    assert not (tmp_path / "users.txt").exists()


def test_the_longest_password_bcrypt_holds_works(tmp_path: Path) -> None:
    path = tmp_path / "users.txt"
    users.add_user(path, "alice", "y" * users.MAX_PASSWORD_BYTES)
    loaded = users.load_users(path)
    assert users.verify(loaded, "alice", "y" * users.MAX_PASSWORD_BYTES)
    assert not users.verify(loaded, "alice", "y" * 500)  # a sign-in attempt with a huge password is just wrong


def test_cli_refuses_a_too_long_password_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("p" * 100 + "\n"))
    assert main(["users", "add", "erin", "--auth-file", str(tmp_path / "u.txt"), "--password-stdin"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "too long" in err[0] and "p" * 20 not in err[0] and "Traceback" not in err[0]


def test_a_plain_text_password_written_by_hand_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = tmp_path / "users.txt"
    path.write_text("alice:hunter2-plain\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        users.load_users(path)
    assert "hunter2" not in str(info.value) and "bcrypt hash" in str(info.value)
    assert users.make_auth(path)("alice", "hunter2-plain") is False
